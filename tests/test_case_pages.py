"""The dashboard, a case, recording an event with its preview, a new case, documents
and the upcoming deadlines, through Flask's test client. Calendar: the shipped
AMDSB 2025-26 year (no autumn PA day listed; Remembrance Day is a school day);
today pinned to Thu 2025-11-20."""
from datetime import date

import pytest
from sqlalchemy import func, select

from conftest import log_in, make_user
from models import Document, GrievanceEvent
from operations import grievances as ops

TODAY = date(2025, 11, 20)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def filed(app, officer):
    """A policy grievance aware Mon 2025-11-10, filed at Step 1 Thu Nov 13: the Board's reply is
    due 10 school days later: Fri 14 (1), Mon 17 (2) ... Fri 21 (6), Mon 24 (7) ... Thu 27 (10)."""
    app.config["TODAY"] = TODAY.isoformat()
    with app.extensions["database"].transaction() as session:
        case = ops.open_case(session, ops.NewCase(number="2025-010", kind="policy", first_event_on=date(2025, 11, 10),
                                                  members=("Alex Example",), school="Demo PS", clauses="12.06",
                                                  description="Preparation time cut", remedy="Restore it"),
                             by="officer@example.org", today=TODAY)
        ops.record_event(session, case.id, type="grievance_filed", occurred_on=date(2025, 11, 13),
                         by="officer@example.org", today=TODAY)
        return case.id


def events_of(app, case_id):
    with app.extensions["database"].transaction() as session:
        return session.scalar(select(func.count(GrievanceEvent.id)).where(GrievanceEvent.grievance_id == case_id))


def test_the_dashboard_lists_open_cases_by_their_next_deadline(app, officer):
    app.config["TODAY"] = TODAY.isoformat()
    app.test_cli_runner().invoke(args=["demo", "load"])
    page = officer.get("/dashboard").get_data(as_text=True)
    numbers = [n for n in ("DEMO-08", "DEMO-05", "DEMO-04", "DEMO-02", "DEMO-01") if n in page]
    assert numbers == sorted(numbers, key=page.index)
    assert "Our limit passed" in page and "Board missed its limit" in page and "school days" in page
    assert "DEMO-07" not in page  # settled: not open


def test_dashboard_filters_and_search(app, officer):
    app.config["TODAY"] = TODAY.isoformat()
    app.test_cli_runner().invoke(args=["demo", "load"])
    by_flag = officer.get("/dashboard?flag=ours_overdue").get_data(as_text=True)
    assert "DEMO-08" in by_flag and "DEMO-02" not in by_flag
    by_name = officer.get("/dashboard?q=retiree").get_data(as_text=True)
    assert "DEMO-05" in by_name and "DEMO-08" not in by_name
    by_kind = officer.get("/dashboard?kind=board").get_data(as_text=True)
    assert "DEMO-06" in by_kind and "DEMO-01" not in by_kind


def test_a_case_shows_its_deadlines_with_the_arithmetic_and_what_may_happen_next(officer, filed):
    page = officer.get(f"/cases/{filed}").get_data(as_text=True)
    assert "Step 1 reply from the Superintendent (HR Services)" in page
    assert "Thu 27 Nov 2025" in page and "Show the arithmetic" in page
    assert " 10  Thu 2025-11-27  counted: instructional day" in page
    assert "Step 1 reply from the Superintendent</a>" in page  # the event allowed now


def test_the_record_form_previews_the_change_before_saving(app, officer, filed):
    # A reply delivered Wed Nov 19: the Step 2 referral is due 10 school days later:
    # Thu 20 (1), Fri 21 (2), Mon 24 (3) ... Fri 28 (7), Mon Dec 1 (8), Tue 2 (9), Wed 3 (10).
    response = officer.post(f"/cases/{filed}/record/step1_reply", data={"occurred_on": "2025-11-19",
                                                                         "action": "preview"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Refer the grievance to Step 2 (Director of Education) due Wed 03 Dec 2025 — 10 school days from Wed 19 Nov." in page
    assert events_of(app, filed) == 2  # nothing saved by a preview
    saved = officer.post(f"/cases/{filed}/record/step1_reply", data={"occurred_on": "2025-11-19", "action": "record"})
    assert saved.status_code == 302 and events_of(app, filed) == 3


def test_an_event_the_procedure_refuses_comes_back_with_the_reason_and_saves_nothing(app, officer, filed):
    response = officer.post(f"/cases/{filed}/record/step2_reply", data={"occurred_on": "2025-11-19",
                                                                         "action": "record"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "the case is at" in page and "Allowed now" in page
    assert events_of(app, filed) == 2


def test_an_impossible_date_is_refused_beside_the_field(app, officer, filed):
    response = officer.post(f"/cases/{filed}/record/step1_reply", data={"occurred_on": "2025-02-30",
                                                                         "action": "record"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "is not a date" in page
    assert 'id="occurred_on"' in page and 'aria-invalid="true"' in page
    assert events_of(app, filed) == 2


def test_a_document_is_kept_with_its_event_and_only_for_those_who_may_see_the_case(app, officer, filed):
    from io import BytesIO

    saved = officer.post(f"/cases/{filed}/record/step1_reply",
                         data={"occurred_on": "2025-11-19", "action": "record",
                               "document": (BytesIO(PDF), "reply.pdf")}, content_type="multipart/form-data")
    assert saved.status_code == 302
    with app.extensions["database"].transaction() as session:
        document = session.scalars(select(Document)).one()
        assert (document.filename, document.size, document.content_type) == ("reply.pdf", len(PDF), "application/pdf")
        document_id = document.id
    assert officer.get(f"/documents/{document_id}").data == PDF
    with app.extensions["database"].transaction() as session:
        ops.ensure_local(session, "other-local", "Another")
    make_user(app, "stranger@example.org", "officer", "other-local")
    assert log_in(app, "stranger@example.org").get(f"/documents/{document_id}").status_code == 404


def test_a_document_of_the_wrong_type_is_refused_and_the_event_is_not_saved(app, officer, filed):
    from io import BytesIO

    response = officer.post(f"/cases/{filed}/record/step1_reply",
                            data={"occurred_on": "2025-11-19", "action": "record",
                                  "document": (BytesIO(b"MZ\x90\x00binary"), "reply.pdf")},
                            content_type="multipart/form-data")
    assert response.status_code == 400 and "does not look like a .pdf file" in response.get_data(as_text=True)
    assert events_of(app, filed) == 2


def test_a_new_case_needs_what_33_04_requires(app, officer):
    app.config["TODAY"] = TODAY.isoformat()
    form = {"kind": "individual", "number": "2025-020", "first_event_on": "2025-11-17", "members": "Sam Sample",
            "school": "Demo PS", "clauses": "12.06", "description": "Prep time", "remedy": ""}
    refused = officer.post("/cases/new", data=form)
    assert refused.status_code == 400 and "relief or remedy" in refused.get_data(as_text=True)
    opened = officer.post("/cases/new", data={**form, "remedy": "Restore the time"})
    assert opened.status_code == 302
    page = officer.get(opened.headers["Location"]).get_data(as_text=True)
    # Aware Mon Nov 17: raise the complaint within 10 school days: Tue 18 (1) ... Mon Dec 1 (10).
    assert "Bring the complaint to the immediate supervisor" in page and "Mon 01 Dec 2025" in page


def test_free_text_is_shown_as_text_not_html(app, officer):
    app.config["TODAY"] = TODAY.isoformat()
    opened = officer.post("/cases/new", data={"kind": "policy", "number": "2025-021", "first_event_on": "2025-11-17",
                                               "members": "<script>alert(1)</script>", "clauses": "12.06",
                                               "description": "<b>bold</b>", "remedy": "x"})
    page = officer.get(opened.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_upcoming_shows_the_deadlines_of_the_next_weeks(officer, filed):
    page = officer.get("/upcoming").get_data(as_text=True)
    assert "2025-010" in page and "Step 1 reply from the Superintendent (HR Services)" in page
    assert "27 Nov" in page
