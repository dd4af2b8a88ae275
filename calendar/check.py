"""A school year checked against Regulation 304 before anyone counts on it.

A year read from a board's .ics or typed by hand can be wrong in ways that no
single line shows: the import understood nothing and left an empty year, a
break was lost, a panel's PA days came in with the other panel's. Each of those
moves deadlines a day or a week. `check_year` looks at the year as a whole:

- school days from September 1 to June 30 (Regulation 304's reading: every day
  of the school year that is not a school holiday): at least 194 (s. 2 (3.1));
- PA days: at most 7 (s. 2 (3.1));
- a Christmas vacation and a mid-winter (March) break (s. 2 (4));
- Easter Monday, a school holiday of s. 2 (4), declared;
- the first and last day near the ends of the year (a first day before
  September 1 is the board's, with the Ministry's approval: a note);
- every date the file marks unconfirmed, and whether the local verified it.

A *problem* means the year is not the board's calendar as published: an import
with one writes nothing unless forced. A *note* is for the person checking.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.easter import easter

from .days import DayType, Unit, counted_types
from .school_year import SchoolYear

MIN_SCHOOL_DAYS = 194  # Regulation 304, s. 2 (3.1)
MAX_PA_DAYS = 7        # Regulation 304, s. 2 (3.1): up to 7, 3 of them on provincial priorities
LATEST_FIRST_DAY = (9, 10)   # (month, day): a first day after this is no Ontario school year
EARLIEST_LAST_DAY = (6, 15)


@dataclass(frozen=True)
class Finding:
    """One thing the check found. `severity` is "problem" (the year is wrong) or "note"."""

    severity: str
    field: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}" + (f" Fix: {self.fix}" if self.fix else "")

    def as_dict(self) -> dict:
        return {"severity": self.severity, "field": self.field, "message": self.message, "fix": self.fix}


@dataclass(frozen=True)
class YearCheck:
    """The check of one school year: its figures and what was found.

    school_days  Regulation 304 school days (instructional, split, PA, closure) from
                 September 1 (or the first day, if later) to June 30 (or the last day)
    instructional_days  the days Article 33's "school days" count in that span
    pa_days      PA days declared (split days count half)
    """

    board: str
    label: str
    school_days: int
    instructional_days: int
    pa_days: float
    findings: list[Finding] = field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "problem"]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "note"]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        verdict = "passes" if self.ok else f"FAILS ({len(self.problems)} problem{'s' * (len(self.problems) != 1)})"
        pa = f"{self.pa_days:g}"
        return (f"{self.board} {self.label}: {verdict} the Regulation 304 check: {self.school_days} school days "
                f"Sept 1 to June 30 (at least {MIN_SCHOOL_DAYS}), {self.instructional_days} of them instructional, "
                f"{pa} PA day{'s' * (pa != '1')} (at most {MAX_PA_DAYS}).")

    def lines(self) -> list[str]:
        return [self.summary()] + [f"  {f}" for f in self.findings]

    def as_dict(self) -> dict:
        return {"board": self.board, "school_year": self.label, "ok": self.ok, "school_days": self.school_days,
                "instructional_days": self.instructional_days, "pa_days": self.pa_days,
                "findings": [f.as_dict() for f in self.findings]}


def check_year(year: SchoolYear) -> YearCheck:
    """Check `year` against Regulation 304 (see the module docstring). Raises nothing."""
    typed = year.typed_days()
    span = [d for d in typed if date(year.start_year, 9, 1) <= d.date <= date(year.start_year + 1, 6, 30)]
    reg304 = counted_types(Unit.REG304, year.closures_count)
    school = counted_types(Unit.SCHOOL_DAYS, year.closures_count)
    school_days = sum(d.type in reg304 for d in span)
    pa_days = sum(1 if d.type is DayType.PA_DAY else 0.5 if d.type is DayType.SPLIT_DAY else 0 for d in typed)
    findings = [*_count_findings(school_days, pa_days), *_break_findings(year, typed), *_end_findings(year),
                *_confidence_findings(year)]
    return YearCheck(year.board, year.label, school_days, sum(d.type in school for d in span), pa_days, findings)


def _count_findings(school_days: int, pa_days: float):
    if school_days < MIN_SCHOOL_DAYS:
        yield Finding("problem", "school days",
                      f"Only {school_days} school days from September 1 to June 30; Regulation 304 requires at "
                      f"least {MIN_SCHOOL_DAYS}. Days the source gave as off may have been read as holidays, or the "
                      "first/last day is wrong.",
                      "Compare the year's holidays, breaks and first/last day with the board's published calendar.")
    if pa_days > MAX_PA_DAYS:
        yield Finding("problem", "PA days",
                      f"{pa_days:g} PA days; Regulation 304 allows at most {MAX_PA_DAYS}. A calendar for both "
                      "panels may have brought in the other panel's PA days.",
                      "Import with --panel elementary or --panel secondary, or remove the other panel's days.")


def _break_findings(year: SchoolYear, typed):
    def has_break_in(first: date, last: date) -> bool:
        return any(d.type is DayType.BREAK and first <= d.date <= last for d in typed)

    start = year.start_year
    if not has_break_in(date(start, 12, 15), date(start + 1, 1, 10)):
        yield Finding("problem", "winter break",
                      "No Christmas vacation (winter break) between December 15 and January 10: its days would "
                      "count as school days.",
                      "Add the board's winter break as a 'break' line (weekdays, e.g. 2025-12-22 .. 2026-01-02).")
    if not has_break_in(date(start + 1, 2, 15), date(start + 1, 4, 15)):
        yield Finding("problem", "March break",
                      "No mid-winter (March) break: its days would count as school days.",
                      "Add the board's March break as a 'break' line (Monday to Friday).")
    easter_monday = easter(start + 1) + timedelta(days=1)
    day = next((d for d in typed if d.date == easter_monday), None)
    if day and day.type in (DayType.INSTRUCTIONAL, DayType.PA_DAY, DayType.SPLIT_DAY):
        yield Finding("problem", "Easter Monday",
                      f"Easter Monday ({easter_monday}), a school holiday under Regulation 304, s. 2 (4), is "
                      f"{'an' if day.type is DayType.INSTRUCTIONAL else 'a'} {day.type} in this year.",
                      f"Add '{easter_monday} | school holiday | Easter Monday' unless the board's calendar, "
                      "approved by the Ministry, says otherwise.")


def _end_findings(year: SchoolYear):
    start = year.start_year
    if year.first_day < date(start, 9, 1):
        yield Finding("note", "first day",
                      f"The year starts {year.first_day:%a %Y-%m-%d}, before September 1: Regulation 304's school "
                      "year starts on or after September 1 unless the Ministry approved the board's calendar.",
                      "Check the date against the board's published calendar.")
    if year.first_day > date(start, *LATEST_FIRST_DAY):
        yield Finding("problem", "first day",
                      f"The year starts {year.first_day:%a %Y-%m-%d}, after September {LATEST_FIRST_DAY[1]}: "
                      "the days before it would be counted as summer.",
                      "Give the board's first day of school (PA days before classes included).")
    if year.last_day < date(start + 1, *EARLIEST_LAST_DAY):
        yield Finding("problem", "last day",
                      f"The year ends {year.last_day:%a %Y-%m-%d}, before June {EARLIEST_LAST_DAY[1]}: "
                      "the days after it would be counted as summer.",
                      "Give the board's last day of school (PA days after classes included).")


def _confidence_findings(year: SchoolYear):
    for name in sorted(year.unconfirmed_fields):
        yield Finding("note", name, f"The {name} ({getattr(year, name.replace(' ', '_'))}) is not confirmed by the "
                                    "board's calendar.", "Confirm it and remove '| unconfirmed'.")
    for entry in year.entries:
        if entry.unconfirmed:
            span = str(entry.first) if entry.first == entry.last else f"{entry.first} .. {entry.last}"
            yield Finding("note", "date", f"{span} ({entry.type}: {entry.name or 'unnamed'}) is not confirmed by "
                                          "the board's calendar.", "Confirm it and remove '| unconfirmed'.")
    if not year.verified:
        yield Finding("note", "verified",
                      "The local has not verified this year against the board's published calendar.",
                      "Check every date, then set 'verified: yes' in the .schoolyear file and load it again.")
