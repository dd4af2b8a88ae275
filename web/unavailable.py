"""The database out of reach (stopped, restarting, the network down, SQLite locked
past its timeout): a 503 that says so in words, never a 500 or a traceback.
Pages get a page, /api/ gets JSON with an error field, both with Retry-After.

Nothing needs restarting when the database comes back: the engine tests each
pooled connection before use (models/database.py), so the next request works.

A request that failed this way stored nothing: its transaction never reached
COMMIT, and the database undoes a transaction it did not commit. The one
exception is a connection lost while COMMIT was on its way (CommitOutcomeUnknown):
then the page says the change may or may not be stored, and to check first.
"""
from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError

from models.database import CommitOutcomeUnknown

RETRY_AFTER_SECONDS = 60
# SQLite's errors that mean "not now" rather than a mistake in a query (which stays a 500).
SQLITE_TRANSIENT = ("database is locked", "database table is locked", "unable to open database", "disk i/o error",
                    "database or disk is full")

UNREACHABLE = {
    "title": "The database is not reachable",
    "message": "The tracker cannot reach its database right now, so nothing you entered was saved.",
    "fix": "Try again in a minute. If it keeps happening, tell whoever runs the tracker.",
}
UNKNOWN = {
    "title": "Not sure your change was saved",
    "message": "The database stopped answering while your change was being saved: it may or may not be stored.",
    "fix": "In a minute, open the case and check before entering the change again.",
}


def init_app(app: Flask) -> None:
    app.register_error_handler(OperationalError, database_error)
    app.register_error_handler(InterfaceError, database_error)
    app.register_error_handler(CommitOutcomeUnknown, outcome_unknown)


def database_error(error: OperationalError | InterfaceError):
    if not unreachable(error):
        raise error  # a mistake in the app, not an outage: Flask's 500, with the traceback in the log
    current_app.logger.error("database unreachable (%s %s): %s", request.method, request.path,
                             str(error.orig).strip().splitlines()[0] if error.orig else error)
    return answer(UNREACHABLE)


def outcome_unknown(error: CommitOutcomeUnknown):
    current_app.logger.error("connection lost during COMMIT (%s %s): %s", request.method, request.path,
                             error.__cause__)
    # A GET changes nothing, so nothing can be half-known; a POST may have been storing a change.
    return answer(UNREACHABLE if request.method in ("GET", "HEAD", "OPTIONS") else UNKNOWN)


def unreachable(error: OperationalError | InterfaceError) -> bool:
    """Whether the error means the database is out of reach or too busy, not that a query is wrong."""
    if error.connection_invalidated:
        return True
    if "sqlite" in type(error.orig).__module__:
        text = str(error.orig).lower()
        return isinstance(error, OperationalError) and any(words in text for words in SQLITE_TRANSIENT)
    # PostgreSQL (psycopg): connection refused or closed, server shutting down, lock or statement timeouts.
    return True


def answer(words: dict):
    if request.path.startswith("/api/"):
        response = jsonify({"error": words["message"], "field": None, "fix": words["fix"]})
    else:
        again = request.full_path.rstrip("?") if request.method == "GET" else None
        response = current_app.make_response(render_template(
            "error.html", title=words["title"], message=f"{words['message']} {words['fix']}",
            link=again, link_text="Try again" if again else None))
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
