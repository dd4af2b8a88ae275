"""Accounts: creating and deactivating users, checking passwords (slowly, and more
slowly after failures, never inside a transaction), changing and resetting them, and
what each role may see and do.

Email addresses are checked by email-validator (syntax only: no DNS look-up, so adding a
user works offline), never by "contains @". Passwords have at least MIN_PASSWORD characters.

Roles: admin (users, board calendars, rule settings, and all of an officer's
work), officer (every case of the local), steward (the cases assigned to them:
read and add events), viewer (read only). Nobody sees another local's cases.
"""
from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Select, delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models import ROLES, Board, Database, Grievance, LoginAttempt, StewardAssignment, UnionLocal, User
from models.accounts import PasswordReset, PendingAccount
from school_calendar.errors import UserError

from . import login_sessions
from .text_limits import LIMITS, check_length, check_lengths

MIN_PASSWORD = 12
MAX_PASSWORD = 1_000              # a passphrase, not a document: scrypt reads all of it
# Login throttling, per (account, client address): see _throttle_seconds.
MAX_PENDING_CHECKED = 3           # first passwords checked for an address several locals added
FREE_FAILURES = 5                 # failures of one address at one account, in the window, before it slows down
WINDOW = timedelta(minutes=15)
# scrypt, Werkzeug's default: memory-hard and slow on purpose.
HASH_METHOD = "scrypt"


class LoginRefused(UserError):
    """Wrong email or password (which of the two is never said)."""


class LoginThrottled(UserError):
    def __init__(self, wait_seconds: int):
        super().__init__("Too many failed logins for this account from your address.", field="password",
                         fix=f"Wait {wait_seconds} seconds and try again, or use 'Forgot your password?'.")
        self.wait_seconds = wait_seconds


# -- checks every door shares ----------------------------------------------------------------

def normalize_email(raw: str, field: str = "email") -> str:
    """The address as stored (lower case, the domain in ASCII), or a UserError naming `field`.

    Syntax only (no DNS look-up: adding a user must work offline and fast); addresses that
    need SMTPUTF8 are refused, since the digests go through any SMTP server."""
    text = (raw or "").strip()
    check_length(field, text, limit_of="email")
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise UserError(f"'{text}' is not an email address: {error}", field=field,
                        fix="Give the person's whole address, like name@example.org.") from None
    return (checked.ascii_email or checked.normalized).lower()


def deliverable(email: str) -> str | None:
    """None when a stored address can be mailed to, else why not (for the digest run's report)."""
    try:
        validate_email(email or "", check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        return str(error)
    return None


def check_new_password(password: str, field: str = "password") -> None:
    """At least MIN_PASSWORD characters (a phrase of several words is easiest to remember)."""
    words = {"password": "The password", "new_password": "The new password"}.get(field, "The password")
    if len(password or "") < MIN_PASSWORD:
        raise UserError(f"{words} is too short: {len(password or '')} characters, at least {MIN_PASSWORD} needed.",
                        field=field, fix=f"Use at least {MIN_PASSWORD} characters; a phrase of several words is easiest.")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"{words} is longer than {MAX_PASSWORD} characters.", field=field,
                        fix=f"Use at most {MAX_PASSWORD} characters.")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"'{role}' is not a role.", field="role", fix=f"Use one of: {', '.join(ROLES)}.")


def create_user(session: Session, *, local: str, email: str, name: str, password: str, role: str) -> User:
    """An account, at once: the server's operator (the command line), the demo, the tests. The
    Users page adds a PendingAccount instead (add_account)."""
    check_lengths(email=(email or "").strip(), name=name.strip())
    email = normalize_email(email)
    _check_role(role)
    check_new_password(password)
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


def add_account(session: Session, by_user: User, *, email: str, name: str, password: str,
                role: str) -> PendingAccount:
    """An administrator adds an account to their local (the Users page). It waits for its
    person's first login with `password`, and becomes a user then.

    Why pending: email addresses are unique across the deployment, so refusing an address
    another local already has would tell this local's administrator that it has an account
    there. Such an address is kept pending exactly like a new one, and the same answer is
    given; it never becomes an account of this local (its login goes to the existing one).
    Only what the administrator can already see on their Users page is refused by name."""
    check_lengths(email=(email or "").strip(), name=name.strip())
    email = normalize_email(email)
    _check_role(role)
    check_new_password(password)
    if session.scalar(select(User.id).where(User.email == email, User.local_id == by_user.local_id)):
        raise UserError(f"{email} already has an account in your local.", field="email",
                        fix="It is listed above; use another address.")
    if session.scalar(select(PendingAccount.id).where(PendingAccount.email == email,
                                                      PendingAccount.local_id == by_user.local_id)):
        raise UserError(f"{email} was already added and waits for its first login.", field="email",
                        fix="Give the person the first password you chose, or use another address.")
    pending = PendingAccount(local_id=by_user.local_id, email=email, name=name.strip() or email, role=role,
                             password_hash=generate_password_hash(password, method=HASH_METHOD),
                             created_at=datetime.now(timezone.utc))
    session.add(pending)
    session.flush()
    return pending


def authenticate(database: Database, email: str, password: str, remote_addr: str,
                 now: datetime | None = None) -> User | LoginRefused | LoginThrottled:
    """The user (detached), or the refusal to show. Returns rather than raises.

    The password check (scrypt, ~0.1-0.2 s) runs with no transaction open: on SQLite every
    transaction holds the one write lock from BEGIN (models/database.py), so a check inside
    one made every other request of every worker queue behind each login. The attempt is
    recorded as failed, with the throttle read, in one short transaction *before* the check,
    so that parallel guesses at one account see each other (on SQLite that read-and-record
    is one locked step, as it was when everything ran in one transaction); a second short
    transaction marks it succeeded when the password was right.

    An address with no account but a PendingAccount (added on a Users page) is checked against
    the pending account's first password, and becomes a user on its first login."""
    now = now or datetime.now(timezone.utc)
    email = (email or "").strip().lower()[:LIMITS["email"]]  # no account's is longer; the column holds no more
    remote_addr = (remote_addr or "")[:60]
    with database.transaction() as session:
        wait = _throttle_seconds(session, email, remote_addr, now)
        if wait:
            return LoginThrottled(wait)
        user = session.scalar(select(User).where(User.email == email))
        # Several locals may have added the same new address (each with its own first password).
        pendings = [] if user is not None else session.scalars(
            select(PendingAccount).where(PendingAccount.email == email)
            .order_by(PendingAccount.created_at.desc(), PendingAccount.id.desc()).limit(MAX_PENDING_CHECKED)).all()
        attempt = LoginAttempt(email=email, remote_addr=remote_addr, at=now, succeeded=False)
        session.add(attempt)
    matched = _password_matches(user, pendings, password)
    if not matched:
        return LoginRefused("The email or password is wrong.", field="password",
                            fix="Check both and try again; after several failures logins slow down.")
    pending = matched if isinstance(matched, PendingAccount) else None
    try:
        with database.transaction() as session:
            if user is None:
                user = _first_login(session, pending, now)
            session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt.id).values(succeeded=True))
    except IntegrityError:  # the address became an account meanwhile (another local's pending, or the operator)
        return LoginRefused("The email or password is wrong.", field="password",
                            fix="Check both and try again; after several failures logins slow down.")
    return user


def _first_login(session: Session, pending: PendingAccount, now: datetime) -> User:
    """The pending account becomes a user of its local; the address's other pending accounts
    (other locals that added it) stay pending and can never log in."""
    user = User(local_id=pending.local_id, email=pending.email, name=pending.name, role=pending.role,
                is_active=True, password_hash=pending.password_hash, created_at=now)
    session.add(user)
    session.execute(delete(PendingAccount).where(PendingAccount.id == pending.id))
    session.flush()
    return user


def _password_matches(user: User | None, pendings: list[PendingAccount], password: str) -> bool | PendingAccount:
    """One scrypt check whatever the account: an unknown email is checked against a dummy hash
    and a deactivated account's hash is checked too, so that the time taken tells nobody
    whether an address has an account (or a live one). An address only added (pending) is
    checked against each local's first password (the first that matches is returned)."""
    if user is not None:
        return bool(check_password_hash(user.password_hash, password or "") and user.is_active)
    if not pendings:
        check_password_hash(_dummy_hash(HASH_METHOD), password or "")
        return False
    matches = [pending for pending in pendings if check_password_hash(pending.password_hash, password or "")]
    return matches[0] if matches else False


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    # Made once per method (tests lower the work factor), never stored: no password matches it
    # in practice, and the result is ignored anyway.
    return generate_password_hash(secrets.token_urlsafe(32), method=method)


def _throttle_seconds(session: Session, email: str, remote_addr: str, now: datetime) -> int:
    """How long this client address must wait before its next try at this account.

    Counted per (account, client address): after FREE_FAILURES failures of the address at the
    account in the window (since its last success there), it waits 2, 4, 8 … seconds (at most
    15 minutes) after each, the right password included, since the guesser and the owner cannot
    be told apart from that address. Another address is not held by them: a stranger guessing
    from elsewhere can slow down only their own tries, never lock the owner out of their account.
    Guessing from many addresses at once is bounded per address (web/auth.py caps the failures
    of one address across all accounts) and by the slow hash and the 12-character minimum."""
    since = now - WINDOW
    last_success = session.scalar(select(func.max(LoginAttempt.at)).where(
        LoginAttempt.email == email, LoginAttempt.remote_addr == remote_addr, LoginAttempt.at >= since,
        LoginAttempt.succeeded.is_(True)))
    query = select(LoginAttempt.at).where(
        LoginAttempt.email == email, LoginAttempt.remote_addr == remote_addr, LoginAttempt.at >= since,
        LoginAttempt.succeeded.is_(False))
    if last_success is not None:
        query = query.where(LoginAttempt.at > last_success)
    failures = session.scalars(query.order_by(LoginAttempt.at.desc())).all()
    if len(failures) < FREE_FAILURES:
        return 0
    delay = min(2 ** (len(failures) - FREE_FAILURES + 1), int(WINDOW.total_seconds()))
    last = failures[0] if failures[0].tzinfo else failures[0].replace(tzinfo=timezone.utc)
    remaining = math.ceil((last + timedelta(seconds=delay) - now).total_seconds())  # never says less than it takes
    return max(0, remaining)


# -- changing and resetting passwords --------------------------------------------------------

def new_password_hash(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def store_password(session: Session, user: User, password_hash: str, why: str, *, keep: str | None = None,
                    now: datetime | None = None) -> int:
    """The new hash; every session of the user but `keep` ends, and every reset link not yet used
    is spent (a link mailed before the change must not undo it). Returns the sessions ended."""
    now = now or datetime.now(timezone.utc)
    user.password_hash = password_hash
    session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                    .values(used_at=now))
    return login_sessions.end_sessions(session, user.id, why, keep=keep, now=now)


def change_password(database: Database, user_id: int, current: str, new: str, again: str, remote_addr: str,
                    keep: str) -> int:
    """A user changes their own password: the current one (checked like a login, throttled per
    address, so a borrowed session cannot guess it), then the new one twice. The session that
    asked (`keep`, its secret) stays; the user's other sessions end. Returns how many ended."""
    check_new_password(new, field="new_password")
    if new != again:
        raise UserError("The two new passwords differ.", field="new_password_again",
                        fix="Type the same new password in both fields.")
    with database.transaction() as session:
        email = session.scalar(select(User.email).where(User.id == user_id))
    checked = authenticate(database, email or "", current, remote_addr)
    if isinstance(checked, LoginThrottled):
        raise UserError(checked.message, field="current_password", fix=checked.fix)
    if not isinstance(checked, User) or checked.id != user_id:
        raise UserError("The current password is wrong.", field="current_password",
                        fix="Type the password you log in with now.")
    password_hash = new_password_hash(new)  # outside the transaction, like the check (see authenticate)
    with database.transaction() as session:
        user = session.get(User, user_id)
        if user.password_hash != checked.password_hash:  # changed meanwhile (another tab, an administrator)
            raise UserError("The password was changed meanwhile.", field="current_password",
                            fix="Log in again with the new password.")
        return store_password(session, user, password_hash, "password changed", keep=keep)


def reset_password(session: Session, by_user: User, user_id: int, new: str) -> User:
    """An administrator sets a new password for an account of their local (one who forgot it
    and has no mail, say). Every session of that user ends; another local's account is not
    found (NoSuchUser: the web answers 404)."""
    if by_user.role != "admin":
        raise UserError("Only an administrator resets passwords.", field="role", fix="Ask an administrator of your local.")
    user = session.scalar(select(User).where(User.id == user_id, User.local_id == by_user.local_id))
    if user is None:
        raise NoSuchUser("There is no such account in your local.", field="user_id",
                         fix="Pick an account listed on the Users page.")
    if user.id == by_user.id:
        raise UserError("Change your own password on your settings page.", field="user_id",
                        fix="Open 'My settings': it asks for your current password.")
    check_new_password(new)
    store_password(session, user, new_password_hash(new), "password reset")
    return user


def reset_password_by_email(session: Session, email: str, new: str) -> User:
    """The server's operator (`flask users reset-password EMAIL`): any account; its sessions end."""
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise UserError(f"There is no account {(email or '').strip().lower()}.", field="email",
                        fix="Check the address (the Users page of the app lists each local's accounts).")
    check_new_password(new)
    store_password(session, user, new_password_hash(new), "password reset")
    return user


class NoSuchUser(UserError):
    """No account of the administrator's local has that id. Another local's accounts are not
    found either (the web answers 404, as for every other local's object)."""


def set_active(session: Session, by_user: User, user_id: int, active: bool) -> User:
    """An administrator deactivates (or reactivates) an account of their own local.

    Deactivated, a user's sessions end on the server (logged out at their next request, and
    reactivating brings none back) and they cannot log in, their feed links find nothing (feeds.resolve_feed) and they get
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
    _switch(session, user, active)
    return user


def _switch(session: Session, user: User, active: bool) -> None:
    # Deactivating ends every session on the server: reactivating later brings none back.
    user.is_active = active
    if not active:
        login_sessions.end_sessions(session, user.id, "deactivated")


def set_active_by_email(session: Session, email: str, active: bool) -> tuple[User, bool]:
    """The server operator's switch (the command line): any account, by email. Returns the
    user and whether anything changed (a second run changes nothing)."""
    email = (email or "").strip().lower()
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        raise UserError(f"There is no account {email}.", field="email",
                        fix="Check the address (the Users page of the app lists each local's accounts).")
    changed = user.is_active != active
    _switch(session, user, active)
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
