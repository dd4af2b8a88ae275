"""Grievances at scale: recording an event, the most-urgent list, and recomputing
after a calendar change, on 100,000 synthetic cases (about a million events) on
SQLite and on PostgreSQL.

    python -m benchmarks grievances [--quick] [--profile] [--sqlite-only | --postgres-only]

--quick uses 10,000 cases. --profile runs each measured operation once more
under cProfile and prints where its time goes. PostgreSQL is the server named
by TEST_POSTGRES_URL (its public schema is dropped and recreated, as the test
suite does), else a throw-away one started with scripts/postgres-test-server
and stopped at the end. SQLite is a file in a temporary directory.

The cases are built without the operations (too slow for a million events):
each is a random but procedurally valid walk through Article 33 (kinds
individual, group, policy, union and board; meetings, lapses, late replies,
extensions, omitted steps, mediation, corrections by void, settlements),
dated on the school days of 2025-26 up to TODAY, replayed once with
workflows.engine.replay, and stored with bulk inserts: the grievance row,
its events, and the deadlines and flags exactly as operations.grievances
stores them (_derived_values, _deadline_row, _flag_dicts). A refused walk
is skipped. The run proves the stored rows are right: recompute_all (timed)
must find no case whose stored facts differ.

Every figure is also given as a ratio to a reference measured in the same
run on the same database: one transaction reading one grievance by its
primary key.
"""
from __future__ import annotations

import contextlib
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, time as clock, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy
from alembic import command
from sqlalchemy import create_engine, func, insert, select, text

from cli.database import alembic_config
from models import Board, Grievance
from operations import calendars as calendar_ops
from operations import grievances as ops
from school_calendar.calendar_file import read_board_directory
from school_calendar.days import ClosureKind
from workflows.engine import VOID, CaseEvent, EventRefused, replay

TODAY = date(2026, 3, 5)          # a Thursday; 2025-26 cases are open at every step
YEAR_START = date(2025, 9, 2)
LOCAL, LOCAL_NAME = "etfo-avon-maitland", "ETFO Avon Maitland Teachers' Local (benchmark)"
BOARD, RULESET = "amdsb-elementary", "amdsb-etfo-article-33"
FULL, QUICK = 100_000, 10_000
REFERENCE_CALLS, LIST_CALLS, RECORD_CALLS = 200, 50, 100
GOALS_MS = {"record_event": 20, "list": 50, "closure": 10_000}
ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
BY = "benchmark"


# -- synthetic cases ---------------------------------------------------------------------------

KINDS = (("individual", 0.45), ("group", 0.15), ("policy", 0.15), ("union", 0.10), ("board", 0.15))


class _Today(Exception):
    """The walk reached today: the case is open where it stands."""


class _Walk:
    """One case's events, in date order, as the parties might have produced them."""

    def __init__(self, rng: random.Random, calendar, kind: str, start: date):
        self.rng, self.calendar, self.kind = rng, calendar, kind
        self.day = start
        self.events: list[tuple[str, date, dict]] = []

    def at(self, school_days: int) -> date:
        day = self.calendar.add(self.day, school_days) if school_days else self.day
        if day > TODAY:
            raise _Today
        self.day = day
        return day

    def add(self, type_: str, school_days: int, **details) -> date:
        day = self.at(school_days)
        self.events.append((type_, day, details))
        return day

    def gap(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def maybe_close(self, p: float) -> bool:
        """Settled, withdrawn or recorded as abandoned, with probability p."""
        if self.rng.random() >= p:
            return False
        outcome = self.rng.choices(("settled", "withdrawn", "abandoned"), (0.65, 0.28, 0.07))[0]
        self.add(outcome, self.gap(1, 6))
        return True

    def maybe_mediation(self) -> None:
        if self.rng.random() < 0.3:
            by = self.calendar.add(self.day, self.gap(10, 25))
            self.add("mediation_agreed", self.gap(1, 3), mediator="M. Mediator (fictional)", mediation_by=by)
            if self.rng.random() < 0.7:
                self.add("mediation_held", self.gap(2, 8))

    def meeting(self) -> None:
        self.add("meeting_requested", self.gap(1, 4))
        if self.rng.random() < 0.9:
            self.add("meeting_held", self.gap(2, 9))

    def run(self) -> list[tuple[str, date, dict]]:
        try:
            self.board_case() if self.kind == "board" else self.union_case()
        except _Today:
            return self.events  # the walk reached today: the case stays open where it stands
        return self.events

    # -- the union's cases (33.03 to 33.05) --------------------------------------------------

    def union_case(self) -> None:
        self.add("awareness", 0)
        if self.kind in ("individual", "group"):
            self.add("complaint_raised", self.gap(1, 11 if self.rng.random() < 0.1 else 7))  # late now and then
            self.add("complaint_discussed", self.gap(1, 4))
            if self.maybe_close(0.12):                                # settled with the supervisor
                return
            self.add("grievance_filed", self.gap(1, 11 if self.rng.random() < 0.1 else 8))
        else:
            self.add("grievance_filed", self.gap(1, 11 if self.rng.random() < 0.1 else 8))
        omitted = self.kind in ("policy", "union") and self.rng.random() < 0.15
        if omitted:
            self.add("steps_omitted", self.gap(1, 3), step="step_2")
        self.step(1)
        if self.maybe_close(0.08):
            return
        if omitted:
            self.add("arbitration_notice", self.gap(2, 9), appointee="A. Appointee (fictional)")
        else:
            self.step_2_referral()
            self.step(2)
            if self.maybe_close(0.1):
                return
            self.add("arbitration_notice", self.gap(1, 8), appointee="A. Appointee (fictional)")
        self.arbitration()

    def step(self, n: int) -> None:
        """Step n: a meeting perhaps, then the reply: in time, late, or never (33.02 c)."""
        roll = self.rng.random()
        reply = f"step{n}_reply"
        if roll < 0.25:                                   # no reply: the limit lapses
            self.at(self.gap(11, 14))
        elif roll > 0.9:                                  # a late reply
            self.at(self.gap(11, 13))
            self.add(reply, 0)
        else:
            if roll < 0.8:
                self.meeting()
            self.add(reply, self.gap(1, 5))
        self.maybe_mediation()

    def step_2_referral(self) -> None:
        if self.rng.random() < 0.06 and self.events[-1][0] == "step1_reply":
            due = self.calendar.add(self.events[-1][1], 10)
            self.add("extension_agreed", self.gap(2, 6), limit="step2_referral",
                     new_due=self.calendar.add(due, self.gap(5, 15)))
            self.add("step2_referral", self.gap(4, 10))
        else:
            self.add("step2_referral", self.gap(1, 11 if self.rng.random() < 0.1 else 7))

    # -- the Board's cases (33.06) ---------------------------------------------------------------

    def board_case(self) -> None:
        self.add("occurrence", 0)
        self.add("board_grievance_filed", self.gap(1, 10))
        if self.rng.random() < 0.7:
            self.add("union_reply", self.gap(1, 10))
        else:
            self.at(self.gap(11, 13))
        if self.maybe_close(0.3):
            return
        self.add("arbitration_notice", self.gap(1, 9), appointee="B. Board Appointee (fictional)")
        self.arbitration()

    # -- arbitration (33.08) -------------------------------------------------------------------------

    def arbitration(self) -> None:
        if self.rng.random() < 0.35:
            self.add("single_arbitrator_accepted", self.gap(1, 8))
        else:
            self.add("appointee_named", self.gap(1, 8), appointee="C. Nominee (fictional)")
            if self.rng.random() < 0.12:                  # no chair in time: the Minister appoints
                self.at(self.gap(11, 13))
                self.add("minister_requested", 0)
                self.add("minister_appointed", self.gap(5, 15))
            else:
                self.add("chair_appointed", self.gap(1, 8), chair="D. Chair (fictional)")
        if self.maybe_close(0.15):
            return
        self.maybe_mediation()
        hearing = self.calendar.add(self.day, self.gap(10, 25))
        self.add("hearing_scheduled", self.gap(1, 5), hearing_date=hearing)
        if self.maybe_close(0.12):
            return
        self.day = max(self.day, hearing)
        if self.day > TODAY:
            raise _Today
        self.add("hearing_held", 0)
        self.add("decision", self.gap(5, 20), outcome=self.rng.choice(("allowed", "allowed in part", "dismissed")))


@dataclass
class Case:
    id: int
    kind: str
    number: str
    members: str
    school: str
    events: list[CaseEvent]           # in the order recorded: seq 1, 2, ...
    state: object                     # workflows.engine.CaseState


@dataclass
class Data:
    cases: list[Case]
    refused: int
    seconds: float
    local_id: int
    board_id: int


def _school_days(calendar) -> list[date]:
    day, out = YEAR_START, []
    while day <= TODAY:
        if calendar.is_counted(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def build_cases(calendar, rules, size: int, local_id: int, board_id: int, seed: int = 33) -> Data:
    """`size` synthetic cases, replayed; the few the engine refuses are left out."""
    started = time.perf_counter()
    rng = random.Random(seed)
    starts = _school_days(calendar)
    kinds, weights = zip(*KINDS)
    cases, refused, event_id = [], 0, 0
    while len(cases) < size:
        kind = rng.choices(kinds, weights)[0]
        # Earlier starts are more likely: cases pile up over the year.
        start = starts[int(len(starts) * rng.random() ** 1.4)]
        walked = _Walk(rng, calendar, kind, start).run()
        ids = list(range(event_id + 1, event_id + 1 + len(walked)))
        events = [CaseEvent(i, t, d, details, seq) for seq, (i, (t, d, details)) in enumerate(zip(ids, walked), 1)]
        if len(events) > 2 and rng.random() < 0.05:
            events = _corrected(rng, calendar, events, ids)
        try:
            state = replay(rules, calendar, kind, events, TODAY)
        except EventRefused:
            refused += 1
            continue
        event_id = max(e.id for e in events)
        n = len(cases) + 1
        members = "\n".join(f"Member {n:06d}-{k} (fictional)" for k in range(3 if kind == "group" else 1))
        cases.append(Case(n, kind, f"B-{n:06d}", members, f"School {n % 47:02d} (fictional)", events, state))
    return Data(cases, refused, time.perf_counter() - started, local_id, board_id)


def _corrected(rng, calendar, events, ids):
    """A mistake corrected the tool's way: an event recorded with the wrong date,
    voided with a reason, and recorded again (seq records the order of entry)."""
    k = rng.randrange(1, len(events))
    good = events[k]
    wrong_day = min(calendar.add(good.occurred_on, 1), TODAY)
    next_id = ids[-1] + 1
    wrong = CaseEvent(good.id, good.type, wrong_day, good.details, good.seq)
    void = CaseEvent(next_id, VOID, max(e.occurred_on for e in events), {}, len(events) + 1, voids=good.id,
                     reason="wrong date: see the letter")
    again = CaseEvent(next_id + 1, good.type, good.occurred_on, good.details, len(events) + 2)
    return [*events[:k], wrong, *events[k + 1:], void, again]


# -- rows, exactly as the operations store them ---------------------------------------------------

EVENT_COLUMNS = ("id", "grievance_id", "seq", "type", "occurred_on", "details", "document", "recorded_by",
                 "recorded_at", "voids_event_id", "reason")


def _at(day: date) -> datetime:
    return datetime.combine(day, clock(16, 30), tzinfo=timezone.utc)


def rows(data: Data):
    """(table, columns, tuples) for each table, in foreign-key order. The derived
    columns, deadlines and flags come from the operations' own helpers."""
    grievances, events, deadlines, flags = [], [], [], []
    columns = {}
    for case in data.cases:
        state = case.state
        grievance = dict(
            id=case.id, local_id=data.local_id, board_id=data.board_id, ruleset=RULESET, number=case.number,
            kind=case.kind, members=case.members, school=case.school, clauses="12.06 Preparation Time (synthetic)",
            description="A synthetic case for the benchmark.", remedy="Make the teacher whole.",
            created_at=_at(case.events[0].occurred_on), created_by=BY,
            version=1 + len(case.events),  # open_case stores version 2; each later event adds 1
            **ops._derived_values(state, TODAY, state.opened_on))
        columns.setdefault("grievances", tuple(grievance))
        grievances.append(tuple(grievance.values()))
        for e in case.events:
            events.append((e.id, case.id, e.seq, e.type, e.occurred_on, ops._details_out(e.details), "", BY,
                           _at(e.occurred_on), e.voids if e.type == VOID else None, e.reason))
        owner = SimpleNamespace(id=case.id, board_id=data.board_id)
        for d in state.deadlines:
            row = ops._deadline_row(owner, d)
            columns.setdefault("deadlines", ("id", *row))
            deadlines.append((len(deadlines) + 1, *row.values()))
        for row in ops._flag_dicts(case.id, state):
            columns.setdefault("flags", ("id", *row))
            flags.append((len(flags) + 1, *row.values()))
    return [("grievances", columns["grievances"], grievances), ("grievance_events", EVENT_COLUMNS, events),
            ("deadlines", columns["deadlines"], deadlines), ("flags", columns.get("flags", ("id",)), flags)]


# -- databases ---------------------------------------------------------------------------------------

@contextlib.contextmanager
def postgres_url():
    """TEST_POSTGRES_URL, emptied; else a throw-away server for the run."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        yield url
        return
    script = ROOT / "scripts" / "postgres-test-server"
    out = subprocess.run([str(script), "start"], check=True, capture_output=True, text=True).stdout
    env = dict(part.split("=", 1) for part in shlex.split(out.strip().removeprefix("export ")))
    try:
        yield env["TEST_POSTGRES_URL"]
    finally:
        subprocess.run([str(script), "stop", env["PG_TEST_DIR"]], check=False, capture_output=True)


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def prepare(url: str):
    """Migrate, load the shipped calendars, create the local and an officer: what
    `make run` does."""
    from app import create_app
    from operations.accounts import create_user

    if url.startswith("postgresql"):
        _empty_postgres(url)
    command.upgrade(alembic_config(url), "head")
    app = create_app({"TESTING": True, "DATABASE_URL": url, "TODAY": TODAY.isoformat()})
    database = app.extensions["database"]
    with database.transaction() as session:
        for years in read_board_directory().values():
            for year in years:
                calendar_ops.load_school_year(session, year, by=BY, reason="benchmark")
        local = ops.ensure_local(session, LOCAL, LOCAL_NAME)
        officer = create_user(session, local=LOCAL, email="officer@example.org", name="Benchmark Officer",
                              password="a benchmark's long password", role="officer")
        board_id = session.scalar(select(Board.id).where(Board.slug == BOARD))
        calendar = ops.calendar_for(session, BOARD)
    app.config["BENCHMARK_OFFICER"] = officer.id
    return app, database, local.id, board_id, calendar


def bulk_insert(database, tables) -> None:
    engine = database.engine
    if engine.dialect.name == "postgresql":
        _copy(engine, tables)
        return
    metadata = Grievance.metadata
    with engine.begin() as connection:
        for name, columns, values in tables:
            statement = insert(metadata.tables[name])
            for start in range(0, len(values), 20_000):
                connection.execute(statement, [dict(zip(columns, v)) for v in values[start:start + 20_000]])


def _copy(engine, tables) -> None:
    """PostgreSQL: COPY through psycopg, then the sequences past the ids given, and
    VACUUM ANALYZE (what autovacuum does soon after a load this size)."""
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        with connection.cursor() as cursor:
            for name, columns, values in tables:
                with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                               f"(SELECT coalesce(max(id), 1) FROM {name}))")
        connection.commit()
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        connection.autocommit = False
    finally:
        raw.close()


# -- measuring ------------------------------------------------------------------------------------

def _timed(fn, calls) -> list[float]:
    out = []
    for argument in calls:
        started = time.perf_counter()
        fn(argument)
        out.append(time.perf_counter() - started)
    return out


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


class _Profiles:
    def __init__(self, enabled: bool):
        self.enabled, self.reports = enabled, {}

    def run(self, name: str, fn) -> None:
        if not self.enabled:
            return
        profiler = cProfile.Profile()
        profiler.runcall(fn)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(28)
        stats.sort_stats("tottime").print_stats(14)
        self.reports[name] = out.getvalue()


def next_events(data: Data) -> list[tuple[int, str]]:
    """Open cases whose procedure allows a reply or referral today, with that event."""
    out = []
    for case in data.cases:
        state = case.state
        if not state.open:
            continue
        happened = {e.type for e in state.events}
        if state.stage == "step_1" and "step1_reply" not in happened:
            out.append((case.id, "step1_reply"))
        elif state.stage == "step_1" and "steps_omitted" not in happened:
            out.append((case.id, "step2_referral"))
        elif state.stage == "step_2" and "step2_reply" not in happened:
            out.append((case.id, "step2_reply"))
        elif state.stage == "board_step_1" and "union_reply" not in happened:
            out.append((case.id, "union_reply"))
    return out


@contextlib.contextmanager
def _counting_recomputed():
    """How many cases the closure selects for replay: the ids handed to
    operations.grievances._recompute, whatever query chose them (behaviour unchanged)."""
    seen, original = {}, getattr(ops, "_recompute", None)
    if original is None:
        yield seen
        return

    def counting(session, ids, *args, **kwargs):
        seen["cases"] = seen.get("cases", 0) + len(ids)
        return original(session, ids, *args, **kwargs)

    ops._recompute = counting
    try:
        yield seen
    finally:
        ops._recompute = original


def strike_days(calendar) -> tuple[date, date]:
    """The three school days after today: every limit running now crosses them."""
    first = calendar.add(TODAY, 1)
    return first, calendar.add(TODAY, 3)


def measure(app, database, data: Data, calendar, quick: bool, profiles: _Profiles) -> dict:
    rng = random.Random(304)
    ids = [c.id for c in data.cases]
    out = {}

    # The reference: one transaction reading one grievance by its primary key.
    def reference(gid):
        with database.transaction() as session:
            session.scalar(select(Grievance).where(Grievance.id == gid))

    _timed(reference, rng.sample(ids, 20))
    out["reference"] = _timed(reference, rng.sample(ids, REFERENCE_CALLS))

    # The 50 most urgent open cases of the local: GET /api/grievances as an officer
    # (the login's user loaded, web/api.py's query, its summaries rendered as JSON).
    client = app.test_client()
    from operations.login_sessions import open_session  # a real session: a cookie naming a user is not enough

    with database.transaction() as session:
        secret = open_session(session, app.config["BENCHMARK_OFFICER"])
    with client.session_transaction() as cookie:
        cookie["sid"], cookie["seen"] = secret, time.time()

    def urgent(_):
        response = client.get("/api/grievances?limit=50")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response

    assert len(urgent(None).get_json()["grievances"]) == 50
    _timed(urgent, range(3))
    out["list"] = _timed(urgent, range(LIST_CALLS))
    profiles.run("list", lambda: [urgent(None) for _ in range(10)])

    # Recording one event on an open case.
    candidates = rng.sample(next_events(data), RECORD_CALLS + 5 + (20 if profiles.enabled else 0))

    def record(candidate):
        gid, type_ = candidate
        with database.transaction() as session:
            ops.record_event(session, gid, type=type_, occurred_on=TODAY, by=BY, today=TODAY)

    _timed(record, candidates[:5])
    out["record_event"] = _timed(record, candidates[5:RECORD_CALLS + 5])
    out["record_event_types"] = sorted({t for _, t in candidates})
    profiles.run("record_event", lambda: [record(c) for c in candidates[RECORD_CALLS + 5:]])

    # Full replay of every case: must find nothing to fix (the bulk-loaded rows are right).
    def full():
        with database.transaction() as session:
            return ops.recompute_all(session, TODAY)

    started = time.perf_counter()
    changed = full()
    out["recompute_all"] = time.perf_counter() - started
    out["recompute_all_changed"] = changed
    assert changed == 0, f"recompute_all changed {changed} cases: the bulk-loaded rows differ from the operations'"

    # A three-day strike, added through operations.calendars.add_closure.
    first, last = strike_days(calendar)
    versions = select(func.coalesce(func.sum(Grievance.version), 0))
    with database.transaction() as session:
        out["open_cases"] = session.scalar(select(func.count()).where(Grievance.is_open.is_(True)))
        versions_before = session.scalar(versions)

    def strike():
        with database.transaction() as session:
            return calendar_ops.add_closure(session, BOARD, first, last, ClosureKind.STRIKE, "Strike (benchmark)",
                                            by=BY, reason="Benchmark: a three-day strike", today=TODAY)

    out["closure_days"] = (first.isoformat(), last.isoformat())
    with _counting_recomputed() as recomputed:
        if profiles.enabled:
            profiler = cProfile.Profile()
            started = time.perf_counter()
            moves = profiler.runcall(strike)
            out["closure"] = time.perf_counter() - started
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream)
            stats.sort_stats("cumulative").print_stats(28)
            stats.sort_stats("tottime").print_stats(14)
            profiles.reports["closure (add_closure, profiled: slower than unprofiled)"] = stream.getvalue()
        else:
            started = time.perf_counter()
            moves = strike()
            out["closure"] = time.perf_counter() - started
    out["closure_cases"] = recomputed.get("cases")
    with database.transaction() as session:
        out["closure_cases_changed"] = session.scalar(versions) - versions_before   # each change bumps version
    out["closure_moves"] = len(moves)
    out["closure_cases_moved"] = len({m.grievance_id for m in moves})
    if quick:
        # The closure's recompute must have caught every case it changed.
        with database.transaction() as session:
            out["after_closure_changed"] = ops.recompute_all(session, TODAY)
    return out


def run_database(label: str, url: str, size: int, quick: bool, built: dict, profiles: _Profiles) -> dict:
    started = time.perf_counter()
    app, database, local_id, board_id, calendar = prepare(url)
    prepared = time.perf_counter() - started
    if "data" not in built:
        built["data"] = build_cases(calendar, ops.rules_named(RULESET), size, local_id, board_id)
        started = time.perf_counter()
        built["rows"] = rows(built["data"])
        built["rows_seconds"] = time.perf_counter() - started
    data = built["data"]
    assert (local_id, board_id) == (data.local_id, data.board_id), "a fresh database should number alike"
    started = time.perf_counter()
    bulk_insert(database, built["rows"])
    loaded = time.perf_counter() - started
    # The synthetic cases (a million events as Python objects) stay in memory for the
    # next database. Frozen, the garbage collector skips them: an app's process holds
    # no such heap, and walking it cost a seventh of the recompute at 100,000 cases.
    gc.collect()
    gc.freeze()
    try:
        result = measure(app, database, data, calendar, quick, profiles)
    finally:
        gc.unfreeze()
        database.dispose()
    with create_engine(url).connect() as connection:
        version = connection.exec_driver_sql(
            "SELECT sqlite_version()" if url.startswith("sqlite") else "SHOW server_version").scalar()
    return {"database": label, "version": str(version).split()[0], "prepare_s": prepared, "load_s": loaded, **result}


# -- the report ----------------------------------------------------------------------------------------

def report(size: int, built: dict, results: list[dict]) -> str:
    data = built["data"]
    counts = {name: len(values) for name, _, values in built["rows"]}
    open_cases = sum(1 for c in data.cases if c.state.open)
    kinds = {k: sum(1 for c in data.cases if c.kind == k) for k, _ in KINDS}
    ms = 1e3
    lines = [
        f"Grievances: {size:,} synthetic cases on the AMDSB 2025-26 calendar, today {TODAY} "
        f"({platform.python_implementation()} {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
        f"{os.cpu_count()} CPUs)",
        f"  {counts['grievance_events']:,} events ({counts['grievance_events'] / len(data.cases):.1f} a case), "
        f"{counts['deadlines']:,} deadlines, {counts['flags']:,} flags; {open_cases:,} cases open; "
        + ", ".join(f"{k} {v:,}" for k, v in kinds.items()),
        f"  built in {data.seconds:.1f} s (walk + engine replay; {data.refused} refused walks skipped), "
        f"rows in {built['rows_seconds']:.1f} s",
    ]
    for r in results:
        lines.append(f"  {r['database']} {r['version']}: migrated + calendars in {r['prepare_s']:.1f} s, "
                     f"bulk load in {r['load_s']:.1f} s")
    lines.append("")
    header = f"{'':44}" + "".join(f"{r['database'] + ' ' + r['version']:>28}" for r in results) + "    goal"
    lines += [header]

    def row(name, key, fn, goal=""):
        cells = []
        for r in results:
            value = fn(r[key]) if key in r else None
            ref = statistics.median(r["reference"])
            cells.append(f"{value * ms:10.2f} ms {value / ref:10,.1f}x ref" if value is not None else f"{'-':>28}")
        lines.append(f"{name:44}" + "".join(f"{c:>28}" for c in cells) + (f"    {goal}" if goal else ""))

    row("reference: PK select, median of 200", "reference", statistics.median)
    row("record_event: median of 100", "record_event", statistics.median, "< 20 ms")
    row("record_event: p95", "record_event", _p95, "< 20 ms")
    row("50 most urgent (GET /api/grievances): median", "list", statistics.median, "< 50 ms")
    row("add_closure, 3-day strike (one run)", "closure", lambda v: v, "< 10 s")
    row("recompute_all, every case (one run)", "recompute_all", lambda v: v)
    lines.append("")
    for r in results:
        lines.append(
            f"  {r['database']}: strike {r['closure_days'][0]} .. {r['closure_days'][1]}: "
            f"{_n(r['closure_cases'])} cases replayed ({r['open_cases']:,} open), {r['closure_cases_changed']:,} changed, "
            f"{r['closure_moves']:,} deadlines moved on {r['closure_cases_moved']:,} cases; "
            f"recompute_all found {r['recompute_all_changed']} to fix"
            + (f"; after the strike, {r['after_closure_changed']:,}" if "after_closure_changed" in r else ""))
    lines.append(f"  record_event recorded: {', '.join(results[0]['record_event_types'])} (occurred_on = today)")
    for r in results:
        missed = [name for name, key, fn in (("record_event median", "record_event", statistics.median),
                                             ("record_event p95", "record_event", _p95),
                                             ("list", "list", statistics.median),
                                             ("closure", "closure", lambda v: v))
                  if fn(r[key]) * ms >= GOALS_MS[key]]
        lines.append(f"  {r['database']}: " + ("every goal met" if not missed else "goal missed: " + ", ".join(missed)))
    return "\n".join(lines)


def _n(value) -> str:
    return "?" if value is None else f"{value:,}"


def main(argv) -> int:
    quick, profile = "--quick" in argv, "--profile" in argv
    size = QUICK if quick else FULL
    profiles = _Profiles(profile)
    built: dict = {}
    results = []
    with tempfile.TemporaryDirectory(prefix="grievance-bench-") as directory:
        if "--postgres-only" not in argv:
            results.append(run_database("SQLite", f"sqlite:///{directory}/bench.sqlite3", size, quick, built, profiles))
            _flush_profiles(profiles, "SQLite")
    if "--sqlite-only" not in argv:
        with postgres_url() as url:
            results.append(run_database("PostgreSQL", url, size, quick, built, profiles))
            _empty_postgres(url)
        _flush_profiles(profiles, "PostgreSQL")
    print(report(size, built, results))
    RESULTS.mkdir(exist_ok=True)
    summary = [{k: (statistics.median(v) if isinstance(v, list) and v and isinstance(v[0], float) else v)
                for k, v in r.items()} for r in results]
    (RESULTS / f"grievances{'-quick' if quick else ''}.json").write_text(json.dumps(summary, indent=2, default=str))
    return 0


def _flush_profiles(profiles: _Profiles, label: str) -> None:
    for name, text_ in profiles.reports.items():
        print(f"==== profile: {label}: {name}\n{text_}", file=sys.stderr)
    profiles.reports.clear()
