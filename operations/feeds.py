"""Each user's deadlines as an iCalendar feed behind a secret link.

The link's secret (secrets.token_urlsafe(32)) is shown once, when it is made;
only its SHA-256 is stored, so a leaked database does not give the feeds away.
A link is revoked by setting revoked_at; a revoked or unknown link finds
nothing. The lookup is by the hash, through the unique index: what the
database compares is a digest the requester cannot choose, and the row found
is checked again with a constant-time comparison.

The feed has one all-day event per running deadline of the cases the user may
see, on its act-by date. The event's UID names the case, the limit and its
trigger, not the date, so a deadline moved by a closure or an extension
updates the same event (SEQUENCE is the case's version, which grows with every
change; LAST-MODIFIED the last change recorded). No member names go into the
feed: calendar apps sync to phones and third-party servers.

A stored date is never trusted to leave room for arithmetic: an extension to
9999-12-31 (accepted before dates were bounded at input, or restored from an
archive) has no next day, so its event has no DTEND and lasts its one day.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Board, DeadlineMove, DeadlineRecord, FeedToken, Grievance, GrievanceEvent, UnionLocal, User
from school_calendar.errors import UserError

from . import accounts
from . import grievances as ops
from .deadline_status import PARTY_WORDS, DeadlineStatus, calendar_or_none, long_date, record_status

PRODID = "-//Grievance timeline tracker//Article 33 deadlines//EN"
UID_DOMAIN = "grievance-tracker"
TOKEN_BYTES = 32
TOKEN_LENGTH = 43  # len(secrets.token_urlsafe(32))


@dataclass(frozen=True)
class NewFeed:
    feed: FeedToken
    secret: str  # shown once; never stored


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_feed(session: Session, user: User) -> NewFeed:
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    feed = FeedToken(user_id=user.id, token_sha256=digest(secret), created_at=datetime.now(timezone.utc))
    session.add(feed)
    session.flush()
    return NewFeed(feed, secret)


def active_feeds(session: Session, user: User) -> list[FeedToken]:
    return list(session.scalars(select(FeedToken).where(FeedToken.user_id == user.id, FeedToken.revoked_at.is_(None))
                                .order_by(FeedToken.created_at, FeedToken.id)))


def revoke_feed(session: Session, user: User, feed_id: int) -> FeedToken:
    """Revoke one of the user's own links (nobody revokes another's: it is not found)."""
    feed = session.scalar(select(FeedToken).where(FeedToken.id == feed_id, FeedToken.user_id == user.id))
    if feed is None or feed.revoked_at is not None:
        raise UserError("That feed link is not one of your active links.", field="feed",
                        fix="Pick one of the links listed on the page.")
    feed.revoked_at = datetime.now(timezone.utc)
    return feed


def resolve_feed(session: Session, secret: str) -> User | None:
    """The active user a live link belongs to; None for an unknown, revoked or malformed secret
    (or a deactivated user)."""
    if not isinstance(secret, str) or len(secret) != TOKEN_LENGTH:
        return None
    wanted = digest(secret)
    row = session.execute(select(FeedToken, User).join(User, User.id == FeedToken.user_id)
                          .where(FeedToken.token_sha256 == wanted)).first()
    if row is None:
        return None
    feed, user = row
    if not hmac.compare_digest(feed.token_sha256, wanted) or feed.revoked_at is not None or not user.is_active:
        return None
    return user


def feed_calendar(session: Session, user: User, *, now: datetime | None = None, today: date | None = None,
                  case_url: Callable[[int], str] | None = None) -> bytes:
    """The iCalendar text of the running deadlines of the cases `user` may see. Each event's
    description words its status as every page does, as of `today` (the app's today; the
    feed is fetched again every hour, so it says the day it was worded on)."""
    from icalendar import Calendar, Event  # loaded only when a feed is asked for

    now = now or datetime.now(timezone.utc)
    today = today or now.date()
    local_name = session.scalar(select(UnionLocal.name).where(UnionLocal.id == user.local_id)) or ""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Grievance deadlines: {local_name}".strip(": "))
    calendar.add("x-wr-caldesc", "The Article 33 time limits running on the cases you may see, on the date to act by.")
    calendar.add("x-published-ttl", "PT1H")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})

    rows = session.execute(accounts.visible(user, select(DeadlineRecord, Grievance.number, Grievance.version,
                                                         Grievance.ruleset)
                                            .join(Grievance, Grievance.id == DeadlineRecord.grievance_id))
                           .where(DeadlineRecord.is_open.is_(True), DeadlineRecord.act_by.is_not(None))
                           .order_by(DeadlineRecord.grievance_id, DeadlineRecord.id)).all()
    changed = _last_changes(session, {d.grievance_id for d, *_ in rows})
    board_ids = {d.board_id for d, *_ in rows}
    slugs = dict(session.execute(select(Board.id, Board.slug).where(Board.id.in_(board_ids))).all())
    calendars = {board_id: calendar_or_none(session, slug) for board_id, slug in slugs.items()}
    seen: dict[str, int] = {}
    for deadline, number, version, ruleset in rows:
        rules = ops.rules_named(ruleset)
        limit = rules.limits.get(deadline.key)
        label = limit.label if limit else deadline.key
        uid = f"{deadline.grievance_id}-{deadline.key}-{deadline.trigger}"
        seen[uid] = seen.get(uid, 0) + 1
        if seen[uid] > 1:  # the same limit started twice by the same kind of event (two meeting requests)
            uid += f"-{seen[uid]}"
        party = PARTY_WORDS.get(deadline.party, deadline.party)
        event = Event()
        event.add("uid", f"{uid}@{UID_DOMAIN}")
        event.add("dtstamp", now)
        event.add("dtstart", deadline.act_by)
        if deadline.act_by < date.max:  # else no DTEND: an all-day DTSTART alone lasts the day (RFC 5545, 3.6.1)
            event.add("dtend", deadline.act_by + timedelta(days=1))
        event.add("summary", f"{number}: {label} ({party})")
        status = record_status(deadline, calendars.get(deadline.board_id), today)
        event.add("description", _description(deadline, limit, party, rules, status, today))
        event.add("sequence", int(version or 0))
        event.add("last-modified", changed.get(deadline.grievance_id) or now)
        event.add("transp", "TRANSPARENT")
        event.add("status", "CONFIRMED")
        event.add("categories", ["Grievance deadline", party])
        if case_url:
            event.add("url", case_url(deadline.grievance_id))
        calendar.add_component(event)
    return calendar.to_ical()


def _description(deadline: DeadlineRecord, limit, party: str, rules, status: DeadlineStatus, today: date) -> str:
    lines = [f"{status.for_party(party)} (as of {long_date(today)})."]
    if deadline.n is not None:
        trigger = deadline.trigger
        words = (f"the end of {rules.limits[trigger[6:]].label}" if trigger.startswith("lapse:") and trigger[6:] in rules.limits
                 else rules.events[trigger].label if trigger in rules.events else trigger)
        lines.append(f"{deadline.n} {deadline.unit} from {words} on {deadline.trigger_date:%a %d %b %Y}.")
    if deadline.extended_to:
        lines.append(f"Extended by written mutual consent to {deadline.extended_to:%a %d %b %Y}.")
    if limit is not None:
        lines.append(f"Clause {limit.clause}. If missed: {limit.consequence_text}")
    return "\n".join(lines)


def _last_changes(session: Session, ids: set[int]) -> dict[int, datetime]:
    """Per case, the last event recorded or deadline moved: when its dates last changed."""
    if not ids:
        return {}
    out: dict[int, datetime] = {}
    for query in (select(GrievanceEvent.grievance_id, func.max(GrievanceEvent.recorded_at))
                  .where(GrievanceEvent.grievance_id.in_(ids)).group_by(GrievanceEvent.grievance_id),
                  select(DeadlineMove.grievance_id, func.max(DeadlineMove.moved_at))
                  .where(DeadlineMove.grievance_id.in_(ids)).group_by(DeadlineMove.grievance_id)):
        for grievance_id, moment in session.execute(query):
            if moment is None:
                continue
            if isinstance(moment, str):  # SQLite's max() of a DateTime column comes back as text
                moment = datetime.fromisoformat(moment)
            moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
            out[grievance_id] = max(out.get(grievance_id, moment), moment)
    return out


__all__ = ["NewFeed", "create_feed", "active_feeds", "revoke_feed", "resolve_feed", "feed_calendar", "digest",
           "TOKEN_LENGTH"]
