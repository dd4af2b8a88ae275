"""Property tests of the case format (workflows/case_format.py), the JSON a user
feeds to `flask deadlines replay` and POST /api/replay.

- Any JSON value either reads as a case or raises UserError naming the field and
  the fix; never another exception.
- Any mutation of a valid case (a value replaced by any JSON, a key dropped or
  added, events reordered or duplicated) run through the whole calculator
  (read, replay on the shipped calendar, render) gives an answer or a UserError
  naming the field and the fix.
- A valid case reads back as what it says: every event, date and detail kept.
There is no writer of the case format (a case is written by hand), so no round trip.
"""
from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from school_calendar.board_calendar import BoardCalendar
from school_calendar.calendar_file import read_board_directory
from school_calendar.errors import UserError
from workflows.case_format import read_case, state_as_dict
from workflows.engine import replay
from workflows.rules import load_ruleset

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DEFAULTS = dict(default_today=date(2025, 11, 20), default_board="amdsb-elementary",
                default_ruleset="amdsb-etfo-article-33")
VALID = {"kind": "individual", "today": "2025-11-20", "events": [
    {"type": "awareness", "date": "2025-10-01"}, {"type": "complaint_raised", "date": "2025-10-03"},
    {"type": "complaint_discussed", "date": "2025-10-06"}, {"type": "grievance_filed", "date": "2025-10-14"},
    {"type": "extension_agreed", "date": "2025-10-27", "details": {"limit": "step1_reply", "new_due": "2025-11-07"}},
    {"type": "meeting_requested", "date": "2025-10-28"},
    {"id": 9, "type": "step1_reply", "date": "2025-11-05"},
    {"type": "void", "date": "2025-11-06", "voids": 9, "reason": "wrong case"}]}

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
                    | st.sampled_from(["2025-10-01", "9999-12-31", "0001-01-01", "awareness", "void", "individual"]),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=12)


@pytest.fixture(scope="module")
def calculator():
    calendar = BoardCalendar("amdsb-elementary", read_board_directory()["amdsb-elementary"])
    return calendar, load_ruleset("amdsb-etfo-article-33")


def calculate(data, calendar, rules) -> dict:
    """What `deadlines replay` and POST /api/replay do, minus the database."""
    case = read_case(data, **DEFAULTS)
    state = replay(rules, calendar, case.kind, case.events, case.today)
    return json.loads(json.dumps(state_as_dict(state, rules, calendar, explanations=False)))


def answers_or_names_the_field(data, calendar, rules) -> None:
    try:
        calculate(data, calendar, rules)
    except UserError as error:
        assert error.field and error.fix, f"{error!r} does not say which field or how to fix it"


@FAST
@given(JSON | st.fixed_dictionaries({"kind": JSON, "events": st.lists(JSON, max_size=4)}))
def test_any_json_reads_or_names_the_field(data):
    try:
        read_case(data, **DEFAULTS)
    except UserError as error:
        assert error.field and error.fix


@st.composite
def mutated_cases(draw):
    case = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 3))):
        _mutate(draw, case)
    return case


def _mutate(draw, case: dict) -> None:
    events = case.get("events")
    items = [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []
    target = draw(st.sampled_from([case, *items, *[e["details"] for e in items if isinstance(e.get("details"), dict)]]))
    action = draw(st.sampled_from(["replace", "drop", "add", "shuffle", "duplicate"]))
    if action in ("replace", "drop") and target:
        key = draw(st.sampled_from(sorted(target)))
        if action == "drop":
            del target[key]
        else:
            target[key] = draw(JSON)
    elif action == "add":
        target[draw(st.sampled_from(["details", "voids", "id", "limit", "new_due", "reason", "today", "ruleset"]))] = draw(JSON)
    elif isinstance(events, list) and events:
        if action == "shuffle":
            case["events"] = draw(st.permutations(events))
        else:
            events.append(copy.deepcopy(draw(st.sampled_from(events))))


@FAST
@given(mutated_cases())
def test_a_mutated_case_gives_an_answer_or_names_the_field(calculator, data):
    answers_or_names_the_field(data, *calculator)


@FAST
@given(st.lists(st.sampled_from(VALID["events"][:6]), min_size=1, max_size=8))
def test_a_valid_case_reads_as_it_is_written(events):
    case = read_case({"kind": "group", "events": events}, **DEFAULTS)
    assert [(e.type, e.occurred_on.isoformat()) for e in case.events] == [(e["type"], e["date"]) for e in events]
    assert [dict(e.details) for e in case.events] == [
        {k: date.fromisoformat(v) if k == "new_due" else v for k, v in e.get("details", {}).items()} for e in events]
    assert (case.board, case.ruleset, case.today) == ("amdsb-elementary", "amdsb-etfo-article-33", date(2025, 11, 20))


def test_a_ruleset_that_names_a_file_elsewhere_is_refused():
    # Regression: the case's "ruleset" became a file path, so "../../x", an absolute path to a
    # .toml file, or a NUL byte reached the file system (the NUL byte was a 500 on the API).
    for name in ("../../pyproject", "/etc/passwd.toml", "amdsb-etfo-article-33\x00", ["amdsb-etfo-article-33"]):
        with pytest.raises(UserError) as refused:
            read_case({**VALID, "ruleset": name}, **DEFAULTS)
        assert refused.value.field == "ruleset" and "amdsb-etfo-article-33" in refused.value.fix
