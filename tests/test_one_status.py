"""One status, one wording (issue 12, item 1): every surface that shows a deadline
(the dashboard, the case page, Upcoming, the digest as text and HTML, the CSV, the
calendar feed and `flask deadlines list`) words it as operations/deadline_status.py
does, so the same deadline never reads "today" on one page, "overdue" on another and
0 in a spreadsheet.

Calendar: the shipped AMDSB elementary 2025-26 year (no autumn PA day listed;
Remembrance Day, Tue Nov 11, is a school day), plus, where a test says so, a PA day
on Fri 2025-12-05 that the Board adds. Nov 2025: Mon 10, 17, 24; Dec: Mon 1, 8.
"""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from html import unescape
from html.parser import HTMLParser

import pytest
from icalendar import Calendar
from sqlalchemy import select

from conftest import AMDSB, log_in, make_user
from models import User
from operations import digests
from operations import grievances as ops
from operations.calendars import add_day
from operations.deadline_status import deadline_status, long_date
from school_calendar.days import DayType
from school_calendar.school_year import CalendarEntry

WEDNESDAY = date(2025, 11, 26)
SUNDAY = date(2025, 11, 30)
BASE_URL = "https://tracker.example.org"


# -- reading what a surface shows ------------------------------------------------------------------

class _Blocks(HTMLParser):
    """The text of every <tr>, <td>, <li> and <article> of a page, whitespace squeezed: the units in
    which a surface shows one deadline (a table row or cell, a list item, a deadline box)."""

    TAGS = ("tr", "td", "li", "article")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[list[str]] = []
        self.blocks: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.TAGS:
            self.open.append([])

    def handle_endtag(self, tag):
        if tag in self.TAGS and self.open:
            self.blocks.append(" ".join("".join(self.open.pop()).split()))

    def handle_data(self, data):
        for block in self.open:
            block.append(data)


def block_of(html: str, *needles: str) -> str:
    """The smallest row, item or box of `html` holding all of `needles`."""
    parser = _Blocks()
    parser.feed(html)
    found = [b for b in parser.blocks if all(n in b for n in needles)]
    assert found, f"no row, item or box holds {needles}"
    return min(found, key=len)


def assert_worded(block: str, status, *, safe_note: bool = True) -> None:
    """`block` shows the presenter's date to act by and words (and its safe note, where the surface has room)."""
    assert long_date(status.act_by) in block, block
    assert status.words in block, block
    if safe_note and status.safe_note:
        assert status.safe_note in block, block


# -- one case with a limit passed, one due today, and a safe date earlier than the agreement's --------

def add_pa_day_dec_5(app) -> None:
    with app.extensions["database"].transaction() as session:
        add_day(session, AMDSB, CalendarEntry(date(2025, 12, 5), date(2025, 12, 5), DayType.PA_DAY, "PA day"),
                by="test", reason="The Board's published calendar", today=WEDNESDAY)


@pytest.fixture
def three_ways(app):
    """2025-300, an individual grievance, seen on Wed 2025-11-26, with a PA day on Fri Dec 5.

    Aware Mon Nov 10; complaint raised Wed Nov 12 (meets 33.03's 10 days); first discussed Thu Nov 13;
    mediation agreed Mon Nov 24, to take place by Wed Nov 26. Running:
    - Settlement of the complaint (Board, 5 school days from Thu Nov 13): Fri 14 (1), Mon 17 ... Thu 20 (5).
      Passed: the school days from Thu 20 up to Wed 26: Thu 20, Fri 21, Mon 24, Tue 25 = 4 ago.
    - Grievance mediation (both, by the date agreed): Wed Nov 26, due today.
    - Take the complaint up as a grievance (Union, 10 from Thu Nov 13): Fri 14 (1), Mon 17 ... Fri 21 (6),
      Mon 24 ... Thu 27 (10). The PA day is later: no safe date. After Wed 26: Thu 27 = 1 left.
    - Complete the complaint procedure (Union, 20 from Mon Nov 10): ... Mon 24 (10), Tue 25 ... Fri 28 (14),
      Mon Dec 1 ... Thu 4 (18), [Fri 5 PA day] Mon 8 (19), Tue 9 (20): the agreement's date Tue Dec 9.
      Regulation 304 counts the PA day: Fri 5 (19), Mon 8 (20): the safe date Mon Dec 8.
      After Wed 26: Thu 27, Fri 28, Mon 1, Tue 2, Wed 3, Thu 4, Mon 8 = 7 left.
    """
    app.config.update(TODAY=WEDNESDAY.isoformat(), BASE_URL=BASE_URL)
    add_pa_day_dec_5(app)
    make_user(app, "officer@example.org", "officer")
    with app.extensions["database"].transaction() as session:
        case = ops.open_case(session, ops.NewCase(number="2025-300", kind="individual",
                                                  first_event_on=date(2025, 11, 10), members=("Robin Member",),
                                                  school="Demo PS"), by="officer@example.org", today=WEDNESDAY)
        for type_, on, details in (("complaint_raised", date(2025, 11, 12), None),
                                   ("complaint_discussed", date(2025, 11, 13), None),
                                   ("mediation_agreed", date(2025, 11, 24),
                                    {"mediator": "A. Mediator", "mediation_by": "2025-11-26"})):
            ops.record_event(session, case.id, type=type_, occurred_on=on, details=details,
                             by="officer@example.org", today=WEDNESDAY)
        state = ops.case_state(session, case, WEDNESDAY)
        calendar = ops.calendar_for(session, AMDSB)
        statuses = {d.rule.label: deadline_status(d, calendar, WEDNESDAY) for d in state.deadlines if d.is_open}
        return case.id, statuses


SETTLEMENT = "Settlement of the complaint with the immediate supervisor"
MEDIATION = "Grievance mediation to take place"
FILING = "Take the complaint up as a grievance at Step 1"
TOTAL = "Complete the complaint procedure (all of 33.03's school days)"


def test_the_presenter_words_the_case_as_counted_by_hand(three_ways):
    _, s = three_ways
    assert {label: (s[label].state, s[label].words) for label in s} == {
        SETTLEMENT: ("passed", "passed Thu 20 Nov 2025 — 4 school days ago"),
        MEDIATION: ("today", "due today"),
        FILING: ("ahead", "1 school day left"),
        TOTAL: ("ahead", "7 school days left"),
    }
    assert s[TOTAL].act_by == date(2025, 12, 8)
    assert s[TOTAL].safe_note == "safe date; the agreement's date is Tue 09 Dec 2025"
    assert s[FILING].safe_note == ""


def test_every_surface_words_each_deadline_as_the_presenter_does(app, three_ways):
    case_id, s = three_ways
    officer = log_in(app, "officer@example.org")

    # The dashboard, the CSV and the command line show the case's next date to act by: the passed one.
    assert_worded(block_of(officer.get("/dashboard").get_data(as_text=True), "2025-300"), s[SETTLEMENT])
    [row] = csv.DictReader(io.StringIO(officer.get("/dashboard.csv").get_data(as_text=True)))
    assert (row["Next act-by date"], row["Status"], row["School days left"]) == (
        s[SETTLEMENT].act_by.isoformat(), s[SETTLEMENT].words, str(s[SETTLEMENT].school_days_left))
    listed = app.test_cli_runner().invoke(args=["deadlines", "list", "--json"])
    assert json.loads(listed.stdout)["cases"][0]["status"] == s[SETTLEMENT].as_dict()
    table = app.test_cli_runner().invoke(args=["deadlines", "list"]).stdout
    assert_worded(next(line for line in table.splitlines() if "2025-300" in line), s[SETTLEMENT])

    # The case page, Upcoming, the digest (text and HTML) and the feed show every running deadline.
    case_page = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    upcoming = officer.get("/upcoming").get_data(as_text=True)
    text, html = digest_parts(app)
    feed = feed_events(app, officer)
    for label, status in s.items():
        assert_worded(block_of(case_page, label, "If missed"), status)
        assert_on_upcoming(upcoming, label, status)
        assert_worded(digest_item(text, label), status)
        assert_worded(block_of(html, "2025-300", label), status)
        event = feed[f"2025-300: {label}"]
        assert event.decoded("DTSTART") == status.act_by
        assert_worded(str(event["DESCRIPTION"]), status)


def assert_on_upcoming(page: str, label: str, status) -> None:
    """A passed deadline is in the lane, its words naming its date; the others are in the day's cell."""
    item = block_of(page, "2025-300", label)
    assert status.words in item and status.safe_note in item, item
    if status.is_passed:
        lane = page.split('class="lane"')[1].split("</section>")[0]
        assert long_date(status.act_by) in item and block_of(lane, "2025-300", label) == item, item
    else:
        day = status.act_by.strftime("%a %d %b")
        assert block_of(page, "2025-300", label, day).startswith(day), f"{label} is not in the cell of {day}"


def digest_parts(app) -> tuple[str, str]:
    """The officer's digest on Wed Nov 26, looking 10 school days ahead (through Thu Dec 11)."""
    with app.extensions["database"].transaction() as session:
        user = session.scalar(select(User).where(User.email == "officer@example.org"))
        digests.set_preferences(session, user.id, frequency="daily", days_ahead=10)
        digest = digests.build_digest(session, user, WEDNESDAY, case_url=lambda i: f"{BASE_URL}/cases/{i}")
    message = digests.render_message(digest, mail_from="tracker@example.org")
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def digest_item(text: str, label: str) -> str:
    """The plain-text digest's item for `label` (an item starts with "- NUMBER: ")."""
    items = [item for item in re.split(r"\n(?=- )", text) if item.startswith(f"- 2025-300: {label}")]
    assert len(items) == 1, text
    return " ".join(items[0].split())


def feed_events(app, officer) -> dict:
    made = officer.post("/feeds", data={"action": "create"}).get_data(as_text=True)
    url = re.search(r'value="http://localhost(/feeds/[A-Za-z0-9_-]{43}\.ics)"', made).group(1)
    calendar = Calendar.from_ical(app.test_client().get(url).data)
    return {str(e["SUMMARY"]).rsplit(" (", 1)[0]: e for e in calendar.walk("VEVENT")}


def test_the_case_page_lists_running_deadlines_by_date_to_act_by(app, three_ways):
    # The engine starts the 33.03 total first (at awareness) and the mediation last; by date it is
    # Thu Nov 20, Wed Nov 26, Thu Nov 27, Mon Dec 8.
    case_id, _ = three_ways
    page = unescape(log_in(app, "officer@example.org").get(f"/cases/{case_id}").get_data(as_text=True))
    running = page.split('id="running-h"')[1].split("</section>")[0]
    assert sorted((SETTLEMENT, MEDIATION, FILING, TOTAL), key=running.index) == [SETTLEMENT, MEDIATION, FILING, TOTAL]


# -- DEMO-04's example: a limit that passed on a Friday, seen on the Sunday ----------------------------

@pytest.fixture
def passed_friday(app):
    """2025-400, a policy grievance aware Fri 2025-11-14: filing due 10 school days later, Mon 17 (1) ...
    Fri 21 (5), Mon 24 ... Fri 28 (10). Seen on Sun Nov 30, it passed 1 school day ago (Fri 28 itself);
    counting from Sunday back to Friday (Sat, Sun not school days) gave 0: "today"."""
    app.config.update(TODAY=SUNDAY.isoformat(), BASE_URL=BASE_URL)
    make_user(app, "officer@example.org", "officer")
    with app.extensions["database"].transaction() as session:
        case = ops.open_case(session, ops.NewCase(number="2025-400", kind="policy", first_event_on=date(2025, 11, 14),
                                                  members=("All teachers",), school="Board-wide"),
                             by="officer@example.org", today=SUNDAY)
        return case.id


PASSED_FRIDAY = "passed Fri 28 Nov 2025 — 1 school day ago"


def test_the_dashboard_reads_a_limit_passed_on_friday_as_passed_on_sunday_not_today(app, passed_friday):
    row = block_of(log_in(app, "officer@example.org").get("/dashboard").get_data(as_text=True), "2025-400")
    assert PASSED_FRIDAY in row and "today" not in row


def test_the_case_page_words_a_passed_limit_as_the_dashboard_does_not_as_overdue(app, passed_friday):
    page = log_in(app, "officer@example.org").get(f"/cases/{passed_friday}").get_data(as_text=True)
    box = block_of(page, "File the policy grievance at Step 1", "If missed")
    assert PASSED_FRIDAY in box and "overdue" not in box


def test_the_digest_words_what_it_counts_as_overdue_as_passed_not_today(app, passed_friday):
    # My digest previews a digest for today, a Sunday included.
    with app.extensions["database"].transaction() as session:
        user = session.scalar(select(User).where(User.email == "officer@example.org"))
        digest = digests.build_digest(session, user, SUNDAY, case_url=lambda i: f"{BASE_URL}/cases/{i}")
    [overdue] = digest.overdue
    message = digests.render_message(digest, mail_from="tracker@example.org")
    text, html = message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()
    assert overdue.days_left_words == PASSED_FRIDAY
    assert "Union Local: " + PASSED_FRIDAY in text and "today" not in text.split("OVERDUE")[1]
    assert PASSED_FRIDAY in html


def test_the_csv_counts_a_passed_limit_below_zero_not_as_zero(app, passed_friday):
    [row] = csv.DictReader(io.StringIO(log_in(app, "officer@example.org").get("/dashboard.csv").get_data(as_text=True)))
    assert (row["School days left"], row["Status"]) == ("-1", PASSED_FRIDAY)


# -- searching --------------------------------------------------------------------------------------

def test_a_search_for_percent_or_underscore_finds_only_cases_that_hold_it(app, passed_friday):
    with app.extensions["database"].transaction() as session:
        for number, member in (("2025-401", "Pat 100% Sure"), ("2025-402", "Sam_Underscore")):
            ops.open_case(session, ops.NewCase(number=number, kind="policy", first_event_on=date(2025, 11, 14),
                                               members=(member,), school="Board-wide"),
                          by="officer@example.org", today=SUNDAY)
    officer = log_in(app, "officer@example.org")
    found = {q: {n for n in ("2025-400", "2025-401", "2025-402")
                 if n in officer.get("/dashboard", query_string={"q": q}).get_data(as_text=True)}
             for q in ("%", "_", "0%", "\\")}
    assert found == {"%": {"2025-401"}, "_": {"2025-402"}, "0%": {"2025-401"}, "\\": set()}


def test_a_safe_date_passed_on_friday_is_not_flagged_as_zero_days_left_on_sunday(app):
    # A PA day on Fri Nov 21. Policy grievance aware Fri Nov 14: filing within 10 school days: Mon 17 (1)
    # ... Thu 20 (4), [PA day], Mon 24 (5) ... Fri 28 (9), Mon Dec 1 (10): the agreement's date. Regulation
    # 304 counts the PA day: Fri 28 (10) is the safe date. On Sun Nov 30 it passed 1 school day ago
    # (Fri 28), while the agreement's date is still ahead: the flag said "(0 school days left)".
    app.config["TODAY"] = SUNDAY.isoformat()
    with app.extensions["database"].transaction() as session:
        add_day(session, AMDSB, CalendarEntry(date(2025, 11, 21), date(2025, 11, 21), DayType.PA_DAY, "PA day"),
                by="test", reason="The Board's published calendar", today=SUNDAY)
        case_id = ops.open_case(session, ops.NewCase(number="2025-410", kind="policy",
                                                     first_event_on=date(2025, 11, 14), members=("All teachers",)),
                                by="test", today=SUNDAY).id
    make_user(app, "officer@example.org", "officer")
    page = unescape(log_in(app, "officer@example.org").get(f"/cases/{case_id}").get_data(as_text=True))
    flags = page.split('id="flags-h"')[1].split("</section>")[0]
    assert "the safe date, Fri 28 Nov 2025, has passed" in flags and "0 school days" not in flags
    box = block_of(page, "File the policy grievance at Step 1", "If missed")
    assert ("passed Fri 28 Nov 2025 — 1 school day ago (safe date; the agreement's date is Mon 01 Dec 2025)"
            in box)
