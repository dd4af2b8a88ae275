"""The dashboard's first page and a digest run, on 100,000 cases (issues 4 and 5).

    python -m benchmarks web [--quick] [--sqlite-only | --postgres-only]

Builds the same synthetic cases as benchmarks/grievances.py (about a million
events; --quick: 10,000 cases), adds 1,000 users (10 officers and 990 stewards
with 40 open cases each, every one with a daily digest looking 5 school days
ahead), then measures on each database:
  - GET /dashboard, the first page, as an officer and as a steward (median of 30);
  - `digest send` for all 1,000 users: built and rendered only (--dry-run), and
    sent to a real SMTP server (aiosmtpd) on loopback.
Each figure is also a ratio to the reference of benchmarks/grievances.py measured in
the same run: one transaction reading one grievance by primary key.
"""
from __future__ import annotations

import json
import platform
import random
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from benchmarks import grievances as bench
from models import Grievance, StewardAssignment, User
from operations import digests
from operations import grievances as ops

OFFICERS, STEWARDS, CASES_EACH = 10, 990, 40
PAGE_CALLS = 30
RESULTS = Path(__file__).parent / "results"


class _Counting:
    """An SMTP handler that accepts and counts every message."""

    def __init__(self):
        self.messages = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        return "250 OK"


class _LoopbackController(Controller):
    """Listens on a port the OS picks and learns it before the readiness check."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        return super()._trigger_server()


def add_users(database, data: bench.Data) -> tuple[int, int]:
    """1,000 users: their password hash computed once, their rows bulk inserted."""
    rng = random.Random(404)
    hashed = generate_password_hash("a benchmark's long password", method="scrypt")
    now = datetime.now(timezone.utc)
    open_ids = [c.id for c in data.cases if c.state.open]
    users = [dict(local_id=data.local_id, email=f"{role}{i}@bench.example.org", name=f"{role.title()} {i}",
                  password_hash=hashed, role=role, is_active=True, digest_frequency="daily", digest_days_ahead=5,
                  created_at=now)
             for role, count in (("officer", OFFICERS), ("steward", STEWARDS)) for i in range(count)]
    with database.transaction() as session:
        session.execute(User.__table__.insert(), users)
        stewards = session.scalars(select(User.id).where(User.role == "steward",
                                                         User.email.like("%@bench.example.org"))).all()
        officer = session.scalar(select(User.id).where(User.email == "officer0@bench.example.org"))
        session.execute(insert(StewardAssignment.__table__), [
            dict(user_id=s, grievance_id=g) for s in stewards for g in rng.sample(open_ids, CASES_EACH)])
    return officer, stewards[0]


def page_times(app, user_id: int, rows: int) -> list[float]:
    client = app.test_client()
    from operations.login_sessions import open_session  # a real session: a cookie naming a user is not enough

    with app.extensions["database"].transaction() as session:
        secret = open_session(session, user_id)
    with client.session_transaction() as cookie:
        cookie["sid"], cookie["seen"] = secret, time.time()

    def dashboard(_):
        response = client.get("/dashboard")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count('<th scope="row">') == rows

    bench._timed(dashboard, range(3))
    return bench._timed(dashboard, range(PAGE_CALLS))


def digest_run(app, database, dry_run: bool) -> tuple[float, object, int]:
    handler = _Counting()
    controller = _LoopbackController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        with app.app_context():
            from cli.digest import link_makers

            case_url, settings_url = link_makers("http://127.0.0.1:5000")
        started = time.perf_counter()
        report = digests.send_digests(
            database, bench.TODAY, default_board=bench.BOARD,
            mail=digests.MailSettings(host="127.0.0.1", port=controller.port, security="none"),
            mail_from="tracker@bench.example.org", case_url=case_url, settings_url=settings_url, dry_run=dry_run)
        return time.perf_counter() - started, report, handler.messages
    finally:
        controller.stop()


def run_database(label: str, url: str, size: int, built: dict) -> dict:
    app, database, local_id, board_id, calendar = bench.prepare(url)
    if "data" not in built:
        built["data"] = bench.build_cases(calendar, ops.rules_named(bench.RULESET), size, local_id, board_id)
        built["rows"] = bench.rows(built["data"])
    bench.bulk_insert(database, built["rows"])
    officer, steward = add_users(database, built["data"])
    rng = random.Random(304)
    ids = [c.id for c in built["data"].cases]

    def reference(gid):
        with database.transaction() as session:
            session.scalar(select(Grievance).where(Grievance.id == gid))

    bench._timed(reference, rng.sample(ids, 20))
    reference_s = statistics.median(bench._timed(reference, rng.sample(ids, 200)))
    out = {"database": label, "reference": reference_s,
           "dashboard_officer": statistics.median(page_times(app, officer, 50)),
           "dashboard_steward": statistics.median(page_times(app, steward, CASES_EACH))}
    for dry_run in (True, False):
        seconds, report, received = digest_run(app, database, dry_run)
        key = "digest_dry_run" if dry_run else "digest_send"
        out[key] = seconds
        out[key + "_outcomes"] = {status: len(report.of(status)) for status in ("sent", "would_send", "nothing", "failed")}
        out[key + "_received"] = received
    database.dispose()
    return out


def report(size: int, results: list[dict]) -> str:
    ms = 1000
    lines = [f"Dashboard and digests, {size:,} cases, 1,000 users ({platform.python_implementation()} "
             f"{platform.python_version()})", ""]
    for r in results:
        ref = r["reference"]
        lines += [
            f"{r['database']}: reference (one grievance by primary key) {r['reference'] * ms:.2f} ms",
            f"  GET /dashboard, officer (first page of 50)   {r['dashboard_officer'] * ms:8.1f} ms "
            f"({r['dashboard_officer'] / ref:,.0f}x)   goal < 100 ms",
            f"  GET /dashboard, steward (40 cases)            {r['dashboard_steward'] * ms:8.1f} ms "
            f"({r['dashboard_steward'] / ref:,.0f}x)",
            f"  digest for 1,000 users, built and rendered   {r['digest_dry_run']:8.1f} s  "
            f"({r['digest_dry_run'] / ref:,.0f}x)  {r['digest_dry_run_outcomes']}",
            f"  digest for 1,000 users, sent over SMTP       {r['digest_send']:8.1f} s  "
            f"({r['digest_send'] / ref:,.0f}x)  {r['digest_send_outcomes']}, received {r['digest_send_received']}",
        ]
    return "\n".join(lines)


def main(argv) -> int:
    size = bench.QUICK if "--quick" in argv else bench.FULL
    built, results = {}, []
    if "--postgres-only" not in argv:
        with bench.tempfile.TemporaryDirectory() as directory:
            results.append(run_database("SQLite", f"sqlite:///{directory}/web.sqlite3", size, built))
    if "--sqlite-only" not in argv:
        with bench.postgres_url() as url:
            results.append(run_database("PostgreSQL", url, size, built))
    print(report(size, results))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"web{'-quick' if size == bench.QUICK else ''}.json").write_text(json.dumps(results, indent=2, default=str))
    return 0

