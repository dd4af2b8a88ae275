"""The board calendars: the loaded school years, each as month grids with every
day typed, and the year's change log (who, when, why). For an administrator of a
local on the board, the forms that change it during the year: add a closure, PA day
or school holiday, or take closure days back (remove or shorten a closure). Each
previews the deadlines it would move, and its result (?change=ID) lists those it
moved, in the user's local's cases only, with both dates: the agreement's and the
act-by (safe) date (operations/calendar_moves.py)."""
from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from glue import database, today
from models import Board, DeadlineMove, Grievance, User
from operations import accounts, calendar_moves
from operations import calendars as calendar_operations
from operations import grievances as ops
from operations.deadline_status import long_date
from gate import read
from gate.inputs import CalendarDayInput, ClosureInput, ReopenInput
from school_calendar.board_calendar import BoardCalendar
from school_calendar.check import check_year
from school_calendar.days import ClosureKind, Day, DayType, Unit
from school_calendar.errors import CalendarFileError, UserError
from school_calendar.school_year import CalendarEntry, SchoolYear

from . import query_args
from .auth import require
from .errors import FormErrors

calendar_pages = Blueprint("calendars", __name__)

# A short word for each type, so that colour is never the only cue.
DAY_WORDS = {
    DayType.INSTRUCTIONAL: "", DayType.SPLIT_DAY: "Split", DayType.PA_DAY: "PA",
    DayType.STATUTORY_HOLIDAY: "Stat", DayType.SCHOOL_HOLIDAY: "Holiday", DayType.BREAK: "Break",
    DayType.CLOSURE: "Closed", DayType.WEEKEND: "", DayType.OUTSIDE_YEAR: "Summer",
}
LEGEND = (
    (DayType.INSTRUCTIONAL, "", "Instructional day (counts as a school day)"),
    (DayType.SPLIT_DAY, "Split", "Split day: part instruction, part PA (counts as a school day)"),
    (DayType.PA_DAY, "PA", "PA day (professional activity; not a school day under Article 33)"),
    (DayType.STATUTORY_HOLIDAY, "Stat", "Statutory holiday (from the Ontario calendar)"),
    (DayType.SCHOOL_HOLIDAY, "Holiday", "School holiday"),
    (DayType.BREAK, "Break", "Break (winter, March)"),
    (DayType.CLOSURE, "Closed", "Closure: strike, lock-out, weather or other"),
    (DayType.WEEKEND, "", "Weekend"),
    (DayType.OUTSIDE_YEAR, "Summer", "Outside the school year"),
)
ADDABLE = (("closure", "Closure (strike, lock-out, weather, other)", DayType.CLOSURE),
           ("pa day", "PA day added by the board", DayType.PA_DAY),
           ("school holiday", "School holiday added by the board", DayType.SCHOOL_HOLIDAY))
FORM_FIELDS = ("type", "first", "last", "kind", "name", "reason")
REOPEN_FIELDS = ("first", "last", "reason")  # ids prefixed "reopen-": one page, two forms
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def init_app(app: Flask) -> None:
    app.register_blueprint(calendar_pages)
    # A case's timeline words its deadline moves as a change's preview and result do (templates/case.html).
    app.add_template_global(_move_words, "move_words")


def _move_words(move) -> str:
    """A stored deadline move (models.DeadlineMove) in words: which date moved, from what to what."""
    return calendar_moves.move_sentence(move.old_due, move.new_due, move.old_act_by, move.new_act_by)


# -- the boards and their years --------------------------------------------------------------

@calendar_pages.get("/calendar")
def calendar_index():
    boards = []
    with database().transaction() as session:
        for board in session.scalars(select(Board).order_by(Board.slug)):
            try:
                years = list(ops.calendar_for(session, board.slug).years.values())
            except UserError:  # a board with no school year loaded
                years = []
            boards.append({"slug": board.slug, "name": board.name or board.slug, "years": years})
    return render_template("calendar_index.html", boards=boards, today=today())


# -- one school year ------------------------------------------------------------------------------

@calendar_pages.get("/calendar/<board>/<label>")
def school_year(board: str, label: str):
    """?change=ID: the result of a change to this year (the deadlines it moved in the user's cases)."""
    return _page(board, label, result=_result(board, label, query_args.values()["change"]))


def _page(board: str, label: str, *, form: dict | None = None, errors: FormErrors | None = None,
          reopen_form: dict | None = None, reopen_errors: FormErrors | None = None, preview: dict | None = None,
          result: dict | None = None, status: int = 200):
    """The year's page; a preview or result of a change, or the refused form with every problem beside its field."""
    calendar, year, board_name = _calendar_and_year(board, label)
    now = today()
    months = [_month(calendar, year, first, now) for first in _months(year)]
    counted = [d for d in _days(year.first_day, year.last_day) if calendar.is_counted(d, Unit.SCHOOL_DAYS)]
    by_type: dict[DayType, int] = {}
    for d in _days(year.first_day, year.last_day):
        typed = calendar.day(d)
        by_type[typed.type] = by_type.get(typed.type, 0) + 1
    labels = list(calendar.years)
    i = labels.index(label)
    return render_template(
        "calendar.html", board=board, board_name=board_name, year=year, months=months, legend=LEGEND,
        school_days=len(counted), pa_days=by_type.get(DayType.PA_DAY, 0),
        closure_days=by_type.get(DayType.CLOSURE, 0), today=now, weekdays=list(zip(WEEKDAYS, WEEKDAY_NAMES)),
        previous=labels[i - 1] if i > 0 else None, following=labels[i + 1] if i + 1 < len(labels) else None,
        may_change=_may_change(board), addable=ADDABLE, kinds=list(ClosureKind),
        form=form or {}, errors=errors or FormErrors(None, FORM_FIELDS),
        reopen_form=reopen_form or {}, reopen_errors=reopen_errors or FormErrors(None, REOPEN_FIELDS, "reopen-"),
        closures=[e for e in year.entries if e.type is DayType.CLOSURE], preview=preview, result=result,
        changes=_change_log(board, label), verified=year.verified and not year.has_unconfirmed_dates,
        check=check_year(year),
    ), status


def _may_change(board: str) -> bool:
    """An administrator, of a local the board belongs to (accounts.boards_of_local)."""
    with database().transaction() as session:
        return accounts.may_change_board(session, g.user, board, current_app.config["DEFAULT_BOARD"])


def _calendar_and_year(board: str, label: str) -> tuple[BoardCalendar, SchoolYear, str]:
    with database().transaction() as session:
        board_name = session.scalar(select(Board.name).where(Board.slug == board))
        if board_name is None:
            abort(404)
        try:
            calendar = ops.calendar_for(session, board)
        except UserError:
            abort(404)
    year = calendar.years.get(label) or abort(404)
    return calendar, year, board_name or board


@dataclass
class Cell:
    day: Day
    counted: bool
    word: str
    is_today: bool

    @property
    def css(self) -> str:
        kind = self.day.type.name.lower().replace("_", "-")
        return " ".join(c for c in (f"day-{kind}", "counted" if self.counted else "not-counted",
                                    "today" if self.is_today else "") if c)


def _months(year: SchoolYear) -> list[date]:
    first = year.first_day.replace(day=1)
    out = []
    while first <= year.last_day:
        out.append(first)
        first = (first + timedelta(days=32)).replace(day=1)
    return out


def _month(calendar: BoardCalendar, year: SchoolYear, first: date, now: date) -> dict:
    """A month as Monday-first weeks of cells (None outside the month), and its non-counted days in words."""
    weeks = []
    for week in stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        row = []
        for d in week:
            if d.month != first.month:
                row.append(None)
                continue
            typed = calendar.day(d)
            row.append(Cell(typed, calendar.is_counted(d, Unit.SCHOOL_DAYS), DAY_WORDS.get(typed.type, ""), d == now))
        weeks.append(row)
    return {"first": first, "id": first.strftime("m-%Y-%m"), "weeks": weeks, "notes": _notes(calendar, first)}


def _notes(calendar: BoardCalendar, first: date) -> list[dict]:
    """The month's days that do not count (weekends aside), consecutive days with the same reason as one range."""
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    notes: list[dict] = []
    for d in _days(first, last):
        typed = calendar.day(d)
        if typed.type is DayType.WEEKEND or calendar.is_counted(d, Unit.SCHOOL_DAYS):
            continue
        previous = notes[-1] if notes else None
        if (previous and previous["reason"] == typed.reason and previous["type"] is typed.type
                and all(calendar.day(x).type is DayType.WEEKEND for x in _days(previous["last"] + timedelta(days=1),
                                                                              d - timedelta(days=1)))):
            previous["last"] = d
        else:
            notes.append({"first": d, "last": d, "reason": typed.reason, "type": typed.type,
                          "word": DAY_WORDS.get(typed.type, "")})
    return notes


def _days(first: date, last: date):
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


# -- changing the calendar during the year: adding a day, taking closure days back -------------------

@calendar_pages.post("/calendar/<board>/<label>", endpoint="change_school_year")
@require(accounts.may_change_calendars, "Only an administrator may change a board calendar.")
def change_school_year(board: str, label: str):
    form = {name: request.form.get(name, "").strip() for name in FORM_FIELDS}
    _require_may_change(board, label)
    try:
        entry = _entry(form)
        change = partial(calendar_operations.add_day, board_slug=board, entry=entry, by=g.user.email,
                         reason=form["reason"], today=today())
        return _preview_or_do(board, label, request.form.get("action"), change, ("preview", "add"), form=form,
                              what=f"{_what(entry)} {_span_words(entry.first, entry.last)}", done="Added")
    except UserError as refused:
        return _page(board, label, form=form, errors=_form_errors(refused, form, FORM_FIELDS), status=400)


@calendar_pages.post("/calendar/<board>/<label>/reopen", endpoint="reopen")
@require(accounts.may_change_calendars, "Only an administrator may change a board calendar.")
def reopen(board: str, label: str):
    """Take closure days back: remove a closure, or shorten it (the days the schools opened after all)."""
    form = {name: request.form.get(name, "").strip() for name in REOPEN_FIELDS}
    _require_may_change(board, label)
    try:
        values = read(ReopenInput, {name: value for name, value in form.items() if value or name != "last"})
        change = partial(calendar_operations.reopen, board_slug=board, first=values.first, last=values.last_day,
                         by=g.user.email, reason=values.reason, today=today())
        return _preview_or_do(board, label, request.form.get("action"), change, ("preview", "reopen"),
                              reopen_form=form, what=f"schools open {_span_words(values.first, values.last_day)}",
                              done="Reopened:")
    except UserError as refused:
        return _page(board, label, reopen_form=form, status=400,
                     reopen_errors=_form_errors(refused, form, REOPEN_FIELDS, prefix="reopen-"))


def _require_may_change(board: str, label: str) -> None:
    _calendar_and_year(board, label)  # 404 for an unknown board or year, before anything else
    if not _may_change(board):
        abort(403, "Only an administrator of a local whose cases count on this board may change its calendar.")


def _preview_or_do(board: str, label: str, action: str | None, change, actions: tuple[str, str], *, what: str,
                   done: str, **forms):
    """`change(session)` (add_day or reopen, all but the session given) previewed or done: a
    preview runs it in a nested transaction rolled back, listing what would move; doing it
    stores it and shows its result (the moves of the user's local) on the year's page."""
    preview_action, do_action = actions
    if action == preview_action:
        return _page(board, label, preview={**_preview(change, what), "form": do_action}, **forms)
    if action == do_action:
        with database().transaction() as session:
            moves = change(session)
            made = calendar_operations.last_change(session, board)
            change_id, label = made.id, made.school_year_label  # the year the days fell in
        n = len(moves)
        flash(f"{done} {what}. " + (f"{n} deadline{'s' * (n != 1)} moved in all: those of your local's cases are "
                                    "listed under What the change moved." if n else "No deadline moved."))
        return redirect(url_for("calendars.school_year", board=board, label=label, change=change_id,
                                _anchor="result"))
    raise UserError("Choose Preview or the button that makes the change.", field=None,
                    fix="Use one of the form's two buttons.")


def _preview(change, what: str) -> dict:
    """What the change would move, computed in a nested transaction that is rolled back: nothing is stored."""
    with database().transaction() as session:
        nested = session.begin_nested()
        try:
            moves = change(session)
            moved = calendar_moves.moved_deadlines(session, moves, today(), cases=_visible, tense="would move")
        finally:
            nested.rollback()
    return {"what": what, "moved": moved, "summary": calendar_moves.summary(moved, "would move")}


def _visible(query):
    """The cases the acting user may see: their local's (accounts.visible)."""
    return accounts.visible(g.user, query)


def _result(board: str, label: str, change_id: int | None) -> dict | None:
    """A change of this board's calendar and the deadlines it moved in the user's cases (?change=ID)."""
    if change_id is None:
        return None
    with database().transaction() as session:
        change = calendar_operations.calendar_change(session, board, change_id)
        if change is None or change.school_year_label != label:
            return None
        moves = session.scalars(select(DeadlineMove).where(DeadlineMove.calendar_change_id == change_id)
                                .order_by(DeadlineMove.id)).all()
        moved = calendar_moves.moved_deadlines(session, moves, today(), cases=_visible)
        return {"change": _logged(change, _people_of_local(session)), "moved": moved,
                "summary": calendar_moves.summary(moved)}


def _change_log(board: str, label: str) -> list[dict]:
    """The year's changes, latest first: when, who (of the user's local only), what, why, and
    how many deadlines of the user's cases each moved."""
    with database().transaction() as session:
        changes = [c for c in calendar_operations.calendar_changes(session, board) if c.school_year_label == label]
        counts = dict(session.execute(_visible(
            select(DeadlineMove.calendar_change_id, func.count(DeadlineMove.id))
            .join(Grievance, Grievance.id == DeadlineMove.grievance_id)
            .where(DeadlineMove.calendar_change_id.in_([c.id for c in changes])))
            .group_by(DeadlineMove.calendar_change_id)).all()) if changes else {}
        people = _people_of_local(session)
        return [{**_logged(c, people), "moved": counts.get(c.id, 0)} for c in reversed(changes)]


def _people_of_local(session) -> set[str]:
    return set(session.scalars(select(User.email).where(User.local_id == g.user.local_id)))


def _logged(change, people: set[str]) -> dict:
    """A change as the page shows it. Who made it is named only to their own local: a board is
    shared, and another local's people are not this one's to see."""
    who = change.changed_by if change.changed_by in people else "another local or the server's operator"
    return {"id": change.id, "at": _local_time(change.changed_at), "who": who, "action": change.action,
            "details": change.details, "reason": change.reason}


def _local_time(moment: datetime) -> str:
    """The deployment's time zone (TIMEZONE, default America/Toronto): Thu 20 Nov 2025 14:05."""
    try:
        zone = ZoneInfo(current_app.config.get("TIMEZONE") or "America/Toronto")
    except (ZoneInfoNotFoundError, ValueError):
        zone = timezone.utc
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone).strftime("%a %d %b %Y %H:%M")


def _entry(form: dict) -> CalendarEntry:
    """The form through the gate, as the API's body goes: a closure names its kind (field "kind")."""
    if form["type"] not in {value for value, _text, _type in ADDABLE}:
        raise UserError(f"'{form['type']}' is not a day that can be added here.", field="type",
                        fix="Choose a closure, a PA day or a school holiday.")
    given = {k: form[k] for k in ("first", "name", "reason")} | ({"last": form["last"]} if form["last"] else {})
    if form["type"] == "closure":
        return read(ClosureInput, {**given, "kind": form["kind"]}).as_day().entry()
    return read(CalendarDayInput, {**given, "type": form["type"]}).entry()


def _what(entry: CalendarEntry) -> str:
    return f"closure ({entry.closure_kind})" if entry.closure_kind else str(entry.type)


def _span_words(first: date, last: date) -> str:
    return f"on {long_date(first)}" if first == last else f"from {long_date(first)} to {long_date(last)}"


def _form_errors(refused: UserError, form: dict, fields: tuple[str, ...], prefix: str = "") -> FormErrors:
    """Every problem beside its field. The calendar's own checks (CalendarFileError) say "date"
    for either end of the range and "closure_kind" for the kind: each goes beside its input."""
    if isinstance(refused, CalendarFileError):
        refused = UserError(" ".join(p.message for p in refused.problems),
                            field=_input_for(refused.field, refused.message, form),
                            fix=" ".join(dict.fromkeys(p.fix for p in refused.problems)))
    elif refused.field in ("date", "closure_kind"):
        refused = UserError(refused.message, field=_input_for(refused.field, refused.message, form), fix=refused.fix)
    return FormErrors(refused, fields, prefix)


def _input_for(field: str | None, message: str, form: dict) -> str | None:
    """The form input a refusal names; the calendar's checks say 'date' for either end of the range."""
    if field == "closure_kind":
        return "kind"
    if field == "date":
        if form.get("last") and form["last"] != form.get("first") and form["last"] in message \
                and form.get("first") not in message:
            return "last"
        return "first"
    return field
