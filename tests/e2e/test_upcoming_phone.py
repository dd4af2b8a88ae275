"""Upcoming on a phone (390 × 844 CSS pixels), with what makes it long and wide: a lane of deadlines
already passed, a strike week and a PA day marked on the axis, and the demo cases. It was 693 px
wide: a five-column table of weeks. Today is pinned to Thu 2025-11-20 (tests/e2e/conftest.py);
the page shows the 4 school weeks from Mon Nov 17, with the strike Mon Dec 1 to Fri Dec 5."""
from __future__ import annotations

from datetime import date

import pytest

from conftest import AMDSB, PASSWORD, make_user
from operations.calendars import add_closure, add_day
from school_calendar.days import ClosureKind, DayType
from school_calendar.school_year import CalendarEntry

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone_upcoming(app, live_server, new_page, log_in):
    today = date(2025, 11, 20)
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    with app.extensions["database"].transaction() as session:
        add_day(session, AMDSB, CalendarEntry(date(2025, 11, 28), date(2025, 11, 28), DayType.PA_DAY, "PA day"),
                by="test", reason="The Board's calendar", today=today)
        add_closure(session, AMDSB, date(2025, 12, 1), date(2025, 12, 5), ClosureKind.STRIKE,
                    "Full withdrawal of services", by="test", reason="Schools closed by the strike", today=today)
    make_user(app, "officer@example.org", "officer")
    page = new_page(**PHONE)
    log_in(page, live_server, "officer@example.org", PASSWORD)
    page.goto(f"{live_server}/upcoming")
    return page


def test_upcoming_does_not_scroll_sideways_on_a_phone(phone_upcoming):
    page = phone_upcoming
    widths = page.evaluate("({scroll: document.documentElement.scrollWidth,"
                           " client: document.documentElement.clientWidth})")
    assert widths["scroll"] <= widths["client"], f"/upcoming scrolls sideways at 390 px: {widths}"


def test_on_a_phone_each_day_reads_as_a_line_with_its_weekday_and_why_it_does_not_count(phone_upcoming):
    from playwright.sync_api import expect

    page = phone_upcoming
    strike_day = page.locator("table.weeks td", has_text="Wed 03 Dec")
    expect(strike_day).to_contain_text("Closure: strike (Full withdrawal of services)")
    expect(page.locator("table.weeks td", has_text="Fri 28 Nov")).to_contain_text("PA day")
    # One column: each day is as wide as the page, not a fifth of it.
    box = strike_day.bounding_box()
    assert box["width"] > 300, f"the day is {box['width']} px wide at 390 px"
    expect(page.get_by_role("heading", name="Already passed", exact=False)).to_be_visible()
