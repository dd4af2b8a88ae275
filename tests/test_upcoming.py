"""Upcoming (/upcoming): the running deadlines of the next school weeks as a calendar, what has
already passed in a lane of its own, and every day that is not a school day marked with why.

Calendar: the shipped AMDSB elementary 2025-26 year (winter break from Mon Dec 22, Christmas and
Boxing Day statutory holidays inside it; no PA day in the autumn), today pinned to Mon 2025-12-01.
The page shows 4 weeks from that Monday: Dec 1, 8, 15 and 22.
"""
from __future__ import annotations

from datetime import date

import pytest

from conftest import AMDSB, log_in, make_user
from operations import grievances as ops
from operations.calendars import add_closure, add_day
from school_calendar.days import ClosureKind, DayType
from school_calendar.school_year import CalendarEntry
from test_one_status import block_of

MONDAY = date(2025, 12, 1)


@pytest.fixture
def officer(app):
    app.config["TODAY"] = MONDAY.isoformat()
    make_user(app, "officer@example.org", "officer")
    return log_in(app, "officer@example.org")


def open_policy_case(app, number: str, aware: date) -> int:
    with app.extensions["database"].transaction() as session:
        return ops.open_case(session, ops.NewCase(number=number, kind="policy", first_event_on=aware,
                                                  members=("All teachers",), school="Board-wide"),
                             by="officer@example.org", today=MONDAY).id


def day_cell(page: str, day: str) -> str:
    """The text of the calendar cell of `day` ("Mon 08 Dec"): the one that starts with it."""
    cell = block_of(page.split('class="weeks"')[1], day)
    assert cell.startswith(day), f"no cell starts with {day}: {cell[:80]}"
    return cell


def test_a_deadline_already_passed_is_in_a_lane_of_its_own_with_the_pages_words(app, officer):
    # Aware Fri Nov 14: the policy filing is due 10 school days later, Mon 17 (1) ... Fri 28 (10).
    # On Mon Dec 1 it passed 1 school day ago (Fri 28). The calendar starts this Monday: it was left out.
    open_policy_case(app, "2025-500", date(2025, 11, 14))
    page = officer.get("/upcoming").get_data(as_text=True)
    lane = page.split('class="lane"')[1].split("</section>")[0]
    assert "Already passed (1)" in lane
    item = block_of(lane, "2025-500")
    assert "File the policy grievance at Step 1" in item and "(Union Local)" in item
    assert "passed Fri 28 Nov 2025 — 1 school day ago" in item


def test_a_strike_week_pa_day_and_break_are_marked_with_their_reason_not_left_blank(app, officer):
    with app.extensions["database"].transaction() as session:
        add_day(session, AMDSB, CalendarEntry(date(2025, 12, 5), date(2025, 12, 5), DayType.PA_DAY, "PA day"),
                by="test", reason="The Board's calendar", today=MONDAY)
        add_closure(session, AMDSB, date(2025, 12, 8), date(2025, 12, 12), ClosureKind.STRIKE, "Rotating strike",
                    by="test", reason="Schools closed by the strike", today=MONDAY)
    page = officer.get("/upcoming").get_data(as_text=True)
    for day in ("Mon 08 Dec", "Tue 09 Dec", "Wed 10 Dec", "Thu 11 Dec", "Fri 12 Dec"):
        assert "Closure: strike (Rotating strike)" in day_cell(page, day)
    assert "PA day: not a school day" in day_cell(page, "Fri 05 Dec")
    assert "Winter break" in day_cell(page, "Mon 22 Dec")
    assert "Holiday: Christmas Day" in day_cell(page, "Thu 25 Dec")
    assert day_cell(page, "Tue 02 Dec") == "Tue 02 Dec"  # a school day with nothing due: no mark
    assert '<td class="off off-closure">' in page  # the colour repeats the words, for those who see it


def test_a_deadline_extended_to_a_saturday_shows_on_the_friday_before_with_its_own_date(app, officer):
    # The filing (due Fri Nov 28) extended in writing to Sat Dec 6. From Mon Dec 1: Tue 2, Wed 3,
    # Thu 4, Fri 5 = 4 school days left. The grid has no Saturday: the old page left it out.
    case_id = open_policy_case(app, "2025-501", date(2025, 11, 14))
    with app.extensions["database"].transaction() as session:
        ops.record_event(session, case_id, type="extension_agreed", occurred_on=date(2025, 11, 26),
                         details={"limit": "policy_filing", "new_due": "2025-12-06"}, by="officer@example.org",
                         today=MONDAY)
    cell = day_cell(officer.get("/upcoming").get_data(as_text=True), "Fri 05 Dec")
    assert "2025-501" in cell and "4 school days left" in cell and "Sat 06 Dec 2025" in cell


def test_only_the_cases_a_user_may_see_reach_the_lane(app, officer):
    open_policy_case(app, "2025-502", date(2025, 11, 14))
    with app.extensions["database"].transaction() as session:
        ops.ensure_local(session, "other-local", "Another local")
        ops.open_case(session, ops.NewCase(number="OL-502", kind="policy", first_event_on=date(2025, 11, 14),
                                           members=("Elsewhere",), local="other-local"),
                      by="someone@elsewhere.org", today=MONDAY)
    page = officer.get("/upcoming").get_data(as_text=True)
    assert "2025-502" in page and "OL-502" not in page and "Already passed (1)" in page


def test_on_a_weekend_the_calendar_starts_with_the_coming_week(app, officer):
    # Sun Nov 30: the week of Mon Nov 24 is over; the 4 weeks are those of Dec 1, 8, 15 and 22.
    app.config["TODAY"] = "2025-11-30"
    page = officer.get("/upcoming").get_data(as_text=True)
    assert "school weeks from Mon 01 Dec 2025" in page and "Mon 24 Nov" not in page and "Fri 26 Dec" in page
