"""Importing a board's published .ics: the days Article 33 counting needs are
kept, every other event is listed with its reason, and a wrong file names the
event, its date and the fix, with nothing imported.

Small cases are built here (with the icalendar library, or as raw text where
the way a tool writes the bytes is the point); whole exports as Outlook,
Google Calendar, a board website's events plugin and a conseil scolaire's site
write them are in tests/fixtures/ics/."""
from datetime import date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from school_calendar.board_calendar import BoardCalendar
from school_calendar.calendar_file import format_school_year, parse_school_year
from school_calendar.days import ClosureKind, DayType, Unit
from school_calendar.errors import CalendarFileError
from school_calendar.ics_import import PANELS, STATUTORY_REASON, school_year_from_ics
from school_calendar.school_year import CalendarEntry

FIXTURES = Path(__file__).parent / "fixtures" / "ics"

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
        CalendarEntry(date(2025, 11, 14), date(2025, 11, 14), DayType.PA_DAY, "P.A. Day #2 | Provincial priorities"),
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
    assert (imported.read, len(imported.typed), len(imported.dropped)) == (12, 7, 0)


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


# --- Raw iCalendar text, written the way each tool writes it ------------------------------

GIVEN = {"first_day": date(2025, 9, 2), "last_day": date(2026, 6, 26)}
EASTERN = """BEGIN:VTIMEZONE
TZID:Eastern Standard Time
BEGIN:STANDARD
DTSTART:16011104T020000
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010311T020000
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
END:DAYLIGHT
END:VTIMEZONE
"""


def vevent(summary: str, *lines: str, uid: str | None = None) -> str:
    """One VEVENT as text: its SUMMARY, then its date lines (and anything else) as given."""
    body = "\n".join(lines)
    return f"BEGIN:VEVENT\nUID:{uid or abs(hash((summary, body)))}@test\nSUMMARY:{summary}\n{body}\nEND:VEVENT\n"


def raw(*events: str, header: str = "") -> bytes:
    """A VCALENDAR with CRLF line ends, as RFC 5545 (and Outlook, Google, most plugins) write it."""
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{header}{EASTERN}{''.join(events)}END:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode("utf-8")


def lines_of(imported) -> list[str]:
    return imported.typed + imported.ignored + imported.dropped


@pytest.mark.parametrize("lines, first, last", [
    (["DTSTART;VALUE=DATE:20251010", "DTEND;VALUE=DATE:20251011"], date(2025, 10, 10), date(2025, 10, 10)),
    (["DTSTART;TZID=America/Toronto;VALUE=DATE:20251010"], date(2025, 10, 10), date(2025, 10, 10)),
    (["DTSTART;TZID=America/Toronto;VALUE=DATE:20251009", "DTEND;TZID=America/Toronto;VALUE=DATE:20251011"],
     date(2025, 10, 9), date(2025, 10, 10)),
    (["DTSTART:20251010T000000", "DTEND:20251011T000000"], date(2025, 10, 10), date(2025, 10, 10)),
    (["DTSTART;TZID=Eastern Standard Time:20251010T000000", "DTEND;TZID=Eastern Standard Time:20251011T000000"],
     date(2025, 10, 10), date(2025, 10, 10)),
    (["DTSTART;TZID=America/Toronto:20251009T000000", "DTEND;TZID=America/Toronto:20251011T000000"],
     date(2025, 10, 9), date(2025, 10, 10)),
    (["DTSTART:20251010T040000Z", "DTEND:20251011T040000Z"], date(2025, 10, 10), date(2025, 10, 10)),
    (["DTSTART;TZID=Eastern Standard Time:20251010T000000", "DTEND;TZID=Eastern Standard Time:20251011T000000",
      "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE"], date(2025, 10, 10), date(2025, 10, 10)),
    (["DTSTART:20251010T040000Z", "DTEND:20251011T040000Z", "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE"],
     date(2025, 10, 10), date(2025, 10, 10)),
    (["DTSTART;VALUE=DATE:20251010"], date(2025, 10, 10), date(2025, 10, 10)),
    (["DTSTART:20251010T000000"], date(2025, 10, 10), date(2025, 10, 10)),
    (["DTSTART;VALUE=DATE:20251009", "DURATION:P2D"], date(2025, 10, 9), date(2025, 10, 10)),
    (["DTSTART;TZID=America/Toronto:20251010T000000", "DURATION:P1D"], date(2025, 10, 10), date(2025, 10, 10)),
], ids=["value-date", "date-with-tzid", "dates-with-tzid-two-days", "floating-midnights", "windows-tzid-midnights",
        "tzid-midnights-two-days", "utc-toronto-midnights", "microsoft-all-day", "microsoft-all-day-in-utc",
        "date-without-dtend", "midnight-without-dtend", "date-duration", "midnight-duration"])
def test_an_all_day_event_is_read_however_its_tool_writes_it(lines, first, last):
    # Calendar: a 2025-26 year given as Tue 2025-09-02 .. Fri 2026-06-26 with one PA day (or two,
    # Thu 2025-10-09 and Fri 2025-10-10), written each way Outlook, Exchange, Google or a plugin writes it.
    imported = import_ics(raw(vevent("PA Day", *lines)), **GIVEN)
    assert imported.school_year.entries == (CalendarEntry(first, last, DayType.PA_DAY, "PA Day"),)
    assert imported.ignored == [] and imported.read == 1


@pytest.mark.parametrize("lines, day", [
    (["DTSTART;TZID=America/Toronto:20251120T190000", "DTEND;TZID=America/Toronto:20251120T210000"], "2025-11-20"),
    (["DTSTART:20251121T000000Z", "DTEND:20251121T020000Z"], "2025-11-20"),  # 7 pm in Toronto, midnight in UTC
    (["DTSTART;TZID=Eastern Standard Time:20251120T190000", "DTEND;TZID=Eastern Standard Time:20251120T210000",
      "X-MICROSOFT-CDO-ALLDAYEVENT:FALSE"], "2025-11-20"),
], ids=["tzid", "utc", "microsoft-not-all-day"])
def test_a_timed_event_stays_ignored_as_timed(lines, day):
    # Calendar: 2025-26, given days; a 7 pm PA-day planning meeting is an evening, not a day off.
    imported = import_ics(raw(vevent("PA Day planning interviews", *lines)), **GIVEN)
    assert imported.school_year.entries == ()
    assert imported.ignored == [f"{day} 'PA Day planning interviews': timed event, not an all-day event"]


RELATIVE_REASON = "names a day before or after a break or holiday, not a day off"


@pytest.mark.parametrize("title, becomes", [
    ("Parent-Teacher Conferences - No School for Students", "PA day"),
    ("P.A. Day", "PA day"), ("PD Day", "PA day"), ("Professional Development Day", "PA day"),
    ("Professional Activity Day", "PA day"), ("Provincial Priority Day", "PA day"), ("Staff Learning Day", "PA day"),
    ("Journée pédagogique", "PA day"), ("JOURNEE PEDAGOGIQUE", "PA day"), ("PA Day after March Break", "PA day"),
    ("Winter Holiday", "break"), ("Christmas Break", "break"), ("Holiday Break", "break"),
    ("Mid-Winter Break", "break"), ("Spring Break", "break"), ("Easter Break", "break"),
    ("Winter Break - classes resume January 5", "break"), ("Congé des Fêtes", "break"),
    ("Vacances de Noël", "break"), ("Vacances d'hiver", "break"), ("Relâche de mars", "break"),
    ("Semaine de relâche", "break"), ("Congé de mars", "break"),
    ("Easter Monday", "school holiday"), ("Lundi de Pâques", "school holiday"), ("No School", "school holiday"),
    ("Board Holiday", "school holiday"), ("Congé", "school holiday"),
    ("Schools Closed", "closure: other"), ("School closure", "closure: other"),
    ("Classes cancelled", "closure: other"), ("Cancelled", "closure: other"),
    ("Snow Day", "closure: weather"), ("Storm day - all schools closed", "closure: weather"),
    ("Weather Day", "closure: weather"), ("Fermeture des écoles – tempête", "closure: weather"),
    ("Tempête – écoles fermées", "closure: weather"), ("Fermeture des écoles (neige)", "closure: weather"),
    ("Schools closed - ETFO strike", "closure: strike"), ("Écoles fermées – grève", "closure: strike"),
    ("Schools closed: labour disruption", "closure: strike"), ("Schools closed (lock-out)", "closure: lock-out"),
    ("Labour Day", STATUTORY_REASON), ("Fête du Travail", STATUTORY_REASON), ("Thanksgiving", STATUTORY_REASON),
    ("Action de grâce", STATUTORY_REASON), ("Christmas Day", STATUTORY_REASON), ("Noël", STATUTORY_REASON),
    ("Boxing Day", STATUTORY_REASON), ("New Year's Day", STATUTORY_REASON), ("Jour de l'An", STATUTORY_REASON),
    ("Family Day", STATUTORY_REASON), ("Jour de la Famille", STATUTORY_REASON), ("Good Friday", STATUTORY_REASON),
    ("Vendredi saint", STATUTORY_REASON), ("Victoria Day", STATUTORY_REASON), ("Fête de la Reine", STATUTORY_REASON),
    ("Canada Day", STATUTORY_REASON), ("Thanksgiving Day - Schools Closed", STATUTORY_REASON),
    ("Classes resume after winter break", RELATIVE_REASON), ("Last day of school before March break", RELATIVE_REASON),
    ("Retour en classe après le congé", RELATIVE_REASON), ("Winter break ends", RELATIVE_REASON),
    ("Classes resume after Thanksgiving", RELATIVE_REASON), ("Rentrée après le congé des Fêtes", RELATIVE_REASON),
    ("Report cards go home", "not a day type"), ("Remembrance Day", "not a day type"),
    ("Lunar New Year", "not a day type"), ("No school uniform day", "not a day type"), ("Spa day", "not a day type"),
    ("Split PA day", "split day: board calendars word these too many ways to import; add it to the .schoolyear "
                     "file by hand"),
    ("PA Day cancelled", "the title says this day off is cancelled; check whether it became a school day"),
    ("Buses cancelled", "buses cancelled or schools open: not a closure"),
    ("Snow day - buses cancelled, schools open", "buses cancelled or schools open: not a closure"),
])
def test_titles_are_classified_by_meaning_in_english_and_french(title, becomes):
    # Calendar: 2025-26, given days; one all-day event on Wed 2025-10-15, an ordinary school day.
    imported = import_ics(raw(vevent(title.replace(",", "\\,"), "DTSTART;VALUE=DATE:20251015")), **GIVEN)
    assert lines_of(imported) == [f"2025-10-15 '{title}': {becomes}"]
    closures = [e.closure_kind for e in imported.school_year.entries if e.type is DayType.CLOSURE]
    assert closures == ([ClosureKind(becomes.removeprefix("closure: "))] if becomes.startswith("closure") else [])


@pytest.mark.parametrize("title", ["First day of school", "First Day of Classes", "First day of instruction",
                                   "School starts", "Premier jour d'école", "Premier jour de classe",
                                   "Rentrée scolaire"])
def test_a_first_day_title_gives_the_first_day(title):
    # Calendar: 2025-26, first day Wed 2025-09-03 from the file, last day Fri 2026-06-26 given.
    imported = import_ics(raw(vevent(title, "DTSTART;VALUE=DATE:20250903")), last_day=date(2026, 6, 26))
    assert imported.school_year.first_day == date(2025, 9, 3)
    assert imported.typed == [f"2025-09-03 '{title}': first day of school"]


@pytest.mark.parametrize("title", ["Last day of school", "Last day of classes", "Last day of instruction",
                                   "Dernier jour d'école", "Dernier jour de classe"])
def test_a_last_day_title_gives_the_last_day(title):
    # Calendar: 2025-26, first day Tue 2025-09-02 given, last day Thu 2026-06-25 from the file.
    imported = import_ics(raw(vevent(title, "DTSTART;VALUE=DATE:20260625")), first_day=date(2025, 9, 2))
    assert imported.school_year.last_day == date(2026, 6, 25)
    assert imported.typed == [f"2026-06-25 '{title}': last day of school"]


@pytest.mark.parametrize("title, day, which", [
    ("PD day – last day of school", date(2026, 6, 29), "last day"),
    ("PA Day - First Day of School", date(2025, 9, 2), "first day"),
    ("Journée pédagogique – dernier jour d'école", date(2026, 6, 29), "last day"),
])
def test_a_pa_day_that_is_the_first_or_last_day_is_both(title, day, which):
    # Calendar: 2025-26, first day Tue 2025-09-02 and last day Mon 2026-06-29 (a PA day); the
    # other end is given.
    given = {"last_day": date(2026, 6, 26)} if which == "first day" else {"first_day": date(2025, 9, 2)}
    imported = import_ics(raw(vevent(title, f"DTSTART;VALUE=DATE:{day:%Y%m%d}")), **given)
    year = imported.school_year
    assert (year.first_day if which == "first day" else year.last_day) == day
    assert year.entries == (CalendarEntry(day, day, DayType.PA_DAY, title),)
    assert imported.typed == [f"{day} '{title}': PA day, {which} of school"]


def test_a_long_hostile_title_is_classified_in_linear_time_with_its_reason():
    # Calendar: 2025-26, given days; two 56 KB titles of "before " repeated, the shape that made a
    # backtracking pattern quadratic. With a break named at the end it is relative; without, not a day type.
    filler = "before " * 8000
    data = raw(vevent(f"Last day of school {filler}March break", "DTSTART;VALUE=DATE:20260313"),
               vevent(filler, "DTSTART;VALUE=DATE:20260312"))
    imported = import_ics(data, **GIVEN)
    assert [line.rsplit("': ", 1)[1] for line in imported.ignored] == ["not a day type", RELATIVE_REASON]
    assert all(len(line) < 300 for line in imported.ignored)  # names are cut to 200 characters


@pytest.mark.parametrize("fold", [b"\r\n ", b"\r\n\t", b"\n "], ids=["crlf-space", "crlf-tab", "lf-space"])
def test_a_summary_folded_inside_a_utf8_character_reads_whole(fold):
    # Calendar: 2025-26, given days; a bilingual PA day Fri 2025-10-10 whose SUMMARY is folded
    # between the two octets of the "é" of "pédagogique" (RFC 5545 folds octets, not characters).
    summary = "SUMMARY:PA Day – Journée pédagogique".encode("utf-8")
    cut = summary.index("pédagogique".encode("utf-8")) + 2  # after "p" and the first octet of "é"
    event = b"BEGIN:VEVENT\r\nUID:folded@test\r\n" + summary[:cut] + fold + summary[cut:] + \
        b"\r\nDTSTART;VALUE=DATE:20251010\r\nEND:VEVENT\r\n"
    data = raw("").replace(b"END:VCALENDAR", event + b"END:VCALENDAR")
    [entry] = import_ics(data, **GIVEN).school_year.entries
    assert entry.name == "PA Day – Journée pédagogique"


@pytest.mark.parametrize("encode", [
    lambda text: text.replace("SUMMARY:", "SUMMARY;CHARSET=windows-1252:").encode("cp1252"),
    lambda text: text.encode("cp1252"),
    lambda text: text.encode("utf-16"),
    lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
], ids=["declared-charset", "undeclared-windows-1252", "utf-16-with-bom", "utf-8-with-bom"])
def test_a_file_is_decoded_with_its_charset(encode):
    # Calendar: 2025-26, given days; the winter break Mon 2025-12-22 .. Fri 2026-01-02 named in French.
    text = raw(vevent("Congé des Fêtes", "DTSTART;VALUE=DATE:20251222", "DTEND;VALUE=DATE:20260103")).decode("utf-8")
    [entry] = import_ics(encode(text), **GIVEN).school_year.entries
    assert (entry.name, entry.type, entry.first, entry.last) == ("Congé des Fêtes", DayType.BREAK, date(2025, 12, 22),
                                                                 date(2026, 1, 2))


def test_recurring_events_are_expanded_with_their_exceptions():
    # Calendar: 2025-26, given days. "PA Day" repeats by RDATE on Fri 2025-10-10, Fri 2025-11-28 and
    # Fri 2026-02-13 (the series starts Fri 2025-09-26, excluded by EXDATE); a weekly 3:30 pm staff meeting
    # runs Wednesdays 2025-09-10 .. 2025-10-01 (4 timed occurrences, one moved to Thu 2025-09-18).
    data = raw(
        vevent("PA Day", "DTSTART;VALUE=DATE:20250926", "RDATE;VALUE=DATE:20251010,20251128,20260213",
               "EXDATE;VALUE=DATE:20250926", uid="pa-series"),
        vevent("Staff meeting", "DTSTART;TZID=America/Toronto:20250910T153000", "DURATION:PT1H",
               "RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=WE", uid="staff"),
        vevent("Staff meeting (moved)", "RECURRENCE-ID;TZID=America/Toronto:20250917T153000",
               "DTSTART;TZID=America/Toronto:20250918T153000", "DURATION:PT1H", uid="staff"))
    imported = import_ics(data, **GIVEN)
    assert [(e.first, e.type) for e in imported.school_year.entries] == [
        (date(2025, 10, 10), DayType.PA_DAY), (date(2025, 11, 28), DayType.PA_DAY), (date(2026, 2, 13), DayType.PA_DAY)]
    assert imported.ignored == [
        "2025-09-10 'Staff meeting': timed event, not an all-day event",
        "2025-09-18 'Staff meeting (moved)': timed event, not an all-day event",
        "2025-09-24 'Staff meeting': timed event, not an all-day event",
        "2025-10-01 'Staff meeting': timed event, not an all-day event"]
    assert imported.read == 7


def test_a_yearly_all_day_series_gives_its_occurrence_in_the_school_year():
    # Calendar: 2025-26, given days; an Outlook yearly all-day series (midnight to midnight, Outlook's
    # all-day flag): a board holiday on the second Monday of November since 2019 gives Mon 2025-11-10.
    data = raw(vevent("Board Holiday", "DTSTART;TZID=Eastern Standard Time:20191111T000000",
                      "DTEND;TZID=Eastern Standard Time:20191112T000000", "RRULE:FREQ=YEARLY;BYDAY=2MO;BYMONTH=11",
                      "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE"))
    imported = import_ics(data, **GIVEN)
    assert imported.school_year.entries == (
        CalendarEntry(date(2025, 11, 10), date(2025, 11, 10), DayType.SCHOOL_HOLIDAY, "Board Holiday"),)
    assert imported.read == 1


def test_cancelled_events_are_skipped_and_listed():
    # Calendar: 2025-26, given days; a PA day Fri 2025-11-14 the board cancelled (STATUS:CANCELLED), and
    # one cancelled occurrence (Fri 2025-12-05) of a PA-day series that otherwise stands (Fri 2025-11-21).
    data = raw(vevent("PA Day", "DTSTART;VALUE=DATE:20251114", "STATUS:CANCELLED"),
               vevent("PA Day", "DTSTART;VALUE=DATE:20251121", "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=2", uid="s"),
               vevent("PA Day", "RECURRENCE-ID;VALUE=DATE:20251205", "DTSTART;VALUE=DATE:20251205",
                      "STATUS:CANCELLED", uid="s"))
    imported = import_ics(data, **GIVEN)
    assert [e.first for e in imported.school_year.entries] == [date(2025, 11, 21)]
    assert imported.ignored == ["2025-11-14 'PA Day': cancelled (STATUS:CANCELLED)",
                                "2025-12-05 'PA Day': cancelled (STATUS:CANCELLED)"]
    assert imported.read == 3


def test_multi_day_events_span_their_days():
    # Calendar: 2025-26, given days; PA days Thu 2025-10-09 .. Fri 2025-10-10, and schools closed
    # Wed 2026-02-04 .. Mon 2026-02-09 (a closure may run over its weekend; published to Tue 2026-02-10 exclusive).
    data = raw(vevent("PA Days", "DTSTART;VALUE=DATE:20251009", "DTEND;VALUE=DATE:20251011"),
               vevent("Schools closed - ice storm", "DTSTART;VALUE=DATE:20260204", "DTEND;VALUE=DATE:20260210"))
    assert import_ics(data, **GIVEN).school_year.entries == (
        CalendarEntry(date(2025, 10, 9), date(2025, 10, 10), DayType.PA_DAY, "PA Days"),
        CalendarEntry(date(2026, 2, 4), date(2026, 2, 9), DayType.CLOSURE, "Schools closed - ice storm",
                      ClosureKind.WEATHER))


def test_a_closure_may_lie_over_a_pa_day():
    # Calendar: 2025-26, given days; Fri 2025-10-10 is a PA day, and a snow day closes the board that day too.
    data = raw(vevent("PA Day", "DTSTART;VALUE=DATE:20251010"), vevent("Snow day", "DTSTART;VALUE=DATE:20251010"))
    assert [e.type for e in import_ics(data, **GIVEN).school_year.entries] == [DayType.PA_DAY, DayType.CLOSURE]


def test_merged_feeds_that_repeat_a_day_keep_one_entry():
    # Calendar: 2025-26, given days; an elementary and a secondary feed merged: both publish the PA day
    # Fri 2025-10-10 and the winter break, one as Sat 2025-12-20 .. Sun 2026-01-04, one as its weekdays.
    data = raw(vevent("PA Day", "DTSTART;VALUE=DATE:20251010"),
               vevent("PA Day", "DTSTART;VALUE=DATE:20251010"),
               vevent("Winter Break", "DTSTART;VALUE=DATE:20251220", "DTEND;VALUE=DATE:20260105"),
               vevent("Winter Holidays", "DTSTART;VALUE=DATE:20251222", "DTEND;VALUE=DATE:20260103"))
    imported = import_ics(data, **GIVEN)
    assert [(e.first, e.last) for e in imported.school_year.entries] == [
        (date(2025, 10, 10), date(2025, 10, 10)), (date(2025, 12, 22), date(2026, 1, 2))]
    assert imported.ignored == ["2025-10-10 'PA Day': the same PA day as 'PA Day'",
                                "2025-12-22 .. 2026-01-02 'Winter Holidays': the same break as 'Winter Break'"]


@pytest.mark.parametrize("marked, for_panel", [
    (vevent("PA Day - Secondary Only", "DTSTART;VALUE=DATE:20260130"), "secondary"),
    (vevent("Elementary PA Day", "DTSTART;VALUE=DATE:20260130"), "elementary"),
    (vevent("PA Day (Elem)", "DTSTART;VALUE=DATE:20260130"), "elementary"),
    (vevent("PA Day – Sec.", "DTSTART;VALUE=DATE:20260130"), "secondary"),
    (vevent("Journée pédagogique – secondaire seulement", "DTSTART;VALUE=DATE:20260130"), "secondary"),
    (vevent("Journée pédagogique – élémentaire", "DTSTART;VALUE=DATE:20260130"), "elementary"),
    (vevent("PA Day", "DTSTART;VALUE=DATE:20260130", "CATEGORIES:Secondary,PA Days"), "secondary"),
    (vevent("PA Day", "DTSTART;VALUE=DATE:20260130", "DESCRIPTION:<p>For <b>elementary</b> schools only.</p>"),
     "elementary"),
    (vevent("PA Day", "DTSTART;VALUE=DATE:20260130",
            "DESCRIPTION:Secondary schools only. Elementary classes as usual."), "secondary"),
], ids=["secondary-only", "elementary-pa-day", "elem", "sec", "secondaire-seulement", "elementaire", "categories",
        "html-description", "description-naming-both"])
def test_a_panel_marked_day_is_kept_for_its_panel_and_dropped_for_the_other(marked, for_panel):
    # Calendar: 2025-26, given days; a PA day for all schools Fri 2025-10-10, one for all schools
    # "elementary and secondary" Fri 2025-11-28, and one marked for one panel Fri 2026-01-30.
    data = raw(vevent("PA Day", "DTSTART;VALUE=DATE:20251010"),
               vevent("PA Day - elementary and secondary", "DTSTART;VALUE=DATE:20251128"), marked)
    for panel in PANELS:
        imported = import_ics(data, panel=panel, **GIVEN)
        days = [e.first for e in imported.school_year.entries]
        if panel == for_panel:
            assert days == [date(2025, 10, 10), date(2025, 11, 28), date(2026, 1, 30)] and imported.dropped == []
        else:
            assert days == [date(2025, 10, 10), date(2025, 11, 28)]
            [dropped] = imported.dropped
            assert dropped.startswith("2026-01-30 '") and dropped.endswith(
                f"': for {for_panel} schools only; this import is for {panel} schools")


def test_a_file_that_marks_panels_must_be_imported_with_a_panel():
    # Calendar: 2025-26, given days; one PA day for all schools, two for elementary, one for secondary.
    data = raw(vevent("PA Day", "DTSTART;VALUE=DATE:20251010"),
               vevent("PA Day - Elementary Only", "DTSTART;VALUE=DATE:20260126"),
               vevent("PA Day - Elementary Only", "DTSTART;VALUE=DATE:20260605"),
               vevent("PA Day - Secondary Only", "DTSTART;VALUE=DATE:20260130"))
    [problem] = problems_of(data, **GIVEN)
    assert (problem.source, problem.field) == (SOURCE, "panel")
    assert "2 for elementary schools only" in problem.message and "1 for secondary schools only" in problem.message
    assert "--panel elementary" in problem.fix and "--panel secondary" in problem.fix


def test_an_unknown_panel_is_a_panel_problem():
    # Calendar: BOARD_FILE, imported for a panel that does not exist.
    [problem] = problems_of(BOARD_FILE, panel="middle")
    assert problem.field == "panel" and "'middle'" in problem.message and "--panel elementary" in problem.fix


@pytest.mark.parametrize("data", [
    raw(),
    raw(vevent("Curriculum night", "DTSTART;TZID=America/Toronto:20250918T180000",
               "DTEND;TZID=America/Toronto:20250918T200000")),
], ids=["empty", "all-timed"])
def test_an_empty_or_all_timed_file_with_given_days_types_nothing(data):
    # Calendar: 2025-26 given as Tue 2025-09-02 .. Fri 2026-06-26, and a file that declares no day:
    # nothing raises here (the year check elsewhere rejects such a year), and `typed` shows it is empty.
    imported = import_ics(data, **GIVEN)
    assert imported.typed == [] and imported.school_year.entries == ()
    assert len(imported.ignored) == imported.read


# --- Whole exports as the tools write them (tests/fixtures/ics/) -------------------------------

def import_fixture(name: str, panel: str | None = None):
    return school_year_from_ics((FIXTURES / name).read_bytes(), board="halton", label="2025-26", source=name,
                                panel=panel)


def pa(day: date, name: str = "PA Day") -> CalendarEntry:
    return CalendarEntry(day, day, DayType.PA_DAY, name)


def assert_every_occurrence_has_one_line(imported):
    assert imported.read == len(imported.typed) + len(imported.ignored) + len(imported.dropped)


def counts(year) -> tuple[int, int, int]:
    """Regulation 304 days, 33.01 c days and school days from Labour Day to the year's last day."""
    calendar = BoardCalendar("halton", [year])
    return tuple(calendar.count(date(2025, 9, 1), year.last_day, unit) for unit in (Unit.REG304, Unit.DAYS,
                                                                                      Unit.SCHOOL_DAYS))


def test_an_outlook_export_reads_every_all_day_writing():
    # Calendar: Halton DSB 2025-26 (elementary) as an Outlook/Exchange export: PA days Tue Sep 2, Fri Oct 10
    # (TZID + VALUE=DATE), Fri Nov 28, Mon Jan 26 (floating midnights), Fri Feb 13, Fri Apr 24, Fri Jun 5;
    # first day of classes Wed Sep 3 (the year starts at the Sep 2 PA day); winter break Sat Dec 20 .. Mon
    # Jan 5 exclusive (midnights in "Eastern Standard Time") -> Dec 22 .. Jan 2; March break Mar 16 .. 20;
    # Easter Monday Apr 6 (written in UTC); last day Fri Jun 26. A weekly staff meeting (Sep 10 .. Oct 29, Oct 8
    # excluded: 7 occurrences), interview night, a yearly Family Day series (1 occurrence), Thanksgiving, Good
    # Friday, Victoria Day, Remembrance Day and a cancelled PA day (Nov 14) are listed, not typed.
    # Read 18 events + 7 + 1 occurrences = 26 = 12 typed + 14 ignored.
    imported = import_fixture("outlook-2025-26.ics")
    year = imported.school_year
    assert (year.first_day, year.last_day) == (date(2025, 9, 2), date(2026, 6, 26))
    assert year.entries == (
        pa(date(2025, 9, 2)), pa(date(2025, 10, 10)), pa(date(2025, 11, 28)),
        CalendarEntry(date(2025, 12, 22), date(2026, 1, 2), DayType.BREAK, "Winter Break"),
        pa(date(2026, 1, 26)), pa(date(2026, 2, 13)),
        CalendarEntry(date(2026, 3, 16), date(2026, 3, 20), DayType.BREAK, "March Break"),
        CalendarEntry(date(2026, 4, 6), date(2026, 4, 6), DayType.SCHOOL_HOLIDAY, "Easter Monday"),
        pa(date(2026, 4, 24)), pa(date(2026, 6, 5)))
    assert (imported.read, len(imported.typed), len(imported.ignored), len(imported.dropped)) == (26, 12, 14, 0)
    assert_every_occurrence_has_one_line(imported)
    assert "2025-11-14 'Canceled: PA Day': cancelled (STATUS:CANCELLED)" in imported.ignored
    assert f"2026-02-16 'Family Day': {STATUTORY_REASON}" in imported.ignored
    assert sum("'Staff Meeting': timed event" in line for line in imported.ignored) == 7
    # The Ministry's 196 days (Sep 1 .. Jun 30) less Mon Jun 29 and Tue Jun 30: 194; less 7 PA days: 187.
    assert counts(year) == (194, 194, 187)


def test_a_google_calendar_export_for_the_secondary_panel():
    # Calendar: Halton DSB 2025-26 as a Google Calendar export, imported for secondary schools: PA days
    # Tue Sep 2 (the bilingual title folded inside "é"), Fri Oct 10, Fri Nov 28, Fri Jan 30 (Sec.), Fri Feb 13,
    # Fri Apr 24, Mon Jun 29 (Sec.); first day of classes Wed Sep 3; winter break Dec 22 .. Jan 2 (a folded
    # long DESCRIPTION); March break Mar 16 .. 20; Easter Monday Apr 6; last day of classes (Sec.) Thu Jun 25,
    # widened to the Jun 29 PA day. Dropped for elementary: Jan 26 and Jun 5 PA days, Jun 26 last day.
    # Ignored: Labour Day, Thanksgiving, Family Day, Good Friday, Victoria Day, two exam weeks, an evening
    # council meeting (00:00 UTC = 8 pm Oct 7 in Toronto), and 8 "Spirit Day"s (last Fridays Sep 26 .. Jun 26,
    # Dec 26 and Apr 24 excluded by EXDATE, Oct 31 moved to Oct 30). Read 23 + 8 = 31 = 12 + 16 + 3.
    imported = import_fixture("google-2025-26.ics", panel="secondary")
    year = imported.school_year
    assert (year.first_day, year.last_day) == (date(2025, 9, 2), date(2026, 6, 29))
    bilingual = ("PA Day – Provincial priorities (all HDSB schools) – Journée pédagogique "
                 "(no school for students / pas d'école pour les élèves)")
    assert year.entries == (
        pa(date(2025, 9, 2), bilingual), pa(date(2025, 10, 10), "PA Day – Journée pédagogique"),
        pa(date(2025, 11, 28)), CalendarEntry(date(2025, 12, 22), date(2026, 1, 2), DayType.BREAK, "Winter Break"),
        pa(date(2026, 1, 30), "PA Day (Sec.)"), pa(date(2026, 2, 13)),
        CalendarEntry(date(2026, 3, 16), date(2026, 3, 20), DayType.BREAK, "March Break"),
        CalendarEntry(date(2026, 4, 6), date(2026, 4, 6), DayType.SCHOOL_HOLIDAY, "Easter Monday"),
        pa(date(2026, 4, 24)), pa(date(2026, 6, 29), "PA Day (Sec.)"))
    assert (imported.read, len(imported.typed), len(imported.ignored), len(imported.dropped)) == (31, 12, 16, 3)
    assert_every_occurrence_has_one_line(imported)
    assert imported.dropped == [
        "2026-01-26 'Elementary PA Day': for elementary schools only; this import is for secondary schools",
        "2026-06-05 'Elementary PA Day': for elementary schools only; this import is for secondary schools",
        "2026-06-26 'Last day of classes (Elem) - early dismissal': for elementary schools only; this import is "
        "for secondary schools"]
    assert "2025-10-07 'Parent Council': timed event, not an all-day event" in imported.ignored
    assert "2025-10-30 'Spirit Day – Halloween': not a day type" in imported.ignored
    assert sum("'Spirit Day" in line for line in imported.ignored) == 8
    # The Ministry's 196 days less Tue Jun 30: 195; less 7 PA days: 188.
    assert counts(year) == (195, 195, 188)


def test_the_google_export_without_a_panel_asks_for_one():
    # Calendar: the Google export above, which marks 3 days for elementary schools (Jan 26, Jun 5 PA days,
    # Jun 26 last day) and 3 for secondary (Jan 30, Jun 29 PA days, Jun 25 last day); its exam weeks are
    # marked too but are no day type, so they are not counted.
    with pytest.raises(CalendarFileError) as caught:
        import_fixture("google-2025-26.ics")
    [problem] = caught.value.problems
    assert problem.field == "panel"
    assert "3 for elementary schools only" in problem.message and "3 for secondary schools only" in problem.message


def test_a_board_plugin_export_for_the_elementary_panel():
    # Calendar: Halton DSB 2025-26 dates on a board website's events plugin (The Events Calendar), imported
    # for elementary schools: PA days Sep 2, Oct 10, Nov 28 ("Parent-Teacher Conferences - No School for
    # Students"), Jan 26 (Elementary Only), Feb 13, Apr 24, Jun 5 (marked only by its CATEGORIES); first day
    # Wed Sep 3; "Winter Break - classes resume January 5" Sat Dec 20 .. Sun Jan 4 -> Dec 22 .. Jan 2;
    # "Schools Closed" Thu Feb 5; March break Sat Mar 14 .. Sun Mar 22 -> Mar 16 .. 20; "Easter Break" Fri Apr 3
    # .. Mon Apr 6; last day (Elementary) Fri Jun 26. Dropped: the secondary Jan 30 and Jun 29 PA days and
    # the Jun 25 secondary last day. Ignored: two relative titles, Thanksgiving ("Schools Closed" in its
    # title), Family Day, Good Friday, Victoria Day, two timed events. Read 24 = 13 + 8 + 3.
    imported = import_fixture("board-plugin-2025-26.ics", panel="elementary")
    year = imported.school_year
    assert (year.first_day, year.last_day) == (date(2025, 9, 2), date(2026, 6, 26))
    assert year.entries == (
        pa(date(2025, 9, 2)), pa(date(2025, 10, 10)),
        pa(date(2025, 11, 28), "Parent-Teacher Conferences - No School for Students"),
        CalendarEntry(date(2025, 12, 22), date(2026, 1, 2), DayType.BREAK, "Winter Break - classes resume January 5"),
        pa(date(2026, 1, 26), "PA Day - Elementary Only"),
        CalendarEntry(date(2026, 2, 5), date(2026, 2, 5), DayType.CLOSURE, "Schools Closed", ClosureKind.OTHER),
        pa(date(2026, 2, 13)),
        CalendarEntry(date(2026, 3, 16), date(2026, 3, 20), DayType.BREAK, "March Break"),
        CalendarEntry(date(2026, 4, 3), date(2026, 4, 6), DayType.BREAK, "Easter Break"),
        pa(date(2026, 4, 24)), pa(date(2026, 6, 5)))
    assert (imported.read, len(imported.typed), len(imported.ignored), len(imported.dropped)) == (24, 13, 8, 3)
    assert_every_occurrence_has_one_line(imported)
    assert [line.split("'")[1] for line in imported.ignored if line.endswith(RELATIVE_REASON)] == [
        "Classes resume after winter break", "Last day of school before March break"]
    # 196 less Jun 29 and 30: 194 Regulation 304 days; less the Feb 5 closure: 193 days; less 7 PA days: 186.
    assert counts(year) == (194, 193, 186)


def test_the_board_plugin_export_for_the_secondary_panel():
    # Calendar: the plugin export above for secondary schools: PA days Jan 30 and Jun 29 instead of Jan 26
    # and Jun 5; last day Thu Jun 25, widened to the Jun 29 PA day. The elementary curriculum night (timed,
    # marked by its CATEGORIES) is dropped too: 24 = 13 typed + 7 ignored + 4 dropped.
    imported = import_fixture("board-plugin-2025-26.ics", panel="secondary")
    year = imported.school_year
    assert (year.first_day, year.last_day) == (date(2025, 9, 2), date(2026, 6, 29))
    assert [e.first for e in year.entries if e.type is DayType.PA_DAY] == [
        date(2025, 9, 2), date(2025, 10, 10), date(2025, 11, 28), date(2026, 1, 30), date(2026, 2, 13),
        date(2026, 4, 24), date(2026, 6, 29)]
    assert (imported.read, len(imported.typed), len(imported.ignored), len(imported.dropped)) == (24, 13, 7, 4)
    assert "2026-06-25 'Last Day of School - Secondary': last day of school (the year ends 2026-06-29 with its " \
           "PA days)" in imported.typed


def test_a_conseil_scolaire_export_in_french():
    # Calendar: Halton DSB's 2025-26 dates in a conseil scolaire's French export (UTF-8 with a BOM, LF line
    # ends, folded descriptions), imported for elementary schools: journées pédagogiques Sep 2, Oct 10,
    # Nov 28, Jan 26 (élémentaire), Feb 13, Apr 24, Jun 5 (élémentaire); rentrée Wed Sep 3; congé des Fêtes
    # Dec 22 .. Jan 2; fermeture des écoles – tempête Thu Feb 19; semaine de relâche Mar 16 .. 20; lundi de
    # Pâques Apr 6; dernier jour de classe Fri Jun 26. Dropped: the secondary journée pédagogique Jan 30.
    # Ignored: five statutory holidays, "Retour en classe après le congé", Jour du Souvenir, report cards,
    # an evening meeting. Read 23 = 13 + 9 + 1.
    imported = import_fixture("conseil-2025-26.ics", panel="elementary")
    year = imported.school_year
    jp = "Journée pédagogique"
    assert (year.first_day, year.last_day) == (date(2025, 9, 2), date(2026, 6, 26))
    assert year.entries == (
        pa(date(2025, 9, 2), jp), pa(date(2025, 10, 10), jp), pa(date(2025, 11, 28), jp),
        CalendarEntry(date(2025, 12, 22), date(2026, 1, 2), DayType.BREAK, "Congé des Fêtes"),
        pa(date(2026, 1, 26), f"{jp} – élémentaire"), pa(date(2026, 2, 13), jp),
        CalendarEntry(date(2026, 2, 19), date(2026, 2, 19), DayType.CLOSURE, "Fermeture des écoles – tempête",
                      ClosureKind.WEATHER),
        CalendarEntry(date(2026, 3, 16), date(2026, 3, 20), DayType.BREAK, "Semaine de relâche"),
        CalendarEntry(date(2026, 4, 6), date(2026, 4, 6), DayType.SCHOOL_HOLIDAY, "Lundi de Pâques"),
        pa(date(2026, 4, 24), jp), pa(date(2026, 6, 5), f"{jp} – élémentaire"))
    assert (imported.read, len(imported.typed), len(imported.ignored), len(imported.dropped)) == (23, 13, 9, 1)
    assert_every_occurrence_has_one_line(imported)
    assert "2025-09-03 'Rentrée scolaire': first day of school (the year starts 2025-09-02 with its PA days)" \
        in imported.typed
    assert "2026-06-26 'Dernier jour de classe': last day of school" in imported.typed
    assert counts(year) == (194, 193, 186)


@pytest.mark.parametrize("name, panel", [("outlook-2025-26.ics", None), ("google-2025-26.ics", "secondary"),
                                         ("board-plugin-2025-26.ics", "elementary"),
                                         ("conseil-2025-26.ics", "elementary")])
def test_each_fixture_round_trips_through_a_schoolyear_file(name, panel):
    # Calendar: each fixture's year, as above; accents, typographic dashes and apostrophes survive the file.
    year = import_fixture(name, panel).school_year
    assert parse_school_year(format_school_year(year), "imported.schoolyear") == year
