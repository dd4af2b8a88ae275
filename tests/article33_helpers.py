"""Small helpers for the Article 33 scenario tests (tests/test_article33_*.py).

    ev("grievance_filed", "2025-10-20")                  an event, with its own id and seq
    ev("extension_agreed", "2026-03-02", limit="step2_referral", new_due="2026-03-13")
    ev("void", "2025-10-09", voids=reply.id, reason="wrong date")
    run(amdsb, "policy", events, today="2025-10-28")    replay with the Article 33 rule set
    deadline(state, "step1_reply")                       the one deadline of that key
    flags(state, "ours_overdue")                         the flags of that code

Ids and seq come from one counter, so events built in the order they are
written keep that order when two fall on the same day.
"""
from __future__ import annotations

import itertools
from datetime import date

from school_calendar.board_calendar import BoardCalendar
from school_calendar.school_year import CalendarEntry
from workflows.engine import CaseEvent, CaseState, Deadline, Flag, check_new_event, replay
from workflows.rules import load_ruleset

RULES = load_ruleset("amdsb-etfo-article-33")
BOARD = "amdsb-elementary"

# Detail fields the rule set reads as dates (workflows.engine._DATE_DETAILS).
_DATE_DETAILS = {"new_due", "mediation_by", "hearing_date"}
_numbers = itertools.count(1)


def d(text: str | date) -> date:
    return text if isinstance(text, date) else date.fromisoformat(text)


def ev(type: str, on: str | date, *, voids=None, reason: str = "", **details) -> CaseEvent:
    number = next(_numbers)
    details = {k: d(v) if k in _DATE_DETAILS and isinstance(v, str) else v for k, v in details.items()}
    return CaseEvent(id=f"e{number}", type=type, occurred_on=d(on), details=details, seq=number,
                     voids=voids, reason=reason)


def run(calendar: BoardCalendar, kind: str, events, today: str | date) -> CaseState:
    return replay(RULES, calendar, kind, list(events), d(today))


def check(calendar: BoardCalendar, kind: str, events, new: CaseEvent, today: str | date) -> CaseState:
    return check_new_event(RULES, calendar, kind, list(events), new, d(today))


def deadline(state: CaseState, key: str) -> Deadline:
    found = [x for x in state.deadlines if x.key == key]
    assert len(found) == 1, f"expected one '{key}' deadline, found {[(x.key, x.status) for x in state.deadlines]}"
    return found[0]


def has_deadline(state: CaseState, key: str) -> bool:
    return any(x.key == key for x in state.deadlines)


def flags(state: CaseState, code: str | None = None) -> list[Flag]:
    return [f for f in state.flags if code is None or f.code == code]


def statuses(state: CaseState) -> dict[str, str]:
    return {x.key: x.status for x in state.deadlines}


def calendar_with(shipped_years, *entries: CalendarEntry) -> BoardCalendar:
    """The shipped AMDSB calendar with extra entries (PA days, closures) added to the
    school year that holds each one."""
    years = []
    for year in shipped_years[BOARD]:
        for entry in entries:
            if year.first_day <= entry.first <= year.last_day:
                year = year.with_entry(entry)
        years.append(year)
    return BoardCalendar(BOARD, years)
