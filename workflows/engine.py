"""The procedure engine: a case's events, its agreement's rules and its board's
calendar in; where the case stands, every time limit, and the flags out.

Pure: no database, no clock ("today" is passed in). The same events, rules,
calendar and today always give the same result, which is what lets stored
deadlines be checked against a full recompute.

Replay walks the events in date order. Before each event, time advances to its
date: a limit whose last day has passed unmet lapses, and the limits that run
from that lapse (33.02 c) start. Then the event is checked against the rules
(refused with the reason and what is allowed instead) and applied: limits are
met, superseded or started, and the case moves to its next stage.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any, Iterable, Mapping, NamedTuple

from school_calendar.board_calendar import BoardCalendar
from school_calendar.days import Unit
from school_calendar.errors import SchoolYearMissing, UserError

from .rules import EventRule, LimitRule, RuleSet

VOID = "void"


class EventRefused(UserError):
    """The procedure does not allow this event here; the message says why and
    the fix says what is allowed instead."""

    def __init__(self, message: str, *, field: str, fix: str, event_id: Any = None):
        super().__init__(message, field=field, fix=fix)
        self.event_id = event_id


class CaseEvent(NamedTuple):
    """One dated thing that happened. `voids` (for type "void") names the event it cancels.
    (A named tuple, immutable: a recompute builds hundreds of thousands of them.)"""

    id: Any
    type: str
    occurred_on: date
    details: Mapping[str, Any] = MappingProxyType({})
    seq: int = 0
    voids: Any = None
    reason: str = ""


@dataclass
class Deadline:
    """One running (or ended) time limit, with everything needed to explain it."""

    key: str
    rule: LimitRule
    party: str                      # who must act: union, board or both
    trigger_date: date
    trigger: str                    # the event type, or "lapse:LIMIT" (33.02 c)
    trigger_event_id: Any = None
    safe_trigger_date: date | None = None  # the earliest reading of the trigger (a lapse under Regulation 304)
    delay: int = 0                  # school days added by grievance meetings (33.04)
    counted_n: int | None = None    # the count the due date was found with (n + delay, or more while a meeting is pending)
    meeting_pending_since: date | None = None
    extended_to: date | None = None
    due: date | None = None         # the agreement's reading
    safe_due: date | None = None    # the earliest reading (Regulation 304), for union limits
    status: str = "running"         # running, overdue, met, met_late, superseded, missed, stopped, unknown
    ended_on: date | None = None
    ended_by: str | None = None
    lapsed: bool = False
    error: str | None = None        # why the date could not be counted (a school year not loaded)

    @property
    def act_by(self) -> date | None:
        """The date to act by: the earliest reading where the union must act."""
        return self.safe_due if self.party == "union" and self.safe_due else self.due

    @property
    def is_open(self) -> bool:
        return self.status in ("running", "overdue", "unknown")

    @property
    def provisional(self) -> bool:
        return self.meeting_pending_since is not None


@dataclass(frozen=True)
class Flag:
    code: str          # due_soon, ours_overdue, theirs_overdue, abandoned, appointment_lapsed, calendar_missing
    clause: str
    message: str
    deadline_key: str | None = None
    date: date | None = None


@dataclass
class CaseState:
    kind: str
    stage: str
    open: bool
    deadlines: list[Deadline]
    flags: list[Flag]
    events: list[CaseEvent]          # the effective events, in the order applied
    opened_on: date | None
    _allowed: Any = None             # computed on first use: bulk recomputes never need it

    @property
    def allowed_events(self) -> list[str]:
        """The event types the procedure allows today."""
        if callable(self._allowed):
            self._allowed = self._allowed()
        return self._allowed

    @property
    def running(self) -> list[Deadline]:
        return [d for d in self.deadlines if d.is_open]

    @property
    def next_deadline(self) -> Deadline | None:
        """The next date someone must act by. A Board limit already missed gives way to
        the limit that runs from its lapse (33.02 c): that is where the action is."""
        escalated = {d.trigger.removeprefix("lapse:") for d in self.running if d.trigger.startswith("lapse:")}
        dated = [d for d in self.running if d.act_by and not (d.status == "overdue" and d.key in escalated)]
        return min(dated, key=lambda d: d.act_by) if dated else None


def replay(rules: RuleSet, calendar: BoardCalendar, kind: str, events: Iterable[CaseEvent], today: date) -> CaseState:
    """Derive the case from its events. Raises EventRefused at the first event
    the procedure does not allow."""
    return _Replay(rules, calendar, kind, today).run(list(events))


def check_new_event(rules, calendar, kind, events, new: CaseEvent, today: date) -> CaseState:
    """The state with `new` recorded, or EventRefused saying why it cannot be."""
    _check_dates(new, events, today, first_type=rules.kinds[kind].first_event if kind in rules.kinds else None)
    return replay(rules, calendar, kind, [*events, new], today)


def _check_dates(new: CaseEvent, events, today: date, first_type: str | None = None) -> None:
    voided = {e.voids for e in events if e.type == VOID}
    dated = [e.occurred_on for e in events if e.type != VOID and e.id not in voided]
    # A corrected first event (the old one voided) may be earlier than the rest.
    if dated and new.type not in (VOID, first_type) and new.occurred_on < min(dated):
        raise EventRefused(f"The event is dated {new.occurred_on}, before the case began on {min(dated)}.",
                           field="occurred_on", fix="Check the date; a case's first event is its earliest.")
    if new.occurred_on > today:
        raise EventRefused(f"The event is dated {new.occurred_on}, after today ({today}).", field="occurred_on",
                           fix="Record events once they have happened; a hearing's future date goes in hearing_date.")


class _Replay:
    def __init__(self, rules: RuleSet, calendar: BoardCalendar, kind: str, today: date):
        if kind not in rules.kinds:
            raise EventRefused(f"'{kind}' is not a kind of case in {rules.name}.", field="kind",
                               fix=f"Use one of: {', '.join(rules.kinds)}.")
        self.rules, self.calendar, self.kind, self.today = rules, calendar, kind, today
        self.stage = "new"
        self.happened: dict[str, list[CaseEvent]] = {}
        self.omitted: set[str] = set()
        self.deadlines: list[Deadline] = []
        self.applied: list[CaseEvent] = []

    # -- the walk ------------------------------------------------------------

    def run(self, events: list[CaseEvent]) -> CaseState:
        for event in _effective(events):
            self._advance_to(event.occurred_on)
            self._check(event)
            self._apply(event)
        self._advance_to(self.today)
        return self._state()

    def _advance_to(self, day: date) -> None:
        """Lapse every open limit whose last day is before `day`; start what runs from the lapse."""
        lapsing = True
        while lapsing:
            lapsing = False
            for d in list(self.deadlines):
                # Cheapest tests first: this runs before every event of every replayed case.
                if d.due and d.due < day and not d.lapsed and d.is_open and not d.provisional:
                    d.lapsed, d.status = True, "overdue"
                    self._start_after_lapse(d)
                    lapsing = True

    def _start_after_lapse(self, lapsed: Deadline) -> None:
        for rule in self.rules.limits_for(self.kind):
            if rule.starts_on_lapse_of == lapsed.key and self._omission_allows(rule) and not self._has(rule.key):
                self._start_from_lapse(rule, lapsed)

    def _start_from_lapse(self, rule: LimitRule, lapsed: Deadline) -> None:
        """33.02 c: the next step's time runs from the last day of the missed reply.
        The union's safe date counts from that day's earliest reading."""
        self._start(rule, lapsed.due, f"lapse:{lapsed.key}", None, safe_trigger_date=lapsed.safe_due)

    # -- checking an event -----------------------------------------------------

    def _check(self, event: CaseEvent) -> None:
        rule = self.rules.events.get(event.type)
        if rule is None:
            raise EventRefused(f"'{event.type}' is not an event of {self.rules.name}.", field="type",
                               fix=f"Allowed now: {self._allowed_text()}.", event_id=event.id)
        first = self.rules.kinds[self.kind].first_event
        if not self.applied and event.type != first:
            raise EventRefused(f"A {self.rules.kinds[self.kind].label.lower()} begins with "
                               f"'{self.rules.events[first].label}', not '{rule.label}'.", field="type",
                               fix=f"Record '{self.rules.events[first].label}' first.", event_id=event.id)
        reason = self._refusal(rule, event.occurred_on)
        if reason:
            raise EventRefused(f"{rule.label} ({rule.clause}) cannot be recorded on {event.occurred_on}: {reason}.",
                               field="type", fix=f"Allowed now: {self._allowed_text()}.", event_id=event.id)
        self._check_details(rule, event)

    def _refusal(self, rule: EventRule, day: date) -> str | None:
        """Why `rule` cannot happen now, or None."""
        if rule.kinds is not None and self.kind not in rule.kinds:
            return f"it does not belong to a {self.rules.kinds[self.kind].label.lower()}"
        stage = self.rules.stages[self.stage]
        if not ("open" in rule.allowed_in and stage.open) and self.stage not in rule.allowed_in:
            return f"the case is at '{stage.label}'"
        if rule.unless_omitted and rule.unless_omitted in self.omitted:
            return f"the parties omitted {self.rules.stages[rule.unless_omitted].label} by written consent"
        if rule.requires and not any(self._holds(need, day) for need in rule.requires):
            return "it needs first " + " or ".join(self._describe(need) for need in rule.requires
                                                    if not need.startswith("kind:"))
        return None

    def _holds(self, need: str, day: date) -> bool:
        prefix, _, name = need.rpartition(":")
        if prefix == "lapsed":
            return any(d.key == name and d.lapsed for d in self.deadlines)
        if prefix == "omitted":
            return name in self.omitted
        if prefix == "kind":
            return self.kind == name
        return name in self.happened

    def _describe(self, need: str) -> str:
        prefix, _, name = need.rpartition(":")
        if prefix == "lapsed":
            return f"the end of the time for '{self.rules.limits[name].label}'"
        if prefix == "omitted":
            return f"written consent to omit {self.rules.stages[name].label}"
        return f"'{self.rules.events[name].label}'"

    def _check_details(self, rule: EventRule, event: CaseEvent) -> None:
        for name in rule.details:
            value = event.details.get(name)
            if value in (None, ""):
                raise EventRefused(f"{rule.label} needs '{name}'.", field=f"details.{name}",
                                   fix=_DETAIL_FIX.get(name, f"Give {name}."), event_id=event.id)
            if name in _DATE_DETAILS and not isinstance(value, date):
                raise EventRefused(f"'{value}' is not a date.", field=f"details.{name}",
                                   fix="Write it as YYYY-MM-DD.", event_id=event.id)
        if rule.type == "extension_agreed":
            self._check_extension(event)
        if rule.type == "steps_omitted" and event.details["step"] not in ("complaint", "step_1", "step_2"):
            raise EventRefused(f"'{event.details['step']}' is not a step that can be omitted.", field="details.step",
                               fix="Give complaint, step_1 or step_2.", event_id=event.id)

    def _check_extension(self, event: CaseEvent) -> None:
        key, new_due = event.details["limit"], event.details["new_due"]
        running = self._running(key)
        if running is None:
            names = ", ".join(f"{d.key} ({d.rule.label})" for d in self.deadlines if d.is_open) or "none"
            raise EventRefused(f"The limit '{key}' is not running, so it cannot be extended.", field="details.limit",
                               fix=f"Running limits: {names}.", event_id=event.id)
        if running.due and new_due <= running.due:
            raise EventRefused(f"The new date {new_due} does not extend the limit, which ends {running.due}.",
                               field="details.new_due", fix=f"Give a date after {running.due}.", event_id=event.id)

    # -- applying an event -------------------------------------------------------

    def _apply(self, event: CaseEvent) -> None:
        rule = self.rules.events[event.type]
        self.applied.append(event)
        self.happened.setdefault(event.type, []).append(event)
        self._end_limits(event)
        handler = getattr(self, f"_on_{event.type}", None)
        if handler:
            handler(event)
        self._start_limits(event)
        next_stage = rule.next_stage(self.kind)
        if next_stage:
            self.stage = next_stage
        if not self.rules.stages[self.stage].open:
            self._stop_all(event)

    def _end_limits(self, event: CaseEvent) -> None:
        for d in self.deadlines:
            if event.type in d.rule.met_by:
                if d.is_open:
                    late = d.due is not None and event.occurred_on > d.due
                    self._end(d, "met_late" if late else "met", event)
            elif event.type in d.rule.superseded_by and d.is_open:
                self._end(d, "missed" if d.lapsed else "superseded", event)

    def _end(self, d: Deadline, status: str, event: CaseEvent) -> None:
        d.status, d.ended_on, d.ended_by = status, event.occurred_on, event.type

    def _stop_all(self, event: CaseEvent) -> None:
        for d in self.deadlines:
            if d.is_open:
                self._end(d, "stopped", event)

    def _start_limits(self, event: CaseEvent) -> None:
        for rule in self.rules.limits_started_by(self.kind, event.type):
            if not self._omission_allows(rule):
                continue
            if rule.starts_on_lapse_of and self._has(rule.key):
                continue  # already running from the lapse: a late reply does not restart it
            self._start(rule, event.occurred_on, event.type, event.id, event)

    def _omission_allows(self, rule: LimitRule) -> bool:
        if rule.when_omitted and rule.when_omitted not in self.omitted:
            return False
        return not (rule.unless_omitted and rule.unless_omitted in self.omitted)

    def _start(self, rule: LimitRule, trigger_date: date, trigger: str, event_id, event: CaseEvent | None = None,
               safe_trigger_date: date | None = None):
        d = Deadline(rule.key, rule, self._party(rule), trigger_date, trigger, event_id, safe_trigger_date)
        if rule.due_from_detail and event is not None:
            d.due = event.details[rule.due_from_detail]
        self.deadlines.append(d)
        self._count(d)

    def _party(self, rule: LimitRule) -> str:
        if rule.party != "recipient":
            return rule.party
        notice = self.happened.get("arbitration_notice", [])
        sender = notice[-1].details.get("by") if notice else None
        sender = sender or self.rules.kinds[self.kind].filed_by
        return "board" if sender == "union" else "union"

    # -- event-specific effects -----------------------------------------------------

    def _on_meeting_requested(self, event: CaseEvent) -> None:
        for d in self._delayable():
            d.meeting_pending_since = event.occurred_on
            self._count(d)

    def _on_meeting_held(self, event: CaseEvent) -> None:
        for d in self.deadlines:
            if d.is_open and d.meeting_pending_since:
                d.delay += self._school_days(d.meeting_pending_since, event.occurred_on)
                d.meeting_pending_since = None
                self._count(d)

    def _on_extension_agreed(self, event: CaseEvent) -> None:
        d = self._running(event.details["limit"])
        d.extended_to, d.lapsed = event.details["new_due"], False
        d.status = "running"
        # What ran from the lapse (33.02 c) no longer does: the time was extended.
        self.deadlines = [x for x in self.deadlines if not (x.trigger == f"lapse:{d.key}" and x.is_open)]
        self._count(d)

    def _on_steps_omitted(self, event: CaseEvent) -> None:
        step = event.details["step"]
        self.omitted.add(step)
        for d in self.deadlines:
            if d.is_open and d.rule.unless_omitted == step:
                self._end(d, "superseded", event)
        for rule in self.rules.limits_for(self.kind):
            if rule.when_omitted == step and not self._has(rule.key):
                self._start_from_history(rule)

    def _start_from_history(self, rule: LimitRule) -> None:
        """A limit that runs only after an omission starts from its trigger if that already happened."""
        for trigger in rule.starts_on:
            if trigger in self.happened:
                first = self.happened[trigger][-1]
                self._start(rule, first.occurred_on, trigger, first.id, first)
                return
        lapsed = next((d for d in self.deadlines if d.key == rule.starts_on_lapse_of and d.lapsed), None)
        if lapsed:
            self._start_from_lapse(rule, lapsed)

    # -- counting -------------------------------------------------------------------

    def _count(self, d: Deadline) -> None:
        """Set the limit's dates from its trigger, count, meeting delay and extension."""
        if d.rule.n is None:
            d.safe_due = None
            return
        try:
            n = d.rule.n + d.delay
            if d.meeting_pending_since:
                # Until the meeting is held, the reply waits at least until the meeting's own limit.
                meeting_due = self.calendar.add(d.meeting_pending_since, self.rules.limits["meeting"].n)
                n += self._school_days(d.meeting_pending_since, meeting_due)
            d.counted_n = n
            d.due = d.extended_to or self.calendar.add(d.trigger_date, n, d.rule.unit)
            reg304 = self.calendar.add(d.safe_trigger_date or d.trigger_date, n, Unit.REG304)
            d.safe_due = d.extended_to or min(d.due, reg304)
            d.error = None
        except SchoolYearMissing as missing:
            d.due = d.safe_due = d.extended_to
            d.status, d.error = ("running" if d.extended_to else "unknown"), str(missing)

    def _school_days(self, start: date, end: date) -> int:
        return max(0, self.calendar.count(start, end, Unit.SCHOOL_DAYS))

    # -- look-ups ---------------------------------------------------------------------

    def _has(self, key: str) -> bool:
        return any(d.key == key for d in self.deadlines)

    def _running(self, key: str) -> Deadline | None:
        return next((d for d in reversed(self.deadlines) if d.key == key and d.is_open), None)

    def _delayable(self) -> list[Deadline]:
        return [d for d in self.deadlines if d.is_open and d.rule.delayed_by_meeting]

    def allowed(self, day: date) -> list[str]:
        if not self.applied:
            return [self.rules.kinds[self.kind].first_event]
        return [t for t, rule in self.rules.events.items() if self._refusal(rule, day) is None]

    def _allowed_text(self) -> str:
        names = [self.rules.events[t].label for t in self.allowed(self.today)]
        return "; ".join(names) if names else "nothing (the case is closed)"

    # -- the result ---------------------------------------------------------------------

    def _state(self) -> CaseState:
        for d in self.deadlines:
            if d.is_open and d.due and d.due < self.today and d.status != "unknown":
                d.status = "overdue"
        from .flags import flags_for

        stage = self.rules.stages[self.stage]
        state = CaseState(self.kind, self.stage, stage.open, self.deadlines, [], list(self.applied),
                          self.applied[0].occurred_on if self.applied else None, lambda: self.allowed(self.today))
        state.flags = flags_for(state, self.rules, self.calendar, self.today)
        return state


_DATE_DETAILS = {"new_due", "mediation_by", "hearing_date"}
_DETAIL_FIX = {
    "limit": "Name the time limit the parties extended (its key, e.g. step2_referral).",
    "new_due": "Give the date the parties agreed in writing (YYYY-MM-DD).",
    "appointee": "Name the appointee (single arbitrator or nominee).",
    "chair": "Name the chairperson.",
    "hearing_date": "Give the first hearing date (YYYY-MM-DD).",
    "outcome": "Say how it ended: allowed, allowed in part, dismissed.",
    "mediator": "Name the person agreed as mediator (33.07).",
    "mediation_by": "Give the date by which mediation is to take place (YYYY-MM-DD).",
    "step": "Name the step omitted: complaint, step_1 or step_2.",
}


def _effective(events: list[CaseEvent]) -> list[CaseEvent]:
    """The events in date order, less the voided ones and the voids themselves."""
    by_id = {e.id: e for e in events}
    voided = set()
    for e in events:
        if e.type != VOID:
            continue
        if e.voids not in by_id or by_id[e.voids].type == VOID:
            raise EventRefused(f"There is no event {e.voids} to void.", field="voids",
                               fix="Give the id of an event of this case.", event_id=e.id)
        if e.voids in voided:
            raise EventRefused(f"Event {e.voids} is already void.", field="voids", fix="Nothing to do.", event_id=e.id)
        if not e.reason.strip():
            raise EventRefused("A correction needs a reason.", field="reason",
                               fix="Say why the event was wrong (e.g. 'wrong date: the reply came on the 14th').",
                               event_id=e.id)
        voided.add(e.voids)
    kept = [e for e in events if e.type != VOID and e.id not in voided]
    return sorted(kept, key=lambda e: (e.occurred_on, e.seq))
