"""A policy grievance's story in a real browser: an administrator logs in, opens
the case, records what happens at Step 1 and Step 2 (previewing one change
first), adds a strike closure to the board calendar and sees the running
deadline move. Calendar: the shipped AMDSB 2025-26 year (no autumn PA day
listed; Remembrance Day is a school day); today is Thu 2025-11-20."""
from __future__ import annotations

import pytest

from conftest import PASSWORD, make_user

pytestmark = pytest.mark.e2e

CASE = "2025-E2E"
STEP1_REPLY = "Step 1 reply from the Superintendent (HR Services)"
STEP2_REPLY = "Step 2 reply from the Director of Education"


def test_an_admin_takes_a_policy_grievance_through_step_2_and_a_strike_moves_its_deadline(app, live_server, new_page,
                                                                                            log_in):
    from playwright.sync_api import expect

    make_user(app, "admin@example.org", "admin")
    page = new_page()
    log_in(page, live_server, "admin@example.org", PASSWORD)

    # The local opens a policy grievance: the circumstances came to its attention Mon 2025-11-10.
    page.get_by_role("link", name="New case").click()
    page.get_by_label("Kind of grievance").select_option("policy")
    page.get_by_label("Grievance number").fill(CASE)
    page.get_by_label("Date of the first event").fill("2025-11-10")
    page.get_by_label("Member(s)").fill("All teachers (policy)")
    page.get_by_label("School", exact=True).fill("Board-wide")
    page.get_by_label("Clauses", exact=True).fill("12.06 Preparation time")
    page.get_by_label("Description", exact=True).fill("Preparation time cut at every school.")
    page.get_by_label("Remedy sought").fill("Restore the preparation time.")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Case {CASE}")
    expect(page.get_by_role("status")).to_contain_text(f"Case {CASE} opened.")
    case_url = page.url

    # Thu 2025-11-13: the grievance goes in writing at Step 1. The Superintendent's reply is
    # due 10 school days later: Fri 14 (1), Mon 17 (2), Tue 18 (3), Wed 19 (4), Thu 20 (5),
    # Fri 21 (6), Mon 24 (7), Tue 25 (8), Wed 26 (9), Thu 27 (10).
    record(page, "Grievance referred in writing at Step 1", "2025-11-13")
    expect(page.get_by_role("status")).to_contain_text("Recorded.")
    expect(running(page, STEP1_REPLY)).to_contain_text("Thu 27 Nov 2025")

    # Wed 2025-11-19: the reply comes. The preview names the next limit before anything is saved:
    # referral to Step 2 within 10 school days: Thu 20 (1), Fri 21 (2), Mon 24 (3), Tue 25 (4),
    # Wed 26 (5), Thu 27 (6), Fri 28 (7), Mon Dec 1 (8), Tue 2 (9), Wed 3 (10).
    page.get_by_role("link", name="Step 1 reply from the Superintendent", exact=True).click()
    page.get_by_label("Date it happened").fill("2025-11-19")
    page.get_by_role("button", name="Preview the change").click()
    preview = page.locator("section.preview")
    expect(preview).to_contain_text("Refer the grievance to Step 2 (Director of Education) due Wed 03 Dec 2025")
    expect(preview).to_contain_text("Nothing is saved until you choose Record.")
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Recorded.")
    expect(running(page, "Refer the grievance to Step 2")).to_contain_text("Wed 03 Dec 2025")

    # Thu 2025-11-20: the local refers it to Step 2. The Director's reply is due 10 school days
    # later: Fri 21 (1), Mon 24 (2), Tue 25 (3), Wed 26 (4), Thu 27 (5), Fri 28 (6), Mon Dec 1 (7),
    # Tue 2 (8), Wed 3 (9), Thu 4 (10).
    record(page, "Grievance referred in writing at Step 2", "2025-11-20")
    expect(running(page, STEP2_REPLY)).to_contain_text("Thu 04 Dec 2025")

    # The schools close for a strike Mon 24 and Tue 25 Nov: neither counts, so the reply is due
    # Fri 21 (1), Wed 26 (2), Thu 27 (3), Fri 28 (4), Mon Dec 1 (5), Tue 2 (6), Wed 3 (7), Thu 4 (8),
    # Fri 5 (9), Mon 8 (10).
    page.get_by_role("link", name="Board calendar").click()
    # The index lists every board's years (Halton DSB's 2025-26 too): take the AMDSB one.
    page.get_by_role("region", name="Avon Maitland").get_by_role("link", name="2025-26").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2025-26 school year")
    form = page.locator("#change")
    form.get_by_label("What").select_option("closure")
    form.get_by_label("First day").fill("2025-11-24")
    form.get_by_label("Last day").fill("2025-11-25")
    form.get_by_label("Kind of closure").select_option("strike")
    form.get_by_label("Name").fill("ETFO strike")
    form.get_by_label("Reason for the change").fill("Board notice of school closures, 2025-11-20")
    form.get_by_role("button", name="Preview", exact=True).click()
    # The Director's reply is the Board's limit: its act-by date is the agreement's date.
    move = page.locator("#change .preview li").filter(has_text=CASE).filter(has_text=STEP2_REPLY)
    expect(move).to_have_count(1)
    expect(move).to_contain_text("The agreement's date and the act-by date would move from Thu 04 Dec 2025 to "
                                 "Mon 08 Dec 2025 (later).")
    expect(page.locator("#change .preview")).to_contain_text("Nothing is saved yet.")
    form.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        "Added closure (strike) from Mon 24 Nov 2025 to Tue 25 Nov 2025.")
    expect(page.locator("#result li").filter(has_text=CASE)).to_contain_text(
        "moved from Thu 04 Dec 2025 to Mon 08 Dec 2025")
    strike_day = page.locator('td:has(time[datetime="2025-11-24"])')
    expect(strike_day).to_have_class("day-closure not-counted")

    # Back on the case, from the dashboard: the new date, and the move on the timeline with its reason.
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name=CASE, exact=True).click()
    assert page.url == case_url
    expect(running(page, STEP2_REPLY)).to_contain_text("Mon 08 Dec 2025")
    moved = page.locator("ol.timeline li.move")
    expect(moved).to_have_count(1)
    expect(moved).to_contain_text(f"Deadline moved by a change to the board calendar: {STEP2_REPLY}. The agreement's "
                                  "date and the act-by date moved from Thu 04 Dec 2025 to Mon 08 Dec 2025 (later).")
    expect(moved).to_contain_text("Board notice of school closures, 2025-11-20")


def record(page, event: str, on: str) -> None:
    """From the case page: follow the event's link, give the date, Record."""
    page.get_by_role("link", name=event, exact=True).click()
    page.get_by_label("Date it happened").fill(on)
    page.get_by_role("button", name="Record", exact=True).click()


def running(page, label: str):
    """The running deadline whose heading starts with `label`."""
    return page.locator("article.deadline").filter(has=page.get_by_role("heading", level=3, name=label))
