"""No secret and no personal data in any log line the app or the server in front
of it writes: the development server's request lines (werkzeug), gunicorn's
access and error logs, and the app's own (tracebacks included).

What is hidden, wherever it appears in a message:

- query strings: a dashboard search holds a member's name (`?q=Fenwarden`);
- the secret of a calendar feed link (/feeds/<token>.ics) and of a password
  reset link (/reset-password/<token>), in any form a client may send the path:
  slashes doubled (/feeds//TOKEN.ics), percent-encoded once or twice
  (/feeds%2FTOKEN.ics, /%66eeds/…, %252F), or as a full URL;
- any other run of 32 or more URL-safe characters in a path (a token that
  reaches a route by another name, or a mistyped one still is a secret);
- in exception messages and tracebacks: the values SQLAlchemy prints after
  `[parameters:` and PostgreSQL after `DETAIL:  Key (…)=`, and email addresses.

QuietLogs is a logging.Filter; init_app puts one on each logger those servers
and the app write to. A path that hides nothing is left exactly as it was.
"""
from __future__ import annotations

import logging
import re
from urllib.parse import quote, unquote

from flask import Flask

SECRET_ROUTES = ("feeds", "reset-password")  # the path segment after one of these is a credential
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")  # and the app's own (app.logger)

# Every pattern here runs over text a client chose (a request line, a path): each is linear, never
# backtracking over a run it has already scanned (a match may only start where a run starts).
_TOKEN_LIKE = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32,}")
_SECRET_SEGMENT = re.compile(r"/(%s)/+([^/]+)" % "|".join(map(re.escape, SECRET_ROUTES)), re.IGNORECASE)
# A word of the message: text up to a space or quote; or, when it holds a query string (a ? and more),
# up to the next quote or line end, since a decoded query may hold spaces ("?q=Ysolde Fenwarden").
_WORD = re.compile(r"[^\s\"'<>?]*\?(?=[^\s\"'<>])[^\"'<>\n]*|[^\s\"'<>?]+")
_PARAMETERS = re.compile(r"^\[parameters: .*$", re.MULTILINE)
_KEY_DETAIL = re.compile(r"(Key \([^()\n]*\)=).*$", re.MULTILINE)
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def quiet_path(text: str) -> str:
    """One path, URL or request target as a log may show it: the query string and any secret hidden."""
    path, mark, _query = text.partition("?")
    decoded = _decoded(path)
    encoded_query = "?" in decoded  # a %3F: what follows is no less private
    if encoded_query:
        decoded, mark = decoded.partition("?")[0], "?"
    if not (encoded_query or _SECRET_SEGMENT.search(decoded) or _TOKEN_LIKE.search(decoded)):
        return path + ("?[hidden]" if mark else "")
    collapsed = re.sub(r"(?<!:)/{2,}", "/", decoded)  # not the // of http://
    hidden = _SECRET_SEGMENT.sub(lambda m: f"/{m.group(1)}/[secret]{_extension(m.group(2))}", collapsed)
    hidden = _TOKEN_LIKE.sub("[secret]", hidden)
    return quote(hidden, safe="/[]:.-_~@") + ("?[hidden]" if mark else "")


def quiet(message: str) -> str:
    """A whole log message with every path in it quieted, and the values of database errors hidden."""
    message = _PARAMETERS.sub("[parameters: hidden]", message)
    message = _KEY_DETAIL.sub(r"\1(hidden)", message)
    message = _WORD.sub(lambda m: quiet_path(m.group(0)) if _holds_path(m.group(0)) else m.group(0), message)
    return _EMAIL.sub("[email]", message)


class QuietLogs(logging.Filter):
    """Rewrites each record's message (and traceback) through quiet(); never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let the handler report it as it would have
            return True
        quieted = quiet(message)
        if quieted != message:
            record.msg, record.args = quieted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = quiet(record.exc_text)
        if record.stack_info:
            record.stack_info = quiet(record.stack_info)
        return True


def init_app(app: Flask) -> None:
    for logger in (app.logger, *map(logging.getLogger, LOGGERS)):
        if not any(isinstance(f, QuietLogs) for f in logger.filters):  # one each, however many apps are built
            logger.addFilter(QuietLogs())


def _holds_path(word: str) -> bool:
    return "/" in word or "%" in word or "?" in word


def _decoded(path: str) -> str:
    """Percent-decoded until it no longer changes (at most three times: %252F -> %2F -> /)."""
    for _ in range(3):
        decoded = unquote(path, errors="replace")
        if decoded == path:
            break
        path = decoded
    return path


def _extension(segment: str) -> str:
    match = re.search(r"\.[A-Za-z0-9]{1,5}$", segment)
    return match.group(0) if match else ""


__all__ = ["QuietLogs", "SECRET_ROUTES", "init_app", "quiet", "quiet_path"]
