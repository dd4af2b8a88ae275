"""The bargaining reports (/reports and /reports/<table>.csv) through Flask's test
client, on both databases, over five cases of 2025-26 on the shipped AMDSB
calendar, with today pinned to Mon 2026-03-02.

The 2025-26 calendar (calendar/boards/amdsb-elementary/2025-26.schoolyear): first
day Tue Sept 2, winter break Dec 22 - Jan 2, March break Mar 16-20; statutory
holidays from the Ontario calendar: Thanksgiving Mon Oct 13, Family Day Mon
Feb 16. Remembrance Day is a school day; no PA day is listed.

The cases (school days from filing to resolution counted by hand):

  2025-001 individual, "Avon PS", clauses "12.06, 12.07 b": aware Sep 15, complaint
      raised Sep 17 and discussed Sep 19, filed Fri Sep 26, Step 1 reply Oct 6,
      settled Mon Oct 20. Sep 29-Oct 3 (5), Oct 6-10 (10), Oct 13 Thanksgiving,
      Oct 14-17 (14), Oct 20 (15): 15 school days.
  2025-002 policy, a school named like a spreadsheet formula, clauses "33.02 d; 12.06":
      aware Mon Nov 3, filed Fri Nov 28, 11 days after the union's ten school days
      ended on Mon Nov 17 (Nov 4-7 (4), 10-14 (9), 17 (10)): met late. Then Step 1
      reply Dec 10, Step 2 Dec 17, its reply Jan 9, notice of arbitration Jan 16,
      single arbitrator accepted Jan 23, hearing Feb 20, decision (dismissed)
      Fri Feb 27. Dec 1-5 (5), 8-12 (10), 15-19 (15), break, Jan 5-9 (20),
      12-16 (25), 19-23 (30), 26-30 (35), Feb 2-6 (40), 9-13 (45), Feb 16 Family
      Day, 17-20 (49), 23-27 (54): 54 school days.
  2025-003 board grievance, "Bluewater PS", clauses "Article 5; 5.01": occurrence
      Oct 1, filed Wed Oct 8, union reply Oct 15, withdrawn Wed Nov 5. Oct 9-10
      (2), Oct 13 Thanksgiving, 14-17 (6), 20-24 (11), 27-31 (16), Nov 3-5 (19):
      19 school days.
  2025-004 individual, "Avon PS", clause "12.06": aware Feb 2, complaint raised
      Feb 3 and discussed Thu Feb 5, the filing limit extended in writing to Mar 6,
      filed Thu Feb 12. Still open: the Board's Step 1 reply was due Fri Feb 27
      (Feb 13 (1), Feb 16 Family Day, 17-20 (5), 23-27 (10)) and is overdue; the
      union's Step 2 referral runs from that lapse.
  2025-005 individual, "Stratford Central", clauses "12.07 b, 24.01": aware Oct 20,
      complaint raised Oct 22 and discussed Oct 24, filed Fri Oct 31, Step 1 reply
      Nov 7, a Step 2 referral recorded Nov 14 then voided, deemed abandoned
      Fri Dec 5. Nov 3-7 (5), 10-14 (10), 17-21 (15), 24-28 (20), Dec 1-5 (25):
      25 school days, and the furthest step is Step 1 (the voided referral aside).

And 2025-000, opened Jun 10 2025 (school year 2024-25), outside the period.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from html.parser import HTMLParser

import pytest
from sqlalchemy import delete, select, update

from models import Board, SchoolYearRecord
from operations import accounts
from operations import grievances as ops
from web.reports import safe_cell

PASSWORD = "a long enough password"
TODAY = date(2026, 3, 2)
FORMULA_SCHOOL = '=HYPERLINK("http://example.com/x","Click")'
TABLES = ("articles", "clauses", "schools", "steps", "outcomes", "resolution", "resolution-cases", "time-limits")

EXPECTED = {
    "articles": [["Article", "Cases"], ["Article 12", "4"], ["Article 5", "1"], ["Article 24", "1"],
                 ["Article 33", "1"]],
    "clauses": [["Clause", "Cases"], ["12.06", "3"], ["12.07 b", "2"], ["5.01", "1"], ["Article 5", "1"],
                ["24.01", "1"], ["33.02 d", "1"]],
    "schools": [["School", "Cases"], ["Avon PS", "2"], [FORMULA_SCHOOL, "1"], ["Bluewater PS", "1"],
                ["Stratford Central", "1"]],
    "steps": [["Step reached", "Cases"], ["Not yet filed", "0"], ["Complaint (33.03)", "0"], ["Step 1", "4"],
              ["Step 2", "0"], ["Arbitration", "1"]],
    "outcomes": [["Outcome", "Cases"], ["Open", "1"], ["Settled", "1"], ["Withdrawn", "1"],
                 ["Deemed abandoned", "1"], ["Decided: allowed", "0"], ["Decided: allowed in part", "0"],
                 ["Decided: dismissed", "1"]],
    # 15, 19, 25, 54: median (19 + 25) / 2 = 22, mean 113 / 4 = 28.25, shown as 28.3.
    "resolution": [["Kind of case", "Resolved", "Counted", "Median", "Mean", "Shortest", "Longest"],
                   ["All kinds", "4", "4", "22", "28.3", "15", "54"],
                   ["Individual grievance", "2", "2", "20", "20", "15", "25"],
                   ["Policy grievance (Union Local)", "1", "1", "54", "54", "54", "54"],
                   ["Board grievance", "1", "1", "19", "19", "19", "19"]],
    "resolution-cases": [["Grievance", "Kind", "Filed", "Resolved", "Outcome", "School days", "Not counted because"],
                         ["2025-001", "Individual grievance", "2025-09-26", "2025-10-20", "Settled", "15", ""],
                         ["2025-002", "Policy grievance (Union Local)", "2025-11-28", "2026-02-27",
                          "Decided: dismissed", "54", ""],
                         ["2025-003", "Board grievance", "2025-10-08", "2025-11-05", "Withdrawn", "19", ""],
                         ["2025-005", "Individual grievance", "2025-10-31", "2025-12-05", "Deemed abandoned", "25",
                          ""]],
    # Union Local: 2025-001 complaint_raise, complaint_total, grievance_filing met, step2_referral stopped
    # (settled); 2025-002 policy_filing met late, step2_referral and arbitration_referral met; 2025-003
    # union_reply met; 2025-004 complaint_raise, complaint_total met, grievance_filing extended and met,
    # step2_referral running; 2025-005 as 2025-001 (its referral stopped by the abandonment).
    # 16 limits, 12 met, 1 extended, 1 missed, 1 running.
    # Board: 2025-001 complaint_settlement superseded (filed on its last day), step1_reply met; 2025-002
    # step1_reply, step2_reply and appointee_reply met; 2025-003 board_filing met, board_arbitration_referral
    # stopped (withdrawn); 2025-004 complaint_settlement superseded, step1_reply overdue; 2025-005 as 2025-001.
    # 11 limits, 6 met, 1 missed.
    "time-limits": [["Party", "Time limits", "Met on time", "Extended", "Missed", "Still running"],
                    ["Union Local", "16", "12", "1", "1", "1"],
                    ["Board", "11", "6", "0", "1", "0"]],
}


# -- set-up -------------------------------------------------------------------------------------

def make_officer(app, email: str, local: str = "etfo-avon-maitland") -> None:
    with app.extensions["database"].transaction() as session:
        accounts.create_user(session, local=local, email=email, name=email.split("@")[0].title(), password=PASSWORD,
                             role="officer")


def log_in(app, email: str):
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def add_case(session, number, kind, school, clauses, events, local="etfo-avon-maitland") -> int:
    """Open a case with its first event and record the rest. ("void", reason) voids the last event."""
    (_first, first_on), *rest = events
    case = ops.open_case(session, ops.NewCase(number=number, kind=kind, first_event_on=date.fromisoformat(first_on),
                                              members=("Sam Teacher",), school=school, clauses=clauses,
                                              description="What happened", remedy="Make whole", local=local),
                         by="test@example.org", today=TODAY)
    for type_, value, *details in rest:
        if type_ == "void":
            ops.void_event(session, case.id, ops.last_event_id(session, case.id), reason=value,
                           by="test@example.org", today=TODAY)
            continue
        ops.record_event(session, case.id, type=type_, occurred_on=date.fromisoformat(value),
                         details=details[0] if details else None, by="test@example.org", today=TODAY)
    return case.id


@pytest.fixture
def cases(app):
    app.config["SESSION_COOKIE_SECURE"] = False
    app.config["TODAY"] = TODAY.isoformat()
    make_officer(app, "officer@example.org")
    with app.extensions["database"].transaction() as session:
        add_case(session, "2025-001", "individual", "Avon PS", "12.06, 12.07 b", [
            ("awareness", "2025-09-15"), ("complaint_raised", "2025-09-17"), ("complaint_discussed", "2025-09-19"),
            ("grievance_filed", "2025-09-26"), ("step1_reply", "2025-10-06"), ("settled", "2025-10-20")])
        add_case(session, "2025-002", "policy", FORMULA_SCHOOL, "33.02 d; 12.06", [
            ("awareness", "2025-11-03"), ("grievance_filed", "2025-11-28"), ("step1_reply", "2025-12-10"),
            ("step2_referral", "2025-12-17"), ("step2_reply", "2026-01-09"),
            ("arbitration_notice", "2026-01-16", {"appointee": "A. Arbitrator"}),
            ("single_arbitrator_accepted", "2026-01-23"),
            ("hearing_scheduled", "2026-01-30", {"hearing_date": "2026-02-20"}), ("hearing_held", "2026-02-20"),
            ("decision", "2026-02-27", {"outcome": "dismissed"})])
        add_case(session, "2025-003", "board", "Bluewater PS", "Article 5; 5.01", [
            ("occurrence", "2025-10-01"), ("board_grievance_filed", "2025-10-08"), ("union_reply", "2025-10-15"),
            ("withdrawn", "2025-11-05")])
        add_case(session, "2025-004", "individual", "Avon PS", "12.06", [
            ("awareness", "2026-02-02"), ("complaint_raised", "2026-02-03"), ("complaint_discussed", "2026-02-05"),
            ("extension_agreed", "2026-02-09", {"limit": "grievance_filing", "new_due": "2026-03-06"}),
            ("grievance_filed", "2026-02-12")])
        add_case(session, "2025-005", "individual", "Stratford Central", "12.07 b, 24.01", [
            ("awareness", "2025-10-20"), ("complaint_raised", "2025-10-22"), ("complaint_discussed", "2025-10-24"),
            ("grievance_filed", "2025-10-31"), ("step1_reply", "2025-11-07"), ("step2_referral", "2025-11-14"),
            ("void", "recorded on the wrong case"), ("abandoned", "2025-12-05")])
        # School year 2024-25: not in the 2025-26 reports.
        add_case(session, "2025-000", "individual", "Avon PS", "99.01", [("awareness", "2025-06-10")])
    return log_in(app, "officer@example.org")


@pytest.fixture
def other_local(app, cases):
    """An officer of another local, with a case of its own at one of the same schools."""
    with app.extensions["database"].transaction() as session:
        ops.ensure_local(session, "other-local", "Other")
    make_officer(app, "other@example.org", local="other-local")
    with app.extensions["database"].transaction() as session:
        add_case(session, "2025-001", "individual", "Avon PS", "7.01", [
            ("awareness", "2025-10-01"), ("complaint_raised", "2025-10-02"), ("complaint_discussed", "2025-10-03"),
            ("grievance_filed", "2025-10-07"), ("settled", "2025-10-10")], local="other-local")
    return log_in(app, "other@example.org")


# -- reading the page and the CSV back -------------------------------------------------------------

class Tables(HTMLParser):
    """Every <table id="table-NAME"> of a page as rows of cell texts ('—' read as empty)."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.captions: dict[str, str] = {}
        self._table = self._cell = None
        self._in_caption = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (attrs.get("id") or "").startswith("table-"):
            self._table = attrs["id"].removeprefix("table-")
            self.tables[self._table], self.captions[self._table] = [], ""
        elif self._table and tag == "tr":
            self.tables[self._table].append([])
        elif self._table and tag in ("th", "td"):
            self._cell = []
        elif self._table and tag == "caption":
            self._in_caption = True

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif self._table and tag in ("th", "td"):
            text = " ".join("".join(self._cell).split())
            self.tables[self._table][-1].append("" if text == "—" else text)
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._in_caption:
            self.captions[self._table] += data


def page_tables(client, query: str = "") -> Tables:
    response = client.get(f"/reports{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return Tables(response.get_data(as_text=True))


def csv_rows(client, table: str, query: str = "") -> list[list[str]]:
    response = client.get(f"/reports/{table}.csv{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


# -- the figures ----------------------------------------------------------------------------------

def test_each_table_counts_the_years_cases_exactly(cases):
    # With no filter the page shows the school year of today (2026-03-02): 2025-26.
    page = page_tables(cases)
    for name in TABLES:
        assert page.tables[name] == EXPECTED[name], name
    explicit = page_tables(cases, "?year=2025-26")
    assert explicit.tables == page.tables


def test_the_page_names_the_period_and_is_accessible(cases):
    html = cases.get("/reports?year=2025-26").get_data(as_text=True)
    assert "School year 2025-26 (2025-09-01 to 2026-08-31)" in html and "5 cases opened in the period" in html
    assert '<option value="2024-25"' in html and '<option value="2026-27"' in html
    assert '<option value="2025-26" selected>' in html
    assert html.count("<caption") == len(TABLES) and html.count('scope="col"') == sum(
        len(EXPECTED[name][0]) for name in TABLES)
    assert 'scope="row"' in html
    # The formula-looking school is plain (escaped) text on the page.
    assert "=HYPERLINK(&#34;http://example.com/x&#34;,&#34;Click&#34;)" in html


def test_each_csv_equals_the_page(cases):
    page = page_tables(cases, "?year=2025-26")
    for name in TABLES:
        rows = csv_rows(cases, name, "?year=2025-26")
        expected = [[safe_cell(text) for text in row] for row in page.tables[name]]
        assert rows == expected, name


def test_csv_headers_and_the_formula_guard(cases):
    response = cases.get("/reports/schools.csv?year=2025-26")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="schools-2025-26.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert ["'" + FORMULA_SCHOOL, "1"] in rows
    # The csv module quotes the cell: its quotes and comma do not break the row.
    assert '"\'=HYPERLINK(""http://example.com/x"",""Click"")",1' in response.get_data(as_text=True)
    ranged = cases.get("/reports/articles.csv?from=2025-09-01&to=2026-03-02")
    assert ranged.headers["Content-Disposition"] == 'attachment; filename="articles-2025-09-01-to-2026-03-02.csv"'
    assert cases.get("/reports/nothing.csv").status_code == 404


def test_every_formula_start_is_neutralised():
    for text in ("=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("Avon PS") == "Avon PS" and safe_cell("12.06") == "12.06" and safe_cell("") == ""


def test_a_date_range_limits_the_cases_opened_in_it(cases):
    # Only 2025-000, aware Tue Jun 10 2025: the union's complaint limits (10 and 20 school days) both passed
    # unmet long ago, so both are missed (overdue); it is still at the complaint.
    page = page_tables(cases, "?from=2025-06-01&to=2025-08-31")
    assert page.tables["articles"] == [["Article", "Cases"], ["Article 99", "1"]]
    assert page.tables["schools"] == [["School", "Cases"], ["Avon PS", "1"]]
    assert page.tables["steps"][2] == ["Complaint (33.03)", "1"]
    assert page.tables["outcomes"][1] == ["Open", "1"]
    assert page.tables["resolution"] == [EXPECTED["resolution"][0], ["All kinds", "0", "0", "", "", "", ""]]
    assert page.tables["resolution-cases"] == [EXPECTED["resolution-cases"][0], ["No cases in this period."]]
    assert page.tables["time-limits"][1:] == [["Union Local", "2", "0", "0", "2", "0"],
                                              ["Board", "0", "0", "0", "0", "0"]]
    # One day: Sep 15 2025 holds only 2025-001's opening.
    one_day = page_tables(cases, "?from=2025-09-15&to=2025-09-15")
    assert one_day.tables["articles"] == [["Article", "Cases"], ["Article 12", "1"]]


def test_another_locals_officer_sees_none_of_these_cases(cases, other_local):
    theirs = page_tables(other_local, "?year=2025-26")  # filed Tue Oct 7, settled Fri Oct 10: 3 school days
    assert theirs.tables["articles"] == [["Article", "Cases"], ["Article 7", "1"]]
    assert theirs.tables["resolution-cases"][1:] == [
        ["2025-001", "Individual grievance", "2025-10-07", "2025-10-10", "Settled", "3", ""]]
    # Its own limits only: complaint_raise, complaint_total and grievance_filing met; the Board's
    # complaint_settlement superseded by the filing and its step1_reply stopped by the settlement.
    assert theirs.tables["time-limits"][1:] == [["Union Local", "3", "3", "0", "0", "0"],
                                                ["Board", "2", "0", "0", "0", "0"]]
    html = other_local.get("/reports?year=2025-26").get_data(as_text=True)
    assert "1 case opened in the period" in html
    for ours in ("2025-002", "2025-003", "2025-005", "Bluewater", "Stratford", "HYPERLINK", ">Article 12<"):
        assert ours not in html
    for name in TABLES:
        text = other_local.get(f"/reports/{name}.csv?year=2025-26").get_data(as_text=True)
        for ours in ("2025-002", "2025-003", "2025-005", "Bluewater", "Stratford", "HYPERLINK", "12.06"):
            assert ours not in text, name
    # And ours are unchanged by their case.
    assert page_tables(cases, "?year=2025-26").tables == {n: EXPECTED[n] for n in TABLES}


@pytest.mark.parametrize("query, field, message", [
    ("?from=2025-02-30&to=2026-01-01", "from", "&#39;2025-02-30&#39; is not a date."),
    ("?from=2025-09-01&to=someday", "to", "&#39;someday&#39; is not a date."),
    ("?from=2025-09-01", "to", "Give the &#39;to&#39; date of the period."),
    ("?from=2026-01-01&to=2025-09-01", "to", "The period ends (2025-09-01) before it starts (2026-01-01)."),
    ("?year=1999-00", "year", "No 1999-00 school-year calendar is loaded."),
    ("?year=next", "year", "&#39;next&#39; is not a school year."),
])
def test_a_bad_period_comes_back_with_the_message_beside_the_field(cases, query, field, message):
    response = cases.get(f"/reports{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in html and message in html
    assert f'aria-invalid="true" aria-describedby="{field}-error"' in html
    assert "<caption" not in html  # no figures for a period that could not be read
    assert cases.get(f"/reports/articles.csv{query}").status_code == 400


def test_reports_need_a_login(app):
    response = app.test_client().get("/reports/articles.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_case_the_calendar_cannot_count_is_listed_not_guessed(app):
    app.config["SESSION_COOKIE_SECURE"] = False
    app.config["TODAY"] = TODAY.isoformat()
    make_officer(app, "officer@example.org")
    with app.extensions["database"].transaction() as session:
        add_case(session, "2025-009", "individual", "Avon PS", "12.06", [
            ("awareness", "2025-06-02"), ("complaint_raised", "2025-06-03"), ("complaint_discussed", "2025-06-04"),
            ("grievance_filed", "2025-06-06"), ("settled", "2025-09-15")])
        # The 2024-25 year goes (and the calendar's token with it): Jun 6 2025 can no longer be counted.
        board_id = session.scalar(select(Board.id).where(Board.slug == "amdsb-elementary"))
        session.execute(delete(SchoolYearRecord).where(SchoolYearRecord.board_id == board_id,
                                                       SchoolYearRecord.label == "2024-25"))
        session.execute(update(Board).where(Board.id == board_id).values(calendar_token="without-2024-25"))
    client = log_in(app, "officer@example.org")
    page = page_tables(client, "?from=2025-06-01&to=2025-06-30")
    assert page.tables["resolution"][1] == ["All kinds", "1", "0", "", "", "", ""]
    (row,) = page.tables["resolution-cases"][1:]
    assert row[:6] == ["2025-009", "Individual grievance", "2025-06-06", "2025-09-15", "Settled", ""]
    assert "2024-25 school-year calendar" in row[6] and "not loaded" in row[6]
    assert csv_rows(client, "resolution-cases", "?from=2025-06-01&to=2025-06-30")[1] == row
