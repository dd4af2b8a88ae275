"""`flask --app app users create-admin EMAIL`: the first administrator of a local."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from cli.database import database
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
    click.echo(f"Administrator {email.lower()} created.")
