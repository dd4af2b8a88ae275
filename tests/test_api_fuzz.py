"""The JSON API fuzzed from its own OpenAPI document (GET /api/openapi.json) with
schemathesis: every operation, valid and invalid input, logged in, against the
shipped calendars and a few real cases so that path parameters sometimes name a
real grievance, event and board.

What must hold for every request: no 500 (not_a_server_error), a status code
the document lists, a JSON body matching the document's schema for that status
(response_schema_conformance), and the documented content type. A wrong API
document is a bug like any other.

Bounded: a few examples per operation, so the fuzz adds seconds, not minutes,
on each database. Regression tests for what the fuzz found are at the end.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks as st_checks
from schemathesis.generation import GenerationMode

from conftest import log_in, make_user
from web.openapi import openapi_document

TODAY = "2025-11-20"
BOARD = "amdsb-elementary"
# Per operation and per generation mode (valid and invalid input): 15 operations, 27
# runs, about 10 s per database. FUZZ_EXAMPLES=500 FUZZ_RANDOM=1 digs deeper by hand.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
DERANDOMIZE = not os.environ.get("FUZZ_RANDOM")


def _open_cases(client) -> tuple[list[int], list[int]]:
    """Three real cases (one with several events), so that fuzzed ids sometimes hit."""
    grievance_ids, event_ids = [], []
    for number, kind, first in (("F-1", "individual", "2025-10-01"), ("F-2", "policy", "2025-11-10"),
                                ("F-3", "board", "2025-11-03")):
        response = client.post("/api/grievances", json={
            "number": number, "kind": kind, "first_event_on": first, "members": ["A B"],
            "school": "Demo PS", "clauses": "12.06", "description": "d", "remedy": "r"})
        assert response.status_code == 201, response.get_json()
        grievance_ids.append(response.get_json()["id"])
    case = client.post(f"/api/grievances/{grievance_ids[0]}/events",
                       json={"type": "complaint_raised", "occurred_on": "2025-10-03"}).get_json()
    event_ids = [e["id"] for e in case["events"]]
    return grievance_ids, event_ids


@pytest.fixture
def fuzz_client(app):
    """An administrator (every operation is allowed, so the fuzz reaches the calendar
    writes too, not only their 403) of a local with three cases."""
    app.config["TODAY"] = TODAY
    make_user(app, "fuzz@example.org", "admin")
    client = log_in(app, "fuzz@example.org")
    client.real_ids = _open_cases(client)
    return client


@pytest.fixture
def login(fuzz_client) -> dict:
    """The session cookie and the CSRF token header, sent with every fuzzed request."""
    return {"cookies": {"session": fuzz_client.get_cookie("session").value},
            "headers": {"X-CSRF-Token": fuzz_client.environ_base["HTTP_X_CSRF_TOKEN"]}}


def _operations() -> list[tuple[str, str]]:
    """Every (METHOD, path) the document lists."""
    return [(method.upper(), path) for path, methods in openapi_document()["paths"].items() for method in methods]


@pytest.fixture
def api_schema(app, fuzz_client):
    # The document itself needs a login: read it as the user, then fuzz the app in-process.
    response = fuzz_client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = schemathesis.openapi.from_dict(response.get_json())
    schema.app = app
    return schema


def _has_input(operation) -> bool:
    return bool(operation.path_parameters or operation.query or operation.body)


CHECKS = [st_checks.not_a_server_error, st_checks.status_code_conformance, st_checks.content_type_conformance,
          st_checks.response_schema_conformance]
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE, database=None,
                         suppress_health_check=list(HealthCheck))


def test_no_operation_fails_or_contradicts_its_document(api_schema, fuzz_client, login, subtests):
    # One app per database for every operation: building it (migrations, calendars, cases)
    # costs more than the fuzz itself. Each operation and mode is a subtest of its own, so a
    # failure names it. (schemathesis.pytest.from_fixture would parametrize per operation,
    # but it sets Function._nodeid, which pytest 9 no longer has.)
    for method, path in _operations():
        operation = api_schema[path][method]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if mode is GenerationMode.NEGATIVE and not _has_input(operation):
                continue  # no parameters and no body: there is no invalid input to send
            with subtests.test(msg=f"{method} {path} ({mode.value} input)"):
                _fuzz(operation, mode, fuzz_client.real_ids, login)


def _fuzz(operation, mode, real_ids, login) -> None:
    grievance_ids, event_ids = real_ids
    real = {"grievance_id": st.sampled_from(grievance_ids), "event_id": st.sampled_from(event_ids),
            "slug": st.just(BOARD)}

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode), use_real_ids=st.booleans(), data=st.data())
    def fuzz(case, use_real_ids, data):
        # Half the time, the ids and slug of things that exist: the fuzz then reaches the
        # operations themselves rather than their 404.
        if use_real_ids and case.path_parameters:
            case.path_parameters = {**case.path_parameters,
                                    **{k: data.draw(real[k]) for k in case.path_parameters if k in real}}
        case.call_and_validate(headers=dict(login["headers"]), cookies=dict(login["cookies"]), checks=CHECKS)

    fuzz()


# -- what the fuzz found: each was a 500 (or a wrong answer) before ---------------------------

@pytest.fixture
def client(app, admin):
    app.config["TODAY"] = TODAY
    return admin


def test_an_id_too_large_for_the_database_is_a_404_not_a_500(client):
    # OverflowError in the SQLite driver, NumericValueOutOfRange on PostgreSQL.
    huge = 2**63
    answer = client.get(f"/api/grievances/{huge}")
    assert answer.status_code == 404 and answer.is_json
    assert client.post(f"/api/grievances/1/events/{huge}/void", json={"reason": "r"}).status_code == 404
    assert client.get(f"/cases/{huge}").status_code == 404


def test_a_path_no_route_matches_answers_json_under_api(client):
    # Flask's HTML 404 page answered /api/grievances/-1, against the document's JSON Error.
    answer = client.get("/api/grievances/-1")
    assert answer.status_code == 404 and answer.get_json()["error"]


@pytest.mark.parametrize("body, field", [
    ({"ruleset": "\x00"}, "ruleset"),               # ValueError: embedded null byte, from the file system
    ({"ruleset": "../../pyproject"}, "ruleset"),     # a path outside workflows/rulesets/
    ({"members": 5}, "members"),                     # TypeError: tuple(5)
    ({"members": "Alex"}, "members"),                # was split into the members A, l, e, x
])
def test_a_new_case_with_a_malformed_field_names_it(client, body, field):
    answer = client.post("/api/grievances", json={"number": "M-1", "kind": "policy", "first_event_on": "2025-11-10", **body})
    assert answer.status_code == 400 and answer.get_json()["field"] == field


def test_an_event_with_malformed_details_or_version_names_the_field(client, fuzz_client):
    case_id = fuzz_client.real_ids[0][0]
    details = client.post(f"/api/grievances/{case_id}/events",
                          json={"type": "complaint_discussed", "occurred_on": "2025-10-06",
                                "details": ["limit", "x"]})  # ValueError in dict(["limit", "x"])
    assert details.status_code == 400 and details.get_json()["field"] == "details"
    version = client.post(f"/api/grievances/{case_id}/events",
                          json={"type": "complaint_discussed", "occurred_on": "2025-10-06",
                                "version": "latest"})  # was a 409 "someone else changed the case"
    assert version.status_code == 400 and version.get_json()["field"] == "version"


def test_a_day_type_that_is_not_text_names_the_field(client):
    answer = client.post("/api/boards/amdsb-elementary/days",  # TypeError: unhashable type: 'list'
                         json={"first": "2025-11-21", "type": ["pa day"], "reason": "r"})
    assert answer.status_code == 400 and answer.get_json()["field"] == "type"


def test_a_replayed_void_naming_a_list_names_the_field(client):
    answer = client.post("/api/replay", json={"kind": "policy", "events": [  # TypeError: unhashable type: 'list'
        {"type": "awareness", "date": "2025-10-01"}, {"type": "void", "date": "2025-10-02", "voids": [1], "reason": "r"}]})
    assert answer.status_code == 400 and answer.get_json()["field"] == "events[1].voids"


def test_the_document_lists_every_status_an_operation_answers(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    # A stale `version` is a 409 on void and correct too, not only on recording an event.
    for path in ("/api/grievances/{grievance_id}/events", "/api/grievances/{grievance_id}/events/{event_id}/void",
                 "/api/grievances/{grievance_id}/events/{event_id}/correct"):
        assert {"201", "400", "401", "403", "404", "409", "413"} <= set(paths[path]["post"]["responses"])
    assert {"401", "413"} <= set(paths["/api/replay"]["post"]["responses"])
    assert "401" in paths["/api/openapi.json"]["get"]["responses"]
