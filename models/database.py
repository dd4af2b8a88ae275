"""Engine and sessions. One transaction per user action: callers use
`with database.transaction() as session:` and either all of it is stored or
none of it."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from school_calendar.errors import UserError


class DatabaseNotReady(UserError):
    def __init__(self):
        super().__init__("The database has no tables yet.", field="database",
                         fix="Run `flask --app app db upgrade` (make run does it for you).")


class CommitOutcomeUnknown(Exception):
    """The connection to the database died while COMMIT was on its way: the server may
    have stored the change or not, and nobody can tell from here (web/unavailable.py
    says so rather than "nothing was saved")."""


def _missing_table(error: Exception) -> bool:
    text = str(error).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        committing = False
        try:
            with self._sessions.begin() as session:
                yield session
                session.flush()  # errors in the caller's writes surface here, before COMMIT is sent
                committing = True
        except DBAPIError as error:
            if _missing_table(error):
                raise DatabaseNotReady() from error
            if committing and error.connection_invalidated:
                raise CommitOutcomeUnknown() from error
            raise

    def session(self) -> Session:
        """A read-mostly session; prefer transaction() for anything that writes."""
        return self._sessions()

    def dispose(self) -> None:
        self.engine.dispose()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # pool_pre_ping: each connection taken from the pool is tested first (a round trip
    # of well under a millisecond on a local network) and replaced if the server closed
    # it, so after a database restart the very next request works. Without it, the first
    # request after a restart that no request saw (nightly maintenance) failed on a dead
    # pooled connection (tests/test_faults.py). A disconnect seen mid-request still
    # fails that request (a 503, web/unavailable.py) and empties the pool.
    return create_engine(url, pool_pre_ping=True)


SQLITE_BUSY_TIMEOUT_MS = 15_000  # under gunicorn's 30 s worker timeout


def _sqlite_connect(connection, _record) -> None:
    # pysqlite begins a transaction only before the first INSERT/UPDATE/DELETE, so the
    # reads of a read-then-write (record_event reads the case's last seq) ran outside it:
    # two gunicorn workers read the same seq and one failed on the unique index with a
    # 500. Take transaction control from pysqlite (SQLAlchemy's documented recipe) and
    # begin every transaction ourselves in _sqlite_begin.
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")  # SQLite ignores foreign keys unless asked
    cursor.execute("PRAGMA journal_mode = WAL")  # readers work while one writes
    # FULL: with WAL, NORMAL survives a killed process but may lose the last commits on
    # power loss or an OS crash; FULL syncs the WAL at each commit, so an event the app
    # acknowledged survives those too. Grievance events come a few a minute, so the cost
    # (one fsync per commit) is not felt, while a lost event may be a missed time limit.
    cursor.execute("PRAGMA synchronous = FULL")
    # A writer waits up to this long for another to finish instead of failing at once.
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # IMMEDIATE takes the write lock at BEGIN, waiting (busy_timeout) for another writer
    # to finish. A plain (deferred) BEGIN takes it at the first write, and a transaction
    # that has read cannot wait for it: SQLite answers SQLITE_BUSY ("database is locked")
    # at once, whatever the timeout, since waiting could deadlock or the snapshot it read
    # is already stale. Every transaction takes it, reads too: the app cannot tell which
    # will write, SQLite has one writer at a time anyway, and the transactions are short.
    # PostgreSQL needs none of this: FOR UPDATE in operations.grievances._locked orders
    # writers to one case there. Savepoints (Session.begin_nested) are unaffected, and
    # Alembic migrations use their own engine (migrations/env.py).
    connection.exec_driver_sql("BEGIN IMMEDIATE")
