"""Who may use the tracker: accounts with a role in one union local, the cases a
steward is assigned, the login attempts that slow down password guessing, the
sessions a login opens (so that logging out ends them on the server), the links
that reset a forgotten password, and the accounts an administrator added that
wait for their first login."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, one_of

ROLES = ("admin", "officer", "steward", "viewer")
DIGEST_FREQUENCIES = ("daily", "weekly", "none")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(one_of("role", ROLES), name="role_known"),
        CheckConstraint("email = lower(email) AND length(email) > 2", name="email_lowercase"),
        CheckConstraint(one_of("digest_frequency", DIGEST_FREQUENCIES), name="digest_frequency_known"),
        CheckConstraint("digest_days_ahead BETWEEN 1 AND 30", name="digest_days_ahead_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    local_id: Mapped[int] = mapped_column(ForeignKey("union_locals.id"), index=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The email digest: every school day, weekly (the first school day of the week)
    # or none; and how many school days ahead it looks.
    digest_frequency: Mapped[str] = mapped_column(String(10), default="daily", server_default="daily")
    digest_days_ahead: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    local = relationship("UnionLocal")


class StewardAssignment(Base):
    """A steward sees (and adds events to) only the cases assigned to them."""

    __tablename__ = "steward_assignments"
    __table_args__ = (UniqueConstraint("user_id", "grievance_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    grievance_id: Mapped[int] = mapped_column(ForeignKey("grievances.id", ondelete="CASCADE"), index=True)


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_email_at", "email", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200))
    remote_addr: Mapped[str] = mapped_column(String(60), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    succeeded: Mapped[bool] = mapped_column(Boolean)


class LoginSession(Base):
    """One login: the browser's cookie holds a random secret, the server keeps its SHA-256.
    The session is good while it has not ended (logout, deactivation, a password change or
    reset) and is younger than the absolute lifetime (web/auth.py); the idle limit is checked
    on the time the signed cookie last carried."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Why it ended: logout, deactivated, password changed, password reset, replaced (a new login).
    ended_why: Mapped[str | None] = mapped_column(String(40), nullable=True)


class PasswordReset(Base):
    """A link sent by email for a forgotten password: single use, short-lived, and kept only
    as the SHA-256 of its secret (the secret itself is only in the email)."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PendingAccount(Base):
    """An account an administrator added on the Users page, until its person first logs in
    with the first password. An address that already has an account in another local is
    kept here the same way, so that the answer to "add this address" never tells
    one local's administrator whether another local has it; it can never log in (the login
    goes to the existing account) and so stays pending."""

    __tablename__ = "pending_accounts"
    __table_args__ = (
        UniqueConstraint("local_id", "email"),
        CheckConstraint(one_of("role", ROLES), name="role_known"),
        CheckConstraint("email = lower(email) AND length(email) > 2", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    local_id: Mapped[int] = mapped_column(ForeignKey("union_locals.id"), index=True)
    email: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
