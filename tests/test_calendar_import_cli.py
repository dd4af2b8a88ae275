"""The doors a board calendar comes in by, on the command line: `schooldays load DIR`,
`schooldays import-ics` (panels, the Regulation 304 check, --force) and
`schooldays check`. Nothing is written or loaded quietly wrong or empty.

The .ics files are built here with the icalendar library."""
import json
from datetime import date, datetime

import pytest

from article33_helpers import RULES, d, deadline, ev
from school_calendar.board_calendar import BoardCalendar
from school_calendar.ics_import import school_year_from_ics
from test_ics_import import event, ics
from workflows.engine import replay


# A 2025-26 board calendar for both panels: school Tue 2025-09-02 to Fri 2026-06-26;
# PA days Fri Oct 10 (both panels), Mon Jan 26 (elementary only), Fri Jan 30 (secondary
# only); "No School for Students" Fri Nov 14 (a PA day); winter break Dec 22 - Jan 2;
# March break Mar 16 - 20; Easter Monday Apr 6.
BOTH_PANELS = ics(
    event("First Day of School", date(2025, 9, 2)),
    event("PA Day", date(2025, 10, 10)),
    event("Parent-Teacher Conferences - No School for Students", date(2025, 11, 14)),
    event("Winter Break", date(2025, 12, 20), date(2026, 1, 5)),
    event("PA Day - Elementary Only", date(2026, 1, 26)),
    event("PA Day - Secondary Only", date(2026, 1, 30)),
    event("March Break", date(2026, 3, 16), date(2026, 3, 21)),
    event("Easter Monday", date(2026, 4, 6)),
    event("Last Day of School", date(2026, 6, 26)),
)


@pytest.fixture
def ics_file(tmp_path):
    def write(data: bytes, name: str = "board.ics"):
        path = tmp_path / name
        path.write_bytes(data)
        return path
    return write


def import_args(path, out, *extra):
    return ["schooldays", "import-ics", str(path), "--board", "test-board", "--year", "2025-26", "--out", str(out),
            *extra]


# -------------------------------------------------------------------------------
# A title read by its meaning: "no school for students" is a PA day
# -------------------------------------------------------------------------------

def test_titles_read_by_meaning_no_school_for_students_is_a_pa_day_for_the_union_reply():
    # Calendar: BOTH_PANELS, elementary. A Board grievance filed Fri 2025-11-07; the Union
    # Local replies within 10 days under 33.01 c (PA days count): Mon 10 (1), Tue 11 (2),
    # Wed 12 (3), Thu 13 (4), Fri 14 (5, conferences: a PA day), Mon 17 (6) ... Fri 21 (10).
    # Read as a school holiday, Nov 14 would not count and the reply would be due Mon Nov 24.
    year = school_year_from_ics(BOTH_PANELS, board="test-board", label="2025-26", source="board.ics",
                                panel="elementary").school_year
    calendar = BoardCalendar("test-board", [year])
    events = [ev("occurrence", "2025-11-05"), ev("board_grievance_filed", "2025-11-07")]
    state = replay(RULES, calendar, "board", events, d("2025-11-10"))
    assert deadline(state, "union_reply").act_by == d("2025-11-21")


# -------------------------------------------------------------------------------
# Panels
# -------------------------------------------------------------------------------

def test_panels_a_file_that_marks_panels_stops_and_asks_for_one(cli, ics_file, tmp_path):
    out = tmp_path / "out.schoolyear"
    result = cli.invoke(args=import_args(ics_file(BOTH_PANELS), out))
    assert result.exit_code != 0
    assert "--panel" in result.output and not out.exists()


def test_panels_keep_the_chosen_panels_days_and_list_the_others_as_dropped(cli, ics_file, tmp_path):
    out = tmp_path / "out.schoolyear"
    result = cli.invoke(args=import_args(ics_file(BOTH_PANELS), out, "--panel", "secondary"))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "2026-01-30" in text and "2026-01-26" not in text
    assert "dropped: 2026-01-26 'PA Day - Elementary Only'" in result.stdout
    assert "passes the Regulation 304 check" in result.stdout


# -------------------------------------------------------------------------------
# A year is checked before it is written: never an empty year with exit status 0
# -------------------------------------------------------------------------------

# What an export whose every event went unread gives: only timed events.
ALL_TIMED = ics(event("Staff meeting", datetime(2025, 10, 8, 15, 30), datetime(2025, 10, 8, 16, 30)),
                event("Curriculum night", datetime(2025, 9, 18, 18, 0), datetime(2025, 9, 18, 20, 0)))


def test_a_year_that_fails_the_check_is_not_written(cli, ics_file, tmp_path):
    out = tmp_path / "out.schoolyear"
    result = cli.invoke(args=import_args(ics_file(ALL_TIMED), out, "--first-day", "2025-09-02",
                                         "--last-day", "2026-06-26"))
    assert result.exit_code == 1
    assert not out.exists()
    assert "FAILS" in result.stdout and "winter break" in result.stdout.lower()
    assert "empty year" in result.stderr and "Nothing written" in result.output
    assert "ignored: 2025-10-08 'Staff meeting': timed event" in result.stdout


def test_a_year_that_fails_the_check_is_written_only_when_forced(cli, ics_file, tmp_path):
    out = tmp_path / "out.schoolyear"
    result = cli.invoke(args=import_args(ics_file(ALL_TIMED), out, "--first-day", "2025-09-02",
                                         "--last-day", "2026-06-26", "--force"))
    assert result.exit_code == 0, result.output
    assert out.exists() and "despite the failed check (--force)" in result.stdout


# -------------------------------------------------------------------------------
# `schooldays load DIR`: a folder with nothing to load says so
# -------------------------------------------------------------------------------

def test_load_from_a_folder_with_no_schoolyear_files_fails_and_says_why(cli, tmp_path):
    result = cli.invoke(args=["schooldays", "load", str(tmp_path)])
    assert result.exit_code != 0
    assert "holds no <board>/<year>.schoolyear files" in result.output


def test_load_from_the_folder_above_boards_names_the_boards_folder(cli, tmp_path):
    (tmp_path / "boards" / "test-board").mkdir(parents=True)
    result = cli.invoke(args=["schooldays", "load", str(tmp_path)])
    assert result.exit_code != 0
    assert f"Give {tmp_path / 'boards'} instead" in result.output


def test_load_reports_the_check_of_every_year(cli):
    result = cli.invoke(args=["schooldays", "load", "--by", "test"])
    assert result.exit_code == 0, result.output
    assert "hdsb-secondary 2025-26: passes the Regulation 304 check: 195 school days" in result.stdout
    assert "2026-06-26 (instructional day" in result.stderr


# -------------------------------------------------------------------------------
# `schooldays check`
# -------------------------------------------------------------------------------

def test_check_passes_the_shipped_years_and_gives_their_figures(cli):
    result = cli.invoke(args=["schooldays", "check", "--board", "hdsb-elementary", "--json"])
    assert result.exit_code == 0, result.output
    [year] = json.loads(result.stdout)
    assert (year["school_year"], year["ok"], year["school_days"], year["pa_days"]) == ("2025-26", True, 194, 7)
    every = cli.invoke(args=["schooldays", "check"])
    assert every.exit_code == 0 and every.stdout.count("passes the Regulation 304 check") == 5


def test_check_fails_a_stored_year_with_a_problem(cli, tmp_path):
    # A 2027-28 year for a new board, typed without its March break.
    folder = tmp_path / "boards" / "test-board"
    folder.mkdir(parents=True)
    (folder / "2027-28.schoolyear").write_text(
        "board: test-board\nschool year: 2027-28\nfirst day: 2027-09-07\nlast day: 2028-06-29\n"
        "verified: no\nsource: test\n\ndays:\n2027-12-20 .. 2027-12-31 | break | Winter break\n"
        "2028-04-17 | school holiday | Easter Monday\n")
    assert cli.invoke(args=["schooldays", "load", str(tmp_path / "boards")]).exit_code == 0
    result = cli.invoke(args=["schooldays", "check", "--board", "test-board", "--year", "2027-28"])
    assert result.exit_code == 1
    assert "No mid-winter (March) break" in result.stdout
    missing = cli.invoke(args=["schooldays", "check", "--board", "test-board", "--year", "2030-31"])
    assert missing.exit_code != 0 and "No 2030-31 school year is loaded for board 'test-board'" in missing.output
