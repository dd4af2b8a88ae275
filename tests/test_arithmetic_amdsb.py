"""Hand-counted school days on the shipped Avon Maitland DSB elementary calendars
(calendar/boards/amdsb-elementary/). Each test counts the days in its comment.

Known dates on those files: 2024-25 runs Tue 2024-09-03 (PA day) to Fri
2025-06-27, winter break Dec 23-Jan 3, March break Mar 10-14, Easter Monday
Apr 21. 2025-26 runs Tue 2025-09-02 to Tue 2026-06-30, winter break Dec 22-Jan 2,
March break Mar 16-20, Easter Monday Apr 6. Statutory holidays: workalendar's
Ontario calendar.
"""
from datetime import date

import pytest

from school_calendar.board_calendar import BoardCalendar
from school_calendar.days import ClosureKind, DayType, Unit
from school_calendar.errors import SchoolYearMissing, UserError
from school_calendar.explanation import explain
from school_calendar.school_year import CalendarEntry


def test_a_plain_week_skips_only_the_weekend(amdsb):
    # From Tue 2024-10-01: Wed 2 (1), Thu 3 (2), Fri 4 (3), [Sat 5, Sun 6], Mon 7 (4), Tue 8 (5).
    assert amdsb.add(date(2024, 10, 1), 5) == date(2024, 10, 8)


def test_the_start_day_never_counts_even_when_it_is_a_school_day(amdsb):
    # Tue 2024-10-01 is an instructional day; one school day after it is Wed Oct 2.
    assert amdsb.add(date(2024, 10, 1), 1) == date(2024, 10, 2)


def test_thanksgiving_is_skipped(amdsb):
    # From Wed 2024-10-09: Thu 10 (1), Fri 11 (2), [Sat 12, Sun 13, Mon 14 Thanksgiving], Tue 15 (3).
    assert amdsb.add(date(2024, 10, 9), 3) == date(2024, 10, 15)
    skipped = [d.reason for d in explain(amdsb, date(2024, 10, 9), 3).skipped]
    assert skipped == ["weekend", "weekend", "statutory holiday: Thanksgiving Day"]


def test_winter_break_is_skipped(amdsb):
    # From Wed 2024-12-18: Thu 19 (1), Fri 20 (2), [Dec 21 to Jan 5: weekends, the
    # Winter break Dec 23-Jan 3 with Christmas, Boxing Day and New Year], Mon Jan 6 (3),
    # Tue 7 (4), Wed 8 (5), Thu 9 (6), Fri 10 (7), Mon 13 (8), Tue 14 (9), Wed 15 (10).
    assert amdsb.add(date(2024, 12, 18), 10) == date(2025, 1, 15)
    assert amdsb.count(date(2024, 12, 18), date(2025, 1, 15)) == 10
    reasons = {d.reason for d in explain(amdsb, date(2024, 12, 18), 10).skipped}
    assert reasons == {"weekend", "Winter break", "statutory holiday: Christmas Day",
                       "statutory holiday: Boxing Day", "statutory holiday: New Year's Day"}


def test_march_break_is_skipped(amdsb):
    # From Wed 2025-03-05: Thu 6 (1), Fri 7 (2), [Mar 8 to Mar 16: weekends and March
    # break Mar 10-14], Mon 17 (3), Tue 18 (4), Wed 19 (5).
    assert amdsb.add(date(2025, 3, 5), 5) == date(2025, 3, 19)


def test_good_friday_and_easter_monday_are_skipped(amdsb):
    # From Wed 2025-04-16: Thu 17 (1), [Fri 18 Good Friday, weekend, Mon 21 Easter
    # Monday], Tue 22 (2), Wed 23 (3).
    assert amdsb.add(date(2025, 4, 16), 3) == date(2025, 4, 23)


def test_a_pa_day_is_skipped_in_school_days_but_counted_in_33_01_c_days(amdsb):
    # From Fri 2024-08-30 (summer): [Sat 31, Sun Sep 1, Mon Sep 2 Labour Day: before the
    # year], Tue Sep 3 is the PA day before classes, Wed Sep 4 is the first instructional day.
    start = date(2024, 8, 30)
    assert amdsb.add(start, 1, Unit.SCHOOL_DAYS) == date(2024, 9, 4)
    assert amdsb.add(start, 1, Unit.DAYS) == date(2024, 9, 3)


def test_regulation_304_reading_gives_the_earlier_safe_date_across_a_pa_day(amdsb):
    # Regulation 304 counts the PA day (Tue 2024-09-03) as a school day, so 1 school
    # day after Fri 2024-08-30 ends on Sep 3 under it, a day before the agreement's Sep 4.
    explained = explain(amdsb, date(2024, 8, 30), 1)
    assert explained.result == date(2024, 9, 4)
    assert explained.regulation_304_date == explained.safe_date == date(2024, 9, 3)
    assert any("Regulation 304" in w and "2024-09-03" in w for w in explained.warnings())


def test_no_safe_date_note_when_the_readings_agree(amdsb):
    explained = explain(amdsb, date(2024, 10, 1), 5)
    assert explained.regulation_304_date is None and explained.safe_date == explained.result


def test_remembrance_day_is_a_school_day(amdsb):
    # Remembrance Day is not a statutory or school holiday in Ontario schools.
    assert amdsb.is_counted(date(2025, 11, 11))


def test_a_count_crosses_the_summer_into_the_next_school_year(amdsb):
    # From Fri 2025-06-20: Mon 23 (1), Tue 24 (2), Wed 25 (3), Thu 26 (4), Fri 27 (5, the
    # last day of 2024-25), [summer to Mon Sep 1 Labour Day], Tue 2025-09-02 (6),
    # Wed 3 (7), Thu 4 (8), Fri 5 (9), Mon 8 (10).
    explained = explain(amdsb, date(2025, 6, 20), 10)
    assert explained.result == date(2025, 9, 8)
    assert explained.crosses_summer
    assert "summer, after the 2024-25 school year" in {d.reason for d in explained.skipped}
    assert "The count crosses the summer into the next school year." in explained.warnings()


def test_a_closure_is_skipped_unless_the_year_counts_closures(shipped_years):
    # 2025-26 with a weather closure on Tue 2026-02-03. From Mon Feb 2: [Tue 3 closed],
    # Wed 4 (1), Thu 5 (2). Regulation 304 still counts Feb 3, so its date is Wed Feb 4.
    closed = [_with_closure(y, date(2026, 2, 3)) if y.label == "2025-26" else y for y in shipped_years["amdsb-elementary"]]
    calendar = BoardCalendar("amdsb-elementary", closed)
    explained = explain(calendar, date(2026, 2, 2), 2)
    assert explained.result == date(2026, 2, 5)
    assert explained.closures_crossed == ["closure: weather (Snow storm)"]
    assert explained.safe_date == date(2026, 2, 4)


def test_a_year_that_counts_closures_counts_them(shipped_years):
    from dataclasses import replace

    years = [replace(_with_closure(y, date(2026, 2, 3)), closures_count=True) if y.label == "2025-26" else y
             for y in shipped_years["amdsb-elementary"]]
    assert BoardCalendar("amdsb-elementary", years).add(date(2026, 2, 2), 2) == date(2026, 2, 4)


def test_a_count_past_the_last_loaded_year_names_the_missing_year(amdsb):
    # 2026-27 is the last shipped year; 20 school days after 2027-06-15 runs into 2027-28.
    with pytest.raises(SchoolYearMissing) as caught:
        amdsb.add(date(2027, 6, 15), 20)
    assert caught.value.school_year == "2027-28"
    assert "2027-28 school-year calendar" in str(caught.value)


def test_a_start_before_the_first_loaded_year_names_the_missing_year(amdsb):
    with pytest.raises(SchoolYearMissing) as caught:
        amdsb.add(date(2024, 6, 20), 1)
    assert caught.value.school_year == "2023-24"


def test_a_gap_between_loaded_years_is_never_counted_across(shipped_years):
    years = [y for y in shipped_years["amdsb-elementary"] if y.label != "2025-26"]
    calendar = BoardCalendar("amdsb-elementary", years)
    with pytest.raises(SchoolYearMissing) as caught:
        calendar.add(date(2025, 6, 20), 10)
    assert caught.value.school_year == "2025-26"
    assert calendar.add(date(2026, 9, 1), 1) == date(2026, 9, 2)


def test_next_counted_is_the_day_itself_or_the_next_school_day(amdsb):
    assert amdsb.next_counted(date(2024, 10, 1)) == date(2024, 10, 1)
    assert amdsb.next_counted(date(2024, 10, 12)) == date(2024, 10, 15)  # Sat; Mon 14 Thanksgiving


def test_count_is_negative_backwards_and_zero_on_the_same_day(amdsb):
    assert amdsb.count(date(2025, 1, 15), date(2024, 12, 18)) == -10
    assert amdsb.count(date(2024, 10, 1), date(2024, 10, 1)) == 0


def test_zero_days_after_a_date_is_that_date_and_negative_is_refused(amdsb):
    assert amdsb.add(date(2024, 10, 12), 0) == date(2024, 10, 12)
    with pytest.raises(UserError) as caught:
        amdsb.add(date(2024, 10, 12), -1)
    assert caught.value.field == "n"


def test_shipped_calendars_warn_that_they_are_unverified(amdsb):
    assert explain(amdsb, date(2024, 10, 1), 5).unverified_years == ["2024-25"]


def test_shipped_years_hold_the_school_days_regulation_304_requires(amdsb):
    # The Ministry's table gives the weekdays available from Sept 1 to June 30 that
    # are not school holidays (195, 196, 196) and a minimum of 194 school days.
    available = {"2024-25": 195, "2025-26": 196, "2026-27": 196}
    for label, year in amdsb.years.items():
        school_days = amdsb.count(year.first_day, year.last_day, Unit.REG304) + 1  # first day included
        assert 194 <= school_days <= available[label], label


def _with_closure(year, day):
    return year.with_entry(CalendarEntry(day, day, DayType.CLOSURE, "Snow storm", ClosureKind.WEATHER))
