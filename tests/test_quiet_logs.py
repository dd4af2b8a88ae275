"""Quiet logs: no secret and no personal data in any log line the app or the
server in front of it writes (web/quiet_logs.py, deploy/gunicorn.conf.py).

The kind, from the issue: the development server's log showed calendar feed
tokens and search queries, and gunicorn's masked them except in
/feeds//TOKEN.ics. Its other members, found here: the same token percent-encoded
(/feeds%2FTOKEN.ics, /%66eeds/…), the password reset link's token
(/login/reset?token=…), and a traceback in the app's log, where SQLAlchemy
prints the query's parameters (a member's name searched for, an email).

Each test captures the log of real requests: to werkzeug's development server
(what `make run` serves) and to gunicorn under the production config.
"""
from __future__ import annotations

import http.client
import io
import logging
import threading

import pytest
from alembic import command
from sqlalchemy import select, text
from werkzeug.serving import make_server

from app import create_app
from benchmarks import load
from cli.database import alembic_config
from conftest import make_user
from glue import database
from models import User
from operations import feeds

MEMBER = "Ysolde Fenwarden"
RESET_SECRET = "rEsEt-SeCrEt-0123456789abcdefghijklmnopqrstu"


def _feed_secret(app) -> str:
    make_user(app, "officer@example.org", "officer")
    with app.extensions["database"].transaction() as session:
        user = session.scalar(select(User).where(User.email == "officer@example.org"))
        return feeds.create_feed(session, user).secret


def _paths(token: str) -> list[str]:
    """The feed link as clients write it, a search for a member, the reset link."""
    return [f"/feeds/{token}.ics", f"/feeds//{token}.ics", f"/feeds%2F{token}.ics", f"/%66eeds/{token}.ics",
            f"/feeds%252F{token}.ics", f"/feed/{token}.ics", "/dashboard?q=Ysolde+Fenwarden",
            "/dashboard%3Fq=Ysolde%20Fenwarden", f"/login/reset?token={RESET_SECRET}",
            f"/reset-password/{RESET_SECRET}"]


def _send(port: int, paths: list[str]) -> None:
    for path in paths:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path)
        connection.getresponse().read()
        connection.close()


def _assert_quiet(log: str, token: str, shown: tuple[str, ...]) -> None:
    for secret in (token, token[:20], MEMBER, "Fenwarden", RESET_SECRET, "officer@example.org"):
        assert secret not in log, f"{secret!r} is in the log:\n{log}"
    # The positive control: the requests were logged, with what is not secret.
    for line in shown:
        assert line in log, f"{line!r} is not in the log:\n{log}"


@pytest.fixture
def captured():
    """Everything the werkzeug logger and the app's logger write, as a handler would write it."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    loggers = [logging.getLogger("werkzeug"), logging.getLogger("app")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield out
    for logger, level in zip(loggers, levels):
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_the_development_servers_log_shows_no_feed_token_search_or_reset_token(app, captured):
    token = _feed_secret(app)
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _send(server.port, _paths(token))
    finally:
        server.shutdown()
        thread.join()
    _assert_quiet(captured.getvalue(), token, ('"GET /feeds/[secret].ics HTTP/1.1" 200', "/dashboard?[hidden]",
                                              "/login/reset?[hidden]", "/reset-password/[secret]"))


def test_a_traceback_in_the_apps_log_shows_no_query_parameters(tmp_path, captured):
    """A 500 is logged with its traceback; SQLAlchemy's error text holds the statement's parameters."""
    url = f"sqlite:///{tmp_path / 'probe.sqlite3'}"
    app = create_app({"DATABASE_URL": url, "SESSION_COOKIE_SECURE": False, "PROPAGATE_EXCEPTIONS": False})
    command.upgrade(alembic_config(url), "head")

    @app.get("/probe-error")
    def probe_error():
        with database().transaction() as session:  # a query that fails, carrying what a search would
            session.execute(text("SELECT :member, :email FROM no_such_table"),
                            {"member": MEMBER, "email": "officer@example.org"})

    from web import auth

    auth.PUBLIC.add("probe_error")
    try:
        response = app.test_client().get("/probe-error?q=Ysolde+Fenwarden")
    finally:
        auth.PUBLIC.discard("probe_error")
    assert response.status_code == 500
    log = captured.getvalue()
    assert "Exception on /probe-error [GET]" in log and "no_such_table" in log  # the traceback is there
    assert "[parameters: hidden]" in log
    for secret in (MEMBER, "officer@example.org"):
        assert secret not in log, log


@pytest.fixture
def served(tmp_path_factory):
    """A migrated SQLite database with the local, an officer and their feed link."""
    url = f"sqlite:///{tmp_path_factory.mktemp('quiet') / 'quiet.sqlite3'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    command.upgrade(alembic_config(url), "head")
    assert app.test_cli_runner().invoke(args=["locals", "add", "etfo-avon-maitland", "Test local"]).exit_code == 0
    token = _feed_secret(app)
    app.extensions["database"].dispose()
    return url, token


def test_gunicorns_log_shows_no_feed_token_search_or_reset_token_however_the_path_is_written(served, tmp_path):
    url, token = served
    with load.gunicorn(url, 1, tmp_path) as (port, _pid):
        _send(port, _paths(token))
    log = (tmp_path / "gunicorn.log").read_text()
    assert log.count('"GET ') >= len(_paths(token)), log  # every request has its access line
    # Its access lines name the path alone (%(U)s): a query string is never in them.
    _assert_quiet(log, token, ('"GET /feeds/[secret].ics" 200', '"GET /dashboard" 302', '"GET /dashboard?[hidden]"',
                               '"GET /login/reset" 400', '"GET /reset-password/[secret]"'))


def test_the_quiet_filter_is_installed_once_however_many_apps_are_built(tmp_path):
    from web.quiet_logs import QuietLogs

    for _ in range(3):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error", "app"):
        assert sum(isinstance(f, QuietLogs) for f in logging.getLogger(name).filters) == 1, name
