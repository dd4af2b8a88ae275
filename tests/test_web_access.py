"""Who gets in, and to what: logins, roles, locals, CSRF and the session cookie."""
import re

import pytest
from sqlalchemy import select

from conftest import PASSWORD, log_in, make_user
from models import User
from operations import grievances as ops

PUBLIC = {"auth.login", "static", "exports.feed",
          "auth.forgot_password", "auth.reset_password"}  # for those who cannot log in: tests/test_password_reset.py


def sample_url(rule) -> str:
    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: "1" if m.group(1) == "int" else "x", rule.rule)


def test_every_route_but_the_login_page_requires_a_login(app):
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(sample_url(rule), method=method)
            if rule.rule.startswith("/api/"):
                assert response.status_code == 401, (rule.rule, method, response.status_code)
            else:
                assert response.status_code in (302, 400), (rule.rule, method, response.status_code)
                if response.status_code == 302:
                    assert "/login" in response.headers["Location"], rule.rule
            checked += 1
    assert checked > 20


def test_a_post_without_the_csrf_token_is_refused(officer):
    del officer.environ_base["HTTP_X_CSRF_TOKEN"]
    response = officer.post("/api/grievances", json={"number": "X-1"})
    assert response.status_code == 400 and response.get_json()["field"] == "csrf_token"
    assert officer.post("/logout").status_code == 400


def test_passwords_are_stored_with_a_slow_hash(app, monkeypatch):
    from operations import accounts

    monkeypatch.setattr(accounts, "HASH_METHOD", "scrypt")  # the production setting
    make_user(app, "admin@example.org", "admin")
    with app.extensions["database"].transaction() as session:
        stored = session.scalar(select(User.password_hash).where(User.email == "admin@example.org"))
    assert stored.startswith("scrypt:32768:8:1$") and PASSWORD not in stored


def test_repeated_failed_logins_are_slowed_down(app):
    make_user(app, "target@example.org", "officer")
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    statuses = [client.post("/login", data={"email": "target@example.org", "password": "wrong guess",
                                            "csrf_token": token}).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    # Even the right password waits until the delay has passed.
    right = client.post("/login", data={"email": "target@example.org", "password": PASSWORD, "csrf_token": token})
    assert right.status_code == 429 and "Wait" in right.get_data(as_text=True)


def test_the_session_cookie_is_http_only_and_same_site(app):
    make_user(app, "cookie@example.org", "viewer")
    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    response = client.get("/login", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_logging_in_does_not_follow_a_link_off_the_site(app):
    make_user(app, "next@example.org", "viewer")
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    response = client.post("/login?next=//evil.example", data={"email": "next@example.org", "password": PASSWORD,
                                                                "csrf_token": token})
    assert response.headers["Location"] == "/dashboard"


@pytest.fixture
def two_locals(app):
    """A case in each of two locals, and a user of each role."""
    app.config["TODAY"] = "2025-11-20"
    from datetime import date

    with app.extensions["database"].transaction() as session:
        ops.ensure_local(session, "other-local", "Another local")
        ours = ops.open_case(session, ops.NewCase(number="OURS-1", kind="policy", first_event_on=date(2025, 11, 10),
                                                  members=("A",)), by="t", today=date(2025, 11, 20))
        theirs = ops.open_case(session, ops.NewCase(number="THEIRS-1", kind="policy", local="other-local",
                                                    first_event_on=date(2025, 11, 10), members=("B",)),
                               by="t", today=date(2025, 11, 20))
        ids = {"ours": ours.id, "theirs": theirs.id}
    for email, role, local in [("officer@ours.org", "officer", "etfo-avon-maitland"),
                               ("viewer@ours.org", "viewer", "etfo-avon-maitland"),
                               ("steward@ours.org", "steward", "etfo-avon-maitland"),
                               ("officer@theirs.org", "officer", "other-local")]:
        make_user(app, email, role, local)
    return ids


def test_nobody_sees_another_locals_case_by_any_url(app, two_locals):
    client = log_in(app, "officer@theirs.org")
    ours = two_locals["ours"]
    for url in (f"/cases/{ours}", f"/cases/{ours}/record/grievance_filed", f"/api/grievances/{ours}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/api/grievances/{ours}/events",
                       json={"type": "grievance_filed", "occurred_on": "2025-11-13"}).status_code == 404
    listed = client.get("/api/grievances?open=all").get_json()["grievances"]
    assert [g["number"] for g in listed] == ["THEIRS-1"]
    assert "OURS-1" not in client.get("/dashboard").get_data(as_text=True)


def test_a_viewer_reads_but_cannot_record(app, two_locals):
    client = log_in(app, "viewer@ours.org")
    assert client.get(f"/cases/{two_locals['ours']}").status_code == 200
    response = client.post(f"/cases/{two_locals['ours']}/record/grievance_filed",
                           data={"occurred_on": "2025-11-13", "action": "record"})
    assert response.status_code == 403
    assert client.get("/cases/new").status_code == 403


def test_a_steward_sees_only_assigned_cases(app, two_locals):
    client = log_in(app, "steward@ours.org")
    assert client.get(f"/cases/{two_locals['ours']}").status_code == 404
    make_user(app, "admin@ours.org", "admin")
    admin = log_in(app, "admin@ours.org")
    admin.post("/admin/assignments", data={"email": "steward@ours.org", "number": "OURS-1"})
    assert client.get(f"/cases/{two_locals['ours']}").status_code == 200


def test_only_an_admin_manages_users(app, two_locals):
    assert log_in(app, "officer@ours.org").get("/admin/users").status_code == 403
    make_user(app, "admin@ours.org", "admin")
    admin = log_in(app, "admin@ours.org")
    created = admin.post("/admin/users", data={"name": "New", "email": "New@Ours.org", "role": "steward",
                                                 "password": "a long enough password"})
    assert created.status_code == 302
    short = admin.post("/admin/users", data={"name": "Short", "email": "short@ours.org", "role": "viewer",
                                               "password": "short"})
    assert short.status_code == 400 and "too short" in short.get_data(as_text=True)


def test_the_first_administrator_is_created_from_the_command_line(app):
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "First@Example.org", "--name", "First",
                                                "--password", "a long enough password"])
    assert result.exit_code == 0, result.output
    assert log_in(app, "first@example.org", "a long enough password").get("/admin/users").status_code == 200


def _login_attempts(app) -> list[tuple[str, bool]]:
    from models import LoginAttempt

    with app.extensions["database"].transaction() as session:
        return [tuple(row) for row in session.execute(
            select(LoginAttempt.email, LoginAttempt.succeeded).order_by(LoginAttempt.id))]


def _write_lock_is_free(url: str) -> bool:
    """Whether another connection could begin a writing transaction at once (timeout 0)."""
    import sqlite3

    other = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:  # "database is locked"
        return False
    finally:
        other.close()


def test_the_password_is_checked_with_no_transaction_open(app, monkeypatch):
    """On SQLite every transaction holds the write lock from BEGIN: a login that hashed inside one
    made every request of every worker wait for the hash. While the hash is checked, no connection
    of the app's pool is in use and (SQLite) another connection can take the write lock."""
    from operations import accounts

    make_user(app, "hasher@example.org", "officer")
    database = app.extensions["database"]
    real_check, seen = accounts.check_password_hash, []

    def watched(stored, password):
        lock_free = _write_lock_is_free(database.url) if database.url.startswith("sqlite") else True
        seen.append((database.engine.pool.checkedout(), lock_free))
        return real_check(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", watched)
    log_in(app, "hasher@example.org")
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    for email in ("hasher@example.org", "unknown@example.org"):
        assert client.post("/login", data={"email": email, "password": "wrong guess",
                                           "csrf_token": token}).status_code == 401
    assert seen == [(0, True)] * 3
    # The two short transactions still record each attempt, and how it ended.
    assert _login_attempts(app) == [("hasher@example.org", True), ("hasher@example.org", False),
                                    ("unknown@example.org", False)]


def test_an_unknown_or_deactivated_account_costs_the_same_password_check(app, monkeypatch):
    """The time a login takes must not tell whether the address has a (live) account: one scrypt
    check every time, against a dummy hash of the same method when there is no account."""
    from operations import accounts

    make_user(app, "live@example.org", "officer")
    make_user(app, "gone@example.org", "officer")
    with app.extensions["database"].transaction() as session:
        session.scalar(select(User).where(User.email == "gone@example.org")).is_active = False
    real_check, checked = accounts.check_password_hash, []

    def counted(stored, password):
        checked.append(stored.split("$")[0])
        return real_check(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", counted)
    database = app.extensions["database"]
    answers = {email: accounts.authenticate(database, email, password, "127.0.0.1")
               for email, password in (("live@example.org", "wrong guess"), ("gone@example.org", PASSWORD),
                                       ("nobody@example.org", PASSWORD))}
    assert checked == [accounts.HASH_METHOD] * 3
    assert {type(a).__name__ for a in answers.values()} == {"LoginRefused"}
    assert len({(a.message, a.fix) for a in answers.values()}) == 1


def test_parallel_guesses_see_each_others_attempts(app, monkeypatch):
    """The attempt is recorded (as failed) before the password is checked, so a guess made while
    another is being hashed already counts towards the throttle."""
    from operations import accounts

    make_user(app, "target@example.org", "officer")
    database = app.extensions["database"]
    real_check, started, answers = accounts.check_password_hash, [], []

    def and_another_guess_meanwhile(stored, password):
        # Each check starts the next guess before it finishes: guess 6 comes while 1-5 are in flight.
        if len(started) <= accounts.FREE_FAILURES:
            started.append(1)
            answers.append(accounts.authenticate(database, "target@example.org", "another guess", "127.0.0.1"))
        return real_check(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", and_another_guess_meanwhile)
    first = accounts.authenticate(database, "target@example.org", "first guess", "127.0.0.1")
    assert isinstance(first, accounts.LoginRefused)
    # Answers arrive innermost first: the 6th guess throttled, guesses 5 to 2 refused (free).
    assert [type(a).__name__ for a in answers] == ["LoginThrottled"] + ["LoginRefused"] * 4
