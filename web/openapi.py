"""The OpenAPI 3.1 description of /api/, served at /api/openapi.json.

Request bodies are described by the gate's own models (gate/inputs.py), so the
document and the validation are one definition: a field added, bounded or
dropped there changes both."""
from __future__ import annotations

from functools import lru_cache

from pydantic.json_schema import models_json_schema

from gate.inputs import (AssignmentInput, CalendarDayInput, CaseInput, ClosureInput, CorrectInput, EventInput, FactsInput,
                         NewCaseInput, NoteInput, ReopenInput, VoidInput)

# The request bodies, by the name the document gives them.
INPUTS = {"NewGrievance": NewCaseInput, "NewEvent": EventInput, "Void": VoidInput, "Correction": CorrectInput,
          "Closure": ClosureInput, "NewDay": CalendarDayInput, "Reopening": ReopenInput, "Case": CaseInput,
          "Facts": FactsInput, "Note": NoteInput, "Assignment": AssignmentInput}

DATE = {"type": "string", "format": "date"}
CHANGE_RESULT = {"$ref": "#/components/schemas/ChangeResult"}
ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _error(text: str) -> dict:
    return {"description": text, **_json(ERROR)}


# Issue 13, item 7: a date the board calendar cannot count is stored only when confirmed.
UNCOUNTED = ("The date is in a school year whose calendar is not loaded (`school_year` names it): load it, or "
             "send `confirm_uncounted: true` to record it anyway")


def _responses(ok: str, schema: dict, status: str = "200", *, body: bool = False, writes: bool = False,
               versioned: bool = False) -> dict:
    """Every answer an operation can give: its success, and the errors any request can
    meet (bad input, no login, nothing there); a request with a body can be too large, a
    write can be refused to the role, and one that takes `version` can find the case
    changed meanwhile."""
    out = {status: {"description": ok, **_json(schema)},
           "400": _error("Bad input: the field at fault and the fix"),
           "401": _error("Not logged in"),
           "404": _error("Not found (or another local's)")}
    if body or writes:
        out["413"] = _error("The request is larger than the tracker accepts (12 MB)")
    if writes:
        out["403"] = _error("The role does not allow this")
    if versioned:
        out["409"] = _error("The case changed since `version`: reload it")
    return out


def _query(name: str, schema: dict, required: bool = True, text: str = "") -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": text}


PATH_ID = {"name": "grievance_id", "in": "path", "required": True, "schema": {"type": "integer"}}
PATH_BOARD = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}


def openapi_document() -> dict:
    grievance = {"$ref": "#/components/schemas/Grievance"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Grievance timeline tracker API", "version": "1",
                 "description": "Article 33 grievances as timelines: events in, deadlines and flags out, "
                                "each deadline with its school-day arithmetic. Log in with POST /login (form: "
                                "email, password, csrf_token); send the session cookie, and on every POST the "
                                "X-CSRF-Token header from GET /api/session. 401 without a login, 403 when the "
                                "role does not allow the action."},
        "paths": {
            "/api/grievances": {
                "get": {"summary": "Grievances, the most urgent first",
                        "parameters": [_query("open", {"type": "string", "enum": ["1", "0", "all"]}, False),
                                       _query("flag", {"type": "string"}, False, "only cases with this flag"),
                                       _query("limit", {"type": "integer", "minimum": 0, "maximum": 500}, False)],
                        "responses": _responses("The list", {"type": "object", "properties": {
                            "grievances": {"type": "array", "items": {"$ref": "#/components/schemas/Summary"}}}})},
                "post": {"summary": "Open a case (33.03, 33.04: member(s), clauses, description, remedy)",
                         "requestBody": {"required": True, **_json({"$ref": "#/components/schemas/NewGrievance"})},
                         "responses": {**_responses("The new case", grievance, "201", writes=True),
                                       "409": _error(UNCOUNTED)}},
            },
            "/api/grievances/{grievance_id}": {
                "get": {"summary": "A case: events, deadlines with explanations, flags, allowed events",
                        "parameters": [PATH_ID], "responses": _responses("The case", grievance)}},
            "/api/grievances/{grievance_id}/events": {
                "post": {"summary": "Record an event the procedure allows now",
                         "parameters": [PATH_ID],
                         "requestBody": {"required": True, **_json({"$ref": "#/components/schemas/NewEvent"})},
                         "responses": {**_responses("The case after the event", grievance, "201", writes=True),
                                       "409": _error("The case changed since `version`: reload it; or "
                                                     + UNCOUNTED[:1].lower() + UNCOUNTED[1:])}}},
            "/api/grievances/{grievance_id}/events/{event_id}/void": {
                "post": {"summary": "Void an event (a correction, with a reason)",
                         "parameters": [PATH_ID, {"name": "event_id", "in": "path", "required": True,
                                                  "schema": {"type": "integer"}}],
                         "requestBody": {"required": True, **_json({"$ref": "#/components/schemas/Void"})},
                         "responses": _responses("The case after the correction", grievance, "201", writes=True,
                                                 versioned=True)}},
            "/api/grievances/{grievance_id}/events/{event_id}/correct": {
                "post": {"summary": "Correct an event's date or details: it is voided and recorded again, checked together",
                         "parameters": [PATH_ID, {"name": "event_id", "in": "path", "required": True,
                                                  "schema": {"type": "integer"}}],
                         "requestBody": {"required": True, **_json({"$ref": "#/components/schemas/Correction"})},
                         "responses": _responses("The case after the correction", grievance, "201", writes=True,
                                                 versioned=True)}},
            "/api/grievances/{grievance_id}/facts": {
                "post": {"summary": "Correct a case's facts (members, school, clauses, description, remedy, officer, "
                                    "number), with a reason; each change is kept on the timeline",
                         "parameters": [PATH_ID],
                         "requestBody": {"required": True, **_json({"$ref": "#/components/schemas/Facts"})},
                         "responses": _responses("The case after the change", grievance, "200", writes=True,
                                                 versioned=True)}},
            "/api/grievances/{grievance_id}/assignment": {
                "post": {"summary": "Set the case's stewards (each one listed; the others are unassigned) and its "
                                    "officer, from the local's own people; each change is kept on the timeline",
                         "parameters": [PATH_ID],
                         "requestBody": {"required": True, **_json({"$ref": "#/components/schemas/Assignment"})},
                         "responses": _responses("The case after the change", grievance, "200", writes=True,
                                                 versioned=True)}},
            "/api/grievances/{grievance_id}/notes": {
                "post": {"summary": "A note on the case or one of its events; it changes no date",
                         "parameters": [PATH_ID],
                         "requestBody": {"required": True, **_json({"$ref": "#/components/schemas/Note"})},
                         "responses": _responses("The note", {"type": "object"}, "201", writes=True)}},
            "/api/replay": {
                "post": {"summary": "Calculator: a case's state from its events; stores nothing",
                         "requestBody": {"required": True, **_json({"$ref": "#/components/schemas/Case"})},
                         "responses": _responses("State, deadlines and flags", {"type": "object"}, body=True)}},
            "/api/boards": {"get": {"summary": "Boards and their loaded school years",
                                    "responses": _responses("The boards", {"type": "object"})}},
            "/api/boards/{slug}/days": {
                "get": {"summary": "Each day's type between two dates",
                        "parameters": [PATH_BOARD, _query("from", DATE), _query("to", DATE)],
                        "responses": _responses("The days", {"type": "object"})},
                "post": {"summary": "Add a PA day, split day, school holiday or closure during the year; "
                                    "running deadlines move and the moves are returned",
                         "parameters": [PATH_BOARD],
                         "requestBody": {"required": True, **_json({"$ref": "#/components/schemas/NewDay"})},
                         "responses": _responses("The day and the deadlines it moved", CHANGE_RESULT, "201",
                                                 writes=True)}},
            "/api/boards/{slug}/schooldays": {
                "get": {"summary": "The Nth counted day after a date, with every day explained",
                        "parameters": [PATH_BOARD, _query("start", DATE), _query("n", {"type": "integer", "minimum": 0}),
                                       _query("unit", {"type": "string", "enum": ["school-days", "days", "reg304"]}, False)],
                        "responses": _responses("The explanation", {"type": "object"})}},
            "/api/boards/{slug}/closures": {
                "post": {"summary": "Add a closure; running deadlines move and the moves are returned",
                         "parameters": [PATH_BOARD],
                         "requestBody": {"required": True, **_json({"$ref": "#/components/schemas/Closure"})},
                         "responses": _responses("The closure and the deadlines it moved", CHANGE_RESULT, "201",
                                                 writes=True)}},
            "/api/boards/{slug}/reopen": {
                "post": {"summary": "Take closure days back (the schools opened after all): the closure that holds "
                                    "them is removed or shortened, logged with the reason; every deadline counted "
                                    "across them is recomputed and the moves are returned",
                         "parameters": [PATH_BOARD],
                         "requestBody": {"required": True, **_json({"$ref": "#/components/schemas/Reopening"})},
                         "responses": _responses("The days reopened and the deadlines it moved", CHANGE_RESULT,
                                                 writes=True)}},
            "/api/session": {"get": {"summary": "Who is logged in, and the CSRF token to send as X-CSRF-Token",
                                     "responses": _responses("The session", {"type": "object", "properties": {
                                         "user": {"type": "string"}, "role": {"type": "string"},
                                         "csrf_token": {"type": "string"}}})}},
            "/api/openapi.json": {"get": {"summary": "This document",
                                          "responses": {"200": {"description": "OpenAPI 3.1", **_json({"type": "object"})},
                                                        "401": _error("Not logged in")}}},
        },
        "components": {"schemas": _schemas()},
    }


def _schemas() -> dict:
    text, texts = {"type": "string"}, {"type": "array", "items": {"type": "string"}}
    return {
        "Error": {"type": "object", "required": ["error"], "properties": {
            "error": text, "field": {"type": ["string", "null"]}, "fix": {"type": ["string", "null"]},
            "problems": {"type": "array", "items": {"type": "object"}}}},
        **_input_schemas(),
        "Summary": {"type": "object", "properties": {
            "id": {"type": "integer"}, "number": text, "kind": text, "stage": text, "open": {"type": "boolean"},
            "members": texts, "school": text, "opened_on": DATE, "next_act_by": {"type": ["string", "null"]},
            "next_party": {"type": ["string", "null"]}, "next_deadline": {"type": ["string", "null"]},
            "flag_codes": texts, "version": {"type": "integer"}}},
        "Deadline": {"type": "object", "properties": {
            "key": text, "label": text, "clause": text, "party": text, "status": text, "trigger": text,
            "trigger_date": DATE, "n": {"type": ["integer", "null"]}, "unit": text, "due": {"type": ["string", "null"]},
            "safe_due": {"type": ["string", "null"]}, "act_by": {"type": ["string", "null"]},
            "consequence_text": text, "interpretation": {"type": ["string", "null"]},
            "explanation": {"type": ["object", "null"]}}},
        "MovedDeadline": {"type": "object", "properties": {
            "grievance_id": {"type": "integer"}, "number": text, "local": text, "deadline": text, "label": text,
            "clause": text, "old_due": {"type": ["string", "null"]}, "new_due": {"type": ["string", "null"]},
            "old_act_by": {"type": ["string", "null"]}, "new_act_by": {"type": ["string", "null"]},
            "due_moved": {"type": "boolean"}, "act_by_moved": {"type": "boolean"},
            "words": {**text, "description": "Which date moved, from what to what, and which did not"},
            "status": {**text, "description": "The new act-by date as of today, in school days"},
            "safe_note": {**text, "description": "Where the act-by (safe) date is earlier than the agreement's"},
            "reason": text, "moved_at": {"type": ["string", "null"]}, "moved_by": text}},
        "ChangeResult": {"type": "object", "required": ["summary", "moved_deadlines", "other_locals_moved"],
                         "properties": {
            "summary": text,
            "moved_deadlines": {"type": "array", "items": {"$ref": "#/components/schemas/MovedDeadline"},
                                "description": "Every deadline of your local's cases the change moved, with the "
                                               "agreement's date and the act-by (safe) date, before and after"},
            "other_locals_moved": {"type": "integer", "description": "Moves in other locals' cases: counted only"}}},
        "Grievance": {"allOf": [{"$ref": "#/components/schemas/Summary"}, {"type": "object", "properties": {
            "deadlines": {"type": "array", "items": {"$ref": "#/components/schemas/Deadline"}},
            "flags": {"type": "array"}, "events": {"type": "array"}, "allowed_events": {"type": "array"},
            "deadline_moves": {"type": "array"}}}]},
    }


@lru_cache(maxsize=1)
def _input_schemas() -> dict:
    """The gate's models as components: each under its name in INPUTS, with the types they share."""
    by_model, top = models_json_schema([(model, "validation") for model in INPUTS.values()],
                                       ref_template="#/components/schemas/{model}")
    schemas = dict(top.get("$defs", {}))
    renamed = {model.__name__: name for name, model in INPUTS.items()}
    out = {renamed.get(key, key): value for key, value in schemas.items()}
    return _retarget(out, renamed)


def _retarget(node, renamed: dict):
    """$refs to a model's class name point at its name in the document."""
    if isinstance(node, dict):
        return {k: (f"#/components/schemas/{renamed.get(v.rsplit('/', 1)[-1], v.rsplit('/', 1)[-1])}"
                    if k == "$ref" and isinstance(v, str) else _retarget(v, renamed)) for k, v in node.items()}
    if isinstance(node, list):
        return [_retarget(v, renamed) for v in node]
    return node
