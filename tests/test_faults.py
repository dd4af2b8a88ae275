"""Faults: the server killed mid-recording, the database stopped under a running
app, the mail server failing in the middle of a digest run.

What must hold each time: every change the app acknowledged is stored exactly
once; nothing is half-written (each case's stored deadlines, flags, stage and
version are what a replay of its events gives: recompute_all fixes 0 cases); the
user is told plainly what happened (503, never a 500 or a traceback); and the app
recovers by itself when the fault ends.

Under gunicorn these tests run the app exactly as in production
(tests/fault_helpers.py); the database checks read it directly afterwards.
"""
from __future__ import annotations

import json
import os
import re
import time
from collections import Counter

import pytest

from app import create_app
from conftest import PASSWORD, empty_postgres, log_in
from fault_helpers import (EVENT, OFFICER, TODAY, Client, FailingInbox, PostgresCluster, Recorders, Server,
                           integrity, mail_server, prepare_database)

CLIENTS = 6


# -- the server killed mid-recording ------------------------------------------------------------

def test_a_killed_server_keeps_every_acknowledged_event_once_and_no_case_half_written(database_url, tmp_path):
    """Six clients record events on four cases through two gunicorn workers; after 60
    acknowledged events the master and both workers are SIGKILLed at once, with
    requests in flight. Restarted on the same database, the server works at once,
    every acknowledged event is there exactly once, an event in flight is there at
    most once, and every case is whole. On SQLite it also proves that two worker
    processes writing at once get no error: before models/database.py began each SQLite
    transaction IMMEDIATE, two of them read the same event number and one answered 500."""
    case_ids = prepare_database(database_url, cases=4)
    server = Server(database_url, tmp_path / "gunicorn.log")
    with server:
        clients = [Client(server.port).log_in() for _ in range(CLIENTS)]
        with Recorders(clients, case_ids) as recorders:
            recorders.wait_for(acknowledged=60, timeout=60)
            server.kill()
        outcomes = recorders.outcomes
        assert outcomes.answered == [], f"answers other than 201 before the kill: {outcomes.answered[:3]}"

        server.start()
        status, _, body = clients[0].record(case_ids[0], "after-restart")  # the same session cookie still works
        assert status == 201, body

    stored = integrity(database_url)
    assert all(stored.tags[tag] == 1 for tag in outcomes.acknowledged), "an acknowledged event is lost or doubled"
    assert all(stored.tags[tag] <= 1 for tag in outcomes.unknown), "an event in flight was stored twice"
    assert stored.tags["after-restart"] == 1
    assert set(stored.tags) <= {*outcomes.acknowledged, *outcomes.unknown, "after-restart"}
    assert (stored.recompute_changed, stored.version_mismatches, stored.orphans, stored.sqlite_check) == (0, [], 0, "ok")
    print(f"\n{database_url.split(':')[0]}: {len(outcomes.acknowledged)} acknowledged, "
          f"{len(outcomes.unknown)} in flight at the kill, {sum(stored.tags[t] for t in outcomes.unknown)} of them stored")


# -- the database stopped while the app runs (PostgreSQL) ---------------------------------------------

@pytest.fixture(scope="module")
def private_postgres():
    """A PostgreSQL cluster these tests may stop and start, apart from the shared one."""
    if not os.environ.get("TEST_POSTGRES_URL"):
        if os.environ.get("CI"):
            pytest.fail("TEST_POSTGRES_URL is not set: run the suite with scripts/test (make test).")
        pytest.skip("no PostgreSQL server: run the suite with scripts/test (make test) to include it")
    cluster = PostgresCluster()
    yield cluster
    cluster.remove()


@pytest.fixture
def down_app(private_postgres):
    """An app on the private cluster with one case at Step 1 (the cluster started again
    if a test that failed left it stopped)."""
    private_postgres.ensure_running()
    empty_postgres(private_postgres.url)
    [case_id] = prepare_database(private_postgres.url, cases=1)
    app = create_app({"TESTING": True, "DATABASE_URL": private_postgres.url, "SESSION_COOKIE_SECURE": False,
                      "TODAY": TODAY.isoformat()})
    app.case_id = case_id
    yield app
    app.extensions["database"].dispose()


def assert_unreachable_page(response):
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page
    assert response.mimetype == "text/html" and response.headers["Retry-After"] == "60"
    assert "The database is not reachable" in page and "nothing you entered was saved" in page
    assert "Try again in a minute" in page and "Traceback" not in page


def assert_unreachable_json(response):
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "60"
    body = response.get_json()
    assert "nothing you entered was saved" in body["error"] and body["fix"].startswith("Try again in a minute")


def login_form(client) -> dict:
    client.get("/login")
    with client.session_transaction() as session:
        return {"email": OFFICER, "password": PASSWORD, "csrf_token": session["csrf"]}


@pytest.mark.postgres
def test_while_the_database_is_down_pages_and_api_answer_503_and_then_recover(down_app, private_postgres):
    """The database is stopped under a running app whose pool holds live connections.
    Every page, the API and logging in answer a 503 that says what happened and that
    nothing was saved; an event sent meanwhile is not stored, even in part. Started
    again, the database serves the very next request, with no restart of the app, also
    after a restart that no request saw."""
    case = down_app.case_id
    officer, visitor = log_in(down_app, OFFICER), down_app.test_client()
    assert officer.get(f"/cases/{case}").status_code == 200  # the pool now holds a connection
    form = login_form(visitor)
    private_postgres.stop("fast")
    try:
        for path in ("/dashboard", f"/cases/{case}", "/upcoming", "/calendar"):
            assert_unreachable_page(officer.get(path))
        assert_unreachable_page(officer.post(f"/cases/{case}/record/meeting_requested", data={
            "action": "record", "occurred_on": "2025-11-14"}))
        assert_unreachable_json(officer.get("/api/grievances"))
        assert_unreachable_json(officer.post(f"/api/grievances/{case}/events", json={**EVENT, "document": "while-down"}))
        assert visitor.get("/login").status_code == 200  # the login page needs no database
        assert_unreachable_page(visitor.post("/login", data=form))
    finally:
        private_postgres.start()

    assert officer.get(f"/cases/{case}").status_code == 200  # the next request: no restart needed
    response = officer.post(f"/api/grievances/{case}/events", json={**EVENT, "document": "after"})
    assert response.status_code == 201, response.get_json()
    assert visitor.post("/login", data=form).status_code == 302
    # A restart no request saw (a night's maintenance): the pool still holds connections the
    # old server closed. Each is tested before use and replaced, so the next request works.
    private_postgres.stop("fast")
    private_postgres.start()
    assert officer.get(f"/cases/{case}").status_code == 200
    stored = integrity(private_postgres.url)
    assert stored.tags == Counter({"after": 1})  # nothing of the event sent while the database was down
    assert (stored.recompute_changed, stored.version_mismatches, stored.orphans) == (0, [], 0)


@pytest.mark.postgres
def test_a_connection_lost_during_commit_says_the_change_may_or_may_not_be_stored(down_app, private_postgres):
    """The one case where "nothing was saved" could be false: the connection dies while
    COMMIT is on its way, so the app cannot know whether the server stored the event.
    Here the backend is terminated just before the COMMIT of the transaction that
    inserted the event: the answer says "may or may not", and the case is whole."""
    import psycopg
    from sqlalchemy import event

    officer = log_in(down_app, OFFICER)
    engine = down_app.extensions["database"].engine
    plain_url = private_postgres.url.replace("postgresql+psycopg", "postgresql")

    def note_the_insert(connection, cursor, statement, *args):
        if statement.startswith("INSERT INTO grievance_events"):
            connection.info["inserted_event"] = True

    def cut_before_commit(connection):
        if connection.info.pop("inserted_event", False):
            with psycopg.connect(plain_url, autocommit=True) as other:
                other.execute("SELECT pg_terminate_backend(%s)", (connection.connection.dbapi_connection.info.backend_pid,))

    event.listen(engine, "before_cursor_execute", note_the_insert)
    event.listen(engine, "commit", cut_before_commit)
    try:
        response = officer.post(f"/api/grievances/{down_app.case_id}/events", json={**EVENT, "document": "cut"})
    finally:
        event.remove(engine, "commit", cut_before_commit)
        event.remove(engine, "before_cursor_execute", note_the_insert)
    assert response.status_code == 503, response.get_json()
    assert "may or may not be stored" in response.get_json()["error"]
    assert "check before entering the change again" in response.get_json()["fix"]
    assert officer.get(f"/cases/{down_app.case_id}").status_code == 200  # the next request works
    stored = integrity(private_postgres.url)
    assert stored.tags["cut"] <= 1
    assert (stored.recompute_changed, stored.version_mismatches, stored.orphans) == (0, [], 0)


@pytest.mark.postgres
def test_under_gunicorn_a_database_crash_answers_503_and_the_workers_recover(private_postgres, tmp_path):
    """Under gunicorn, four clients record events while PostgreSQL crashes (pg_ctl -m
    immediate: backends killed mid-transaction) and comes back. Every answer is 201 or
    503, never a 500; each 201 event is stored once; no event answered "nothing was
    saved" is stored; and events are recorded again as soon as the database is back."""
    private_postgres.ensure_running()
    empty_postgres(private_postgres.url)
    case_ids = prepare_database(private_postgres.url, cases=4)
    with Server(private_postgres.url, tmp_path / "gunicorn.log") as server:
        clients = [Client(server.port).log_in() for _ in range(4)]
        with Recorders(clients, case_ids) as recorders:
            recorders.wait_for(acknowledged=20, timeout=30)
            private_postgres.stop("immediate")
            time.sleep(0.5)
            check_login_while_down(server.port)
            before = len(recorders.outcomes.acknowledged)
            private_postgres.start()
            started = time.monotonic()
            recorders.wait_for(acknowledged=before + 1, timeout=30)
            recovered_in = time.monotonic() - started
            recorders.wait_for(acknowledged=before + 20, timeout=30)
    check_outage_answers(recorders.outcomes, private_postgres.url)
    print(f"\nrecorded again {recovered_in:.2f} s after PostgreSQL was started")


def check_login_while_down(port: int) -> None:
    client = Client(port)
    status, kind, page = client.request("GET", "/login")
    assert status == 200 and "text/html" in kind
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    status, kind, page = client.request("POST", "/login", form=f"email={OFFICER}&password=x&csrf_token={token}")
    assert (status, "text/html" in kind) == (503, True), page
    assert "The database is not reachable" in page and "Traceback" not in page


def check_outage_answers(outcomes, url: str) -> None:
    statuses = Counter(status for _, status, _ in outcomes.answered)
    assert set(statuses) == {503}, statuses  # the outage was seen, and answered 503 only
    errors = {tag: json.loads(body)["error"] for tag, _, body in outcomes.answered}
    not_saved = [tag for tag, error in errors.items() if "nothing you entered was saved" in error]
    maybe = [tag for tag, error in errors.items() if "may or may not be stored" in error]
    assert len(not_saved) + len(maybe) == len(errors)
    stored = integrity(url)
    assert all(stored.tags[tag] == 1 for tag in outcomes.acknowledged)
    assert not any(stored.tags[tag] for tag in not_saved), "an event answered 'nothing was saved' was stored"
    assert all(stored.tags[tag] <= 1 for tag in [*maybe, *outcomes.unknown])
    assert (stored.recompute_changed, stored.version_mismatches, stored.orphans) == (0, [], 0)
    print(f"\n{len(outcomes.acknowledged)} acknowledged, {len(not_saved)} answered 503 nothing saved, "
          f"{len(maybe)} answered 503 outcome unknown, {len(outcomes.unknown)} with no answer")


# -- the mail server failing in the middle of a digest run ---------------------------------------------

READERS = ("officer-a@example.org", "officer-b@example.org", "officer-c@example.org")  # the order of a run


@pytest.fixture
def failing_mail(app):
    """Three officers, each with a Step 1 reply due soon, and a mail server that delivers
    the first digest and dies in the middle of the second."""
    from datetime import date

    from conftest import make_user
    from operations import grievances as ops

    for email in READERS:
        make_user(app, email, "officer")
    with app.extensions["database"].transaction() as session:
        case = ops.open_case(session, ops.NewCase(number="2025-020", kind="policy", first_event_on=date(2025, 11, 10)),
                             by=READERS[0], today=TODAY)
        ops.record_event(session, case.id, type="grievance_filed", occurred_on=date(2025, 11, 13), by=READERS[0],
                         today=TODAY)
    inbox = FailingInbox(budget=1)
    controller = mail_server(inbox)
    app.config.update(TODAY=TODAY.isoformat(), MAIL_HOST="127.0.0.1", MAIL_PORT=controller.port,
                      MAIL_SECURITY="none", MAIL_FROM="digests@example.org")
    yield inbox
    controller.stop()


def digests_recorded(app) -> set[str]:
    from sqlalchemy import select

    from models import DigestSent, User

    with app.extensions["database"].transaction() as session:
        return set(session.scalars(select(User.email).join(DigestSent, DigestSent.user_id == User.id)))


def test_a_mail_server_dying_mid_run_records_only_what_it_delivered_and_the_next_run_sends_the_rest(
        app, failing_mail):
    """The server accepts officer-a's digest, loses officer-b's in the middle (the
    connection cut before it answered) and refuses officer-c's. Only officer-a is
    recorded as sent; the next run, with the server back, sends b and c once each and
    not a again; a third run sends nothing."""
    send = lambda: app.test_cli_runner().invoke(args=["digest", "send"])  # noqa: E731
    first = send()
    assert first.exit_code != 0
    assert failing_mail.received == [[READERS[0]]]
    assert digests_recorded(app) == {READERS[0]}
    assert f"FAILED for {READERS[1]}" in first.output and f"FAILED for {READERS[2]}" in first.output

    failing_mail.recover()
    second = send()
    assert second.exit_code == 0, second.output
    assert failing_mail.received == [[READERS[0]], [READERS[1]], [READERS[2]]]
    assert f"already sent to {READERS[0]}" in second.output
    assert digests_recorded(app) == set(READERS)

    assert send().exit_code == 0
    assert len(failing_mail.received) == 3
