"""A forgotten password: a link by email that sets a new one.

- `request_reset`: for an address with an active account, a new link (secrets.token_urlsafe(32));
  only its SHA-256 is stored, so a copy of the database or a backup resets nothing. At most
  MAX_PER_HOUR links per account an hour, so the form cannot fill someone's mailbox. For any
  other address nothing is made, and the web page answers exactly the same.
- `reset_message`: the email (plain text), with the link and how long it lasts.
- `check_link`: whether a link is usable now (unknown, used, expired and a deactivated account
  all read the same: not usable).
- `complete_reset`: single use: the link is spent by a conditional UPDATE, so two tabs (or an
  attacker racing the owner) cannot both use it; the password is set, every session of the user
  ends and every other link of theirs is spent too.

Sending goes through the digests' Mailer (operations/digests.py): the same SMTP settings.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import Database, User
from models.accounts import PasswordReset
from school_calendar.errors import UserError

from . import accounts

LIFETIME = timedelta(hours=1)
MAX_PER_HOUR = 3


class LinkNotUsable(UserError):
    """Unknown, used or expired (which one is not said)."""

    def __init__(self):
        super().__init__("This password reset link is not valid: it was used already, has expired or is mistyped.",
                         field="token", fix="Ask for a new link on the login page ('Forgot your password?').")


@dataclass(frozen=True)
class NewLink:
    email: str
    name: str
    secret: str            # goes into the email only; never stored
    expires_at: datetime


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def request_reset(database: Database, email: str, now: datetime | None = None) -> NewLink | None:
    """A new link for the active account with this address, or None (no such account, or
    MAX_PER_HOUR links already made in the last hour). The caller answers the same either way."""
    now = now or datetime.now(timezone.utc)
    email = (email or "").strip().lower()[:200]
    with database.transaction() as session:
        user = session.scalar(select(User).where(User.email == email, User.is_active.is_(True)))
        if user is None:
            return None
        recent = session.scalar(select(func.count(PasswordReset.id)).where(
            PasswordReset.user_id == user.id, PasswordReset.created_at > now - timedelta(hours=1)))
        if recent >= MAX_PER_HOUR:
            return None
        secret = secrets.token_urlsafe(32)
        session.add(PasswordReset(user_id=user.id, token_sha256=digest(secret), created_at=now,
                                  expires_at=now + LIFETIME))
        return NewLink(user.email, user.name, secret, now + LIFETIME)


def reset_message(link: NewLink, url: str, *, mail_from: str, now: datetime | None = None) -> EmailMessage:
    """The email: who asked is not known, so it says what to do if it was not you."""
    now = now or datetime.now(timezone.utc)
    minutes = int(LIFETIME.total_seconds() // 60)
    message = EmailMessage()
    message["Subject"] = "Reset your password for the grievance tracker"
    message["From"] = mail_from
    message["To"] = Address(display_name=link.name, addr_spec=link.email)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid("password-reset", domain=_domain(mail_from))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(
        f"Hello {link.name},\n\n"
        f"Someone (we hope you) asked to reset the password of {link.email} on the grievance tracker.\n"
        f"Open this link within {minutes} minutes to choose a new password; it works once:\n\n"
        f"    {url}\n\n"
        "Setting a new password logs out every session of your account.\n\n"
        "If you did not ask, ignore this email: your password stays as it is.\n")
    return message


def _domain(mail_from: str) -> str:
    address = mail_from.rsplit("<", 1)[-1].rstrip(">").strip()
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"


def _usable(session: Session, secret: str, now: datetime) -> PasswordReset | None:
    if not secret or not isinstance(secret, str) or len(secret) > 100:
        return None
    row = session.scalar(select(PasswordReset).join(User, User.id == PasswordReset.user_id).where(
        PasswordReset.token_sha256 == digest(secret), PasswordReset.used_at.is_(None), User.is_active.is_(True)))
    if row is None or _aware(row.expires_at) <= now:
        return None
    return row


def check_link(database: Database, secret: str, now: datetime | None = None) -> str:
    """The address the link resets, or LinkNotUsable."""
    now = now or datetime.now(timezone.utc)
    with database.transaction() as session:
        row = _usable(session, secret, now)
        if row is None:
            raise LinkNotUsable()
        return session.scalar(select(User.email).where(User.id == row.user_id))


def complete_reset(database: Database, secret: str, new: str, again: str, now: datetime | None = None) -> str:
    """Set the new password through the link, once. Returns the account's address."""
    now = now or datetime.now(timezone.utc)
    check_link(database, secret, now)  # a spent link says so before the password is judged
    accounts.check_new_password(new, field="new_password")
    if new != again:
        raise UserError("The two new passwords differ.", field="new_password_again",
                        fix="Type the same new password in both fields.")
    password_hash = accounts.new_password_hash(new)  # the slow hash outside the transaction (see accounts.authenticate)
    with database.transaction() as session:
        row = _usable(session, secret, now)
        spent = row is not None and session.execute(
            update(PasswordReset).where(PasswordReset.id == row.id, PasswordReset.used_at.is_(None))
            .values(used_at=now)).rowcount == 1
        if not spent:
            raise LinkNotUsable()
        user = session.get(User, row.user_id)
        accounts.store_password(session, user, password_hash, "password reset", now=now)
        return user.email
