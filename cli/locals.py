"""`flask --app app locals add SLUG NAME`: register a union local."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from glue import database
from operations.grievances import ensure_local


def init_app(app: Flask) -> None:
    app.cli.add_command(locals_group)


@click.group(name="locals", cls=AppGroup)
def locals_group() -> None:
    """Union locals served by this deployment."""


@locals_group.command()
@click.argument("slug")
@click.argument("name")
def add(slug, name):
    """Add the local SLUG (a second run changes nothing)."""
    with database().transaction() as session:
        ensure_local(session, slug, name)
    click.echo(f"Local {slug}: {name}")
