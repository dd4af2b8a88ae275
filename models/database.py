"""Engine and sessions. One transaction per user action: callers use
`with database.transaction() as session:` and either all of it is stored or
none of it."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from school_calendar.errors import UserError


class DatabaseNotReady(UserError):
    def __init__(self):
        super().__init__("The database has no tables yet.", field="database",
                         fix="Run `flask --app app db upgrade` (make run does it for you).")


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
        try:
            with self._sessions.begin() as session:
                yield session
        except (OperationalError, ProgrammingError) as error:
            if _missing_table(error):
                raise DatabaseNotReady() from error
            raise

    def session(self) -> Session:
        """A read-mostly session; prefer transaction() for anything that writes."""
        return self._sessions()

    def dispose(self) -> None:
        self.engine.dispose()


def make_engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection, _record) -> None:
    # SQLite ignores foreign keys unless asked; WAL lets readers work while one writes.
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()
