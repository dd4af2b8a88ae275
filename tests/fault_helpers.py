"""Helpers for tests/test_faults.py: a database prepared as a deployment would be,
gunicorn serving it in a process group of its own (so SIGKILL reaches master and
workers), HTTP clients that log in and record events through the JSON API, a
private PostgreSQL cluster the tests may stop, and the checks that say whether
what is stored is whole.

Every event a test records carries a unique tag in its `document` field, so the
stored events can be matched one for one with the answers the clients got."""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from alembic import command
from sqlalchemy import func, select, text

from app import create_app
from cli.database import alembic_config
from conftest import PASSWORD, make_user
from models import DeadlineRecord, FlagRecord, Grievance, GrievanceEvent
from operations import grievances as ops

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PRODUCTION_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
TODAY = date(2025, 11, 20)
OFFICER = "officer@example.org"
EVENT = {"type": "meeting_requested", "occurred_on": "2025-11-14"}  # repeatable at Step 1


# -- the database ---------------------------------------------------------------------------

def prepare_database(url: str, cases: int) -> list[int]:
    """Migrated, calendars loaded, the local, an officer, and `cases` policy grievances at Step 1."""
    command.upgrade(alembic_config(url), "head")
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    runner = app.test_cli_runner()
    for args in (["schooldays", "load", "--by", "fault-tests"], ["locals", "add", "etfo-avon-maitland", "Test local"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    make_user(app, OFFICER, "officer")
    ids = []
    with app.extensions["database"].transaction() as session:
        for n in range(cases):
            case = ops.open_case(session, ops.NewCase(number=f"F-{n + 1:03}", kind="policy",
                                                      first_event_on=date(2025, 11, 10)), by=OFFICER, today=TODAY)
            ops.record_event(session, case.id, type="grievance_filed", occurred_on=date(2025, 11, 13), by=OFFICER,
                             today=TODAY)
            ids.append(case.id)
    app.extensions["database"].dispose()
    return ids


@dataclass
class Integrity:
    tags: Counter            # document tag -> how many stored events carry it
    recompute_changed: int   # cases whose stored deadlines/flags/stage differed from a replay
    version_mismatches: list  # (case id, version, events): a case's version is 1 + its events
    orphans: int             # events, deadlines or flags of no grievance
    sqlite_check: str = "ok"


def integrity(url: str) -> Integrity:
    """Read what is stored, straight from the database (not through the server)."""
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    database = app.extensions["database"]
    try:
        with database.transaction() as session:
            tags = Counter(session.scalars(select(GrievanceEvent.document).where(GrievanceEvent.document != "")))
            counts = dict(session.execute(select(GrievanceEvent.grievance_id, func.count())
                                          .group_by(GrievanceEvent.grievance_id)).all())
            # A case starts at version 1 and every event stored with it adds 1 (_store_derived).
            mismatches = [(gid, version, counts.get(gid, 0)) for gid, version
                          in session.execute(select(Grievance.id, Grievance.version))
                          if version != 1 + counts.get(gid, 0)]
            orphans = sum(session.scalar(select(func.count()).select_from(table).where(
                table.grievance_id.not_in(select(Grievance.id)))) for table in (GrievanceEvent, DeadlineRecord,
                                                                                 FlagRecord))
            check = session.scalar(text("PRAGMA integrity_check")) if url.startswith("sqlite") else "ok"
        with database.transaction() as session:
            changed = ops.recompute_all(session, TODAY, reason="fault test check", by="fault-tests")
        return Integrity(tags, changed, mismatches, orphans, check)
    finally:
        database.dispose()


# -- gunicorn ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """The app under gunicorn as in production (deploy/gunicorn.conf.py: preloaded app,
    gthread workers), with two workers, in its own session and process group."""

    def __init__(self, url: str, log: Path, workers: int = 2):
        self.url, self.log, self.workers = url, log, workers
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        env = {**os.environ, "DATABASE_URL": self.url, "SECRET_KEY": "fault-tests-fixed-key",
               "SESSION_COOKIE_SECURE": "0", "TRACKER_TODAY": TODAY.isoformat()}
        config = ["-c", str(PRODUCTION_CONFIG)] if PRODUCTION_CONFIG.exists() else ["app:create_app()"]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(GUNICORN), *config, "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn exited: {self.log.read_text()[-2000:]}"
            if self._answers():
                return
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not answer within {timeout} s: {self.log.read_text()[-2000:]}")

    def _answers(self) -> bool:
        try:
            return Client(self.port).request("GET", "/login")[0] == 200
        except (NotSent, OSError):
            return False  # not listening yet

    def kill(self) -> None:
        """SIGKILL to the whole group: master and workers die at once, mid-request."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def __enter__(self) -> Server:
        try:
            self.start()
        except BaseException:
            self.stop()  # a server that did not come up must not outlive the test
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# -- HTTP clients ---------------------------------------------------------------------------------

class NotSent(Exception):
    """The server refused the connection: the request never left."""


class Client:
    """A browser-like client: the session cookie, and the CSRF token sent as X-CSRF-Token."""

    def __init__(self, port: int):
        self.port, self.cookie, self.csrf = port, "", ""

    def request(self, method: str, path: str, body: dict | None = None, form: str | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            try:
                connection.connect()
            except ConnectionRefusedError as error:
                raise NotSent() from error
            headers = {"Cookie": f"session={self.cookie}"} if self.cookie else {}
            if self.csrf:
                headers["X-CSRF-Token"] = self.csrf
            payload = None
            if body is not None:
                payload, headers["Content-Type"] = json.dumps(body), "application/json"
            elif form is not None:
                payload, headers["Content-Type"] = form, "application/x-www-form-urlencoded"
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or ():
                cookie = SimpleCookie(header)
                if "session" in cookie:
                    self.cookie = cookie["session"].value
            return response.status, response.getheader("Content-Type", ""), response.read().decode()
        finally:
            connection.close()

    def log_in(self, email: str = OFFICER) -> Client:
        status, _, page = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        status, _, page = self.request("POST", "/login", form=urlencode(
            {"email": email, "password": PASSWORD, "csrf_token": token}))
        assert status == 302, page
        status, _, answer = self.request("GET", "/api/session")
        assert status == 200, answer
        self.csrf = json.loads(answer)["csrf_token"]
        return self

    def record(self, case_id: int, tag: str):
        return self.request("POST", f"/api/grievances/{case_id}/events", body={**EVENT, "document": tag})


@dataclass
class Outcomes:
    """What the clients were told, per tagged event."""

    acknowledged: list = field(default_factory=list)   # 201: the server said it is stored
    answered: list = field(default_factory=list)       # (tag, status, body) of every other answer
    unknown: list = field(default_factory=list)        # sent, but the connection died before an answer
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, item) -> None:
        with self.lock:
            getattr(self, kind).append(item)


class Recorders:
    """Threads that record tagged events on the cases, round robin, until told to stop
    or until the server refuses their connection."""

    def __init__(self, clients: list[Client], case_ids: list[int], stop_when_refused: bool = True):
        self.clients, self.case_ids, self.stop_when_refused = clients, case_ids, stop_when_refused
        self.outcomes, self.stop = Outcomes(), threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(len(clients))]

    def __enter__(self) -> Recorders:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _run(self, n: int) -> None:
        client, i = self.clients[n], 0
        while not self.stop.is_set():
            tag, case_id = f"client{n}-{i}", self.case_ids[(n + i) % len(self.case_ids)]
            i += 1
            try:
                status, _, body = client.record(case_id, tag)
            except NotSent:
                if self.stop_when_refused:
                    return
                time.sleep(0.05)
                continue
            except (OSError, http.client.HTTPException):
                self.outcomes.add("unknown", tag)
                continue
            if status == 201:
                self.outcomes.add("acknowledged", tag)
            else:
                self.outcomes.add("answered", (tag, status, body))

    def wait_for(self, acknowledged: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self.outcomes.acknowledged) < acknowledged:
            assert time.monotonic() < deadline, (
                f"only {len(self.outcomes.acknowledged)} events acknowledged in {timeout} s; "
                f"other answers: {self.outcomes.answered[:3]}")
            time.sleep(0.02)


# -- a private PostgreSQL cluster -------------------------------------------------------------------

def _as_owner(*args: str) -> list[str]:
    """PostgreSQL refuses to run as root; scripts/postgres-test-server gives the cluster to postgres then."""
    return ["runuser", "-u", "postgres", "--", *args] if os.getuid() == 0 else list(args)


def _pg_bin() -> Path:
    return sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]


class PostgresCluster:
    """A cluster of its own (scripts/postgres-test-server), so that stopping it does not
    disturb the shared server at TEST_POSTGRES_URL. Restarted at once with the production
    default synchronous_commit=on: the script turns it off for speed, and then a crash
    (`pg_ctl stop -m immediate`) may lose commits the server already acknowledged."""

    def __init__(self):
        exports = subprocess.run([str(ROOT / "scripts" / "postgres-test-server"), "start"], check=True,
                                 capture_output=True, text=True).stdout
        values = dict(re.findall(r"(\w+)=(\S+)", exports))
        self.url, self.dir = values["TEST_POSTGRES_URL"], Path(values["PG_TEST_DIR"])
        self.port = int(re.search(r":(\d+)/", self.url).group(1))
        self.stop("fast")
        self.start()

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(_as_owner(str(_pg_bin() / "pg_ctl"), "-D", str(self.dir / "data"), "-w", "-s", *args),
                       check=True, stdout=subprocess.DEVNULL)

    def stop(self, mode: str = "immediate") -> None:
        """fast: an administrator's stop (sessions ended, then shut down); immediate: a crash."""
        self._pg_ctl("-m", mode, "stop")
        self.running = False

    def start(self) -> None:
        self._pg_ctl("-l", str(self.dir / "server.log"), "start", "-o",
                     f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
                     "-c synchronous_commit=on")
        self.running = True

    def ensure_running(self) -> None:
        """After a test that failed with the cluster stopped: the next test needs it."""
        if not self.running:
            self.start()

    def remove(self) -> None:
        subprocess.run([str(ROOT / "scripts" / "postgres-test-server"), "stop", str(self.dir)], check=False,
                       capture_output=True)


# -- a mail server that fails in the middle of a run --------------------------------------------------

class FailingInbox:
    """An aiosmtpd handler that delivers `budget` messages, then dies in the middle of the
    next one (the connection is cut after the message was sent, before the server answers
    it), and then refuses every sender (421) until recover()."""

    def __init__(self, budget: int):
        self.budget, self.down = budget, False
        self.received: list[list[str]] = []  # the recipients of each delivered message

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.down:
            return "421 4.3.2 Service not available, closing transmission channel"
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.budget <= 0:
            self.down = True
            server.transport.abort()  # the message is lost, unacknowledged
            return "421 4.3.0 never seen by the client"
        self.budget -= 1
        self.received.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def recover(self) -> None:
        self.budget, self.down = 10 ** 6, False


def mail_server(handler):
    """A started aiosmtpd controller on a port the OS picks; the caller stops it."""
    from aiosmtpd.controller import Controller

    class LoopbackController(Controller):
        def _trigger_server(self):  # learn the port (0: the OS picks) before the readiness check
            self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    controller = LoopbackController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    return controller
