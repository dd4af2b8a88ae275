"""The JSON API on the shipped AMDSB calendars, with today pinned to
Thu 2025-11-20 (2025-26: Remembrance Day Nov 11 is a school day; no PA day is
listed for the autumn; winter break Dec 22 - Jan 2)."""
import json

import pytest
from sqlalchemy import func, select

from models import GrievanceEvent

TODAY = "2025-11-20"


@pytest.fixture
def client(app, admin):
    """An administrator: records events and changes board calendars."""
    app.config["TODAY"] = TODAY
    return admin


def open_case(client, number="2025-001", kind="individual", first="2025-10-01", **extra):
    body = {"number": number, "kind": kind, "first_event_on": first,
            "members": ["Alex Example"], "school": "Demo PS", "clauses": "12.06", "description": "Prep time cut",
            "remedy": "Restore the time", **extra}
    response = client.post("/api/grievances", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def record(client, case_id, type_, on, expect=201, **body):
    response = client.post(f"/api/grievances/{case_id}/events",
                           json={"type": type_, "occurred_on": on, **body})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def deadline(case, key):
    return next(d for d in case["deadlines"] if d["key"] == key)


def filed_case(client):
    case = open_case(client)
    for type_, on in [("complaint_raised", "2025-10-03"), ("complaint_discussed", "2025-10-06"),
                      ("grievance_filed", "2025-10-14")]:
        case = record(client, case["id"], type_, on)
    return case


def test_a_filed_grievance_shows_the_board_reply_due_with_its_arithmetic(client):
    # Step 1 filed Tue 2025-10-14: Wed 15 (1), Thu 16 (2), Fri 17 (3), Mon 20 (4) ... Fri 24 (8),
    # Mon 27 (9), Tue 28 (10). The reply is due Tue 2025-10-28; by today it is overdue.
    case = filed_case(client)
    reply = deadline(case, "step1_reply")
    assert (reply["due"], reply["party"], reply["status"]) == ("2025-10-28", "board", "overdue")
    assert reply["explanation"]["days"][0] == {"date": "2025-10-14", "counted": False, "number": None,
                                               "reason": "instructional day", "start": True}
    assert reply["explanation"]["days"][-1] == {"date": "2025-10-28", "counted": True, "number": 10,
                                                "reason": "instructional day", "start": False}
    # 33.02 c: the Union Local refers to Step 2 within 10 school days of the reply's last day:
    # Wed Oct 29 (1) ... Tue Nov 11 (10; Remembrance Day is a school day).
    referral = deadline(case, "step2_referral")
    assert (referral["trigger"], referral["due"]) == ("lapse:step1_reply", "2025-11-11")
    assert {f["code"] for f in case["flags"]} == {"theirs_overdue", "ours_overdue"}


def test_an_event_the_procedure_refuses_is_not_stored(client, app):
    case = filed_case(client)
    refused = record(client, case["id"], "step2_reply", "2025-11-03", expect=400)
    assert refused["field"] == "type"
    assert "Step 2 reply" in refused["error"] and "Step 1 reply from the Superintendent" in refused["fix"]
    with app.extensions["database"].transaction() as session:
        assert session.scalar(select(func.count(GrievanceEvent.id))) == 4


def test_an_event_dated_before_the_case_began_is_refused(client):
    case = open_case(client)
    refused = record(client, case["id"], "complaint_raised", "2025-09-30", expect=400)
    assert refused["field"] == "occurred_on" and "before the case began on 2025-10-01" in refused["error"]


def test_an_extension_of_a_limit_that_is_not_running_is_refused(client):
    case = open_case(client)
    refused = record(client, case["id"], "extension_agreed", "2025-10-02", expect=400,
                     details={"limit": "step2_referral", "new_due": "2025-12-01"})
    assert refused["field"] == "details.limit" and "complaint_raise" in refused["fix"]


def test_a_void_corrects_a_wrong_date_and_needs_a_reason(client):
    case = filed_case(client)
    late = record(client, case["id"], "step1_reply", "2025-10-27")
    reply_event = late["events"][-1]["id"]
    missing = client.post(f"/api/grievances/{case['id']}/events/{reply_event}/void",
                          json={"reason": " "})
    assert missing.status_code == 400 and missing.get_json()["field"] == "reason"
    voided = client.post(f"/api/grievances/{case['id']}/events/{reply_event}/void",
                         json={"reason": "wrong case"}).get_json()
    assert deadline(voided, "step1_reply")["status"] == "overdue"
    assert voided["events"][-1]["voids"] == reply_event


def test_a_stale_version_is_told_to_reload(client):
    case = filed_case(client)
    record(client, case["id"], "step1_reply", "2025-10-27", version=case["version"])
    stale = record(client, case["id"], "step2_referral", "2025-10-29", expect=409, version=case["version"])
    assert stale["field"] == "version" and "Reload" in stale["fix"]


def test_a_closure_moves_running_deadlines_and_says_so_on_the_timeline(client, app):
    # Filed Thu 2025-11-13; reply due 10 school days later: Fri 14 (1), Mon 17 (2) ... Thu 27 (10).
    case = open_case(client, number="2025-002", kind="policy", first="2025-11-10")
    case = record(client, case["id"], "grievance_filed", "2025-11-13")
    assert deadline(case, "step1_reply")["due"] == "2025-11-27"
    # A strike closes schools Mon Nov 24 and Tue Nov 25: the reply moves two school days, to Mon Dec 1.
    closed = client.post("/api/boards/amdsb-elementary/closures",
                         json={"first": "2025-11-24", "last": "2025-11-25", "kind": "strike", "name": "ETFO strike",
                               "reason": "Board notice of school closures"})
    assert closed.status_code == 201, closed.get_json()
    moved = [m for m in closed.get_json()["moved_deadlines"] if m["grievance_id"] == case["id"]]
    assert [(m["deadline"], m["old_due"], m["new_due"]) for m in moved] == [("step1_reply", "2025-11-27", "2025-12-01")]
    after = client.get(f"/api/grievances/{case['id']}").get_json()
    assert deadline(after, "step1_reply")["due"] == "2025-12-01"
    assert after["deadline_moves"][0]["reason"] == ("2025-11-24 .. 2025-11-25 (closure: strike: ETFO strike) added to "
                                                    "the board calendar: Board notice of school closures")


def test_a_pa_day_added_mid_year_moves_school_day_limits(client):
    # Filed Thu 2025-11-13: reply due Thu Nov 27 (see above). The board adds a PA day on
    # Fri Nov 21: it is not a school day, so the reply moves one school day, to Fri Nov 28.
    case = open_case(client, number="2025-005", kind="policy", first="2025-11-10")
    record(client, case["id"], "grievance_filed", "2025-11-13")
    added = client.post("/api/boards/amdsb-elementary/days",
                        json={"first": "2025-11-21", "type": "pa day", "name": "PA day added by the board",
                              "reason": "Board memo 2025-11-01"})
    assert added.status_code == 201, added.get_json()
    assert [(m["old_due"], m["new_due"]) for m in added.get_json()["moved_deadlines"]] == [("2025-11-27", "2025-11-28")]


def test_a_full_recompute_changes_nothing(client, app):
    filed_case(client)
    open_case(client, number="2025-003", kind="board", first="2025-11-03")
    client.post("/api/boards/amdsb-elementary/closures",
                json={"first": "2025-11-18", "kind": "weather", "reason": "snow"})
    from operations.grievances import recompute_all
    from datetime import date

    with app.extensions["database"].transaction() as session:
        assert recompute_all(session, date.fromisoformat(TODAY)) == 0


def test_the_list_puts_the_most_urgent_first(client):
    filed_case(client)
    open_case(client, number="2025-004", first="2025-11-18")
    listed = client.get("/api/grievances").get_json()["grievances"]
    assert [g["number"] for g in listed] == ["2025-001", "2025-004"]
    assert listed[0]["next_deadline"] == "step2_referral"


def test_bad_input_names_the_field(client):
    response = client.post("/api/grievances", json={"number": "", "kind": "individual"})
    assert response.status_code == 400 and response.get_json()["field"] == "number"
    response = client.post("/api/grievances", data="not json", content_type="text/plain")
    assert response.get_json()["field"] == "body"
    response = client.get("/api/grievances/999")
    assert response.status_code == 404


def test_the_openapi_document_lists_every_route(client, app):
    document = client.get("/api/openapi.json").get_json()
    api_rules = {r.rule.replace("<int:", "{").replace("<", "{").replace(">", "}") for r in app.url_map.iter_rules()
                 if r.rule.startswith("/api/")}
    assert api_rules == set(document["paths"])


def test_replay_stores_nothing_and_answers_what_if(client, app):
    case = {"kind": "individual", "today": "2025-11-20", "events": [
        {"type": "awareness", "date": "2025-10-01"}, {"type": "complaint_raised", "date": "2025-10-03"},
        {"type": "complaint_discussed", "date": "2025-10-06"}, {"type": "grievance_filed", "date": "2025-10-14"},
        {"type": "step1_reply", "date": "2025-10-24"}]}
    answer = client.post("/api/replay", json=case).get_json()
    # Reply Fri Oct 24: Step 2 referral within 10 school days: Mon 27 (1) ... Fri Nov 7 (10).
    assert deadline(answer, "step2_referral")["due"] == "2025-11-07"
    assert client.get("/api/grievances").get_json()["grievances"] == []


def test_the_replay_command_reads_a_case_file(app, tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"kind": "board", "today": "2025-11-20", "events": [
        {"type": "occurrence", "date": "2025-11-03"}, {"type": "board_grievance_filed", "date": "2025-11-10"}]}))
    result = app.test_cli_runner().invoke(args=["deadlines", "replay", str(path), "--no-explanations"])
    state = json.loads(result.stdout)
    # 33.06: the President replies within 10 days (33.01 c): Tue Nov 11 (1) ... Mon Nov 24 (10).
    assert deadline(state, "union_reply")["due"] == "2025-11-24"
    bad = app.test_cli_runner().invoke(args=["deadlines", "replay", "-"], input='{"kind": "board", "events": []}')
    assert bad.exit_code == 1 and "Events is empty" in bad.output


def test_demo_cases_load_once_in_different_states(app):
    runner = app.test_cli_runner()
    app.config["TODAY"] = TODAY
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    runner.invoke(args=["demo", "load"])
    from conftest import log_in, make_user

    make_user(app, "viewer@example.org", "viewer")
    listed = log_in(app, "viewer@example.org").get("/api/grievances?open=all").get_json()["grievances"]
    assert len(listed) == 8
    assert {g["stage"] for g in listed} >= {"complaint", "step_1", "step_2", "arbitration", "board_step_1", "settled"}


def test_the_first_event_can_be_corrected_to_an_earlier_date(client):
    # Awareness recorded as Fri 2025-10-10, really Wed Oct 1: complaint_raise then runs
    # Thu Oct 2 (1) ... Fri Oct 10 (7), [Mon 13 Thanksgiving], Tue 14 (8), Wed 15 (9), Thu 16 (10).
    case = open_case(client, first="2025-10-10")
    first_event = case["events"][0]["id"]
    corrected = client.post(f"/api/grievances/{case['id']}/events/{first_event}/correct",
                            json={"occurred_on": "2025-10-01", "reason": "the teacher learned of it on Oct 1"})
    assert corrected.status_code == 201, corrected.get_json()
    body = corrected.get_json()
    assert deadline(body, "complaint_raise")["due"] == "2025-10-16"
    assert [(e["type"], e["voids"]) for e in body["events"]] == [("awareness", None), ("void", first_event),
                                                                  ("awareness", None)]


def test_most_urgent_puts_cases_with_nothing_due_last_across_pages(app, client):
    from sqlalchemy import select, update

    from models import Grievance
    from operations.grievances import most_urgent

    for number, first in [("U-1", "2025-11-18"), ("U-2", "2025-11-10"), ("U-3", "2025-11-14")]:
        open_case(client, number=number, kind="policy", first=first)
    with app.extensions["database"].transaction() as session:
        session.execute(update(Grievance).where(Grievance.number == "U-2").values(next_act_by=None))
        query = select(Grievance.number)
        pages = [[row[0] for row in most_urgent(session, query, limit=2, offset=offset)] for offset in (0, 2)]
    # U-3's filing limit (from Fri Nov 14) ends before U-1's (from Tue Nov 18); U-2 has no date.
    assert pages == [["U-3", "U-1"], ["U-2"]]
