"""A moved deadline keeps both of its dates, before and after: the agreement's date and the
date to act by (the safe date where the Union Local must act). A strike closure moves the
agreement's date while Regulation 304, which counts closure days, leaves the safe date
where it was: every door must say so, and never show the later date alone.

The calendar: Avon Maitland DSB elementary 2025-26 as shipped. Mon 17 Nov to Fri 19 Dec 2025
are all instructional days (no PA day is listed for the autumn); winter break from Dec 22.
Today is pinned to Thu 2025-11-20.
"""
from __future__ import annotations

from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from conftest import PASSWORD, log_in
from models import DeadlineMove
from operations import calendars as calendar_operations
from operations.accounts import create_user
from operations.calendar_moves import move_sentence
from operations.grievances import NewCase, ensure_local, open_case, record_event, recompute_all
from school_calendar.days import ClosureKind

TODAY = date(2025, 11, 20)
BOARD = "amdsb-elementary"
YEAR_PAGE = f"/calendar/{BOARD}/2025-26"
STRIKE = {"type": "closure", "first": "2025-11-24", "last": "2025-11-28", "kind": "strike", "name": "ETFO strike",
          "reason": "Board notice of school closures"}


@pytest.fixture
def site(app):
    app.config["TODAY"] = TODAY.isoformat()
    with app.extensions["database"].transaction() as session:
        ensure_local(session, "other-local", "Another local")
        create_user(session, local="etfo-avon-maitland", email="admin@example.org", name="Admin", password=PASSWORD,
                    role="admin")
    return app


def aware_on_monday_17(app, number: str = "2025-050", local: str = "etfo-avon-maitland") -> int:
    """An individual case: the teacher became aware on Mon 2025-11-17. The complaint must be
    raised within 10 school days: Tue 18 (1), Wed 19 (2), Thu 20 (3), Fri 21 (4), Mon 24 (5),
    Tue 25 (6), Wed 26 (7), Thu 27 (8), Fri 28 (9), Mon 1 Dec (10): due Mon 01 Dec, and the
    Regulation 304 (safe) reading gives the same day, there being no PA day between."""
    with app.extensions["database"].transaction() as session:
        return open_case(session, NewCase(number=number, kind="individual", first_event_on=date(2025, 11, 17),
                                           members=("A. Teacher",), local=local), by="test", today=TODAY).id


def strike_24_to_28(app) -> list:
    with app.extensions["database"].transaction() as session:
        return calendar_operations.add_closure(session, BOARD, date(2025, 11, 24), date(2025, 11, 28),
                                               ClosureKind.STRIKE, "ETFO strike", by="admin@example.org",
                                               reason="Board notice of school closures", today=TODAY)


def stored_moves(app, case_id: int, key: str) -> list[tuple]:
    with app.extensions["database"].transaction() as session:
        return [(m.old_due, m.new_due, m.old_act_by, m.new_act_by) for m in session.scalars(
            select(DeadlineMove).where(DeadlineMove.grievance_id == case_id, DeadlineMove.deadline_key == key)
            .order_by(DeadlineMove.id))]


def page_text(response) -> str:
    """The page as a reader sees its words (apostrophes unescaped)."""
    return unescape(response.get_data(as_text=True))


def post_form(client, data: dict, action: str):
    with client.session_transaction() as s:
        token = s["csrf"]
    return client.post(YEAR_PAGE, data={**data, "action": action, "csrf_token": token})


# -- what is recorded --------------------------------------------------------------------------

def test_a_strike_that_moves_the_agreements_date_keeps_the_unmoved_safe_date_on_record(site):
    case = aware_on_monday_17(site)
    strike_24_to_28(site)
    # Closed Mon 24 - Fri 28: Tue 18 (1) ... Fri 21 (4), Mon 1 Dec (5) ... Fri 5 (9), Mon 8 Dec (10).
    # Regulation 304 counts the closure days: its reading stays Mon 1 Dec, the date to act by.
    assert stored_moves(site, case, "complaint_raise") == [
        (date(2025, 12, 1), date(2025, 12, 8), date(2025, 12, 1), date(2025, 12, 1))]


def test_the_sentence_says_plainly_that_the_act_by_date_did_not_move():
    words = move_sentence(date(2025, 12, 1), date(2025, 12, 8), date(2025, 12, 1), date(2025, 12, 1))
    assert words == ("The agreement's date moved from Mon 01 Dec 2025 to Mon 08 Dec 2025 (later), but the act-by "
                     "(safe) date did not move: act by Mon 01 Dec 2025.")


@pytest.mark.parametrize("dates, words", [
    # A Board limit: one date, both readings.
    ((date(2025, 11, 27), date(2025, 12, 1), date(2025, 11, 27), date(2025, 12, 1)),
     "The agreement's date and the act-by date moved from Thu 27 Nov 2025 to Mon 01 Dec 2025 (later)."),
    # A closure taken back: less time, said so.
    ((date(2025, 12, 8), date(2025, 12, 4), date(2025, 12, 8), date(2025, 12, 4)),
     "moved from Mon 08 Dec 2025 to Thu 04 Dec 2025 (earlier: less time to act)."),
    ((None, date(2025, 12, 11), None, date(2025, 12, 9)),
     "The time limit started running: act by Tue 09 Dec 2025 (safe date; the agreement's date is Thu 11 Dec 2025)."),
    ((date(2025, 12, 11), None, date(2025, 12, 9), None), "The time limit stopped running (it was: act by Tue 09 Dec"),
    # Recorded before act-by dates were kept (migration 0009): never guessed.
    ((date(2025, 11, 27), date(2025, 12, 1), None, None), "(its act-by date was not recorded then)"),
])
def test_every_kind_of_move_names_which_date_moved(dates, words):
    assert words in move_sentence(*dates)


# -- where it shows -----------------------------------------------------------------------------

def test_the_case_timeline_shows_both_dates_of_the_move(site):
    case = aware_on_monday_17(site)
    strike_24_to_28(site)
    page = page_text(log_in(site, "admin@example.org").get(f"/cases/{case}"))
    assert ("Bring the complaint to the immediate supervisor. The agreement's date moved from Mon 01 Dec 2025 to "
            "Mon 08 Dec 2025 (later), but the act-by (safe) date did not move: act by Mon 01 Dec 2025.") in page
    assert "Why: 2025-11-24 .. 2025-11-28 (closure: strike: ETFO strike) added to the board calendar" in page


def test_the_preview_lists_each_moved_deadline_of_the_local_with_both_dates_and_hides_other_locals(site):
    ours = aware_on_monday_17(site)
    aware_on_monday_17(site, number="OTHER-LOCAL-7", local="other-local")
    page = page_text(post_form(log_in(site, "admin@example.org"), STRIKE, "preview"))
    assert f'<a href="/cases/{ours}">2025-050</a>' in page
    assert ("The agreement's date would move from Mon 01 Dec 2025 to Mon 08 Dec 2025 (later), but the act-by (safe) "
            "date would not move: act by Mon 01 Dec 2025.") in page
    # Now, on the calendar with the strike: Fri 21 (1), [closed 24 - 28], Mon 1 Dec (2).
    assert "<strong>Now:</strong> 2 school days left (safe date; the agreement's date is Mon 08 Dec 2025)." in page
    assert "OTHER-LOCAL-7" not in page
    # Two limits of each case move (complaint_raise, complaint_total): ours listed, the other local's counted.
    assert "2 deadlines in 1 case of your local would move; 2 in other locals' cases would move too." in page


def test_the_result_after_adding_lists_what_moved_and_the_change_log_says_who_and_why(site):
    case = aware_on_monday_17(site)
    admin = log_in(site, "admin@example.org")
    response = post_form(admin, STRIKE, "add")
    page = page_text(admin.get(response.headers["Location"]))
    result = page[page.index('id="result"'):page.index('id="changes"')]
    assert f'<a href="/cases/{case}">2025-050</a>' in result
    assert "but the act-by (safe) date did not move: act by Mon 01 Dec 2025" in result
    assert "2 deadlines in 1 case of your local moved." in result
    log = page[page.index('id="changes"'):]
    assert "closure added: 2025-11-24 .. 2025-11-28: closure: strike: ETFO strike" in log
    assert "Why: Board notice of school closures" in log and "by admin@example.org" in log
    assert "2 deadlines of your local's cases moved" in log


def test_the_api_answers_with_both_dates_of_each_moved_deadline_of_the_local_only(site):
    ours = aware_on_monday_17(site)
    theirs = aware_on_monday_17(site, number="OTHER-LOCAL-7", local="other-local")
    response = log_in(site, "admin@example.org").post(f"/api/boards/{BOARD}/closures", json={
        "first": "2025-11-24", "last": "2025-11-28", "kind": "strike", "reason": "Board notice"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    raised = next(m for m in body["moved_deadlines"] if m["deadline"] == "complaint_raise")
    assert (raised["grievance_id"], raised["number"], raised["old_due"], raised["new_due"], raised["old_act_by"],
            raised["new_act_by"], raised["due_moved"], raised["act_by_moved"]) == (
        ours, "2025-050", "2025-12-01", "2025-12-08", "2025-12-01", "2025-12-01", True, False)
    assert "did not move: act by Mon 01 Dec 2025" in raised["words"] and raised["status"] == "2 school days left"
    assert {m["grievance_id"] for m in body["moved_deadlines"]} == {ours} and theirs != ours
    assert body["other_locals_moved"] == 2


def test_the_cli_lists_each_moved_deadline_with_both_dates(site):
    aware_on_monday_17(site)
    aware_on_monday_17(site, number="OTHER-LOCAL-7", local="other-local")
    result = site.test_cli_runner().invoke(args=[
        "schooldays", "close", "2025-11-24", "2025-11-28", "--kind", "strike", "--reason", "Board notice",
        "--by", "operator", "--local", "etfo-avon-maitland"])
    assert result.exit_code == 0, result.output
    assert "2 deadlines in 1 case of local etfo-avon-maitland moved; 2 in other locals' cases moved too." \
        in result.stdout
    assert ("2025-050 (etfo-avon-maitland) · Bring the complaint to the immediate supervisor (33.03): The agreement's "
            "date moved from Mon 01 Dec 2025 to Mon 08 Dec 2025 (later), but the act-by (safe) date did not move: act "
            "by Mon 01 Dec 2025. Now: 2 school days left (safe date; the agreement's date is Mon 08 Dec 2025).") \
        in result.stdout
    assert "OTHER-LOCAL-7" not in result.stdout


# -- limits that start or stop running ------------------------------------------------------------

def test_a_lapse_undone_by_a_closure_puts_the_limit_that_stopped_running_on_the_timeline(site):
    # A policy grievance filed Thu 13 Nov: the Board's reply is due 10 school days later, Thu 27 Nov
    # (Fri 14 (1) ... Thu 27 (10)). Seen on Mon 1 Dec it has lapsed, and the Union Local's referral to
    # Step 2 runs from its last day (33.02 c). A strike recorded for Wed 26 - Fri 28 moves the reply to
    # Tue 2 Dec (Fri 14 (1) ... Tue 25 (8), closed 26 - 28, Mon 1 (9), Tue 2 (10)): no lapse, no referral.
    today = date(2025, 12, 1)
    site.config["TODAY"] = today.isoformat()
    with site.extensions["database"].transaction() as session:
        case = open_case(session, NewCase(number="2025-060", kind="policy", first_event_on=date(2025, 11, 10)),
                         by="test", today=today).id
        record_event(session, case, type="grievance_filed", occurred_on=date(2025, 11, 13), by="test", today=today)
    assert stored_moves(site, case, "step2_referral") == []
    with site.extensions["database"].transaction() as session:
        calendar_operations.add_closure(session, BOARD, date(2025, 11, 26), date(2025, 11, 28), ClosureKind.STRIKE,
                                        "Strike", by="admin@example.org", reason="strike notice", today=today)
    [(old_due, new_due, old_act_by, new_act_by)] = stored_moves(site, case, "step2_referral")
    assert (new_due, new_act_by) == (None, None) and old_due and old_act_by
    page = page_text(log_in(site, "admin@example.org").get(f"/cases/{case}"))
    assert "Refer the grievance to Step 2 (Director of Education). The time limit stopped running" in page


# -- moves without a calendar change, and moves from before ----------------------------------------

def test_a_full_recompute_records_its_moves_with_both_dates_and_no_calendar_change(site):
    # The strike written into the stored year without a recompute (a file loaded with --replace and no
    # recompute): the full recompute finds the moved dates and records them, with no change to link.
    from dataclasses import replace as with_fields

    from school_calendar.school_year import CalendarEntry
    from school_calendar.days import DayType

    case = aware_on_monday_17(site)
    with site.extensions["database"].transaction() as session:
        year = calendar_operations.board_calendar(session, BOARD).years["2025-26"]
        strike = CalendarEntry(date(2025, 11, 24), date(2025, 11, 28), DayType.CLOSURE, "Strike", ClosureKind.STRIKE)
        calendar_operations.load_school_year(session, with_fields(year, entries=year.entries + (strike,)), by="t",
                                             reason="edited", replace=True)
    with site.extensions["database"].transaction() as session:
        assert recompute_all(session, TODAY) == 1
        moves = session.scalars(select(DeadlineMove).where(DeadlineMove.grievance_id == case)).all()
    assert {(m.deadline_key, m.new_act_by, m.calendar_change_id) for m in moves} == {
        ("complaint_raise", date(2025, 12, 1), None), ("complaint_total", date(2025, 12, 15), None)}


def test_moves_recorded_before_the_upgrade_get_act_by_dates_only_where_they_are_known(site):
    """Migration 0009 on a database holding moves: a Board limit's act-by date is its agreement's
    date; a Union Local limit's safe date is not guessed."""
    from alembic import command

    from cli.database import alembic_config

    with site.extensions["database"].transaction() as session:
        policy = open_case(session, NewCase(number="2025-070", kind="policy", first_event_on=date(2025, 11, 10)),
                           by="test", today=TODAY).id
        record_event(session, policy, type="grievance_filed", occurred_on=date(2025, 11, 13), by="test", today=TODAY)
    union = aware_on_monday_17(site)
    strike_24_to_28(site)
    config = alembic_config(site.config["DATABASE_URL"])
    command.downgrade(config, "0008")
    command.upgrade(config, "head")
    # Step 1 reply (the Board's): Thu 27 Nov -> with Mon 24 - Fri 28 closed, Thu 4 Dec.
    assert stored_moves(site, policy, "step1_reply") == [
        (date(2025, 11, 27), date(2025, 12, 4), date(2025, 11, 27), date(2025, 12, 4))]
    assert stored_moves(site, union, "complaint_raise") == [(date(2025, 12, 1), date(2025, 12, 8), None, None)]
