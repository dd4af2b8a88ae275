"""Flags: what an officer must see about a case today, each with its clause."""
from __future__ import annotations

from datetime import date

from school_calendar.board_calendar import BoardCalendar
from school_calendar.errors import SchoolYearMissing

from .engine import CaseState, Deadline, Flag
from .rules import RuleSet

WHO = {"union": "the Union Local", "board": "the Board", "both": "both parties"}


def flags_for(state: CaseState, rules: RuleSet, calendar: BoardCalendar, today: date) -> list[Flag]:
    flags = []
    if state.stage == "abandoned":
        flags.append(Flag("abandoned", "33.02 a, 33.02 b", "The case is recorded as deemed abandoned."))
    for d in state.deadlines:
        flags.extend(_deadline_flags(d, state, rules, calendar, today))
    return flags


def _deadline_flags(d: Deadline, state: CaseState, rules: RuleSet, calendar: BoardCalendar, today: date):
    if d.status == "unknown":
        yield Flag("calendar_missing", d.rule.clause,
                   f"{d.rule.label}: the date cannot be counted. {d.error}", d.key)
        return
    if d.status == "overdue":
        yield from _overdue_flags(d, state, rules)
    elif d.status == "running" and d.act_by:
        left = _school_days_left(calendar, today, d.act_by)
        if d.act_by < today:  # not left < 0: seen on a Sunday, a Friday date counts 0 days away (issue 12)
            yield Flag("due_soon", d.rule.clause,
                       f"{d.rule.label}: the safe date, {d.act_by:%a %d %b %Y}, has passed; on the agreement's "
                       f"reading the last day is {d.due:%a %d %b %Y}. {WHO[d.party].capitalize()} should act now.",
                       d.key, d.due)
        elif left is not None and left <= rules.due_soon_school_days:
            yield Flag("due_soon", d.rule.clause,
                       f"{d.rule.label}: {WHO[d.party]} must act by {d.act_by:%a %d %b %Y} "
                       f"({_days(left)} left).", d.key, d.act_by)
    elif d.status == "missed" and d.party == "board" and d.rule.consequence == "deemed_abandoned":
        yield Flag("abandoned", d.rule.clause, d.rule.consequence_text, d.key, d.due)


def _overdue_flags(d: Deadline, state: CaseState, rules: RuleSet):
    if d.rule.consequence == "minister":
        yield Flag("appointment_lapsed", d.rule.clause, d.rule.consequence_text, d.key, d.due)
    elif d.party == "both":
        yield Flag("milestone_passed", d.rule.clause,
                   f"{d.rule.label} was due {d.due:%a %d %b %Y}. {d.rule.consequence_text}", d.key, d.due)
    elif d.party == "union":
        yield Flag("ours_overdue", d.rule.clause,
                   f"{d.rule.label} was due {d.act_by:%a %d %b %Y}. {d.rule.consequence_text}", d.key, d.act_by)
    elif d.party == "board" and d.rule.consequence == "deemed_abandoned":
        yield Flag("abandoned", d.rule.clause, d.rule.consequence_text, d.key, d.due)
    elif d.party == "board":
        follow_on = next((x for x in state.deadlines if x.trigger == f"lapse:{d.key}" and x.is_open), None)
        escalate = f" Act by {follow_on.act_by:%a %d %b %Y} ({follow_on.rule.label})." if follow_on and follow_on.act_by else ""
        yield Flag("theirs_overdue", d.rule.clause,
                   f"{d.rule.label} was due {d.due:%a %d %b %Y}. {d.rule.consequence_text}{escalate}", d.key, d.due)


def _school_days_left(calendar: BoardCalendar, today: date, due: date) -> int | None:
    try:
        return calendar.count(today, due)
    except SchoolYearMissing:
        return None


def _days(n: int) -> str:
    return "1 school day" if n == 1 else f"{n} school days"
