"""Properties of the school-day arithmetic, checked by hypothesis on the shipped
calendars and on generated ones, against a day-by-day reference count."""
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from school_calendar.board_calendar import BoardCalendar, to_dates
from school_calendar.calendar_file import read_board_directory
from school_calendar.days import ClosureKind, DayType, Unit
from school_calendar.errors import SchoolYearMissing
from school_calendar.school_year import CalendarEntry, SchoolYear, statutory_holiday

AMDSB = BoardCalendar("amdsb-elementary", read_board_directory()["amdsb-elementary"])
NEVER_SCHOOL_DAYS = {DayType.WEEKEND, DayType.STATUTORY_HOLIDAY, DayType.SCHOOL_HOLIDAY, DayType.BREAK,
                     DayType.OUTSIDE_YEAR}

covered_days = st.dates(AMDSB.covers_from, AMDSB.covers_until)
units = st.sampled_from(list(Unit))
counts = st.integers(min_value=0, max_value=250)


def add_or_none(calendar, start, n, unit):
    try:
        return calendar.add(start, n, unit)
    except SchoolYearMissing:
        return None


@given(covered_days, counts, units)
def test_count_undoes_add(start, n, unit):
    end = add_or_none(AMDSB, start, n, unit)
    if end is not None:
        assert AMDSB.count(start, end, unit) == n


@given(covered_days, counts, units)
def test_add_never_lands_on_a_day_the_unit_skips(start, n, unit):
    end = add_or_none(AMDSB, start, n, unit)
    if end is not None and n > 0:
        day = AMDSB.day(end)
        assert day.type not in NEVER_SCHOOL_DAYS
        if unit is Unit.SCHOOL_DAYS:
            assert day.type is not DayType.PA_DAY
        assert end > start


@given(covered_days, covered_days, counts, units)
def test_add_is_monotonic_in_the_start(a, b, n, unit):
    first, second = sorted((a, b))
    end_first, end_second = add_or_none(AMDSB, first, n, unit), add_or_none(AMDSB, second, n, unit)
    if end_first and end_second:
        assert end_first <= end_second


@given(covered_days, counts, counts, units)
def test_add_is_monotonic_in_the_count(start, n, m, unit):
    low, high = sorted((n, m))
    end_low, end_high = add_or_none(AMDSB, start, low, unit), add_or_none(AMDSB, start, high, unit)
    if end_low and end_high:
        assert end_low <= end_high and (end_low < end_high) == (low < high)


@given(covered_days, counts)
def test_school_days_end_no_earlier_than_work_days_and_work_days_no_earlier_than_reg304(start, n):
    ends = [add_or_none(AMDSB, start, n, u) for u in (Unit.REG304, Unit.DAYS, Unit.SCHOOL_DAYS)]
    if None not in ends:
        assert ends[0] <= ends[1] <= ends[2]


# -- generated calendars, checked against a day-by-day count -------------------------

def weekdays_of_2025_26():
    day, out = date(2025, 9, 2), []
    while day <= date(2026, 6, 26):
        if day.weekday() < 5 and not statutory_holiday(day):
            out.append(day)
        day += timedelta(days=1)
    return out


WEEKDAYS = weekdays_of_2025_26()


@st.composite
def school_years(draw):
    chosen = draw(st.lists(st.sampled_from(WEEKDAYS), unique=True, max_size=25))
    kinds = draw(st.lists(st.sampled_from([DayType.PA_DAY, DayType.SPLIT_DAY, DayType.SCHOOL_HOLIDAY,
                                           DayType.CLOSURE]), min_size=len(chosen), max_size=len(chosen)))
    entries = tuple(CalendarEntry(d, d, k, str(k), ClosureKind.STRIKE if k is DayType.CLOSURE else None)
                    for d, k in zip(chosen, kinds))
    year = SchoolYear(board="generated", label="2025-26", first_day=date(2025, 9, 2), last_day=date(2026, 6, 26),
                      entries=entries, source="hypothesis", verified=True)
    return replace(year, closures_count=draw(st.booleans()))


def reference_add(year: SchoolYear, start: date, n: int, unit: Unit) -> date | None:
    """The obvious loop: walk forward a day at a time, counting as the unit says."""
    typed = {d.date: d for d in year.typed_days()}
    counting = {Unit.SCHOOL_DAYS: {DayType.INSTRUCTIONAL, DayType.SPLIT_DAY},
                Unit.DAYS: {DayType.INSTRUCTIONAL, DayType.SPLIT_DAY, DayType.PA_DAY},
                Unit.REG304: {DayType.INSTRUCTIONAL, DayType.SPLIT_DAY, DayType.PA_DAY, DayType.CLOSURE}}[unit]
    if year.closures_count:
        counting = counting | {DayType.CLOSURE}
    day, found = start, 0
    while found < n:
        day += timedelta(days=1)
        if day not in typed:
            return None
        found += typed[day].type in counting
    return day


@settings(max_examples=150, deadline=None)
@given(school_years(), st.dates(date(2025, 7, 1), date(2026, 6, 30)), st.integers(0, 60), units)
def test_add_agrees_with_a_day_by_day_count(year, start, n, unit):
    calendar = BoardCalendar("generated", [year])
    assert add_or_none(calendar, start, n, unit) == reference_add(year, start, n, unit)


@settings(max_examples=50, deadline=None)
@given(st.lists(covered_days, min_size=1, max_size=40), st.integers(0, 60), units)
def test_batch_add_and_count_agree_with_single_calls(starts, n, unit):
    singles = [add_or_none(AMDSB, s, n, unit) for s in starts]
    batch = to_dates(AMDSB.add_many(starts, n, unit, missing="nat"))
    assert batch == singles
    found = [(s, e) for s, e in zip(starts, singles) if e is not None]
    if found:
        counted = AMDSB.count_many(np.array([s for s, _ in found], "datetime64[D]"),
                                   np.array([e for _, e in found], "datetime64[D]"), unit)
        assert counted.tolist() == [n] * len(found)
