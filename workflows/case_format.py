"""The case format: a case as a board, a kind and a list of events, in JSON.
Read by `flask --app app deadlines replay CASE.json` and POST /api/replay,
which store nothing. docs/case-format.md describes every field and event type.

    {"board": "amdsb-elementary", "ruleset": "amdsb-etfo-article-33",
     "kind": "individual", "today": "2025-11-20",
     "events": [{"type": "awareness", "date": "2025-10-01"},
                {"type": "extension_agreed", "date": "2025-11-10",
                 "details": {"limit": "step2_referral", "new_due": "2025-12-01"}}]}
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from school_calendar.board_calendar import BoardCalendar
from school_calendar.errors import UserError
from school_calendar.explanation import explain

from .engine import CaseEvent, CaseState, Deadline
from .rules import RULESETS, RuleSet

DATE_DETAILS = ("new_due", "mediation_by", "hearing_date")
MAX_EVENTS = 1000


@dataclass(frozen=True)
class Case:
    board: str
    ruleset: str
    kind: str
    today: date
    events: list[CaseEvent]


def read_case(data: Any, *, default_today: date, default_board: str, default_ruleset: str) -> Case:
    if not isinstance(data, dict):
        raise UserError("A case is a JSON object.", field="case", fix='Start from {"kind": …, "events": […]}.')
    events = data.get("events")
    if not isinstance(events, list) or not events:
        raise UserError("The case has no events.", field="events", fix="Give a list of events, oldest first.")
    if len(events) > MAX_EVENTS:  # a case has tens of events; 100,000 would hold a worker for minutes
        raise UserError(f"The case has {len(events)} events.", field="events",
                        fix=f"Give at most {MAX_EVENTS} events: the events of one grievance.")
    return Case(board=str(data.get("board") or default_board),
                ruleset=ruleset_name(data.get("ruleset") or default_ruleset, "ruleset"),
                kind=_text(data, "kind", "kind"), today=_date(data.get("today"), "today") if data.get("today") else default_today,
                events=[_event(item, i) for i, item in enumerate(events)])


def _event(item: Any, index: int) -> CaseEvent:
    where = f"events[{index}]"
    if not isinstance(item, dict):
        raise UserError(f"{where} is not an object.", field=where, fix='Write {"type": …, "date": "YYYY-MM-DD"}.')
    details = item.get("details") or {}
    if not isinstance(details, dict):
        raise UserError(f"{where}.details is not an object.", field=f"{where}.details", fix="Give details as an object.")
    details = {k: _date(v, f"{where}.details.{k}") if k in DATE_DETAILS else v for k, v in details.items()}
    return CaseEvent(id=_event_id(item.get("id", index + 1), f"{where}.id"), type=_text(item, "type", f"{where}.type"),
                     occurred_on=_date(item.get("date"), f"{where}.date"), details=details, seq=index + 1,
                     voids=_event_id(item.get("voids"), f"{where}.voids"), reason=str(item.get("reason", "")))


def _event_id(value: Any, field: str) -> Any:
    """An event's id, or the id a void names: a number or a text (the engine looks events up
    by it, so a list or an object was a TypeError, a 500 on POST /api/replay)."""
    if value is None or (isinstance(value, (int, str)) and not isinstance(value, bool)):
        return value
    raise UserError(f"{field} is not an id.", field=field, fix="Give the event's id as a number or a text, e.g. 3.")


def ruleset_name(value: Any, field: str) -> str:
    """The name of a rule set in workflows/rulesets/, and nothing else: the name becomes a
    file path, so '../x', '/etc/x.toml' or a NUL byte must never reach the file system."""
    known = sorted(path.stem for path in RULESETS.glob("*.toml"))
    if value not in known:
        raise UserError(f"'{value}' is not a rule set.", field=field, fix=f"Use one of: {', '.join(known)}.")
    return value


def _text(data: dict, key: str, field: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"'{field}' is missing.", field=field, fix=f"Give {key} as text.")
    return value.strip()


def _date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise UserError(f"'{value}' is not a date.", field=field, fix="Write dates as YYYY-MM-DD.") from None


def state_as_dict(state: CaseState, rules: RuleSet, calendar: BoardCalendar, *, explanations: bool = True) -> dict:
    """The case's state as JSON-ready values, each deadline with its arithmetic."""
    return {
        "kind": state.kind, "stage": state.stage, "stage_label": rules.stages[state.stage].label, "open": state.open,
        "opened_on": _iso(state.opened_on),
        "next_deadline": state.next_deadline.key if state.next_deadline else None,
        "deadlines": [deadline_as_dict(d, calendar, explanations) for d in state.deadlines],
        "flags": [{"code": f.code, "clause": f.clause, "message": f.message, "deadline": f.deadline_key,
                   "date": _iso(f.date)} for f in state.flags],
        "allowed_events": [{"type": t, "label": rules.events[t].label, "clause": rules.events[t].clause,
                            "details": list(rules.events[t].details)} for t in state.allowed_events],
    }


def deadline_as_dict(d: Deadline, calendar: BoardCalendar, with_explanation: bool = True) -> dict:
    out = {
        "key": d.key, "label": d.rule.label, "clause": d.rule.clause, "party": d.party, "status": d.status,
        "trigger": d.trigger, "trigger_date": _iso(d.trigger_date), "n": d.rule.n, "unit": str(d.rule.unit),
        "meeting_delay_school_days": d.delay, "extended_to": _iso(d.extended_to), "due": _iso(d.due),
        "safe_due": _iso(d.safe_due), "act_by": _iso(d.act_by), "provisional": d.provisional,
        "ended_on": _iso(d.ended_on), "ended_by": d.ended_by, "consequence": d.rule.consequence,
        "consequence_text": d.rule.consequence_text, "interpretation": d.rule.interpretation, "error": d.error,
    }
    if with_explanation:
        out["explanation"] = explain_deadline(d, calendar)
    return out


def explain_deadline(d: Deadline, calendar: BoardCalendar) -> dict | None:
    """The days counted and skipped from the trigger to the due date, or why there are none."""
    if d.extended_to:
        return {"text": f"Extended by written mutual consent (33.02 d) to {d.extended_to}."}
    if d.rule.n is None:
        return {"text": f"An agreed date ({d.rule.clause}): {d.due}."}
    if d.error or d.due is None:
        return {"text": d.error or "Not counted."}
    explained = explain(calendar, d.trigger_date, d.counted_n, d.rule.unit)
    data = explained.as_dict()
    data["text"] = explained.text()
    if d.provisional:
        data["provisional"] = (f"The grievance meeting requested on {d.meeting_pending_since} has not been held; "
                               "the reply waits for it. The date assumes the meeting on the last day it may be held.")
    if d.delay:
        data["meeting_delay"] = (f"{d.rule.n} {d.rule.unit} plus {d.delay} school days between the meeting "
                                 f"request and the meeting (33.04 Grievance Hearing).")
    return data


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def changes_between(before: CaseState, after: CaseState, rules: RuleSet, calendar: BoardCalendar) -> list[str]:
    """What an event will change, in words: "Step 2 referral due Wed 12 Nov 2025 — 10 school days,
    skips the PA day on Fri 7 Nov"."""
    lines = []
    if after.stage != before.stage:
        lines.append(f"The case moves to {rules.stages[after.stage].label}.")
    old = {(d.key, d.trigger): d for d in before.deadlines}
    for d in after.deadlines:
        was = old.get((d.key, d.trigger))
        if was is None or (was.due != d.due and d.is_open):
            lines.append(_new_deadline_words(d, calendar))
        elif was.is_open and not d.is_open:
            lines.append(f"{d.rule.label}: {d.status.replace('_', ' ')}.")
    for code in sorted({f.code for f in after.flags} - {f.code for f in before.flags}):
        lines.append(f"New flag: {code.replace('_', ' ')}.")
    return lines or ["Nothing changes in the deadlines."]


def _new_deadline_words(d: Deadline, calendar: BoardCalendar) -> str:
    if d.due is None:
        return f"{d.rule.label}: cannot be counted. {d.error or ''}".strip()
    words = f"{d.rule.label} due {d.due:%a %d %b %Y}"
    if d.counted_n is not None and not d.extended_to:
        words += f" — {d.counted_n} {d.rule.unit} from {d.trigger_date:%a %d %b}"
        skipped = [day for day in explain(calendar, d.trigger_date, d.counted_n, d.rule.unit).skipped
                   if day.reason != "weekend"]
        if skipped:
            words += ", skips " + _skipped_words(skipped)
    if d.party == "union" and d.safe_due and d.safe_due != d.due:
        words += f"; safe date {d.safe_due:%a %d %b %Y}"
    return words + "."


def _skipped_words(days) -> str:
    """Runs of the same reason joined: 'Winter break (Mon 22 Dec - Fri 2 Jan), the PA day on Fri 7 Nov'."""
    runs: list[list] = []
    for day in days:
        if runs and runs[-1][0] == day.reason:
            runs[-1][2] = day.date
        else:
            runs.append([day.reason, day.date, day.date])
    parts = []
    for reason, first, last in runs:
        when = f"on {first:%a %d %b}" if first == last else f"{first:%a %d %b} - {last:%a %d %b}"
        parts.append(f"the {reason} {when}" if reason == "PA day" else f"{reason} ({when})")
    return ", ".join(parts)
