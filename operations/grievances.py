"""Opening cases, recording and voiding events, and keeping the derived facts
(deadlines, flags, the next thing due) in step with the events, the rules and
the calendar. One transaction per call; the caller's `with transaction()`."""
from __future__ import annotations

import json
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache, partial
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models import Board, DeadlineMove, DeadlineRecord, FlagRecord, Grievance, GrievanceEvent, UnionLocal
from school_calendar.board_calendar import BoardCalendar
from school_calendar.errors import UserError
from workflows.engine import VOID, CaseEvent, CaseState, EventRefused, check_new_event, replay
from workflows.rules import RuleSet, load_ruleset

from . import bulk
from . import calendars as calendar_operations
from .text_limits import check_length, check_lengths

DATE_DETAILS = ("new_due", "mediation_by", "hearing_date")


class StaleCase(UserError):
    """Someone else changed the case since the user read it."""


@dataclass(frozen=True)
class NewCase:
    """What 33.03 and 33.04 require a grievance to contain, and where it starts."""

    number: str
    kind: str
    first_event_on: date
    members: tuple[str, ...] = ()
    school: str = ""
    clauses: str = ""
    description: str = ""
    remedy: str = ""
    local: str = "etfo-avon-maitland"
    board: str = "amdsb-elementary"
    ruleset: str = "amdsb-etfo-article-33"
    document: str = ""


# -- the rules and calendar a case counts on ---------------------------------------

@lru_cache(maxsize=16)
def rules_named(name: str) -> RuleSet:
    return load_ruleset(name)


_calendars: dict[tuple[str, str, str], BoardCalendar] = {}


def calendar_for(session: Session, board_slug: str) -> BoardCalendar:
    """The board's calendar, built once per version of it (its calendar_token)."""
    token = session.scalar(calendar_operations.calendar_token(board_slug))
    key = (str(session.get_bind().url), board_slug, token or "")
    calendar = _calendars.get(key) if token else None
    if calendar is None:
        calendar = calendar_operations.board_calendar(session, board_slug)
        if len(_calendars) > 64:
            _calendars.clear()
        _calendars[key] = calendar
    return calendar


# -- user actions ------------------------------------------------------------------

def open_case(session: Session, case: NewCase, *, by: str, today: date) -> Grievance:
    check_lengths(number=case.number, school=case.school, clauses=case.clauses, description=case.description,
                  remedy=case.remedy, recorded_by=by, document=case.document)
    for member in case.members:
        check_length("members", member)
    _require(case.number.strip(), "number", "Give the grievance a number, e.g. 2025-014.")
    _require(by.strip(), "recorded_by", "Say who is recording the case.")
    rules = rules_named(case.ruleset)
    if case.kind not in rules.kinds:
        raise UserError(f"'{case.kind}' is not a kind of case.", field="kind", fix=f"Use one of: {', '.join(rules.kinds)}.")
    local = _local(session, case.local)
    if session.scalar(select(Grievance.id).where(Grievance.local_id == local.id, Grievance.number == case.number)):
        raise UserError(f"Grievance {case.number} already exists.", field="number", fix="Give a new number.")
    board = session.scalar(select(Board).where(Board.slug == case.board))
    if board is None:
        raise UserError(f"There is no board '{case.board}'.", field="board", fix="Load the board's calendar first.")
    first = CaseEvent(0, rules.kinds[case.kind].first_event, case.first_event_on, {}, 1)
    state = check_new_event(rules, calendar_for(session, case.board), case.kind, [], first, today)
    grievance = Grievance(
        local_id=local.id, board_id=board.id, ruleset=case.ruleset, number=case.number.strip(), kind=case.kind,
        members="\n".join(m.strip() for m in case.members if m.strip()), school=case.school, clauses=case.clauses,
        description=case.description, remedy=case.remedy, created_at=_now(), created_by=by, stage=state.stage,
        opened_on=case.first_event_on, derived_as_of=today)
    session.add(grievance)
    session.flush()
    session.add(_event_record(grievance, first, 1, by, case.document))
    _store_derived(session, grievance, state, today)
    return grievance


def record_event(session: Session, grievance_id: int, *, type: str, occurred_on: date, details: dict | None = None,
                 document: str = "", by: str, today: date, expected_version: int | None = None) -> Grievance:
    """Record what happened; refused (nothing stored) when the procedure does not allow it."""
    check_lengths(recorded_by=by, document=document)
    for name, value in (details or {}).items():
        check_length(f"details.{name}", value, limit_of="details")
    _require(by.strip(), "recorded_by", "Say who is recording the event.")
    grievance = _locked(session, grievance_id, expected_version)
    events = _case_events(session, grievance)
    seq = max((e.seq for e in events), default=0) + 1
    new = CaseEvent(None, type, occurred_on, _details_in(details or {}), seq)
    rules, calendar = rules_named(grievance.ruleset), calendar_for(session, _board_slug(session, grievance))
    state = check_new_event(rules, calendar, grievance.kind, events, new, today)
    session.add(_event_record(grievance, new, seq, by, document))
    _store_derived(session, grievance, state, today)
    return grievance


def void_event(session: Session, grievance_id: int, event_id: int, *, reason: str, by: str, today: date,
               expected_version: int | None = None) -> Grievance:
    """Correct a mistake: a new event voids the old one, with a reason; nothing is deleted."""
    check_lengths(reason=reason, recorded_by=by)
    _require(reason.strip(), "reason", "Say why the event was wrong.")
    grievance = _locked(session, grievance_id, expected_version)
    events = _case_events(session, grievance)
    if events and events[0].id == event_id and len([e for e in events if e.type != VOID]) == 1:
        raise UserError("The case's first event cannot be voided while it is the only one.", field="voids",
                        fix="Record the correct first event by opening the case again.")
    seq = max(e.seq for e in events) + 1
    void = CaseEvent(None, VOID, today, {}, seq, voids=event_id, reason=reason)
    state = replay(rules_named(grievance.ruleset), calendar_for(session, _board_slug(session, grievance)),
                   grievance.kind, [*events, void], today)
    record = _event_record(grievance, void, seq, by, "")
    record.voids_event_id, record.reason = event_id, reason
    session.add(record)
    _store_derived(session, grievance, state, today)
    return grievance


def correct_event(session: Session, grievance_id: int, event_id: int, *, occurred_on: date,
                  details: dict | None = None, reason: str, by: str, today: date,
                  expected_version: int | None = None) -> Grievance:
    """A wrong date or detail: void the event and record it again, checked together,
    so even the case's first event can be corrected."""
    check_lengths(reason=reason, recorded_by=by)
    for name, value in (details or {}).items():
        check_length(f"details.{name}", value, limit_of="details")
    _require(reason.strip(), "reason", "Say what was wrong (e.g. 'the reply was delivered on the 14th').")
    grievance = _locked(session, grievance_id, expected_version)
    events = _case_events(session, grievance)
    target = next((e for e in events if e.id == event_id and e.type != VOID), None)
    if target is None:
        raise UserError(f"Grievance {grievance.number} has no event {event_id} to correct.", field="event",
                        fix="Give the id of one of the case's events.")
    seq = max(e.seq for e in events) + 1
    void = CaseEvent(None, VOID, today, {}, seq, voids=event_id, reason=reason)
    again = CaseEvent(None, target.type, occurred_on, _details_in(details if details is not None else target.details),
                      seq + 1)
    state = check_new_event(rules_named(grievance.ruleset), calendar_for(session, _board_slug(session, grievance)),
                            grievance.kind, [*events, void], again, today)
    void_record = _event_record(grievance, void, seq, by, "")
    void_record.voids_event_id = event_id
    session.add_all([void_record, _event_record(grievance, again, seq + 1, by, "")])
    _store_derived(session, grievance, state, today)
    return grievance


def preview_event(session: Session, grievance_id: int, *, type: str, occurred_on: date, details: dict | None,
                  today: date) -> tuple[CaseState, CaseState]:
    """The case before and after the event, without storing anything (EventRefused if not allowed)."""
    grievance = _locked(session, grievance_id, None)
    events = _case_events(session, grievance)
    rules, calendar = rules_named(grievance.ruleset), calendar_for(session, _board_slug(session, grievance))
    before = replay(rules, calendar, grievance.kind, events, today)
    seq = max((e.seq for e in events), default=0) + 1
    after = check_new_event(rules, calendar, grievance.kind, events,
                            CaseEvent(None, type, occurred_on, _details_in(details or {}), seq), today)
    return before, after


def last_event_id(session: Session, grievance_id: int) -> int:
    return session.scalar(select(GrievanceEvent.id).where(GrievanceEvent.grievance_id == grievance_id)
                          .order_by(GrievanceEvent.seq.desc()).limit(1))


def most_urgent(session: Session, query, *, limit: int, offset: int = 0) -> list:
    """Rows of `query` (a select over Grievance), the next date to act by first and
    cases with none last. In two index-friendly steps, because ORDER BY on
    'next_act_by IS NULL' makes both databases sort every open case."""
    dated = session.execute(query.where(Grievance.next_act_by.is_not(None))
                            .order_by(Grievance.next_act_by, Grievance.id).limit(limit).offset(offset)).all()
    if len(dated) == limit:
        return dated
    skipped = offset - session.scalar(select(func.count()).select_from(
        query.where(Grievance.next_act_by.is_not(None)).subquery())) if offset else 0
    undated = session.execute(query.where(Grievance.next_act_by.is_(None)).order_by(Grievance.id)
                              .limit(limit - len(dated)).offset(max(0, skipped))).all()
    return dated + undated


def case_state(session: Session, grievance: Grievance, today: date) -> CaseState:
    """The case replayed from its events, for display (with explanations on demand)."""
    return replay(rules_named(grievance.ruleset), calendar_for(session, _board_slug(session, grievance)),
                  grievance.kind, _case_events(session, grievance), today)


# -- recomputing ---------------------------------------------------------------------

def recompute_after_calendar_change(session: Session, board_slug: str, first: date, last: date, *, reason: str,
                                    by: str, today: date, change_id: int | None = None) -> list["Move"]:
    """Recompute every case with a limit counted across the changed days (first..last, a
    day added or taken back), and put each deadline that moved on its case's timeline with
    the reason and the calendar change (`change_id`, a calendar_changes id) that moved it."""
    board_id = session.scalar(select(Board.id).where(Board.slug == board_slug))
    # Ended limits too: a reply met late can become timely, and what ran from a
    # lapse (33.02 c) moves with the lapsed limit's last day.
    affected = select(DeadlineRecord.grievance_id).where(
        DeadlineRecord.board_id == board_id, DeadlineRecord.trigger_date <= last,
        (DeadlineRecord.due >= first) | DeadlineRecord.due.is_(None)).distinct()
    return _recompute(session, sorted(session.scalars(affected).all()), today, reason=reason, by=by,
                      change_id=change_id).moves


def recompute_all(session: Session, today: date, *, reason: str = "full recompute", by: str = "system") -> int:
    """Replay every case; returns how many had stored facts that differed (and fixes them)."""
    ids = session.scalars(select(Grievance.id).order_by(Grievance.id)).all()
    return _recompute(session, ids, today, reason=reason, by=by).changed


@dataclass
class _Recomputed:
    changed: int = 0
    moves: list = field(default_factory=list)


RECOMPUTE_CHUNK = 500  # cases read, replayed and written together


def _recompute(session: Session, ids: list[int], today: date, *, reason: str, by: str,
               change_id: int | None = None) -> _Recomputed:
    """Replay cases in chunks, a few statements a chunk."""
    result = _Recomputed()
    slugs = dict(session.execute(select(Board.id, Board.slug)).all())
    calendars = {board_id: calendar_for(session, slug) for board_id, slug in slugs.items()}
    chunks = [ids[start:start + RECOMPUTE_CHUNK] for start in range(0, len(ids), RECOMPUTE_CHUNK)]
    moved = _MoveStamp(reason, by, _now(), change_id)
    replay_chunk = partial(_replay_chunk, today=today, calendars=calendars, moved=moved, result=result)
    if session.connection().dialect.name == "sqlite":
        for chunk in chunks:
            replay_chunk(_read_chunk(session, chunk)).execute(session)
    else:
        _replay_beside_the_server(session, chunks, replay_chunk)
    bulk.insert_rows(session, DeadlineMove.__table__, MOVE_COLUMNS,
                     [tuple(move[name] for name in MOVE_COLUMNS) for move in result.moves])
    result.moves = [Move(**move) for move in result.moves]
    return result


def _replay_beside_the_server(session: Session, chunks: list[list[int]], replay_chunk) -> None:
    """A database server works on the other core while the engine replays: the replay
    runs in a worker thread while this thread waits on the server, reading the next
    chunk and writing the last (the driver releases the GIL while it waits).
    Not for SQLite: it works in this process, and each of its calls hands the GIL back
    and forth with the worker (slower than replaying in turn)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="recompute") as replayer:
        replaying: deque = deque()
        for chunk in chunks:
            replaying.append(replayer.submit(replay_chunk, _read_chunk(session, chunk)))
            if len(replaying) > 1:  # write the chunk before while this one replays
                replaying.popleft().result().execute(session)
        while replaying:
            replaying.popleft().result().execute(session)


MOVE_COLUMNS = ("grievance_id", "deadline_key", "old_due", "new_due", "old_act_by", "new_act_by", "reason",
                "moved_at", "moved_by", "calendar_change_id")


@dataclass(frozen=True)
class Move:
    """A deadline a calendar change moved, as stored in deadline_moves (models.DeadlineMove):
    the agreement's date and the act-by (safe) date, before and after; None for no date."""

    grievance_id: int
    deadline_key: str
    old_due: date | None
    new_due: date | None
    old_act_by: date | None
    new_act_by: date | None
    reason: str
    moved_at: datetime
    moved_by: str
    calendar_change_id: int | None = None


class _MoveStamp(NamedTuple):
    """What every move of one recompute shares: why, who, when, and the calendar change."""

    reason: str
    by: str
    at: datetime
    change_id: int | None


@dataclass
class _ChunkRows:
    cases: list[tuple]
    events: list[tuple]
    deadlines: list[tuple]
    flags: list[tuple]


def _read_chunk(session: Session, chunk: list[int]) -> _ChunkRows:
    # The cases first, locked as record_event locks them: an event recorded meanwhile
    # waits, and is then replayed onto what this writes, not overwritten by it.
    cases = bulk.fetch_rows(session, (Grievance.id, Grievance.board_id, Grievance.ruleset, Grievance.kind,
                                      *DERIVED_COLUMNS), where_in=Grievance.id, ids=chunk, lock=True)
    return _ChunkRows(cases, _event_rows(session, chunk), *_stored_rows(session, chunk))


def _replay_chunk(rows: _ChunkRows, *, today, calendars, moved: _MoveStamp, result: _Recomputed) -> _Writes:
    """The rows to write for the cases whose stored facts differ from their replay (no database here)."""
    events, stored = _events_from(rows.events), _stored_from(rows)
    writes = _Writes()
    for case in map(_StoredCase._make, rows.cases):
        state = replay(rules_named(case.ruleset), calendars[case.board_id], case.kind, events.get(case.id, []), today)
        old_deadlines, old_flags = stored.get(case.id, ([], []))
        new_deadlines = [_deadline_values(d) for d in state.deadlines]
        new_flags = [_flag_values(f) for f in state.flags]
        derived = _derived_values(state, today, case.opened_on)
        if (_values(old_deadlines) == new_deadlines and _values(old_flags) == new_flags
                and tuple(case[4:]) == derived_values(derived)):
            continue
        result.changed += 1
        result.moves.extend(_moves(case.id, old_deadlines, state, moved))
        writes.add(case, old_deadlines, new_deadlines, old_flags, new_flags, derived)
    return writes


# What a replay derives, as stored: compared as tuples so that only rows that differ are written.
DEADLINE_COLUMNS = ("key", "clause", "party", "trigger", "trigger_date", "n", "unit", "delay", "extended_to", "due",
                    "safe_due", "act_by", "status", "is_open", "ended_on", "error")
FLAG_COLUMNS = ("code", "clause", "message", "deadline_key", "date")
DERIVED_COLUMN_NAMES = ("stage", "is_open", "opened_on", "next_act_by", "next_party", "next_deadline_key", "flag_codes")
DERIVED_COLUMNS = tuple(getattr(Grievance, name) for name in DERIVED_COLUMN_NAMES)
DERIVED_WRITTEN = ("stage", "is_open", "derived_as_of", "opened_on", "next_act_by", "next_party", "next_deadline_key",
                   "flag_codes")  # what _derived_values gives
derived_values = itemgetter(*DERIVED_COLUMN_NAMES)
KEY, DUE, ACT_BY, IS_OPEN = (DEADLINE_COLUMNS.index(name) for name in ("key", "due", "act_by", "is_open"))


class _StoredCase(NamedTuple):
    id: int
    board_id: int
    ruleset: str
    kind: str
    stage: str            # DERIVED_COLUMN_NAMES from here on
    is_open: bool
    opened_on: date
    next_act_by: date | None
    next_party: str | None
    next_deadline_key: str | None
    flag_codes: str


def _values(stored: list[tuple[int, tuple]]) -> list[tuple]:
    return [values for _id, values in stored]


@dataclass
class _Writes:
    """The rows a chunk of recomputed cases must change. A calendar change
    typically moves one or two of a case's eight or so deadlines: updating those
    rows in place costs a fraction of deleting and re-inserting them all (every
    row written touches four indexes). Rows keep their order (by id), the order
    the engine gives them, because extra rows go at the end."""

    deadline_updates: list = field(default_factory=list)
    deadline_inserts: list = field(default_factory=list)
    deadline_deletes: list = field(default_factory=list)
    flag_rewrites: list = field(default_factory=list)
    flag_inserts: list = field(default_factory=list)
    grievances: list = field(default_factory=list)

    def add(self, case, old_deadlines, new_deadlines, old_flags, new_flags, derived) -> None:
        for (old_id, old_values), new in zip(old_deadlines, new_deadlines):
            if old_values != new:
                self.deadline_updates.append((old_id, *new))
        self.deadline_inserts += [(case.id, case.board_id, *new) for new in new_deadlines[len(old_deadlines):]]
        self.deadline_deletes += [old_id for old_id, _values in old_deadlines[len(new_deadlines):]]
        if _values(old_flags) != new_flags:  # flags are few: rewrite the case's set
            self.flag_rewrites.append(case.id)
            self.flag_inserts += [(case.id, *new) for new in new_flags]
        self.grievances.append((case.id, *(derived[name] for name in DERIVED_WRITTEN)))

    def execute(self, session: Session) -> None:
        if self.deadline_deletes:
            session.execute(delete(DeadlineRecord).where(DeadlineRecord.id.in_(self.deadline_deletes)))
        bulk.update_rows(session, DeadlineRecord.__table__, DEADLINE_COLUMNS, self.deadline_updates)
        bulk.insert_rows(session, DeadlineRecord.__table__, ("grievance_id", "board_id", *DEADLINE_COLUMNS),
                         self.deadline_inserts)
        if self.flag_rewrites:
            session.execute(delete(FlagRecord).where(FlagRecord.grievance_id.in_(self.flag_rewrites)))
        bulk.insert_rows(session, FlagRecord.__table__, ("grievance_id", *FLAG_COLUMNS), self.flag_inserts)
        bulk.update_rows(session, Grievance.__table__, DERIVED_WRITTEN, self.grievances, increment=("version",))


def _stored_rows(session: Session, ids: list[int]) -> tuple[list[tuple], list[tuple]]:
    """The stored deadline and flag rows of the cases: (grievance_id, id, *values), in the order written."""
    return tuple(bulk.fetch_rows(session, (model.grievance_id, model.id, *(getattr(model, name) for name in columns)),
                                 where_in=model.grievance_id, ids=ids, order_by=model.id)
                 for model, columns in ((DeadlineRecord, DEADLINE_COLUMNS), (FlagRecord, FLAG_COLUMNS)))


def _stored_from(rows: _ChunkRows) -> dict[int, tuple[list, list]]:
    """Each case's stored deadlines and flags as (id, values)."""
    out: dict[int, tuple[list, list]] = {}
    for which, stored in ((0, rows.deadlines), (1, rows.flags)):
        for gid, row_id, *values in stored:
            out.setdefault(gid, ([], []))[which].append((row_id, tuple(values)))
    return out


def _moves(grievance_id: int, old_rows, state, moved: _MoveStamp):
    """Each deadline whose agreement's date or act-by date differs from the stored one, as a
    row for deadline_moves: running before or after (an ended limit's date is history), and
    a limit that starts (no date before) or stops running (no date after) with the change.
    Both dates are compared: a closure may move one and leave the other (Regulation 304)."""
    old: dict[str, list[tuple]] = {}
    for _id, values in old_rows:
        old.setdefault(values[KEY], []).append(values)
    for d in state.deadlines:
        before = old[d.key].pop(0) if old.get(d.key) else None
        was = (before[DUE], before[ACT_BY]) if before else (None, None)
        if (d.is_open or (before and before[IS_OPEN])) and was != (d.due, d.act_by):
            yield _move_row(grievance_id, d.key, was, (d.due, d.act_by), moved)
    for key, gone in old.items():  # limits that no longer run (a lapse undone: what ran from it)
        for before in gone:
            if before[IS_OPEN] and (before[DUE], before[ACT_BY]) != (None, None):
                yield _move_row(grievance_id, key, (before[DUE], before[ACT_BY]), (None, None), moved)


def _move_row(grievance_id: int, key: str, was: tuple, now: tuple, moved: _MoveStamp) -> dict:
    """(due, act_by) before and after, as a deadline_moves row."""
    return dict(grievance_id=grievance_id, deadline_key=key, old_due=was[0], new_due=now[0], old_act_by=was[1],
                new_act_by=now[1], reason=moved.reason, moved_at=moved.at, moved_by=moved.by,
                calendar_change_id=moved.change_id)


# -- stored derived facts -----------------------------------------------------------------

def _store_derived(session: Session, grievance: Grievance, state: CaseState, today: date) -> None:
    session.execute(delete(DeadlineRecord).where(DeadlineRecord.grievance_id == grievance.id))
    session.execute(delete(FlagRecord).where(FlagRecord.grievance_id == grievance.id))
    if state.deadlines:
        session.execute(DeadlineRecord.__table__.insert(), [_deadline_row(grievance, d) for d in state.deadlines])
    if state.flags:
        session.execute(FlagRecord.__table__.insert(), _flag_dicts(grievance.id, state))
    for name, value in _derived_values(state, today, grievance.opened_on).items():
        setattr(grievance, name, value)
    grievance.version = (grievance.version or 0) + 1


def _derived_values(state: CaseState, today: date, opened_on: date) -> dict:
    """The grievance row's derived columns: where it stands and what is due next."""
    following = state.next_deadline
    return {"stage": state.stage, "is_open": state.open, "derived_as_of": today,
            "opened_on": state.opened_on or opened_on,  # a corrected first event moves it
            "next_act_by": following.act_by if following else None,
            "next_party": following.party if following else None,
            "next_deadline_key": following.key if following else None,
            "flag_codes": " ".join(sorted({f.code for f in state.flags}))}


def _flag_dicts(grievance_id: int, state: CaseState) -> list[dict]:
    return [dict(grievance_id=grievance_id, **dict(zip(FLAG_COLUMNS, _flag_values(f)))) for f in state.flags]


def _flag_values(f) -> tuple:
    """A flag as stored, in FLAG_COLUMNS order."""
    return f.code, f.clause, f.message, f.deadline_key, f.date


def _deadline_row(grievance: Grievance, d) -> dict:
    return dict(grievance_id=grievance.id, board_id=grievance.board_id, **dict(zip(DEADLINE_COLUMNS, _deadline_values(d))))


def _deadline_values(d) -> tuple:
    """A deadline as stored, in DEADLINE_COLUMNS order."""
    return (d.key, d.rule.clause, d.party, d.trigger, d.trigger_date, d.rule.n, str(d.rule.unit), d.delay,
            d.extended_to, d.due, d.safe_due, d.act_by, d.status, d.is_open, d.ended_on, d.error)


# -- reading events --------------------------------------------------------------------------

def _case_events(session: Session, grievance: Grievance) -> list[CaseEvent]:
    return _events_from(_event_rows(session, [grievance.id])).get(grievance.id, [])


def _event_rows(session: Session, ids: list[int]) -> list[tuple]:
    return bulk.fetch_rows(session, (GrievanceEvent.grievance_id, GrievanceEvent.id, GrievanceEvent.type,
                                     GrievanceEvent.occurred_on, GrievanceEvent.details, GrievanceEvent.seq,
                                     GrievanceEvent.voids_event_id, GrievanceEvent.reason),
                           where_in=GrievanceEvent.grievance_id, ids=ids, order_by=GrievanceEvent.seq)


def _events_from(rows: list[tuple]) -> dict[int, list[CaseEvent]]:
    """Each case's events, in the order recorded."""
    out: dict[int, list[CaseEvent]] = {}
    for gid, eid, type_, on, details, seq, voids, reason in rows:
        parsed = _details_in(json.loads(details)) if details and details != "{}" else {}
        out.setdefault(gid, []).append(CaseEvent(eid, type_, on, parsed, seq, voids, reason or ""))
    return out


def _details_in(details: dict) -> dict:
    """Dates in details arrive as ISO text (JSON, forms); the engine wants dates."""
    out = dict(details)
    for name in DATE_DETAILS:
        if isinstance(out.get(name), str):
            try:
                out[name] = date.fromisoformat(out[name])
            except ValueError:
                raise UserError(f"'{out[name]}' is not a date.", field=f"details.{name}",
                                fix="Write it as YYYY-MM-DD.") from None
    return out


def _details_out(details) -> str:
    return json.dumps({k: v.isoformat() if isinstance(v, date) else v for k, v in details.items()}, sort_keys=True)


def _event_record(grievance: Grievance, event: CaseEvent, seq: int, by: str, document: str) -> GrievanceEvent:
    return GrievanceEvent(grievance_id=grievance.id, seq=seq, type=event.type, occurred_on=event.occurred_on,
                          details=_details_out(event.details), document=document, recorded_by=by,
                          recorded_at=_now(), reason=event.reason)


# -- small helpers ---------------------------------------------------------------------------

def _locked(session: Session, grievance_id: int, expected_version: int | None) -> Grievance:
    grievance = session.scalar(select(Grievance).where(Grievance.id == grievance_id).with_for_update())
    if grievance is None:
        raise UserError(f"There is no grievance {grievance_id}.", field="grievance", fix="Check the link or number.")
    if expected_version is not None and grievance.version != expected_version:
        raise StaleCase("Someone else changed this case since you opened it.", field="version",
                        fix="Reload the case, check what changed, and record the event again if it is still needed.")
    return grievance


def _board_slug(session: Session, grievance: Grievance) -> str:
    return session.scalar(select(Board.slug).where(Board.id == grievance.board_id))


def _local(session: Session, slug: str) -> UnionLocal:
    local = session.scalar(select(UnionLocal).where(UnionLocal.slug == slug))
    if local is None:
        raise UserError(f"There is no union local '{slug}'.", field="local", fix="Create the local first.")
    return local


def ensure_local(session: Session, slug: str, name: str) -> UnionLocal:
    local = session.scalar(select(UnionLocal).where(UnionLocal.slug == slug))
    if local is None:
        local = UnionLocal(slug=slug, name=name)
        session.add(local)
        session.flush()
    return local


def _require(value, field: str, fix: str) -> None:
    if not value:
        raise UserError(f"'{field}' is required.", field=field, fix=fix)


def _now() -> datetime:
    return datetime.now(timezone.utc)


__all__ = ["NewCase", "StaleCase", "EventRefused", "open_case", "record_event", "void_event", "correct_event",
           "preview_event", "last_event_id", "most_urgent", "case_state",
           "recompute_after_calendar_change", "recompute_all", "calendar_for", "rules_named", "ensure_local"]
