"""The case calculator: a case given as JSON (docs/case-format.md), replayed
against a stored board calendar and a rule set, with nothing stored. Behind
`flask deadlines replay CASE.json` and POST /api/replay."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from workflows.case_format import read_case, state_as_dict
from workflows.engine import replay

from . import grievances


def replay_case(session: Session, data, *, today: date, default_board: str, default_ruleset: str,
                explanations: bool = True) -> dict:
    """{board, ruleset, today, state, deadlines (with their arithmetic unless `explanations`
    is false), flags…} for the case `data` (parsed JSON). Raises UserError (naming the field)
    for a case that cannot be read and SchoolYearMissing for a date no loaded calendar covers."""
    case = read_case(data, default_today=today, default_board=default_board, default_ruleset=default_ruleset)
    calendar = grievances.calendar_for(session, case.board)
    rules = grievances.rules_named(case.ruleset)
    state = replay(rules, calendar, case.kind, case.events, case.today)
    return {"board": case.board, "ruleset": case.ruleset, "today": case.today.isoformat(),
            **state_as_dict(state, rules, calendar, explanations=explanations)}
