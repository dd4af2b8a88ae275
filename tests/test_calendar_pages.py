"""The board calendar pages: the loaded years, a school year as month grids,
and the administrator's form that adds a closure with a preview of the
deadlines it moves."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from models import CalendarChange, CalendarEntryRecord, DeadlineMove, DeadlineRecord
from operations.accounts import create_user
from operations.grievances import NewCase, open_case, record_event

PASSWORD = "a long enough password"
YEAR_PAGE = "/calendar/amdsb-elementary/2025-26"
TODAY = date(2025, 11, 20)
STRIKE = {"type": "closure", "first": "2025-11-24", "last": "2025-11-25", "kind": "strike", "name": "ETFO strike",
          "reason": "Board notice of school closures"}


@pytest.fixture
def site(app):
    app.config["SESSION_COOKIE_SECURE"] = False
    app.config["TODAY"] = TODAY.isoformat()
    with app.extensions["database"].transaction() as session:
        for role in ("admin", "officer", "viewer"):
            create_user(session, local="etfo-avon-maitland", email=f"{role}@example.org", name=role.title(),
                        password=PASSWORD, role=role)
    return app


def log_in(app, role: str):
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as s:
        token = s["csrf"]
    response = client.post("/login", data={"email": f"{role}@example.org", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def post_form(client, data: dict, action: str):
    with client.session_transaction() as s:
        token = s["csrf"]
    return client.post(YEAR_PAGE, data={**data, "action": action, "csrf_token": token})


def cell(page: str, day: str) -> tuple[str, str, str]:
    """The (classes, title, whole cell) of a day's cell in the month grids."""
    found = re.search(rf'<td class="([^"]*)" title="([^"]*)"[^>]*><time datetime="{day}">.*?</td>', page)
    assert found, f"no cell for {day}"
    return found[1], found[2], found[0]


def open_policy_case(app) -> int:
    """Filed Thu 2025-11-13: the Step 1 reply is due ten school days later, Thu 2025-11-27."""
    with app.extensions["database"].transaction() as session:
        grievance = open_case(session, NewCase(number="2025-002", kind="policy", first_event_on=date(2025, 11, 10),
                                               members=("A. Teacher",), clauses="Article 12", description="Facts.",
                                               remedy="Remedy."), by="test", today=TODAY)
        record_event(session, grievance.id, type="grievance_filed", occurred_on=date(2025, 11, 13), by="test",
                     today=TODAY)
        return grievance.id


def stored(app) -> dict:
    with app.extensions["database"].transaction() as session:
        return {
            "closures": session.scalar(select(func.count(CalendarEntryRecord.id))
                                       .where(CalendarEntryRecord.day_type == "closure")),
            "changes": session.scalar(select(func.count(CalendarChange.id))),
            "moves": session.scalar(select(func.count(DeadlineMove.id))),
            "step1_due": session.scalar(select(DeadlineRecord.due).where(DeadlineRecord.key == "step1_reply")),
        }


# -- reading -----------------------------------------------------------------------------------

def test_the_index_lists_the_loaded_years_and_says_they_are_not_verified(site):
    page = log_in(site, "viewer").get("/calendar").get_data(as_text=True)
    for label in ("2024-25", "2025-26", "2026-27"):
        assert f'href="/calendar/amdsb-elementary/{label}"' in page
    assert page.lower().count("not verified") == 3  # the AMDSB years; Halton DSB is verified
    assert "Verified, with dates the board has not confirmed" in page  # hdsb-secondary: its Jun 26
    assert "Tue 02 Sep 2025" in page and "https://www.ontario.ca/page/school-year-calendars" in page


def test_the_year_page_types_every_day(site):
    response = log_in(site, "viewer").get(YEAR_PAGE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    classes, title, whole = cell(page, "2025-12-22")
    assert "day-break" in classes and "not-counted" in classes and "Winter break" in title
    assert '<span class="word">Break</span>' in whole
    classes, title, whole = cell(page, "2025-10-13")
    assert "day-statutory-holiday" in classes and "statutory holiday: Thanksgiving" in title
    assert '<span class="word">Stat</span>' in whole
    classes, title, _ = cell(page, "2025-11-11")
    assert "day-instructional" in classes and " counted" in classes and title.endswith("instructional day")
    classes, _, whole = cell(page, "2025-11-20")
    assert "today" in classes and 'aria-current="date"' in whole
    # The months run from the first day's month to the last day's, Monday first.
    assert page.index("September 2025") < page.index("June 2026") and "August 2025" not in page
    assert "<abbr title=\"Monday\">Mon</abbr>" in page
    # The non-counted days in words under each month, and the year's count.
    assert "Winter break" in page and "instructional days" in page and "Legend" in page


def test_an_unknown_board_or_year_is_404(site):
    client = log_in(site, "viewer")
    assert client.get("/calendar/amdsb-elementary/2030-31").status_code == 404
    assert client.get("/calendar/no-such-board/2025-26").status_code == 404


# -- the administrator's form ------------------------------------------------------------------

def test_a_preview_lists_the_deadlines_that_would_move_and_stores_nothing(site):
    case_id = open_policy_case(site)
    before = stored(site)
    assert before["step1_due"] == date(2025, 11, 27)
    response = post_form(log_in(site, "admin"), STRIKE, "preview")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert f'<a href="/cases/{case_id}">2025-002</a>' in page
    assert "Step 1 reply from the Superintendent (HR Services)" in page
    assert "Thu 27 Nov 2025" in page and "Mon 01 Dec 2025" in page
    assert "Nothing is saved yet" in page
    assert stored(site) == before
    # The calendar shown (and stored) does not have the closure.
    assert "day-closure" not in cell(page, "2025-11-24")[0]


def test_add_stores_the_closure_and_moves_the_deadline(site):
    case_id = open_policy_case(site)
    admin = log_in(site, "admin")
    response = post_form(admin, STRIKE, "add")
    assert response.status_code == 302 and re.search(rf"{YEAR_PAGE}\?change=\d+#result$", response.headers["Location"])
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 deadline moved" in page and "What the change moved" in page
    classes, title, whole = cell(page, "2025-11-24")
    assert "day-closure" in classes and "closure: strike (ETFO strike)" in title
    assert '<span class="word">Closed</span>' in whole
    after = stored(site)
    assert after["closures"] == 1 and after["moves"] == 1 and after["step1_due"] == date(2025, 12, 1)
    case_page = admin.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Mon 01 Dec 2025" in case_page


@pytest.mark.parametrize("change, field, message", [
    ({"first": "2025-11-22", "last": ""}, "first", "2025-11-22 is a Saturday"),
    ({"first": "2025-11-24", "last": "2025-11-29"}, "last", "2025-11-29 is a Saturday"),
    ({"first": "2025-02-30", "last": ""}, "first", "is not a date"),
    ({"first": "2026-06-29", "last": "2026-07-02"}, "last", "spans two school years"),
    ({"reason": ""}, "reason", "Reason is required."),
])
def test_bad_input_comes_back_beside_the_field_and_stores_nothing(site, change, field, message):
    open_policy_case(site)
    before = stored(site)
    admin = log_in(site, "admin")
    for action in ("preview", "add"):
        response = post_form(admin, {**STRIKE, **change}, action)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert message in page
        assert re.search(rf'<input id="{field}"[^>]*aria-invalid="true" aria-describedby="[^"]*{field}-error', page, re.S)
        assert f'id="{field}-error"' in page
    assert stored(site) == before


def test_an_overlapping_closure_is_refused(site):
    admin = log_in(site, "admin")
    assert post_form(admin, STRIKE, "add").status_code == 302
    before = stored(site)
    response = post_form(admin, {**STRIKE, "first": "2025-11-25", "last": "2025-11-26"}, "add")
    assert response.status_code == 400 and "overlapping days" in response.get_data(as_text=True)
    assert stored(site) == before


@pytest.mark.parametrize("role", ["viewer", "officer"])
def test_only_an_admin_sees_the_form_or_may_post(site, role):
    client = log_in(site, role)
    page = client.get(YEAR_PAGE).get_data(as_text=True)
    assert 'name="action"' not in page and "Add a closure" not in page
    before = stored(site)
    for action in ("preview", "add"):
        assert post_form(client, STRIKE, action).status_code == 403
    assert stored(site) == before
    assert 'name="action" value="preview"' in log_in(site, "admin").get(YEAR_PAGE).get_data(as_text=True)


def test_logged_out_visitors_are_sent_to_log_in(site):
    client = site.test_client()
    for path in ("/calendar", YEAR_PAGE):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
