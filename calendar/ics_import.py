"""Import a board's published iCalendar (.ics) file as one school year.

Boards publish their calendars as .ics feeds for families, written by Outlook,
Google Calendar or a website's events plugin: PA days, breaks, closures, the
first and last day, report-card nights, statutory holidays, often for the
elementary and secondary panels in one file. This module keeps the days
Article 33 counting depends on and lists every other event with the reason it
was left out, so the local can check the import before loading it (the year
comes back `verified=False`).

    Rentrée scolaire 2025-09-03                -> first day (widened to the PA day before it)
    PA Day – Journée pédagogique 2025-10-10    -> PA day
    PA Day - Secondary Only 2026-01-30         -> PA day with --panel secondary, dropped with elementary
    Parent-Teacher Conferences - No School for Students -> PA day
    Winter Break - classes resume January 5, 2025-12-20 .. 01-04
                                               -> break 2025-12-22 .. 2026-01-02 (weekends trimmed)
    Lundi de Pâques 2026-04-06                 -> school holiday
    Fermeture des écoles – tempête 2026-01-26  -> closure: weather
    Thanksgiving 2025-10-13                    -> ignored: statutory holidays come from holidays.py
    Classes resume after winter break          -> ignored: names a day relative to a break
    Report cards go home 2025-11-20            -> ignored: not a day type

How the file is read, in order:
- bytes: folded lines are unfolded before decoding (RFC 5545 folds octets, so a
  fold may split a UTF-8 character), then decoded with the charset the file
  declares (a BOM or a CHARSET parameter), else UTF-8, else a detected charset;
- dates: an all-day event is read however its tool writes it (VALUE=DATE, with
  or without a TZID; midnight to midnight in its own time zone; Outlook's
  X-MICROSOFT-CDO-ALLDAYEVENT; no DTEND; a DURATION); anything else is timed
  and ignored. RRULE/RDATE/EXDATE series are expanded over July 1 .. June 30;
  STATUS:CANCELLED events are listed and skipped;
- titles: classified by meaning on the accent-folded, lower-cased words of the
  SUMMARY, in English and French, by whole phrases found with str.find (so a
  hostile 50 KB title costs linear time); a title not understood is listed as
  "not a day type", never guessed at;
- panels: a day marked for elementary or secondary schools only (in the
  SUMMARY, CATEGORIES or DESCRIPTION) is kept for that panel and dropped for
  the other; a file that marks panels must be imported with one.

Split days are never imported: boards word them too many ways to read them
safely. A file with any problem raises one CalendarFileError naming each
event, its date and the fix; nothing is half-imported.
"""
from __future__ import annotations

import codecs
import html
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from .days import ClosureKind, DayType
from .errors import CalendarFileError, Problem
from .school_year import CalendarEntry, SchoolYear, school_year_label, statutory_holiday, validate

PANELS = ("elementary", "secondary")
STATUTORY_REASON = "statutory holiday: comes from the Ontario calendar"
# UTC times are read as Ontario wall-clock times unless the file names its zone (X-WR-TIMEZONE).
BOARD_ZONE = "America/Toronto"
_NAME_LENGTH = 200

# ---------------------------------------------------------------------------------------------
# The vocabulary of board calendars, as accent-folded lower-case words (see _Words). Each entry
# is a whole phrase: "pa day" matches "P.A. Day" and "PA-day", never "spa days".

_SPLIT = ("split",)
_PA = ("pa day", "pa days", "p a day", "p a days", "pd day", "pd days", "p d day", "p d days", "pa pd day",
       "professional activity", "professional activities", "professional development", "learning day",
       "staff development day", "provincial priority day", "provincial priorities day",
       "no school for students", "no school for elementary students", "no school for secondary students",
       "no classes for students", "journee pedagogique", "journees pedagogiques", "jour pedagogique",
       "pas d ecole pour les eleves", "pas de classe pour les eleves", "pas de classes pour les eleves",
       "pas de cours pour les eleves", "conge pour les eleves")
_BREAK = tuple(f"{season} {word}" for season in ("winter", "christmas", "holiday", "march", "spring", "mid winter",
                                                 "midwinter", "easter")
               for word in ("break", "breaks", "holiday", "holidays", "vacation")
               if season != "holiday" or word in ("break", "breaks")) + (
    "conge des fetes", "conge du temps des fetes", "conge de noel", "conge d hiver", "conge de mars",
    "conge du printemps", "conge de paques", "vacances de noel", "vacances des fetes", "vacances d hiver",
    "vacances de mars", "vacances du printemps", "vacances de paques", "relache")
_HOLIDAY = ("easter monday", "lundi de paques", "board holiday", "school holiday", "school board holiday",
            "conge scolaire")
_STATUTORY = ("labour day", "labor day", "thanksgiving", "christmas", "boxing day", "new year", "new years",
              "family day", "good friday", "victoria day", "canada day", "civic holiday", "fete du travail",
              "action de grace", "action de graces", "noel", "lendemain de noel", "jour de l an", "nouvel an",
              "jour de la famille", "fete de la famille", "vendredi saint", "fete de la reine", "fete de victoria",
              "fete du canada", "conge civique")
_CLOSED = ("schools closed", "school closed", "schools are closed", "school is closed", "school closure",
           "school closures", "schools closure", "closure of schools", "board closed", "board closure",
           "classes cancelled", "classes canceled", "class cancelled", "class canceled", "school cancelled",
           "school canceled", "schools cancelled", "schools canceled", "fermeture des ecoles",
           "fermeture d ecole", "fermeture de l ecole", "fermeture de toutes les ecoles", "ecoles fermees",
           "ecole fermee", "cours annules", "classes annulees")
_WEATHER_DAY = ("storm day", "snow day", "weather day", "inclement weather", "tempete")
_CANCEL = ("cancelled", "canceled", "cancellation", "annule", "annulee", "annules", "annulees", "annulation")
# "Buses cancelled" and "schools remain open" close no school.
_OPEN = ("bus", "buses", "busses", "busing", "bussing", "transportation", "transport", "open", "opened",
         "ouverte", "ouvertes", "ouvert")
_WEATHER = ("storm", "storms", "snow", "snowstorm", "weather", "ice", "icy", "freezing rain", "blizzard", "tempete",
            "neige", "verglas", "intemperies", "pluie verglacante", "meteo")
# A closure's kind: strike and lock-out (labour disruptions), else weather, else other.
_STRIKE = ("strike", "strikes", "greve", "labour disruption", "labor disruption", "work stoppage", "job action",
           "arret de travail")
_LOCKOUT = ("lockout", "lock out", "lockouts", "lock outs")
_NO_SCHOOL = ("no school", "conge", "jour de conge", "journee de conge")
_NOT_AFTER_NO_SCHOOL = frozenset({"bus", "buses", "busses", "uniform", "uniforms", "transportation", "council",
                                  "supplies", "trip", "trips", "photos", "lunch", "lunches"})
_FIRST = ("first day of school", "first day of classes", "first day of class", "first day of instruction",
          "first day for students", "first instructional day", "school starts", "school begins", "classes begin",
          "classes start", "premier jour d ecole", "premier jour de classe", "premier jour de classes",
          "premier jour de cours", "premiere journee d ecole", "premiere journee de classe",
          "premiere journee de classes", "rentree")
_LAST = ("last day of school", "last day of classes", "last day of class", "last day of instruction",
         "last day for students", "last instructional day", "school ends", "classes end", "dernier jour d ecole",
         "dernier jour de classe", "dernier jour de classes", "dernier jour de cours", "derniere journee d ecole",
         "derniere journee de classe", "derniere journee de classes", "fin des classes", "fin des cours",
         "fin de l annee scolaire")
# A title "relative" to a break names a day before or after it ("Classes resume after winter break",
# "Last day of school before March break"): a word of _BEFORE_BREAK ahead of the break's name, a word of
# _AFTER_BREAK behind it ("Winter break ends"), or a first/last day beside a break. A break that says when
# classes resume ("Winter Break - classes resume January 5") stays a break.
_BREAKISH = _BREAK + _HOLIDAY + ("break", "christmas", "noel", "holiday", "holidays", "fetes", "easter", "paques",
                                 "vacances", "vacation", "relache", "conge")
_BEFORE_BREAK = ("before", "after", "prior", "following", "until", "till", "avant", "apres", "jusqu", "resume",
                 "resumes", "resuming", "return", "returns", "returning", "back", "reopen", "reopens", "reopening",
                 "retour", "reprise", "end", "ends", "fin", "start", "starts", "begin", "begins", "beginning", "debut")
_AFTER_BREAK = ("end", "ends", "ending", "over", "begin", "begins", "beginning", "start", "starts", "starting",
                "debut", "commence", "commencent", "termine", "fin")
# Phrases that look like a day type and are not one, made harmless before any matching.
_NEUTRAL = (("lunar new year", "lunar festival"), ("chinese new year", "lunar festival"),
            ("post secondary", "postsecondary"), ("summer break", "summer"), ("summer holidays", "summer"),
            ("summer holiday", "summer"), ("summer vacation", "summer"), ("vacances d ete", "ete"),
            ("conge d ete", "ete"), ("grandes vacances", "ete"))
_PANEL_WORDS = {"elementary": ("elementary", "elem", "elementaire", "elementaires"),
                "secondary": ("secondary", "sec", "secondaire", "secondaires")}
# "Secondary only", "secondary schools only", "élémentaire seulement": the one panel a text names
# when it names both ("Secondary schools only. Elementary classes as usual.").
_ONLY = {panel: tuple(f"{name}{noun} {only}" for name in names for noun in ("", " school", " schools", " students")
                      for only in ("only", "seulement", "uniquement"))
         for panel, names in _PANEL_WORDS.items()}

_IGNORED_KINDS = {
    None: "not a day type",
    "split": "split day: board calendars word these too many ways to import; add it to the .schoolyear file by hand",
    "relative": "names a day before or after a break or holiday, not a day off",
    "statutory": STATUTORY_REASON,
    "cancelled": "the title says this day off is cancelled; check whether it became a school day",
    "open": "buses cancelled or schools open: not a closure",
}
_DAY_TYPES = {"pa": DayType.PA_DAY, "holiday": DayType.SCHOOL_HOLIDAY, "break": DayType.BREAK,
              "closure": DayType.CLOSURE}
_NON_WORD = re.compile(r"[\W_]+")
_TAG = re.compile(r"<[^<>]*>")  # linear: each try stops at the next '<' or '>'
_FOLD = re.compile(rb"\r?\n[ \t]")
_TEXT_FOLD = re.compile(r"\r?\n[ \t]")
_CHARSET = re.compile(rb";CHARSET=\"?([A-Za-z][A-Za-z0-9_.:-]{0,39})", re.I)
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_ALL_DAY_FLAGS = ("X-MICROSOFT-CDO-ALLDAYEVENT", "X-MICROSOFT-MSNCALENDAR-ALLDAYEVENT")


@dataclass(frozen=True)
class IcsImport:
    """The imported year, and one line per event occurrence saying what became of it.

    `read` counts the occurrences read (after RRULE/RDATE expansion, cancelled ones included); each
    has one line in `typed` (part of the year), `ignored` (left out, with why) or `dropped` (for the
    other panel), unless the import raised.
    """

    school_year: SchoolYear
    read: int
    typed: list[str]
    ignored: list[str]
    dropped: list[str]


@dataclass(frozen=True)
class _Meaning:
    """What an event's words say: its kind, whether it is also the first/last day, and its panel."""

    kind: str | None  # "pa", "break", "holiday", "closure", "year end", or a key of _IGNORED_KINDS
    year_end: str | None = None  # "first day" or "last day"
    closure_kind: ClosureKind | None = None
    panel: str | None = None


@dataclass(frozen=True)
class _Event:
    """One all-day occurrence, cut to the school year's coverage (last day inclusive)."""

    name: str
    meaning: _Meaning
    first: date
    last: date


@dataclass(frozen=True)
class _Placed:
    """An occurrence that becomes part of the year: an entry, a first/last day, or both."""

    name: str
    entry: CalendarEntry | None
    year_end: str | None
    day: date | None  # the first/last day it gives


@dataclass
class _Found:
    """What the events give, gathered before anything is built (nothing is half-imported)."""

    placed: list[_Placed] = field(default_factory=list)
    typed: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    marked: dict[str, list[str]] = field(default_factory=lambda: {panel: [] for panel in PANELS})
    unexpanded: int = 0  # series whose rule could not be read, each counted as one occurrence
    problems: list[Problem] = field(default_factory=list)


def school_year_from_ics(data: bytes | str, *, board: str, label: str, source: str, board_name: str = "",
                         first_day: date | None = None, last_day: date | None = None,
                         panel: str | None = None) -> IcsImport:
    """The school year `label` of `board` as the .ics `data` publishes it.

    `first_day`/`last_day` win over the file's "first/last day of school"
    events (the caller has checked them); `panel` ("elementary" or
    "secondary") keeps that panel's days and drops the other's; `source`
    names the file in every message. Raises CalendarFileError with every
    problem found.
    """
    start_year, panel = _arguments(label, panel, source)
    calendars = _read_calendars(data, source)
    covers = (date(start_year, 7, 1), date(start_year + 1, 6, 30))
    zone = _zone(calendars[0])
    found = _Found()
    occurrences = _occurrences(calendars, covers, source, found)
    for component in occurrences:
        event = _read_event(component, zone, covers, label, panel, source, found)
        if event:
            _place(event, source, found)
    if panel is None and any(found.marked.values()):
        found.problems.append(_panel_problem(found.marked, source))
        raise CalendarFileError(found.problems)
    entries = _without_duplicates(found, source)
    first = _year_end("first day", first_day, source, found)
    last = _year_end("last day", last_day, source, found)
    if first and last:
        first, last = _including_pa_days(first, last, entries, widen_first=first_day is None,
                                         widen_last=last_day is None)
        found.problems += _span_problems(first, last, covers, entries, label, source)
    if found.problems:
        raise CalendarFileError(found.problems)
    _type_placed(found, first, last, first_day, last_day)
    year = SchoolYear(board=board, label=label, first_day=first, last_day=last, entries=tuple(entries),
                      source=f"{source} (imported from iCalendar)", verified=False, board_name=board_name,
                      origin=source)
    validate(year)
    return IcsImport(year, len(occurrences) + found.unexpanded, sorted(found.typed), sorted(found.ignored),
                     sorted(found.dropped))


def _arguments(label: str, panel: str | None, source: str) -> tuple[int, str | None]:
    """The label fixes the coverage every event is tested against and the panel which events count,
    so both are checked first."""
    problems = []
    if not (re.fullmatch(r"\d{4}-\d{2}", label) and school_year_label(int(label[:4])) == label):
        problems.append(Problem(source, None, "school year", f"'{label}' is not a school year label.",
                                "Write it as the two years it spans, e.g. 2025-26."))
    wanted = panel.strip().lower() if panel is not None else None
    if wanted is not None and wanted not in PANELS:
        problems.append(Problem(source, None, "panel", f"'{panel}' is not a panel.",
                                "Pass --panel elementary or --panel secondary, or no --panel for a calendar "
                                "that marks no days for one panel only."))
    if problems:
        raise CalendarFileError(problems)
    return int(label[:4]), wanted


# --- Bytes to calendars ----------------------------------------------------------------------

def _read_calendars(data: bytes | str, source: str) -> list[icalendar.Calendar]:
    """Parse the file (one VCALENDAR, or several when feeds were merged by concatenation);
    icalendar's own words say what it could not read."""
    try:
        calendars = icalendar.Calendar.from_ical(_unfolded_text(data), multiple=True)
        names = [c.name for c in calendars if c.name != "VCALENDAR"]
        reason = (f"it holds a {names[0]}, not a VCALENDAR" if names else "" if calendars
                  else "it holds no VCALENDAR")
    except (ValueError, TypeError, IndexError, KeyError, AttributeError) as error:  # what icalendar raises on bad bytes
        reason = "".join(c if c.isprintable() else "?" for c in str(error))[:200]
    if not reason:
        return calendars
    raise CalendarFileError([Problem(source, None, "file",
                                     f"This is not an iCalendar file that can be read ({reason}).",
                                     "Download the board's calendar again as an .ics file (it starts with "
                                     "BEGIN:VCALENDAR) and import that.")])


def _unfolded_text(data: bytes | str) -> str:
    """RFC 5545 folds lines every 75 octets, so a fold may fall inside a UTF-8 character:
    unfold the bytes first, then decode them."""
    if isinstance(data, str):
        return _TEXT_FOLD.sub("", data.removeprefix("\ufeff"))
    for bom, codec in _BOMS:
        if data.startswith(bom):
            if codec == "utf-8":
                return _FOLD.sub(b"", data[len(bom):]).decode("utf-8", "replace")
            return _TEXT_FOLD.sub("", data[len(bom):].decode(codec, "replace"))  # CRLF is two or four bytes here
    return _decoded(_FOLD.sub(b"", data))


def _decoded(data: bytes) -> str:
    """The charset the file declares, else UTF-8, else what charset-normalizer detects; among the
    single-byte charsets that read the bytes alike it prefers Windows-1252, Outlook's in Ontario."""
    declared = _CHARSET.search(data)
    for codec in ([declared[1].decode("ascii")] if declared else []) + ["utf-8"]:
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    import charset_normalizer  # only files that are not UTF-8 need it

    matches = list(charset_normalizer.from_bytes(data))
    if any("cp1252" in (match.encoding, *match.could_be_from_charset) for match in matches) or not matches:
        return data.decode("cp1252", "replace")
    return str(matches[0])


def _zone(calendar: icalendar.Calendar) -> ZoneInfo:
    """The zone UTC times are read in: the file's X-WR-TIMEZONE (Google writes it), else Ontario's."""
    try:
        return ZoneInfo(str(calendar.get("X-WR-TIMEZONE", BOARD_ZONE)).strip())
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError; a malformed key a ValueError
        return ZoneInfo(BOARD_ZONE)


# --- Events to occurrences -------------------------------------------------------------------

def _occurrences(calendars: list[icalendar.Calendar], covers: tuple[date, date], source: str,
                 found: _Found) -> list:
    """Every VEVENT once, except that a series (RRULE/RDATE, with its EXDATEs and the instances
    moved by RECURRENCE-ID, which share its UID) gives its occurrences within the coverage."""
    occurrences = []
    for calendar in calendars:
        events = calendar.walk("VEVENT")
        for event in events:
            _dates_as_dates(event)
        series: dict[str, list] = {}
        for event in events:
            if ("RRULE" in event or "RDATE" in event) and event.get("UID"):
                series[str(event["UID"])] = []
        for event in events:
            if str(event.get("UID", "")) in series:
                series[str(event["UID"])].append(event)
        for event in events:
            members = series.get(str(event.get("UID", "")))
            if members:
                if members[0] is event:  # a series is expanded where it first appears in the file
                    occurrences += _expanded(calendar, members, covers, source, found)
            elif "RRULE" in event or "RDATE" in event:  # a series without a UID
                occurrences += _expanded(calendar, [event], covers, source, found)
            else:
                occurrences.append(event)
    return occurrences


def _dates_as_dates(event) -> None:
    """`DTSTART;TZID=America/Toronto;VALUE=DATE:20251010` is a date: icalendar reads it as a midnight."""
    for key in ("DTSTART", "DTEND"):
        value = event.get(key)
        if value is None or not isinstance(value.dt, datetime):
            continue
        if str(value.params.get("VALUE", "")).upper() == "DATE":
            del event[key]
            event.add(key, value.dt.date())


def _expanded(calendar: icalendar.Calendar, components: list, covers: tuple[date, date], source: str,
              found: _Found) -> list:
    """One series' occurrences from July 1 to June 30."""
    alone = icalendar.Calendar()
    for key in ("VERSION", "PRODID", "X-WR-TIMEZONE"):
        if key in calendar:
            alone.add(key, calendar[key])
    for timezone in calendar.walk("VTIMEZONE"):
        alone.add_component(timezone)
    for component in components:
        alone.add_component(component)
    try:
        return list(recurring_ical_events.of(alone).between(covers[0], covers[1] + timedelta(days=1)))
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError) as error:
        # Counted as one occurrence read: listed if its title names nothing the import keeps, else a problem.
        found.unexpanded += 1
        reason = f"repeats by a rule that cannot be read ({str(error)[:200]})"
        _unusable(f"(series) '{_name(components[0])}'", reason, _meaning(components[0]).kind not in _IGNORED_KINDS,
                  source, found)
        return []


# --- One occurrence --------------------------------------------------------------------------

def _read_event(component, zone: ZoneInfo, covers: tuple[date, date], label: str, panel: str | None, source: str,
                found: _Found) -> _Event | None:
    """The occurrence's all-day dates within the coverage, or None once it is listed or found wrong."""
    name, meaning, reason = _name(component), _meaning(component), ""
    try:
        span = _all_day_span(component, zone)
        where = f"{_span_text(*span)} '{name}'" if isinstance(span, tuple) else f"{span} '{name}'"
    except ValueError as error:  # no DTSTART, a broken date, an end before the start
        span, where = None, f"(no date) '{name}'"
        reason = str(error)
    if _text(component, "STATUS").upper() == "CANCELLED":
        found.ignored.append(f"{where}: cancelled (STATUS:CANCELLED)")
        return None
    if panel and meaning.panel and meaning.panel != panel:
        found.dropped.append(f"{where}: for {meaning.panel} schools only; this import is for {panel} schools")
        return None
    if span is None:
        return _unusable(where, reason, meaning.kind not in _IGNORED_KINDS, source, found)
    if not isinstance(span, tuple):
        found.ignored.append(f"{where}: timed event, not an all-day event")
        return None
    first, last = max(span[0], covers[0]), min(span[1], covers[1])
    if first > last:
        found.ignored.append(f"{where}: outside the {label} school year ({covers[0]} to {covers[1]})")
        return None
    if panel is None and meaning.panel and meaning.kind not in _IGNORED_KINDS:
        found.marked[meaning.panel].append(where)
        return None
    return _Event(name, meaning, first, last)


def _all_day_span(component, zone: ZoneInfo) -> tuple[date, date] | date:
    """(first, last) of an all-day event, however its tool wrote it; the local date of a timed event's start."""
    start, end = _when(component, "DTSTART", zone), _when(component, "DTEND", zone)
    if start is None:
        raise ValueError("it has no DTSTART")
    if end is None and component.get("DURATION") is not None:
        end = start + _duration(component)
    midnight = datetime.min.time()
    if not isinstance(start, datetime):
        if isinstance(end, datetime):  # a DATE start with a DATE-TIME end: up to its date, a midnight exclusive
            end = end.date() + timedelta(days=0 if end.time() == midnight else 1)
        if end is not None and end < start:
            raise ValueError(f"it ends ({end}) before it starts")
        return start, (max(start, end - timedelta(days=1)) if end else start)  # DTEND is exclusive
    if end is not None and not isinstance(end, datetime):
        end = datetime.combine(end, midnight)
    if end is not None and end < start:
        raise ValueError(f"it ends ({end}) before it starts")
    flagged = any(_text(component, key).upper() == "TRUE" for key in _ALL_DAY_FLAGS)
    if flagged or (start.time() == midnight and (end is None or end.time() == midnight)):
        if end is None or end.date() == start.date():
            return start.date(), start.date()
        return start.date(), (end.date() - timedelta(days=1) if end.time() == midnight else end.date())
    return start.date()


def _when(component, key: str, zone: ZoneInfo) -> date | datetime | None:
    """A date, or a date-time as the wall clock of its own zone (floating as written; UTC in the board's zone)."""
    value = component.get(key)
    if value is None:
        return None
    try:
        when = value.dt
    except AttributeError as error:
        raise ValueError(f"its {key} cannot be read ({error})") from None
    if isinstance(when, datetime):
        if when.tzinfo is not None and when.utcoffset() == timedelta(0) and str(when.tzname()).upper() in (
                "UTC", "Z", "GMT", "ETC/UTC"):
            when = when.astimezone(zone)
        return when.replace(tzinfo=None)
    if isinstance(when, date):
        return when
    raise ValueError(f"its {key} is not a date ({str(when)[:40]})")


def _duration(component) -> timedelta:
    duration = component.get("DURATION").dt
    if not isinstance(duration, timedelta):
        raise ValueError("its DURATION is not a length of time")
    return duration


def _unusable(where: str, reason: str, used: bool, source: str, found: _Found) -> None:
    """An event that cannot be dated: wrong if it names a day we import, else merely left out."""
    if used:
        found.problems.append(Problem(source, None, "date", f"{where} {reason}.",
                                      "Correct the event's dates in the .ics (one all-day event per day or range), "
                                      "or remove it and add the days to the .schoolyear file by hand."))
    else:
        found.ignored.append(f"{where}: {reason}")
    return None


# --- What the words say ----------------------------------------------------------------------

class _Words:
    """A text as its words: accent-folded, lower-cased, one space between words and around them.
    Phrases are found with str.find, so any title is read in linear time."""

    def __init__(self, text: str):
        folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        self.text = f" {' '.join(_NON_WORD.sub(' ', folded.casefold()).split())} "
        for phrase, neutral in _NEUTRAL:
            self.text = self.text.replace(f" {phrase} ", f" {neutral} ")

    def __bool__(self) -> bool:
        return self.text != "  "

    def has(self, phrases) -> bool:
        return any(f" {phrase} " in self.text for phrase in phrases)

    def first(self, phrases) -> int:
        """Where the earliest of the phrases starts, or -1."""
        return min((at for phrase in phrases if (at := self.text.find(f" {phrase} ")) >= 0), default=-1)

    def after(self, at: int, phrases) -> bool:
        return any(self.text.find(f" {phrase} ", at + 1) >= 0 for phrase in phrases)

    def says_no_school(self) -> bool:
        """'No school' or 'congé', but not 'no school buses' or 'no school uniform'."""
        for phrase in _NO_SCHOOL:
            at = self.text.find(f" {phrase} ")
            while at >= 0:
                following = at + len(phrase) + 2
                if self.text[following:self.text.find(" ", following)] not in _NOT_AFTER_NO_SCHOOL:
                    return True
                at = self.text.find(f" {phrase} ", at + 1)
        return False


def _meaning(component) -> _Meaning:
    """The kind from the SUMMARY (the DESCRIPTION only when there is no SUMMARY: descriptions are prose,
    and 'no school uniform needed' is no holiday); the panel from the SUMMARY, else CATEGORIES, else
    the DESCRIPTION."""
    summary = _Words(_text(component, "SUMMARY"))
    description = _Words(_plain(_text(component, "DESCRIPTION")))
    words = summary or description
    kind, year_end = _kind(words)
    closure_kind = None
    if kind == "closure":
        closure_kind = next((kind for kind, phrases in ((ClosureKind.STRIKE, _STRIKE), (ClosureKind.LOCKOUT, _LOCKOUT),
                                                        (ClosureKind.WEATHER, _WEATHER))
                             if words.has(phrases) or description.has(phrases)), ClosureKind.OTHER)
    panel = next((p for p in map(_panel, (summary, _Words(_text(component, "CATEGORIES")), description))
                  if p is not None), None)
    return _Meaning(kind, year_end, closure_kind, panel or None)


def _kind(words: _Words) -> tuple[str | None, str | None]:
    """The kind of day a title names, tried in an order that lets the narrower reading win:
    "Split PA day" is split, "PA Day – last day of school" both a PA day and the last day,
    "Classes resume after winter break" relative, "Schools closed – Good Friday" statutory."""
    first, last = words.has(_FIRST), words.has(_LAST)
    year_end = "first day" if first and not last else "last day" if last and not first else None
    closed = words.has(_CLOSED)
    if words.has(_SPLIT):
        return "split", None
    if words.has(_CANCEL) and not closed and (words.has(_PA) or words.has(_BREAKISH) or year_end):
        return "cancelled", None
    if words.has(_PA):
        return "pa", year_end
    if _relative(words, first or last):
        return "relative", None
    for kind, phrases in (("break", _BREAK), ("holiday", _HOLIDAY), ("statutory", _STATUTORY)):
        if words.has(phrases):
            return kind, None
    if closed or words.has(_WEATHER_DAY) or words.has(_CANCEL):
        return ("open", None) if words.has(_OPEN) and not closed else ("closure", None)
    if words.says_no_school():
        return "holiday", None
    return ("year end", year_end) if year_end else (None, None)


def _relative(words: _Words, names_year_end: bool) -> bool:
    """Does the title name a day before or after a break or holiday rather than the days off?"""
    at = words.first(_BREAKISH)
    if at >= 0 and names_year_end:  # "Last day of school before March break", "Rentrée après le congé"
        return True
    if at < 0 and not names_year_end:  # "Classes resume after Thanksgiving"; yet "First day after Labour Day" is
        at = words.first(_STATUTORY)  # a first day
    if at < 0:
        return False
    before = words.first(_BEFORE_BREAK)
    return 0 <= before < at or words.after(at, _AFTER_BREAK)


def _panel(words: _Words) -> str | None:
    """'elementary' or 'secondary' for a text that marks one panel only, '' for both, None for neither."""
    named = [panel for panel, names in _PANEL_WORDS.items() if words.has(names)]
    if len(named) != 2:
        return named[0] if named else None
    only = [panel for panel in PANELS if words.has(_ONLY[panel])]
    return only[0] if len(only) == 1 else ""


def _name(component) -> str:
    """The event's name: its SUMMARY, else the DESCRIPTION's first line."""
    summary = _clean(_text(component, "SUMMARY"))
    return summary or _clean(_plain(_text(component, "DESCRIPTION")).strip().split("\n")[0])[:80] or "(no title)"


def _text(component, key: str) -> str:
    """A text property; a feed that repeats one (two SUMMARY lines) gives a list, read as one text."""
    value = component.get(key, "")
    values = value if isinstance(value, list) else [value]
    return " ".join(", ".join(str(c) for c in v.cats) if hasattr(v, "cats") else str(v) for v in values)


def _plain(text: str) -> str:
    """An events plugin's HTML description as its words."""
    return html.unescape(_TAG.sub(" ", text)) if "<" in text or "&" in text else text


def _clean(text: str) -> str:
    """One line of printable text, accents and dashes kept ('|' and '#' are escaped by calendar_file)."""
    name = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return name if len(name) <= _NAME_LENGTH else name[:_NAME_LENGTH - 1] + "…"


# --- Occurrences to the year -----------------------------------------------------------------

def _place(event: _Event, source: str, found: _Found) -> None:
    """Put the occurrence where its kind says: an entry, a first/last day, or the ignored list."""
    kind, year_end = event.meaning.kind, event.meaning.year_end
    if kind in _IGNORED_KINDS:
        found.ignored.append(f"{_span_text(event.first, event.last)} '{event.name}': {_IGNORED_KINDS[kind]}")
        return
    entry = None
    if kind in ("break", "closure"):
        entry = _weekdays_entry(event, _DAY_TYPES[kind], found)
        if entry is None:
            return
    elif kind in ("pa", "holiday"):
        entry = _day_entry(event, _DAY_TYPES[kind], source, found)
        if entry is None:
            return
    day = (event.first if year_end == "first day" else event.last) if year_end else None
    found.placed.append(_Placed(event.name, entry, year_end, day))


def _weekdays_entry(event: _Event, day_type: DayType, found: _Found) -> CalendarEntry | None:
    """Boards publish breaks weekend to weekend (Sat Dec 20 .. Sun Jan 4); a break or closure entry
    runs weekday to weekday."""
    first, last = event.first, event.last
    while first <= last and first.weekday() >= 5:
        first += timedelta(days=1)
    while last >= first and last.weekday() >= 5:
        last -= timedelta(days=1)
    if first > last:
        found.ignored.append(f"{_span_text(event.first, event.last)} '{event.name}': a {day_type} on weekend days only")
        return None
    return CalendarEntry(first, last, day_type, event.name, event.meaning.closure_kind)


def _day_entry(event: _Event, day_type: DayType, source: str, found: _Found) -> CalendarEntry | None:
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
    return None if problems else CalendarEntry(event.first, event.last, day_type, event.name)


def _panel_problem(marked: dict[str, list[str]], source: str) -> Problem:
    counts = " and ".join(f"{len(where)} for {panel} schools only (e.g. {where[0]})"
                          for panel, where in marked.items() if where)
    return Problem(source, None, "panel", f"The file marks days for one panel: {counts}.",
                   "Pass --panel elementary or --panel secondary to import one panel's calendar; days marked "
                   "for neither panel are kept for both.")


def _without_duplicates(found: _Found, source: str) -> list[CalendarEntry]:
    """Merged elementary and secondary feeds publish some days twice: keep one and list the other.
    Different entries on the same days mean the file is wrong, except a closure over another day
    (as in SchoolYear)."""
    kept: list[_Placed] = []
    with_entries = [p for p in found.placed if p.entry]
    found.placed = [p for p in found.placed if not p.entry]
    for placed in sorted(with_entries, key=lambda p: (p.entry.first, -p.entry.last.toordinal(), p.year_end is None)):
        entry = placed.entry
        same = (entry.type, entry.closure_kind)
        twin = next((k for k in kept if (k.entry.type, k.entry.closure_kind) == same
                     and k.entry.first <= entry.first and entry.last <= k.entry.last), None)
        clash = next((k for k in kept if k.entry.first <= entry.last and entry.first <= k.entry.last
                      and (k.entry.type is DayType.CLOSURE) == (entry.type is DayType.CLOSURE)), None)
        if twin and placed.year_end:  # its first/last day still counts, and is typed as one
            found.placed.append(_Placed(placed.name, None, placed.year_end, placed.day))
            continue
        if twin:
            same = ((twin.entry.first, twin.entry.last) == (entry.first, entry.last))
            found.ignored.append(f"{_span(entry)} '{entry.name}': " + (
                f"the same {_type_text(entry)} as '{twin.name}'" if same
                else f"inside the {_type_text(entry)} '{twin.name}' ({_span(twin.entry)})"))
            continue
        if clash:
            found.problems.append(Problem(source, None, "date",
                                          f"'{entry.name}' ({_span(entry)}, {entry.type}) and '{clash.name}' "
                                          f"({_span(clash.entry)}, {clash.entry.type}) fall on the same days.",
                                          "Check both events against the board's calendar; correct or remove one."))
        kept.append(placed)
    found.placed += kept
    return [p.entry for p in kept]


def _year_end(which: str, given: date | None, source: str, found: _Found) -> date | None:
    """The caller's date wins (the file may be silent or wrong); otherwise the file's one date."""
    flag = "--first-day" if which == "first day" else "--last-day"
    dates = [(p.day, p.name) for p in found.placed if p.year_end == which]
    if given:
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


def _type_placed(found: _Found, first: date, last: date, first_day: date | None, last_day: date | None) -> None:
    """One line per placed occurrence: typed, or ignored when the caller's first/last day or a twin replaced it."""
    given = {"first day": first_day, "last day": last_day}
    year = {"first day": first, "last day": last}
    seen: dict[tuple[str, date], str] = {}
    for placed in found.placed:
        what = [_type_text(placed.entry)] if placed.entry else []
        if placed.year_end:
            which, day = placed.year_end, placed.day
            if given[which]:
                note = f"{which} {given[which]} was given, so the file's is not used"
                if not what:
                    found.ignored.append(f"{day} '{placed.name}': {note}")
                    continue
                what.append(f"its {note}")
            elif not what and (which, day) in seen:
                found.ignored.append(f"{day} '{placed.name}': the same {which} as '{seen[which, day]}'")
                continue
            else:
                seen.setdefault((which, day), placed.name)
                widened = f" (the year {'starts' if which == 'first day' else 'ends'} {year[which]} with its PA days)"
                what.append(f"{which} of school" + (widened if year[which] != day else ""))
        span = _span(placed.entry) if placed.entry else str(placed.day)
        found.typed.append(f"{span} '{placed.name}': {', '.join(what)}")


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


def _type_text(entry: CalendarEntry) -> str:
    return f"closure: {entry.closure_kind}" if entry.type is DayType.CLOSURE else str(entry.type)


def _span(entry: CalendarEntry) -> str:
    return _span_text(entry.first, entry.last)


def _span_text(first: date, last: date) -> str:
    return str(first) if first == last else f"{first} .. {last}"
