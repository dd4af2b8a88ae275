"""The case as a picture (operations/timeline_svg.py): what it draws where, what it says to a
screen reader, and that nothing typed into the tracker can run in it or break it. The SVG is read
back with ElementTree, as a browser or fpdf2 would parse it.

Calendars: the shipped AMDSB years. 2024-25's winter break runs Mon 2024-12-23 to Fri 2025-01-03
(Christmas, Boxing Day and New Year's Day are statutory holidays inside it). 2025-26 has no PA
day in the autumn; Thanksgiving is Mon 2025-10-13. Tests add PA days and closures where they say.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

from article33_helpers import RULES, calendar_with, d, ev, run
from operations.deadline_status import deadline_status
from operations.timeline_svg import SHADES, Move, non_school_spans, timeline_svg
from school_calendar.days import ClosureKind, DayType
from school_calendar.school_year import CalendarEntry

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def tooltips(root: ET.Element) -> dict[str, ET.Element]:
    """The text of each <title> inside the drawing -> the group it names."""
    return {group.find(f"{SVG}title").text: group for group in root.iter(f"{SVG}g")
            if group.find(f"{SVG}title") is not None}


def texts(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(f"{SVG}text"))


def policy_case(calendar, today="2025-11-20"):
    """Filed Thu Oct 09 2025; the Step 1 reply (10 school days: Oct 10 is 1, Thanksgiving skipped,
    Oct 24 is 10) came on its last day, Fri Oct 24; referred at Step 2 Fri Oct 31."""
    events = [ev("awareness", "2025-10-06"), ev("grievance_filed", "2025-10-09"), ev("step1_reply", "2025-10-24"),
              ev("step2_referral", "2025-10-31")]
    return run(calendar, "policy", events, today)


# -- what is drawn where ----------------------------------------------------------------------------

def test_a_weekend_inside_a_break_is_shaded_as_part_of_it_and_holidays_apart(amdsb):
    spans = non_school_spans(amdsb, date(2024, 12, 20), date(2025, 1, 6))
    assert [(s.first, s.last, s.kind) for s in spans] == [
        (date(2024, 12, 21), date(2024, 12, 22), "weekend"),   # before the break: an ordinary weekend
        (date(2024, 12, 23), date(2024, 12, 24), "break"),
        (date(2024, 12, 25), date(2024, 12, 25), "holiday"),   # Christmas Day
        (date(2024, 12, 26), date(2024, 12, 26), "holiday"),   # Boxing Day
        (date(2024, 12, 27), date(2024, 12, 31), "break"),     # Fri 27, the weekend of 28-29, Mon 30, Tue 31
        (date(2025, 1, 1), date(2025, 1, 1), "holiday"),       # New Year's Day
        (date(2025, 1, 2), date(2025, 1, 3), "break"),
        (date(2025, 1, 4), date(2025, 1, 5), "weekend"),       # after it: school on Mon Jan 6
    ]
    assert spans[4].name == "Winter break" and "Christmas" in spans[2].name


def test_each_step_is_a_lane_holding_its_own_events_in_the_order_the_case_went(amdsb):
    root = parse(timeline_svg(policy_case(amdsb), RULES, amdsb, d("2025-11-20")))
    lanes = [t for t in texts(root) if t.get("font-weight") == "bold" and t.get("font-size") == "13"]
    assert [t.text for t in lanes] == ["Not yet filed", "Step 1: Superintendent of Education (Human Resource Services)",
                                       "Step 2: Director of Education"]
    lane_top = {t.text.split(" (")[0]: float(t.get("y")) for t in lanes}
    dots = {title.split(" · ")[1]: float(group.find(f"{SVG}circle").get("cy"))
            for title, group in tooltips(root).items() if group.find(f"{SVG}circle") is not None and " · " in title}
    assert lane_top["Not yet filed"] < dots["Teacher became aware of the circumstances"] \
        < lane_top["Step 1: Superintendent of Education"] \
        < dots["Grievance referred in writing at Step 1"] < dots["Step 1 reply from the Superintendent"] \
        < lane_top["Step 2: Director of Education"] < dots["Grievance referred in writing at Step 2"]


def test_a_limits_bar_runs_from_the_event_that_started_it_to_its_last_day(amdsb):
    root = parse(timeline_svg(policy_case(amdsb), RULES, amdsb, d("2025-11-20")))
    groups = tooltips(root)
    dot_x = {title.split(" · ")[0]: float(g.find(f"{SVG}circle").get("cx")) for title, g in groups.items()
             if g.find(f"{SVG}circle") is not None and " · " in title}
    bar = next(g.find(f"{SVG}rect") for title, g in groups.items()
               if title.startswith("Step 1 reply from the Superintendent (HR Services) —"))
    last_day = next(g.find(f"{SVG}line") for title, g in groups.items() if title == "Last day: Fri 24 Oct 2025")
    # From the filing (Thu Oct 09) to the reply's last day, Fri Oct 24: the day the reply came.
    assert float(bar.get("x")) == dot_x["Thu 09 Oct 2025"]
    assert float(last_day.get("x1")) == dot_x["Fri 24 Oct 2025"]
    assert abs(float(bar.get("x")) + float(bar.get("width")) - dot_x["Fri 24 Oct 2025"]) < 0.15  # each rounded to 0.1


def test_the_safe_date_is_marked_on_a_union_limit_and_never_on_a_board_limit(shipped_years):
    # A PA day on Fri 2025-11-07. Aware Mon Nov 03: the policy filing's 10 school days skip the PA day
    # (Nov 4, 5, 6, 10 ... 14, 17, 18: Tue Nov 18); Regulation 304 counts it (the 10th is Mon Nov 17),
    # the safe date. Filed Wed Nov 05: the Board's Step 1 reply crosses the PA day too, with no safe date.
    calendar = calendar_with(shipped_years, CalendarEntry(d("2025-11-07"), d("2025-11-07"), DayType.PA_DAY, "PA day"))
    state = run(calendar, "policy", [ev("awareness", "2025-11-03"), ev("grievance_filed", "2025-11-05")], "2025-11-06")
    root = parse(timeline_svg(state, RULES, calendar, d("2025-11-06")))
    marked = [title for title in tooltips(root) if title.startswith("Act by ")]
    assert marked == ["Act by Mon 17 Nov 2025: safe date; the agreement's date is Tue 18 Nov 2025"]
    board_row = next(t.text for t in texts(root) if t.text.startswith("Step 1 reply from the Superintendent"))
    assert "safe" not in board_row
    legend = [t.text for t in texts(root)]
    assert "act-by (safe) date" in legend and "PA PA day" in legend


def test_the_rows_word_each_status_as_the_presenter_does(amdsb):
    state = policy_case(amdsb)
    root = parse(timeline_svg(state, RULES, amdsb, d("2025-11-20")))
    step2_reply = next(x for x in state.deadlines if x.key == "step2_reply")
    words = deadline_status(step2_reply, amdsb, d("2025-11-20")).words
    assert words == "passed Fri 14 Nov 2025 — 4 school days ago"  # Nov 3 is 1 ... Nov 14 is 10; then 14, 17, 18, 19
    drawn = " ".join(t.text for t in texts(root))
    assert f"Board: {words}" in drawn


def test_a_deadline_a_calendar_change_moved_keeps_a_mark_where_it_was(amdsb):
    state = policy_case(amdsb)
    moved = Move("step2_reply", d("2025-11-13"), d("2025-11-14"), "Snow day on Mon Nov 10")
    root = parse(timeline_svg(state, RULES, amdsb, d("2025-11-20"), moves=[moved]))
    assert "Moved from Thu 13 Nov 2025 to Fri 14 Nov 2025: Snow day on Mon Nov 10" in tooltips(root)
    assert "date before a calendar change moved it" in [t.text for t in texts(root)]


def test_each_kind_of_day_that_does_not_count_is_told_apart_without_colour(shipped_years):
    # Oct 2025: Thanksgiving (Mon 13); a PA day Fri Oct 17 and a strike Oct 27-28 added.
    calendar = calendar_with(shipped_years,
                             CalendarEntry(d("2025-10-17"), d("2025-10-17"), DayType.PA_DAY, "PA day"),
                             CalendarEntry(d("2025-10-27"), d("2025-10-28"), DayType.CLOSURE, "Strike",
                                           ClosureKind.STRIKE))
    root = parse(timeline_svg(policy_case(calendar), RULES, calendar, d("2025-11-20")))
    legend = {t.text for t in texts(root)}
    assert {"PA PA day", "H holiday", "C closure (strike, weather…)", "weekend"} <= legend
    for kind in ("pa", "holiday", "closure"):
        span = next(g for title, g in tooltips(root).items() if g.find(f"{SVG}rect") is not None
                    and g.find(f"{SVG}rect").get("fill") == SHADES[kind].fill)
        assert span.find(f"{SVG}path").get("d"), f"the {kind} shading has no hatching"
    # Each hatching differs from every other: black-and-white print still tells them apart.
    hatches = [s.hatch for s in SHADES.values() if s.hatch]
    assert len(set(hatches)) == len(hatches)


# -- safe to put in a page, readable by a screen reader -----------------------------------------------

def test_text_typed_into_the_tracker_is_drawn_as_text_never_as_markup(shipped_years):
    name = '<script>alert("x")</script> & <a href="http://evil.example">snow</a>\x07'
    calendar = calendar_with(shipped_years, CalendarEntry(d("2025-10-20"), d("2025-10-20"), DayType.CLOSURE, name,
                                                          ClosureKind.WEATHER))
    svg = timeline_svg(policy_case(calendar), RULES, calendar, d("2025-11-20"), number='<b>2025-"1"</b>',
                       moves=[Move("step2_reply", d("2025-11-13"), d("2025-11-14"), "</title><script>x</script>")])
    root = parse(svg)  # well-formed: the bell character is dropped, not passed on to break the XML
    assert not [e for e in root.iter() if e.tag in (f"{SVG}script", f"{SVG}a", f"{SVG}b")]
    assert root.find(f"{SVG}title").text == 'Timeline of case <b>2025-"1"</b>'
    shown = set(tooltips(root)) | {root.find(f"{SVG}desc").text}
    assert any('closure: weather (<script>alert("x")</script> & <a href="http://evil.example">snow</a>)' in t
               for t in shown)
    assert "Moved from Thu 13 Nov 2025 to Fri 14 Nov 2025: </title><script>x</script>" in shown
    assert "\x07" not in svg


def test_the_picture_needs_no_script_no_inline_style_and_nothing_from_elsewhere(amdsb):
    svg = timeline_svg(policy_case(amdsb), RULES, amdsb, d("2025-11-20"))
    root = parse(svg)
    # The site's Content-Security-Policy (style-src 'self', no inline script) would block any of these.
    assert not [e.tag for e in root.iter() if e.tag in (f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject")]
    assert not [(e.tag, a) for e in root.iter() for a in e.attrib
                if a == "style" or a.startswith("on") or a.endswith("href")]
    assert not re.search(r"url\(|https?://(?!www\.w3\.org/2000/svg)", svg)


def test_a_screen_reader_is_given_a_name_and_the_picture_in_words(amdsb):
    state = policy_case(amdsb)
    root = parse(timeline_svg(state, RULES, amdsb, d("2025-11-20"), number="2025-031", id_prefix="wide"))
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == title.get("id") == "wide-title"
    assert root.get("aria-describedby") == desc.get("id") == "wide-desc"
    assert title.text == "Timeline of case 2025-031"
    next_limit = state.next_deadline
    status = deadline_status(next_limit, amdsb, d("2025-11-20"))
    assert f"Next: {next_limit.rule.label}, Union Local, act by {status.act_by:%a %d %b %Y}: {status.words}." \
        in desc.text
    assert "in 3 steps: Not yet filed; Step 1" in desc.text and "statutory holiday: Thanksgiving" in desc.text


def test_it_scales_to_its_box_on_a_page_and_has_a_size_of_its_own_in_the_pdf(amdsb):
    page = parse(timeline_svg(policy_case(amdsb), RULES, amdsb, d("2025-11-20"), width=360))
    _, _, wide, tall = (float(v) for v in page.get("viewBox").split())
    assert wide == 360 and page.get("width") == "100%" and page.get("height") is None
    pdf = parse(timeline_svg(policy_case(amdsb), RULES, amdsb, d("2025-11-20"), width=700, pdf=True,
                             font_family="body", spell=str.upper))
    assert (pdf.get("width"), pdf.get("height")) == ("700", pdf.get("viewBox").split()[3])
    assert pdf.find(f"{SVG}title") is None and pdf.find(f"{SVG}desc") is None  # fpdf2 has no use for them
    assert not list(pdf.iter(f"{SVG}title"))  # nor for tooltips
    assert pdf.get("font-family") == "body" and "TODAY, THU 20 NOV 2025" in [t.text for t in texts(pdf)]


def test_no_text_runs_past_the_edge_of_a_phone_sized_picture(amdsb):
    """Long labels wrap to the 360-unit width: by the generous width guess the layout uses (0.6 em a
    character), every line fits; the e2e test measures the same in Chromium."""
    root = parse(timeline_svg(policy_case(amdsb), RULES, amdsb, d("2025-11-20"), width=360))
    for t in texts(root):
        x, size, chars = float(t.get("x")), float(t.get("font-size")), len(t.text) * float(t.get("font-size")) * 0.6
        left, right = {"start": (x, x + chars), "end": (x - chars, x), "middle": (x - chars / 2, x + chars / 2)}[
            t.get("text-anchor")]
        assert 0 <= left and right <= 360, (t.text, left, right)


# -- on the case page -------------------------------------------------------------------------------

def test_the_case_page_draws_the_case_for_a_screen_and_for_a_phone_with_typed_text_inert(app, admin):
    from operations import grievances as ops
    from operations.calendars import add_closure

    app.config["TODAY"] = "2025-11-20"
    with app.extensions["database"].transaction() as session:
        case = ops.open_case(session, ops.NewCase(number="2025-040", kind="policy", first_event_on=d("2025-11-10"),
                                                  members=("A member",)), by="admin@example.org", today=d("2025-11-20"))
        ops.record_event(session, case.id, type="grievance_filed", occurred_on=d("2025-11-13"), by="admin@example.org",
                         today=d("2025-11-20"))
        case_id = case.id
    with app.extensions["database"].transaction() as session:  # over the Board's running Step 1 reply
        add_closure(session, "amdsb-elementary", d("2025-11-24"), d("2025-11-24"), ClosureKind.WEATHER,
                    "<script>alert(1)</script>", by="admin@example.org", reason="<img src=x onerror=alert(2)>",
                    today=d("2025-11-20"))
    response = admin.get(f"/cases/{case_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    for size in ("wide", "narrow"):
        assert f'aria-labelledby="case-timeline-{size}-title"' in page
    assert page.count('<title id="case-timeline-') == 2 and 'viewBox="0 0 880 ' in page and 'viewBox="0 0 360 ' in page
    picture = page[page.index('<section aria-labelledby="picture-h"'):]
    picture = picture[:picture.index("</section>")]
    assert "<script>" not in picture and "<img" not in picture
    assert "closure: weather (&lt;script&gt;alert(1)&lt;/script&gt;)" in picture
    assert "&lt;img src=x onerror=alert(2)&gt;" in picture  # the move's reason, in its mark's tooltip
