"""The database handle on the app, and `flask db upgrade|downgrade|check`
(Alembic, with the migrations in migrations/)."""
from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask
from flask.cli import AppGroup

from glue import database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def init_app(app: Flask) -> None:
    app.cli.add_command(db)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@click.group(cls=AppGroup)
def db() -> None:
    """Create and migrate the database schema (Alembic)."""


@db.command(help="Bring the schema up to the newest migration.")
@click.option("--revision", default="head", show_default=True)
def upgrade(revision: str) -> None:
    command.upgrade(alembic_config(database().url), revision)


@db.command(help="Step the schema back (to 'base' to drop every table).")
@click.option("--revision", default="-1", show_default=True)
def downgrade(revision: str) -> None:
    command.downgrade(alembic_config(database().url), revision)


@db.command(help="Fail if the models and the migrations disagree.")
def check() -> None:
    command.check(alembic_config(database().url))
