"""Email addresses and new accounts: addresses are checked by email-validator on the Users page
and the command line; an address another local has gets exactly the answer a new one gets (an
account added on the Users page waits for its first login); and the digest run skips and reports
a stored address that is not one, instead of stopping for every local."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, insert, select

from conftest import PASSWORD, log_in, make_user
from models import User
from models.accounts import PendingAccount
from operations import grievances as ops
from test_digests import cases, inbox, mail_app, send  # noqa: F401 (fixtures, used by name)
from test_sessions import login_status

MALFORMED = ["@two.org", "a@b@two.org", "bad user@two.org", "name@localhost", "plain-text"]


def count(app, table) -> int:
    with app.extensions["database"].transaction() as session:
        return session.scalar(select(func.count()).select_from(table))


def add(admin, email: str, password: str = "a long enough password", role: str = "viewer"):
    return admin.post("/admin/users", data={"name": "New Person", "email": email, "role": role, "password": password})


@pytest.fixture
def other_local(app):
    """Another local with an officer who has an account there."""
    with app.extensions["database"].transaction() as session:
        ops.ensure_local(session, "other-local", "Another local")
    make_user(app, "taken@two.org", "officer", "other-local")


# -- malformed addresses ------------------------------------------------------------------------

@pytest.mark.parametrize("email", MALFORMED)
def test_the_users_page_refuses_a_malformed_address_naming_the_field(app, admin, email):
    response = add(admin, email)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "is not an email address" in page
    assert re.search(r'id="email"[^>]*aria-invalid="true"', page)
    assert count(app, PendingAccount) == 0 and count(app, User) == 1


@pytest.mark.parametrize("email", MALFORMED)
def test_the_command_line_refuses_a_malformed_address(app, cli, email):
    result = cli.invoke(args=["users", "create-admin", email, "--password", "a long enough password"])
    assert result.exit_code != 0 and "is not an email address" in result.output
    assert count(app, User) == 0


def test_addresses_are_stored_in_one_form(app, cli):
    result = cli.invoke(args=["users", "create-admin", "  First.Admin@Example.ORG ", "--password", "a long enough password"])
    assert result.exit_code == 0, result.output
    assert login_status(app, "first.admin@example.org", "a long enough password") == 302


def test_a_first_password_needs_twelve_characters(app, admin):
    short = add(admin, "short@example.org", password="eleven char")
    assert short.status_code == 400 and "The password is too short: 11 characters, at least 12" in short.get_data(as_text=True)
    assert add(admin, "enough@example.org", password="twelve chars").status_code == 302


# -- another local's addresses ---------------------------------------------------------------------

def test_adding_an_address_another_local_has_answers_as_a_new_one_does(app, admin, other_local):
    """Before: "taken@two.org already has an account" told this local's administrator that another
    local had it. Now both are added, listed and described the same way."""
    new, taken = add(admin, "fresh@two.org"), add(admin, "taken@two.org")
    assert new.status_code == taken.status_code == 302 and new.headers["Location"] == taken.headers["Location"]
    page = admin.get("/admin/users").get_data(as_text=True)
    notices = re.findall(r'<p class="notice" role="status">(.*?)</p>', page)
    assert [n.replace("fresh@two.org", "ADDRESS").replace("taken@two.org", "ADDRESS") for n in notices] == [
        "Account ADDRESS added: it starts at its first login with the password you chose."] * 2
    waiting = re.findall(r"<tr><td>New Person</td><td>(.*?)</td><td>viewer</td>", page.split("Waiting for", 1)[1])
    assert waiting == ["fresh@two.org", "taken@two.org"]
    assert "already has an account" not in page


def test_the_other_locals_account_is_untouched_and_the_pending_one_never_starts(app, admin, other_local):
    add(admin, "taken@two.org", password="the first password here")
    assert login_status(app, "taken@two.org", "the first password here") == 401  # the login goes to their account
    assert login_status(app, "taken@two.org", PASSWORD) == 302
    with app.extensions["database"].transaction() as session:
        locals_of = session.scalars(select(User.local_id).where(User.email == "taken@two.org")).all()
    assert len(locals_of) == 1 and count(app, PendingAccount) == 1
    accounts_table = admin.get("/admin/users").get_data(as_text=True).split("Accounts and roles</caption>", 1)[1]
    assert "taken@two.org" not in accounts_table.split("</table>", 1)[0]


def test_an_added_account_starts_at_its_first_login(app, admin):
    add(admin, "Newcomer@Example.org", password="the first password here", role="steward")
    assert login_status(app, "newcomer@example.org", "a wrong password guess") == 401
    client = log_in(app, "newcomer@example.org", "the first password here")
    assert client.get("/api/session").get_json()["role"] == "steward"
    assert count(app, PendingAccount) == 0
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "Waiting for their first login" not in page and "Deactivate newcomer@example.org" in page


def test_only_what_the_page_already_shows_is_refused_by_name(app, admin):
    make_user(app, "colleague@example.org", "officer")
    same_local = add(admin, "colleague@example.org")
    assert same_local.status_code == 400 and "already has an account in your local" in same_local.get_data(as_text=True)
    add(admin, "waiting@example.org")
    again = add(admin, "waiting@example.org")
    assert again.status_code == 400 and "waits for its first login" in again.get_data(as_text=True)


# -- the digest run ---------------------------------------------------------------------------------

def test_the_digest_run_skips_and_reports_a_malformed_stored_address(mail_app, inbox, cases):  # noqa: F811
    """An address stored before addresses were checked, in another local: the run used to stop at it
    (writing its To: header failed) and nobody after it, in any local, got a digest. Sorted first
    ('bad user' < 'officer'), it now is reported and everyone else is served."""
    with mail_app.extensions["database"].transaction() as session:
        other = session.scalar(select(User.local_id).where(User.email == "stranger@example.org"))
        session.execute(insert(User).values(local_id=other, email="bad user@two.org", name="Bad", role="officer",
                                            password_hash="x", is_active=True, created_at=func.now()))
    result = send(mail_app)
    assert result.exit_code == 1
    assert "FAILED for 'bad user@two.org': the stored address is not a valid email address" in result.output
    assert inbox.to("officer@example.org") and inbox.to("stranger@example.org")  # both locals served
    assert not [r for _, rcpt, _ in inbox.received for r in rcpt if "bad" in r]
    dry = send(mail_app, "--dry-run", "--date", "2025-11-21")
    assert "FAILED for 'bad user@two.org'" in dry.output


def test_a_second_local_adding_the_same_new_address_does_not_spoil_the_first(app, admin, other_local):
    """Each local's first password is checked: the later addition cannot make the earlier one fail
    (which would be a way for one local to disturb another's invitation)."""
    make_user(app, "admin@two.org", "admin", "other-local")
    add(admin, "newcomer@example.org", password="the first local's password")
    add(log_in(app, "admin@two.org"), "newcomer@example.org", password="the second local's password")
    client = log_in(app, "newcomer@example.org", "the first local's password")
    assert client.get("/api/session").get_json()["user"] == "newcomer@example.org"
    with app.extensions["database"].transaction() as session:
        local = session.scalar(select(User.local_id).where(User.email == "newcomer@example.org"))
        assert local == session.scalar(select(User.local_id).where(User.email == "admin@example.org"))
    assert login_status(app, "newcomer@example.org", "the second local's password") == 401  # taken now
