"""Fixtures: apps and databases on SQLite and PostgreSQL, and the shipped
board calendars.

Database tests take the `app` fixture, which runs once on SQLite and once on
the PostgreSQL server that scripts/test starts (TEST_POSTGRES_URL). Without
that server the PostgreSQL runs are skipped locally and fail in CI.
"""
from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from cli.database import alembic_config
from school_calendar.board_calendar import BoardCalendar
from school_calendar.calendar_file import read_board_directory

AMDSB = "amdsb-elementary"


@pytest.fixture(scope="session")
def shipped_years():
    return read_board_directory()


@pytest.fixture(scope="session")
def amdsb(shipped_years) -> BoardCalendar:
    """The Avon Maitland DSB elementary calendar as shipped in calendar/boards/."""
    return BoardCalendar(AMDSB, shipped_years[AMDSB])


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    yield empty_test_postgres()


def postgres_test_url() -> str:
    """The URL of the test PostgreSQL server; skips locally without one, fails in CI."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("TEST_POSTGRES_URL is not set: run the suite with scripts/test (make test).")
        pytest.skip("no PostgreSQL server: run the suite with scripts/test (make test) to include it")
    return url


def empty_test_postgres() -> str:
    """The test PostgreSQL server's URL, its public schema emptied."""
    url = postgres_test_url()
    empty_postgres(url)
    return url


def empty_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def empty_app(database_url, tmp_path):
    """An app on an empty, migrated database."""
    from alembic import command

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SESSION_COOKIE_SECURE": False,
                      "DOCUMENTS_DIR": str(tmp_path / "documents")})
    command.upgrade(alembic_config(database_url), "head")
    yield app
    app.extensions["database"].dispose()


@pytest.fixture
def app(empty_app):
    """An app with the shipped board calendars loaded."""
    runner = empty_app.test_cli_runner()
    for args in (["schooldays", "load", "--by", "test-suite"], ["locals", "add", "etfo-avon-maitland", "Test local"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    return empty_app


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


PASSWORD = "correct horse battery staple"


def make_user(app, email: str, role: str, local: str = "etfo-avon-maitland") -> None:
    from operations.accounts import create_user

    with app.extensions["database"].transaction() as session:
        create_user(session, local=local, email=email, name=email.split("@")[0].title(), password=PASSWORD, role=role)


def log_in(app, email: str, password: str = PASSWORD):
    """A test client logged in as `email`, sending the CSRF token on every request."""
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    with client.session_transaction() as session:
        client.environ_base["HTTP_X_CSRF_TOKEN"] = session["csrf"]
    return client


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch):
    """scrypt at a low work factor in tests: the production setting costs ~0.2 s a hash.
    test_web_access checks the production setting itself."""
    from operations import accounts

    monkeypatch.setattr(accounts, "HASH_METHOD", "scrypt:1024:8:1")


@pytest.fixture
def admin(app):
    """A client logged in as an administrator of the local."""
    make_user(app, "admin@example.org", "admin")
    return log_in(app, "admin@example.org")


@pytest.fixture
def officer(app):
    """A client logged in as an officer of the local."""
    make_user(app, "officer@example.org", "officer")
    return log_in(app, "officer@example.org")
