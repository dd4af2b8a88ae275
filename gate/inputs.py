"""What each door may send, as pydantic models built from gate/fields.py.

No model has a `recorded_by`, `by` or `local`: who acts, and for which local,
comes from the login (or the CLI's operator), never from the input. Every model
forbids fields it does not know, so a client sending `recorded_by` learns that it
is not taken rather than believing it was. A board the acting local may not use
is refused here: the door passes the local's boards as the validation context
({"boards": {...}, "default_board": "..."}).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from school_calendar.days import ClosureKind, DayType
from school_calendar.school_year import CalendarEntry

from .fields import (MAX_DETAILS, MAX_EVENTS, BoardSlug, Clauses, Id, IsoDate, Members, RulesetName, Version,
                     details_value, required, text)


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _details(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError('is not an object: give details as {"name": "value", …}')
    if len(value) > MAX_DETAILS:
        raise ValueError(f"has more than {MAX_DETAILS} entries: give only the ones the event has")
    out = {}
    for name, item in value.items():
        if not isinstance(name, str) or not name.isidentifier() or len(name) > 40:
            raise ValueError(f"has '{str(name)[:40]}', which is not a detail's name: use the names the form shows")
        if item not in (None, ""):
            try:
                out[name] = details_value(name, item)
            except ValueError as error:
                raise ValueError(f"'{name}' {error}") from None
    return out


def _board_of_local(slug: str | None, info: ValidationInfo) -> str | None:
    """A board the acting local's cases count on (the context's "boards"); None: the default."""
    context = info.context or {}
    if slug is None:
        return context.get("default_board")
    boards = context.get("boards")
    if boards is not None and slug not in boards:
        raise ValueError(f"is '{slug}', a board your local's cases do not count on: leave it out (it is "
                         f"{context.get('default_board')}) or name one of {', '.join(sorted(boards))}")
    return slug


class NewCaseInput(Input):
    """A grievance opened from the form or POST /api/grievances (33.03, 33.04)."""

    number: required("number")
    kind: required("number")
    first_event_on: IsoDate
    members: Members = ()
    school: text("school") = ""
    clauses: Clauses = ""
    description: text("description") = ""
    remedy: text("remedy") = ""
    board: BoardSlug | None = None
    ruleset: RulesetName | None = None
    document: text("document") = ""
    # Issue 13, item 7: a first event in a school year with no calendar loaded is opened only when confirmed.
    confirm_uncounted: bool = Field(default=False, strict=True)

    _board = field_validator("board", mode="after")(_board_of_local)


class EventInput(Input):
    """An event recorded on a case."""

    type: required("name")
    occurred_on: IsoDate
    details: dict[str, str] = Field(default_factory=dict)
    document: text("document") = ""
    version: Version | None = None
    # Issue 13, item 7: an event in a school year with no calendar loaded is recorded only when confirmed.
    confirm_uncounted: bool = Field(default=False, strict=True)

    _details = field_validator("details", mode="before")(_details)


class VoidInput(Input):
    reason: required("reason")
    version: Version | None = None


class CorrectInput(Input):
    occurred_on: IsoDate
    details: dict[str, str] | None = None
    reason: required("reason")
    version: Version | None = None

    @field_validator("details", mode="before")
    @classmethod
    def _checked_details(cls, value):
        return None if value is None else _details(value)


def _last_day(last: date | None, info: ValidationInfo, fix: str) -> date | None:
    """A range's last day: not before its first, and within a year of it (one school year)."""
    first = info.data.get("first")
    if last is not None and first is not None and not 0 <= (last - first).days <= 366:
        raise ValueError(f"is {last}, before the first day ({first}) or more than a year after it: {fix}")
    return last


class FactsInput(Input):
    """A case's facts corrected (issue 13), from the case page or POST /api/grievances/ID/facts: only the
    fields given change; the events' dates, the stage and the deadlines are not here, so never edited."""

    number: required("number") | None = None
    members: Members | None = None
    school: text("school") | None = None
    clauses: Clauses | None = None
    description: text("description") | None = None
    remedy: text("remedy") | None = None
    officer_id: Id | None = None
    reason: required("reason")
    version: Version | None = None


class AssignmentInput(Input):
    """Who holds a case (issue 13): its stewards (all of them: those left out are unassigned) and its
    officer, each one of the acting local's people (checked by the operation)."""

    steward_ids: list[Id] = Field(default_factory=list, max_length=100)
    officer_id: Id | None = None
    reason: text("reason") = ""
    version: Version | None = None


class NoteInput(Input):
    """A note on a case, or on one of its events (event_id); the author is the login."""

    text: required("note")
    event_id: Id | None = None


DAY_TYPES = ("pa day", "split day", "school holiday", "closure")


class CalendarDayInput(Input):
    """A PA day, split day, school holiday or closure added during the year (form, API, CLI)."""

    first: IsoDate
    last: IsoDate | None = None
    type: Literal["pa day", "split day", "school holiday", "closure"]
    closure_kind: ClosureKind | None = Field(default=None, validate_default=True)
    name: text("name") = ""
    reason: required("reason")

    @field_validator("last", mode="after")
    @classmethod
    def _after_first(cls, last, info: ValidationInfo):
        return _last_day(last, info, "give the last day of the same school year")

    @field_validator("closure_kind", mode="after")
    @classmethod
    def _kind_of_closure(cls, kind, info: ValidationInfo):
        if (info.data.get("type") == "closure") != (kind is not None):
            raise ValueError("is needed for a closure (strike, lock-out, weather, other), and only for one: "
                             "choose the kind of closure, or leave it out for another day")
        return kind


    def entry(self) -> CalendarEntry:
        """The calendar entry this adds (one day when no last day is given)."""
        types = {"pa day": DayType.PA_DAY, "split day": DayType.SPLIT_DAY, "school holiday": DayType.SCHOOL_HOLIDAY,
                 "closure": DayType.CLOSURE}
        return CalendarEntry(self.first, self.last or self.first, types[self.type], self.name, self.closure_kind)


class ClosureInput(Input):
    """A closure (POST /api/boards/SLUG/closures): strike, lock-out, weather or other."""

    first: IsoDate
    last: IsoDate | None = None
    kind: ClosureKind
    name: text("name") = ""
    reason: required("reason")

    def as_day(self) -> CalendarDayInput:
        return CalendarDayInput(first=self.first, last=self.last, type="closure", closure_kind=self.kind,
                                name=self.name, reason=self.reason)


class ReopenInput(Input):
    """Closure days taken back (web form, POST /api/boards/SLUG/reopen, `schooldays reopen`): the
    schools opened on first..last after all. One day when no last day is given."""

    first: IsoDate
    last: IsoDate | None = None
    reason: required("reason")

    @field_validator("last", mode="after")
    @classmethod
    def _not_before_first(cls, last, info: ValidationInfo):
        return _last_day(last, info, "give the last day the schools opened on, in the same closure")

    @property
    def last_day(self) -> date:
        return self.last or self.first


class CaseEventItem(BaseModel):
    """One event of a case given whole (the calculator, docs/case-format.md)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    id: Any = None
    type: required("name")
    date: IsoDate
    details: dict[str, str] = Field(default_factory=dict)
    voids: Any = None
    reason: text("reason") = ""

    _details = field_validator("details", mode="before")(_details)


class CaseInput(BaseModel):
    """A case for the calculator (POST /api/replay, `deadlines replay`): stores nothing."""

    model_config = ConfigDict(frozen=True)  # the case format allows comments and labels of its own
    board: BoardSlug | None = None
    ruleset: RulesetName | None = None
    kind: required("number")
    today: IsoDate | None = None
    events: list[CaseEventItem] = Field(min_length=1, max_length=MAX_EVENTS)


# -- a case exported by the tracker, imported again (web, CLI, archive) ---------------------------

Stamp = required("name")  # an ISO timestamp; parse_stamp reads it


class DocumentItem(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    id: Any = None
    filename: required("document")
    content_type: required("name")
    size: int = Field(strict=True, ge=0, le=10 * 1024 * 1024)
    sha256: str = Field(strict=True, pattern=r"^[0-9a-f]{64}$")
    uploaded_by: text("recorded_by") = ""
    uploaded_at: text("name") | None = None


class ExportedEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)  # labels are for reading
    id: Any = None
    seq: Id
    type: required("name")
    occurred_on: IsoDate
    details: dict[str, str] = Field(default_factory=dict)
    document: text("document") = ""
    recorded_by: text("recorded_by") = ""
    recorded_at: text("name") | None = None
    voids: Any = None
    voids_seq: Id | None = None
    reason: text("reason") = ""
    documents: list[DocumentItem] = Field(default_factory=list, max_length=100)

    _details = field_validator("details", mode="before")(_details)


class ExportedMove(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    deadline: required("name")
    old_due: IsoDate | None = None
    new_due: IsoDate | None = None
    old_act_by: IsoDate | None = None
    new_act_by: IsoDate | None = None
    reason: text("reason") = ""
    moved_at: text("name") | None = None
    moved_by: text("recorded_by") = ""


class ExportedEdit(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    field: Literal["number", "members", "school", "clauses", "description", "remedy", "officer", "stewards"]
    old_value: text("description") = ""
    new_value: text("description") = ""
    reason: required("reason")
    edited_by: text("recorded_by") = ""
    edited_at: text("name") | None = None


class ExportedNote(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    text: required("note")
    event_seq: Id | None = None
    written_by: text("recorded_by") = ""
    written_at: text("name") | None = None


class ExportedCase(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    number: required("number")
    kind: required("number")
    board: BoardSlug
    ruleset: RulesetName
    members: Members | required("description") = ()
    school: text("school") = ""
    clauses: Clauses = ""
    description: text("description") = ""
    remedy: text("remedy") = ""
    officer: text("recorded_by") | None = None
    created_at: text("name") | None = None
    created_by: text("recorded_by") = ""
    opened_on: IsoDate | None = None

    _board = field_validator("board", mode="after")(_board_of_local)


class CaseImport(BaseModel):
    """A case exported by the tracker (operations/exports.case_json), to import into the acting local."""

    model_config = ConfigDict(extra="ignore", frozen=True)  # the derived part is for reading only
    format: Literal["grievance-tracker/case"]
    case: ExportedCase
    events: list[ExportedEvent] = Field(min_length=1, max_length=MAX_EVENTS)
    deadline_moves: list[ExportedMove] = Field(default_factory=list, max_length=10 * MAX_EVENTS)
    fact_changes: list[ExportedEdit] = Field(default_factory=list, max_length=MAX_EVENTS)
    notes: list[ExportedNote] = Field(default_factory=list, max_length=MAX_EVENTS)
    stewards: list[text("email")] = Field(default_factory=list, max_length=100)  # by email
