"""The board calendars: the loaded school years, each as month grids with every
day typed, and (admins only) the form that adds a closure, PA day or school
holiday during the year, with a preview of the deadlines it would move."""
from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from glue import database, today
from models import Board, Grievance
from operations import accounts
from operations import calendars as calendar_operations
from operations import grievances as ops
from gate import read
from gate.inputs import CalendarDayInput, ClosureInput
from school_calendar.board_calendar import BoardCalendar
from school_calendar.check import check_year
from school_calendar.days import ClosureKind, Day, DayType, Unit
from school_calendar.errors import CalendarFileError, UserError
from school_calendar.school_year import CalendarEntry, SchoolYear

from .auth import require

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
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def init_app(app: Flask) -> None:
    app.register_blueprint(calendar_pages)


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
    return _page(board, label, form={}, error=None, preview=None)


@calendar_pages.post("/calendar/<board>/<label>", endpoint="change_school_year")
@require(accounts.may_change_calendars, "Only an administrator may change a board calendar.")
def change_school_year(board: str, label: str):
    form = {name: request.form.get(name, "").strip() for name in FORM_FIELDS}
    action = request.form.get("action")
    _calendar_and_year(board, label)  # 404 for an unknown board or year, before anything else
    if not _may_change(board):
        abort(403, "Only an administrator of a local whose cases count on this board may change its calendar.")
    try:
        entry = _entry(form)
        if action == "preview":
            return _page(board, label, form=form, error=None, preview=_preview(board, entry, form["reason"]))
        if action == "add":
            return _add(board, label, entry, form["reason"])
        raise UserError("Choose Preview or Add.", field=None, fix="Use one of the form's two buttons.")
    except UserError as refused:
        return _page(board, label, form=form, error=FormError.of(refused, form), preview=None, status=400)


def _page(board: str, label: str, *, form: dict, error, preview, status: int = 200):
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
        form=form, error=error, preview=preview, verified=year.verified and not year.has_unconfirmed_dates,
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


# -- adding a day during the year -------------------------------------------------------------------

def _entry(form: dict) -> CalendarEntry:
    """The form through the gate, as the API's body goes: a closure names its kind (field "kind")."""
    if form["type"] not in {value for value, _text, _type in ADDABLE}:
        raise UserError(f"'{form['type']}' is not a day that can be added here.", field="type",
                        fix="Choose a closure, a PA day or a school holiday.")
    given = {k: form[k] for k in ("first", "name", "reason")} | ({"last": form["last"]} if form["last"] else {})
    if form["type"] == "closure":
        return read(ClosureInput, {**given, "kind": form["kind"]}).as_day().entry()
    return read(CalendarDayInput, {**given, "type": form["type"]}).entry()


def _preview(board: str, entry: CalendarEntry, reason: str) -> dict:
    """The deadlines the change would move, computed in a nested transaction that is rolled back: nothing is stored."""
    with database().transaction() as session:
        nested = session.begin_nested()
        try:
            moves = calendar_operations.add_day(session, board, entry, by=g.user.email, reason=reason, today=today())
            rows = [(m.grievance_id, m.deadline_key, m.old_due, m.new_due) for m in moves]
            cases = {gr.id: (gr.number, gr.ruleset) for gr in session.scalars(accounts.visible(
                g.user, select(Grievance).where(Grievance.id.in_({r[0] for r in rows}))))} if rows else {}
        finally:
            nested.rollback()
    shown = []
    for grievance_id, key, old_due, new_due in rows:
        if grievance_id not in cases:
            continue
        number, ruleset = cases[grievance_id]
        limits = ops.rules_named(ruleset).limits
        shown.append({"grievance_id": grievance_id, "number": number,
                      "label": limits[key].label if key in limits else key, "old_due": old_due, "new_due": new_due})
    shown.sort(key=lambda r: (r["number"], r["label"]))
    return {"entry": entry, "moves": shown, "hidden": len(rows) - len(shown)}


def _add(board: str, label: str, entry: CalendarEntry, reason: str):
    with database().transaction() as session:
        moved = len(calendar_operations.add_day(session, board, entry, by=g.user.email, reason=reason, today=today()))
    span = entry.first.isoformat() if entry.first == entry.last else f"{entry.first} to {entry.last}"
    what = f"closure ({entry.closure_kind})" if entry.closure_kind else str(entry.type)
    flash(f"Added {what} on {span}. {moved} deadline{'' if moved == 1 else 's'} moved.")
    return redirect(url_for("calendars.school_year", board=board, label=label))


@dataclass
class FormError:
    """A refusal as the form shows it: the message, the fix and the input it belongs beside."""

    message: str
    fix: str
    field: str | None

    @classmethod
    def of(cls, refused: UserError, form: dict) -> "FormError":
        if isinstance(refused, CalendarFileError):
            message = " ".join(p.message for p in refused.problems)
            fix = " ".join(dict.fromkeys(p.fix for p in refused.problems))
        else:
            message, fix = refused.message, refused.fix or ""
        return cls(message, fix, _input_for(refused.field, message, form))


def _input_for(field: str | None, message: str, form: dict) -> str | None:
    """The form input a refusal names; the calendar's checks say 'date' for either end of the range."""
    if field in FORM_FIELDS:
        return field
    if field in ("date", "closure_kind"):
        if field == "closure_kind":
            return "kind"
        if form.get("last") and form["last"] != form.get("first") and form["last"] in message \
                and form.get("first") not in message:
            return "last"
        return "first"
    return None
