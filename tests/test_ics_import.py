"""Importing a board's published .ics: the days Article 33 counting needs are
kept, every other event is listed with its reason, and a wrong file names the
event, its date and the fix, with nothing imported.

The .ics files are built here with the icalendar library, not checked in."""
from datetime import date, datetime, timedelta

import icalendar
import pytest

from school_calendar.board_calendar import BoardCalendar
from school_calendar.calendar_file import format_school_year, parse_school_year
from school_calendar.days import DayType
from school_calendar.errors import CalendarFileError
from school_calendar.ics_import import STATUTORY_REASON, school_year_from_ics
from school_calendar.school_year import CalendarEntry

SOURCE = "board-2025-26.ics"


def event(summary: str, start: date, end: date | None = None, **properties) -> icalendar.Event:
    """One VEVENT; `end` is the exclusive DTEND (omitted: a one-day event)."""
    component = icalendar.Event()
    component.add("uid", f"{summary}-{start}@test")
    component.add("summary", summary)
    component.add("dtstart", start)
    if end is not None:
        component.add("dtend", end)
    for key, value in properties.items():
        component.add(key, value)
    return component


def ics(*events: icalendar.Event) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//test board//calendar//EN")
    calendar.add("version", "2.0")
    for component in events:
        calendar.add_component(component)
    return calendar.to_ical()


def import_ics(data: bytes, **kwargs):
    return school_year_from_ics(data, board="test-board", label="2025-26", source=SOURCE, **kwargs)


def problems_of(data: bytes, **kwargs):
    with pytest.raises(CalendarFileError) as caught:
        import_ics(data, **kwargs)
    return caught.value.problems


# A 2025-26 board calendar as a board publishes it: school Tue 2025-09-02 to
# Fri 2026-06-26; PA days Fri 2025-10-10 and Fri 2025-11-14; winter break
# published Sat 2025-12-20 .. Sun 2026-01-04; March break Mon 2026-03-16 ..
# Fri 2026-03-20; Easter Monday 2026-04-06. Thanksgiving (Mon 2025-10-13) is
# statutory. Report cards, a timed interview night and next year's first day
# are in the feed too.
BOARD_FILE = ics(
    event("First Day of School", date(2025, 9, 2)),
    event("PA Day", date(2025, 10, 10), date(2025, 10, 11)),
    event("Thanksgiving", date(2025, 10, 13), date(2025, 10, 14)),
    event("P.A. Day #2 | Provincial priorities", date(2025, 11, 14)),
    event("Report cards go home", date(2025, 11, 20), date(2025, 11, 21)),
    event("Parent-teacher interviews", datetime(2025, 11, 20, 18, 0), datetime(2025, 11, 20, 20, 0)),
    event("Winter Break", date(2025, 12, 20), date(2026, 1, 5)),
    event("March Break", date(2026, 3, 16), date(2026, 3, 21)),
    event("Good Friday", date(2026, 4, 3)),
    event("Easter Monday", date(2026, 4, 6), date(2026, 4, 7)),
    event("Last Day of School", date(2026, 6, 26), date(2026, 6, 27)),
    event("First Day of School", date(2026, 9, 8)),
)


def test_a_board_file_gives_exactly_the_declared_days():
    # Calendar: BOARD_FILE, the 2025-26 board calendar described above it.
    imported = import_ics(BOARD_FILE, board_name="Test District School Board")
    year = imported.school_year
    assert (year.board, year.label, year.board_name) == ("test-board", "2025-26", "Test District School Board")
    assert (year.first_day, year.last_day) == (date(2025, 9, 2), date(2026, 6, 26))
    assert year.entries == (
        CalendarEntry(date(2025, 10, 10), date(2025, 10, 10), DayType.PA_DAY, "PA Day"),
        CalendarEntry(date(2025, 11, 14), date(2025, 11, 14), DayType.PA_DAY, "P.A. Day 2 / Provincial priorities"),
        CalendarEntry(date(2025, 12, 22), date(2026, 1, 2), DayType.BREAK, "Winter Break"),
        CalendarEntry(date(2026, 3, 16), date(2026, 3, 20), DayType.BREAK, "March Break"),
        CalendarEntry(date(2026, 4, 6), date(2026, 4, 6), DayType.SCHOOL_HOLIDAY, "Easter Monday"),
    )
    assert all(e.line is None for e in year.entries)
    assert not year.verified and year.source == f"{SOURCE} (imported from iCalendar)" and year.origin == SOURCE
    assert imported.ignored == [
        f"2025-10-13 'Thanksgiving': {STATUTORY_REASON}",
        "2025-11-20 'Parent-teacher interviews': timed event, not an all-day event",
        "2025-11-20 'Report cards go home': not a day type",
        f"2026-04-03 'Good Friday': {STATUTORY_REASON}",
        "2026-09-08 'First Day of School': outside the 2025-26 school year (2025-07-01 to 2026-06-30)",
    ]


def test_first_and_last_day_can_be_given_by_the_caller():
    # Calendar: a 2025-26 feed with one PA day (Fri 2025-10-10) and no first or
    # last day events; school runs Wed 2025-09-03 to Thu 2026-06-25 as given.
    data = ics(event("PA day", date(2025, 10, 10)))
    year = import_ics(data, first_day=date(2025, 9, 3), last_day=date(2026, 6, 25)).school_year
    assert (year.first_day, year.last_day) == (date(2025, 9, 3), date(2026, 6, 25))
    assert [(e.first, e.type) for e in year.entries] == [(date(2025, 10, 10), DayType.PA_DAY)]


def test_a_given_first_day_wins_over_the_files_and_the_event_is_listed():
    # Calendar: 2025-26 feed saying school starts Tue 2025-09-02 and ends Fri
    # 2026-06-26; the caller knows it starts Wed 2025-09-03.
    data = ics(event("First day for students", date(2025, 9, 2)), event("Last day for students", date(2026, 6, 26)))
    imported = import_ics(data, first_day=date(2025, 9, 3))
    assert imported.school_year.first_day == date(2025, 9, 3)
    assert imported.ignored == [
        "2025-09-02 'First day for students': first day 2025-09-03 was given, so the file's is not used"]


def test_a_last_day_for_students_widens_to_the_pa_day_after_it():
    # Calendar: 2025-26 feed, students' last day Thu 2026-06-25, then a PA day
    # Fri 2026-06-26, which belongs to the school year.
    data = ics(event("First day of school", date(2025, 9, 2)), event("Last day for students", date(2026, 6, 25)),
               event("PA Day", date(2026, 6, 26)))
    assert import_ics(data).school_year.last_day == date(2026, 6, 26)


def test_a_missing_first_day_names_the_field_and_the_option():
    # Calendar: 2025-26 feed with a last day (Fri 2026-06-26) but no first day.
    [problem] = problems_of(ics(event("Last day of school", date(2026, 6, 26))))
    assert (problem.source, problem.field) == (SOURCE, "first day")
    assert "--first-day" in problem.fix


def test_a_pa_day_on_a_saturday_names_the_event_and_the_date():
    # Calendar: 2025-26 feed, school 2025-09-02 .. 2026-06-26, with a PA day
    # published on Saturday 2025-10-11 (the board's file is wrong).
    data = ics(event("First day of school", date(2025, 9, 2)), event("Last day of school", date(2026, 6, 26)),
               event("PA Day", date(2025, 10, 11)))
    with pytest.raises(CalendarFileError) as caught:
        import_ics(data)
    assert "2025-10-11" in str(caught.value) and "'PA Day'" in str(caught.value)
    [problem] = caught.value.problems
    assert (problem.source, problem.field) == (SOURCE, "date")
    assert "Saturday" in problem.message and problem.fix


def test_a_school_holiday_on_a_statutory_holiday_is_a_problem():
    # Calendar: 2025-26 feed, school 2025-09-02 .. 2026-06-26, with "No school"
    # published on Mon 2025-10-13, which is Thanksgiving.
    data = ics(event("First day of school", date(2025, 9, 2)), event("Last day of school", date(2026, 6, 26)),
               event("No school", date(2025, 10, 13)))
    [problem] = problems_of(data)
    assert problem.field == "date" and "2025-10-13" in problem.message and "Thanksgiving" in problem.message


def test_every_problem_is_reported_at_once():
    # Calendar: 2025-26 feed with no first or last day and a PA day on Sunday 2025-10-12.
    problems = problems_of(ics(event("PA Day", date(2025, 10, 12))))
    assert [p.field for p in problems] == ["date", "first day", "last day"]
    assert all(p.source == SOURCE for p in problems)


def test_garbage_is_a_file_problem():
    # Calendar: none; the bytes are not iCalendar at all.
    [problem] = problems_of(b"\x00\xffthis is not an iCalendar file")
    assert (problem.source, problem.field) == (SOURCE, "file")


def test_a_bad_label_is_a_school_year_problem():
    # Calendar: BOARD_FILE, imported under a label that is no school year.
    with pytest.raises(CalendarFileError) as caught:
        school_year_from_ics(BOARD_FILE, board="test-board", label="2025-27", source=SOURCE)
    assert caught.value.problems[0].field == "school year"


def test_the_import_round_trips_through_a_schoolyear_file():
    # Calendar: BOARD_FILE, the 2025-26 board calendar above.
    year = import_ics(BOARD_FILE).school_year
    assert parse_school_year(format_school_year(year), "imported.schoolyear") == year


def test_a_board_calendar_counts_on_the_imported_year():
    # Calendar: BOARD_FILE: Fri 2025-10-10 is a PA day, Mon 2025-10-13 is
    # Thanksgiving, so one school day after Thu 2025-10-09 is Tue 2025-10-14;
    # the winter break runs Mon 2025-12-22 .. Fri 2026-01-02.
    calendar = BoardCalendar("test-board", [import_ics(BOARD_FILE).school_year])
    assert calendar.add(date(2025, 10, 9), 1) == date(2025, 10, 14)
    assert calendar.add(date(2025, 12, 19), 1) == date(2026, 1, 5)


def test_a_missing_dtend_or_a_duration_gives_one_day():
    # Calendar: 2025-26 feed, school 2025-09-02 .. 2026-06-26, a PA day Fri
    # 2025-10-10 with no DTEND (one day) and Easter Monday 2026-04-06 given as
    # DTSTART plus a one-day DURATION instead of a DTEND.
    data = ics(event("First day of school", date(2025, 9, 2)), event("Last day of school", date(2026, 6, 26)),
               event("PA Day", date(2025, 10, 10)),
               event("Easter Monday", date(2026, 4, 6), duration=timedelta(days=1)))
    entries = import_ics(data).school_year.entries
    assert [(e.first, e.last) for e in entries] == [(date(2025, 10, 10), date(2025, 10, 10)),
                                                    (date(2026, 4, 6), date(2026, 4, 6))]
