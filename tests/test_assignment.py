"""Issue 13, item 3: stewards and the officer chosen from the case page and the API, from the
local's own people only. A steward assigned sees the case at once: on the case page, the
dashboard, their digest and their calendar feed (all through operations/accounts.visible); one
unassigned no longer does. Each change is on the case's timeline.
The case: test_exports.open_filed_case (the Board's Step 1 reply due Thu Nov 27); today Thu 2025-11-20."""
from datetime import date

import pytest
from sqlalchemy import func, select

from conftest import log_in, make_user
from models import StewardAssignment, User
from operations.digests import build_digest
from test_exports import open_filed_case
from test_feeds import events, new_link, read_feed

REPLY = "2025-010: Step 1 reply from the Superintendent (HR Services) (Board)"


@pytest.fixture
def filed(app, officer):
    return open_filed_case(app)


def user_id(app, email):
    with app.extensions["database"].transaction() as session:
        return session.scalar(select(User.id).where(User.email == email))


def assignments(app, case_id):
    with app.extensions["database"].transaction() as session:
        return session.scalar(select(func.count(StewardAssignment.id)).where(StewardAssignment.grievance_id == case_id))


@pytest.fixture
def steward(app):
    make_user(app, "steward@example.org", "steward")
    return log_in(app, "steward@example.org")


@pytest.fixture
def other_local(app):
    assert app.test_cli_runner().invoke(args=["locals", "add", "other-local", "Other Teachers Local"]).exit_code == 0
    make_user(app, "steward@other.example.org", "steward", local="other-local")
    make_user(app, "officer@other.example.org", "officer", local="other-local")


def test_a_steward_ticked_on_the_case_page_sees_the_case_at_once(app, officer, steward, filed):
    assert steward.get(f"/cases/{filed}").status_code == 404
    page = officer.get(f"/cases/{filed}").get_data(as_text=True)
    assert 'name="steward_ids"' in page and "steward@example.org" in page
    answer = officer.post(f"/cases/{filed}/assignment", data={"steward_ids": str(user_id(app, "steward@example.org")),
                                                              "reason": "Steward at the member's school"},
                          follow_redirects=True)
    assert answer.status_code == 200 and "Steward(s) changed" in answer.get_data(as_text=True)
    assert steward.get(f"/cases/{filed}").status_code == 200
    assert "2025-010" in steward.get("/dashboard").get_data(as_text=True)


def digest_mentions(app, email, number) -> bool:
    with app.extensions["database"].transaction() as session:
        digest = build_digest(session, session.scalar(select(User).where(User.email == email)),
                              date(2025, 11, 20), case_url=str)
        return any(number in str(item) for item in digest.due_soon + digest.overdue + digest.changes)


def test_an_assigned_steward_gets_the_case_in_their_digest_and_feed(app, officer, steward, filed):
    link = new_link(steward)
    assert REPLY not in events(read_feed(link, app))
    assert not digest_mentions(app, "steward@example.org", "2025-010")
    officer.post(f"/api/grievances/{filed}/assignment", json={"steward_ids": [user_id(app, "steward@example.org")]})
    assert REPLY in events(read_feed(link, app))
    assert digest_mentions(app, "steward@example.org", "2025-010")


def test_a_steward_left_unticked_is_unassigned_and_no_longer_sees_the_case(app, officer, steward, filed):
    me = user_id(app, "steward@example.org")
    officer.post(f"/api/grievances/{filed}/assignment", json={"steward_ids": [me]})
    assert steward.get(f"/cases/{filed}").status_code == 200
    answer = officer.post(f"/api/grievances/{filed}/assignment", json={"steward_ids": [], "reason": "Moved school"})
    assert answer.status_code == 200 and answer.get_json()["stewards"] == []
    assert steward.get(f"/cases/{filed}").status_code == 404
    changes = answer.get_json()["fact_changes"]
    assert [(c["field"], c["old_value"], c["new_value"]) for c in changes][-1] == ("stewards", "steward@example.org", "")


def test_the_officer_is_chosen_from_the_case_page_and_kept_on_the_timeline(app, officer, admin, filed):
    answer = officer.post(f"/api/grievances/{filed}/assignment", json={"officer_id": user_id(app, "admin@example.org")})
    assert answer.status_code == 200
    assert answer.get_json()["fact_changes"][-1]["new_value"] == "admin@example.org"
    history = officer.get(f"/cases/{filed}/history.json").get_json()
    assert history["case"]["officer"] == "admin@example.org"


def test_another_locals_steward_or_officer_is_refused_and_nothing_changes(app, officer, filed, other_local):
    foreign_steward, foreign_officer = (user_id(app, "steward@other.example.org"),
                                        user_id(app, "officer@other.example.org"))
    answer = officer.post(f"/api/grievances/{filed}/assignment", json={"steward_ids": [foreign_steward]})
    assert answer.status_code == 400 and answer.get_json()["field"] == "steward_ids"
    answer = officer.post(f"/api/grievances/{filed}/assignment", json={"officer_id": foreign_officer})
    assert answer.status_code == 400 and answer.get_json()["field"] == "officer_id"
    page = officer.post(f"/cases/{filed}/assignment", data={"steward_ids": str(foreign_steward)})
    assert page.status_code == 400 and "not one of your local" in page.get_data(as_text=True)
    assert assignments(app, filed) == 0
    assert officer.get(f"/api/grievances/{filed}").get_json()["fact_changes"] == []


def test_an_id_out_of_range_or_not_a_number_is_refused_by_the_gate(app, officer, filed):
    for body in ({"steward_ids": [2 ** 40]}, {"steward_ids": ["1"]}, {"officer_id": True}, {"steward_ids": "1"}):
        answer = officer.post(f"/api/grievances/{filed}/assignment", json=body)
        assert answer.status_code == 400, body
    assert officer.post(f"/cases/{filed}/assignment", data={"steward_ids": "9" * 40}).status_code == 400
    assert assignments(app, filed) == 0


def test_stewards_and_viewers_may_not_assign(app, steward, filed):
    make_user(app, "viewer@example.org", "viewer")
    viewer = log_in(app, "viewer@example.org")
    me = user_id(app, "steward@example.org")
    for client in (steward, viewer):
        assert client.post(f"/api/grievances/{filed}/assignment", json={"steward_ids": [me]}).status_code == 403
        assert client.post(f"/cases/{filed}/assignment", data={"steward_ids": str(me)}).status_code == 403
    assert assignments(app, filed) == 0
