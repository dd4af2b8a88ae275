"""`flask --app app users create-admin EMAIL`: the first administrator of a local;
`users deactivate EMAIL` and `users reactivate EMAIL`: take an account's access away, or give it back;
`users reset-password EMAIL`: a new password, every session of the account logged out."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from glue import database
from operations import accounts
from school_calendar.errors import UserError


def init_app(app: Flask) -> None:
    app.cli.add_command(users)


@click.group(cls=AppGroup)
def users() -> None:
    """Accounts."""


@users.command(name="create-admin")
@click.argument("email")
@click.option("--name", default="", help="The name people see.")
@click.option("--local", default=None, help="Union local slug (default: DEFAULT_LOCAL).")
@click.password_option(help="At least 12 characters; asked for when not given.")
def create_admin(email, name, local, password):
    """Create an administrator (who can then add the other users in the app)."""
    try:
        with database().transaction() as session:
            accounts.create_user(session, local=local or current_app.config["DEFAULT_LOCAL"], email=email,
                                 name=name, password=password, role="admin")
    except UserError as error:
        raise click.ClickException(str(error))
    click.echo(f"Administrator {email.strip().lower()} created.")


@users.command(name="reset-password")
@click.argument("email")
@click.password_option(help="At least 12 characters; asked for when not given.")
def reset_password(email, password):
    """Set a new password for EMAIL (any local) and log out every session of the account."""
    try:
        with database().transaction() as session:
            address = accounts.reset_password_by_email(session, email, password).email
    except UserError as error:
        raise click.ClickException(str(error))
    click.echo(f"New password set for {address}; every session of the account is logged out.")


@users.command()
@click.argument("email")
def deactivate(email):
    """Take EMAIL's access away: logged out at the next request, no login, feed links or digests."""
    _switch(email, active=False)


@users.command()
@click.argument("email")
def reactivate(email):
    """Give EMAIL's access back, feed links included (a second run changes nothing)."""
    _switch(email, active=True)


def _switch(email: str, *, active: bool) -> None:
    # The operator's switch, for any local: also how a local whose only administrator left
    # gets one back (an administrator cannot deactivate themselves in the app).
    try:
        with database().transaction() as session:
            user, changed = accounts.set_active_by_email(session, email, active)
            address = user.email
    except UserError as error:
        raise click.ClickException(str(error))
    state = "active" if active else "inactive"
    click.echo(f"{address} is now {state}." if changed else f"{address} was already {state}; nothing changed.")
