"""Who acts comes from the login, never from the body; an answer shows one local nothing of
another; an imported file cannot bring in a kind of document the tracker would not keep.

Calendar: the shipped AMDSB 2025-26 year; today is pinned to Thu 2025-11-20."""
import io
import json

import pytest
from sqlalchemy import func, select

from conftest import log_in, make_user
from models import Document, Grievance, GrievanceEvent

CASE = {"kind": "policy", "first_event_on": "2025-11-17", "members": ["A Member"], "clauses": "12.06",
        "description": "probe", "remedy": "probe"}


@pytest.fixture
def today(app):
    app.config["TODAY"] = "2025-11-20"


def test_identity_comes_from_the_login_a_body_naming_recorded_by_is_refused(app, officer, admin, today):
    opened = officer.post("/api/grievances", json={**CASE, "number": "ID-1", "recorded_by": "Somebody Else"})
    assert opened.status_code == 400 and opened.get_json()["field"] == "recorded_by"
    case = officer.post("/api/grievances", json={**CASE, "number": "ID-2"}).get_json()
    first = case["events"][0]["id"]
    writes = [
        (officer, f"/api/grievances/{case['id']}/events", {"type": "grievance_filed", "occurred_on": "2025-11-18"}),
        (officer, f"/api/grievances/{case['id']}/events/{first}/void", {"reason": "probe"}),
        (officer, f"/api/grievances/{case['id']}/events/{first}/correct", {"occurred_on": "2025-11-14", "reason": "p"}),
        (admin, "/api/boards/amdsb-elementary/closures", {"first": "2025-12-08", "kind": "weather", "reason": "p"}),
        (admin, "/api/boards/amdsb-elementary/days", {"first": "2025-12-09", "type": "pa day", "reason": "p"}),
    ]
    for client, url, body in writes:
        refused = client.post(url, json={**body, "recorded_by": "Admin Of Another Local"})
        assert refused.status_code == 400 and refused.get_json()["field"] == "recorded_by", url
    recorded = officer.post(writes[0][1], json=writes[0][2])
    assert recorded.status_code == 201
    assert {e["recorded_by"] for e in recorded.get_json()["events"]} == {"officer@example.org"}


def test_no_answer_shows_one_local_anything_of_another_a_closures_moves(app, admin, today):
    # Two locals whose cases count on the same board: each opens a policy grievance (filing due
    # 10 school days after Mon 2025-11-17: Tue 18 (1) … Mon Dec 1 (10)). A closure on Fri Nov 28
    # moves both cases' filing deadlines; the acting local's admin is told of its own move only.
    assert app.test_cli_runner().invoke(args=["locals", "add", "other-local", "Other Teachers Local"]).exit_code == 0
    make_user(app, "officer@other.example.org", "officer", local="other-local")
    other = log_in(app, "officer@other.example.org")
    ours = admin.post("/api/grievances", json={**CASE, "number": "OURS-1"}).get_json()
    theirs = other.post("/api/grievances", json={**CASE, "number": "THEIRS-1"}).get_json()
    closed = admin.post("/api/boards/amdsb-elementary/closures",
                        json={"first": "2025-11-28", "kind": "weather", "name": "Ice", "reason": "Board notice"})
    assert closed.status_code == 201, closed.get_json()
    moved = closed.get_json()["moved_deadlines"]
    assert moved and {m["grievance_id"] for m in moved} == {ours["id"]}
    assert "THEIRS-1" not in closed.get_data(as_text=True) and str(theirs["id"]) not in {
        str(m["grievance_id"]) for m in moved}
    theirs_after = other.get(f"/api/grievances/{theirs['id']}").get_json()
    assert [m["deadline"] for m in theirs_after["deadline_moves"]] == ["policy_filing"]  # it did move


def _export_with(officer, document: dict) -> bytes:
    case = officer.post("/api/grievances", json={**CASE, "number": "DOC-1"}).get_json()
    data = officer.get(f"/cases/{case['id']}/history.json").get_json()
    data["case"]["number"] = "DOC-2"
    data["events"][0]["documents"] = [document]
    return json.dumps(data).encode()


def _import(app, officer, raw: bytes):
    before = {model: _count(app, model) for model in (Grievance, GrievanceEvent, Document)}
    answer = officer.post("/cases/import", data={"case": (io.BytesIO(raw), "case.json")},
                          content_type="multipart/form-data")
    assert {model: _count(app, model) for model in before} == before, "the refused import stored something"
    return answer


def _count(app, model) -> int:
    with app.extensions["database"].transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("document", "words"), [
    ({"filename": "page.html", "content_type": "text/html", "size": 10, "sha256": "a" * 64}, "page.html"),
    ({"filename": "letter.pdf", "content_type": "text/html", "size": 10, "sha256": "a" * 64}, "letter.pdf"),
    ({"filename": "letter.pdf", "content_type": "application/pdf", "size": "ten", "sha256": "a" * 64}, "Size"),
    ({"filename": "letter.pdf", "content_type": "application/pdf", "size": 10, "sha256": "../../x"}, "SHA-256"),
])
def test_an_imported_document_must_be_a_kind_the_tracker_keeps(app, officer, today, document, words):
    answer = _import(app, officer, _export_with(officer, document))
    assert answer.status_code == 400 and words in answer.get_data(as_text=True)
