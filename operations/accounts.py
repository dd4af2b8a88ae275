"""Accounts: creating and deactivating users, checking passwords (slowly, and more
slowly after failures, never inside a transaction), and what each role may see and do.

Roles: admin (users, board calendars, rule settings, and all of an officer's
work), officer (every case of the local), steward (the cases assigned to them:
read and add events), viewer (read only). Nobody sees another local's cases.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from sqlalchemy import Select, exists, func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models import ROLES, Board, Database, Grievance, LoginAttempt, StewardAssignment, UnionLocal, User
from school_calendar.errors import UserError

from .text_limits import LIMITS, check_lengths

MIN_PASSWORD = 12
FREE_FAILURES = 5                 # failures in the window before logins slow down
WINDOW = timedelta(minutes=15)
# scrypt, Werkzeug's default: memory-hard and slow on purpose.
HASH_METHOD = "scrypt"


class LoginRefused(UserError):
    """Wrong email or password (which of the two is never said)."""


class LoginThrottled(UserError):
    def __init__(self, wait_seconds: int):
        super().__init__("Too many failed logins for this account.", field="password",
                         fix=f"Wait {wait_seconds} seconds and try again, or ask an administrator.")
        self.wait_seconds = wait_seconds


def create_user(session: Session, *, local: str, email: str, name: str, password: str, role: str) -> User:
    email = email.strip().lower()
    check_lengths(email=email, name=name.strip())
    if "@" not in email:
        raise UserError(f"'{email}' is not an email address.", field="email", fix="Give the person's email address.")
    if role not in ROLES:
        raise UserError(f"'{role}' is not a role.", field="role", fix=f"Use one of: {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD:
        raise UserError("The password is too short.", field="password",
                        fix=f"Use at least {MIN_PASSWORD} characters; a phrase of several words is easiest.")
    if session.scalar(select(User.id).where(User.email == email)):
        raise UserError(f"{email} already has an account.", field="email", fix="Use another address.")
    local_row = session.scalar(select(UnionLocal).where(UnionLocal.slug == local))
    if local_row is None:
        raise UserError(f"There is no union local '{local}'.", field="local", fix="Add the local first.")
    user = User(local_id=local_row.id, email=email, name=name.strip() or email, role=role, is_active=True,
                password_hash=generate_password_hash(password, method=HASH_METHOD),
                created_at=datetime.now(timezone.utc))
    session.add(user)
    session.flush()
    return user


def authenticate(database: Database, email: str, password: str, remote_addr: str,
                 now: datetime | None = None) -> User | LoginRefused | LoginThrottled:
    """The user (detached), or the refusal to show. Returns rather than raises.

    The password check (scrypt, ~0.1-0.2 s) runs with no transaction open: on SQLite every
    transaction holds the one write lock from BEGIN (models/database.py), so a check inside
    one made every other request of every worker queue behind each login. The attempt is
    recorded as failed, with the throttle read, in one short transaction *before* the check,
    so that parallel guesses at one account see each other (on SQLite that read-and-record
    is one locked step, as it was when everything ran in one transaction); a second short
    transaction marks it succeeded when the password was right."""
    now = now or datetime.now(timezone.utc)
    email = (email or "").strip().lower()[:LIMITS["email"]]  # no account's is longer; the column holds no more
    with database.transaction() as session:
        wait = _throttle_seconds(session, email, now)
        if wait:
            return LoginThrottled(wait)
        user = session.scalar(select(User).where(User.email == email))
        attempt = LoginAttempt(email=email, remote_addr=remote_addr or "", at=now, succeeded=False)
        session.add(attempt)
    if not _password_matches(user, password):
        return LoginRefused("The email or password is wrong.", field="password",
                            fix="Check both and try again; after several failures logins slow down.")
    with database.transaction() as session:
        session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt.id).values(succeeded=True))
    return user


def _password_matches(user: User | None, password: str) -> bool:
    """One scrypt check whatever the account: an unknown email is checked against a dummy hash
    and a deactivated account's hash is checked too, so that the time taken tells nobody
    whether an address has an account (or a live one)."""
    stored = user.password_hash if user is not None else _dummy_hash(HASH_METHOD)
    matches = check_password_hash(stored, password or "")
    return bool(user is not None and user.is_active and matches)


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    # Made once per method (tests lower the work factor), never stored: no password matches it
    # in practice, and the result is ignored anyway.
    return generate_password_hash(secrets.token_urlsafe(32), method=method)


def _throttle_seconds(session: Session, email: str, now: datetime) -> int:
    """After FREE_FAILURES failures in the window, wait 2, 4, 8 … seconds (at most 15 minutes)."""
    since = now - WINDOW
    failures = session.scalars(select(LoginAttempt.at).where(
        LoginAttempt.email == email, LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False))
        .order_by(LoginAttempt.at.desc())).all()
    if len(failures) < FREE_FAILURES:
        return 0
    delay = min(2 ** (len(failures) - FREE_FAILURES + 1), int(WINDOW.total_seconds()))
    last = failures[0] if failures[0].tzinfo else failures[0].replace(tzinfo=timezone.utc)
    remaining = int((last + timedelta(seconds=delay) - now).total_seconds())
    return max(0, remaining)


class NoSuchUser(UserError):
    """No account of the administrator's local has that id. Another local's accounts are not
    found either (the web answers 404, as for every other local's object)."""


def set_active(session: Session, by_user: User, user_id: int, active: bool) -> User:
    """An administrator deactivates (or reactivates) an account of their own local.

    Deactivated, a user is logged out at their next request and cannot log in (web/auth.py
    loads only active users), their feed links find nothing (feeds.resolve_feed) and they get
    no digests (digests.send_digests); nothing of theirs is deleted, so reactivating restores
    all of it, feed links included."""
    if by_user.role != "admin":
        raise UserError("Only an administrator deactivates or reactivates accounts.", field="role",
                        fix="Ask an administrator of your local.")
    user = session.scalar(select(User).where(User.id == user_id, User.local_id == by_user.local_id))
    if user is None:
        raise NoSuchUser("There is no such account in your local.", field="user_id",
                         fix="Pick an account listed on the Users page.")
    if user.id == by_user.id and not active:
        # Deactivating oneself could leave the local with no administrator, and only the
        # server's operator (the command line) could add one back.
        raise UserError("You cannot deactivate your own account.", field="user_id",
                        fix="Ask another administrator of your local, or the server's operator "
                            "(`flask --app app users deactivate EMAIL`).")
    user.is_active = active
    return user


def set_active_by_email(session: Session, email: str, active: bool) -> tuple[User, bool]:
    """The server operator's switch (the command line): any account, by email. Returns the
    user and whether anything changed (a second run changes nothing)."""
    email = (email or "").strip().lower()
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        raise UserError(f"There is no account {email}.", field="email",
                        fix="Check the address (the Users page of the app lists each local's accounts).")
    changed = user.is_active != active
    user.is_active = active
    return user, changed


def assign_steward(session: Session, steward: User, grievance: Grievance) -> None:
    if steward.role != "steward" or steward.local_id != grievance.local_id:
        raise UserError(f"{steward.email} is not a steward of this local.", field="steward",
                        fix="Choose a steward of the case's local.")
    session.add(StewardAssignment(user_id=steward.id, grievance_id=grievance.id))


# -- what a user may see and do --------------------------------------------------------

def visible(user: User, query: Select) -> Select:
    """Limit a query on Grievance to the cases `user` may see."""
    query = query.where(Grievance.local_id == user.local_id)
    if user.role == "steward":
        query = query.where(exists().where(StewardAssignment.grievance_id == Grievance.id,
                                           StewardAssignment.user_id == user.id))
    return query


def may_see(session: Session, user: User, grievance_id: int) -> bool:
    return bool(session.scalar(visible(user, select(func.count(Grievance.id)).where(Grievance.id == grievance_id))))


def may_record(user: User) -> bool:
    """Recording events: everyone but viewers (stewards only on their cases, checked by visible())."""
    return user.role in ("admin", "officer", "steward")


def may_open_cases(user: User) -> bool:
    return user.role in ("admin", "officer")


def may_change_calendars(user: User) -> bool:
    """The role check; which boards: may_change_board."""
    return user.role == "admin"


# -- whose board calendar --------------------------------------------------------------------
# The data model ties no board to a local: a board's calendar is the board's (public, read by
# everyone), and a change to it moves the deadlines of every case that counts on it. So a board
# belongs to the locals whose cases count on it, and the deployment's board (DEFAULT_BOARD, on
# which the web opens every case) to every local. Only an administrator of a local a board
# belongs to may change its calendar: a local can never move another local's deadlines on a
# board it has nothing on.

def boards_of_local(session: Session, local_id: int, default_board: str) -> set[str]:
    used = session.scalars(select(Board.slug).join(Grievance, Grievance.board_id == Board.id)
                           .where(Grievance.local_id == local_id).distinct())
    return {default_board, *used}


def may_change_board(session: Session, user: User, board_slug: str, default_board: str) -> bool:
    return may_change_calendars(user) and board_slug in boards_of_local(session, user.local_id, default_board)
