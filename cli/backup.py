"""`flask --app app backup …`: the whole deployment (database and documents) as one file.

    backup create --out FILE.tar.gz   a consistent backup, safe to take while the app is serving
    backup restore FILE.tar.gz        into an empty database (or --replace), all or nothing

How and why it is consistent: operations/backup.py.
"""
from __future__ import annotations

from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import Flask
from flask.cli import AppGroup

from cli.database import alembic_config
from glue import database, documents_store
from operations import backup as backup_operations
from school_calendar.errors import UserError

pg_bin_option = click.option(
    "--pg-bin", envvar="PG_BIN_DIR", type=click.Path(file_okay=False, exists=True), default=None,
    help="PostgreSQL only: the directory of pg_dump, pg_restore and psql, at least as new as the server "
         "(default: PATH and /usr/lib/postgresql/*/bin; env PG_BIN_DIR).")


def init_app(app: Flask) -> None:
    app.cli.add_command(backup)


@click.group(cls=AppGroup)
def backup() -> None:
    """The whole database and the documents as one file, and its restore."""


@backup.command()
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="The backup file to write (a .tar.gz); written as OUT.part, renamed when complete.")
@pg_bin_option
def create(out, pg_bin):
    """Back up the database and every document it refers to into OUT.

    Safe while the app is serving: everything comes from one snapshot of the
    database (SQLite's online backup; on PostgreSQL pg_dump of an exported
    snapshot). The file holds members' personal information and password
    hashes: keep it as safe as the database, and a copy off this machine."""
    if not out.parent.is_dir():
        raise click.ClickException(f"There is no directory {out.parent} to write the backup in.")
    try:
        summary = backup_operations.create_backup(
            database().url, documents_store(), out, pg_bin=pg_bin,
            on_stage=lambda _stage: click.echo("Database snapshot taken; copying it and the documents…", err=True))
    except UserError as error:
        raise click.ClickException(str(error))
    counts = summary.counts
    click.echo(f"Wrote {out} ({summary.size / 1e6:.1f} MB in {summary.seconds:.1f} s): {summary.database} database "
               f"at revision {summary.revision}, {counts['cases']} cases, {counts['events']} events, "
               f"{counts['documents']} documents ({summary.document_files} files).")
    click.echo("The backup holds members' personal information and password hashes: keep it as safe as the "
               "database.", err=True)


@backup.command()
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True,
              help="Overwrite a database that holds data (everything in it is replaced by the backup's).")
@pg_bin_option
def restore(backup_file, replace, pg_bin):
    """Restore BACKUP_FILE into this deployment's database and documents store.

    The database must be empty (no tables, or just `db upgrade`d) unless
    --replace. Every count and checksum in the backup's manifest is checked:
    a damaged or truncated backup changes nothing. A SQLite backup restores
    into SQLite only and a PostgreSQL one into PostgreSQL only (to move a local
    between kinds: `archive export` / `archive restore`). Stop the app first."""
    scripts = ScriptDirectory.from_config(alembic_config(database().url))
    known = {revision.revision for revision in scripts.walk_revisions()}
    try:
        summary = backup_operations.restore_backup(database().url, documents_store(), backup_file, replace=replace,
                                                   known_revisions=known, pg_bin=pg_bin)
    except UserError as error:
        raise click.ClickException(str(error))
    finally:
        database().dispose()  # no pooled connection may keep using the tables that were replaced
    counts = summary.counts
    click.echo(f"Restored {backup_file} (made {summary.created_at}) into the {summary.database} database: "
               f"{counts['cases']} cases, {counts['events']} events, {counts['documents']} documents "
               f"({summary.document_files} files), schema revision {summary.revision}.")
    if summary.revision != scripts.get_current_head():
        click.echo("The backup's schema is older than this version: run `flask --app app db upgrade` next.", err=True)
