"""What a missed Union Local limit still allows: besides 33.02 b and d, an arbitrator may
extend the time for a step of the grievance procedure (Labour Relations Act, 1995,
s. 48 (16)), and whether that reaches a late referral to arbitration is contested.
The rule set holds the words ([law] late_step_relief); every surface that says what a
missed union limit means carries them: the API, the case page, the digest, the PDF.

Calendar: the shipped AMDSB 2025-26 year (no PA days). A policy grievance whose local
became aware on Mon 2025-11-03 must be filed within 10 school days: Tue 4 (1), Wed 5 (2),
Thu 6 (3), Fri 7 (4), Mon 10 (5), Tue 11 (6, Remembrance Day is a school day), Wed 12 (7),
Thu 13 (8), Fri 14 (9), Mon 17 (10). Seen on Thu 2025-11-20, nothing filed: it passed.
"""
from datetime import date, datetime, timezone
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from models import User
from operations.digests import build_digest
from workflows.rules import load_ruleset

RULES = load_ruleset("amdsb-etfo-article-33")
STATUTE = "s. 48 (16)"
DISPUTE = "get advice"


@pytest.fixture
def missed(app, officer):
    app.config["TODAY"] = "2025-11-20"
    opened = officer.post("/api/grievances", json={
        "number": "LATE-1", "kind": "policy", "first_event_on": "2025-11-03", "members": ["A Member"],
        "clauses": "12.06", "description": "Preparation time cut", "remedy": "Restore it"})
    assert opened.status_code == 201, opened.get_json()
    return opened.get_json()


def test_missed_union_limits_carry_the_late_step_relief_and_board_limits_do_not():
    union = [limit for limit in RULES.limits.values() if limit.party == "union"]
    assert union and all(RULES.late_step_relief in limit.consequence_text for limit in union)
    assert all(RULES.late_step_relief not in limit.consequence_text
               for limit in RULES.limits.values() if limit.party != "union")
    assert STATUTE in RULES.late_step_relief and DISPUTE in RULES.late_step_relief
    assert "2012 ONCA 482" in RULES.late_step_relief  # the dispute is named, not decided


def test_missed_union_limit_the_api_says_what_it_still_allows(missed):
    [filing] = [d for d in missed["deadlines"] if d["key"] == "policy_filing"]
    assert filing["act_by"] == "2025-11-17" and STATUTE in filing["consequence_text"]
    [flag] = [f for f in missed["flags"] if f["code"] == "ours_overdue"]
    assert STATUTE in flag["message"] and DISPUTE in flag["message"]


def test_missed_union_limit_the_case_page_says_what_it_still_allows(officer, missed):
    page = officer.get(f"/cases/{missed['id']}").get_data(as_text=True)
    assert STATUTE in page and DISPUTE in page


def test_missed_union_limit_the_digest_says_what_it_still_allows(app, missed):
    with app.extensions["database"].transaction() as session:
        user = session.scalar(select(User).where(User.email == "officer@example.org"))
        digest = build_digest(session, user, date(2025, 11, 20), case_url=lambda i: f"/cases/{i}",
                              now=datetime(2025, 11, 20, 12, tzinfo=timezone.utc))
    # The lapse (Mon Nov 17) is within the first digest's look-back: it is listed with what it means.
    [lapse] = [item for item in digest.changes if "our limit passed" in item.what]
    assert STATUTE in lapse.note and DISPUTE in lapse.note


def test_missed_union_limit_the_pdf_says_what_it_still_allows(officer, missed):
    pdf = officer.get(f"/cases/{missed['id']}/history.pdf")
    assert pdf.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf.data)).pages)
    assert "48 (16)" in " ".join(text.split())
