"""Dates the board calendar cannot count, said before they are stored and wherever they are shown
(issue 13, item 7).

    require_countable(calendar, day, field=…, confirmed=…)   UncountedDate unless the day's school
                                                             year is loaded, or the person confirmed
    day_note(calendar, day)     "Recorded on Sat 22 Nov 2025, a weekend: the count starts from it all the same"

A date in a school year with no calendar loaded would open a case (or record an event) whose limits
cannot be counted: the tool asks first and names the year to load. A date that is not a school day
(a weekend, a holiday, a break, a PA day, a closure, the summer) is stored as given, because a reply
is delivered when it is delivered; the note only says so, from the calendar, whenever it is shown.
"""
from __future__ import annotations

from datetime import date

from school_calendar.board_calendar import BoardCalendar
from school_calendar.days import DayType
from school_calendar.errors import SchoolYearMissing, UserError

from .deadline_status import long_date

# The words a person uses for a day that is not a school day ("a weekend", "a PA day").
KIND_WORDS = {DayType.WEEKEND: "a weekend", DayType.STATUTORY_HOLIDAY: "a statutory holiday",
              DayType.SCHOOL_HOLIDAY: "a school holiday", DayType.BREAK: "a break",
              DayType.PA_DAY: "a PA day", DayType.CLOSURE: "a closure day",
              DayType.OUTSIDE_YEAR: "outside the school year"}


class UncountedDate(UserError):
    """A date in a school year whose calendar is not loaded: stored only once the person confirms."""

    confirm_with = "confirm_uncounted"

    def __init__(self, missing: SchoolYearMissing, field: str):
        self.school_year, self.board = missing.school_year, missing.board
        super().__init__(uncounted_words(missing.board, missing.school_year), field=field,
                         fix="Load it with `flask --app app schooldays load` (or import the board's .ics), "
                             "or confirm to record it anyway.")

    def as_dict(self) -> dict:
        return {**super().as_dict(), "school_year": self.school_year, "board": self.board,
                "confirm_with": self.confirm_with}


def uncounted_words(board: str, school_year: str) -> str:
    return f"The {school_year} calendar of {board} is not loaded: its deadlines cannot be counted."


def missing_year(calendar: BoardCalendar, day: date) -> SchoolYearMissing | None:
    """Why `day` cannot be typed (its school year is not loaded), or None."""
    try:
        calendar.day(day)
    except SchoolYearMissing as missing:
        return missing
    return None


def require_countable(calendar: BoardCalendar, day: date, *, field: str, confirmed: bool) -> None:
    missing = missing_year(calendar, day)
    if missing is not None and not confirmed:
        raise UncountedDate(missing, field)


def day_note(calendar: BoardCalendar | None, day: date) -> str:
    """The note shown beside an event dated on a day that is not a school day; "" for a school day
    (or a day no loaded year covers: that is said where the deadlines are)."""
    if calendar is None:
        return ""
    try:
        typed = calendar.day(day)
        if calendar.is_counted(day):
            return ""
    except SchoolYearMissing:
        return ""
    kind = KIND_WORDS.get(typed.type, str(typed.type))
    named = f" ({typed.name})" if typed.name and typed.type is not DayType.WEEKEND else ""
    return f"Recorded on {long_date(day)}, {kind}{named}: the count starts from it all the same."
