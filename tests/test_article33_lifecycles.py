"""The whole life of each kind of Article 33 grievance, from its first event to the
arbitration decision: the stage after each major event, every time limit met on
its hand-counted date, and nothing left open or flagged at the end. Then a case
settled at Step 1, and corrections (void events).

Calendar: the shipped Avon Maitland DSB elementary years (the `amdsb` fixture):
  2024-25  Tue 2024-09-03 (PA day) to Fri 2025-06-27; winter break Dec 23 - Jan 3;
           March break Mar 10-14; Easter Monday Apr 21.
  2025-26  Tue 2025-09-02 to Tue 2026-06-30; winter break Dec 22 - Jan 2;
           March break Mar 16-20; Easter Monday Apr 6; no PA days.
  2026-27  Tue 2026-09-01 to Wed 2027-06-30.
Statutory holidays (workalendar, Ontario): Labour Day, Thanksgiving, Christmas,
Boxing Day, New Year, Family Day, Good Friday, Victoria Day. Remembrance Day is a
school day. With no PA day inside these counts, "days" (33.01 c) and Regulation 304
give the same dates as school days, so safe_due equals due throughout.
"""
import pytest

from article33_helpers import check, d, deadline, ev, flags, run, statuses
from workflows.engine import EventRefused


def stages_along(calendar, kind, events):
    """The stage after each event, replaying the case as it stood on that event's day."""
    return [run(calendar, kind, events[: i + 1], today=e.occurred_on).stage for i, e in enumerate(events)]


def dues(state):
    return {x.key: x.due for x in state.deadlines}


def assert_closed_cleanly(state, stage):
    assert state.stage == stage and not state.open
    assert state.running == [] and state.next_deadline is None
    assert state.flags == []
    assert state.allowed_events == []


# -------------------------------------------------------------------------------
# Individual grievance (33.03, 33.04), 2024-25
# -------------------------------------------------------------------------------

def test_an_individual_grievance_from_awareness_to_the_arbitration_decision(amdsb):
    events = [
        ev("awareness", "2024-10-07"),
        # complaint_raise, from Mon Oct 7: Tue 8 (1), Wed 9 (2), Thu 10 (3), Fri 11 (4),
        # [Mon 14 Thanksgiving], Tue 15 (5), Wed 16 (6), Thu 17 (7), Fri 18 (8), Mon 21 (9), Tue 22 (10).
        # complaint_total goes on: Wed 23 (11), Thu 24 (12), Fri 25 (13), Mon 28 (14), Tue 29 (15),
        # Wed 30 (16), Thu 31 (17), Fri Nov 1 (18), Mon 4 (19), Tue 5 (20).
        ev("complaint_raised", "2024-10-10"),
        ev("complaint_discussed", "2024-10-15"),
        # complaint_settlement, from Tue Oct 15: Wed 16 (1), Thu 17 (2), Fri 18 (3), Mon 21 (4), Tue 22 (5);
        # grievance_filing: Wed 23 (6), Thu 24 (7), Fri 25 (8), Mon 28 (9), Tue 29 (10).
        ev("grievance_filed", "2024-10-24"),
        # step1_reply, from Thu Oct 24: Fri 25 (1), Mon 28 (2), Tue 29 (3), Wed 30 (4), Thu 31 (5),
        # Fri Nov 1 (6), Mon 4 (7), Tue 5 (8), Wed 6 (9), Thu 7 (10).
        ev("step1_reply", "2024-11-05"),
        # step2_referral, from Tue Nov 5: Wed 6 (1), Thu 7 (2), Fri 8 (3), Mon 11 (4, Remembrance
        # Day), Tue 12 (5), Wed 13 (6), Thu 14 (7), Fri 15 (8), Mon 18 (9), Tue 19 (10).
        ev("step2_referral", "2024-11-12"),
        # step2_reply, from Tue Nov 12: Wed 13 (1), Thu 14 (2), Fri 15 (3), Mon 18 (4), Tue 19 (5),
        # Wed 20 (6), Thu 21 (7), Fri 22 (8), Mon 25 (9), Tue 26 (10).
        ev("step2_reply", "2024-11-25"),
        # arbitration_referral, from Mon Nov 25: Tue 26 (1), Wed 27 (2), Thu 28 (3), Fri 29 (4),
        # Mon Dec 2 (5), Tue 3 (6), Wed 4 (7), Thu 5 (8), Fri 6 (9), Mon 9 (10).
        ev("arbitration_notice", "2024-12-04", appointee="A. Nominee", by="union"),
        # appointee_reply, from Wed Dec 4: Thu 5 (1), Fri 6 (2), Mon 9 (3), Tue 10 (4), Wed 11 (5),
        # Thu 12 (6), Fri 13 (7), Mon 16 (8), Tue 17 (9), Wed 18 (10).
        ev("appointee_named", "2024-12-16", appointee="B. Nominee"),
        # chair_appointment, from Mon Dec 16: Tue 17 (1), Wed 18 (2), Thu 19 (3), Fri 20 (4),
        # [Dec 21 - Jan 5: weekends, winter break Dec 23 - Jan 3], Mon Jan 6 (5), Tue 7 (6),
        # Wed 8 (7), Thu 9 (8), Fri 10 (9), Mon 13 (10).
        ev("chair_appointed", "2025-01-09", chair="C. Chair"),
        ev("hearing_scheduled", "2025-01-20", hearing_date="2025-04-08"),
        ev("hearing_held", "2025-04-08"),
        ev("decision", "2025-05-26", outcome="allowed"),
    ]
    assert stages_along(amdsb, "individual", events) == [
        "complaint", "complaint", "complaint", "step_1", "step_1", "step_2", "step_2",
        "arbitration", "arbitration", "arbitration", "arbitration", "arbitration", "decided"]

    state = run(amdsb, "individual", events, today="2025-05-27")
    assert dues(state) == {
        "complaint_raise": d("2024-10-22"), "complaint_total": d("2024-11-05"),
        "complaint_settlement": d("2024-10-22"), "grievance_filing": d("2024-10-29"),
        "step1_reply": d("2024-11-07"), "step2_referral": d("2024-11-19"), "step2_reply": d("2024-11-26"),
        "arbitration_referral": d("2024-12-09"), "appointee_reply": d("2024-12-18"),
        "chair_appointment": d("2025-01-13"),
    }
    # Every limit someone had to meet was met. The supervisor's five days to settle
    # ended unmet on Oct 22 (no settlement came), and the filing closed them: "missed".
    settlement = statuses(state).pop("complaint_settlement")
    assert settlement == "missed"
    assert {k: s for k, s in statuses(state).items() if k != "complaint_settlement"} == dict.fromkeys(
        dues(state).keys() - {"complaint_settlement"}, "met")
    assert_closed_cleanly(state, "decided")


# -------------------------------------------------------------------------------
# Group grievance (33.03, 33.04), 2025-26, with a grievance meeting at Step 2
# and a single arbitrator
# -------------------------------------------------------------------------------

def test_a_group_grievance_with_a_step2_meeting_and_a_single_arbitrator(amdsb):
    events = [
        ev("awareness", "2025-09-08", teachers="Grade 7/8 teachers, Stratford NW"),
        # complaint_raise, from Mon Sep 8: Tue 9 (1), Wed 10 (2), Thu 11 (3), Fri 12 (4), Mon 15 (5),
        # Tue 16 (6), Wed 17 (7), Thu 18 (8), Fri 19 (9), Mon 22 (10); complaint_total goes on:
        # Tue 23 (11), Wed 24 (12), Thu 25 (13), Fri 26 (14), Mon 29 (15), Tue 30 (16),
        # Wed Oct 1 (17), Thu 2 (18), Fri 3 (19), Mon 6 (20).
        ev("complaint_raised", "2025-09-12"),
        ev("complaint_discussed", "2025-09-16"),
        # complaint_settlement, from Tue Sep 16: Wed 17 (1), Thu 18 (2), Fri 19 (3), Mon 22 (4),
        # Tue 23 (5); grievance_filing: Wed 24 (6), Thu 25 (7), Fri 26 (8), Mon 29 (9), Tue 30 (10).
        ev("grievance_filed", "2025-09-25"),
        # step1_reply, from Thu Sep 25: Fri 26 (1), Mon 29 (2), Tue 30 (3), Wed Oct 1 (4), Thu 2 (5),
        # Fri 3 (6), Mon 6 (7), Tue 7 (8), Wed 8 (9), Thu 9 (10).
        ev("step1_reply", "2025-10-08"),
        # step2_referral, from Wed Oct 8: Thu 9 (1), Fri 10 (2), [Mon 13 Thanksgiving], Tue 14 (3),
        # Wed 15 (4), Thu 16 (5), Fri 17 (6), Mon 20 (7), Tue 21 (8), Wed 22 (9), Thu 23 (10).
        ev("step2_referral", "2025-10-14"),
        # step2_reply, undelayed, from Tue Oct 14: Wed 15 (1), Thu 16 (2), Fri 17 (3), Mon 20 (4),
        # Tue 21 (5), Wed 22 (6), Thu 23 (7), Fri 24 (8), Mon 27 (9), Tue 28 (10).
        ev("meeting_requested", "2025-10-16"),
        # meeting, from Thu Oct 16: Fri 17 (1), Mon 20 (2), Tue 21 (3), Wed 22 (4), Thu 23 (5),
        # Fri 24 (6), Mon 27 (7), Tue 28 (8), Wed 29 (9), Thu 30 (10).
        ev("meeting_held", "2025-10-22"),
        # Delay: Fri 17, Mon 20, Tue 21, Wed 22 = 4 school days; step2_reply: Tue 28 (10),
        # Wed 29 (11), Thu 30 (12), Fri 31 (13), Mon Nov 3 (14).
        ev("step2_reply", "2025-10-31"),  # on time only because of the meeting
        # arbitration_referral, from Fri Oct 31: Mon Nov 3 (1), Tue 4 (2), Wed 5 (3), Thu 6 (4),
        # Fri 7 (5), Mon 10 (6), Tue 11 (7), Wed 12 (8), Thu 13 (9), Fri 14 (10).
        ev("arbitration_notice", "2025-11-10", appointee="S. Arbitrator (single arbitrator)", by="union"),
        # appointee_reply, from Mon Nov 10: Tue 11 (1), Wed 12 (2), Thu 13 (3), Fri 14 (4), Mon 17 (5),
        # Tue 18 (6), Wed 19 (7), Thu 20 (8), Fri 21 (9), Mon 24 (10).
        ev("single_arbitrator_accepted", "2025-11-19"),
        ev("hearing_scheduled", "2025-11-28", hearing_date="2026-02-10"),
        ev("hearing_held", "2026-02-10"),
        ev("decision", "2026-03-27", outcome="allowed in part"),
    ]
    assert stages_along(amdsb, "group", events) == [
        "complaint", "complaint", "complaint", "step_1", "step_1", "step_2", "step_2", "step_2", "step_2",
        "arbitration", "arbitration", "arbitration", "arbitration", "decided"]

    state = run(amdsb, "group", events, today="2026-03-30")
    assert dues(state) == {
        "complaint_raise": d("2025-09-22"), "complaint_total": d("2025-10-06"),
        "complaint_settlement": d("2025-09-23"), "grievance_filing": d("2025-09-30"),
        "step1_reply": d("2025-10-09"), "step2_referral": d("2025-10-23"), "step2_reply": d("2025-11-03"),
        "meeting": d("2025-10-30"), "arbitration_referral": d("2025-11-14"), "appointee_reply": d("2025-11-24"),
    }
    assert deadline(state, "step2_reply").delay == 4
    assert statuses(state).pop("complaint_settlement") == "missed"
    assert {k: s for k, s in statuses(state).items() if k != "complaint_settlement"} == dict.fromkeys(
        dues(state).keys() - {"complaint_settlement"}, "met")
    assert_closed_cleanly(state, "decided")


# -------------------------------------------------------------------------------
# Policy grievance (33.04), 2024-25 into 2025-26
# -------------------------------------------------------------------------------

def test_a_policy_grievance_from_awareness_to_the_arbitration_decision(amdsb):
    events = [
        ev("awareness", "2025-02-24"),
        # policy_filing, from Mon Feb 24: Tue 25 (1), Wed 26 (2), Thu 27 (3), Fri 28 (4), Mon Mar 3 (5),
        # Tue 4 (6), Wed 5 (7), Thu 6 (8), Fri 7 (9), [Mar 8-16: weekends, March break], Mon 17 (10).
        ev("grievance_filed", "2025-03-05"),
        # step1_reply, from Wed Mar 5: Thu 6 (1), Fri 7 (2), [March break], Mon 17 (3), Tue 18 (4),
        # Wed 19 (5), Thu 20 (6), Fri 21 (7), Mon 24 (8), Tue 25 (9), Wed 26 (10).
        ev("step1_reply", "2025-03-25"),
        # step2_referral, from Tue Mar 25: Wed 26 (1), Thu 27 (2), Fri 28 (3), Mon 31 (4),
        # Tue Apr 1 (5), Wed 2 (6), Thu 3 (7), Fri 4 (8), Mon 7 (9), Tue 8 (10).
        ev("step2_referral", "2025-04-03"),
        # step2_reply, from Thu Apr 3: Fri 4 (1), Mon 7 (2), Tue 8 (3), Wed 9 (4), Thu 10 (5),
        # Fri 11 (6), Mon 14 (7), Tue 15 (8), Wed 16 (9), Thu 17 (10).
        ev("step2_reply", "2025-04-17"),  # on its last day
        # arbitration_referral, from Thu Apr 17: [Fri 18 Good Friday, weekend, Mon 21 Easter Monday],
        # Tue 22 (1), Wed 23 (2), Thu 24 (3), Fri 25 (4), Mon 28 (5), Tue 29 (6), Wed 30 (7),
        # Thu May 1 (8), Fri 2 (9), Mon 5 (10).
        ev("arbitration_notice", "2025-04-30", appointee="A. Nominee", by="union"),
        # appointee_reply, from Wed Apr 30: Thu May 1 (1), Fri 2 (2), Mon 5 (3), Tue 6 (4), Wed 7 (5),
        # Thu 8 (6), Fri 9 (7), Mon 12 (8), Tue 13 (9), Wed 14 (10).
        ev("appointee_named", "2025-05-12", appointee="B. Nominee"),
        # chair_appointment, from Mon May 12: Tue 13 (1), Wed 14 (2), Thu 15 (3), Fri 16 (4),
        # [Mon 19 Victoria Day], Tue 20 (5), Wed 21 (6), Thu 22 (7), Fri 23 (8), Mon 26 (9), Tue 27 (10).
        ev("chair_appointed", "2025-05-22", chair="C. Chair"),
        ev("hearing_scheduled", "2025-06-02", hearing_date="2025-10-15"),
        ev("hearing_held", "2025-10-15"),
        ev("decision", "2025-12-05", outcome="dismissed"),
    ]
    assert stages_along(amdsb, "policy", events) == [
        "new", "step_1", "step_1", "step_2", "step_2", "arbitration", "arbitration", "arbitration",
        "arbitration", "arbitration", "decided"]

    state = run(amdsb, "policy", events, today="2025-12-08")
    assert dues(state) == {
        "policy_filing": d("2025-03-17"), "step1_reply": d("2025-03-26"), "step2_referral": d("2025-04-08"),
        "step2_reply": d("2025-04-17"), "arbitration_referral": d("2025-05-05"),
        "appointee_reply": d("2025-05-14"), "chair_appointment": d("2025-05-27"),
    }
    assert set(statuses(state).values()) == {"met"}
    assert_closed_cleanly(state, "decided")


# -------------------------------------------------------------------------------
# Union Local grievance on behalf of a retired teacher (33.05), 2025-26
# -------------------------------------------------------------------------------

def test_a_union_grievance_for_a_retired_teacher_from_awareness_to_the_arbitration_decision(amdsb):
    events = [
        ev("awareness", "2025-12-01", teacher="J. Doe (retired June 2025)"),
        # union_filing, from Mon Dec 1: Tue 2 (1), Wed 3 (2), Thu 4 (3), Fri 5 (4), Mon 8 (5),
        # Tue 9 (6), Wed 10 (7), Thu 11 (8), Fri 12 (9), Mon 15 (10).
        ev("grievance_filed", "2025-12-11"),
        # step1_reply, from Thu Dec 11: Fri 12 (1), Mon 15 (2), Tue 16 (3), Wed 17 (4), Thu 18 (5),
        # Fri 19 (6), [Dec 20 - Jan 4: weekends, winter break Dec 22 - Jan 2], Mon Jan 5 (7),
        # Tue 6 (8), Wed 7 (9), Thu 8 (10).
        ev("step1_reply", "2026-01-07"),
        # step2_referral, from Wed Jan 7: Thu 8 (1), Fri 9 (2), Mon 12 (3), Tue 13 (4), Wed 14 (5),
        # Thu 15 (6), Fri 16 (7), Mon 19 (8), Tue 20 (9), Wed 21 (10).
        ev("step2_referral", "2026-01-19"),
        # step2_reply, from Mon Jan 19: Tue 20 (1), Wed 21 (2), Thu 22 (3), Fri 23 (4), Mon 26 (5),
        # Tue 27 (6), Wed 28 (7), Thu 29 (8), Fri 30 (9), Mon Feb 2 (10).
        ev("step2_reply", "2026-01-30"),
        # arbitration_referral, from Fri Jan 30: Mon Feb 2 (1), Tue 3 (2), Wed 4 (3), Thu 5 (4),
        # Fri 6 (5), Mon 9 (6), Tue 10 (7), Wed 11 (8), Thu 12 (9), Fri 13 (10).
        ev("arbitration_notice", "2026-02-12", appointee="A. Nominee", by="union"),
        # appointee_reply, from Thu Feb 12: Fri 13 (1), [Sat 14, Sun 15, Mon 16 Family Day],
        # Tue 17 (2), Wed 18 (3), Thu 19 (4), Fri 20 (5), Mon 23 (6), Tue 24 (7), Wed 25 (8),
        # Thu 26 (9), Fri 27 (10).
        ev("appointee_named", "2026-02-25", appointee="B. Nominee"),
        # chair_appointment, from Wed Feb 25: Thu 26 (1), Fri 27 (2), Mon Mar 2 (3), Tue 3 (4),
        # Wed 4 (5), Thu 5 (6), Fri 6 (7), Mon 9 (8), Tue 10 (9), Wed 11 (10).
        ev("chair_appointed", "2026-03-10", chair="C. Chair"),
        ev("hearing_scheduled", "2026-03-12", hearing_date="2026-05-05"),
        ev("hearing_held", "2026-05-05"),
        ev("decision", "2026-06-12", outcome="allowed"),
    ]
    assert stages_along(amdsb, "union", events) == [
        "new", "step_1", "step_1", "step_2", "step_2", "arbitration", "arbitration", "arbitration",
        "arbitration", "arbitration", "decided"]

    state = run(amdsb, "union", events, today="2026-06-15")
    assert dues(state) == {
        "union_filing": d("2025-12-15"), "step1_reply": d("2026-01-08"), "step2_referral": d("2026-01-21"),
        "step2_reply": d("2026-02-02"), "arbitration_referral": d("2026-02-13"),
        "appointee_reply": d("2026-02-27"), "chair_appointment": d("2026-03-11"),
    }
    assert deadline(state, "appointee_reply").party == "board"
    assert set(statuses(state).values()) == {"met"}
    assert_closed_cleanly(state, "decided")


# -------------------------------------------------------------------------------
# Board grievance (33.06), 2025-26 into 2026-27
# -------------------------------------------------------------------------------

def test_a_board_grievance_from_the_occurrence_to_the_arbitration_decision(amdsb):
    events = [
        ev("occurrence", "2026-03-02"),
        # board_filing, from Mon Mar 2: Tue 3 (1), Wed 4 (2), Thu 5 (3), Fri 6 (4), Mon 9 (5),
        # Tue 10 (6), Wed 11 (7), Thu 12 (8), Fri 13 (9), [Mar 14-22: weekends, March break], Mon 23 (10).
        ev("board_grievance_filed", "2026-03-12"),
        # union_reply (33.01 c days), from Thu Mar 12: Fri 13 (1), [March break], Mon 23 (2),
        # Tue 24 (3), Wed 25 (4), Thu 26 (5), Fri 27 (6), Mon 30 (7), Tue 31 (8), Wed Apr 1 (9), Thu 2 (10).
        ev("union_reply", "2026-03-31"),
        # board_arbitration_referral, from Tue Mar 31: Wed Apr 1 (1), Thu 2 (2), [Fri 3 Good Friday,
        # weekend, Mon 6 Easter Monday], Tue 7 (3), Wed 8 (4), Thu 9 (5), Fri 10 (6), Mon 13 (7),
        # Tue 14 (8), Wed 15 (9), Thu 16 (10).
        ev("arbitration_notice", "2026-04-14", appointee="B. Nominee", by="board"),
        # appointee_reply (the union's), from Tue Apr 14: Wed 15 (1), Thu 16 (2), Fri 17 (3), Mon 20 (4),
        # Tue 21 (5), Wed 22 (6), Thu 23 (7), Fri 24 (8), Mon 27 (9), Tue 28 (10).
        ev("appointee_named", "2026-04-27", appointee="U. Nominee"),
        # chair_appointment, from Mon Apr 27: Tue 28 (1), Wed 29 (2), Thu 30 (3), Fri May 1 (4),
        # Mon 4 (5), Tue 5 (6), Wed 6 (7), Thu 7 (8), Fri 8 (9), Mon 11 (10).
        ev("chair_appointed", "2026-05-07", chair="C. Chair"),
        ev("hearing_scheduled", "2026-05-11", hearing_date="2026-09-22"),
        ev("hearing_held", "2026-09-22"),
        ev("decision", "2026-11-20", outcome="dismissed"),
    ]
    assert stages_along(amdsb, "board", events) == [
        "new", "board_step_1", "board_step_1", "arbitration", "arbitration", "arbitration",
        "arbitration", "arbitration", "decided"]

    state = run(amdsb, "board", events, today="2026-11-23")
    assert dues(state) == {
        "board_filing": d("2026-03-23"), "union_reply": d("2026-04-02"),
        "board_arbitration_referral": d("2026-04-16"), "appointee_reply": d("2026-04-28"),
        "chair_appointment": d("2026-05-11"),
    }
    assert deadline(state, "appointee_reply").party == "union"
    assert set(statuses(state).values()) == {"met"}
    assert_closed_cleanly(state, "decided")


# -------------------------------------------------------------------------------
# Settled at Step 1
# -------------------------------------------------------------------------------

def test_a_grievance_settled_at_step1_stops_every_running_limit(amdsb):
    events = [
        ev("awareness", "2025-10-20"),
        ev("grievance_filed", "2025-10-22"),      # policy filing: Tue 21 (1), Wed 22 (2)
        ev("meeting_requested", "2025-10-27"),
        ev("settled", "2025-10-30", terms="Memorandum of settlement"),
    ]
    assert stages_along(amdsb, "policy", events) == ["new", "step_1", "step_1", "settled"]

    # Long after the Step 1 reply and the meeting would have been due, nothing is overdue.
    state = run(amdsb, "policy", events, today="2026-01-15")
    assert statuses(state) == {"policy_filing": "met", "step1_reply": "stopped", "meeting": "stopped"}
    for stopped in (deadline(state, "step1_reply"), deadline(state, "meeting")):
        assert (stopped.ended_on, stopped.ended_by) == (d("2025-10-30"), "settled")
    assert_closed_cleanly(state, "settled")


# -------------------------------------------------------------------------------
# Corrections: a void event cancels a wrong one, and the case is recomputed
# -------------------------------------------------------------------------------

def test_voiding_a_wrongly_dated_step1_reply_recomputes_the_step2_referral(amdsb):
    awareness, filed = ev("awareness", "2025-09-15"), ev("grievance_filed", "2025-09-17")
    # step1_reply, from Wed Sep 17: Thu 18 (1), Fri 19 (2), Mon 22 (3), Tue 23 (4), Wed 24 (5),
    # Thu 25 (6), Fri 26 (7), Mon 29 (8), Tue 30 (9), Wed Oct 1 (10).
    wrong = ev("step1_reply", "2025-10-08")  # keyed as Oct 8: late, so the union's time ran from Oct 1
    before = run(amdsb, "union", [awareness, filed, wrong], today="2025-10-09")
    assert deadline(before, "step1_reply").status == "met_late"
    referral = deadline(before, "step2_referral")
    # From Wed Oct 1: Thu 2 (1), Fri 3 (2), Mon 6 (3), Tue 7 (4), Wed 8 (5), Thu 9 (6), Fri 10 (7),
    # [Mon 13 Thanksgiving], Tue 14 (8), Wed 15 (9), Thu 16 (10).
    assert (referral.trigger, referral.due) == ("lapse:step1_reply", d("2025-10-16"))

    void = ev("void", "2025-10-09", voids=wrong.id, reason="wrong date: the reply came on Mon Sept 29")
    right = ev("step1_reply", "2025-09-29")
    after = run(amdsb, "union", [awareness, filed, wrong, void, right], today="2025-10-09")
    reply, referral = deadline(after, "step1_reply"), deadline(after, "step2_referral")
    assert (reply.status, reply.ended_on) == ("met", d("2025-09-29"))
    # From Mon Sep 29: Tue 30 (1), Wed Oct 1 (2), Thu 2 (3), Fri 3 (4), Mon 6 (5), Tue 7 (6),
    # Wed 8 (7), Thu 9 (8), Fri 10 (9), [Mon 13 Thanksgiving], Tue 14 (10).
    assert (referral.trigger, referral.trigger_date) == ("step1_reply", d("2025-09-29"))
    assert referral.due == d("2025-10-14")
    assert [e.id for e in after.events] == [awareness.id, filed.id, right.id]
    assert not flags(after, "theirs_overdue")


def test_a_void_without_a_reason_is_refused(amdsb):
    awareness, filed = ev("awareness", "2025-09-15"), ev("grievance_filed", "2025-09-17")
    wrong = ev("step1_reply", "2025-10-08")
    void = ev("void", "2025-10-09", voids=wrong.id, reason="  ")
    with pytest.raises(EventRefused) as refused:
        run(amdsb, "union", [awareness, filed, wrong, void], today="2025-10-09")
    assert refused.value.field == "reason"
    assert refused.value.message == "A correction needs a reason."
    assert refused.value.fix.startswith("Say why the event was wrong")


def test_correcting_the_first_event_to_an_earlier_date(amdsb):
    wrong = ev("awareness", "2025-10-10")
    filed = ev("grievance_filed", "2025-10-14")
    void = ev("void", "2025-10-15", voids=wrong.id, reason="wrong date: the teacher learned of it on Oct 1")
    # policy_filing, from Wed Oct 1: Thu 2 (1), Fri 3 (2), Mon 6 (3), Tue 7 (4), Wed 8 (5), Thu 9 (6),
    # Fri 10 (7), [Mon 13 Thanksgiving], Tue 14 (8), Wed 15 (9), Thu 16 (10): the filing still met it.
    state = check(amdsb, "policy", [wrong, filed, void], ev("awareness", "2025-10-01"), today="2025-10-15")
    # engine: EventRefused "The event is dated 2025-10-01, before the case began on 2025-10-10."
    assert state.opened_on == d("2025-10-01")
    assert deadline(state, "policy_filing").due == d("2025-10-16")
    assert deadline(state, "policy_filing").status == "met"
