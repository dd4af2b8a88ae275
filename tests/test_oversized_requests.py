"""Requests too large are refused with a clear message and store nothing: over
MAX_CONTENT_LENGTH (12 MB) a 413, as a page for the pages and as JSON naming the
body for /api/; a document over 10 MB is refused naming the limit; a very long
field is refused naming the field (on PostgreSQL a text longer than its column
was a 500 before); a replay of 100,000 events answers without a 500."""
from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from gate.fields import label
from models import Document, Grievance, GrievanceEvent, LoginAttempt, User
from operations import grievances as ops

TODAY = date(2025, 11, 20)
MB = 1024 * 1024
PDF_HEADER = b"%PDF-1.4\n"
CASE_FORM = {"kind": "policy", "number": "BIG-1", "first_event_on": "2025-11-10", "members": "Alex Example",
             "school": "Demo PS", "clauses": "12.06", "description": "Prep time", "remedy": "Restore it"}


@pytest.fixture
def case_id(app, officer):
    app.config["TODAY"] = TODAY.isoformat()
    with app.extensions["database"].transaction() as session:
        case = ops.open_case(session, ops.NewCase(number="2025-010", kind="policy", first_event_on=date(2025, 11, 10),
                                                  members=("A",), description="d", clauses="c", remedy="r"),
                             by="officer@example.org", today=TODAY)
        return case.id


def count(app, model) -> int:
    with app.extensions["database"].transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


def stored_files(app) -> list:
    from pathlib import Path

    return [p for p in Path(app.config["DOCUMENTS_DIR"]).rglob("*") if p.is_file()]


# -- over MAX_CONTENT_LENGTH -----------------------------------------------------------------

def test_a_form_post_over_12_mb_is_a_413_page_and_stores_nothing(app, officer):
    response = officer.post("/cases/new", data={**CASE_FORM, "description": "x" * (13 * MB)})
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "larger than 12 MB" in page and "<h1>Too large</h1>" in page
    assert count(app, Grievance) == 0


def test_a_json_post_over_12_mb_is_a_413_naming_the_body(app, officer):
    app.config["TODAY"] = TODAY.isoformat()
    response = officer.post("/api/grievances", json={"number": "BIG-2", "kind": "policy",
                                                     "first_event_on": "2025-11-10", "description": "x" * (13 * MB)})
    assert response.status_code == 413
    assert response.get_json()["field"] == "body" and "12 MB" in response.get_json()["error"]
    assert count(app, Grievance) == 0


def test_an_upload_over_12_mb_is_a_413_and_keeps_nothing(app, officer, case_id):
    response = officer.post(f"/cases/{case_id}/record/grievance_filed", content_type="multipart/form-data", data={
        "occurred_on": "2025-11-13", "action": "record", "document": (BytesIO(PDF_HEADER + b"0" * (13 * MB)), "big.pdf")})
    assert response.status_code == 413 and "larger than 12 MB" in response.get_data(as_text=True)
    assert count(app, GrievanceEvent) == 1 and count(app, Document) == 0 and stored_files(app) == []


def test_an_11_mb_document_is_refused_naming_the_10_mb_limit(app, officer, case_id):
    response = officer.post(f"/cases/{case_id}/record/grievance_filed", content_type="multipart/form-data", data={
        "occurred_on": "2025-11-13", "action": "record", "document": (BytesIO(PDF_HEADER + b"0" * (11 * MB)), "big.pdf")})
    assert response.status_code == 400
    assert "big.pdf is larger than 10 MB" in response.get_data(as_text=True)
    assert count(app, GrievanceEvent) == 1 and count(app, Document) == 0 and stored_files(app) == []


def test_an_11_mb_document_attached_to_an_event_is_refused_too(app, officer, case_id):
    with app.extensions["database"].transaction() as session:
        event_id = ops.last_event_id(session, case_id)
    response = officer.post(f"/cases/{case_id}/events/{event_id}/documents", content_type="multipart/form-data",
                            data={"document": (BytesIO(PDF_HEADER + b"0" * (11 * MB)), "big.pdf")},
                            follow_redirects=True)
    assert "Not attached: big.pdf is larger than 10 MB" in response.get_data(as_text=True)
    assert count(app, Document) == 0 and stored_files(app) == []


# -- very long fields --------------------------------------------------------------------------

LONG = "x" * MB


@pytest.mark.parametrize("field", ["members", "school", "number", "clauses", "description", "remedy"])
def test_a_1_mb_field_of_a_new_case_is_refused_naming_it(app, officer, field):
    app.config["TODAY"] = TODAY.isoformat()
    response = officer.post("/cases/new", data={**CASE_FORM, field: LONG})
    # The form's words for the field (gate.fields.LABELS), e.g. "School is longer than 200 characters";
    # a member is one line of the members box.
    words = f"{label(field)}{' (line 1)' if field == 'members' else ''} is longer than"
    assert response.status_code == 400 and str(escape(words)) in response.get_data(as_text=True)
    body = {"number": "L-1", "kind": "policy", "first_event_on": "2025-11-10",
            **{k: v for k, v in CASE_FORM.items() if k not in ("number", "kind", "first_event_on", "members")},
            "members": [LONG] if field == "members" else ["A"], **({field: LONG} if field != "members" else {})}
    refused = officer.post("/api/grievances", json=body)
    assert refused.status_code == 400 and refused.get_json()["field"] in (field, f"{field}[0]"), refused.get_json()
    assert count(app, Grievance) == 0


@pytest.mark.parametrize("field", ["recorded_by", "document", "details"])
def test_a_1_mb_field_of_an_event_is_refused_naming_it(app, officer, case_id, field):
    body = {"type": "mediation_agreed", "occurred_on": "2025-11-13",
            "details": {"mediator": "M", "mediation_by": "2025-12-01"}}
    body[field] = {"mediator": LONG, "mediation_by": "2025-12-01"} if field == "details" else LONG
    refused = officer.post(f"/api/grievances/{case_id}/events", json=body)
    assert refused.status_code == 400 and refused.get_json()["field"].startswith(field), refused.get_json()
    assert count(app, GrievanceEvent) == 1


def test_a_1_mb_reason_or_name_of_a_closure_is_refused_naming_it(app, admin):
    for field in ("name", "reason", "recorded_by"):
        body = {"first": "2025-11-24", "kind": "weather", "name": "Snow", "reason": "snow",
                field: LONG}
        refused = admin.post("/api/boards/amdsb-elementary/closures", json=body)
        assert refused.status_code == 400 and refused.get_json()["field"] in (field, f"{field}[0]"), refused.get_json()


def test_a_1_mb_user_name_or_login_is_refused_not_a_500(app, admin):
    created = admin.post("/admin/users", data={"name": LONG, "email": "long@example.org",
                                               "password": "correct horse battery staple", "role": "viewer"})
    assert created.status_code == 400 and str(escape("'Name' is longer than")) in created.get_data(as_text=True)
    assert count(app, User) == 1
    anonymous = app.test_client()
    anonymous.get("/login")
    with anonymous.session_transaction() as session:
        token = session["csrf"]
    login = anonymous.post("/login", data={"email": LONG + "@example.org", "password": "x", "csrf_token": token})
    assert login.status_code == 401  # a wrong login, recorded (the email cut to its column) for the throttle
    assert count(app, LoginAttempt) == 2  # the administrator's own login, and this one


def test_a_replay_of_100000_events_answers_without_a_500(app, officer):
    events = [{"type": "awareness", "date": "2025-10-01"}] + [{"type": "meeting_requested", "date": "2025-10-02"}] * 99_999
    response = officer.post("/api/replay", json={"kind": "policy", "today": "2025-11-20", "events": events})
    assert response.status_code == 400
    assert response.get_json()["field"] == "events" and "1000" in response.get_json()["fix"]
