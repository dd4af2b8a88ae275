"""The page officers open every morning, and the deadlines of the weeks ahead."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Flask, current_app, g, render_template
from sqlalchemy import func, or_, select

from glue import database, today
from models import Board, DeadlineRecord, Grievance, User
from operations import accounts
from operations import grievances as ops
from operations.deadline_status import (DeadlineStatus, calendar_or_none, flag_codes_in_order, next_statuses,
                                        record_status)
from school_calendar.days import Day, DayType
from school_calendar.errors import SchoolYearMissing
from workflows.rules import RuleSet

from . import query_args
from .presenters import FLAG_ORDER, PARTY_WORDS

dashboard_pages = Blueprint("dashboard", __name__)
PAGE_SIZE = 50
FILTERS = tuple(query_args.DASHBOARD_FILTERS)  # stage, kind, school, officer, flag, q


def init_app(app: Flask) -> None:
    app.register_blueprint(dashboard_pages)


@dashboard_pages.get("/dashboard")
@dashboard_pages.get("/", endpoint="home")
def dashboard():
    chosen, page = chosen_filters(), query_args.values()["page"]
    now = today()
    with database().transaction() as session:
        query = _filtered(accounts.visible(g.user, select(Grievance, User.name)
                                           .outerjoin(User, User.id == Grievance.officer_id)
                                           .where(Grievance.is_open.is_(True))), chosen)
        rows = ops.most_urgent(session, query, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        statuses = next_statuses(session, [grievance for grievance, _ in rows[:PAGE_SIZE]], now)
        cases = [_row(grievance, officer, statuses[grievance.id]) for grievance, officer in rows[:PAGE_SIZE]]
        choices = _choices(session)
    return render_template("dashboard.html", cases=cases, chosen=chosen, choices=choices, page=page,
                           more=len(rows) > PAGE_SIZE, today=now)


def chosen_filters() -> dict[str, str]:
    """The filters as the form and its links repeat them (text; "" for none), read by web/query_args.py."""
    return {name: "" if value is None else str(value)
            for name, value in query_args.values().items() if name in FILTERS}


def _filtered(query, chosen: dict):
    if chosen["stage"]:
        query = query.where(Grievance.stage == chosen["stage"])
    if chosen["kind"]:
        query = query.where(Grievance.kind == chosen["kind"])
    if chosen["school"]:
        query = query.where(Grievance.school == chosen["school"])
    if chosen["officer"]:  # a whole number that fits an id column (web/query_args.py)
        query = query.where(Grievance.officer_id == int(chosen["officer"]))
    if chosen["flag"]:
        query = query.where(Grievance.flag_codes.contains(chosen["flag"]))
    if chosen["q"]:
        like = f"%{literal_like(chosen['q'].lower())}%"
        query = query.where(or_(func.lower(Grievance.members).like(like, escape=LIKE_ESCAPE),
                                func.lower(Grievance.number).like(like, escape=LIKE_ESCAPE)))
    return query


LIKE_ESCAPE = "\\"


def literal_like(text: str) -> str:
    """`text` for a LIKE pattern that matches it as typed: a search for "%" or "_" finds those
    characters, not every case (both are wildcards to LIKE)."""
    return text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


def _row(grievance: Grievance, officer: str | None, status: DeadlineStatus) -> dict:
    """One case of the dashboard: its next date to act by, read by the presenter."""
    rules: RuleSet = ops.rules_named(grievance.ruleset)
    limit = rules.limits.get(grievance.next_deadline_key or "")
    return {"g": grievance, "officer": officer, "status": status,
            "next_label": limit.label if limit else "—", "next_clause": limit.clause if limit else "",
            "stage_label": rules.stages[grievance.stage].label, "kind_label": rules.kinds[grievance.kind].label,
            "flags": flag_codes_in_order(grievance.flag_codes)}


def _choices(session) -> dict:
    base = accounts.visible(g.user, select(Grievance).where(Grievance.is_open.is_(True))).subquery()
    rules = ops.rules_named("amdsb-etfo-article-33")
    return {
        "stage": [(k, s.label) for k, s in rules.stages.items() if s.open],
        "kind": [(k, kind.label) for k, kind in rules.kinds.items()],
        "school": [(s, s) for s in session.scalars(select(base.c.school).distinct().order_by(base.c.school)) if s],
        "officer": [(str(i), n) for i, n in session.execute(
            select(User.id, User.name).where(User.local_id == g.user.local_id, User.role.in_(("admin", "officer")))
            .order_by(User.name))],
        "flag": [(code, code) for code in FLAG_ORDER],
    }


@dashboard_pages.get("/upcoming")
def upcoming():
    """The running deadlines of the next school weeks as a calendar, what has already passed in a
    lane of its own, and every day that is not a school day marked with why (a strike week is not
    a week of blank days)."""
    weeks = query_args.values()["weeks"]  # 1 to 12 (web/query_args.py)
    now = today()
    start = _first_monday(now)
    end = start + timedelta(weeks=weeks)
    days = [[start + timedelta(weeks=w, days=d) for d in range(5)] for w in range(weeks)]
    with database().transaction() as session:
        ahead = _upcoming_rows(session, DeadlineRecord.act_by >= now, DeadlineRecord.act_by < end)
        passed = _upcoming_rows(session, DeadlineRecord.act_by < now, limit=OVERDUE_SHOWN + 1)
        passed_count = len(passed) if len(passed) <= OVERDUE_SHOWN else _passed_count(session, now)
        slugs = _upcoming_boards(session, {row[0].board_id for row in ahead + passed})
        calendars = {board_id: calendar_or_none(session, slug) for board_id, slug in slugs.items()}
    by_day: dict = {}
    for row in ahead:
        item = _upcoming_item(row, calendars, now)
        # Seen on a Saturday, a date on the Sunday has no weekday left in the grid: it heads the first day.
        by_day.setdefault(max(_weekday_on_or_before(item["status"].act_by), start), []).append(item)
    overdue = [_upcoming_item(row, calendars, now) for row in passed[:OVERDUE_SHOWN]]
    marks = {day: _marks(day, slugs, calendars) for week in days for day in week}
    return render_template("upcoming.html", weeks=days, by_day=by_day, marks=marks, overdue=overdue,
                           overdue_count=passed_count, today=now, count=len(ahead))


def _first_monday(day: date) -> date:
    """The Monday of `day`'s school week; on a weekend, the coming Monday (the week past is over)."""
    return day + timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day - timedelta(days=day.weekday())


OVERDUE_SHOWN = 100  # a local with thousands passed gets the first hundred and the count; the dashboard has all


def _upcoming_rows(session, *when, limit: int | None = None) -> list:
    """(DeadlineRecord, number, grievance id, rule set) of the running limits the user may see, by date."""
    query = (accounts.visible(g.user, select(DeadlineRecord, Grievance.number, Grievance.id, Grievance.ruleset)
                              .join(Grievance, Grievance.id == DeadlineRecord.grievance_id))
             .where(DeadlineRecord.is_open.is_(True), Grievance.is_open.is_(True), *when)
             .order_by(DeadlineRecord.act_by, Grievance.number, DeadlineRecord.id))
    return session.execute(query.limit(limit) if limit else query).all()


def _passed_count(session, now: date) -> int:
    return session.scalar(select(func.count()).select_from(accounts.visible(g.user, select(DeadlineRecord.id).join(
        Grievance, Grievance.id == DeadlineRecord.grievance_id)).where(
        DeadlineRecord.is_open.is_(True), Grievance.is_open.is_(True), DeadlineRecord.act_by < now).subquery()))


def _upcoming_boards(session, board_ids: set[int]) -> dict[int, str]:
    """The boards whose days the axis marks: those of the deadlines shown, and the deployment's."""
    default = current_app.config["DEFAULT_BOARD"]
    return dict(session.execute(select(Board.id, Board.slug).where(or_(Board.id.in_(board_ids), Board.slug == default))
                                .order_by(Board.slug != default, Board.slug)).all())


def _upcoming_item(row, calendars: dict, now: date) -> dict:
    deadline, number, grievance_id, ruleset = row
    limit = ops.rules_named(ruleset).limits.get(deadline.key)
    return {"number": number, "id": grievance_id, "label": limit.label if limit else deadline.key,
            "party": PARTY_WORDS.get(deadline.party, deadline.party),
            "status": record_status(deadline, calendars.get(deadline.board_id), now)}


def _weekday_on_or_before(day: date) -> date:
    """The grid has Monday to Friday: a date on a weekend (an extension to a Saturday) shows on the
    Friday before, the last weekday on which to act; its words still name its own date."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def _marks(day: date, slugs: dict[int, str], calendars: dict) -> list[dict]:
    """Why `day` is not a school day on each board shown (empty for a school day on all of them):
    [{"css": "off-closure", "words": "Closure: strike (CUPE strike)", "board": slug, where boards differ}]."""
    seen: dict[str, list[str]] = {}
    for board_id, slug in slugs.items():
        words, kind = _day_words(calendars.get(board_id), day)
        if words:
            seen.setdefault(f"{kind}|{words}", []).append(slug)
    several = len(slugs) > 1
    return [{"css": "off-" + key.split("|", 1)[0], "words": key.split("|", 1)[1],
             "board": ", ".join(boards) if several and len(boards) < len(slugs) else ""}
            for key, boards in seen.items()]


def _day_words(calendar, day: date) -> tuple[str, str]:
    """("PA day: not a school day", "pa-day") for a day the school-day count skips; ("", "") for a
    school day. A closure in a year whose closures count says so."""
    if calendar is None:
        return "", ""
    try:
        typed: Day = calendar.day(day)
        counted = calendar.is_counted(day)
    except SchoolYearMissing as missing:
        return f"No {missing.school_year} calendar loaded: not counted", "missing"
    kind = typed.type.value.lower().replace(" ", "-")
    if typed.type in (DayType.INSTRUCTIONAL, DayType.SPLIT_DAY):
        return "", ""
    if typed.type is DayType.CLOSURE:
        words = typed.reason[:1].upper() + typed.reason[1:]
        return (f"{words}: counts as a school day this year" if counted else words), kind
    if typed.type is DayType.PA_DAY:
        named = f" ({typed.name})" if typed.name and typed.name.lower() not in ("pa day", "pa-day") else ""
        return f"PA day{named}: not a school day", kind
    if typed.type is DayType.STATUTORY_HOLIDAY:
        return f"Holiday: {typed.name}", kind
    if typed.type is DayType.SCHOOL_HOLIDAY:
        return f"School holiday: {typed.name}" if typed.name else "School holiday", kind
    if typed.type is DayType.BREAK:
        return typed.name or "Break", kind
    return (typed.reason[:1].upper() + typed.reason[1:]), kind
