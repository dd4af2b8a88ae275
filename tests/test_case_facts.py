"""Issue 13, item 1: a case's facts corrected with their history (who, when, from what to what,
why), through the case page and the API; nothing the events derive can be edited this way.
The case: test_exports.open_filed_case (a policy grievance aware Mon 2025-11-10, filed Thu Nov 13;
the Board's Step 1 reply due Thu Nov 27); today Thu 2025-11-20."""
import pytest
from sqlalchemy import func, select

from conftest import log_in, make_user
from models import CaseEdit, Grievance, User
from test_exports import MEMBER, OTHER_MEMBER, open_filed_case, pdf_text


@pytest.fixture
def filed(app, officer):
    return open_filed_case(app)


def edits(app, case_id):
    with app.extensions["database"].transaction() as session:
        return session.scalar(select(func.count(CaseEdit.id)).where(CaseEdit.grievance_id == case_id))


def test_a_misspelled_member_corrected_on_the_page_shows_on_the_timeline_with_who_what_and_why(officer, filed):
    form = officer.get(f"/cases/{filed}/facts")
    assert form.status_code == 200 and OTHER_MEMBER in form.get_data(as_text=True)
    answer = officer.post(f"/cases/{filed}/facts", data={"members": f"{MEMBER}\nLukasz Novak",
                                                          "reason": "Member's name misspelled on the form"},
                          follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Member(s) changed" in page and "Lukasz Novak" in page and "Member&#39;s name misspelled" in page
    assert "by officer@example.org" in page


def test_each_change_is_in_the_json_history_and_the_api_with_its_old_and_new_value(officer, filed):
    answer = officer.post(f"/api/grievances/{filed}/facts", json={"school": "Avon PS", "remedy": "Restore it.",
                                                                  "reason": "Transfer letter"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    changes = answer.get_json()["fact_changes"]
    assert {(c["field"], c["old_value"], c["new_value"], c["edited_by"]) for c in changes} == {
        ("school", "Demo PS", "Avon PS", "officer@example.org"),
        ("remedy", "Restore the time; make the teacher whole.", "Restore it.", "officer@example.org")}
    history = officer.get(f"/cases/{filed}/history.json").get_json()
    assert history["case"]["school"] == "Avon PS"
    assert [c["reason"] for c in history["fact_changes"]] == ["Transfer letter", "Transfer letter"]


def test_a_change_of_facts_moves_no_deadline(officer, filed):
    before = officer.get(f"/api/grievances/{filed}").get_json()
    officer.post(f"/api/grievances/{filed}/facts", json={"clauses": "12.07", "reason": "Wrong clause"})
    after = officer.get(f"/api/grievances/{filed}").get_json()
    assert after["deadlines"] == before["deadlines"] and after["stage"] == before["stage"]
    assert after["clauses"] == "12.07"


@pytest.mark.parametrize("derived", ["stage", "opened_on", "next_act_by", "deadlines", "kind", "events"])
def test_what_the_events_derive_cannot_be_edited(app, officer, filed, derived):
    answer = officer.post(f"/api/grievances/{filed}/facts", json={derived: "2025-12-01", "reason": "try"})
    assert answer.status_code == 400 and derived in answer.get_data(as_text=True)
    assert edits(app, filed) == 0


def test_a_change_without_a_reason_is_refused_beside_its_field_and_stores_nothing(app, officer, filed):
    answer = officer.post(f"/cases/{filed}/facts", data={"school": "Avon PS", "reason": ""})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and 'id="reason-error"' in page and "Nothing was changed" in page
    with app.extensions["database"].transaction() as session:
        assert session.get(Grievance, filed).school == "Demo PS"
    assert edits(app, filed) == 0


def test_the_same_value_again_is_nothing_to_change(officer, filed):
    answer = officer.post(f"/api/grievances/{filed}/facts", json={"school": "Demo PS", "reason": "none"})
    assert answer.status_code == 400 and "Nothing to change" in answer.get_data(as_text=True)


def test_another_locals_officer_cannot_be_put_on_a_case(app, officer, filed):
    assert app.test_cli_runner().invoke(args=["locals", "add", "other-local", "Other Teachers Local"]).exit_code == 0
    make_user(app, "stranger@other.example.org", "officer", local="other-local")
    with app.extensions["database"].transaction() as session:
        stranger = session.scalar(select(User.id).where(User.email == "stranger@other.example.org"))
    answer = officer.post(f"/api/grievances/{filed}/facts", json={"officer_id": stranger, "reason": "try"})
    assert answer.status_code == 400 and answer.get_json()["field"] == "officer_id"
    page = officer.post(f"/cases/{filed}/facts", data={"officer_id": str(stranger), "reason": "try"})
    assert page.status_code == 400 and "not one of your local" in page.get_data(as_text=True)
    assert edits(app, filed) == 0


def test_a_number_another_case_of_the_local_has_is_refused(app, officer, filed):
    open_filed_case(app, number="2025-011")
    answer = officer.post(f"/api/grievances/{filed}/facts", json={"number": "2025-011", "reason": "typo"})
    assert answer.status_code == 400 and "already exists" in answer.get_data(as_text=True)


def test_a_stale_version_is_a_409_and_stores_nothing(app, officer, filed):
    version = officer.get(f"/api/grievances/{filed}").get_json()["version"]
    answer = officer.post(f"/api/grievances/{filed}/facts", json={"school": "A", "reason": "r", "version": version - 1})
    assert answer.status_code == 409 and edits(app, filed) == 0


def test_stewards_and_viewers_may_not_change_facts(app, filed):
    for role in ("steward", "viewer"):
        make_user(app, f"{role}@example.org", role)
        client = log_in(app, f"{role}@example.org")
        assert client.post(f"/api/grievances/{filed}/facts", json={"school": "X", "reason": "r"}).status_code == 403
        assert client.post(f"/cases/{filed}/facts", data={"school": "X", "reason": "r"}).status_code == 403
    assert edits(app, filed) == 0


def test_the_pdf_shows_the_current_facts_and_lists_the_changes(officer, filed):
    officer.post(f"/api/grievances/{filed}/facts", json={"school": "Avon Public School", "reason": "Full name"})
    text, _ = pdf_text(officer.get(f"/cases/{filed}/history.pdf").data)
    assert "changes to the case's facts" in text and "School changed" in text
    assert "From: Demo PS" in text and "To: Avon Public School" in text and "Reason: Full name" in text
