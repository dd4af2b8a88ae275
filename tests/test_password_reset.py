"""A forgotten password: a link by email (sent through the digests' SMTP settings, to a real
SMTP server on loopback) that works once, within an hour, and is kept only as a hash; the
same answer whether or not the address has an account; setting the new password logs out
every session of the account."""
from __future__ import annotations

import hashlib
import re
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from conftest import PASSWORD, log_in, make_user
from models import Base, User
from models.accounts import PasswordReset
from operations import password_resets
from test_digests import BASE_URL, inbox, mail_app  # noqa: F401 (fixtures, used by name)
from test_sessions import copy_of, logged_in, login_status

NEW_PASSWORD = "a brand new long passphrase"
LINK = re.compile(re.escape(BASE_URL) + r"/login/reset\?token=([A-Za-z0-9_-]{43})")


def anonymous(app, address: str = "192.0.2.10", host: str = "localhost"):
    """A browser that is not logged in, with the CSRF token of its session."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    client.get(f"http://{host}/login/forgot")
    with client.session_transaction(f"http://{host}/") as cookie:
        client.environ_base["HTTP_X_CSRF_TOKEN"] = cookie["csrf"]
    return client


def ask(app, email: str, host: str = "localhost"):
    return anonymous(app, host=host).post(f"http://{host}/login/forgot", data={"email": email})


def mails_to(inbox, address: str, count: int = 1, wait: float = 10.0) -> list:  # noqa: F811
    """The messages to `address`, waiting for `count` of them (they are sent on a thread)."""
    deadline = time.monotonic() + wait
    while len(inbox.to(address)) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return inbox.to(address)


def emailed_token(inbox, address: str, count: int = 1) -> str:  # noqa: F811
    body = mails_to(inbox, address, count)[count - 1].get_content()
    return LINK.search(body).group(1)


def set_password(client, new: str = NEW_PASSWORD, again: str | None = None):
    return client.post("/login/reset", data={"new_password": new, "new_password_again": new if again is None else again})


def test_the_link_works_once_and_logs_out_every_session(mail_app, inbox):  # noqa: F811
    make_user(mail_app, "officer@example.org", "officer")
    officer = log_in(mail_app, "officer@example.org")
    thief = copy_of(officer, mail_app)
    assert ask(mail_app, "officer@example.org").status_code == 200
    token = emailed_token(inbox, "officer@example.org")

    browser = anonymous(mail_app)
    opened = browser.get(f"/login/reset?token={token}")
    assert opened.status_code == 302 and opened.headers["Location"] == "/login/reset"  # the secret leaves the URL
    assert "officer@example.org" in browser.get("/login/reset").get_data(as_text=True)
    done = set_password(browser)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert not logged_in(officer) and not logged_in(thief)
    assert login_status(mail_app, "officer@example.org", PASSWORD) == 401
    assert login_status(mail_app, "officer@example.org", NEW_PASSWORD) == 302

    # Not twice: neither the same browser nor another one with the link.
    again = anonymous(mail_app).get(f"/login/reset?token={token}")
    assert again.status_code == 400 and "not valid" in again.get_data(as_text=True)
    assert set_password(browser, "yet another long password").status_code == 400
    assert login_status(mail_app, "officer@example.org", NEW_PASSWORD) == 302


def test_the_link_does_not_work_after_an_hour(mail_app, inbox):  # noqa: F811
    make_user(mail_app, "officer@example.org", "officer")
    ask(mail_app, "officer@example.org")
    token = emailed_token(inbox, "officer@example.org")
    assert "within 60 minutes" in mails_to(inbox, "officer@example.org")[0].get_content()
    browser = anonymous(mail_app)
    assert browser.get(f"/login/reset?token={token}").status_code == 302  # usable now; kept in the session
    with mail_app.extensions["database"].transaction() as session:
        row = session.scalar(select(PasswordReset))
        assert abs((row.expires_at.replace(tzinfo=timezone.utc) - row.created_at.replace(tzinfo=timezone.utc))
                   - timedelta(hours=1)) < timedelta(seconds=1)
        row.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    assert set_password(browser).status_code == 400
    assert anonymous(mail_app).get(f"/login/reset?token={token}").status_code == 400
    assert login_status(mail_app, "officer@example.org", PASSWORD) == 302


def test_the_token_is_not_stored_in_clear(mail_app, inbox):  # noqa: F811
    make_user(mail_app, "officer@example.org", "officer")
    ask(mail_app, "officer@example.org")
    token = emailed_token(inbox, "officer@example.org")
    with mail_app.extensions["database"].transaction() as session:
        stored = [str(value) for table in Base.metadata.sorted_tables
                  for row in session.execute(select(table)) for value in row]
        assert session.scalar(select(PasswordReset.token_sha256)) == hashlib.sha256(token.encode()).hexdigest()
    assert not [value for value in stored if token in value]


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(mail_app, inbox):  # noqa: F811
    make_user(mail_app, "officer@example.org", "officer")
    make_user(mail_app, "gone@example.org", "officer")
    with mail_app.extensions["database"].transaction() as session:
        session.execute(update(User).where(User.email == "gone@example.org").values(is_active=False))
    answers = {}
    for email in ("nobody@example.org", "gone@example.org", "officer@example.org"):
        response = ask(mail_app, email)
        answers[email] = (response.status_code, response.get_data(as_text=True).replace(email, "ADDRESS"))
    assert len(set(answers.values())) == 1 and answers["officer@example.org"][0] == 200
    assert mails_to(inbox, "officer@example.org")
    time.sleep(0.3)  # any other message would have come by now
    assert [rcpt for _, rcpt, _ in inbox.received] == [["officer@example.org"]]


def test_the_link_is_built_on_base_url_never_on_the_requests_host(mail_app, inbox):  # noqa: F811
    """A forged Host header would otherwise mail the owner a link to the attacker's site."""
    make_user(mail_app, "officer@example.org", "officer")
    assert ask(mail_app, "officer@example.org", host="evil.example").status_code == 200
    body = mails_to(inbox, "officer@example.org")[0].get_content()
    assert LINK.search(body) and "evil.example" not in body


def test_a_bad_new_password_is_refused_by_name_and_the_link_stays_usable(mail_app, inbox):  # noqa: F811
    make_user(mail_app, "officer@example.org", "officer")
    ask(mail_app, "officer@example.org")
    browser = anonymous(mail_app)
    browser.get(f"/login/reset?token={emailed_token(inbox, 'officer@example.org')}")
    short = set_password(browser, "too short")
    page = short.get_data(as_text=True)
    assert short.status_code == 400 and "The new password is too short" in page
    assert re.search(r'id="new_password"[^>]*aria-describedby="[^"]*\bnew_password-error"', page)
    differ = set_password(browser, NEW_PASSWORD, NEW_PASSWORD + "?")
    assert differ.status_code == 400
    assert re.search(r'id="new_password_again"[^>]*aria-describedby="[^"]*\bnew_password_again-error"',
                     differ.get_data(as_text=True))
    assert set_password(browser).status_code == 302


def test_a_password_changed_otherwise_spends_the_links_already_mailed(mail_app, inbox):  # noqa: F811
    make_user(mail_app, "officer@example.org", "officer")
    ask(mail_app, "officer@example.org")
    token = emailed_token(inbox, "officer@example.org")
    result = mail_app.test_cli_runner().invoke(args=["users", "reset-password", "officer@example.org",
                                                     "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    assert anonymous(mail_app).get(f"/login/reset?token={token}").status_code == 400


def test_links_per_account_are_capped_so_the_form_cannot_fill_a_mailbox(mail_app, inbox):  # noqa: F811
    make_user(mail_app, "officer@example.org", "officer")
    for n in range(5):
        assert anonymous(mail_app, f"192.0.2.{n + 20}").post("/login/forgot",
                                                             data={"email": "officer@example.org"}).status_code == 200
    mails_to(inbox, "officer@example.org", password_resets.MAX_PER_HOUR)
    time.sleep(0.3)
    assert len(inbox.to("officer@example.org")) == password_resets.MAX_PER_HOUR


def test_one_address_may_ask_only_so_often(mail_app, inbox):  # noqa: F811
    browser = anonymous(mail_app)
    statuses = [browser.post("/login/forgot", data={"email": f"n{n}@example.org"}).status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]
    assert anonymous(mail_app, "192.0.2.99").post("/login/forgot", data={"email": "x@example.org"}).status_code == 200


def test_two_uses_of_one_link_cannot_both_succeed(mail_app, inbox, monkeypatch):  # noqa: F811
    """Spent by a conditional UPDATE: a second use that looked at the link before the first one
    spent it (two tabs, or someone racing the owner) still finds it spent when it writes."""
    make_user(mail_app, "officer@example.org", "officer")
    ask(mail_app, "officer@example.org")
    token = emailed_token(inbox, "officer@example.org")
    database = mail_app.extensions["database"]
    assert password_resets.complete_reset(database, token, NEW_PASSWORD, NEW_PASSWORD) == "officer@example.org"

    def looked_before_the_first_use(session, secret, now):
        return session.scalar(select(PasswordReset).where(PasswordReset.token_sha256 == password_resets.digest(secret)))

    monkeypatch.setattr(password_resets, "_usable", looked_before_the_first_use)
    with pytest.raises(password_resets.LinkNotUsable):
        password_resets.complete_reset(database, token, "another long password", "another long password")
    assert login_status(mail_app, "officer@example.org", NEW_PASSWORD) == 302
