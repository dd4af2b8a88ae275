"""One definition per field: its type, its range or length, and the words a person
sees for it. Every door (forms, the JSON API, case import, the CLI) reads its
input through the models of gate/inputs.py, which are built from these.

    IsoDate          a date written YYYY-MM-DD, between 1990-01-01 and 2100-12-31
    text(name)       text no longer than LIMITS[name] (operations/text_limits.py), trimmed
    required(name)   the same, and not empty
    Version          a case's version, 0 .. 2**31 - 1 (a JSON true is not a number)
    BoardSlug, RulesetName   names that become look-ups, never paths
"""
from __future__ import annotations

import re
from contextlib import suppress
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, WithJsonSchema

from school_calendar.errors import UserError
from workflows.case_format import ruleset_name
from workflows.clauses import canonical

# How long each free-text field may be. VARCHAR(n) columns hold no more (PostgreSQL refuses a longer
# value); TEXT columns would, but a 1 MB member name would fill every list and digest.
LIMITS = {
    "number": 40, "school": 200, "members": 200, "recorded_by": 200, "name": 200, "email": 200,
    "document": 300, "details": 500, "clauses": 2_000, "reason": 2_000, "description": 20_000, "remedy": 20_000,
    "note": 5_000,  # models/case_file.py NOTE_LIMIT, a CHECK in the database too
}
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)
DATE_DETAILS = frozenset({"new_due", "mediation_by", "hearing_date"})  # details the engine reads as dates
MAX_DETAILS = 20
MAX_MEMBERS = 100
MAX_EVENTS = 1_000
MAX_INT = 2 ** 31 - 1

# The words a person sees for each field (the form's label), in messages and fixes.
LABELS = {
    "number": "Grievance number", "kind": "Kind of grievance", "first_event_on": "Date of the first event",
    "members": "Member(s)", "school": "School", "clauses": "Clauses", "description": "Description",
    "remedy": "Remedy sought", "board": "Board", "ruleset": "Rule set", "document": "Document",
    "type": "Type", "occurred_on": "Date it happened", "details": "Details", "version": "Version", "reason": "Reason",
    "first": "First day", "last": "Last day", "name": "Name", "closure_kind": "Kind of closure",
    "kind_of_closure": "Kind of closure", "officer_id": "Officer", "new_due": "New last day agreed in writing",
    "mediation_by": "Mediation to take place by", "hearing_date": "First hearing date", "today": "Today",
    "events": "Events",
    "date": "Date", "seq": "Sequence number", "voids": "Voids", "voids_seq": "Voids (seq)",
    "recorded_by": "Recorded by", "recorded_at": "Recorded at", "case": "Case", "format": "Format",
    "deadline_moves": "Deadline moves", "old_due": "Old due date", "opened_on": "Opened on",
    "created_at": "Created at", "created_by": "Created by", "officer": "Officer", "size": "Size",
    "sha256": "SHA-256", "filename": "File name", "content_type": "Content type", "documents": "Documents",
    "deadline": "Deadline", "moved_at": "Moved at", "moved_by": "Moved by", "uploaded_by": "Uploaded by",
    "uploaded_at": "Uploaded at", "id": "Id", "note": "Note", "event_id": "Event", "text": "Note",
    "fact_changes": "Changes to the facts", "notes": "Notes", "steward_ids": "Steward(s)", "stewards": "Steward(s)",
    # an event's details, as the record form asks for them
    "limit": "Time limit extended", "appointee": "Appointee named", "chair": "Chairperson", "outcome": "Outcome",
    "mediator": "Mediator", "step": "Step omitted",
}


# How to mend a field left empty, where "Give <label>." says too little.
FIXES = {
    "number": "Give the grievance a number, e.g. 2025-014.",
    "reason": "Say why, e.g. 'Board notice of school closures, 2025-11-20' or 'the reply was delivered on the 14th'.",
    "members": "Name the teacher(s) involved, one a line.",
    "first_event_on": "Give the day the teacher became aware of it (a Board grievance: the day it happened).",
    "occurred_on": "Give the day it happened (a reply: the day it was delivered).",
    "limit": "Choose the time limit the parties extended.", "new_due": "Give the day the parties agreed in writing.",
    "appointee": "Name the appointee (single arbitrator or nominee).", "chair": "Name the chairperson.",
    "hearing_date": "Give the first hearing date.", "outcome": "Say how it ended: allowed, allowed in part, dismissed.",
    "mediator": "Name the person agreed as mediator (33.07).", "step": "Choose the step omitted.",
    "mediation_by": "Give the day by which mediation is to take place.",
}


def label(field: str) -> str:
    return LABELS.get(field, field.replace("_", " ").capitalize())


def _iso_date(value: Any) -> date:
    """Only a date or a YYYY-MM-DD text: pydantic's lax reading would take 0 for 1970-01-01."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value):
        with suppress(ValueError):  # 2025-02-30 has the shape but is no date: refused below
            return date.fromisoformat(value.strip())
    raise ValueError(f"is not a date ('{str(value)[:40]}'): write it as YYYY-MM-DD")


def _in_range(day: date) -> date:
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"is {day}, outside {EARLIEST} to {LATEST}: check the year")
    return day


IsoDate = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_in_range),
                    WithJsonSchema({"type": "string", "format": "date",
                                    "description": f"YYYY-MM-DD, {EARLIEST} to {LATEST}"})]


def text(limit: str):
    """Text of at most LIMITS[limit] characters (operations/text_limits.py), trimmed."""
    return Annotated[str, Field(strict=True), StringConstraints(strip_whitespace=True, max_length=LIMITS[limit])]


def required(limit: str):
    """The same, and not empty."""
    return Annotated[str, Field(strict=True), StringConstraints(strip_whitespace=True, min_length=1,
                                                                max_length=LIMITS[limit])]


Version = Annotated[int, Field(strict=True, ge=0, le=MAX_INT)]
Id = Annotated[int, Field(strict=True, ge=1, le=MAX_INT)]
BoardSlug = Annotated[str, Field(strict=True), StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
def _known_ruleset(name: str) -> str:
    """A rule set in workflows/rulesets/ by name: the name becomes a file look-up, never a path."""
    try:
        return ruleset_name(name, "ruleset")
    except UserError as error:
        raise ValueError(f"is '{str(name)[:64]}', not a rule set the tracker has: "
                         f"{(error.fix or '').rstrip('.').lower()}") from None


RulesetName = Annotated[str, Field(strict=True), StringConstraints(max_length=64), AfterValidator(_known_ruleset)]
# Clauses as references the tool reads ("Art. 12.06 (prep time)" -> "12.06 — Prep time"), one a line;
# other language a grievance names is kept as written (workflows/clauses.py).
Clauses = Annotated[str, Field(strict=True), StringConstraints(strip_whitespace=True, max_length=LIMITS["clauses"]),
                    AfterValidator(canonical)]
Members = Annotated[list[required("members")], Field(max_length=MAX_MEMBERS)]


def details_value(name: str, value: Any) -> Any:
    """A detail is text; the ones the engine reads as dates must be dates in range."""
    if name in DATE_DETAILS:
        return _in_range(_iso_date(value)).isoformat()
    if not isinstance(value, str):
        raise ValueError("is not text: give it as text")
    if len(value) > LIMITS["details"]:
        raise ValueError(f"is longer than {LIMITS['details']} characters ({len(value)}): shorten it")
    return value.strip()
