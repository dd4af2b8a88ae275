"""The page officers open every morning, and the deadlines of the weeks ahead."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, g, render_template
from sqlalchemy import func, or_, select

from glue import database, today
from models import Board, DeadlineRecord, Grievance, User
from operations import accounts
from operations import grievances as ops
from workflows.rules import RuleSet

from . import query_args
from .presenters import FLAG_ORDER, days_left_words, school_days_left

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
        calendars: dict = {}
        cases = [_row(session, grievance, officer, now, calendars) for grievance, officer in rows[:PAGE_SIZE]]
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
        like = f"%{chosen['q'].lower()}%"
        query = query.where(or_(func.lower(Grievance.members).like(like), func.lower(Grievance.number).like(like)))
    return query


def _row(session, grievance: Grievance, officer: str | None, now, calendars: dict) -> dict:
    rules: RuleSet = ops.rules_named(grievance.ruleset)
    if grievance.board_id not in calendars:  # one look-up per board and page, not per row
        calendars[grievance.board_id] = ops.calendar_for(session, _board_slug(session, grievance.board_id))
    calendar = calendars[grievance.board_id]
    left = school_days_left(calendar, now, grievance.next_act_by)
    limit = rules.limits.get(grievance.next_deadline_key or "")
    return {"g": grievance, "officer": officer, "left": left, "left_words": days_left_words(left),
            "next_label": limit.label if limit else "—", "next_clause": limit.clause if limit else "",
            "stage_label": rules.stages[grievance.stage].label, "kind_label": rules.kinds[grievance.kind].label,
            "flags": sorted(grievance.flag_codes.split(), key=FLAG_ORDER.index)}


def _board_slug(session, board_id: int) -> str:
    # Cached for the request only: a process-wide cache by id outlives the database it was read from
    # (a test's database dropped and made again, several apps in one process) and names the wrong board.
    slugs = g.setdefault("board_slugs", {})
    if board_id not in slugs:
        slugs[board_id] = session.scalar(select(Board.slug).where(Board.id == board_id))
    return slugs[board_id]


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
    """The running deadlines of the next weeks, as a calendar of school weeks."""
    weeks = query_args.values()["weeks"]  # 1 to 12 (web/query_args.py)
    now = today()
    start = now - timedelta(days=now.weekday())
    end = start + timedelta(weeks=weeks)
    with database().transaction() as session:
        rows = session.execute(accounts.visible(g.user, select(DeadlineRecord, Grievance.number, Grievance.id)
                                                .join(Grievance, Grievance.id == DeadlineRecord.grievance_id))
                               .where(DeadlineRecord.is_open.is_(True), DeadlineRecord.act_by >= start,
                                      DeadlineRecord.act_by < end)
                               .order_by(DeadlineRecord.act_by, Grievance.number)).all()
        rules = ops.rules_named("amdsb-etfo-article-33")
    by_day: dict = {}
    for deadline, number, grievance_id in rows:
        limit = rules.limits.get(deadline.key)
        by_day.setdefault(deadline.act_by, []).append(
            {"number": number, "id": grievance_id, "label": limit.label if limit else deadline.key,
             "party": deadline.party, "status": deadline.status})
    days = [[start + timedelta(weeks=w, days=d) for d in range(5)] for w in range(weeks)]
    return render_template("upcoming.html", weeks=days, by_day=by_day, today=now, count=len(rows))
