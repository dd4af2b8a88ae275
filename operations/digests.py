"""Email digests: each user's overdue and coming deadlines and what changed on
their cases, as plain data, as an email, and sent over SMTP.

- `is_digest_day`: whether a user with a given frequency gets a digest on a day
  (daily: every school day of the default board; weekly: the first school day of
  the week). A day the calendar does not cover is refused, never guessed.
- `build_digest`: one user's digest for a day, from the stored derived facts
  (one indexed query per table: digests sent, deadlines, events, deadline moves),
  limited to the cases the user may see. No case is replayed.
- `render_message`: an EmailMessage (plain text and HTML alternatives) from the
  templates in web/templates/email/. The subject carries counts only.
- `send_digests`: a whole run. Each message accepted by the SMTP server is
  recorded in its own transaction (DigestSent, unique per user and day), so a
  second run the same day sends nothing twice and a refused or failed recipient
  is retried by the next run.

Nothing here reads Flask's configuration: the command line (cli/digest.py)
passes plain values in.
"""
from __future__ import annotations

import contextlib
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Callable, Iterable

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import and_, false, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import DIGEST_FREQUENCIES, Board, DeadlineMove, DeadlineRecord, DigestSent, Grievance, GrievanceEvent, User
from school_calendar.board_calendar import BoardCalendar
from school_calendar.errors import SchoolYearMissing, UserError

from .accounts import deliverable, visible
from .calendar_moves import move_sentence
from .deadline_status import DeadlineStatus, long_date, status_of
from .grievances import calendar_for, rules_named

MIN_DAYS_AHEAD, MAX_DAYS_AHEAD = 1, 30
FIRST_DIGEST_LOOKBACK = timedelta(days=7)
SECURITIES = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
# Not deadline_status.PARTY_WORDS: a digest item names a party or none, never "—".
PARTY_WORDS = {"union": "Union Local", "board": "Board", "both": "Both parties"}
FREQUENCY_WORDS = {"daily": "every school day", "weekly": "weekly, on the first school day of the week",
                   "none": "no digest"}
TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates" / "email"


class DigestDateNotCovered(UserError):
    """The default board's loaded calendar does not cover the digest's date."""


# -- preferences ---------------------------------------------------------------------------

def set_preferences(session: Session, user_id: int, *, frequency: str, days_ahead: str | int) -> User:
    """Save a user's digest choice; UserError naming the field when the input is wrong."""
    frequency = (frequency or "").strip()
    if frequency not in DIGEST_FREQUENCIES:
        raise UserError(f"'{frequency}' is not a digest frequency." if frequency else "Choose how often.",
                        field="digest_frequency", fix="Choose every school day, weekly or no digest.")
    try:
        days = int(str(days_ahead).strip())
    except ValueError:
        raise UserError(f"'{days_ahead}' is not a whole number of school days.", field="digest_days_ahead",
                        fix=f"Give a number from {MIN_DAYS_AHEAD} to {MAX_DAYS_AHEAD}.") from None
    if not MIN_DAYS_AHEAD <= days <= MAX_DAYS_AHEAD:
        raise UserError(f"{days} school days ahead is out of range.", field="digest_days_ahead",
                        fix=f"Give a number from {MIN_DAYS_AHEAD} to {MAX_DAYS_AHEAD}.")
    user = session.get(User, user_id)
    if user is None:
        raise UserError("There is no such user.", field="user", fix="Log in again.")
    user.digest_frequency, user.digest_days_ahead = frequency, days
    return user


# -- which days -----------------------------------------------------------------------------

def is_digest_day(calendar: BoardCalendar, frequency: str, day: date) -> bool:
    """Whether `frequency` gets a digest on `day` (DigestDateNotCovered when the calendar
    does not reach the day)."""
    try:
        counted = calendar.is_counted(day)
    except SchoolYearMissing as missing:
        raise not_covered(calendar, day, missing) from None
    if frequency == "daily" or not counted:
        return counted and frequency == "daily"
    if frequency != "weekly":
        return False
    monday = day - timedelta(days=day.weekday())
    for earlier in (monday + timedelta(days=i) for i in range((day - monday).days)):
        try:
            if calendar.is_counted(earlier):
                return False
        except SchoolYearMissing:  # the week began before the loaded years: not a school day we know of
            continue
    return True


def check_covered(calendar: BoardCalendar, day: date) -> None:
    try:
        calendar.day(day)
    except SchoolYearMissing as missing:
        raise not_covered(calendar, day, missing) from None


def not_covered(calendar: BoardCalendar, day: date, missing: SchoolYearMissing) -> DigestDateNotCovered:
    return DigestDateNotCovered(
        f"{day.isoformat()} is outside the loaded calendar of board '{calendar.board}' "
        f"(it covers {calendar.covers_from.isoformat()} to {calendar.covers_until.isoformat()} "
        f"and needs the {missing.school_year} school year): whether it is a school day is unknown, "
        "so no digest is sent for it.",
        field="date", fix=f"Load the board's {missing.school_year} calendar, or give a date it covers.")


# -- the digest as data ----------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    number: str               # the case's grievance number
    what: str                 # the time limit, or what changed
    party: str                # who must act (words), or "" when nobody has to
    status: DeadlineStatus | None  # the date to act by, worded on the digest's day (operations/deadline_status.py);
                              # a change: the case's next date to act by; None when it has none
    link: str                 # absolute link to the case
    happened_on: date | None = None   # a change: the day it happened (an event) or the new date (a move)
    note: str = ""            # a change: the words that say what it means

    @property
    def on(self) -> date | None:
        return self.status.act_by if self.status else None

    @property
    def days_left(self) -> int | None:
        """School days from the digest's day to `on` (negative: passed); None: uncountable."""
        return self.status.school_days_left if self.status else None

    @property
    def days_left_words(self) -> str:
        return self.status.words if self.status else ""

    @property
    def act_words(self) -> str:
        """"Board: act by Thu 27 Nov 2025 — 5 school days left", as every page words it."""
        return self.status.for_party(self.party or "Nobody") if self.status else ""


@dataclass
class Digest:
    user_id: int
    email: str
    name: str
    day: date
    days_ahead: int
    since: datetime
    built_at: datetime
    already_sent: bool = False
    overdue: list[Item] = field(default_factory=list)
    due_soon: list[Item] = field(default_factory=list)
    changes: list[Item] = field(default_factory=list)
    settings_link: str = ""
    # Items listed per section: an officer of a large local may have thousands, and a
    # message of many megabytes is refused by mail servers; the rest are on the dashboard.
    shown: int = 100

    @property
    def items(self) -> int:
        return len(self.overdue) + len(self.due_soon) + len(self.changes)

    @property
    def empty(self) -> bool:
        return self.items == 0

    @property
    def subject(self) -> str:
        """Counts only: the subject line is read by every server on the way and on lock screens."""
        parts = [f"{len(self.overdue)} overdue", f"{len(self.due_soon)} due soon"]
        if self.changes:
            parts.append(f"{len(self.changes)} change{'s' if len(self.changes) != 1 else ''}")
        return "Grievance deadlines: " + ", ".join(parts)

    @property
    def counts(self) -> str:
        return f"{len(self.overdue)} overdue, {len(self.due_soon)} due soon, {len(self.changes)} changed"


class _Boards:
    """The boards' slugs and calendars, and each board's horizon, built once per run."""

    def __init__(self, session: Session):
        self.session = session
        self.slugs = dict(session.execute(select(Board.id, Board.slug)).all())
        self._calendars: dict[int, BoardCalendar | None] = {}
        self._horizons: dict[tuple[int, date, int], date | None] = {}

    def preload(self) -> _Boards:
        """Build every board's calendar now, so later look-ups need no session."""
        for board_id in self.slugs:
            self.calendar(board_id)
        return self

    def calendar(self, board_id: int) -> BoardCalendar | None:
        if board_id not in self._calendars:
            try:
                self._calendars[board_id] = calendar_for(self.session, self.slugs[board_id])
            except UserError:  # a board with no school year loaded
                self._calendars[board_id] = None
        return self._calendars[board_id]

    def horizon(self, board_id: int, day: date, n: int) -> date | None:
        """The nth school day after `day` on the board (or the board's last covered day
        when the count runs past its loaded years); None: the board does not cover `day`."""
        key = (board_id, day, n)
        if key not in self._horizons:
            calendar = self.calendar(board_id)
            try:
                self._horizons[key] = calendar.add(day, n) if calendar else None
            except SchoolYearMissing as missing:  # missing.day: the first date the loaded years do not cover
                self._horizons[key] = missing.day - timedelta(days=1) if missing.day > day else None
        return self._horizons[key]

    def status(self, board_id: int, day: date, act_by: date | None, due: date | None = None) -> DeadlineStatus | None:
        """`act_by` worded as of `day` on the board's calendar; None for no date."""
        return status_of(self.calendar(board_id), day, act_by, due=due) if act_by else None


def build_digest(session: Session, user: User, day: date, *, case_url: Callable[[int], str],
                 settings_url: str = "", boards: _Boards | None = None, now: datetime | None = None) -> Digest:
    """What `user` should read on `day`: overdue limits, those due in the next
    user.digest_days_ahead school days, and what changed since their last digest."""
    boards = boards or _Boards(session)
    now = now or datetime.now(timezone.utc)
    n = user.digest_days_ahead or 5

    # 1. digests_sent: the last digest up to this day (unique index user_id, sent_for).
    last = session.execute(select(DigestSent.sent_for, DigestSent.sent_at)
                           .where(DigestSent.user_id == user.id, DigestSent.sent_for <= day)
                           .order_by(DigestSent.sent_for.desc()).limit(1)).first()
    if last is not None and last.sent_for == day:
        return Digest(user.id, user.email, user.name, day, n, _aware(last.sent_at), now, already_sent=True)
    if last is not None:
        since, since_day = _aware(last.sent_at), last.sent_for
    else:
        since_day = day - FIRST_DIGEST_LOOKBACK
        since = datetime.combine(since_day, time(0), timezone.utc)
    digest = Digest(user.id, user.email, user.name, day, n, since, now, settings_link=settings_url)

    # 2. deadlines: every running limit to act by on or before the horizon of its case's board.
    windows = [and_(DeadlineRecord.board_id == board_id, DeadlineRecord.act_by <= horizon)
               for board_id in boards.slugs if (horizon := boards.horizon(board_id, day, n)) is not None]
    windows += [and_(DeadlineRecord.board_id == board_id, DeadlineRecord.act_by < day)
                for board_id in boards.slugs if boards.horizon(board_id, day, n) is None]
    rows = session.execute(visible(user, select(
        DeadlineRecord.key, DeadlineRecord.party, DeadlineRecord.act_by, DeadlineRecord.due, DeadlineRecord.board_id,
        Grievance.id, Grievance.number, Grievance.ruleset)
        .join(Grievance, Grievance.id == DeadlineRecord.grievance_id)
        .where(DeadlineRecord.is_open.is_(True), DeadlineRecord.act_by.is_not(None), Grievance.is_open.is_(True),
               or_(*windows) if windows else false())
        .order_by(DeadlineRecord.act_by, Grievance.number))).all()
    lapsed = []
    for key, party, act_by, due, board_id, grievance_id, number, ruleset in rows:
        rule = rules_named(ruleset).limits.get(key)
        item = Item(number, rule.label if rule else key, PARTY_WORDS.get(party, party),
                    boards.status(board_id, day, act_by, due), case_url(grievance_id))
        (digest.overdue if act_by < day else digest.due_soon).append(item)
        if rule and due and since_day <= due < day and rule.consequence in ("deemed_abandoned", "may_escalate"):
            lapsed.append((due, _lapse_item(item, rule, party, due)))

    # 3. grievance_events recorded since the last digest, on cases the user may see.
    events = session.execute(visible(user, select(
        GrievanceEvent.type, GrievanceEvent.occurred_on, GrievanceEvent.recorded_at, Grievance.id, Grievance.number,
        Grievance.kind, Grievance.ruleset, Grievance.board_id, Grievance.next_act_by, Grievance.next_party)
        .join(Grievance, Grievance.id == GrievanceEvent.grievance_id)
        .where(GrievanceEvent.recorded_at > since)
        .order_by(GrievanceEvent.recorded_at, GrievanceEvent.id))).all()
    changes = []
    for type_, occurred_on, recorded_at, grievance_id, number, kind, ruleset, board_id, act_by, party in events:
        rules = rules_named(ruleset)
        what, note = _event_words(rules, type_, kind)
        changes.append((_aware(recorded_at), Item(
            number, what, PARTY_WORDS.get(party, "") if party else "", boards.status(board_id, day, act_by),
            case_url(grievance_id), happened_on=occurred_on, note=note)))

    # 4. deadline_moves made since the last digest (a board calendar changed).
    moves = session.execute(visible(user, select(
        DeadlineMove.deadline_key, DeadlineMove.old_due, DeadlineMove.new_due, DeadlineMove.old_act_by,
        DeadlineMove.new_act_by, DeadlineMove.reason, DeadlineMove.moved_at, Grievance.id, Grievance.number,
        Grievance.ruleset, Grievance.board_id, Grievance.next_party)
        .join(Grievance, Grievance.id == DeadlineMove.grievance_id)
        .where(DeadlineMove.moved_at > since)
        .order_by(DeadlineMove.moved_at, DeadlineMove.id))).all()
    for (key, old_due, new_due, old_act_by, new_act_by, reason, moved_at, grievance_id, number, ruleset,
         board_id, party) in moves:
        rule = rules_named(ruleset).limits.get(key)
        # Who acts on the moved limit: its rule's party ("recipient" depends on the case: the case's next party).
        party = rule.party if rule and rule.party in PARTY_WORDS else party
        # The act-by (safe) date where it was recorded: the agreement's date alone can read more time
        # than the union has (the same sentence the case page and the calendar page give).
        acting = new_act_by or new_due
        changes.append((_aware(moved_at), Item(
            number, f"{rule.label if rule else key}: {move_sentence(old_due, new_due, old_act_by, new_act_by)}",
            PARTY_WORDS.get(party, "") if party else "", boards.status(board_id, day, acting),
            case_url(grievance_id), happened_on=acting, note=f"The board calendar changed: {reason}")))

    digest.changes = [item for _, item in sorted(changes, key=lambda c: c[0])]
    digest.changes += [item for _, item in sorted(lapsed, key=lambda c: c[0])]
    return digest


def _event_words(rules, type_: str, kind: str) -> tuple[str, str]:
    """What an event means for the reader: opened, escalated, abandoned, closed or just recorded."""
    if type_ == "void":
        return "An event was corrected (voided)", "The case's deadlines were recomputed."
    rule = rules.events.get(type_)
    if rule is None:
        return f"Recorded: {type_}", ""
    if kind in rules.kinds and rules.kinds[kind].first_event == type_:
        return f"Case opened: {rule.label}", ""
    stage = rules.stages.get(rule.next_stage(kind) or "")
    if stage is None:
        return f"Recorded: {rule.label}", ""
    if stage.key == "abandoned":
        return f"Became abandoned: {rule.label}", "The case is closed as deemed abandoned."
    if stage.open:
        return f"Escalated: {rule.label}", f"The case is now at {stage.label}."
    return f"Closed: {rule.label}", f"The case is now {stage.label[:1].lower() + stage.label[1:]}."


def _lapse_item(item: Item, rule, party: str, due: date) -> Item:
    if rule.consequence == "may_escalate":
        what, note = f"Escalation: the Board let its limit pass ({rule.label})", rule.consequence_text
    elif party == "board":
        what, note = f"Became abandoned: the Board let its limit pass ({rule.label})", rule.consequence_text
    else:
        what, note = f"Abandonment risk: our limit passed ({rule.label})", rule.consequence_text
    return Item(item.number, what, item.party, item.status, item.link, note=note)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# -- the message ------------------------------------------------------------------------------

_templates = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                         undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_templates.filters["day"] = long_date


def render_message(digest: Digest, *, mail_from: str) -> EmailMessage:
    """The digest as a multipart/alternative email: plain text first, then HTML."""
    context = {"d": digest}
    message = EmailMessage()
    message["Subject"] = digest.subject
    message["From"] = mail_from
    message["To"] = Address(addr_spec=digest.email)
    message["Date"] = format_datetime(digest.built_at)
    message["Message-ID"] = make_msgid("digest", domain=_domain(mail_from))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_templates.get_template("digest.txt").render(context))
    message.add_alternative(_templates.get_template("digest.html").render(context), subtype="html")
    return message


def _domain(mail_from: str) -> str:
    address = mail_from.rsplit("<", 1)[-1].rstrip(">").strip()
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"


# -- sending ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class MailSettings:
    host: str = "localhost"
    port: int | None = None
    security: str = "starttls"
    username: str = ""
    password: str = ""
    timeout: float = 30.0

    def __post_init__(self):
        if self.security not in SECURITIES:
            raise UserError(f"MAIL_SECURITY '{self.security}' is not known.", field="MAIL_SECURITY",
                            fix=f"Use one of: {', '.join(SECURITIES)}.")

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]


class Mailer:
    """One SMTP connection for the run, opened on first use and again after a failure."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            refused = self._smtp.send_message(message)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, smtplib.SMTPHeloError,
                smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError, OSError):
            self.close()  # the connection is in an unknown state: open a new one for the next recipient
            raise
        if refused:  # some recipients accepted, some not (a digest has one, so this is defensive)
            raise smtplib.SMTPRecipientsRefused(refused)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        if s.security == "tls":
            smtp = smtplib.SMTP_SSL(s.host, s.effective_port, timeout=s.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.effective_port, timeout=s.timeout)
        try:
            if s.security == "starttls":
                smtp.starttls(context=context)
            if s.username:
                smtp.login(s.username, s.password)
        except BaseException:
            _quietly_close(smtp)
            raise
        return smtp

    def close(self) -> None:
        if self._smtp is not None:
            smtp, self._smtp = self._smtp, None
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                _quietly_close(smtp)

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _quietly_close(smtp: smtplib.SMTP) -> None:
    # The connection is being dropped after a failure: a second error closing it says nothing new.
    with contextlib.suppress(OSError):
        smtp.close()


def describe_failure(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"refused by the server: {code} {_text(msg)}" for code, msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return f"the server answered {error.smtp_code} {_text(error.smtp_error)}"
    if isinstance(error, (smtplib.SMTPException, OSError)):
        return f"could not reach or use the mail server: {error}"
    return str(error)


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


# -- a run ---------------------------------------------------------------------------------------

@dataclass
class Outcome:
    email: str
    status: str          # sent, would_send, nothing, already_sent, not_due, failed, undeliverable
    subject: str = ""
    counts: str = ""
    items: int = 0
    error: str = ""


@dataclass
class RunReport:
    day: date
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)

    def of(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def failed(self) -> list[Outcome]:
        """Not sent: the server refused or could not be reached, or the stored address is not one."""
        return self.of("failed") + self.of("undeliverable")


def send_digests(database, day: date, *, default_board: str, mail: MailSettings, mail_from: str,
                 case_url: Callable[[int], str], settings_url: str = "", dry_run: bool = False,
                 send: Callable[[EmailMessage], None] | None = None) -> RunReport:
    """Send `day`'s digests to every active user whose digest is due on it.

    `database` is models.Database. Refuses (DigestDateNotCovered) a day the default
    board's calendar does not cover. One user's failure is reported and the run goes on."""
    report = RunReport(day, dry_run)
    with database.transaction() as session:
        calendar = calendar_for(session, default_board)
        check_covered(calendar, day)
        users = session.scalars(select(User).where(User.is_active.is_(True), User.digest_frequency != "none")
                                .order_by(User.email)).all()
        boards = _Boards(session).preload()
        session.expunge_all()
    due = [u for u in users if is_digest_day(calendar, u.digest_frequency, day)]
    report.outcomes += [Outcome(u.email, "not_due") for u in users if u not in due]
    mailer = None if dry_run or send else Mailer(mail)
    try:
        for user in due:
            report.outcomes.append(_one(database, user, day, boards, dry_run=dry_run, case_url=case_url,
                                        settings_url=settings_url, mail_from=mail_from,
                                        send=send or (mailer.send if mailer else None)))
    finally:
        if mailer:
            mailer.close()
    return report


def _one(database, user: User, day: date, boards: _Boards, *, dry_run: bool, case_url, settings_url, mail_from,
         send) -> Outcome:
    problem = deliverable(user.email)
    if problem:
        # Stored before addresses were checked (or by hand): skipped and reported, and the run goes
        # on for everyone else (a message to it could not even be written: its To: header fails).
        return Outcome(user.email, "undeliverable",
                       error=f"the stored address is not a valid email address ({problem}); nothing is sent "
                             "to it until it is corrected or the account deactivated")
    with database.transaction() as session:
        digest = build_digest(session, user, day, case_url=case_url, settings_url=settings_url, boards=boards)
    if digest.already_sent:
        return Outcome(user.email, "already_sent")
    if digest.empty:
        return Outcome(user.email, "nothing")
    message = render_message(digest, mail_from=mail_from)
    outcome = Outcome(user.email, "would_send" if dry_run else "sent", message["Subject"], digest.counts,
                      digest.items)
    if dry_run:
        return outcome
    try:
        send(message)
    except (smtplib.SMTPException, OSError) as error:
        return Outcome(user.email, "failed", outcome.subject, outcome.counts, outcome.items, describe_failure(error))
    try:
        record_sent(database, digest)
    except IntegrityError:  # another run recorded it between our check and now
        outcome.error = "another run recorded a digest for this day at the same time"
    return outcome


def record_sent(database, digest: Digest) -> None:
    """Its own transaction, right after the server accepted the message. sent_at is
    when the digest's facts were read, so nothing recorded while it was being sent
    is skipped by the next one."""
    with database.transaction() as session:
        session.add(DigestSent(user_id=digest.user_id, sent_for=digest.day, sent_at=digest.built_at,
                               items=digest.items))


def summary(report: RunReport) -> Iterable[str]:
    """The lines a person reads after a run (the command prints them)."""
    verb = "would send" if report.dry_run else "sent"
    for o in report.outcomes:
        if o.status in ("sent", "would_send"):
            yield f"{verb} to {o.email}: \"{o.subject}\" ({o.counts}; {o.items} items)"
        elif o.status == "nothing":
            yield f"nothing to report for {o.email}: no email"
        elif o.status == "already_sent":
            yield f"already sent to {o.email} for {report.day.isoformat()}: not sent again"
        elif o.status == "failed":
            yield f"FAILED for {o.email}: {o.error} (not recorded; the next run retries it)"
        elif o.status == "undeliverable":
            yield f"FAILED for {o.email!r}: {o.error}"
    not_due = report.of("not_due")
    if not_due:
        yield f"no digest due on {report.day.isoformat()} for: {', '.join(o.email for o in not_due)}"
    counts = {s: len(report.of(s)) for s in ("sent", "would_send", "nothing", "already_sent", "not_due", "failed")}
    counts["failed"] += len(report.of("undeliverable"))
    sent = counts["would_send"] if report.dry_run else counts["sent"]
    yield (f"{report.day.isoformat()}{' (dry run: nothing sent or recorded)' if report.dry_run else ''}: "
           f"{sent} {verb}, {counts['nothing']} with nothing to report, {counts['already_sent']} already sent, "
           f"{counts['not_due']} not due, {counts['failed']} failed.")
