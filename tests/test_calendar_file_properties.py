"""Property tests of the .schoolyear format (calendar/calendar_file.py).

- Any text, and any mutation of a shipped file, either reads as a school year or
  raises CalendarFileError whose every problem names a field, a fix, and a line
  that exists in the text (or no line, for a header line that is missing).
  Never another exception: a local edits these files by hand.
- A valid school year written by format_school_year (what `schooldays export`,
  `schooldays import-ics` and the archive write) reads back equal, whatever the
  names of its days and its sources say: a name is free text from the closure
  form and the API.
"""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from school_calendar.calendar_file import BOARDS_DIR, format_school_year, parse_school_year
from school_calendar.days import ClosureKind, DayType
from school_calendar.errors import CalendarFileError
from school_calendar.school_year import CalendarEntry, SchoolYear, statutory_holiday, validate

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SHIPPED = sorted(BOARDS_DIR.glob("*/*.schoolyear"))


def parses_or_names_the_problem(text: str) -> None:
    lines = text.splitlines()
    try:
        year = parse_school_year(text, "fuzz.schoolyear")
    except CalendarFileError as error:
        assert error.problems, "an error with no problem in it tells the user nothing"
        for problem in error.problems:
            assert problem.field and problem.message and problem.fix
            assert problem.line is None or 1 <= problem.line <= len(lines), problem
        return
    assert isinstance(year, SchoolYear)


# -- arbitrary and mutated text ------------------------------------------------------

@FAST
@given(st.text(max_size=400))
def test_any_text_reads_or_names_each_problem(text):
    parses_or_names_the_problem(text)


# Fragments a hand-edited file is made of, so generated lines look nearly right.
FRAGMENTS = st.sampled_from(["board:", "school year:", "first day:", "last day:", "verified:", "closures count:",
                             "source:", "days:", "|", "..", "#", ":", "2025-", "2026-02-30", "9999-12-31", "0000-01-01",
                             "2025-10-10", "2026-06-30", "pa day", "closure:", "closure: weather", "break",
                             "unconfirmed", "yes", "no", " ", "\t", "\r", "\x00", "\u2028", "é"])
NEAR_LINES = st.lists(FRAGMENTS | st.text(max_size=6), min_size=1, max_size=6).map("".join)


@st.composite
def mutated_shipped_file(draw) -> str:
    lines = draw(st.sampled_from(SHIPPED)).read_text(encoding="utf-8").splitlines()
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines)))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "replace", "cut"]))
        if action == "insert" or not lines:
            lines.insert(at, draw(NEAR_LINES))
            continue
        at = min(at, len(lines) - 1)
        if action == "delete":
            del lines[at]
        elif action == "duplicate":
            lines.insert(at, lines[at])
        elif action == "replace":
            lines[at] = draw(NEAR_LINES)
        else:  # cut the line short, or splice text into it
            cut = draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:cut] + draw(st.sampled_from(["", "|", "..", "#", "x"])) + lines[at][cut + 1:]
    return "\n".join(lines) + "\n"


@FAST
@given(mutated_shipped_file())
def test_a_mutated_shipped_file_reads_or_names_each_problem(text):
    parses_or_names_the_problem(text)


# -- writing then reading ------------------------------------------------------------

NAMES = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30).map(str.strip)
# A source is one or more lines, each as a line of a file holds it (stripped, not empty).
SOURCES = st.lists(NAMES.map(lambda t: " ".join(t.split())).filter(bool), min_size=1, max_size=3).map("\n".join)
SLUGS = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)


def _weekdays(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)
            if (first + timedelta(days=i)).weekday() < 5 and not statutory_holiday(first + timedelta(days=i))]


@st.composite
def school_years(draw) -> SchoolYear:
    start = draw(st.integers(2020, 2030))
    first, last = date(start, 9, 2) + timedelta(draw(st.integers(0, 5))), date(start + 1, 6, 26)
    days = sorted(draw(st.lists(st.sampled_from(_weekdays(first, last)), max_size=6, unique=True)))
    entries = tuple(_entry(draw, day) for day in days)
    year = SchoolYear(board=draw(SLUGS), label=f"{start}-{(start + 1) % 100:02d}", first_day=first, last_day=last,
                      entries=entries, source=draw(SOURCES), verified=draw(st.booleans()),
                      closures_count=draw(st.booleans()), board_name=draw(NAMES),
                      unconfirmed_fields=frozenset(draw(st.sets(st.sampled_from(["first day", "last day"])))))
    validate(year)  # generated to be valid: one entry a weekday, none on a holiday
    return year


def _entry(draw, day: date) -> CalendarEntry:
    day_type = draw(st.sampled_from([DayType.PA_DAY, DayType.SPLIT_DAY, DayType.SCHOOL_HOLIDAY, DayType.CLOSURE]))
    kind = draw(st.sampled_from(list(ClosureKind))) if day_type is DayType.CLOSURE else None
    return CalendarEntry(day, day, day_type, draw(NAMES), kind, unconfirmed=draw(st.booleans()))


@FAST
@given(school_years())
def test_a_written_school_year_reads_back_equal(year):
    assert parse_school_year(format_school_year(year), "again") == year


def test_a_name_with_the_format_s_own_marks_survives_export_and_import():
    # Regression: a closure named "Snow day #2 | east" (typed in the closure form) was written
    # as is: '#' cut the name short on reading and '|' made the exported file unreadable, so
    # `schooldays export` and an archive restore lost or refused the board's calendar.
    year = SchoolYear(board="b", label="2025-26", first_day=date(2025, 9, 2), last_day=date(2026, 6, 26),
                      entries=(CalendarEntry(date(2026, 2, 2), date(2026, 2, 2), DayType.CLOSURE,
                                             "Snow day #2 | east \\ west", ClosureKind.WEATHER),),
                      source="memo #12 | board", verified=False)
    again = parse_school_year(format_school_year(year), "again")
    assert again.entries[0].name == "Snow day #2 | east \\ west" and again.source == "memo #12 | board"
