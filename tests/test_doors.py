"""The same hostile inputs through every door data comes in by: the JSON API, the forms,
the query strings, the case import (web and CLI), and the CLI commands that read a file.

Each door is a row: a valid input, and the fields of it that each payload goes into.
Each payload is a column: over-long text, the wrong type, far dates, another local's
board, path-like names, deep JSON, huge counts. For every pair the door must answer a
clear 4xx (the CLI: a non-zero exit) naming the field, store nothing, and show nothing
of the other local. A guard fails when the URL map gains an entry point that is neither
a row here nor listed, with why, among those that read no input.

The world is test_access_matrix's: local A on its own board (alpha-board), local B on
the deployment's (amdsb-elementary); every door is used by B's administrator.
"""
from __future__ import annotations

import copy
import itertools
import io
import json
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest

from access_world import all_rows
from gate import read
from gate.fields import label
from gate.inputs import AssignmentInput, CorrectInput, ReopenInput, VoidInput
from test_access_matrix import world  # noqa: F401  (the module-scoped fixture: both locals, per database)

OVER_LONG = "x" * 20_001            # past every text limit (description and remedy: 20,000)
WRONG_TYPE = {"nested": [1, {"a": None}]}
FAR_DATES = ("9999-12-31", "0001-01-01", "2025-02-30")
PATH_LIKE = "../../../etc/passwd"
OTHER_BOARD = "alpha-board"          # local A's
DEEP = 50_000


# -- inputs and how each payload changes them ---------------------------------------------------------

def put(data: Any, path: str, value: Any) -> Any:
    """A copy of `data` with `value` at `path` ("case.board", "events[0].date", "members[0]")."""
    data = copy.deepcopy(data)
    node, parts = data, path.replace("[", ".[").split(".")
    for part in parts[:-1]:
        node = node[int(part[1:-1])] if part.startswith("[") else node.setdefault(part, {})
    last = parts[-1]
    if last.startswith("["):
        node[int(last[1:-1])] = value
    else:
        node[last] = value
    return data


def deep_json() -> bytes:
    return b'{"a": ' + b"[" * DEEP + b"]" * DEEP + b"}"


@dataclass(frozen=True)
class Door:
    """How to reach one entry point with an input, and which of its fields each payload goes into.

    kind: "json" (a body), "form", "query", "upload" (a case file) or "cli" (a command given a file).
    fields: payload name -> the paths it is put at (the field the answer must name)."""

    kind: str
    target: Callable[[Any], str]                   # world -> URL (or CLI command words)
    base: Callable[[Any], Any]                     # world -> a valid input
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    refused_board_in_url: Callable[[Any], str] | None = None   # the URL with another local's board


def b_case(w) -> int:
    return w.B.cases["assigned"]


NEW_CASE = {"number": "GATE-1", "kind": "policy", "first_event_on": "2025-11-17", "members": ["Probe Member"],
            "school": "Probe PS", "clauses": "12.06", "description": "probe", "remedy": "probe"}
CASE_FORM = {**NEW_CASE, "members": "Probe Member"}
REPLAY = {"kind": "policy", "events": [{"type": "awareness", "date": "2025-11-10"}]}
CLOSURE = {"first": "2025-12-08", "kind": "weather", "name": "Probe", "reason": "probe"}
REOPEN = {"first": "2025-12-08", "reason": "probe"}
TEXTS = ("number", "school", "clauses", "description", "remedy")
FRESH = itertools.count(1)  # a fact changed each time: the same value again is "nothing to change"


def imported(w) -> dict:
    data = copy.deepcopy(w.B.export)
    data["case"]["number"] = "GATE-IMPORT"
    return data


DOORS: dict[str, Door] = {
    # -- the JSON API ---------------------------------------------------------------------------
    "api.open_grievance": Door("json", lambda w: "/api/grievances", lambda w: NEW_CASE, {
        "over-long": TEXTS + ("members[0]",), "wrong type": ("kind", "members", "first_event_on"),
        "far date": ("first_event_on",), "another local's board": ("board",),
        "path-like name": ("board", "ruleset"), "huge count": ("members",)}),
    "api.record_event": Door("json", lambda w: f"/api/grievances/{b_case(w)}/events",
                             lambda w: {"type": "meeting_requested", "occurred_on": "2025-11-20"}, {
        "over-long": ("type", "document"), "wrong type": ("details", "version", "occurred_on"),
        "far date": ("occurred_on", "details.new_due"), "huge count": ("details", "version")}),
    "api.void_event": Door("json", lambda w: f"/api/grievances/{b_case(w)}/events/{w.B.events['assigned']}/void",
                           lambda w: {"reason": "probe"}, {
        "over-long": ("reason",), "wrong type": ("reason", "version"), "huge count": ("version",)}),
    "api.correct_event": Door("json",
                              lambda w: f"/api/grievances/{b_case(w)}/events/{w.B.events['assigned']}/correct",
                              lambda w: {"occurred_on": "2025-11-14", "reason": "probe"}, {
        "over-long": ("reason",), "wrong type": ("occurred_on", "details"), "far date": ("occurred_on",)}),
    "api.edit_facts": Door("json", lambda w: f"/api/grievances/{b_case(w)}/facts",
                           lambda w: {"school": f"Probe PS {next(FRESH)}", "reason": "probe"}, {
        "over-long": ("school", "clauses", "description", "remedy", "reason", "number", "members[0]"),
        "wrong type": ("members", "officer_id", "version", "school"), "huge count": ("members", "officer_id")}),
    "api.assign": Door("json", lambda w: f"/api/grievances/{b_case(w)}/assignment",
                       lambda w: {"steward_ids": [], "reason": "probe"}, {
        "over-long": ("reason",), "wrong type": ("steward_ids", "officer_id", "version"),
        "huge count": ("steward_ids", "officer_id", "version")}),
    "api.add_note": Door("json", lambda w: f"/api/grievances/{b_case(w)}/notes", lambda w: {"text": "probe"}, {
        "over-long": ("text",), "wrong type": ("text", "event_id"), "huge count": ("event_id",)}),
    "api.replay": Door("json", lambda w: "/api/replay", lambda w: REPLAY, {
        "wrong type": ("events", "kind"), "far date": ("events[0].date", "today"),
        "path-like name": ("board", "ruleset"), "huge count": ("events",), "deep JSON": ("body",)}),
    "api.add_closure": Door("json", lambda w: "/api/boards/amdsb-elementary/closures", lambda w: CLOSURE, {
        "over-long": ("name", "reason"), "wrong type": ("kind", "first"), "far date": ("first", "last")},
        refused_board_in_url=lambda w: f"/api/boards/{OTHER_BOARD}/closures"),
    "api.add_day": Door("json", lambda w: "/api/boards/amdsb-elementary/days",
                        lambda w: {"first": "2025-12-09", "type": "pa day", "reason": "probe"}, {
        "over-long": ("name", "reason"), "wrong type": ("type", "first"), "far date": ("first", "last")},
        refused_board_in_url=lambda w: f"/api/boards/{OTHER_BOARD}/days"),
    "api.reopen": Door("json", lambda w: "/api/boards/amdsb-elementary/reopen", lambda w: REOPEN, {
        "over-long": ("reason",), "wrong type": ("first", "reason"), "far date": ("first", "last")},
        refused_board_in_url=lambda w: f"/api/boards/{OTHER_BOARD}/reopen"),
    "api.board_days": Door("query", lambda w: "/api/boards/amdsb-elementary/days",
                           lambda w: {"from": "2025-11-01", "to": "2025-11-30"}, {"far date": ("from", "to")}),
    "api.schooldays": Door("query", lambda w: "/api/boards/amdsb-elementary/schooldays",
                           lambda w: {"start": "2025-11-13", "n": "10"}, {"far date": ("start",),
                                                                          "huge count": ("n",)}),
    "api.list_grievances": Door("query", lambda w: "/api/grievances", lambda w: {"limit": "5"},
                                {"huge count": ("limit",)}),
    # -- the forms ----------------------------------------------------------------------------------
    "cases.new_case": Door("form", lambda w: "/cases/new", lambda w: CASE_FORM, {
        "over-long": TEXTS + ("members",), "far date": ("first_event_on",)}),
    "cases.record": Door("form", lambda w: f"/cases/{b_case(w)}/record/meeting_requested",
                         lambda w: {"occurred_on": "2025-11-20", "action": "record"}, {"far date": ("occurred_on",)}),
    "case_file.edit_facts": Door("form", lambda w: f"/cases/{b_case(w)}/facts",
                                 lambda w: {"school": f"Probe PS {next(FRESH)}", "reason": "probe"}, {
        "over-long": ("school", "clauses", "description", "remedy", "reason", "number", "members")}),
    "case_file.add_note": Door("form", lambda w: f"/cases/{b_case(w)}/notes", lambda w: {"text": "probe"}, {
        "over-long": ("text",)}),
    "cases.void": Door("form", lambda w: f"/cases/{b_case(w)}/events/{w.B.events['assigned']}/void",
                       lambda w: {"reason": "probe"}, {"over-long": ("reason",)}),
    "calendars.change_school_year": Door("form", lambda w: "/calendar/amdsb-elementary/2025-26",
                                         lambda w: {"action": "add", "type": "closure", "last": "", **CLOSURE,
                                                    "first": "2025-12-10"}, {
        "over-long": ("name", "reason"), "far date": ("first", "last")},
        refused_board_in_url=lambda w: f"/calendar/{OTHER_BOARD}/2025-26"),
    # Without "action": the form's input is read through the gate before the action is looked at.
    "calendars.reopen": Door("form", lambda w: "/calendar/amdsb-elementary/2025-26/reopen", lambda w: REOPEN, {
        "over-long": ("reason",), "far date": ("first", "last")},
        refused_board_in_url=lambda w: f"/calendar/{OTHER_BOARD}/2025-26/reopen"),
    # -- a case file, uploaded and on the command line --------------------------------------------
    "exports.import_case": Door("upload", lambda w: "/cases/import", imported, {
        "over-long": ("case.number", "case.description", "events[0].reason"),
        "wrong type": ("case.members", "events[0].seq", "events[0].documents", "deadline_moves", "events"),
        "far date": ("events[0].occurred_on", "case.opened_on"),
        "another local's board": ("case.board",), "path-like name": ("case.board", "case.ruleset"),
        "huge count": ("events",), "deep JSON": ("case",)}),
    "cli archive import-case": Door("cli", lambda w: ["archive", "import-case"], imported, {
        "over-long": ("case.number",), "far date": ("events[0].occurred_on",),
        "another local's board": ("case.board",), "path-like name": ("case.ruleset",), "huge count": ("events",),
        "deep JSON": ("case",)}),
    "cli deadlines replay": Door("cli", lambda w: ["deadlines", "replay"], lambda w: REPLAY, {
        "far date": ("events[0].date",), "path-like name": ("ruleset",), "huge count": ("events",),
        "deep JSON": ("body",)}),
}


def value_for(payload: str, door: Door, path: str, base: Any, w) -> Any:
    """The hostile value `payload` puts at `path` of this door's input."""
    if payload == "over-long":
        return [OVER_LONG] if door.kind in ("json", "upload", "cli") and path == "members" else OVER_LONG
    if payload == "wrong type":
        return WRONG_TYPE if not (path.endswith("seq") or path == "version") else "seven"
    if payload == "another local's board":
        return OTHER_BOARD
    if payload == "path-like name":
        return PATH_LIKE if "ruleset" in path else "../x"
    if payload == "huge count":
        if path in ("events",):
            return [copy.deepcopy(_first(base, path))] * 1_500
        if path == "members":
            return ["Probe"] * 10_000 if door.kind != "form" else "\n".join(["Probe"] * 10_000)
        if path == "details":
            return {f"k{i}": "v" for i in range(1_000)}
        return "9" * 30
    raise AssertionError(payload)


def _first(base: Any, path: str) -> Any:
    return base[path][0]


def cases():
    for name, door in DOORS.items():
        for payload, paths in door.fields.items():
            for path in paths:
                if payload == "far date":
                    for day in FAR_DATES:
                        yield pytest.param(name, payload, path, day, id=f"{name}-{payload}-{path}-{day}")
                else:
                    yield pytest.param(name, payload, path, None, id=f"{name}-{payload}-{path}")


# -- sending ---------------------------------------------------------------------------------------------

@dataclass
class Answer:
    status: int          # HTTP status; for the CLI, 400 on a non-zero exit, 200 on zero
    text: str
    fields: list[str]    # the fields a JSON answer names


def send(w, door: Door, data: Any, *, raw: bytes | None = None, url: str | None = None, tmp_path=None) -> Answer:
    client = w.B.clients["admin"]
    where = url or door.target(w)
    if door.kind == "json":
        response = client.post(where, data=raw, content_type="application/json") if raw is not None \
            else client.post(where, json=data)
    elif door.kind == "form":
        response = client.post(where, data=data)
    elif door.kind == "query":
        response = client.get(where, query_string=data)
    elif door.kind == "upload":
        body = raw if raw is not None else json.dumps(data).encode()
        response = client.post(where, data={"case": (io.BytesIO(body), "case.json")},
                               content_type="multipart/form-data")
    else:
        path = tmp_path / "input.json"
        path.write_bytes(raw if raw is not None else json.dumps(data).encode())
        result = w.app.test_cli_runner().invoke(args=[*door.target(w), str(path), *(
            ["--by", "operator", "--local", w.B.slug] if door.target(w)[0] == "archive" else [])])
        return Answer(400 if result.exit_code else 200, result.output, [])
    text = response.get_data(as_text=True)
    named = []
    if response.is_json and isinstance(response.get_json(silent=True), dict):
        body = response.get_json()
        named = [body.get("field") or ""] + [p.get("field", "") for p in body.get("problems") or []]
    return Answer(response.status_code, text, named)


def names(answer: Answer, path: str) -> bool:
    """Does the answer name the field: its path in a JSON answer, else its label or path in the text?"""
    root = path.split("[")[0].split(".")[0]
    if any(f and (f == path or f.startswith(path) or path.startswith(f) or f.split("[")[0] == root)
           for f in answer.fields):
        return True
    last = path.rsplit(".", 1)[-1].split("[")[0]
    whole_file = root in ("body", "case") and "input.json" in answer.text  # the CLI names the file
    return label(last) in answer.text or path in answer.text or label(root) in answer.text or whole_file


# -- the table ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("door_name", "payload", "path", "day"), list(cases()))
def test_every_door_refuses_the_same_hostile_input_naming_the_field(world, tmp_path, door_name, payload, path, day):
    door = DOORS[door_name]
    base = door.base(world)
    before = all_rows(world.app)
    if payload == "deep JSON":
        answer = send(world, door, None, raw=deep_json(), tmp_path=tmp_path)
    else:
        value = day if payload == "far date" else value_for(payload, door, path, base, world)
        answer = send(world, door, put(base, path, value), tmp_path=tmp_path)
    assert 400 <= answer.status < 500, f"{door_name} {payload} at {path}: {answer.status} {answer.text[:400]}"
    assert names(answer, path), f"{door_name} {payload}: the answer does not name {path}: {answer.text[:600]}"
    assert all_rows(world.app) == before, f"{door_name} {payload} at {path} stored something"
    assert not [m for m in world.A.markers if m in answer.text], "another local's data in the answer"


@pytest.mark.parametrize("door_name", [n for n, d in DOORS.items() if d.refused_board_in_url])
def test_another_locals_board_in_the_url_is_refused_before_anything_is_read(world, door_name):
    door = DOORS[door_name]
    before = all_rows(world.app)
    answer = send(world, door, door.base(world), url=door.refused_board_in_url(world))
    assert answer.status in (403, 404), answer.text[:300]
    assert all_rows(world.app) == before


# Doors whose valid input would change the case the other rows aim at: the gate's model is asked instead.
# A reopening's valid input needs a closure on B's board, which none of the rows here adds first:
# tests/test_closures_reopen.py takes it through both doors.
GATE_ONLY = {"api.assign": AssignmentInput,  # its valid input would unassign B's steward
             "api.void_event": VoidInput, "api.correct_event": CorrectInput, "cases.void": VoidInput,
             "api.reopen": ReopenInput, "calendars.reopen": ReopenInput}


@pytest.mark.parametrize("door_name", list(DOORS))
def test_each_doors_valid_input_is_taken(world, tmp_path, door_name):
    """The control: each row's base input is accepted (else its refusals above would prove nothing).
    Numbers are made new so that a second database's run, or a repeat, is not 'already exists'."""
    door = DOORS[door_name]
    base = door.base(world)
    if door_name in GATE_ONLY:
        read(GATE_ONLY[door_name], base)
        return
    if door_name in ("api.open_grievance", "cases.new_case"):
        base = {**base, "number": f"CONTROL-{door_name}"}
    if door.kind in ("upload", "cli") and "case" in base:
        base = put(base, "case.number", f"CONTROL-{door_name}")
    answer = send(world, door, base, tmp_path=tmp_path)
    assert answer.status < 400, f"{door_name}: {answer.status} {answer.text[:400]}"


# -- every entry point is a row, or reads no input ---------------------------------------------------------

# Endpoints that read no body, form or query string (path parameters are fuzzed by test_api_fuzz), or
# whose input another test drives through the same definitions, with where.
READS_NO_INPUT = {
    "static": "files", "auth.logout": "no input", "auth.api_session": "no input", "api.openapi": "no input",
    "api.boards": "no input", "api.show_grievance": "path only", "cases.show_case": "path only",
    "cases.download": "path only", "exports.history_pdf": "path only", "exports.history_json": "path only",
    "exports.feed": "the feed secret only", "calendars.calendar_index": "no input",
    "calendars.school_year": "path only", "dashboard.upcoming": "no input",
}
# Entry points whose hostile input has tests of its own, each named.
COVERED_ELSEWHERE = {
    "auth.login": "test_login_throttling.py, test_oversized_requests.py",
    "auth.forgot_password": "test_password_reset.py", "auth.reset_password": "test_password_reset.py",
    "admin.users": "test_sessions.py / test_web_access.py (email-validator)",
    "admin.set_active": "test_account_deactivation.py", "admin.assign": "test_access_matrix.py",
    "admin.reset_password": "test_password_reset.py", "settings.settings": "test_query_args.py",
    "settings.change_password": "test_sessions.py", "cases.attach": "test_documents (magic bytes)",
    "case_file.assign": "test_assignment.py (another local's people, ids out of range)",
    "dashboard.home": "test_query_args.py", "dashboard.dashboard": "test_query_args.py",
    "exports.dashboard_csv": "test_query_args.py", "reports.reports": "test_query_args.py",
    "reports.csv": "test_query_args.py", "pages.calculator": "test_query_args.py", "exports.feeds": "test_feeds.py",
}


def test_every_entry_point_in_the_url_map_is_a_door_here_or_accounted_for(world):
    endpoints = {rule.endpoint for rule in world.app.url_map.iter_rules()}
    unaccounted = endpoints - set(DOORS) - set(READS_NO_INPUT) - set(COVERED_ELSEWHERE)
    assert unaccounted == set(), "add a row to DOORS (or say why it reads no input)"
    assert not (set(READS_NO_INPUT) | set(COVERED_ELSEWHERE) | {d for d in DOORS if "." in d and " " not in d}) \
        - endpoints, "a listed endpoint no longer exists"
