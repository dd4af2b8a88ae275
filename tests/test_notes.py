"""Issue 13, item 2: notes on a case and on its events, through the case page and the API: free
text, escaped, length-limited by the gate, the author from the login; in the timeline, the JSON
history and the PDF (left out with ?notes=0, for a hearing bundle); a note never changes a date.
The case: test_exports.open_filed_case; today Thu 2025-11-20."""
import pytest
from sqlalchemy import func, select

from conftest import log_in, make_user
from models import CaseNote
from test_exports import open_filed_case, pdf_text


@pytest.fixture
def filed(app, officer):
    return open_filed_case(app)


def notes(app, case_id):
    with app.extensions["database"].transaction() as session:
        return session.scalar(select(func.count(CaseNote.id)).where(CaseNote.grievance_id == case_id))


def filing_id(client, case_id):
    return client.get(f"/api/grievances/{case_id}").get_json()["events"][-1]["id"]


def test_a_note_written_on_the_page_is_on_the_timeline_escaped_with_its_author(officer, filed):
    answer = officer.post(f"/cases/{filed}/notes", data={"text": "Principal said <script>alert(1)</script> no."},
                          follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Principal said &lt;script&gt;alert(1)&lt;/script&gt; no." in page and "<script>alert(1)" not in page
    assert "by officer@example.org" in page


def test_a_note_on_an_event_is_shown_with_that_event_and_in_the_json_history(officer, filed):
    event = filing_id(officer, filed)
    answer = officer.post(f"/api/grievances/{filed}/notes", json={"text": "Handed to the principal.", "event_id": event})
    assert answer.status_code == 201 and answer.get_json()["written_by"] == "officer@example.org"
    history = officer.get(f"/cases/{filed}/history.json").get_json()
    assert [(n["text"], n["event_seq"], n["written_by"]) for n in history["notes"]] == [
        ("Handed to the principal.", 4, "officer@example.org")]
    assert officer.get(f"/api/grievances/{filed}").get_json()["notes"][0]["event_id"] == event


def test_a_note_never_changes_a_date(officer, filed):
    before = officer.get(f"/api/grievances/{filed}").get_json()
    officer.post(f"/api/grievances/{filed}/notes", json={"text": "The reply came on 2025-12-24.",
                                                         "event_id": filing_id(officer, filed)})
    after = officer.get(f"/api/grievances/{filed}").get_json()
    assert after["deadlines"] == before["deadlines"] and after["version"] == before["version"]


def test_an_over_long_or_empty_note_is_refused_naming_the_note_and_stores_nothing(app, officer, filed):
    long = officer.post(f"/api/grievances/{filed}/notes", json={"text": "x" * 5_001})
    assert long.status_code == 400 and "text" in long.get_data(as_text=True)
    page = officer.post(f"/cases/{filed}/notes", data={"text": "  "})
    assert page.status_code == 400 and "The note was not added" in page.get_data(as_text=True)
    assert notes(app, filed) == 0


def test_a_note_cannot_be_put_on_another_cases_event(app, officer, filed):
    other = open_filed_case(app, number="2025-011")
    answer = officer.post(f"/api/grievances/{filed}/notes", json={"text": "x", "event_id": filing_id(officer, other)})
    assert answer.status_code == 400 and answer.get_json()["field"] == "event_id"
    assert notes(app, filed) == notes(app, other) == 0


def test_a_body_naming_its_author_is_refused(app, officer, filed):
    answer = officer.post(f"/api/grievances/{filed}/notes", json={"text": "x", "written_by": "someone@else.org"})
    assert answer.status_code == 400 and notes(app, filed) == 0


def test_a_viewer_reads_notes_but_may_not_write_one(app, officer, filed):
    officer.post(f"/api/grievances/{filed}/notes", json={"text": "Seen by all who may see the case."})
    make_user(app, "viewer@example.org", "viewer")
    viewer = log_in(app, "viewer@example.org")
    assert "Seen by all who may see the case." in viewer.get(f"/cases/{filed}").get_data(as_text=True)
    assert viewer.post(f"/api/grievances/{filed}/notes", json={"text": "no"}).status_code == 403
    assert viewer.post(f"/cases/{filed}/notes", data={"text": "no"}).status_code == 403
    assert notes(app, filed) == 1


def test_an_unassigned_steward_neither_reads_nor_writes_notes(app, officer, filed):
    officer.post(f"/api/grievances/{filed}/notes", json={"text": "Private to the case."})
    make_user(app, "steward@example.org", "steward")
    steward = log_in(app, "steward@example.org")
    assert steward.get(f"/cases/{filed}").status_code == 404
    assert steward.post(f"/api/grievances/{filed}/notes", json={"text": "no"}).status_code == 404
    assert notes(app, filed) == 1


def test_the_pdf_lists_the_notes_unless_left_out_for_a_hearing_bundle(officer, filed):
    officer.post(f"/api/grievances/{filed}/notes", json={"text": "The principal admitted the cut."})
    text, _ = pdf_text(officer.get(f"/cases/{filed}/history.pdf").data)
    assert "The principal admitted the cut." in text
    bundle, _ = pdf_text(officer.get(f"/cases/{filed}/history.pdf?notes=0").data)
    assert "The principal admitted the cut." not in bundle
