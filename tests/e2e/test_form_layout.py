"""Forms as Chromium lays them out, at 1280 px and on a 390 px phone: every field of a form starts at
the form's left edge and is as wide as the form, and the form takes the page's width up to a
comfortable line (it was right-aligned, the description box about 170 px wide: `form{align-items:end}`
reached the stacked layout). A refused form shows each problem right above its own field."""
from __future__ import annotations

import pytest

from conftest import PASSWORD, make_user

pytestmark = pytest.mark.e2e

SIZES = {"desk": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844, "is_mobile": True}}
# Every visible field of the form: its left edge and width, and the form's.
GEOMETRY = """form => {
    const box = form.getBoundingClientRect();
    const main = document.querySelector('main').getBoundingClientRect();
    const fields = [...form.querySelectorAll('input:not([type=hidden]):not([type=file]):not([type=radio]), select, textarea')]
        .map(e => ({name: e.name, left: e.getBoundingClientRect().left, width: e.getBoundingClientRect().width}));
    return {left: box.left, width: box.width, mainLeft: main.left + parseFloat(getComputedStyle(document.querySelector('main')).paddingLeft),
            mainWidth: main.width - 2 * parseFloat(getComputedStyle(document.querySelector('main')).paddingLeft), fields};
}"""


@pytest.fixture
def officer_page(app, live_server, new_page, log_in):
    make_user(app, "officer@example.org", "officer")

    def open_as(size: str):
        page = new_page(**SIZES[size])
        log_in(page, live_server, "officer@example.org", PASSWORD)
        return page
    return open_as


@pytest.mark.parametrize("size", SIZES)
def test_every_field_of_the_new_case_form_is_as_wide_as_the_form_and_starts_at_its_left(officer_page, live_server,
                                                                                        size):
    page = officer_page(size)
    page.goto(f"{live_server}/cases/new")
    form = page.locator("main form.stack")
    shape = form.evaluate(GEOMETRY)
    assert abs(shape["left"] - shape["mainLeft"]) <= 1, f"the form is not at the page's left: {shape}"
    assert shape["width"] >= min(shape["mainWidth"], 600) - 1, f"the form is squeezed: {shape}"
    off = [f for f in shape["fields"] if abs(f["left"] - shape["left"]) > 1 or abs(f["width"] - shape["width"]) > 1]
    assert not off, f"fields not left-aligned at the form's width {shape['width']:.0f} px: {off}"


def test_a_refused_field_has_its_problem_between_its_label_and_its_box(officer_page, live_server):
    page = officer_page("phone")
    page.goto(f"{live_server}/cases/new")
    page.get_by_role("button", name="Open the case").click()
    field = page.locator(".field", has=page.locator("#remedy"))
    label, problem, box = (field.locator(s).bounding_box() for s in ("label", ".field-error", "#remedy"))
    assert label["y"] < problem["y"] < box["y"], "the problem is not beside its field"
    assert "Remedy sought is required" in field.locator(".field-error").inner_text()
    # The summary at the top links to the field; following it puts the field in view.
    page.get_by_role("link", name="Remedy sought is required (33.04).").click()
    assert page.evaluate("location.hash") == "#remedy"
