"""A school year is checked against Regulation 304 before it is trusted, and the
shipped Halton DSB 2025-26 calendars (one per panel) count as the board published them.

Halton DSB 2025-26 (calendar/boards/hdsb-*/2025-26.schoolyear, from the board's page):
  both panels: PA days Tue Sep 2, Fri Oct 10, Fri Nov 28, Fri Feb 13, Fri Apr 24;
  Thanksgiving Oct 13; winter break Dec 22 - Jan 2; Family Day Feb 16; spring break
  Mar 16 - 20; Good Friday Apr 3; Easter Monday Apr 6; Victoria Day May 18.
  elementary: PA days Mon Jan 26 and Fri Jun 5; last day Fri Jun 26.
  secondary: PA days Fri Jan 30 and Mon Jun 29 (its last day); Fri Jun 26 unexplained
  by the board, filled as an instructional day and marked unconfirmed.
"""
from dataclasses import replace
from datetime import date

import pytest

from article33_helpers import RULES, d, deadline, ev
from school_calendar.board_calendar import BoardCalendar
from school_calendar.calendar_file import read_board_directory
from school_calendar.check import check_year
from school_calendar.days import DayType, Unit
from school_calendar.school_year import CalendarEntry, SchoolYear
from workflows.engine import replay


@pytest.fixture(scope="module")
def hdsb():
    boards = read_board_directory()
    return {panel: BoardCalendar(f"hdsb-{panel}", boards[f"hdsb-{panel}"]) for panel in ("elementary", "secondary")}


def year_of(calendar: BoardCalendar) -> SchoolYear:
    return calendar.years["2025-26"]


# -------------------------------------------------------------------------------
# Halton DSB 2025-26, one calendar per panel
# -------------------------------------------------------------------------------

def test_hdsb_panels_keep_their_own_pa_days(hdsb):
    elementary, secondary = hdsb["elementary"], hdsb["secondary"]
    for day in ("2026-01-26", "2026-06-05"):
        assert elementary.day(d(day)).type is DayType.PA_DAY
        assert secondary.day(d(day)).type is DayType.INSTRUCTIONAL
    for day in ("2026-01-30", "2026-06-29"):
        assert secondary.day(d(day)).type is DayType.PA_DAY
    assert elementary.day(d("2026-01-30")).type is DayType.INSTRUCTIONAL
    assert elementary.day(d("2026-06-29")).type is DayType.OUTSIDE_YEAR  # after its last day, Fri Jun 26


def test_hdsb_secondary_counts_ten_school_days_over_exams_and_its_jan_30_pa_day(hdsb):
    # Secondary, from Tue 2026-01-20: Wed 21 (1), Thu 22 (2, exams are school days), Fri 23 (3),
    # Mon 26 (4), Tue 27 (5), Wed 28 (6), Thu 29 (7), [Fri 30 PA day], Mon Feb 2 (8), Tue 3 (9),
    # Wed 4 (10). Elementary skips its Jan 26 PA day instead and counts Jan 30: also Wed Feb 4.
    # 33.01 c days count the PA day: secondary ends Tue Feb 3.
    assert hdsb["secondary"].add(d("2026-01-20"), 10) == d("2026-02-04")
    assert hdsb["elementary"].add(d("2026-01-20"), 10) == d("2026-02-04")
    assert hdsb["secondary"].add(d("2026-01-20"), 10, Unit.DAYS) == d("2026-02-03")
    assert hdsb["secondary"].day(d("2026-01-30")).reason == "PA day (secondary only)"


def test_hdsb_elementary_union_reply_counts_its_jun_5_pa_day(hdsb):
    # Elementary. A Board grievance filed Fri 2026-05-29; the Union Local replies within 10
    # 33.01 c days (PA days count): Mon Jun 1 (1), Tue 2 (2), Wed 3 (3), Thu 4 (4),
    # Fri 5 (5, PA day), Mon 8 (6), Tue 9 (7), Wed 10 (8), Thu 11 (9), Fri 12 (10).
    # Ten school days would skip Jun 5 and end Mon Jun 15.
    events = [ev("occurrence", "2026-05-27"), ev("board_grievance_filed", "2026-05-29")]
    state = replay(RULES, hdsb["elementary"], "board", events, d("2026-06-01"))
    assert deadline(state, "union_reply").act_by == d("2026-06-12")
    assert hdsb["elementary"].add(d("2026-05-29"), 10) == d("2026-06-15")


def test_hdsb_secondary_unexplained_day_is_filled_as_a_school_day_and_marked(hdsb):
    # Secondary: Fri 2026-06-26 is not on the board's page. Filled as an instructional day,
    # from Wed Jun 24: Thu 25 (1), Fri 26 (2). Had it been a PA day, school days would run
    # into the summer; had it been a holiday, every unit would end later.
    secondary = hdsb["secondary"]
    day = secondary.day(d("2026-06-26"))
    assert day.type is DayType.INSTRUCTIONAL and "Not stated by the board" in day.reason
    assert secondary.add(d("2026-06-24"), 2) == d("2026-06-26")
    year = year_of(secondary)
    assert year.verified and year.has_unconfirmed_dates
    assert [f.message for f in check_year(year).notes if "2026-06-26" in f.message]


def test_hdsb_years_pass_the_check_with_the_counts_of_the_boards_page(hdsb):
    # Sept 1 - June 30, 2025-26: the Ministry's 196 school days. Elementary ends Fri Jun 26
    # (Jun 29, 30 are summer): 194. Secondary ends Mon Jun 29: 195. Seven PA days each.
    elementary, secondary = check_year(year_of(hdsb["elementary"])), check_year(year_of(hdsb["secondary"]))
    assert (elementary.ok, elementary.school_days, elementary.instructional_days, elementary.pa_days) == (True, 194, 187, 7)
    assert (secondary.ok, secondary.school_days, secondary.instructional_days, secondary.pa_days) == (True, 195, 188, 7)


# -------------------------------------------------------------------------------
# The check: each kind of wrong year
# -------------------------------------------------------------------------------

def bare_year(*entries: CalendarEntry, first="2025-09-02", last="2026-06-26", verified=True) -> SchoolYear:
    return SchoolYear(board="test-board", label="2025-26", first_day=d(first), last_day=d(last),
                      entries=entries, source="test", verified=verified)


WINTER = CalendarEntry(d("2025-12-22"), d("2026-01-02"), DayType.BREAK, "Winter break")
MARCH = CalendarEntry(d("2026-03-16"), d("2026-03-20"), DayType.BREAK, "March break")
EASTER_MONDAY = CalendarEntry(d("2026-04-06"), d("2026-04-06"), DayType.SCHOOL_HOLIDAY, "Easter Monday")


def fields_of_problems(year: SchoolYear) -> list[str]:
    return [f.field for f in check_year(year).problems]


def test_year_check_passes_a_ministry_default_year():
    result = check_year(bare_year(WINTER, MARCH, EASTER_MONDAY))
    # Tue 2025-09-02 .. Fri 2026-06-26: the Ministry's 196 less Mon Jun 29 and Tue Jun 30.
    assert (result.ok, result.school_days, result.pa_days, result.findings) == (True, 194, 0, [])


def test_year_check_refuses_an_empty_year():
    # What an import that understood no event gives: first and last day, nothing else.
    assert fields_of_problems(bare_year()) == ["winter break", "March break", "Easter Monday"]


def test_year_check_refuses_both_panels_pa_days_in_one_year():
    # Halton's elementary and secondary PA days together: 5 shared + 2 + 2 = 9 > 7.
    pa = [CalendarEntry(d(x), d(x), DayType.PA_DAY, "PA day") for x in
          ("2025-09-02", "2025-10-10", "2025-11-28", "2026-01-26", "2026-01-30", "2026-02-13", "2026-04-24",
           "2026-06-05", "2026-06-26")]
    result = check_year(bare_year(WINTER, MARCH, EASTER_MONDAY, *pa))
    assert [f.field for f in result.problems] == ["PA days"] and result.pa_days == 9
    assert "--panel" in result.problems[0].fix


def test_year_check_refuses_fewer_than_194_school_days():
    # A break read as three weeks (Mar 9 - 27) instead of one: 194 - 10 = 184.
    long_march = CalendarEntry(d("2026-03-09"), d("2026-03-27"), DayType.BREAK, "March break")
    result = check_year(bare_year(WINTER, long_march, EASTER_MONDAY))
    assert (result.school_days, [f.field for f in result.problems]) == (184, ["school days"])


def test_year_check_refuses_a_year_that_ends_in_may_and_notes_an_august_start():
    year = bare_year(WINTER, MARCH, EASTER_MONDAY, first="2025-08-28", last="2026-05-29")
    result = check_year(year)
    assert [f.field for f in result.problems] == ["school days", "last day"]
    assert [f.field for f in result.notes] == ["first day"]


def test_year_check_lists_unconfirmed_dates_and_an_unverified_year():
    year = replace(bare_year(WINTER, replace(MARCH, unconfirmed=True), EASTER_MONDAY, verified=False),
                   unconfirmed_fields=frozenset({"last day"}))
    result = check_year(year)
    assert result.ok
    assert [f.field for f in result.notes] == ["last day", "date", "verified"]
    assert "2026-03-16 .. 2026-03-20" in result.notes[1].message


def test_a_strike_does_not_fail_the_check():
    # Closures are school days under Regulation 304 (not school holidays): two weeks of
    # strike leave the count at 194.
    from school_calendar.days import ClosureKind
    strike = CalendarEntry(d("2026-02-02"), d("2026-02-13"), DayType.CLOSURE, "Strike", ClosureKind.STRIKE)
    assert check_year(bare_year(WINTER, MARCH, EASTER_MONDAY, strike)).school_days == 194
