"""Sessions that end on the server, not only in the browser.

A login opens a LoginSession row; the browser's signed cookie carries a random secret
(secrets.token_urlsafe(32)) of which only the SHA-256 is stored, so a copy of the
database or a backup opens no session. Every request looks the secret up: the cookie
alone is no longer enough. A session is good while

- it has not ended: logout ends it; deactivating the account, changing the password
  (the user's *other* sessions) and resetting it (all of them) end the user's sessions;
- it is younger than the absolute lifetime (12 hours by default): counted from the
  login on the server, so a session used all day long still ends;
- and, checked by web/auth.py on the time the signed cookie last carried, it has been
  used within the idle lifetime (2 hours by default).

Nothing here reads Flask: the web layer passes the secret, the clock and the lifetimes in.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, joinedload

from models import User
from models.accounts import LoginSession

# Rows of sessions that ended (or expired) this long ago are deleted at the user's next login.
KEPT_FOR = timedelta(days=30)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def open_session(session: Session, user_id: int, now: datetime | None = None) -> str:
    """A new session for the user; returns the secret for the cookie (never stored)."""
    now = now or datetime.now(timezone.utc)
    session.execute(delete(LoginSession).where(
        LoginSession.user_id == user_id,
        or_(LoginSession.ended_at < now - KEPT_FOR, LoginSession.created_at < now - KEPT_FOR)))
    secret = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user_id, secret_sha256=_digest(secret), created_at=now))
    session.flush()
    return secret


def session_user(session: Session, secret: str, *, lifetime: timedelta,
                 now: datetime | None = None) -> User | None:
    """The active user whose open session `secret` names, or None: unknown, ended, older
    than `lifetime` (the absolute limit), or the account deactivated."""
    if not secret or not isinstance(secret, str):
        return None
    now = now or datetime.now(timezone.utc)
    row = session.execute(
        select(LoginSession, User).join(User, User.id == LoginSession.user_id)
        .options(joinedload(User.local))
        .where(LoginSession.secret_sha256 == _digest(secret), LoginSession.ended_at.is_(None))).first()
    if row is None:
        return None
    login, user = row
    if not user.is_active or _aware(login.created_at) + lifetime <= now:
        return None
    return user


def end_session(session: Session, secret: str, why: str, now: datetime | None = None) -> None:
    """End one session (logout, or the idle limit passed)."""
    if not secret or not isinstance(secret, str):
        return
    session.execute(update(LoginSession)
                    .where(LoginSession.secret_sha256 == _digest(secret), LoginSession.ended_at.is_(None))
                    .values(ended_at=now or datetime.now(timezone.utc), ended_why=why))


def end_sessions(session: Session, user_id: int, why: str, *, keep: str | None = None,
                 now: datetime | None = None) -> int:
    """End every open session of the user but `keep` (the secret of the session that asked,
    after a password change); returns how many ended."""
    query = update(LoginSession).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
    if keep:
        query = query.where(LoginSession.secret_sha256 != _digest(keep))
    result = session.execute(query.values(ended_at=now or datetime.now(timezone.utc), ended_why=why))
    return result.rowcount or 0

