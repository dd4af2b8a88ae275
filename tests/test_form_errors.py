"""Forms that help: a refused form shows every problem at once, each beside its field, named by the
field's label (gate.fields.LABELS) with the fix, and stores nothing; a correction on the timeline
names the event it voids as a person would. Through Flask's test client; calendar: the shipped AMDSB
2025-26 year; today pinned to Thu 2025-11-20."""
from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from models import Grievance, GrievanceEvent
from test_case_pages import filed  # noqa: F401  (the fixture: a policy grievance filed at Step 1)
from operations import grievances as ops

TODAY = date(2025, 11, 20)
INTERNAL_NAMES = ("first_event_on", "occurred_on", "hearing_date", "mediation_by", "new_due", "'members'",
                  "details.", "'' is not a date")




def beside_fields(page: str) -> dict[str, str]:
    """{input id: the words shown beside that input} for every field error on the page."""
    return {m.group(1): _text(m.group(2))
            for m in re.finditer(r'<p class="field-error" id="([\w-]+)-error">(.*?)</p>', page, re.S)}


def described_by_its_error(page: str, field: str) -> bool:
    """The input is marked invalid and names its error for a screen reader."""
    tag = re.search(rf'<(?:input|select|textarea) id="{field}"[^>]*>', page)
    return bool(tag) and 'aria-invalid="true"' in tag.group(0) and f"{field}-error" in tag.group(0)


def _text(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def visible_words(page: str) -> str:
    """What a person reads: the main part of the page without its tags and attributes."""
    return _text(page.split('<main id="main">', 1)[1])


def count(app, model) -> int:
    with app.extensions["database"].transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_refused_new_case_shows_every_problem_at_once_each_beside_its_field(app, officer):
    app.config["TODAY"] = TODAY.isoformat()
    response = officer.post("/cases/new", data={"kind": "individual", "number": "", "first_event_on": "",
                                                "members": "", "school": "", "clauses": "", "description": "",
                                                "remedy": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and count(app, Grievance) == 0
    assert beside_fields(page) == {
        "number": "Grievance number is required. Give the grievance a number, e.g. 2025-014.",
        "first_event_on": "Date of the first event is required. Give the day the teacher became aware of it "
                          "(a Board grievance: the day it happened).",
        "members": "Member(s) is required (33.04). Name the teacher(s) involved, one a line.",
        "clauses": "Clauses is required (33.04). Name the clauses or other language alleged to be violated.",
        "description": "Description is required (33.04). Describe the alleged violation and its facts.",
        "remedy": "Remedy sought is required (33.04). Say what relief or remedy is sought."}
    assert all(described_by_its_error(page, field) for field in beside_fields(page))
    assert "The case was not opened: 6 problems" in visible_words(page)


@pytest.mark.parametrize("url, form", [("/cases/new", {"kind": "individual"}),
                                       ("/cases/{case}/record/mediation_agreed", {"action": "record"})])
def test_each_problem_names_its_field_by_the_label_shown_above_it(app, officer, filed, url, form):
    page = officer.post(url.format(case=filed), data=form).get_data(as_text=True)
    problems = beside_fields(page)
    assert len(problems) >= 3
    for field, words in problems.items():
        label = _text(re.search(rf'<label for="{field}">(.*?)</label>', page).group(1))
        assert words.startswith(f"{label} "), (label, words)


def test_an_overlong_member_is_named_by_its_line_of_the_members_box(app, officer):
    app.config["TODAY"] = TODAY.isoformat()
    response = officer.post("/cases/new", data={"kind": "individual", "number": "2025-020",
                                                "first_event_on": "2025-02-30", "members": "Sam Sample\n" + "b" * 201,
                                                "clauses": "12.06", "description": "Prep time", "remedy": "Restore"})
    problems = beside_fields(response.get_data(as_text=True))
    assert problems == {"first_event_on": "Date of the first event is not a date ('2025-02-30'). Write it as YYYY-MM-DD.",
                        "members": "Member(s) (line 2) is longer than 200 characters (201). Shorten it to 200 "
                                   "characters or fewer."}


def test_a_refused_event_shows_the_gates_problems_and_the_missing_details_together(app, officer, filed):
    response = officer.post(f"/cases/{filed}/record/mediation_agreed", data={"action": "record", "occurred_on": "",
                                                                            "mediator": " ", "mediation_by": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and count(app, GrievanceEvent) == 2
    assert beside_fields(page) == {
        "occurred_on": "Date it happened is required. Give the day it happened (a reply: the day it was delivered).",
        "mediator": "Mediator is required. Name the person agreed as mediator (33.07).",
        "mediation_by": "Mediation to take place by is required. Give the day by which mediation is to take place."}
    assert all(described_by_its_error(page, field) for field in ("occurred_on", "mediator", "mediation_by"))


def test_a_detail_that_is_not_a_date_stands_beside_that_detail(app, officer, filed):
    # The gate checks the details as one dict and names the detail in its words; the form puts it beside the box.
    response = officer.post(f"/cases/{filed}/record/mediation_agreed",
                            data={"action": "preview", "occurred_on": "2025-11-19", "mediator": "Pat Mediator",
                                  "mediation_by": "2025-02-30"})
    assert response.status_code == 400
    assert beside_fields(response.get_data(as_text=True)) == {
        "mediation_by": "Mediation to take place by is not a date ('2025-02-30'). Write it as YYYY-MM-DD."}


@pytest.mark.parametrize("url, form", [
    ("/cases/new", {"kind": "individual"}),
    ("/cases/{case}/record/mediation_agreed", {"action": "record"}),
    ("/cases/{case}/record/grievance_filed", {"action": "record", "occurred_on": "2025-12-30"}),  # "goes in hearing_date"
    ("/cases/{case}/record/mediation_agreed", {"action": "record", "occurred_on": "2025-11-19", "mediator": "M",
                                                "mediation_by": "someday"}),
])
def test_no_internal_field_name_reaches_the_words_of_a_refused_form(app, officer, filed, url, form):
    response = officer.post(url.format(case=filed), data=form)
    words = visible_words(response.get_data(as_text=True))
    assert response.status_code == 400
    assert not [name for name in INTERNAL_NAMES if name in words], words


def test_a_refused_event_keeps_what_was_typed(app, officer, filed):
    response = officer.post(f"/cases/{filed}/record/mediation_agreed",
                            data={"action": "record", "occurred_on": "", "mediator": "Pat Mediator"})
    assert re.search(r'<input id="mediator"[^>]*value="Pat Mediator"', response.get_data(as_text=True))


def test_a_correction_names_the_event_it_voids_and_its_date(app, officer, filed):
    with app.extensions["database"].transaction() as session:
        filing = session.scalar(select(GrievanceEvent).where(GrievanceEvent.grievance_id == filed,
                                                             GrievanceEvent.type == "grievance_filed"))
        filing_id, label = filing.id, ops.rules_named("amdsb-etfo-article-33").events["grievance_filed"].label
    voided = officer.post(f"/cases/{filed}/events/{filing_id}/void", data={"reason": "Filed on the 14th, not the 13th"})
    assert voided.status_code == 302
    words = visible_words(officer.get(f"/cases/{filed}").get_data(as_text=True))
    assert f"voids '{label}' of Thu 13 Nov 2025: Filed on the 14th, not the 13th" in words
    assert "voids the event of" not in words


def test_a_refused_user_is_shown_beside_the_add_form_not_the_assign_form(app, admin):
    response = admin.post("/admin/users", data={"name": "New Person", "email": "not an address",
                                                "password": "correct horse battery staple", "role": "viewer"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert list(beside_fields(page)) == ["email"] and described_by_its_error(page, "email")
    assert 'id="assign-email"' in page and 'id="assign-email-error"' not in page


def test_a_refused_assignment_comes_back_beside_its_form_and_keeps_the_number(app, admin):
    response = admin.post("/admin/assignments", data={"email": "nobody@example.org", "number": "NO-SUCH-1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert beside_fields(page) == {"assign-number": "No such steward or case in this local. Check the steward's "
                                                    "email and the grievance number."}
    assert re.search(r'<input id="assign-number"[^>]*value="NO-SUCH-1"', page)
