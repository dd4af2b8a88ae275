"""Import a board's published iCalendar (.ics) file as one school year.

Boards publish their calendars as .ics feeds for families: PA days, breaks,
the first and last day, report-card nights, statutory holidays. This module
keeps the days Article 33 counting depends on and lists every other event with
the reason it was left out, so the local can check the import before loading
it (the year comes back `verified=False`).

    First day of school 2025-09-02    -> first day
    PA Day 2025-10-10                 -> pa day
    Winter Break 2025-12-20 .. 01-04  -> break 2025-12-22 .. 2026-01-02 (weekends trimmed)
    Easter Monday 2026-04-06          -> school holiday
    Thanksgiving 2025-10-13           -> ignored: statutory holidays come from workalendar
    Report cards go home 2025-11-20   -> ignored: not a day type

Split days are never imported: boards word them too many ways to read them
safely. A file with any problem raises one CalendarFileError naming each
event, its date and the fix; nothing is half-imported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import icalendar

from .days import DayType
from .errors import CalendarFileError, Problem
from .school_year import CalendarEntry, SchoolYear, school_year_label, statutory_holiday, validate

STATUTORY_REASON = "statutory holiday: comes from the Ontario calendar"

# Kinds of event, tried in this order on the SUMMARY, then on the DESCRIPTION.
# "split" comes before "pa" so that a "split PA day" is never imported as a
# whole PA day; "relative" catches "Classes resume after winter break" and
# "Last day of school before March break", which declare no day off.
_BREAK = r"\b(winter|christmas|holiday|march|mid-winter|spring) (breaks?|holidays|vacation)\b"
_STATUTORY = (r"\b(labou?r day|thanksgiving|christmas|boxing day|new year|family day|good friday|"
              r"victoria day|canada day|civic holiday)\b")
_HOLIDAY = r"\b(easter monday|board holiday|school holiday|school closed)\b|\bno school\b(?!\s*bus)"
_KINDS = (
    ("split", re.compile(r"\bsplit\b", re.I)),
    ("pa", re.compile(r"\bp\.?\s*[ad]\.?\s*days?\b|\bprofessional (activity|development)\b", re.I)),
    ("relative", re.compile(rf"\b(before|after|resumes?|returns?|back)\b.*({_BREAK}|{_STATUTORY}|{_HOLIDAY})"
                            rf"|({_BREAK}|{_STATUTORY}|{_HOLIDAY}).*\b(ends|resumes?|returns?)\b", re.I)),
    ("break", re.compile(_BREAK, re.I)),
    ("statutory", re.compile(_STATUTORY, re.I)),
    ("holiday", re.compile(_HOLIDAY, re.I)),
    ("first day", re.compile(r"\bfirst day (of school|for students)\b|\bschool starts\b", re.I)),
    ("last day", re.compile(r"\blast day (of school|for students)\b", re.I)),
)
_IGNORED_KINDS = {
    None: "not a day type",
    "split": "split day: board calendars word these too many ways to import; add it to the .schoolyear file by hand",
    "relative": "names a day before or after a break or holiday, not a day off",
    "statutory": STATUTORY_REASON,
}
_DAY_TYPES = {"pa": DayType.PA_DAY, "holiday": DayType.SCHOOL_HOLIDAY, "break": DayType.BREAK}


@dataclass(frozen=True)
class IcsImport:
    """The imported year, and one line per event left out, with its reason."""

    school_year: SchoolYear
    ignored: list[str]


@dataclass(frozen=True)
class _Event:
    """One all-day event, cut to the school year's coverage (last day inclusive)."""

    name: str
    kind: str | None
    first: date
    last: date


@dataclass
class _Found:
    """What the events give, gathered before anything is built (nothing is half-imported)."""

    entries: list[CalendarEntry] = field(default_factory=list)
    firsts: list[tuple[date, str]] = field(default_factory=list)
    lasts: list[tuple[date, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def school_year_from_ics(data: bytes | str, *, board: str, label: str, source: str, board_name: str = "",
                         first_day: date | None = None, last_day: date | None = None) -> IcsImport:
    """The school year `label` of `board` as the .ics `data` publishes it.

    `first_day`/`last_day` win over the file's "first/last day of school"
    events (the caller has checked them); `source` names the file in every
    message. Raises CalendarFileError with every problem found.
    """
    start_year = _start_year(label, source)
    calendar = _read_calendar(data, source)
    covers = (date(start_year, 7, 1), date(start_year + 1, 6, 30))
    found = _Found()
    for component in calendar.walk("VEVENT"):
        event = _read_event(component, covers, label, source, found)
        if event:
            _place(event, source, found)
    entries = _without_duplicates(found, source)
    first = _year_end("first day", first_day, found.firsts, source, found)
    last = _year_end("last day", last_day, found.lasts, source, found)
    if first and last:
        first, last = _including_pa_days(first, last, entries, widen_first=first_day is None,
                                         widen_last=last_day is None)
        found.problems += _span_problems(first, last, covers, entries, label, source)
    if found.problems:
        raise CalendarFileError(found.problems)
    year = SchoolYear(board=board, label=label, first_day=first, last_day=last, entries=tuple(entries),
                      source=f"{source} (imported from iCalendar)", verified=False, board_name=board_name,
                      origin=source)
    validate(year)
    return IcsImport(year, sorted(found.ignored))


def _start_year(label: str, source: str) -> int:
    """The label fixes the coverage every event is tested against, so it is checked first."""
    if re.fullmatch(r"\d{4}-\d{2}", label) and school_year_label(int(label[:4])) == label:
        return int(label[:4])
    raise CalendarFileError([Problem(source, None, "school year", f"'{label}' is not a school year label.",
                                     "Write it as the two years it spans, e.g. 2025-26.")])


def _read_calendar(data: bytes | str, source: str) -> icalendar.Calendar:
    """Parse the file; icalendar's own words say what it could not read."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
        reason = "" if calendar.name == "VCALENDAR" else f"it holds a {calendar.name}, not a VCALENDAR"
    except (ValueError, TypeError, IndexError, KeyError, AttributeError) as error:  # what icalendar raises on bad bytes
        reason = "".join(c if c.isprintable() else "?" for c in str(error))[:200]
    if not reason:
        return calendar
    raise CalendarFileError([Problem(source, None, "file",
                                     f"This is not an iCalendar file that can be read ({reason}).",
                                     "Download the board's calendar again as an .ics file (it starts with "
                                     "BEGIN:VCALENDAR) and import that.")])


def _read_event(component, covers: tuple[date, date], label: str, source: str, found: _Found) -> _Event | None:
    """The event's all-day dates within the coverage, or None once it is ignored or found wrong."""
    name, kind = _classify(component)
    used = kind not in _IGNORED_KINDS
    try:
        start, end = component.start, component.end
    except ValueError as error:  # no DTSTART, a broken date, or DTSTART and DTEND of different types
        return _unusable(f"(no date) '{name}'", f"has no usable dates ({error})", used, source, found)
    if isinstance(start, datetime):
        found.ignored.append(f"{start.date()} '{name}': timed event, not an all-day event")
        return None
    last = max(start, end - timedelta(days=1))  # DTEND is exclusive; some exporters repeat DTSTART for one day
    where = _span_text(start, last) + f" '{name}'"
    if end < start:
        return _unusable(where, f"ends ({end}) before it starts", used, source, found)
    if _text(component, "STATUS").upper() == "CANCELLED":
        found.ignored.append(f"{where}: cancelled")
        return None
    if "RRULE" in component or "RDATE" in component:
        reason = "repeats (RRULE/RDATE); the import reads each day from its own event"
        return _unusable(where, reason, used, source, found)
    first, last = max(start, covers[0]), min(last, covers[1])
    if first > last:
        found.ignored.append(f"{where}: outside the {label} school year ({covers[0]} to {covers[1]})")
        return None
    return _Event(name, kind, first, last)


def _unusable(where: str, reason: str, used: bool, source: str, found: _Found) -> None:
    """An event that cannot be dated: wrong if it names a day we import, else merely left out."""
    if used:
        found.problems.append(Problem(source, None, "date", f"{where} {reason}.",
                                      "Correct the event's dates in the .ics (one all-day event per day or range), "
                                      "or remove it and add the days to the .schoolyear file by hand."))
    else:
        found.ignored.append(f"{where}: {reason}")
    return None


def _classify(component) -> tuple[str, str | None]:
    """The event's name (its SUMMARY) and kind; the DESCRIPTION is read when the SUMMARY says nothing."""
    summary = _clean(_text(component, "SUMMARY"))
    description = _text(component, "DESCRIPTION")
    name = summary or _clean(description.strip().split("\n")[0])[:80]
    for text in (summary, description):
        kind = next((kind for kind, pattern in _KINDS if pattern.search(text)), None)
        if kind:
            return name, kind
    return name, None


def _text(component, key: str) -> str:
    """A text property; a feed that repeats one (two SUMMARY lines) gives a list, read as one text."""
    value = component.get(key, "")
    return " ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _clean(text: str) -> str:
    """One line without '|' or '#', which the .schoolyear format reads as a cell break and a comment."""
    return " ".join(text.replace("|", "/").replace("#", "").split())


def _place(event: _Event, source: str, found: _Found) -> None:
    """Put the event where its kind says: an entry, a first/last day, or the ignored list."""
    if event.kind in _IGNORED_KINDS:
        found.ignored.append(f"{_span_text(event.first, event.last)} '{event.name}': {_IGNORED_KINDS[event.kind]}")
    elif event.kind == "first day":
        found.firsts.append((event.first, event.name))
    elif event.kind == "last day":
        found.lasts.append((event.last, event.name))
    elif event.kind == "break":
        _place_break(event, found)
    else:
        _place_day(event, _DAY_TYPES[event.kind], source, found)


def _place_break(event: _Event, found: _Found) -> None:
    """Boards publish breaks weekend to weekend (Sat Dec 20 .. Sun Jan 4); a break entry runs weekday to weekday."""
    first, last = event.first, event.last
    while first <= last and first.weekday() >= 5:
        first += timedelta(days=1)
    while last >= first and last.weekday() >= 5:
        last -= timedelta(days=1)
    if first > last:
        found.ignored.append(f"{_span_text(event.first, event.last)} '{event.name}': a break on weekend days only")
    else:
        found.entries.append(CalendarEntry(first, last, DayType.BREAK, event.name))


def _place_day(event: _Event, day_type: DayType, source: str, found: _Found) -> None:
    """A PA day or school holiday is a weekday the board would otherwise teach: on a weekend
    or a statutory holiday it means the file is wrong, so it is reported, never imported."""
    problems = []
    for offset in range((event.last - event.first).days + 1):
        day = event.first + timedelta(days=offset)
        holiday = statutory_holiday(day)
        if day.weekday() >= 5:
            problems.append(Problem(source, None, "date", f"'{event.name}' on {day}: {day} is a {day:%A}, "
                                    f"and a {day_type} is never on a weekend.",
                                    "Check the date against the board's published calendar and correct the .ics."))
        elif holiday:
            problems.append(Problem(source, None, "date", f"'{event.name}' on {day}: {day} is a statutory holiday "
                                    f"({holiday}) and cannot also be a {day_type}.",
                                    "Check the date against the board's published calendar and correct the .ics; "
                                    "statutory holidays come from the Ontario calendar."))
    found.problems += problems
    if not problems:
        found.entries.append(CalendarEntry(event.first, event.last, day_type, event.name))


def _without_duplicates(found: _Found, source: str) -> list[CalendarEntry]:
    """Merged elementary and secondary feeds publish some days twice: keep one and list the other.
    Different entries on the same days mean the file is wrong (SchoolYear allows no overlap)."""
    kept: list[CalendarEntry] = []
    for entry in sorted(found.entries, key=lambda e: (e.first, e.last)):
        twin = next((k for k in kept if (k.first, k.last, k.type) == (entry.first, entry.last, entry.type)), None)
        clash = next((k for k in kept if k.first <= entry.last and entry.first <= k.last), None)
        if twin:
            found.ignored.append(f"{_span(entry)} '{entry.name}': the same {entry.type} as '{twin.name}'")
            continue
        if clash:
            found.problems.append(Problem(source, None, "date",
                                          f"'{entry.name}' ({_span(entry)}, {entry.type}) and '{clash.name}' "
                                          f"({_span(clash)}, {clash.type}) fall on the same days.",
                                          "Check both events against the board's calendar; correct or remove one."))
        kept.append(entry)
    return kept


def _year_end(which: str, given: date | None, dates: list[tuple[date, str]], source: str, found: _Found) -> date | None:
    """The caller's date wins (the file may be silent or wrong); otherwise the file's one date."""
    flag = "--first-day" if which == "first day" else "--last-day"
    if given:
        found.ignored += [f"{day} '{name}': {which} {given} was given, so the file's is not used"
                          for day, name in dates]
        return given
    days = sorted({day for day, _ in dates})
    if len(days) == 1:
        return days[0]
    if days:
        listed = ", ".join(f"{day} ('{name}')" for day, name in sorted(dates))
        message = f"The file gives {len(days)} different {which}s of school: {listed}."
    else:
        message = f"The file has no '{which} of school' event, and no {which} was given."
    found.problems.append(Problem(source, None, which, message,
                                  f"Pass {flag} YYYY-MM-DD with the {which} of school the board published."))
    return None


def _including_pa_days(first: date, last: date, entries: list[CalendarEntry], *, widen_first: bool,
                       widen_last: bool) -> tuple[date, date]:
    """A school year's first and last day include its PA days (Regulation 304), but boards date
    "first/last day for students": a date taken from the file widens to the PA days beyond it."""
    pa_days = [e for e in entries if e.type is DayType.PA_DAY]
    if widen_first and pa_days:
        first = min(first, *(e.first for e in pa_days))
    if widen_last and pa_days:
        last = max(last, *(e.last for e in pa_days))
    return first, last


def _span_problems(first: date, last: date, covers: tuple[date, date], entries: list[CalendarEntry],
                   label: str, source: str) -> list[Problem]:
    """Entries outside the first..last day would fail validate() without naming the event; say which."""
    if not covers[0] <= first <= last <= covers[1]:
        return [Problem(source, None, "first day / last day",
                        f"The year runs {first} to {last}, which does not lie within {covers[0]} to {covers[1]} "
                        f"with the first day before the last.",
                        f"Pass --first-day/--last-day with the board's {label} first and last days of school.")]
    return [Problem(source, None, "date", f"'{e.name}' ({_span(e)}, {e.type}) lies outside the {label} school year "
                    f"({first} to {last}).",
                    "Check the event's date, or pass --first-day/--last-day with the board's first and last days.")
            for e in entries if e.first < first or e.last > last]


def _span(entry: CalendarEntry) -> str:
    return _span_text(entry.first, entry.last)


def _span_text(first: date, last: date) -> str:
    return str(first) if first == last else f"{first} .. {last}"
