"""Reading .schoolyear files: a bad file names its file, line, field and fix,
and nothing of it (or of its board directory) is loaded."""
from datetime import date

import pytest

from school_calendar.calendar_file import format_school_year, parse_school_year, read_board_directory
from school_calendar.days import ClosureKind, DayType
from school_calendar.errors import CalendarFileError

HEADER = """\
board: test-board
school year: 2025-26
first day: 2025-09-02
last day: 2026-06-26
verified: no
source: written for the tests
"""


def parse(days: str, header: str = HEADER):
    return parse_school_year(header + "days:\n" + days, "test.schoolyear")


def problems_of(days: str, header: str = HEADER):
    with pytest.raises(CalendarFileError) as caught:
        parse(days, header)
    return caught.value.problems


def test_a_well_formed_file_reads_every_entry():
    year = parse("2025-10-10 | pa day | PA day\n"
                 "2025-12-22 .. 2026-01-02 | break | Winter break\n"
                 "2026-02-02 | closure: weather | Snow day | unconfirmed\n")
    assert year.label == "2025-26" and year.first_day == date(2025, 9, 2) and not year.verified
    assert [(e.first, e.last, e.type) for e in year.entries] == [
        (date(2025, 10, 10), date(2025, 10, 10), DayType.PA_DAY),
        (date(2025, 12, 22), date(2026, 1, 2), DayType.BREAK),
        (date(2026, 2, 2), date(2026, 2, 2), DayType.CLOSURE),
    ]
    assert year.entries[2].closure_kind is ClosureKind.WEATHER and year.entries[2].unconfirmed


def test_a_pa_day_on_a_weekend_names_the_line_and_the_fix():
    # 2025-10-11 is a Saturday.
    [problem] = problems_of("2025-10-11 | pa day | PA day\n")
    assert (problem.source, problem.line, problem.field) == ("test.schoolyear", 8, "date")
    assert "2025-10-11 is a Saturday" in problem.message
    assert "weekday" in problem.fix


def test_a_day_typed_twice_names_both_lines():
    [problem] = problems_of("2025-10-10 | pa day | PA day\n2025-10-10 | school holiday | Board holiday\n")
    assert problem.line == 9 and "line 8" in problem.message and "same day" in problem.message


def test_overlapping_ranges_are_refused():
    [problem] = problems_of("2025-12-22 .. 2026-01-02 | break | Winter break\n"
                            "2026-01-02 .. 2026-01-05 | break | Extended break\n")
    assert problem.line == 9 and "overlapping" in problem.message


def test_a_closure_may_cover_a_pa_day_and_wins_it():
    year = parse("2025-11-14 | pa day | PA day\n2025-11-10 .. 2025-11-21 | closure: strike | ETFO strike\n")
    [day] = [d for d in year.typed_days() if d.date == date(2025, 11, 14)]
    assert day.type is DayType.CLOSURE and day.reason == "closure: strike (ETFO strike)"


def test_a_date_outside_the_school_year_is_refused():
    [problem] = problems_of("2026-06-29 | pa day | After the last day\n")
    assert problem.line == 8 and "outside the 2025-26 school year" in problem.message


def test_a_pa_day_on_a_statutory_holiday_is_refused():
    # 2025-10-13 is Thanksgiving Day (calendar/holidays.py).
    [problem] = problems_of("2025-10-13 | pa day | PA day\n")
    assert "statutory holiday (Thanksgiving Day)" in problem.message


def test_every_problem_is_reported_at_once():
    problems = problems_of("2025-13-01 | pa day | Bad month\n"
                           "2025-10-10 | holiday-ish | Bad type\n"
                           "2025-10-17 | closure | No kind\n"
                           "just words\n")
    assert [(p.line, p.field) for p in problems] == [(8, "date"), (9, "type"), (10, "type"), (11, "day")]


def test_missing_and_malformed_header_lines_are_named():
    problems = problems_of("", header="board: test-board\nschool year: 2025-26\nfirst day: 2025-09-02\n"
                                      "verified: maybe\nsource: x\ncolour: blue\n")
    fields = {(p.line, p.field) for p in problems}
    assert (4, "verified") in fields and (6, "header") in fields and (None, "last day") in fields


def test_formatting_then_reading_gives_the_same_year():
    year = parse("2025-10-10 | pa day | PA day\n2026-03-16 .. 2026-03-20 | break | March break\n"
                 "2026-02-02 | closure: weather | Snow day | unconfirmed\n")
    assert parse_school_year(format_school_year(year), "again") == year


def test_one_bad_file_stops_the_whole_board_directory_from_loading(tmp_path):
    board = tmp_path / "test-board"
    board.mkdir()
    (board / "2025-26.schoolyear").write_text(HEADER + "days:\n2025-10-10 | pa day | PA day\n")
    bad = HEADER.replace("2025-26", "2026-27").replace("2025-09-02", "2026-09-08").replace("2026-06-26", "2027-06-25")
    (board / "2026-27.schoolyear").write_text(bad + "days:\n2026-10-10 | pa day | On a Saturday\n")
    with pytest.raises(CalendarFileError) as caught:
        read_board_directory(tmp_path)
    [problem] = caught.value.problems
    assert problem.source.endswith("2026-27.schoolyear") and problem.line == 8


def test_a_file_must_be_named_for_its_board_and_year(tmp_path):
    board = tmp_path / "boards" / "other-board"
    board.mkdir(parents=True)
    (board / "2025-26.schoolyear").write_text(HEADER + "days:\n")
    with pytest.raises(CalendarFileError) as caught:
        read_board_directory(tmp_path / "boards")
    assert "boards/test-board/2025-26.schoolyear" in caught.value.problems[0].fix
