"""Every time limit of Article 33 (workflows/rulesets/amdsb-etfo-article-33.toml),
one scenario each, with the days counted by hand in the comments, and the
behaviours around them: grievance meetings, a Board that does not reply (33.02 c),
extensions and omitted steps (33.02 d), the flags, and refusals.

Calendar: the shipped Avon Maitland DSB elementary years (calendar/boards/
amdsb-elementary/), through the `amdsb` fixture, unless a test says otherwise.
  2024-25  Tue 2024-09-03 (PA day, the only shipped one) to Fri 2025-06-27;
           winter break Dec 23 - Jan 3; March break Mar 10-14; Easter Monday Apr 21.
  2025-26  Tue 2025-09-02 to Tue 2026-06-30; winter break Dec 22 - Jan 2;
           March break Mar 16-20; Easter Monday Apr 6; no PA days.
  2026-27  Tue 2026-09-01 to Wed 2027-06-30 (the last loaded year).
Statutory holidays (workalendar, Ontario): Labour Day, Thanksgiving, Christmas,
Boxing Day, New Year, Family Day, Good Friday, Victoria Day. Remembrance Day
(Nov 11) is a school day. Where a test needs another PA day or a closure, it
builds the calendar with calendar_with(shipped_years, CalendarEntry(...)).

"School days" skip PA days and closures; 33.01 c "days" count PA days;
Regulation 304 counts PA days and closures, and gives `safe_due` (the union's
act-by date) where it ends sooner.
"""

import pytest

from article33_helpers import RULES, calendar_with, check, d, deadline, ev, flags, run
from school_calendar.days import ClosureKind, DayType
from school_calendar.school_year import CalendarEntry
from workflows.engine import EventRefused


# Each limit of the rule set, and the test in this file that counts it.
COVERED = {
    "complaint_raise": "test_complaint_raise_gives_ten_school_days_from_awareness_across_winter_break",
    "complaint_settlement": "test_complaint_settlement_gives_the_supervisor_five_school_days_across_march_break",
    "grievance_filing": "test_grievance_filing_gives_ten_school_days_from_the_first_discussion_across_march_break",
    "complaint_total": "test_complaint_total_of_twenty_school_days_binds_before_ten_days_from_a_late_discussion",
    "policy_filing": "test_policy_filing_skips_a_pa_day_while_the_safe_date_counts_it",
    "union_filing": "test_union_filing_skips_a_weather_closure_while_the_safe_date_counts_it",
    "step1_reply": "test_step1_reply_gives_the_superintendent_ten_school_days_across_winter_break",
    "step2_referral": "test_step2_referral_gives_the_union_ten_school_days_from_the_reply_across_family_day",
    "step2_reply": "test_step2_reply_gives_the_director_ten_school_days_across_good_friday_and_easter_monday",
    "arbitration_referral": "test_arbitration_referral_runs_across_the_summer_into_the_next_school_year",
    "arbitration_referral_step2_omitted":
        "test_omitting_step2_by_consent_starts_the_arbitration_referral_from_the_step1_reply",
    "meeting": "test_meeting_must_take_place_within_ten_school_days_of_the_request",
    "board_filing": "test_board_filing_skips_the_pa_day_before_classes_in_september_2024",
    "union_reply": "test_union_reply_counts_a_pa_day_as_a_scheduled_work_day",
    "board_arbitration_referral":
        "test_board_arbitration_referral_runs_ten_school_days_from_the_reply_across_a_strike_day",
    "appointee_reply": "test_appointee_reply_gives_the_board_ten_school_days_across_winter_break",
    "chair_appointment": "test_chair_appointment_gives_the_appointees_ten_school_days_across_winter_break",
    "mediation": "test_mediation_runs_to_the_date_the_parties_agreed_and_the_reply_keeps_running",
}


def test_every_limit_of_the_rule_set_has_a_scenario_here():
    assert set(COVERED) == set(RULES.limits)
    assert all(callable(globals().get(name)) for name in COVERED.values())


def pa_day(on: str) -> CalendarEntry:
    return CalendarEntry(d(on), d(on), DayType.PA_DAY, "PA day")


def closure(on: str, kind: ClosureKind) -> CalendarEntry:
    return CalendarEntry(d(on), d(on), DayType.CLOSURE, "School closed", kind)


# -------------------------------------------------------------------------------
# The complaint (33.03)
# -------------------------------------------------------------------------------

def test_complaint_raise_gives_ten_school_days_from_awareness_across_winter_break(amdsb):
    events = [ev("awareness", "2024-12-18")]
    # From Wed 2024-12-18: Thu 19 (1), Fri 20 (2), [Dec 21 - Jan 5: weekends, winter
    # break Dec 23 - Jan 3 with Christmas, Boxing Day, New Year], Mon Jan 6 (3),
    # Tue 7 (4), Wed 8 (5), Thu 9 (6), Fri 10 (7), Mon 13 (8), Tue 14 (9), Wed 15 (10).
    state = run(amdsb, "individual", events, today="2025-01-08")
    raise_ = deadline(state, "complaint_raise")
    assert (raise_.due, raise_.safe_due, raise_.act_by) == (d("2025-01-15"),) * 3
    assert (raise_.party, raise_.status, raise_.trigger) == ("union", "running", "awareness")
    assert state.stage == "complaint"


def test_complaint_settlement_gives_the_supervisor_five_school_days_across_march_break(amdsb):
    events = [ev("awareness", "2025-03-03"), ev("complaint_raised", "2025-03-04"),
              ev("complaint_discussed", "2025-03-06")]
    # From Thu 2025-03-06: Fri 7 (1), [Mar 8-16: weekends and March break Mar 10-14],
    # Mon 17 (2), Tue 18 (3), Wed 19 (4), Thu 20 (5).
    state = run(amdsb, "individual", events, today="2025-03-18")
    settlement = deadline(state, "complaint_settlement")
    assert settlement.due == settlement.safe_due == d("2025-03-20")
    assert (settlement.party, settlement.status) == ("board", "running")


def test_grievance_filing_gives_ten_school_days_from_the_first_discussion_across_march_break(amdsb):
    events = [ev("awareness", "2025-03-03"), ev("complaint_raised", "2025-03-04"),
              ev("complaint_discussed", "2025-03-06")]
    # Five school days for settlement and a further five to file: from Thu 2025-03-06:
    # Fri 7 (1), [March break Mar 10-14 and weekends], Mon 17 (2), Tue 18 (3), Wed 19 (4),
    # Thu 20 (5), Fri 21 (6), Mon 24 (7), Tue 25 (8), Wed 26 (9), Thu 27 (10).
    state = run(amdsb, "individual", events, today="2025-03-18")
    filing = deadline(state, "grievance_filing")
    assert filing.due == filing.safe_due == d("2025-03-27")
    assert (filing.party, filing.status, filing.trigger) == ("union", "running", "complaint_discussed")
    assert deadline(state, "complaint_raise").status == "met"


def test_complaint_total_of_twenty_school_days_binds_before_ten_days_from_a_late_discussion(amdsb):
    events = [ev("awareness", "2025-10-01"), ev("complaint_raised", "2025-10-16"),
              ev("complaint_discussed", "2025-10-27")]
    # Total, from Wed 2025-10-01: Thu 2 (1), Fri 3 (2), Mon 6 (3), Tue 7 (4), Wed 8 (5),
    # Thu 9 (6), Fri 10 (7), [Sat 11, Sun 12, Mon 13 Thanksgiving], Tue 14 (8), Wed 15 (9),
    # Thu 16 (10, the complaint is raised on the last day), Fri 17 (11), Mon 20 (12),
    # Tue 21 (13), Wed 22 (14), Thu 23 (15), Fri 24 (16), Mon 27 (17), Tue 28 (18),
    # Wed 29 (19), Thu 30 (20).
    # Filing, from Mon 2025-10-27: Tue 28 (1), Wed 29 (2), Thu 30 (3), Fri 31 (4),
    # Mon Nov 3 (5), Tue 4 (6), Wed 5 (7), Thu 6 (8), Fri 7 (9), Mon 10 (10).
    state = run(amdsb, "individual", events, today="2025-10-28")
    total, filing = deadline(state, "complaint_total"), deadline(state, "grievance_filing")
    assert total.due == total.safe_due == d("2025-10-30")
    assert (total.party, total.status) == ("union", "running")
    assert filing.due == d("2025-11-10")
    assert state.next_deadline is total
    assert deadline(state, "complaint_raise").status == "met"  # raised on its last day


# -------------------------------------------------------------------------------
# Filing at Step 1: policy (33.04) and Union Local (33.05) grievances
# -------------------------------------------------------------------------------

def test_policy_filing_skips_a_pa_day_while_the_safe_date_counts_it(shipped_years):
    calendar = calendar_with(shipped_years, pa_day("2025-11-14"))
    events = [ev("awareness", "2025-11-10")]
    # School days from Mon 2025-11-10: Tue 11 (1, Remembrance Day is a school day),
    # Wed 12 (2), Thu 13 (3), [Fri 14 PA day, Sat 15, Sun 16], Mon 17 (4), Tue 18 (5),
    # Wed 19 (6), Thu 20 (7), Fri 21 (8), Mon 24 (9), Tue 25 (10).
    # Regulation 304 counts the PA day: Fri 14 (4) ... Fri 21 (9), Mon 24 (10).
    state = run(calendar, "policy", events, today="2025-11-12")
    filing = deadline(state, "policy_filing")
    assert filing.due == d("2025-11-25")
    assert filing.safe_due == filing.act_by == d("2025-11-24")
    assert (filing.party, filing.status) == ("union", "running")
    assert state.stage == "new"


def test_union_filing_skips_a_weather_closure_while_the_safe_date_counts_it(shipped_years):
    calendar = calendar_with(shipped_years, closure("2026-02-03", ClosureKind.WEATHER))
    events = [ev("awareness", "2026-01-29", teacher="retired teacher")]
    # School days from Thu 2026-01-29: Fri 30 (1), Mon Feb 2 (2), [Tue 3 closed: weather],
    # Wed 4 (3), Thu 5 (4), Fri 6 (5), Mon 9 (6), Tue 10 (7), Wed 11 (8), Thu 12 (9), Fri 13 (10).
    # Regulation 304 counts the closure: Tue 3 (3) ... Thu 12 (10).
    state = run(calendar, "union", events, today="2026-02-02")
    filing = deadline(state, "union_filing")
    assert filing.due == d("2026-02-13")
    assert filing.safe_due == filing.act_by == d("2026-02-12")
    assert (filing.party, filing.status) == ("union", "running")


# -------------------------------------------------------------------------------
# Steps 1 and 2 (33.04)
# -------------------------------------------------------------------------------

def test_step1_reply_gives_the_superintendent_ten_school_days_across_winter_break(amdsb):
    events = [ev("awareness", "2025-12-15"), ev("grievance_filed", "2025-12-17")]
    # From Wed 2025-12-17: Thu 18 (1), Fri 19 (2), [Dec 20 - Jan 4: weekends, winter
    # break Dec 22 - Jan 2 with Christmas, Boxing Day, New Year], Mon Jan 5 (3), Tue 6 (4),
    # Wed 7 (5), Thu 8 (6), Fri 9 (7), Mon 12 (8), Tue 13 (9), Wed 14 (10).
    state = run(amdsb, "policy", events, today="2026-01-06")
    reply = deadline(state, "step1_reply")
    assert reply.due == reply.safe_due == d("2026-01-14")
    assert (reply.party, reply.status, reply.trigger) == ("board", "running", "grievance_filed")
    assert state.stage == "step_1"
    assert deadline(state, "policy_filing").status == "met"


def test_step2_referral_gives_the_union_ten_school_days_from_the_reply_across_family_day(amdsb):
    events = [ev("awareness", "2026-01-26"), ev("grievance_filed", "2026-01-30"),
              ev("step1_reply", "2026-02-11")]
    # From Wed 2026-02-11: Thu 12 (1), Fri 13 (2), [Sat 14, Sun 15, Mon 16 Family Day],
    # Tue 17 (3), Wed 18 (4), Thu 19 (5), Fri 20 (6), Mon 23 (7), Tue 24 (8), Wed 25 (9), Thu 26 (10).
    state = run(amdsb, "union", events, today="2026-02-12")
    referral = deadline(state, "step2_referral")
    assert referral.due == referral.safe_due == d("2026-02-26")
    assert (referral.party, referral.status, referral.trigger) == ("union", "running", "step1_reply")
    assert deadline(state, "step1_reply").status == "met"


def test_step2_reply_gives_the_director_ten_school_days_across_good_friday_and_easter_monday(amdsb):
    events = [ev("awareness", "2026-03-02"), ev("grievance_filed", "2026-03-04"),
              # Step 1 reply on its last day: Thu 5 (1), Fri 6 (2), Mon 9 - Fri 13 (3-7),
              # [March break Mar 16-20], Mon 23 (8), Tue 24 (9), Wed 25 (10).
              ev("step1_reply", "2026-03-25"), ev("step2_referral", "2026-04-01")]
    # From Wed 2026-04-01: Thu 2 (1), [Fri 3 Good Friday, Sat 4, Sun 5, Mon 6 Easter Monday],
    # Tue 7 (2), Wed 8 (3), Thu 9 (4), Fri 10 (5), Mon 13 (6), Tue 14 (7), Wed 15 (8),
    # Thu 16 (9), Fri 17 (10).
    state = run(amdsb, "policy", events, today="2026-04-02")
    reply = deadline(state, "step2_reply")
    assert reply.due == reply.safe_due == d("2026-04-17")
    assert (reply.party, reply.status) == ("board", "running")
    assert state.stage == "step_2"
    assert deadline(state, "step1_reply").status == "met"


# -------------------------------------------------------------------------------
# Step 3: notice of arbitration
# -------------------------------------------------------------------------------

def test_arbitration_referral_runs_across_the_summer_into_the_next_school_year(amdsb):
    events = [ev("awareness", "2025-05-29"), ev("grievance_filed", "2025-06-02"),
              ev("step1_reply", "2025-06-06"), ev("step2_referral", "2025-06-13"),
              ev("step2_reply", "2025-06-20")]
    # From Fri 2025-06-20: Mon 23 (1), Tue 24 (2), Wed 25 (3), Thu 26 (4), Fri 27 (5, the
    # last day of 2024-25), [summer Jun 28 - Aug 31, Mon Sep 1 Labour Day],
    # Tue 2025-09-02 (6), Wed 3 (7), Thu 4 (8), Fri 5 (9), Mon 8 (10).
    state = run(amdsb, "policy", events, today="2025-06-27")
    referral = deadline(state, "arbitration_referral")
    assert referral.due == referral.safe_due == d("2025-09-08")
    assert (referral.party, referral.status, referral.trigger) == ("union", "running", "step2_reply")
    assert "arbitration_notice" in state.allowed_events


def test_omitting_step2_by_consent_starts_the_arbitration_referral_from_the_step1_reply(amdsb):
    events = [ev("awareness", "2025-11-03"), ev("grievance_filed", "2025-11-05"),
              ev("step1_reply", "2025-11-18"), ev("steps_omitted", "2025-11-20", step="step_2")]
    # From Tue 2025-11-18: Wed 19 (1), Thu 20 (2), Fri 21 (3), Mon 24 (4), Tue 25 (5),
    # Wed 26 (6), Thu 27 (7), Fri 28 (8), Mon Dec 1 (9), Tue 2 (10).
    state = run(amdsb, "union", events, today="2025-11-21")
    omitted = deadline(state, "arbitration_referral_step2_omitted")
    assert omitted.due == omitted.safe_due == d("2025-12-02")
    assert (omitted.party, omitted.status) == ("union", "running")
    assert (omitted.trigger, omitted.trigger_date) == ("step1_reply", d("2025-11-18"))
    assert deadline(state, "step2_referral").status == "superseded"
    assert "arbitration_notice" in state.allowed_events


def test_omitting_step2_after_the_board_never_replied_runs_from_the_reply_due_date(amdsb):
    events = [ev("awareness", "2025-11-03"), ev("grievance_filed", "2025-11-05"),
              ev("steps_omitted", "2025-11-24", step="step_2")]
    # Step 1 reply, from Wed 2025-11-05: Thu 6 (1), Fri 7 (2), Mon 10 (3), Tue 11 (4),
    # Wed 12 (5), Thu 13 (6), Fri 14 (7), Mon 17 (8), Tue 18 (9), Wed 19 (10): never came.
    # Notice, from Wed 2025-11-19: Thu 20 (1), Fri 21 (2), Mon 24 (3), Tue 25 (4), Wed 26 (5),
    # Thu 27 (6), Fri 28 (7), Mon Dec 1 (8), Tue 2 (9), Wed 3 (10).
    state = run(amdsb, "union", events, today="2025-11-25")
    omitted = deadline(state, "arbitration_referral_step2_omitted")
    assert (omitted.trigger, omitted.trigger_date) == ("lapse:step1_reply", d("2025-11-19"))
    assert omitted.due == omitted.safe_due == d("2025-12-03")
    assert (omitted.party, omitted.status) == ("union", "running")
    assert deadline(state, "step2_referral").status == "superseded"


# -------------------------------------------------------------------------------
# Grievance Hearing (33.04): the meeting, and how it delays the reply
# -------------------------------------------------------------------------------

MEETING_CASE = [("awareness", "2024-10-21"), ("grievance_filed", "2024-10-23"),
                ("meeting_requested", "2024-10-28")]


def test_meeting_must_take_place_within_ten_school_days_of_the_request(amdsb):
    events = [ev(t, on) for t, on in MEETING_CASE]
    # From Mon 2024-10-28: Tue 29 (1), Wed 30 (2), Thu 31 (3), Fri Nov 1 (4), Mon 4 (5),
    # Tue 5 (6), Wed 6 (7), Thu 7 (8), Fri 8 (9), Mon 11 (10, Remembrance Day is a school day).
    state = run(amdsb, "policy", events, today="2024-10-30")
    meeting = deadline(state, "meeting")
    assert meeting.due == meeting.safe_due == d("2024-11-11")
    assert (meeting.party, meeting.status) == ("both", "running")


def test_a_grievance_meeting_delays_the_step1_reply_by_the_school_days_from_request_to_meeting(amdsb):
    events = [ev(t, on) for t, on in MEETING_CASE] + [ev("meeting_held", "2024-11-04")]
    # Delay: school days after the request (Mon Oct 28) up to the meeting (Mon Nov 4):
    # Tue 29, Wed 30, Thu 31, Fri Nov 1, Mon 4 = 5.
    # Reply: 10 + 5 school days from Wed 2024-10-23: Thu 24 (1), Fri 25 (2), Mon 28 (3),
    # Tue 29 (4), Wed 30 (5), Thu 31 (6), Fri Nov 1 (7), Mon 4 (8), Tue 5 (9), Wed 6 (10,
    # the undelayed date), Thu 7 (11), Fri 8 (12), Mon 11 (13), Tue 12 (14), Wed 13 (15).
    state = run(amdsb, "policy", events, today="2024-11-05")
    reply = deadline(state, "step1_reply")
    assert reply.delay == 5
    assert reply.due == d("2024-11-13")
    assert (reply.party, reply.status) == ("board", "running")
    assert not reply.provisional
    assert deadline(state, "meeting").status == "met"


def test_until_the_meeting_is_held_the_step1_reply_waits_for_the_meetings_own_limit(amdsb):
    events = [ev(t, on) for t, on in MEETING_CASE]
    # The meeting may come as late as Mon Nov 11 (ten school days after the request), so
    # the reply is held back by up to 10 school days: 20 from Wed 2024-10-23: ... Wed Nov 6
    # (10), Thu 7 (11), Fri 8 (12), Mon 11 (13), Tue 12 (14), Wed 13 (15), Thu 14 (16),
    # Fri 15 (17), Mon 18 (18), Tue 19 (19), Wed 20 (20).
    state = run(amdsb, "policy", events, today="2024-11-07")
    reply = deadline(state, "step1_reply")
    assert reply.provisional
    assert reply.due == d("2024-11-20")
    assert reply.status == "running"  # not overdue on Thu Nov 7, past the undelayed Nov 6
    assert not flags(state, "theirs_overdue")


# -------------------------------------------------------------------------------
# Board grievance (33.06)
# -------------------------------------------------------------------------------

def test_board_filing_skips_the_pa_day_before_classes_in_september_2024(amdsb):
    events = [ev("occurrence", "2024-08-29")]
    # School days from Thu 2024-08-29 (summer): [Fri 30, Sat 31, Sun Sep 1, Mon 2 Labour Day,
    # Tue 3 PA day], Wed 4 (1), Thu 5 (2), Fri 6 (3), Mon 9 (4), Tue 10 (5), Wed 11 (6),
    # Thu 12 (7), Fri 13 (8), Mon 16 (9), Tue 17 (10).
    # Regulation 304 counts the PA day: Tue 3 (1) ... Mon 16 (10).
    state = run(amdsb, "board", events, today="2024-09-05")
    filing = deadline(state, "board_filing")
    assert filing.due == d("2024-09-17")
    assert filing.safe_due == d("2024-09-16")
    assert filing.act_by == filing.due  # the earlier reading binds only the union
    assert (filing.party, filing.status) == ("board", "running")


def test_union_reply_counts_a_pa_day_as_a_scheduled_work_day(shipped_years):
    calendar = calendar_with(shipped_years, pa_day("2025-10-10"))
    events = [ev("occurrence", "2025-10-06"), ev("board_grievance_filed", "2025-10-08")]
    # 33.01 c days from Wed 2025-10-08: Thu 9 (1), Fri 10 (2, the PA day counts),
    # [Sat 11, Sun 12, Mon 13 Thanksgiving], Tue 14 (3), Wed 15 (4), Thu 16 (5), Fri 17 (6),
    # Mon 20 (7), Tue 21 (8), Wed 22 (9), Thu 23 (10).
    # Ten school days would skip the PA day and end a day later, on Fri Oct 24.
    state = run(calendar, "board", events, today="2025-10-09")
    reply = deadline(state, "union_reply")
    assert reply.due == reply.safe_due == reply.act_by == d("2025-10-23")
    assert (reply.party, reply.status) == ("union", "running")
    assert calendar.add(d("2025-10-08"), 10) == d("2025-10-24")
    assert state.stage == "board_step_1"


def test_board_arbitration_referral_runs_ten_school_days_from_the_reply_across_a_strike_day(shipped_years):
    calendar = calendar_with(shipped_years, closure("2026-02-03", ClosureKind.STRIKE))
    events = [ev("occurrence", "2026-01-19"), ev("board_grievance_filed", "2026-01-21"),
              ev("union_reply", "2026-02-02")]
    # School days from Mon 2026-02-02: [Tue 3 closed: strike], Wed 4 (1), Thu 5 (2), Fri 6 (3),
    # Mon 9 (4), Tue 10 (5), Wed 11 (6), Thu 12 (7), Fri 13 (8), [Sat 14, Sun 15,
    # Mon 16 Family Day], Tue 17 (9), Wed 18 (10).
    # Regulation 304 counts the closure: Tue 3 (1) ... Fri 13 (9), Tue 17 (10).
    state = run(calendar, "board", events, today="2026-02-04")
    referral = deadline(state, "board_arbitration_referral")
    assert referral.due == d("2026-02-18")
    assert referral.safe_due == d("2026-02-17")
    assert (referral.party, referral.status, referral.trigger) == ("board", "running", "union_reply")
    assert deadline(state, "union_reply").status == "met"


def test_board_arbitration_referral_runs_from_the_end_of_the_presidents_time_without_a_reply(amdsb):
    events = [ev("occurrence", "2025-11-03"), ev("board_grievance_filed", "2025-11-05")]
    # Union reply (days; no PA days in 2025-26), from Wed 2025-11-05: Thu 6 (1), Fri 7 (2),
    # Mon 10 (3), Tue 11 (4), Wed 12 (5), Thu 13 (6), Fri 14 (7), Mon 17 (8), Tue 18 (9), Wed 19 (10).
    # Board's notice, from Wed 2025-11-19: Thu 20 (1), Fri 21 (2), Mon 24 (3), Tue 25 (4),
    # Wed 26 (5), Thu 27 (6), Fri 28 (7), Mon Dec 1 (8), Tue 2 (9), Wed 3 (10).
    state = run(amdsb, "board", events, today="2025-11-24")
    referral = deadline(state, "board_arbitration_referral")
    assert (referral.trigger, referral.trigger_date) == ("lapse:union_reply", d("2025-11-19"))
    assert referral.due == d("2025-12-03")
    assert (referral.party, referral.status) == ("board", "running")
    assert deadline(state, "union_reply").status == "overdue"
    assert "arbitration_notice" in state.allowed_events


# -------------------------------------------------------------------------------
# Arbitration (33.08) and mediation (33.07)
# -------------------------------------------------------------------------------

def policy_case_to_arbitration_notice():
    """A policy grievance taken to arbitration by the union, each step in time."""
    return [
        ev("awareness", "2025-11-03"),
        ev("grievance_filed", "2025-11-05"),        # policy filing: Tue 4 (1), Wed 5 (2)
        ev("step1_reply", "2025-11-17"),            # from Nov 5: Thu 6 (1) ... Mon 17 (8)
        ev("step2_referral", "2025-11-19"),         # from Nov 17: Tue 18 (1), Wed 19 (2)
        ev("step2_reply", "2025-11-28"),            # from Nov 19: Thu 20 (1) ... Fri 28 (7)
        ev("arbitration_notice", "2025-12-08", appointee="A. Nominee", by="union"),
        # from Nov 28: Mon Dec 1 (1), ..., Fri 5 (5), Mon 8 (6)
    ]


def test_appointee_reply_gives_the_board_ten_school_days_across_winter_break(amdsb):
    events = policy_case_to_arbitration_notice()
    # From Mon 2025-12-08: Tue 9 (1), Wed 10 (2), Thu 11 (3), Fri 12 (4), Mon 15 (5), Tue 16 (6),
    # Wed 17 (7), Thu 18 (8), Fri 19 (9), [Dec 20 - Jan 4: weekends, winter break
    # Dec 22 - Jan 2 with Christmas, Boxing Day, New Year], Mon Jan 5 (10).
    state = run(amdsb, "policy", events, today="2025-12-10")
    reply = deadline(state, "appointee_reply")
    assert reply.due == reply.safe_due == d("2026-01-05")
    assert (reply.party, reply.status) == ("board", "running")
    assert state.stage == "arbitration"
    assert deadline(state, "arbitration_referral").status == "met"


def test_appointee_reply_on_a_board_grievance_falls_to_the_union(amdsb):
    events = [ev("occurrence", "2025-11-03"), ev("board_grievance_filed", "2025-11-05"),
              ev("union_reply", "2025-11-10"),
              ev("arbitration_notice", "2025-11-12", appointee="B. Nominee", by="board")]
    # From Wed 2025-11-12: Thu 13 (1), Fri 14 (2), Mon 17 (3), Tue 18 (4), Wed 19 (5),
    # Thu 20 (6), Fri 21 (7), Mon 24 (8), Tue 25 (9), Wed 26 (10).
    state = run(amdsb, "board", events, today="2025-11-13")
    reply = deadline(state, "appointee_reply")
    assert reply.due == reply.safe_due == d("2025-11-26")
    assert (reply.party, reply.status) == ("union", "running")
    assert deadline(state, "board_arbitration_referral").status == "met"


def test_chair_appointment_gives_the_appointees_ten_school_days_across_winter_break(amdsb):
    events = policy_case_to_arbitration_notice() + [
        ev("appointee_named", "2025-12-18", appointee="B. Nominee")]
    # From Thu 2025-12-18: Fri 19 (1), [Dec 20 - Jan 4: weekends, winter break Dec 22 -
    # Jan 2], Mon Jan 5 (2), Tue 6 (3), Wed 7 (4), Thu 8 (5), Fri 9 (6), Mon 12 (7),
    # Tue 13 (8), Wed 14 (9), Thu 15 (10).
    state = run(amdsb, "policy", events, today="2026-01-06")
    chair = deadline(state, "chair_appointment")
    assert chair.due == chair.safe_due == d("2026-01-15")
    assert (chair.party, chair.status) == ("both", "running")
    assert deadline(state, "appointee_reply").status == "met"


def test_mediation_runs_to_the_date_the_parties_agreed_and_the_reply_keeps_running(amdsb):
    events = [ev("awareness", "2025-11-03"), ev("grievance_filed", "2025-11-05"),
              ev("mediation_agreed", "2025-11-07", mediator="M. Mediator", mediation_by="2025-12-12")]
    # An agreed date, not a count. The Step 1 reply still runs (33.07 does not stop it):
    # from Wed 2025-11-05: Thu 6 (1), Fri 7 (2), Mon 10 (3), ..., Fri 14 (7), Mon 17 (8),
    # Tue 18 (9), Wed 19 (10).
    state = run(amdsb, "policy", events, today="2025-11-10")
    mediation = deadline(state, "mediation")
    assert mediation.due == mediation.act_by == d("2025-12-12")
    assert mediation.safe_due is None
    assert (mediation.party, mediation.status) == ("both", "running")
    assert deadline(state, "step1_reply").due == d("2025-11-19")
    assert deadline(state, "step1_reply").status == "running"


# -------------------------------------------------------------------------------
# 33.02 c: an official who does not reply
# -------------------------------------------------------------------------------

SILENT_BOARD = [("awareness", "2025-09-15"), ("grievance_filed", "2025-09-17")]
# Step 1 reply, from Wed 2025-09-17: Thu 18 (1), Fri 19 (2), Mon 22 (3), Tue 23 (4),
# Wed 24 (5), Thu 25 (6), Fri 26 (7), Mon 29 (8), Tue 30 (9), Wed Oct 1 (10).
# Step 2 referral, from that last day, Wed 2025-10-01: Thu 2 (1), Fri 3 (2), Mon 6 (3),
# Tue 7 (4), Wed 8 (5), Thu 9 (6), Fri 10 (7), [Sat 11, Sun 12, Mon 13 Thanksgiving],
# Tue 14 (8), Wed 15 (9), Thu 16 (10).


def test_without_a_step1_reply_the_step2_referral_runs_from_the_day_the_reply_was_due(amdsb):
    state = run(amdsb, "union", [ev(t, on) for t, on in SILENT_BOARD], today="2025-10-06")
    reply, referral = deadline(state, "step1_reply"), deadline(state, "step2_referral")
    assert (reply.due, reply.status) == (d("2025-10-01"), "overdue")
    assert (referral.trigger, referral.trigger_date) == ("lapse:step1_reply", d("2025-10-01"))
    assert referral.due == referral.safe_due == d("2025-10-16")
    assert (referral.party, referral.status) == ("union", "running")
    assert "step2_referral" in state.allowed_events


def test_a_board_that_does_not_reply_is_flagged_theirs_overdue_with_the_date_to_act_by(amdsb):
    state = run(amdsb, "union", [ev(t, on) for t, on in SILENT_BOARD], today="2025-10-06")
    [flag] = flags(state, "theirs_overdue")
    assert (flag.deadline_key, flag.date, flag.clause) == ("step1_reply", d("2025-10-01"), "33.04 Step One")
    assert "was due Wed 01 Oct 2025" in flag.message
    assert "the Union Local submits the grievance to Step 2 (33.02 c)" in flag.message
    assert "Act by Thu 16 Oct 2025 (Refer the grievance to Step 2 (Director of Education))" in flag.message
    assert not flags(state, "ours_overdue")


def test_a_late_step1_reply_does_not_restart_the_unions_ten_days(amdsb):
    events = [ev(t, on) for t, on in SILENT_BOARD] + [ev("step1_reply", "2025-10-08")]
    # Ten school days from the late reply (Wed Oct 8) would end Thu Oct 23; the union's
    # time still ends Thu Oct 16, ten school days from the day the reply was due.
    state = run(amdsb, "union", events, today="2025-10-09")
    reply, referral = deadline(state, "step1_reply"), deadline(state, "step2_referral")
    assert reply.status == "met_late"
    assert referral.trigger == "lapse:step1_reply"
    assert referral.due == d("2025-10-16")
    assert not flags(state, "theirs_overdue")


def test_after_a_lapse_the_unions_safe_date_counts_from_the_earliest_day_the_reply_was_due(shipped_years):
    calendar = calendar_with(shipped_years, pa_day("2025-09-26"))
    events = [ev(t, on) for t, on in SILENT_BOARD]
    # Step 1 reply, school days from Wed 2025-09-17: Thu 18 (1), Fri 19 (2), Mon 22 (3), Tue 23 (4),
    # Wed 24 (5), Thu 25 (6), [Fri 26 PA day], Mon 29 (7), Tue 30 (8), Wed Oct 1 (9), Thu 2 (10).
    # Read under Regulation 304 (the PA day counts): Fri 26 (7), Mon 29 (8), Tue 30 (9), Wed Oct 1 (10).
    # The Board can say its reply was due Wed Oct 1, so the union's ten days may have run from then:
    # Thu 2 (1), Fri 3 (2), Mon 6 (3), Tue 7 (4), Wed 8 (5), Thu 9 (6), Fri 10 (7), [Mon 13
    # Thanksgiving], Tue 14 (8), Wed 15 (9), Thu 16 (10). From Thu Oct 2 they end Fri Oct 17.
    state = run(calendar, "union", events, today="2025-10-06")
    reply, referral = deadline(state, "step1_reply"), deadline(state, "step2_referral")
    assert (reply.due, reply.safe_due) == (d("2025-10-02"), d("2025-10-01"))
    assert referral.due == d("2025-10-17")              # the agreement's reading, from Oct 2
    assert referral.act_by == d("2025-10-16")           # engine: 2025-10-17


# -------------------------------------------------------------------------------
# 33.02 d: extensions by written mutual consent
# -------------------------------------------------------------------------------

STEP2_CASE = [("awareness", "2026-01-26"), ("grievance_filed", "2026-01-30"), ("step1_reply", "2026-02-11")]
# Step 2 referral from Wed 2026-02-11 ends Thu 2026-02-26 (counted above, across Family Day).


def test_an_extension_moves_the_limit_and_clears_the_overdue_flag(amdsb):
    events = [ev(t, on) for t, on in STEP2_CASE]
    before = run(amdsb, "union", events, today="2026-03-02")
    assert deadline(before, "step2_referral").status == "overdue"
    assert [f.deadline_key for f in flags(before, "ours_overdue")] == ["step2_referral"]

    extended = events + [ev("extension_agreed", "2026-03-02", limit="step2_referral", new_due="2026-03-13")]
    after = run(amdsb, "union", extended, today="2026-03-02")
    referral = deadline(after, "step2_referral")
    assert referral.extended_to == referral.due == referral.act_by == d("2026-03-13")
    assert referral.status == "running"
    assert not flags(after, "ours_overdue")


def test_omitting_the_complaint_step_by_consent_ends_the_time_to_raise_the_complaint(amdsb):
    events = [ev("awareness", "2025-10-01"), ev("steps_omitted", "2025-10-02", step="complaint"),
              ev("grievance_filed", "2025-10-03"), ev("step1_reply", "2025-10-10")]
    # Complaint raise would have ended Thu 2025-10-16 (ten school days from Wed Oct 1, across
    # Thanksgiving, counted above). The Step 2 referral, from Fri Oct 10: Tue 14 (1), Wed 15 (2),
    # Thu 16 (3), Fri 17 (4), Mon 20 (5), Tue 21 (6), Wed 22 (7), Thu 23 (8), Fri 24 (9), Mon 27 (10).
    state = run(amdsb, "individual", events, today="2025-10-20")
    assert deadline(state, "step2_referral").due == d("2025-10-27")
    assert not deadline(state, "complaint_raise").is_open   # engine: overdue
    assert not flags(state, "ours_overdue")                 # engine: complaint_raise "deemed abandoned"


def test_omitting_step1_by_consent_lets_the_union_refer_the_grievance_to_step2(amdsb):
    events = [ev("awareness", "2025-10-01"), ev("grievance_filed", "2025-10-03"),
              ev("steps_omitted", "2025-10-06", step="step_1"), ev("step2_referral", "2025-10-07")]
    # Step 2 reply, from Tue 2025-10-07: Wed 8 (1), Thu 9 (2), Fri 10 (3), [Mon 13 Thanksgiving],
    # Tue 14 (4), Wed 15 (5), Thu 16 (6), Fri 17 (7), Mon 20 (8), Tue 21 (9), Wed 22 (10).
    state = run(amdsb, "policy", events, today="2025-10-08")  # engine: EventRefused
    assert state.stage == "step_2"
    assert deadline(state, "step2_reply").due == d("2025-10-22")
    assert not deadline(state, "step1_reply").is_open


# -------------------------------------------------------------------------------
# Flags
# -------------------------------------------------------------------------------

def test_a_union_limit_past_its_date_gives_ours_overdue_with_the_consequence(amdsb):
    events = [ev("awareness", "2025-03-03"), ev("complaint_raised", "2025-03-04"),
              ev("complaint_discussed", "2025-03-06")]
    # Grievance filing ended Thu 2025-03-27 (counted above, across March break); nothing filed
    # by Mon Mar 31.
    state = run(amdsb, "individual", events, today="2025-03-31")
    assert deadline(state, "grievance_filing").status == "overdue"
    [flag] = flags(state, "ours_overdue")
    assert (flag.deadline_key, flag.date) == ("grievance_filing", d("2025-03-27"))
    assert flag.message == ("Take the complaint up as a grievance at Step 1 was due Thu 27 Mar 2025. "
                            "The complaint is deemed abandoned (33.02 a) unless the time is extended "
                            f"by written mutual consent (33.02 d). {RULES.late_step_relief}")


def test_an_appointee_not_named_in_time_gives_appointment_lapsed(amdsb):
    events = policy_case_to_arbitration_notice()
    # The Board's appointee was due Mon 2026-01-05 (counted above); none by Tue Jan 6.
    state = run(amdsb, "policy", events, today="2026-01-06")
    assert deadline(state, "appointee_reply").status == "overdue"
    [flag] = flags(state, "appointment_lapsed")
    assert (flag.deadline_key, flag.date, flag.clause) == ("appointee_reply", d("2026-01-05"), "33.08")
    assert "Minister of Labour" in flag.message
    assert "minister_requested" in state.allowed_events


def test_due_soon_from_three_school_days_before_the_act_by_date(amdsb):
    events = [ev(t, on) for t, on in STEP2_CASE]
    # Act by Thu 2026-02-26. From Fri Feb 20: Mon 23, Tue 24, Wed 25, Thu 26 = 4 left: quiet.
    # From Mon Feb 23: Tue 24, Wed 25, Thu 26 = 3 left: due soon.
    assert not flags(run(amdsb, "union", events, today="2026-02-20"), "due_soon")
    [flag] = flags(run(amdsb, "union", events, today="2026-02-23"), "due_soon")
    assert (flag.deadline_key, flag.date) == ("step2_referral", d("2026-02-26"))
    assert flag.message == ("Refer the grievance to Step 2 (Director of Education): the Union Local must act "
                            "by Thu 26 Feb 2026 (3 school days left).")


def test_due_soon_never_counts_negative_school_days_once_the_safe_date_has_passed(shipped_years):
    calendar = calendar_with(shipped_years, pa_day("2025-11-14"))
    events = [ev("awareness", "2025-11-10")]
    # Policy filing: safe date Mon 2025-11-24, agreement date Tue Nov 25 (counted above).
    # On Tue Nov 25 the safe date passed yesterday.
    state = run(calendar, "policy", events, today="2025-11-25")
    [flag] = [f for f in state.flags if f.deadline_key == "policy_filing"]
    assert "-1 school days" not in flag.message   # engine: "... act by Mon 24 Nov 2025 (-1 school days left)."


def test_a_count_past_the_last_loaded_year_is_unknown_and_names_the_year_to_load(amdsb):
    events = [ev("awareness", "2027-06-21")]
    # From Mon 2027-06-21: Tue 22 (1), Wed 23 (2), Thu 24 (3), Fri 25 (4), Mon 28 (5),
    # Tue 29 (6), Wed 30 (7, the last day of 2026-27, the last loaded year); the other
    # three school days fall in 2027-28, which is not loaded.
    state = run(amdsb, "policy", events, today="2027-06-23")
    filing = deadline(state, "policy_filing")
    assert filing.status == "unknown"
    assert filing.due is None and filing.act_by is None
    assert "2027-28" in filing.error
    [flag] = flags(state, "calendar_missing")
    assert flag.deadline_key == "policy_filing"
    assert "2027-28 school-year calendar" in flag.message


# -------------------------------------------------------------------------------
# Refusals: each says why, and what to do instead
# -------------------------------------------------------------------------------

def test_a_step2_reply_before_the_step2_referral_is_refused(amdsb):
    events = [ev("awareness", "2026-01-26"), ev("grievance_filed", "2026-01-30"),
              ev("step1_reply", "2026-02-11"), ev("step2_reply", "2026-02-13")]
    with pytest.raises(EventRefused) as refused:
        run(amdsb, "union", events, today="2026-02-13")
    error = refused.value
    assert error.field == "type"
    assert error.event_id == events[-1].id
    assert error.message == ("Step 2 reply from the Director (33.04 Step Two) cannot be recorded on 2026-02-13: "
                             "the case is at 'Step 1: Superintendent of Education (Human Resource Services)'.")
    assert error.fix.startswith("Allowed now: ")
    assert "Grievance referred in writing at Step 2" in error.fix
    assert "Step 2 reply from the Director" not in error.fix


def test_an_event_dated_before_the_case_began_is_refused(amdsb):
    events = [ev("awareness", "2025-09-15"), ev("grievance_filed", "2025-09-17")]
    with pytest.raises(EventRefused) as refused:
        check(amdsb, "union", events, ev("step1_reply", "2025-09-12"), today="2025-09-22")
    assert refused.value.field == "occurred_on"
    assert refused.value.message == "The event is dated 2025-09-12, before the case began on 2025-09-15."
    assert refused.value.fix == "Check the date; a case's first event is its earliest."


def test_an_event_dated_after_today_is_refused(amdsb):
    events = [ev("awareness", "2025-09-15"), ev("grievance_filed", "2025-09-17")]
    with pytest.raises(EventRefused) as refused:
        check(amdsb, "union", events, ev("step1_reply", "2025-09-25"), today="2025-09-22")
    assert refused.value.field == "occurred_on"
    assert refused.value.message == "The event is dated 2025-09-25, after today (2025-09-22)."
    assert "hearing_date" in refused.value.fix


def test_extending_a_limit_that_is_not_running_is_refused_naming_the_running_limits(amdsb):
    events = [ev(t, on) for t, on in STEP2_CASE] + [
        ev("extension_agreed", "2026-02-13", limit="step1_reply", new_due="2026-02-27")]
    with pytest.raises(EventRefused) as refused:
        run(amdsb, "union", events, today="2026-02-13")
    assert refused.value.field == "details.limit"
    assert refused.value.message == "The limit 'step1_reply' is not running, so it cannot be extended."
    assert refused.value.fix == "Running limits: step2_referral (Refer the grievance to Step 2 (Director of Education))."


def test_an_extension_to_a_date_that_is_not_later_is_refused(amdsb):
    events = [ev(t, on) for t, on in STEP2_CASE] + [
        ev("extension_agreed", "2026-02-13", limit="step2_referral", new_due="2026-02-26")]
    with pytest.raises(EventRefused) as refused:
        run(amdsb, "union", events, today="2026-02-13")
    assert refused.value.field == "details.new_due"
    assert "does not extend the limit, which ends 2026-02-26" in refused.value.message
    assert refused.value.fix == "Give a date after 2026-02-26."
