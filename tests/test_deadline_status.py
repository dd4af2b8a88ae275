"""The presenter (operations/deadline_status.py) on its own: how a date to act by reads on a
given day, counted in school days on the shipped AMDSB elementary calendar. Loaded years:
2024-25, 2025-26 (winter break Mon 22 Dec 2025 to Fri 2 Jan 2026, no autumn PA day) and
2026-27; nothing before July 2024 or after June 2027. Nov 2025: Mon 24, Sat 29; Dec: Mon 1.
"""
from __future__ import annotations

from datetime import date

import pytest

from operations.deadline_status import status_of


def words(amdsb, today: date, act_by: date, **kw):
    s = status_of(amdsb, today, act_by, **kw)
    return s.state, s.words, s.short, s.school_days_left


def test_days_left_count_the_school_days_after_today_through_the_date(amdsb):
    # Wed Nov 26 to Mon Dec 1: Thu 27, Fri 28, Mon 1 = 3 (the weekend does not count).
    assert words(amdsb, date(2025, 11, 26), date(2025, 12, 1)) == ("ahead", "3 school days left", "3 left", 3)
    # Seen on Sat Nov 29, Tue Dec 2 is Mon 1, Tue 2 = 2 away.
    assert words(amdsb, date(2025, 11, 29), date(2025, 12, 2))[1] == "2 school days left"
    assert words(amdsb, date(2025, 11, 27), date(2025, 11, 28))[1] == "1 school day left"


def test_a_date_passed_on_friday_reads_one_school_day_ago_on_the_weekend_not_today(amdsb):
    # Fri Nov 28 seen on Sun Nov 30: the school days from Fri 28 up to Sun 30: Fri 28 = 1.
    assert words(amdsb, date(2025, 11, 30), date(2025, 11, 28)) == (
        "passed", "passed Fri 28 Nov 2025 — 1 school day ago", "1 ago", -1)
    # ... and on Tue Dec 2: Fri 28, Mon 1 = 2.
    assert words(amdsb, date(2025, 12, 2), date(2025, 11, 28))[1] == "passed Fri 28 Nov 2025 — 2 school days ago"


def test_a_date_passed_before_the_winter_break_counts_no_day_of_the_break(amdsb):
    # Fri Dec 19 2025 seen on Mon Jan 5 2026: Fri 19 counts; Dec 22 to Jan 2 is the break = 1.
    assert words(amdsb, date(2026, 1, 5), date(2025, 12, 19))[1] == "passed Fri 19 Dec 2025 — 1 school day ago"


def test_the_day_itself_is_due_today(amdsb):
    assert words(amdsb, date(2025, 11, 26), date(2025, 11, 26)) == ("today", "due today", "today", 0)


def test_a_weekend_date_never_reads_zero_days_left_or_zero_days_ago(amdsb):
    # Seen on Fri Nov 28, Sun Nov 30 has no school day before it; Sat Nov 29 seen on Sunday passed
    # on no school day: neither is "today" nor "0 school days".
    assert words(amdsb, date(2025, 11, 28), date(2025, 11, 30))[:2] == (
        "ahead", "no school day left before Sun 30 Nov 2025")
    assert words(amdsb, date(2025, 11, 30), date(2025, 11, 29))[:2] == ("passed", "passed Sat 29 Nov 2025")


def test_a_date_the_calendar_cannot_count_reads_unknown_when_ahead_and_passed_when_passed(amdsb):
    ahead = status_of(amdsb, date(2025, 11, 26), date(2027, 9, 15))
    assert ahead.state == "unknown" and "2027-28 calendar is not loaded" in ahead.words
    assert "Wed 15 Sep 2027" in ahead.words and ahead.school_days_left is None
    assert words(amdsb, date(2025, 11, 26), date(2020, 1, 10)) == ("passed", "passed Fri 10 Jan 2020", "passed", None)


@pytest.mark.parametrize("stored", [date.min, date.max])
def test_a_stored_date_at_the_end_of_the_calendar_reads_without_arithmetic_errors(amdsb, stored):
    assert status_of(amdsb, date(2025, 11, 26), stored).state in ("passed", "unknown")


def test_the_safe_note_names_the_agreements_date_where_it_is_later(amdsb):
    # Wed Nov 26 to Mon Dec 8: Thu 27, Fri 28, Mon 1 ... Fri 5, Mon 8 = 8.
    s = status_of(amdsb, date(2025, 11, 26), date(2025, 12, 8), due=date(2025, 12, 9))
    assert s.safe_note == "safe date; the agreement's date is Tue 09 Dec 2025"
    assert s.line == "act by Mon 08 Dec 2025 — 8 school days left"
    assert s.for_party("Union Local") == ("Union Local: act by Mon 08 Dec 2025 — 8 school days left "
                                          "(safe date; the agreement's date is Tue 09 Dec 2025)")
    assert status_of(amdsb, date(2025, 11, 26), date(2025, 12, 8), due=date(2025, 12, 8)).safe_note == ""


def test_a_passed_line_names_its_date_once(amdsb):
    s = status_of(amdsb, date(2025, 11, 30), date(2025, 11, 28))
    assert s.line == "passed Fri 28 Nov 2025 — 1 school day ago"
    assert s.for_party("Board") == "Board: passed Fri 28 Nov 2025 — 1 school day ago"


def test_a_limit_no_longer_running_reads_how_it_ended(amdsb):
    s = status_of(amdsb, date(2025, 11, 26), date(2025, 11, 20), ended="met_late")
    assert (s.state, s.words, s.line) == ("ended", "met late", "met late")
