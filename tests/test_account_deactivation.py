"""Deactivating an account, in the app (an administrator of the local) and on the command line
(the server's operator): the user is logged out at their next request, cannot log in, their feed
links find nothing and they get no digests; reactivating gives all of it back. The refusals:
another role (403), oneself (400), another local's account (404)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from conftest import PASSWORD, log_in, make_user
from models import User
from operations import grievances as ops
from test_digests import cases, inbox, mail_app, send  # noqa: F401 (fixtures, used by name)


def user_id(app, email: str) -> int:
    with app.extensions["database"].transaction() as session:
        return session.scalar(select(User.id).where(User.email == email))


def is_active(app, email: str) -> bool:
    with app.extensions["database"].transaction() as session:
        return session.scalar(select(User.is_active).where(User.email == email))


def switch(admin, app, email: str, active: str):
    return admin.post(f"/admin/users/{user_id(app, email)}/active", data={"active": active})


def login_status(app, email: str, password: str = PASSWORD) -> tuple[int, str]:
    """The status of a login, and the refusal it shows (the page also echoes the address)."""
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    refusal = re.search(r'<p class="field-error" id="password-error"[^>]*>(.*?)</p>', response.get_data(as_text=True),
                        re.S)
    return response.status_code, " ".join(re.sub(r"<[^>]+>", " ", refusal.group(1)).split()) if refusal else ""


def feed_url(client) -> str:
    page = client.post("/feeds", data={"action": "create"}).get_data(as_text=True)
    return re.search(r"http://localhost(/feeds/[A-Za-z0-9_-]{43}\.ics)", page).group(1)


@pytest.fixture
def colleague(app, admin):
    """An officer of the admin's local, logged in."""
    make_user(app, "officer@example.org", "officer")
    return log_in(app, "officer@example.org")


# -- what deactivation does ---------------------------------------------------------------------

def test_a_deactivated_user_is_logged_out_at_their_next_request(app, admin, colleague):
    assert colleague.get("/dashboard").status_code == 200
    response = switch(admin, app, "officer@example.org", "0")
    assert response.status_code == 302
    assert "officer@example.org deactivated" in admin.get("/admin/users").get_data(as_text=True)
    page = colleague.get("/dashboard")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert colleague.get("/api/session").status_code == 401
    # The cookie forgot the login: reactivating the account does not bring this session back.
    assert switch(admin, app, "officer@example.org", "1").status_code == 302
    assert colleague.get("/dashboard").status_code == 302


def test_a_deactivated_user_cannot_log_in_and_is_told_nothing_more(app, admin, colleague):
    switch(admin, app, "officer@example.org", "0")
    refused = login_status(app, "officer@example.org")
    wrong = login_status(app, "nobody@example.org")
    assert refused[0] == wrong[0] == 401
    assert refused[1].startswith("The email or password is wrong.") and refused[1] == wrong[1]
    switch(admin, app, "officer@example.org", "1")
    assert login_status(app, "officer@example.org")[0] == 302


def test_a_deactivated_users_feed_links_find_nothing_until_reactivated(app, admin, colleague):
    url = feed_url(colleague)
    assert app.test_client().get(url).status_code == 200
    switch(admin, app, "officer@example.org", "0")
    assert app.test_client().get(url).status_code == 404
    switch(admin, app, "officer@example.org", "1")
    assert app.test_client().get(url).status_code == 200


def test_a_deactivated_user_gets_no_digest(mail_app, inbox, cases):  # noqa: F811 (fixtures)
    make_user(mail_app, "admin@example.org", "admin")
    admin = log_in(mail_app, "admin@example.org")
    assert switch(admin, mail_app, "officer@example.org", "0").status_code == 302
    result = send(mail_app)
    assert result.exit_code == 0, result.output
    assert inbox.to("officer@example.org") == [] and "officer@example.org" not in result.output
    assert inbox.to("steward@example.org")  # the run itself went on: only the deactivated user is left out


def test_the_users_page_offers_the_switch_for_everyone_but_oneself(app, admin, colleague):
    page = admin.get("/admin/users").get_data(as_text=True)
    officer_action = f'action="/admin/users/{user_id(app, "officer@example.org")}/active"'
    assert officer_action in page and "Deactivate officer@example.org" in page
    assert f'action="/admin/users/{user_id(app, "admin@example.org")}/active"' not in page
    switch(admin, app, "officer@example.org", "0")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "(inactive)" in page and "Reactivate officer@example.org" in page


# -- refusals ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["officer", "steward", "viewer"])
def test_only_an_administrator_may_deactivate(app, admin, role):
    make_user(app, f"{role}-actor@example.org", role)
    make_user(app, "target@example.org", "viewer")
    response = switch(log_in(app, f"{role}-actor@example.org"), app, "target@example.org", "0")
    assert response.status_code == 403 and is_active(app, "target@example.org")


def test_an_administrator_cannot_deactivate_themselves(app, admin):
    response = switch(admin, app, "admin@example.org", "0")
    assert response.status_code == 400 and "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert is_active(app, "admin@example.org") and admin.get("/dashboard").status_code == 200


def test_another_locals_account_is_not_found(app, admin):
    with app.extensions["database"].transaction() as session:
        ops.ensure_local(session, "other-local", "Another local")
    make_user(app, "theirs@example.org", "officer", "other-local")
    response = switch(admin, app, "theirs@example.org", "0")
    assert response.status_code == 404 and "theirs@example.org" not in response.get_data(as_text=True)
    assert is_active(app, "theirs@example.org")
    assert admin.post("/admin/users/999999/active", data={"active": "0"}).status_code == 404


def test_a_malformed_choice_changes_nothing(app, admin, colleague):
    response = switch(admin, app, "officer@example.org", "no")
    assert response.status_code == 400 and "is not a choice for the account" in response.get_data(as_text=True)
    assert is_active(app, "officer@example.org")


def test_the_switch_needs_the_csrf_token(app, admin, colleague):
    del admin.environ_base["HTTP_X_CSRF_TOKEN"]
    assert switch(admin, app, "officer@example.org", "0").status_code == 400
    assert is_active(app, "officer@example.org")


# -- the command line -------------------------------------------------------------------------

def test_the_operator_deactivates_and_reactivates_from_the_command_line(app, cli):
    make_user(app, "departed@example.org", "admin")
    result = cli.invoke(args=["users", "deactivate", "Departed@Example.org"])
    assert result.exit_code == 0 and "departed@example.org is now inactive" in result.output
    assert login_status(app, "departed@example.org")[0] == 401
    again = cli.invoke(args=["users", "deactivate", "departed@example.org"])
    assert again.exit_code == 0 and "already inactive; nothing changed" in again.output
    back = cli.invoke(args=["users", "reactivate", "departed@example.org"])
    assert back.exit_code == 0 and "departed@example.org is now active" in back.output
    assert login_status(app, "departed@example.org")[0] == 302


def test_the_command_line_names_an_unknown_address(app, cli):
    result = cli.invoke(args=["users", "deactivate", "ghost@example.org"])
    assert result.exit_code != 0 and "There is no account ghost@example.org" in result.output


def test_the_commands_explain_themselves(app, cli):
    listing = cli.invoke(args=["users", "--help"]).output
    assert "deactivate" in listing and "reactivate" in listing
    def help_text(command: str) -> str:
        return " ".join(cli.invoke(args=["users", command, "--help"]).output.split())  # unwrapped

    assert "logged out at the next request, no login, feed links or digests" in help_text("deactivate")
    assert "feed links included" in help_text("reactivate")
