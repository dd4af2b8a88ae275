"""The dashboard on a phone (390 × 844 CSS pixels): the page does not scroll
sideways, and a keyboard user reaches a case by Tab."""
from __future__ import annotations

import pytest

from conftest import PASSWORD, make_user

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True}
# The elements reaching past the right edge of the viewport, to name them when the page is too wide.
TOO_WIDE = """() => [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
    .map(e => `${e.tagName.toLowerCase()}${e.name ? '[name=' + e.name + ']' : ''}${e.className ? '.' + e.className : ''}`
              + ` (right edge ${Math.round(e.getBoundingClientRect().right)} px)`)"""


@pytest.fixture
def phone_dashboard(app, live_server, new_page, log_in):
    """The demo cases' dashboard, logged in as an officer on a phone-sized page."""
    result = app.test_cli_runner().invoke(args=["demo", "load"])  # dated relative to the pinned today
    assert result.exit_code == 0, result.output
    make_user(app, "officer@example.org", "officer")
    page = new_page(**PHONE)
    log_in(page, live_server, "officer@example.org", PASSWORD)
    with page.expect_response(lambda r: r.url.endswith("/site.css")) as stylesheet:
        page.goto(f"{live_server}/dashboard")
    page.stylesheet = stylesheet.value
    return page


def test_the_dashboard_does_not_scroll_sideways_on_a_phone(phone_dashboard):
    page = phone_dashboard
    # 304: the browser already holds the stylesheet from the login page.
    assert page.stylesheet.status in (200, 304), \
        f"the stylesheet did not load: {page.stylesheet.url} answered {page.stylesheet.status}"
    widths = page.evaluate("({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})")
    assert widths["scroll"] <= widths["client"], \
        f"the page scrolls sideways at 390 px ({widths}); too wide: {page.evaluate(TOO_WIDE)}"


def test_a_case_on_the_phone_dashboard_is_reached_and_opened_by_keyboard(phone_dashboard):
    from playwright.sync_api import expect

    page = phone_dashboard
    case_link = page.locator("table.cases tbody th a").first
    expect(case_link).to_be_visible()
    target = case_link.get_attribute("href")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == target:
            break
    else:
        pytest.fail(f"40 presses of Tab never reached the first case link ({target})")
    expect(case_link).to_be_focused()
    expect(case_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Case DEMO-")
