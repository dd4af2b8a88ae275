"""Dates the calendar cannot count (issue 13, item 7), through the pages and the API.

Calendars: the shipped AMDSB elementary years, 2024-25 to 2026-27. 2027-28 is not loaded, so a date
from Sep 1 2027 on cannot be typed: opening a case or recording an event there asks for confirmation
and names 2027-28. In 2025-26, Sat 22 Nov 2025 is a weekend and Tue 23 Dec 2025 is in the winter
break (Dec 22 - Jan 2): an event on either is recorded, with a note saying so."""
from datetime import date

import pytest
from sqlalchemy import func, select

from models import Grievance, GrievanceEvent
from operations import grievances as ops

IN_2027_28 = "2027-10-04"  # Mon, in a school year with no calendar loaded
CASE = {"kind": "policy", "members": ["Alex Example"], "school": "Demo PS", "clauses": "12.06",
        "description": "Preparation time cut", "remedy": "Restore it"}


def cases_stored(app) -> int:
    with app.extensions["database"].transaction() as session:
        return session.scalar(select(func.count(Grievance.id)))


def events_of(app, case_id) -> int:
    with app.extensions["database"].transaction() as session:
        return session.scalar(select(func.count(GrievanceEvent.id)).where(GrievanceEvent.grievance_id == case_id))


def opened_in_2026_27(app, today: date) -> int:
    """A policy grievance: the union became aware Mon 2025-11-10 (2025-26, loaded)."""
    app.config["TODAY"] = today.isoformat()
    with app.extensions["database"].transaction() as session:
        case = ops.open_case(session, ops.NewCase(number="2025-010", kind="policy", first_event_on=date(2025, 11, 10),
                                                  members=("Alex Example",), school="Demo PS", clauses="12.06",
                                                  description="Preparation time cut", remedy="Restore it"),
                             by="officer@example.org", today=today)
        ops.record_event(session, case.id, type="grievance_filed", occurred_on=date(2025, 11, 13),
                         by="officer@example.org", today=today)
        return case.id


# -- a school year with no calendar loaded: confirm first --------------------------------------

def test_api_refuses_a_case_opened_in_an_unloaded_year_until_confirmed(app, officer):
    app.config["TODAY"] = IN_2027_28
    body = {**CASE, "number": "2027-001", "first_event_on": "2027-09-20"}
    refused = officer.post("/api/grievances", json=body)
    assert refused.status_code == 409
    answer = refused.get_json()
    assert answer["field"] == "first_event_on" and answer["confirm_with"] == "confirm_uncounted"
    assert "The 2027-28 calendar of amdsb-elementary is not loaded" in answer["error"]
    assert "schooldays load" in answer["fix"]
    assert cases_stored(app) == 0

    opened = officer.post("/api/grievances", json={**body, "confirm_uncounted": True})
    assert opened.status_code == 201, opened.get_json()
    assert cases_stored(app) == 1


def test_api_takes_confirm_uncounted_only_as_a_boolean(app, officer):
    app.config["TODAY"] = IN_2027_28
    refused = officer.post("/api/grievances", json={**CASE, "number": "2027-001", "first_event_on": "2027-09-20",
                                                     "confirm_uncounted": "yes"})
    assert refused.status_code == 400
    assert "confirm_uncounted" in str(refused.get_json())
    assert cases_stored(app) == 0


def test_a_case_in_a_loaded_year_needs_no_confirmation(app, officer):
    app.config["TODAY"] = "2025-11-20"
    opened = officer.post("/api/grievances", json={**CASE, "number": "2025-001", "first_event_on": "2025-11-17"})
    assert opened.status_code == 201, opened.get_json()


def test_new_case_form_asks_to_record_it_anyway_and_names_the_year(app, officer):
    app.config["TODAY"] = IN_2027_28
    form = {**CASE, "members": "Alex Example", "number": "2027-002", "first_event_on": "2027-09-20"}
    refused = officer.post("/cases/new", data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'id="first_event_on-error"' in page and "The 2027-28 calendar of amdsb-elementary is not loaded" in page
    assert 'name="confirm_uncounted"' in page and "Record it anyway" in page
    assert cases_stored(app) == 0

    opened = officer.post("/cases/new", data={**form, "confirm_uncounted": "1"})
    assert opened.status_code == 302
    case_page = officer.get(opened.headers["Location"]).get_data(as_text=True)
    # Counting on 2027-28 (not loaded): the running limit says which year to load, not a bare dash.
    assert "the 2027-28 calendar is not loaded" in case_page
    assert "act by — ." not in case_page and "the calendar cannot count it" not in case_page


def test_dashboard_says_which_year_an_uncounted_case_needs(app, officer):
    app.config["TODAY"] = IN_2027_28
    officer.post("/api/grievances", json={**CASE, "number": "2027-003", "first_event_on": "2027-09-20",
                                          "confirm_uncounted": True})
    page = officer.get("/dashboard").get_data(as_text=True)
    assert "2027-003" in page and "the 2027-28 calendar is not loaded" in page


def test_api_refuses_an_event_in_an_unloaded_year_until_confirmed(app, officer):
    case_id = opened_in_2026_27(app, date(2025, 11, 20))
    app.config["TODAY"] = IN_2027_28
    body = {"type": "step1_reply", "occurred_on": "2027-09-20"}
    refused = officer.post(f"/api/grievances/{case_id}/events", json=body)
    assert refused.status_code == 409
    assert refused.get_json()["field"] == "occurred_on" and "2027-28" in refused.get_json()["error"]
    assert events_of(app, case_id) == 2

    recorded = officer.post(f"/api/grievances/{case_id}/events", json={**body, "confirm_uncounted": True})
    assert recorded.status_code == 201, recorded.get_json()
    assert events_of(app, case_id) == 3


def test_record_form_previews_and_asks_for_an_event_in_an_unloaded_year(app, officer):
    case_id = opened_in_2026_27(app, date(2025, 11, 20))
    app.config["TODAY"] = IN_2027_28
    form = {"occurred_on": "2027-09-20"}
    preview = officer.post(f"/cases/{case_id}/record/step1_reply", data={**form, "action": "preview"})
    assert preview.status_code == 200
    assert "The 2027-28 calendar of amdsb-elementary is not loaded" in preview.get_data(as_text=True)

    refused = officer.post(f"/cases/{case_id}/record/step1_reply", data={**form, "action": "record"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'id="occurred_on-error"' in page and 'name="confirm_uncounted"' in page
    assert events_of(app, case_id) == 2

    saved = officer.post(f"/cases/{case_id}/record/step1_reply",
                         data={**form, "action": "record", "confirm_uncounted": "1"})
    assert saved.status_code == 302
    assert events_of(app, case_id) == 3


# -- a day that is not a school day: recorded, with a note -----------------------------------

def test_api_records_a_weekend_reply_with_a_note(app, officer):
    case_id = opened_in_2026_27(app, date(2025, 11, 24))
    recorded = officer.post(f"/api/grievances/{case_id}/events",
                            json={"type": "step1_reply", "occurred_on": "2025-11-22"})
    assert recorded.status_code == 201, recorded.get_json()
    notes = {e["occurred_on"]: e["day_note"] for e in recorded.get_json()["events"]}
    assert notes["2025-11-22"] == "Recorded on Sat 22 Nov 2025, a weekend: the count starts from it all the same."
    assert notes["2025-11-13"] == ""  # Thu 13 Nov 2025: an instructional day


def test_api_notes_an_event_in_the_winter_break(app, officer):
    case_id = opened_in_2026_27(app, date(2026, 1, 5))
    recorded = officer.post(f"/api/grievances/{case_id}/events",
                            json={"type": "step1_reply", "occurred_on": "2025-12-23"})
    assert recorded.status_code == 201, recorded.get_json()
    note = next(e["day_note"] for e in recorded.get_json()["events"] if e["occurred_on"] == "2025-12-23")
    assert note.startswith("Recorded on Tue 23 Dec 2025, a break")


def test_case_page_and_preview_say_a_weekend_event_is_not_a_school_day(app, officer):
    case_id = opened_in_2026_27(app, date(2025, 11, 24))
    form = {"occurred_on": "2025-11-22"}
    preview = officer.post(f"/cases/{case_id}/record/step1_reply", data={**form, "action": "preview"})
    assert "Recorded on Sat 22 Nov 2025, a weekend" in preview.get_data(as_text=True)
    saved = officer.post(f"/cases/{case_id}/record/step1_reply", data={**form, "action": "record"})
    assert saved.status_code == 302  # recorded without asking: a reply is delivered when it is delivered
    page = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert page.count("a weekend: the count starts from it all the same") == 1
