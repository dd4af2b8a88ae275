"""Login throttling that slows guessing without letting a stranger lock the owner out.

Per (account, client address), in the database: after 5 failures of one address at one account
that address waits 2, 4, 8 … seconds, the right password included (from there the guesser and
the owner look the same). Other addresses are not held. Per client address across accounts
(Flask-Limiter): a cap on failed logins, so one address cannot try a password on every account.
Before, 5 failures from anywhere made even the owner's right password answer 429, and nothing
was per address."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from conftest import PASSWORD, make_user
from models import LoginAttempt
from operations import accounts

OWNER, GUESSER = "192.0.2.10", "198.51.100.66"


def attempt(app, email: str, password: str, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    client.get("/login")
    with client.session_transaction() as cookie:
        token = cookie["csrf"]
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def earlier(app, by: timedelta) -> None:
    """Every attempt so far `by` (and a little) further in the past: time passes."""
    with app.extensions["database"].transaction() as session:
        for row in session.scalars(select(LoginAttempt)):
            row.at = row.at - by - timedelta(milliseconds=100)


def statuses(app, email: str, password: str, address: str, times: int) -> list[int]:
    return [attempt(app, email, password, address).status_code for _ in range(times)]


def test_a_stranger_guessing_from_elsewhere_does_not_lock_the_owner_out(app):
    make_user(app, "owner@example.org", "officer")
    assert statuses(app, "owner@example.org", "a wrong guess", GUESSER, 8) == [401] * 5 + [429] * 3
    assert attempt(app, "owner@example.org", PASSWORD, OWNER).status_code == 302


def test_the_guessing_address_waits_even_with_the_right_password_until_the_delay_passes(app):
    make_user(app, "owner@example.org", "officer")
    statuses(app, "owner@example.org", "a wrong guess", GUESSER, 5)
    held = attempt(app, "owner@example.org", PASSWORD, GUESSER)
    assert held.status_code == 429 and "Wait 2 seconds" in held.get_data(as_text=True)
    earlier(app, timedelta(seconds=2))  # the 2 seconds pass
    assert attempt(app, "owner@example.org", PASSWORD, GUESSER).status_code == 302


def test_the_delay_doubles_with_each_further_failure(app):
    make_user(app, "owner@example.org", "officer")
    database = app.extensions["database"]
    waits = []
    for _ in range(accounts.FREE_FAILURES + 3):
        outcome = accounts.authenticate(database, "owner@example.org", "a wrong guess", GUESSER)
        if isinstance(outcome, accounts.LoginThrottled):
            waits.append(outcome.wait_seconds)
            earlier(app, timedelta(seconds=outcome.wait_seconds))  # the wait passes; the failures still count
            accounts.authenticate(database, "owner@example.org", "a wrong guess", GUESSER)
    assert waits == [2, 4, 8]


def test_a_success_starts_the_count_again_for_that_address(app):
    make_user(app, "owner@example.org", "officer")
    statuses(app, "owner@example.org", "a typo", OWNER, 4)
    assert attempt(app, "owner@example.org", PASSWORD, OWNER).status_code == 302
    assert statuses(app, "owner@example.org", "a typo", OWNER, 4) == [401] * 4


def test_an_unknown_address_is_throttled_like_a_real_one(app):
    """The throttle must not tell which addresses have accounts."""
    make_user(app, "owner@example.org", "officer")
    assert (statuses(app, "owner@example.org", "a wrong guess", GUESSER, 6)
            == statuses(app, "nobody@example.org", "a wrong guess", GUESSER, 6))


def test_one_address_is_capped_across_all_accounts(app):
    app.config["LOGIN_FAILURES_PER_ADDRESS"] = "4 per 15 minutes"
    make_user(app, "owner@example.org", "officer")
    for n in range(4):  # one guess at each of four accounts: no account reaches its own limit
        assert attempt(app, f"user{n}@example.org", "Password1234", GUESSER).status_code == 401
    held = attempt(app, "owner@example.org", PASSWORD, GUESSER)
    assert held.status_code == 429 and "Too many tries from your network address" in held.get_data(as_text=True)
    assert attempt(app, "owner@example.org", PASSWORD, OWNER).status_code == 302  # another address is not held


def test_successful_logins_do_not_count_towards_the_address_cap(app):
    """A local's office behind one address logs in all day: only failures count."""
    app.config["LOGIN_FAILURES_PER_ADDRESS"] = "3 per 15 minutes"
    for n in range(6):
        make_user(app, f"colleague{n}@example.org", "viewer")
        assert attempt(app, f"colleague{n}@example.org", PASSWORD, OWNER).status_code == 302


def test_guessing_the_current_password_from_a_borrowed_session_is_throttled_too(app, officer):
    """The password form checks the current password like a login: five wrong ones from an address
    hold that address, so a session left open cannot be used to guess the password at full speed."""
    for _ in range(accounts.FREE_FAILURES):
        wrong = officer.post("/settings/password", data={"current_password": "a wrong guess",
                                                         "new_password": "a brand new long passphrase",
                                                         "new_password_again": "a brand new long passphrase"})
        assert wrong.status_code == 400 and "The current password is wrong." in wrong.get_data(as_text=True)
    held = officer.post("/settings/password", data={"current_password": PASSWORD,
                                                    "new_password": "a brand new long passphrase",
                                                    "new_password_again": "a brand new long passphrase"})
    page = held.get_data(as_text=True)
    assert held.status_code == 400 and "Too many failed logins for this account from your address." in page
    assert re.search(r'id="current_password"[^>]*aria-describedby="[^"]*\bcurrent_password-error"', page)
