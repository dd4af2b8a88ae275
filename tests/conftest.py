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
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("TEST_POSTGRES_URL is not set: run the suite with scripts/test (make test).")
        pytest.skip("no PostgreSQL server: run the suite with scripts/test (make test) to include it")
    _empty_postgres(url)
    yield url


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def empty_app(database_url):
    """An app on an empty, migrated database."""
    from alembic import command

    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
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
