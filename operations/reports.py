"""Reports for bargaining: what the local's grievances were about, where they came
from, how far they went, how they ended, how long they took and who kept the time
limits, over the cases opened in a period.

Every table is a `Table` of plain rows (numbers, dates, text), so the page and the
CSV downloads show the same figures. Only the cases the user may see are counted
(accounts.visible): nobody counts another local's cases. Voided events, and the
voids themselves, are ignored everywhere, as the engine ignores them.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Board, DeadlineRecord, Grievance, GrievanceEvent, SchoolYearRecord, User
from school_calendar.errors import UserError
from workflows.clauses import ClauseRef, Unreadable, parse_clauses

from . import accounts
from . import grievances as grievance_operations

VOID = "void"
FILING_EVENTS = ("grievance_filed", "board_grievance_filed")
CLOSING_EVENTS = ("settled", "withdrawn", "abandoned", "decision")
# The furthest step a case reached, in order. A Board grievance's first step
# (33.06, the President of the Union Local) counts as Step 1.
STEPS = (("new", "Not yet filed"), ("complaint", "Complaint (33.03)"), ("step_1", "Step 1"),
         ("step_2", "Step 2"), ("arbitration", "Arbitration"))
STEP_OF_STAGE = {"new": 0, "complaint": 1, "step_1": 2, "board_step_1": 2, "step_2": 3, "arbitration": 4}
OUTCOMES = (("open", "Open"), ("settled", "Settled"), ("withdrawn", "Withdrawn"),
            ("abandoned", "Deemed abandoned"), ("allowed", "Decided: allowed"),
            ("allowed in part", "Decided: allowed in part"), ("dismissed", "Decided: dismissed"))
OUTCOME_NOT_RECORDED = ("decided", "Decided: outcome not recorded")
PARTIES = (("union", "Union Local"), ("board", "Board"), ("both", "Both parties"))
MISSED = ("missed", "met_late", "overdue")
NO_ARTICLE = "Other (no article number)"
NO_SCHOOL = "(no school given)"
NO_CLAUSE = "(no clause given)"
_LABEL = re.compile(r"^(\d{4})-(\d{2})$")
_ARTICLE = re.compile(r"^(?:art(?:icle)?\.?\s*)?(\d+)", re.IGNORECASE)


# -- the period ----------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """The cases opened from `start` to `end`, both included."""

    start: date
    end: date
    school_year: str | None = None

    @property
    def label(self) -> str:
        span = f"{self.start.isoformat()} to {self.end.isoformat()}"
        return f"School year {self.school_year} ({span})" if self.school_year else span

    @property
    def slug(self) -> str:
        """For file names: letters, digits and hyphens only."""
        return self.school_year or f"{self.start.isoformat()}-to-{self.end.isoformat()}"


def school_year_period(label: str) -> Period:
    """A school year for reports: September 1 to August 31 (e.g. 2025-26)."""
    match = _LABEL.match(label.strip())
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise UserError(f"'{label}' is not a school year.", field="year", fix="Choose a school year such as 2025-26.")
    start_year = int(match[1])
    return Period(date(start_year, 9, 1), date(start_year + 1, 8, 31), label.strip())


def school_year_of(day: date) -> str:
    """The school year (September to August) holding `day`."""
    start_year = day.year if day.month >= 9 else day.year - 1
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def custom_period(start: date, end: date) -> Period:
    if end < start:
        raise UserError(f"The period ends ({end.isoformat()}) before it starts ({start.isoformat()}).", field="to",
                        fix="Give a 'to' date on or after the 'from' date.")
    return Period(start, end)


def school_years(session: Session) -> list[str]:
    """The school years of the loaded board calendars, oldest first."""
    return list(session.scalars(select(SchoolYearRecord.label).distinct().order_by(SchoolYearRecord.label)))


# -- tables ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Table:
    """One report table. Each row's first cell names the row (a row header)."""

    name: str                    # in the CSV's address: /reports/<name>.csv
    caption: str
    headers: tuple[str, ...]
    rows: list[tuple]
    note: str = ""


@dataclass(frozen=True)
class Report:
    period: Period
    cases: int                   # cases opened in the period that the user may see
    tables: list[Table]


def cell(value: Any) -> str:
    """A value as the page and the CSV show it."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def report(session: Session, user: User, period: Period) -> Report:
    """Every table, counted from one reading of the cases."""
    source = _Source(session, user, period)
    return Report(period, len(source.cases), [build(source) for build in _BUILDERS.values()])


def table(session: Session, user: User, period: Period, name: str) -> Table:
    """One table by name; KeyError for a name that is not a table."""
    return _BUILDERS[name](_Source(session, user, period))


def cases_by_article(session: Session, user: User, period: Period) -> Table:
    return table(session, user, period, "articles")


def cases_by_clause(session: Session, user: User, period: Period) -> Table:
    return table(session, user, period, "clauses")


def cases_by_school(session: Session, user: User, period: Period) -> Table:
    return table(session, user, period, "schools")


def cases_by_step(session: Session, user: User, period: Period) -> Table:
    return table(session, user, period, "steps")


def cases_by_outcome(session: Session, user: User, period: Period) -> Table:
    return table(session, user, period, "outcomes")


def time_to_resolution(session: Session, user: User, period: Period) -> Table:
    return table(session, user, period, "resolution")


def time_limits(session: Session, user: User, period: Period) -> Table:
    return table(session, user, period, "time-limits")


# -- reading the cases ---------------------------------------------------------------------

@dataclass
class _Case:
    id: int
    number: str
    kind: str
    school: str
    clauses: str
    ruleset: str
    board_slug: str
    events: list  # the effective events: (type, occurred_on, details), in the engine's order

    def first(self, types) -> tuple | None:
        return next((e for e in self.events if e[0] in types), None)

    def last(self, types) -> tuple | None:
        return next((e for e in reversed(self.events) if e[0] in types), None)


class _Source:
    """The visible cases opened in the period, read once for all the tables."""

    def __init__(self, session: Session, user: User, period: Period):
        self.session, self.user, self.period = session, user, period

    def _in_period(self, query):
        return accounts.visible(self.user, query).where(Grievance.opened_on >= self.period.start,
                                                        Grievance.opened_on <= self.period.end)

    @cached_property
    def cases(self) -> list[_Case]:
        rows = self.session.execute(self._in_period(
            select(Grievance.id, Grievance.number, Grievance.kind, Grievance.school, Grievance.clauses,
                   Grievance.ruleset, Board.slug).join(Board, Board.id == Grievance.board_id))
            .order_by(Grievance.number, Grievance.id)).all()
        events = self._effective_events(self._in_period(select(Grievance.id)))
        return [_Case(i, number, kind, school or "", clauses or "", ruleset, slug, events.get(i, []))
                for i, number, kind, school, clauses, ruleset, slug in rows]

    def _effective_events(self, ids) -> dict[int, list]:
        rows = self.session.execute(
            select(GrievanceEvent.grievance_id, GrievanceEvent.id, GrievanceEvent.seq, GrievanceEvent.type,
                   GrievanceEvent.occurred_on, GrievanceEvent.details, GrievanceEvent.voids_event_id)
            .where(GrievanceEvent.grievance_id.in_(ids))).all()
        voided = {voids for *_, type_, _on, _details, voids in rows if type_ == VOID}
        kept: dict[int, list] = {}
        for grievance_id, event_id, seq, type_, on, details, _voids in rows:
            if type_ != VOID and event_id not in voided:
                kept.setdefault(grievance_id, []).append((on, seq, type_, details))
        return {gid: [(type_, on, _details(details)) for on, _seq, type_, details in sorted(events)]
                for gid, events in kept.items()}

    @cached_property
    def deadlines(self) -> list[tuple[str, str, date | None]]:
        """(party, status, extended_to) of every time limit of the cases."""
        return [tuple(row) for row in self.session.execute(self._in_period(
            select(DeadlineRecord.party, DeadlineRecord.status, DeadlineRecord.extended_to)
            .join(Grievance, Grievance.id == DeadlineRecord.grievance_id)))]

    def calendar(self, board_slug: str):
        return grievance_operations.calendar_for(self.session, board_slug)


def _details(text: str | None) -> dict:
    try:
        details = json.loads(text or "{}")
    except ValueError:
        return {}
    return details if isinstance(details, dict) else {}


# -- the tables ----------------------------------------------------------------------------

def _articles(source: _Source) -> Table:
    counts: dict[str, int] = {}
    order: dict[str, tuple] = {}
    for case in source.cases:
        articles = {item.article if isinstance(item, ClauseRef) else None for item in parse_clauses(case.clauses)} \
            or {None}
        for article in articles:
            label = f"Article {article}" if article is not None else NO_ARTICLE
            counts[label] = counts.get(label, 0) + 1
            order[label] = (article is None, article or 0)
    rows = sorted(counts.items(), key=lambda item: (-item[1], order[item[0]]))
    return Table("articles", "Cases by article of the collective agreement", ("Article", "Cases"), rows,
                 "The article of each clause reference (12.06 b is Article 12; workflows/clauses.py reads "
                 "them). A case naming several articles counts once under each.")


def _clauses_table(source: _Source) -> Table:
    counts: dict[str, int] = {}
    shown: dict[str, str] = {}
    for case in source.cases:
        items = parse_clauses(case.clauses)
        clauses = {_clause_key(item): item for item in items} or {NO_CLAUSE.lower(): None}
        for key, item in clauses.items():
            counts[key] = counts.get(key, 0) + 1
            if not shown.get(key) or (isinstance(item, ClauseRef) and item.title and shown[key] == item.key):
                shown[key] = item.text() if item is not None else NO_CLAUSE  # the first title seen names it
    rows = [(shown[key], n) for key, n in sorted(counts.items(), key=lambda item: (-item[1], _natural(shown[item[0]])))]
    return Table("clauses", "Cases by clause", ("Clause", "Cases"), rows,
                 "By clause reference (12.06, 12.06 b, Art. 12.06 and 12.06 Preparation time are one clause); "
                 "other language named on a grievance as written. A case naming several counts once under each.")


def _schools(source: _Source) -> Table:
    counts: dict[str, int] = {}
    for case in source.cases:
        school = " ".join(case.school.split()) or NO_SCHOOL
        counts[school] = counts.get(school, 0) + 1
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))
    return Table("schools", "Cases by school", ("School", "Cases"), rows)


def _steps(source: _Source) -> Table:
    counts = [0] * len(STEPS)
    for case in source.cases:
        counts[_step_reached(case)] += 1
    return Table("steps", "Cases by the furthest step reached", ("Step reached", "Cases"),
                 [(label, counts[i]) for i, (_key, label) in enumerate(STEPS)],
                 "The furthest step the recorded events took the case to, voided events aside; "
                 "a Board grievance's first step (33.06) counts as Step 1.")


def _outcomes(source: _Source) -> Table:
    counts = {key: 0 for key, _label in (*OUTCOMES, OUTCOME_NOT_RECORDED)}
    for case in source.cases:
        counts[_outcome(case)] += 1
    rows = [(label, counts[key]) for key, label in OUTCOMES]
    if counts[OUTCOME_NOT_RECORDED[0]]:
        rows.append((OUTCOME_NOT_RECORDED[1], counts[OUTCOME_NOT_RECORDED[0]]))
    return Table("outcomes", "Cases by outcome", ("Outcome", "Cases"), rows)


def _resolution(source: _Source) -> Table:
    resolved: dict[str, int] = {}
    counted: dict[str, list[int]] = {}
    for case, days, _note in _resolutions(source):
        resolved[case.kind] = resolved.get(case.kind, 0) + 1
        if days is not None:
            counted.setdefault(case.kind, []).append(days)
    every = [d for days in counted.values() for d in days]
    rows = [("All kinds", sum(resolved.values()), *_summary(every))]
    labels = {case.kind: _kind_label(case) for case in source.cases}
    order = {kind: i for i, kind in enumerate(_kind_order(source))}
    for kind in sorted(resolved, key=lambda k: order.get(k, len(order))):
        rows.append((labels[kind], resolved[kind], *_summary(counted.get(kind, []))))
    return Table("resolution", "School days from filing to resolution",
                 ("Kind of case", "Resolved", "Counted", "Median", "Mean", "Shortest", "Longest"), rows,
                 "From the grievance's filing (33.04 Step One, or the Board's under 33.06) to the event that closed "
                 "it (settled, withdrawn, deemed abandoned, arbitration decision), in school days on the board's "
                 "calendar. Resolved cases the calendar cannot count are listed as not counted, never guessed.")


def _resolution_cases(source: _Source) -> Table:
    rows = []
    for case, days, note in _resolutions(source):
        filed, closed = case.first(FILING_EVENTS), case.last(CLOSING_EVENTS)
        rows.append((case.number, _kind_label(case), filed[1] if filed else None, closed[1],
                     _outcome_label(_outcome(case)), days, note))
    return Table("resolution-cases", "Resolved cases, filing to resolution",
                 ("Grievance", "Kind", "Filed", "Resolved", "Outcome", "School days", "Not counted because"), rows)


def _time_limits(source: _Source) -> Table:
    tally = {party: [0, 0, 0, 0, 0] for party, _label in PARTIES}  # limits, met, extended, missed, running
    for party, status, extended_to in source.deadlines:
        counts = tally.setdefault(party, [0, 0, 0, 0, 0])
        counts[0] += 1
        counts[1] += status == "met"
        counts[2] += extended_to is not None
        counts[3] += status in MISSED
        counts[4] += status == "running"
    labels = dict(PARTIES)
    rows = [(labels.get(party, party), *counts) for party, counts in tally.items()
            if party in ("union", "board") or counts[0]]
    return Table("time-limits", "Time limits met, extended and missed, by the party that had to act",
                 ("Party", "Time limits", "Met on time", "Extended", "Missed", "Still running"), rows,
                 "Every Article 33 time limit that ran in these cases. Met on time: the act came by the last day. "
                 "Extended: the parties extended it in writing (33.02 d); it is also counted as met or missed. "
                 "Missed: the act came late, never came, or the last day has passed. Limits ended by another "
                 "step or by the case closing are counted only under 'Time limits'.")


_BUILDERS = {
    "articles": _articles,
    "clauses": _clauses_table,
    "schools": _schools,
    "steps": _steps,
    "outcomes": _outcomes,
    "resolution": _resolution,
    "resolution-cases": _resolution_cases,
    "time-limits": _time_limits,
}
TABLE_NAMES = tuple(_BUILDERS)


# -- what each case says ------------------------------------------------------------------------

def _clause_key(item: ClauseRef | Unreadable) -> str:
    """A reference groups by its key; other language by its words, case and spacing aside."""
    return item.key if isinstance(item, ClauseRef) else " ".join(item.written.casefold().split())


def _article(clause: str) -> int | None:
    match = _ARTICLE.match(clause.strip())
    return int(match[1]) if match else None


def _natural(text: str) -> tuple:
    """12.07 b after 12.06, 5.01 before 24.01; text without an article number last."""
    article = _article(text)
    return (article is None, article or 0, re.sub(r"\d+", lambda m: m[0].zfill(9), text.casefold()))


def _step_reached(case: _Case) -> int:
    rules = grievance_operations.rules_named(case.ruleset)
    stage, furthest = "new", 0
    for type_, _on, _details_ in case.events:
        rule = rules.events.get(type_)
        stage = (rule.next_stage(case.kind) if rule else None) or stage
        furthest = max(furthest, STEP_OF_STAGE.get(stage, 0))
    return furthest


def _outcome(case: _Case) -> str:
    closed = case.last(CLOSING_EVENTS)
    if closed is None:
        return "open"
    if closed[0] != "decision":
        return closed[0]
    outcome = " ".join(str(closed[2].get("outcome", "")).lower().split())
    return outcome if outcome in ("allowed", "allowed in part", "dismissed") else OUTCOME_NOT_RECORDED[0]


def _outcome_label(key: str) -> str:
    return dict((*OUTCOMES, OUTCOME_NOT_RECORDED)).get(key, key)


def _kind_label(case: _Case) -> str:
    kind = grievance_operations.rules_named(case.ruleset).kinds.get(case.kind)
    return kind.label if kind else case.kind


def _kind_order(source: _Source) -> list[str]:
    order: list[str] = []
    for case in source.cases:
        for kind in grievance_operations.rules_named(case.ruleset).kinds:
            if kind not in order:
                order.append(kind)
    return order


def _resolutions(source: _Source):
    """(case, school days or None, why not counted) for every closed case."""
    for case in source.cases:
        closed = case.last(CLOSING_EVENTS)
        if closed is None:
            continue
        filed = case.first(FILING_EVENTS)
        if filed is None:
            yield case, None, "closed before a grievance was filed"
            continue
        try:
            yield case, source.calendar(case.board_slug).count(filed[1], closed[1]), ""
        except UserError as missing:  # a school year not loaded: say so, never guess
            yield case, None, missing.message


def _summary(days: list[int]) -> tuple:
    """(counted, median, mean, shortest, longest)."""
    if not days:
        return (0, None, None, None, None)
    ordered = sorted(days)
    n, middle = len(ordered), len(ordered) // 2
    median = Decimal(ordered[middle]) if n % 2 else Decimal(ordered[middle - 1] + ordered[middle]) / 2
    mean = (Decimal(sum(ordered)) / n).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return (n, median, mean, ordered[0], ordered[-1])
