"""A board's school year: first and last day, the days it declares, and every
date from July 1 to June 30 typed.

A school year covers July 1 of its first calendar year to June 30 of the next,
so consecutive years tile the timeline with no gap and summer belongs to the
year it precedes. Statutory holidays come from holidays.py (workalendar's
Ontario calendar, less the employment-law substitutes), never from the file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from .days import DECLARABLE_TYPES, ClosureKind, Day, DayType
from .errors import CalendarFileError, Problem
from .holidays import statutory_holiday, statutory_holidays  # noqa: F401  (re-exported)

_LABEL = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class CalendarEntry:
    """A date or range the board declares: a PA day, a break, a closure…"""

    first: date
    last: date
    type: DayType
    name: str = ""
    closure_kind: ClosureKind | None = None
    unconfirmed: bool = False
    line: int | None = field(default=None, compare=False)  # where it stands in its file, for messages

    def dates(self):
        day = self.first
        while day <= self.last:
            yield day
            day += timedelta(days=1)


@dataclass(frozen=True)
class SchoolYear:
    board: str
    label: str  # "2025-26"
    first_day: date
    last_day: date
    entries: tuple[CalendarEntry, ...] = ()
    source: str = ""
    verified: bool = False
    closures_count: bool = False
    board_name: str = ""
    # Header fields ("first day", "last day") the board's own calendar has not confirmed.
    unconfirmed_fields: frozenset[str] = frozenset()
    origin: str = field(default="", compare=False)  # file path or "database", for messages

    def __post_init__(self):
        # Entries in date order, so that two years with the same days are equal.
        object.__setattr__(self, "entries", tuple(sorted(self.entries, key=lambda e: (e.first, e.last, e.type))))

    @property
    def start_year(self) -> int:
        return int(self.label[:4])

    @property
    def covers_from(self) -> date:
        return date(self.start_year, 7, 1)

    @property
    def covers_until(self) -> date:
        return date(self.start_year + 1, 6, 30)

    @property
    def has_unconfirmed_dates(self) -> bool:
        return bool(self.unconfirmed_fields) or any(e.unconfirmed for e in self.entries)

    def covers(self, day: date) -> bool:
        return self.covers_from <= day <= self.covers_until

    def typed_days(self) -> list[Day]:
        """Every date of the coverage, July 1 to June 30, typed."""
        return _typed_days(self)

    def with_entry(self, entry: CalendarEntry) -> "SchoolYear":
        return replace(self, entries=self.entries + (entry,))


def school_year_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def label_for(day: date) -> str:
    """The label of the school year whose coverage holds `day`."""
    return school_year_label(day.year if day.month >= 7 else day.year - 1)


# When declared entries overlap (only closures may), the winner types the day:
# a break or school holiday was never a scheduled day, so it stays what it is;
# a closure cancels an instructional, split or PA day.
_PRECEDENCE = {DayType.BREAK: 3, DayType.SCHOOL_HOLIDAY: 3, DayType.CLOSURE: 2, DayType.PA_DAY: 1, DayType.SPLIT_DAY: 1,
               DayType.INSTRUCTIONAL: 1}


def _typed_days(year: SchoolYear) -> list[Day]:
    declared: dict[date, CalendarEntry] = {}
    for entry in sorted(year.entries, key=lambda e: _PRECEDENCE[e.type]):
        for day in entry.dates():
            declared[day] = entry
    days = []
    day = year.covers_from
    while day <= year.covers_until:
        days.append(_type_of(year, day, declared.get(day)))
        day += timedelta(days=1)
    return days


def _type_of(year: SchoolYear, day: date, entry: CalendarEntry | None) -> Day:
    label = year.label
    if day < year.first_day:
        return Day(day, DayType.OUTSIDE_YEAR, f"summer, before the {label} school year", school_year=label)
    if day > year.last_day:
        return Day(day, DayType.OUTSIDE_YEAR, f"summer, after the {label} school year", school_year=label)
    if day.weekday() >= 5:
        return Day(day, DayType.WEEKEND, school_year=label)
    holiday = statutory_holiday(day)
    if holiday:
        return Day(day, DayType.STATUTORY_HOLIDAY, holiday, school_year=label)
    if entry:
        return Day(day, entry.type, entry.name, entry.closure_kind, school_year=label)
    return Day(day, DayType.INSTRUCTIONAL, school_year=label)


def validate(year: SchoolYear) -> None:
    """Raise CalendarFileError listing every problem; return if there are none."""
    problems = list(_problems(year))
    if problems:
        raise CalendarFileError(problems)


def _problems(year: SchoolYear):
    src = year.origin or f"{year.board} {year.label}"
    match = _LABEL.match(year.label)
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        yield Problem(src, None, "school year", f"'{year.label}' is not a school year label.",
                      "Write it as the two years it spans, e.g. 2025-26.")
        return
    if not year.covers_from <= year.first_day <= year.last_day <= year.covers_until:
        yield Problem(src, None, "first day / last day",
                      f"The year runs {year.first_day} to {year.last_day}, which does not lie within "
                      f"{year.covers_from} to {year.covers_until} with the first day before the last.",
                      f"Give the {year.label} first and last days of school as the board published them.")
        return
    yield from _entry_problems(year, src)
    yield from _overlap_problems(year, src)


def _entry_problems(year: SchoolYear, src: str):
    for e in year.entries:
        where = dict(source=src, line=e.line)
        if e.first > e.last:
            yield Problem(**where, field="date", message=f"The range {e.first} .. {e.last} ends before it starts.",
                          fix="Put the earlier date first.")
            continue
        if e.first < year.first_day or e.last > year.last_day:
            yield Problem(**where, field="date",
                          message=f"{_span(e)} lies outside the {year.label} school year "
                                  f"({year.first_day} to {year.last_day}).",
                          fix="Correct the date, or the year's first/last day, or move the entry to its own year's file.")
            continue
        if e.type not in DECLARABLE_TYPES:
            yield Problem(**where, field="type", message=f"'{e.type}' cannot be declared in a calendar.",
                          fix="Use instructional day, pa day, split day, school holiday, break or closure: KIND.")
            continue
        if (e.type is DayType.CLOSURE) != (e.closure_kind is not None):
            yield Problem(**where, field="type", message="Only a closure has a kind, and every closure needs one.",
                          fix="Write 'closure: strike', 'closure: lock-out', 'closure: weather' or 'closure: other'.")
        for end in {e.first, e.last}:
            if end.weekday() >= 5:
                yield Problem(**where, field="date",
                              message=f"{end} is a {end.strftime('%A')}; a {e.type} entry cannot start or end on a weekend.",
                              fix="Check the date against the board's calendar; start and end ranges on weekdays.")
        if e.type in (DayType.INSTRUCTIONAL, DayType.PA_DAY, DayType.SPLIT_DAY, DayType.SCHOOL_HOLIDAY):
            for day in e.dates():
                holiday = statutory_holiday(day)
                if day.weekday() >= 5 and e.first != e.last:
                    yield Problem(**where, field="date", message=f"The {e.type} range includes {day}, a {day.strftime('%A')}.",
                                  fix="List the weekdays only.")
                elif holiday:
                    yield Problem(**where, field="date",
                                  message=f"{day} is a statutory holiday ({holiday}) and cannot also be a {e.type}.",
                                  fix="Check the date against the board's calendar; statutory holidays come from the Ontario calendar.")


def _overlap_problems(year: SchoolYear, src: str):
    """Two entries may not type the same day, except a closure over a PA,
    split, break or holiday day (see _PRECEDENCE)."""
    ordered = sorted(year.entries, key=lambda e: (e.first, e.last))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b.first > a.last:
                break
            if (a.type is DayType.CLOSURE) != (b.type is DayType.CLOSURE):
                continue
            later, earlier = (a, b) if (a.line or 0) > (b.line or 0) else (b, a)
            shared = "the same day" if a.first == a.last == b.first == b.last else "overlapping days"
            yield Problem(src, later.line, "date",
                          f"{_span(later)} ({later.type}{': ' + later.name if later.name else ''}) and "
                          f"{_span(earlier)} ({earlier.type}{', line ' + str(earlier.line) if earlier.line else ''}) type {shared}.",
                          "Keep one entry per day: merge the two or correct one of the dates.")


def _span(e: CalendarEntry) -> str:
    return str(e.first) if e.first == e.last else f"{e.first} .. {e.last}"
