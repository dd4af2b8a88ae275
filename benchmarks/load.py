"""Load: the app under gunicorn (deploy/gunicorn.conf.py) on PostgreSQL, with many
officers reading dashboards and recording events at once.

    python -m benchmarks load [--quick] [--cases N] [--clients C] [--seconds S]
                              [--workers W] [--sqlite]

Full scale: 100,000 cases (about a million events, built as benchmarks/grievances.py
builds them), 50 clients, 60 s. --quick: 10,000 cases for 20 s. PostgreSQL is a
scratch database created on the server of TEST_POSTGRES_URL (whose own database is
left alone), else on a throw-away server from scripts/postgres-test-server; --sqlite
runs on a SQLite file instead.

Each client is a thread with one keep-alive HTTP connection, logged in as its own
officer of the local (GET /login for the CSRF token, POST /login, GET /api/session).
For the measured window they loop without pausing over: the dashboard (GET
/dashboard), the 50 most urgent (GET /api/grievances), and recording an event (GET
/api/grievances/ID, then POST /api/grievances/ID/events with the version read, an
event the case allows now) on cases of their own. Pairs of clients meanwhile play two
officers on one case: both read it, then both record at the same moment with the same
version; one must win and the other get 409 (reload).

Errors: any 5xx, connection failure or other unexpected answer, and a 409 outside the
contended pairs. Afterwards the database must hold every acknowledged (201) event
exactly once, nothing unacknowledged, and each case's version must have moved by
exactly its acknowledged events. Latencies include the queueing of a closed loop at
saturation; the client threads share the machine with the server and the database.
Ratios are to the median of GET /login (the whole Flask stack, no database), measured
in the same run before the load starts.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, select, text
from werkzeug.security import generate_password_hash

from benchmarks import grievances as bench
from models import Grievance, GrievanceEvent, User
from operations import grievances as ops

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
RESULTS = Path(__file__).parent / "results"
PASSWORD = "a load test's long password"
FULL = dict(cases=100_000, clients=50, seconds=60.0)
QUICK = dict(cases=10_000, clients=50, seconds=20.0)
REFERENCE_CALLS = 200
# Events a case may take again and again without closing, with the details they need.
MEDIATION_BY = (bench.TODAY + timedelta(days=30)).isoformat()
RECORDABLE = {"meeting_requested": {}, "meeting_held": {}, "step1_reply": {}, "step2_referral": {}, "step2_reply": {},
              "union_reply": {}, "mediation_held": {}, "single_arbitrator_accepted": {},
              "mediation_agreed": {"mediator": "M. Mediator (fictional)", "mediation_by": MEDIATION_BY},
              "appointee_named": {"appointee": "C. Nominee (fictional)"}, "chair_appointed": {"chair": "D. Chair"}}
MIX = (("dashboard", 0.35), ("list", 0.35), ("record", 0.30))


@dataclass
class Settings:
    cases: int
    clients: int
    seconds: float
    workers: int | None = None                 # None: deploy/gunicorn.conf.py decides
    hash_method: str = "scrypt"                # the production hash; tests pass a cheap one
    pairs: int = 0                             # contended pairs; 0: one per 25 clients, at least 1

    def contended_pairs(self) -> int:
        return self.pairs or max(1, self.clients // 25)


# -- seeding --------------------------------------------------------------------------------------

@dataclass
class Seeded:
    officers: list[str]
    open_cases: list[int]
    events: int
    seconds: float


def seed(url: str, settings: Settings) -> Seeded:
    """Migrate, load the calendars, bulk-load the synthetic cases, add one officer a client."""
    started = time.perf_counter()
    app, database, local_id, board_id, calendar = bench.prepare(url)
    try:
        data = bench.build_cases(calendar, ops.rules_named(bench.RULESET), settings.cases, local_id, board_id)
        tables = bench.rows(data)
        bench.bulk_insert(database, tables)
        officers = add_officers(database, local_id, settings.clients, settings.hash_method)
    finally:
        database.dispose()
    open_cases = [c.id for c in data.cases if c.state.open]
    events = sum(len(values) for name, _, values in tables if name == "grievance_events")
    return Seeded(officers, open_cases, events, time.perf_counter() - started)


def add_officers(database, local_id: int, count: int, hash_method: str) -> list[str]:
    """`count` officers sharing one password hash (computed once), bulk inserted."""
    hashed = generate_password_hash(PASSWORD, method=hash_method)
    now = datetime.now(timezone.utc)
    emails = [f"load-officer{i}@load.example.org" for i in range(count)]
    with database.transaction() as session:
        session.execute(User.__table__.insert(), [
            dict(local_id=local_id, email=email, name=f"Load Officer {i}", password_hash=hashed, role="officer",
                 is_active=True, digest_frequency="none", digest_days_ahead=5, created_at=now)
            for i, email in enumerate(emails)])
    return emails


@contextlib.contextmanager
def scratch_database(server_url: str):
    """A new database on the server of `server_url`, dropped afterwards: the load run
    never touches the database the test suite empties and refills."""
    url = urllib.parse.urlsplit(server_url)
    name = f"gtt_load_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield urllib.parse.urlunsplit(url._replace(path=f"/{name}"))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# -- the server -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, workers: int | None, log_dir: Path, settings: dict | None = None):
    """gunicorn with the production config on a free loopback port; yields (port, pid).
    `settings`: more environment for the app (e.g. TRUSTED_PROXY_COUNT)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
           "TRACKER_TODAY": bench.TODAY.isoformat(), "PYTHONPATH": str(ROOT)}
    env.pop("TRUSTED_PROXY_COUNT", None)
    env.update(settings or {})
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    log = log_dir / "gunicorn.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(GUNICORN_CONFIG),
                                   "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        _wait_until_serving(port, server, log)
        yield port, server.pid
    finally:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    # INT is gunicorn's quick shutdown. The clients are done and closed by now; a graceful
    # TERM would hold each gthread worker for its keep-alive timeout (5 s) for nothing.
    # Now and then (about one stop in ten here, on a busy machine) gunicorn 27's master
    # waits its whole graceful_timeout (30 s) for an idle worker: then its own processes
    # are killed, by pid, after 15 s.
    workers = list(_children(server.pid))
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        print(f"gunicorn {server.pid} did not stop within 15 s of SIGINT: killed", file=sys.stderr)
        for pid in [*workers, server.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        server.wait()


def _wait_until_serving(port: int, server: subprocess.Popen, log: Path, limit: float = 90) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        with contextlib.suppress(OSError):
            connection.request("GET", "/login")
            if connection.getresponse().status == 200:
                connection.close()
                return
        connection.close()
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {limit} s:\n{log.read_text()[-3000:]}")


def server_log_problems(log_dir: Path) -> list[str]:
    """Tracebacks, errors (gunicorn's "[ERROR]", Flask's "ERROR in") and worker timeouts in
    gunicorn's log: a 500 or a 503 leaves one there."""
    lines = (log_dir / "gunicorn.log").read_text(errors="replace").splitlines()
    marks = ("Traceback", "WORKER TIMEOUT", "[ERROR]", "ERROR in ", "database is locked")
    return [line for line in lines if any(mark in line for mark in marks)]


# -- one client ----------------------------------------------------------------------------------

class Failed(Exception):
    """An answer the client did not expect: counted as an error."""


class Client:
    """One officer's browser: a keep-alive connection, the session cookie, the CSRF token."""

    def __init__(self, port: int, timeout: float = 60):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.reconnects = 0
        self.headers: dict[str, str] = {}   # sent with every request

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, bytes, float]:
        """(status, body, seconds). A keep-alive connection the server closed while idle
        is reopened once, as browsers do; the request had not reached the app then. (Were
        it a repeat, an event's POST carries the version it read: the app would answer 409,
        an error here.)"""
        headers = {**self.headers, **(headers or {}), "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if method == "POST":
            headers["X-CSRF-Token"] = self.csrf
        reused = self.connection.sock is not None   # open since an earlier request
        started = time.perf_counter()
        try:
            response = self._send(method, path, body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
            self.connection.close()
            self.reconnects += 1
            started = time.perf_counter()
            response = self._send(method, path, body, headers)
        data = response.read()
        seconds = time.perf_counter() - started
        self._keep_cookies(response)
        return response.status, data, seconds

    def _send(self, method, path, body, headers):
        self.connection.request(method, path, body=body, headers=headers)
        return self.connection.getresponse()

    def _keep_cookies(self, response) -> None:
        for header in response.headers.get_all("Set-Cookie") or ():
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()

    def log_in(self, email: str) -> None:
        status, page, _ = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page)
        if status != 200 or not token:
            raise Failed(f"GET /login answered {status}")
        form = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token.group(1).decode()})
        status, _, _ = self.request("POST", "/login", form.encode(),
                                    {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise Failed(f"POST /login for {email} answered {status}")
        status, body, _ = self.request("GET", "/api/session")
        if status != 200:
            raise Failed(f"GET /api/session answered {status}")
        self.csrf = json.loads(body)["csrf_token"]

    def close(self) -> None:
        self.connection.close()


# -- what the clients saw --------------------------------------------------------------------------

@dataclass
class Ack:
    tag: str              # the event's `document` text: unique to one POST, so the database shows each once or not
    grievance_id: int
    event_id: int


@dataclass
class Observations:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    acks: list[Ack] = field(default_factory=list)
    contended: Counter = field(default_factory=Counter)
    reconnects: int = 0           # idle keep-alive connections the server had closed
    login_seconds: float = 0.0    # every client logging in at once
    alone: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)

    def ack(self, ack: Ack) -> None:
        with self.lock:
            self.acks.append(ack)


def _call(client: Client, seen: Observations, kind: str, method: str, path: str, expected: tuple[int, ...],
          body: dict | None = None) -> tuple[int, bytes]:
    """One request, timed under `kind`; an unexpected status or a failed connection raises Failed."""
    data = json.dumps(body).encode() if body is not None else None
    try:
        headers = {"Content-Type": "application/json"} if data else {}
        status, answer, seconds = client.request(method, path, data, headers)
    except (OSError, http.client.HTTPException) as error:
        raise Failed(f"{method} {path}: {type(error).__name__}: {error}") from None
    seen.timed(kind, seconds)
    if status not in expected:
        raise Failed(f"{method} {path} answered {status}: {answer[:300]!r}")
    return status, answer


def read_case(client: Client, seen: Observations, gid: int) -> dict:
    _, body = _call(client, seen, "GET /api/grievances/ID", "GET", f"/api/grievances/{gid}", (200,))
    return json.loads(body)


def choose_event(case: dict, rng: random.Random) -> str | None:
    allowed = [e["type"] for e in case["allowed_events"] if e["type"] in RECORDABLE]
    return rng.choice(allowed) if allowed else None


def post_event(client: Client, seen: Observations, kind: str, case: dict, type_: str, tag: str,
               expected: tuple[int, ...] = (201,)) -> int:
    """POST the event with the version read; a 201 is acknowledged with the new event's id."""
    # The recorder is the logged-in officer (never the body): the tag rides in the event's document field.
    body = {"type": type_, "occurred_on": bench.TODAY.isoformat(), "details": RECORDABLE[type_], "document": tag,
            "version": case["version"]}
    status, answer = _call(client, seen, kind, "POST", f"/api/grievances/{case['id']}/events", expected, body)
    if status == 201:
        mine = [e for e in json.loads(answer)["events"] if e["document"] == tag]
        if len(mine) != 1:
            raise Failed(f"the answer for {tag} holds {len(mine)} events recorded by it")
        seen.ack(Ack(tag, case["id"], mine[0]["id"]))
    return status


def officer_loop(client: Client, cases: list[int], seen: Observations, name: str, start: threading.Barrier,
                 deadline_box: list[float], seed_: int) -> None:
    """Dashboards, the urgent list and events on the client's own cases, until the deadline."""
    rng = random.Random(seed_)
    kinds, weights = zip(*MIX)
    start.wait()
    n = 0
    while time.monotonic() < deadline_box[0]:
        try:
            action = rng.choices(kinds, weights)[0]
            if action == "dashboard":
                _call(client, seen, "GET /dashboard", "GET", "/dashboard", (200,))
            elif action == "list":
                _call(client, seen, "GET /api/grievances", "GET", "/api/grievances?limit=50", (200,))
            else:
                n += 1
                case = read_case(client, seen, cases[n % len(cases)])
                type_ = choose_event(case, rng)
                if type_:
                    post_event(client, seen, "POST event", case, type_, f"load {name} r{n}")
        except Failed as error:
            seen.error(f"{name}: {error}")


def contended_loop(pair: tuple[Client, Client], cases: list[int], seen: Observations, name: str,
                   start: threading.Barrier, deadline_box: list[float]) -> None:
    """Two officers on one case, round after round: both read it, then both record at the
    same moment with the version they read. Exactly one may win; the other gets 409."""
    together = threading.Barrier(2)
    rounds = 0
    start.wait()
    while time.monotonic() < deadline_box[0]:
        rounds += 1
        gid = cases[rounds % len(cases)]
        outcome: list = [None, None]
        threads = [threading.Thread(target=_contend, args=(pair[k], gid, seen, f"load {name}{k} r{rounds}",
                                                             together, outcome, k)) for k in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        _judge_round(outcome, gid, seen, name)


def _contend(client, gid, seen, tag, together, outcome, k) -> None:
    try:
        case = read_case(client, seen, gid)
        type_ = choose_event(case, random.Random(tag)) or "meeting_requested"
        together.wait(timeout=60)
        outcome[k] = (case["version"], post_event(client, seen, "POST event, contended", case, type_, tag, (201, 409)))
    except (Failed, threading.BrokenBarrierError) as error:
        together.abort()
        outcome[k] = error


def _judge_round(outcome: list, gid: int, seen: Observations, name: str) -> None:
    if any(not isinstance(o, tuple) for o in outcome):
        seen.error(f"{name} on case {gid}: {outcome}")
        return
    (v0, s0), (v1, s1) = outcome
    statuses = tuple(sorted((s0, s1)))
    with seen.lock:
        seen.contended[statuses] += 1
    # Same version read: one wins, one is told to reload. Both win only if the reads differed.
    if statuses != (201, 409) and not (statuses == (201, 201) and v0 != v1):
        seen.error(f"{name} on case {gid}: versions {v0}/{v1} answered {statuses}")


# -- the run -----------------------------------------------------------------------------------------

@dataclass
class Result:
    settings: Settings
    database: str
    seeded: Seeded
    reference: dict[str, float]
    window: float
    seen: Observations
    problems: list[str]
    server_log: list[str]
    cpu: dict[str, float]
    workers: int


def measure_reference(port: int) -> dict[str, float]:
    """Sequential and unloaded: GET /login (no database) and the stylesheet, medians."""
    client = Client(port)
    out = {}
    for name, path in (("GET /login", "/login"), ("GET /static/site.css", "/static/site.css")):
        for _ in range(20):
            client.request("GET", path)
        out[name] = statistics.median(client.request("GET", path)[2] for _ in range(REFERENCE_CALLS))
    client.close()
    return out


def measure_alone(client: Client, case_id: int) -> dict[str, float]:
    """One logged-in client on an idle server, sequential: each read's own cost, medians of 20."""
    out = {}
    for kind, path in (("GET /dashboard", "/dashboard"), ("GET /api/grievances", "/api/grievances?limit=50"),
                       ("GET /api/grievances/ID", f"/api/grievances/{case_id}")):
        client.request("GET", path)
        out[kind] = statistics.median(client.request("GET", path)[2] for _ in range(20))
    return out


def log_in_all(port: int, emails: list[str]) -> list[Client]:
    """Every client logged in, a few at a time (logins are slow on purpose: scrypt)."""
    clients = [Client(port) for _ in emails]
    errors: list[Exception] = []

    def one(client, email):
        try:
            client.log_in(email)
        except Exception as error:  # reported below, with the email
            errors.append(Failed(f"{email}: {error}"))

    threads = [threading.Thread(target=one, args=pair) for pair in zip(clients, emails)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} logins failed, e.g. {errors[0]}")
    return clients


def split_cases(open_cases: list[int], officers: int, pairs: int, rng: random.Random):
    """Disjoint cases for each officer loop and for the contended pairs: only the pairs contend."""
    shuffled = open_cases[:]
    rng.shuffle(shuffled)
    per = len(shuffled) // (officers + pairs)
    if per < 1:
        raise ValueError(f"{len(open_cases)} open cases cannot be shared among {officers + pairs} loops")
    chunks = [shuffled[i * per:(i + 1) * per] for i in range(officers + pairs)]
    return chunks[:officers], chunks[officers:]


def drive(port: int, seeded: Seeded, settings: Settings, seconds: float, server_pid: int, database_url: str):
    """Log every client in (all at once), start them together, stop them after `seconds`."""
    pairs = settings.contended_pairs()
    officers = settings.clients - 2 * pairs
    started = time.perf_counter()
    clients = log_in_all(port, seeded.officers[:settings.clients])
    seen = Observations(login_seconds=time.perf_counter() - started)
    own, shared = split_cases(seeded.open_cases, officers, pairs, random.Random(50))
    seen.alone = measure_alone(clients[0], own[0][0])
    start = threading.Barrier(officers + pairs + 1)
    deadline_box = [float("inf")]
    threads = [threading.Thread(target=officer_loop, args=(clients[i], own[i], seen, f"c{i}", start, deadline_box, i))
               for i in range(officers)]
    threads += [threading.Thread(target=contended_loop,
                                 args=((clients[officers + 2 * p], clients[officers + 2 * p + 1]), shared[p], seen,
                                       f"pair{p}-", start, deadline_box)) for p in range(pairs)]
    for thread in threads:
        thread.start()
    cpu = CpuMeter(server_pid, database_url)
    deadline_box[0] = time.monotonic() + seconds
    started = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    window = time.perf_counter() - started
    for client in clients:
        seen.reconnects += client.reconnects
        client.close()
    return seen, window, cpu


class CpuMeter:
    """CPU seconds over the window: the whole machine (/proc/stat), this driver, gunicorn's
    processes, and the PostgreSQL backends serving the app (when the server is local)."""

    def __init__(self, server_pid: int, database_url: str):
        self.server_pid, self.database_url = server_pid, database_url
        self.start = self._sample()

    def _sample(self) -> dict:
        return {"machine": _machine_busy(), "driver": _own_cpu(), "gunicorn": _process_tree_cpu(self.server_pid),
                "database": {pid: _pid_cpu(pid) for pid in _backend_pids(self.database_url)}}

    def stop(self) -> dict[str, float]:
        end = self._sample()
        before = self.start["database"]
        return {"machine_busy": end["machine"][0] - self.start["machine"][0],
                "machine_total": end["machine"][1] - self.start["machine"][1],
                "driver": end["driver"] - self.start["driver"],
                "gunicorn": end["gunicorn"] - self.start["gunicorn"],
                "database": sum(cpu - before.get(pid, 0.0) for pid, cpu in end["database"].items())}


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of every core since boot; (0, 0) where /proc is missing."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / tick, sum(fields[:8]) / tick


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat after the command name (field 3 onwards); [] if the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _pid_cpu(pid: int) -> float:
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if fields else 0.0


def _children(pid: int):
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = _stat(int(stat.parent.name))
        if fields and int(fields[1]) == pid:
            yield int(stat.parent.name)


def _process_tree_cpu(pid: int) -> float:
    """CPU seconds used so far by gunicorn's master and its workers."""
    return _pid_cpu(pid) + sum(_pid_cpu(child) for child in _children(pid))


def _backend_pids(url: str) -> list[int]:
    """The PostgreSQL server processes of the app's connections (local server only)."""
    if not url.startswith("postgresql"):
        return []
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                                "AND pid <> pg_backend_pid()")).scalars())
    finally:
        engine.dispose()


# -- after the run ------------------------------------------------------------------------------

def verify(url: str, acks: list[Ack], versions_before: dict[int, int]) -> list[str]:
    """The database against what the clients were told."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(
                select(GrievanceEvent.document, GrievanceEvent.grievance_id, GrievanceEvent.id)
                .where(GrievanceEvent.document.like("load %"))).all()
            touched = sorted({a.grievance_id for a in acks})
            versions = dict(connection.execute(select(Grievance.id, Grievance.version)
                                               .where(Grievance.id.in_(touched))).all()) if touched else {}
    finally:
        engine.dispose()
    return exactly_once(acks, [tuple(row) for row in stored]) + versions_moved(acks, versions_before, versions)


def exactly_once(acks: list[Ack], stored: list[tuple[str, int, int]]) -> list[str]:
    """Every acknowledged event stored once, on its case, with the id the answer gave; nothing else."""
    problems = []
    by_tag = defaultdict(list)
    for tag, gid, eid in stored:
        by_tag[tag].append((gid, eid))
    for ack in acks:
        rows = by_tag.pop(ack.tag, [])
        if rows != [(ack.grievance_id, ack.event_id)]:
            problems.append(f"{ack.tag}: acknowledged as event {ack.event_id} on case {ack.grievance_id}, "
                            f"stored {len(rows)} times: {rows}")
    problems += [f"{tag}: stored {rows} but never acknowledged" for tag, rows in by_tag.items()]
    return problems


def versions_moved(acks: list[Ack], before: dict[int, int], after: dict[int, int]) -> list[str]:
    """Each case's version moved by exactly its acknowledged events: no lost update."""
    counts = Counter(a.grievance_id for a in acks)
    return [f"case {gid}: version {before.get(gid)} -> {after.get(gid)}, but {n} events acknowledged"
            for gid, n in sorted(counts.items()) if after.get(gid) != (before.get(gid) or 0) + n]


def read_versions(url: str, ids: list[int]) -> dict[int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return dict(connection.execute(select(Grievance.id, Grievance.version)
                                           .where(Grievance.id.in_(ids))).all())
    finally:
        engine.dispose()


def run(url: str, settings: Settings) -> Result:
    """Seed the database at `url`, serve it with gunicorn, drive the clients, verify."""
    seeded = seed(url, settings)
    versions_before = read_versions(url, seeded.open_cases)
    directory = Path(tempfile.mkdtemp(prefix="gtt-load-"))
    try:
        with gunicorn(url, settings.workers, directory) as (port, pid):
            reference = measure_reference(port)
            seen, window, meter = drive(port, seeded, settings, settings.seconds, pid, url)
            cpu = meter.stop()
            workers = sum(1 for _ in _children(pid))
    except Exception as error:  # keep the server's log for the post-mortem
        error.add_note(f"gunicorn's log: {directory / 'gunicorn.log'}")
        raise
    log = server_log_problems(directory)
    shutil.rmtree(directory)
    problems = verify(url, seen.acks, versions_before)
    return Result(settings, _database_label(url), seeded, reference, window, seen, problems, log, cpu, workers)


def _database_label(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                return f"SQLite {connection.exec_driver_sql('SELECT sqlite_version()').scalar()}"
            return f"PostgreSQL {connection.exec_driver_sql('SHOW server_version').scalar().split()[0]}"
    finally:
        engine.dispose()


# -- the report ------------------------------------------------------------------------------------

def percentiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return (values[0],) * 3 if values else (float("nan"),) * 3
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def report(result: Result) -> str:
    s, seen, ms = result.settings, result.seen, 1e3
    reference = result.reference["GET /login"]
    total = sum(len(v) for v in seen.latencies.values())
    lines = [
        f"Load: {s.clients} clients for {result.window:.1f} s on {result.database}, {len(result.seeded.open_cases):,} "
        f"open of {s.cases:,} cases ({result.seeded.events:,} events), gunicorn {result.workers} workers "
        f"({platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} at the end)",
        f"  reference, unloaded: GET /login {reference * ms:.2f} ms, GET /static/site.css "
        f"{result.reference['GET /static/site.css'] * ms:.2f} ms (median of {REFERENCE_CALLS})",
        "",
        "  one client alone, sequential (medians of 20): "
        + ", ".join(f"{kind} {value * ms:.1f} ms" for kind, value in seen.alone.items()),
        f"  {s.clients} logins at once ({s.hash_method} password hashes) took {seen.login_seconds:.1f} s",
        "",
        *_table(result, reference),
        "",
        f"  {total / result.window:.1f} requests/s; {len(seen.acks):,} events acknowledged; errors: {len(seen.errors)}"
        f" (idle keep-alive connections reopened: {seen.reconnects})",
        f"  two officers on one case: {sum(seen.contended.values())} rounds, "
        + ", ".join(f"{'+'.join(map(str, k))}: {v}" for k, v in sorted(seen.contended.items())),
        "  exactly once: " + ("every acknowledged event stored once, nothing else" if not result.problems
                              else "; ".join(result.problems[:5])),
        f"  CPU over the window: machine {_share(result.cpu, 'machine_busy')}, this driver "
        f"{_share(result.cpu, 'driver')}, gunicorn {_share(result.cpu, 'gunicorn')}, the database's backends "
        f"{_share(result.cpu, 'database')} (the rest: other jobs on the machine)",
    ]
    lines += [f"  error: {e}" for e in seen.errors[:10]]
    lines += [f"  server log: {line}" for line in result.server_log[:10]]
    return "\n".join(lines)


def _table(result: Result, reference: float) -> list[str]:
    """Count, rate, p50/p95/p99 and ratios to the reference, per kind of request and overall."""
    latencies, ms = result.seen.latencies, 1e3
    lines = [f"  {'request':30}{'count':>8}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'p50/ref':>9}{'p95/ref':>9}"]
    for kind, values in sorted(latencies.items()) + [("all", [v for vs in latencies.values() for v in vs])]:
        p50, p95, p99 = percentiles(values)
        lines.append(f"  {kind:30}{len(values):>8,}{len(values) / result.window:>9.1f}{p50 * ms:>9.1f}"
                     f"{p95 * ms:>9.1f}{p99 * ms:>9.1f}{p50 / reference:>8,.0f}x{p95 / reference:>8,.0f}x")
    return lines


def _share(cpu: dict, key: str) -> str:
    total = cpu.get("machine_total") or 0
    return f"{cpu[key]:.0f} CPU s ({cpu[key] / total:.0%} of all cores)" if total else f"{cpu[key]:.0f} CPU s"


def summary(result: Result) -> dict:
    kinds = {kind: dict(zip(("count", "p50", "p95", "p99"), (len(v), *percentiles(v))))
             for kind, v in result.seen.latencies.items()}
    return {"settings": vars(result.settings), "database": result.database, "window_s": result.window,
            "reference_s": result.reference, "kinds": kinds, "acknowledged": len(result.seen.acks),
            "errors": result.seen.errors, "alone_s": result.seen.alone, "login_s": result.seen.login_seconds,
            "contended": {"+".join(map(str, k)): v for k, v in result.seen.contended.items()},
            "problems": result.problems, "server_log": result.server_log, "cpu": result.cpu}


def ok(result: Result) -> bool:
    return not (result.seen.errors or result.problems or result.server_log)


# -- the command ----------------------------------------------------------------------------------

def parse(argv) -> tuple[Settings, bool]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 cases for 20 s")
    parser.add_argument("--cases", type=int)
    parser.add_argument("--clients", type=int)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: deploy/gunicorn.conf.py's)")
    parser.add_argument("--sqlite", "--sqlite-only", action="store_true", help="a SQLite file instead of PostgreSQL")
    options, _ = parser.parse_known_args(argv)  # `python -m benchmarks all` passes the others' options too
    scale = QUICK if options.quick else FULL
    settings = Settings(cases=options.cases or scale["cases"], clients=options.clients or scale["clients"],
                        seconds=options.seconds or scale["seconds"], workers=options.workers)
    return settings, options.sqlite


def main(argv) -> int:
    settings, sqlite = parse(argv)
    if sqlite:
        with tempfile.TemporaryDirectory(prefix="gtt-load-db-") as directory:
            result = run(f"sqlite:///{directory}/load.sqlite3", settings)
    else:
        with bench.postgres_url() as server, scratch_database(server) as url:
            result = run(url, settings)
    print(report(result))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"load-{'sqlite' if sqlite else 'postgresql'}.json").write_text(
        json.dumps(summary(result), indent=2, default=str))
    return 0 if ok(result) else 1
