"""Taking closure days back: a strike that ends early, a closure recorded in error. The
closure is removed or shortened, with a reason, logged with who, when and why; every case
counted across the days is recomputed and each moved deadline goes on its case's timeline.
All or nothing: a range that is not within one closure is refused naming the field, and a
failure halfway leaves the closure as it was.

The calendar: Avon Maitland DSB elementary 2025-26 as shipped, Mon 17 Nov to Fri 19 Dec 2025
all instructional days; a strike closes the schools Mon 24 - Fri 28 Nov. Today: Thu 2025-11-20.
The case: an individual grievance, the teacher aware on Mon 17 Nov; the complaint must be
raised within 10 school days. Without the strike: Tue 18 (1) ... Fri 21 (4), Mon 24 (5) ...
Fri 28 (9), Mon 1 Dec (10). With it: Fri 21 (4), Mon 1 Dec (5) ... Fri 5 (9), Mon 8 Dec (10).
Regulation 304 counts closure days: the safe date, the date to act by, is Mon 1 Dec either way.
"""
from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from access_world import all_rows
from conftest import PASSWORD, log_in
from models import CalendarChange, CalendarEntryRecord, DeadlineRecord
from operations import calendars as calendar_operations
from operations.accounts import create_user
from operations.grievances import NewCase, open_case, recompute_all
from school_calendar.days import ClosureKind
from school_calendar.errors import UserError

TODAY = date(2025, 11, 20)
BOARD = "amdsb-elementary"
YEAR_PAGE = f"/calendar/{BOARD}/2025-26"


@pytest.fixture
def struck(app):
    """The case, and the strike Mon 24 - Fri 28 Nov recorded; returns the case's id."""
    app.config["TODAY"] = TODAY.isoformat()
    with app.extensions["database"].transaction() as session:
        for role in ("admin", "officer"):
            create_user(session, local="etfo-avon-maitland", email=f"{role}@example.org", name=role.title(),
                        password=PASSWORD, role=role)
        case = open_case(session, NewCase(number="2025-050", kind="individual", first_event_on=date(2025, 11, 17),
                                          members=("A. Teacher",)), by="test", today=TODAY).id
        calendar_operations.add_closure(session, BOARD, date(2025, 11, 24), date(2025, 11, 28), ClosureKind.STRIKE,
                                        "ETFO strike", by="admin@example.org", reason="Strike notice", today=TODAY)
    return case


def reopen(app, first: date, last: date, reason: str = "Strike ended early: board notice") -> list:
    with app.extensions["database"].transaction() as session:
        return calendar_operations.reopen(session, BOARD, first, last, by="admin@example.org", reason=reason,
                                          today=TODAY)


def closures(app) -> list[tuple[date, date]]:
    with app.extensions["database"].transaction() as session:
        return [(e.starts_on, e.ends_on) for e in session.scalars(
            select(CalendarEntryRecord).where(CalendarEntryRecord.day_type == "closure")
            .order_by(CalendarEntryRecord.starts_on))]


def dates_of(app, case: int, key: str = "complaint_raise") -> tuple[date, date]:
    """(agreement's date, act-by date) as stored."""
    with app.extensions["database"].transaction() as session:
        row = session.execute(select(DeadlineRecord.due, DeadlineRecord.act_by).where(
            DeadlineRecord.grievance_id == case, DeadlineRecord.key == key)).one()
    return tuple(row)


def last_change(app) -> CalendarChange:
    with app.extensions["database"].transaction() as session:
        change = session.scalars(select(CalendarChange).order_by(CalendarChange.id.desc())).first()
        session.expunge(change)
        return change


def form(client, data: dict, action: str):
    with client.session_transaction() as s:
        token = s["csrf"]
    return client.post(f"{YEAR_PAGE}/reopen", data={**data, "action": action, "csrf_token": token})


# -- the operation ------------------------------------------------------------------------------

def test_removing_the_whole_closure_puts_the_deadline_back_and_logs_who_and_why(struck, app):
    assert dates_of(app, struck) == (date(2025, 12, 8), date(2025, 12, 1))
    moves = reopen(app, date(2025, 11, 24), date(2025, 11, 28))
    assert closures(app) == []
    assert dates_of(app, struck) == (date(2025, 12, 1), date(2025, 12, 1))
    raised = [m for m in moves if m.deadline_key == "complaint_raise"]
    assert [(m.old_due, m.new_due, m.old_act_by, m.new_act_by) for m in raised] == [
        (date(2025, 12, 8), date(2025, 12, 1), date(2025, 12, 1), date(2025, 12, 1))]
    change = last_change(app)
    assert (change.action, change.changed_by, change.reason, change.school_year_label) == (
        "closure removed", "admin@example.org", "Strike ended early: board notice", "2025-26")
    assert change.details == ("2025-11-24 .. 2025-11-28 reopened: 2025-11-24 .. 2025-11-28 (closure: strike: ETFO "
                              "strike) is removed")
    assert {m.calendar_change_id for m in moves} == {change.id}


def test_reopening_the_last_days_shortens_the_closure_and_the_deadline_moves_earlier(struck, app):
    # Schools open Thu 27 and Fri 28: closed Mon 24 - Wed 26 only. Fri 21 (4), Thu 27 (5), Fri 28 (6),
    # Mon 1 (7), Tue 2 (8), Wed 3 (9), Thu 4 Dec (10).
    reopen(app, date(2025, 11, 27), date(2025, 11, 28))
    assert closures(app) == [(date(2025, 11, 24), date(2025, 11, 26))]
    assert dates_of(app, struck) == (date(2025, 12, 4), date(2025, 12, 1))
    assert last_change(app).action == "closure shortened"
    assert "is now 2025-11-24 .. 2025-11-26" in last_change(app).details


def test_reopening_a_day_in_the_middle_splits_the_closure(struck, app):
    # Open on Wed 26 only: closed 24 - 25 and 27 - 28. Fri 21 (4), Wed 26 (5), Mon 1 (6) ... Fri 5 Dec (10).
    reopen(app, date(2025, 11, 26), date(2025, 11, 26))
    assert closures(app) == [(date(2025, 11, 24), date(2025, 11, 25)), (date(2025, 11, 27), date(2025, 11, 28))]
    assert dates_of(app, struck) == (date(2025, 12, 5), date(2025, 12, 1))


def test_a_shortened_part_that_would_start_on_a_weekend_starts_on_the_monday(app):
    # A closure Fri 21 - Tue 25 Nov, the Friday taken back: what is left starts Mon 24, not Sat 22.
    app.config["TODAY"] = TODAY.isoformat()
    with app.extensions["database"].transaction() as session:
        calendar_operations.add_closure(session, BOARD, date(2025, 11, 21), date(2025, 11, 25), ClosureKind.WEATHER,
                                        "Ice", by="me", reason="ice", today=TODAY)
    reopen(app, date(2025, 11, 21), date(2025, 11, 21))
    assert closures(app) == [(date(2025, 11, 24), date(2025, 11, 25))]


def test_after_a_reopening_a_full_recompute_finds_nothing_left_to_change(struck, app):
    reopen(app, date(2025, 11, 27), date(2025, 11, 28))
    with app.extensions["database"].transaction() as session:
        assert recompute_all(session, TODAY) == 0


@pytest.mark.parametrize("first, last, field, words", [
    (date(2025, 11, 21), date(2025, 11, 21), "first", "2025-11-21 is not a closure day"),   # the Friday before
    (date(2025, 11, 27), date(2025, 12, 1), "last", "after the end of the closure 2025-11-24 .. 2025-11-28"),
    (date(2025, 11, 22), date(2025, 11, 24), "first", "2025-11-22 is a Saturday"),
    (date(2025, 11, 26), date(2025, 11, 25), "last", "is before the first"),
    (date(2025, 12, 15), date(2025, 12, 15), "first", "The closures of 2025-26: 2025-11-24 .. 2025-11-28"),
])
def test_a_range_that_is_not_within_one_closure_is_refused_naming_the_field_and_nothing_changes(
        struck, app, first, last, field, words):
    before = all_rows(app)
    with pytest.raises(UserError) as refused:
        reopen(app, first, last)
    assert refused.value.field == field and words in str(refused.value)
    assert all_rows(app) == before


def test_a_failure_halfway_leaves_the_closure_and_every_deadline_as_they_were(struck, app, monkeypatch):
    """All or nothing: the closure is changed before the cases are recomputed; a recompute that
    fails must take the calendar change back with it."""
    from operations import grievances

    def fails(*args, **kwargs):
        raise RuntimeError("the recompute failed")

    before = all_rows(app)
    monkeypatch.setattr(grievances, "recompute_after_calendar_change", fails)
    with pytest.raises(RuntimeError):
        reopen(app, date(2025, 11, 24), date(2025, 11, 28))
    assert all_rows(app) == before
    assert closures(app) == [(date(2025, 11, 24), date(2025, 11, 28))]


# -- the web page -------------------------------------------------------------------------------

def test_the_preview_lists_the_deadlines_that_would_move_earlier_and_stores_nothing(struck, app):
    admin = log_in(app, "admin@example.org")
    before = all_rows(app)
    response = form(admin, {"first": "2025-11-27", "last": "2025-11-28", "reason": "Strike ended"}, "preview")
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 200, page
    assert "Preview: schools open from Thu 27 Nov 2025 to Fri 28 Nov 2025" in page
    assert ("The agreement's date would move from Mon 08 Dec 2025 to Thu 04 Dec 2025 (earlier), but the act-by "
            "(safe) date would not move: act by Mon 01 Dec 2025.") in page
    assert "Nothing is saved yet" in page
    assert all_rows(app) == before


def test_reopen_stores_the_change_and_its_result_lists_what_moved_with_the_reason(struck, app):
    admin = log_in(app, "admin@example.org")
    response = form(admin, {"first": "2025-11-24", "last": "2025-11-28", "reason": "Strike settled"}, "reopen")
    assert response.status_code == 302 and re.search(r"\?change=\d+#result$", response.headers["Location"])
    page = unescape(admin.get(response.headers["Location"]).get_data(as_text=True))
    result = page[page.index('id="result"'):page.index('id="changes"')]
    assert "Closure removed" in result and "Why: Strike settled" in result
    assert "The agreement's date moved from Mon 08 Dec 2025 to Mon 01 Dec 2025 (earlier)" in result
    assert closures(app) == []
    # The case's timeline: which date moved, and why.
    case_page = unescape(admin.get(f"/cases/{struck}").get_data(as_text=True))
    assert ("from Mon 08 Dec 2025 to Mon 01 Dec 2025 (earlier), but the act-by (safe) date did not move: act by "
            "Mon 01 Dec 2025.") in case_page
    assert "Why: 2025-11-24 .. 2025-11-28 reopened (closure: strike: ETFO strike, 2025-11-24 .. 2025-11-28, " \
           "removed): Strike settled" in case_page


def test_a_refused_reopening_comes_back_beside_its_field_and_stores_nothing(struck, app):
    admin = log_in(app, "admin@example.org")
    before = all_rows(app)
    response = form(admin, {"first": "2025-11-21", "reason": "Open"}, "reopen")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'<input id="reopen-first" name="first" aria-invalid="true" '
                     r'aria-describedby="[^"]*reopen-first-error', page)
    assert "2025-11-21 is not a closure day" in page
    assert all_rows(app) == before


def test_only_an_administrator_sees_the_reopen_form_or_may_post_it(struck, app):
    officer = log_in(app, "officer@example.org")
    assert 'id="reopen"' not in officer.get(YEAR_PAGE).get_data(as_text=True)
    before = all_rows(app)
    assert form(officer, {"first": "2025-11-24", "reason": "x"}, "reopen").status_code == 403
    assert all_rows(app) == before
    assert 'id="reopen"' in log_in(app, "admin@example.org").get(YEAR_PAGE).get_data(as_text=True)


def test_another_locals_change_log_entry_does_not_name_its_author(struck, app):
    """A board is shared by locals; who changed it is named only to the author's own local."""
    from operations.grievances import ensure_local

    with app.extensions["database"].transaction() as session:
        ensure_local(session, "other-local", "Another local")
        create_user(session, local="other-local", email="theirs@example.org", name="Theirs", password=PASSWORD,
                    role="admin")
    page = log_in(app, "theirs@example.org").get(YEAR_PAGE).get_data(as_text=True)
    log = page[page.index('id="changes"'):]
    assert "Strike notice" in log and "admin@example.org" not in log
    assert "by another local or the server's operator" in unescape(log)


# -- the API and the command line ------------------------------------------------------------------

def test_the_api_reopens_and_answers_with_the_moves_of_the_local(struck, app):
    client = log_in(app, "admin@example.org")
    response = client.post(f"/api/boards/{BOARD}/reopen", json={"first": "2025-11-27", "last": "2025-11-28",
                                                               "reason": "Strike ended"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["reopened"] == {"first": "2025-11-27", "last": "2025-11-28"}
    raised = next(m for m in body["moved_deadlines"] if m["deadline"] == "complaint_raise")
    assert (raised["old_due"], raised["new_due"], raised["old_act_by"], raised["new_act_by"]) == (
        "2025-12-08", "2025-12-04", "2025-12-01", "2025-12-01")
    refused = client.post(f"/api/boards/{BOARD}/reopen", json={"first": "2025-11-27", "reason": "again"})
    assert refused.status_code == 400 and refused.get_json()["field"] == "first"


def test_the_cli_dry_run_lists_what_would_move_and_stores_nothing(struck, app):
    before = all_rows(app)
    result = app.test_cli_runner().invoke(args=["schooldays", "reopen", "2025-11-27", "2025-11-28", "--reason",
                                                "Strike ended", "--by", "operator", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "nothing saved (--dry-run)" in result.stdout
    assert "would move from Mon 08 Dec 2025 to Thu 04 Dec 2025 (earlier)" in result.stdout
    assert all_rows(app) == before


def test_the_cli_reopens_and_a_bad_range_names_the_argument(struck, app):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["schooldays", "reopen", "2025-11-21", "--reason", "x", "--by", "operator"])
    assert refused.exit_code == 1 and "FIRST: 2025-11-21 is not a closure day" in refused.output
    done = runner.invoke(args=["schooldays", "reopen", "2025-11-24", "2025-11-28", "--reason", "Strike settled",
                               "--by", "operator"])
    assert done.exit_code == 0, done.output
    assert "recorded." in done.stdout and "2025-050 (etfo-avon-maitland)" in done.stdout
    assert closures(app) == [] and last_change(app).changed_by == "operator"


def test_explain_prints_its_warnings_on_stderr_only(app):
    """The README: warnings go to stderr. The shipped AMDSB years are not verified."""
    result = app.test_cli_runner().invoke(args=["schooldays", "explain", "2025-11-17", "3"])
    assert result.exit_code == 0, result.output
    assert "not verified" in result.stderr and "not verified" not in result.stdout
    assert result.stdout.rstrip().endswith("Counted 3, skipped 0.")
