"""`flask --app app archive …`: a local's data as one zip archive, and one case as JSON.

    archive export --local SLUG --out FILE.zip   the local, its users (with their password hashes),
                                                 cases, events, documents and board calendars
    archive restore FILE.zip                     into a database where the local has no data yet,
                                                 in one transaction, then every case recomputed
    archive import-case FILE.json                a case exported from its page's JSON link
"""
from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from gate import read, read_json
from gate.inputs import CaseImport
from glue import database, documents_store, today
from operations import archive as archive_operations
from operations import exports as export_operations
from operations.inputs import local_board_context
from school_calendar.errors import UserError

by_option = click.option("--by", default=lambda: getpass.getuser(), show_default="your login",
                         help="Who is doing it (kept in the calendar change log and on recomputed deadlines).")


def init_app(app: Flask) -> None:
    app.cli.add_command(archive)


@click.group(cls=AppGroup)
def archive() -> None:
    """A local's whole data as one archive; one case as JSON."""


@archive.command(name="export")
@click.option("--local", "slug", default=None, help="Union local slug (default: DEFAULT_LOCAL).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The .zip to write.")
@by_option
def export_command(slug, out, by):
    """Write the local's archive to OUT. It holds password hashes: keep it as safe as the database."""
    slug = slug or current_app.config["DEFAULT_LOCAL"]
    partial = out.with_name(out.name + ".part")
    try:
        with database().transaction() as session, partial.open("wb") as target:
            summary = archive_operations.export_local(session, documents_store(), slug, target, today=today(), by=by)
        partial.replace(out)
    except UserError as error:
        partial.unlink(missing_ok=True)
        raise click.ClickException(str(error))
    click.echo(f"Wrote {out}: local {summary.local}, {summary.users} users, {summary.cases} cases, "
               f"{summary.events} events, {summary.documents} documents, boards {', '.join(summary.boards) or 'none'}.")
    click.echo("The archive holds the users' password hashes: keep it as safe as the database.", err=True)


@archive.command()
@click.argument("archive_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace-calendars", is_flag=True,
              help="Replace a stored school year that differs from the archive's (the cases are recomputed).")
@by_option
def restore(archive_file, replace_calendars, by):
    """Restore ARCHIVE_FILE into a database where its local has no users or cases: all or nothing."""
    try:
        with database().transaction() as session, archive_file.open("rb") as source:
            summary = archive_operations.restore_local(session, documents_store(), source, by=by, today=today(),
                                                       replace_calendars=replace_calendars, name=archive_file.name)
    except UserError as error:
        raise click.ClickException(str(error))
    click.echo(f"Restored local {summary.local}: {summary.users} users, {summary.cases} cases, {summary.events} "
               f"events, {summary.documents} documents, boards {', '.join(summary.boards) or 'none'}.")
    click.echo(f"Cases whose stored deadlines or flags the recompute changed: {summary.recomputed}")


@archive.command(name="import-case")
@click.argument("case_file", type=click.File("rb"))
@click.option("--local", "slug", default=None, help="Union local slug (default: DEFAULT_LOCAL).")
@by_option
def import_case(case_file, slug, by):
    """Recreate the case exported in CASE_FILE (a case page's JSON; - reads stdin)."""
    local = slug or current_app.config["DEFAULT_LOCAL"]
    try:
        data = read_json(case_file.read(), source="case", file=getattr(case_file, "name", "-"))
        missing = export_operations.documents_missing(data, documents_store())
        with database().transaction() as session:
            validated = read(CaseImport, data, context=local_board_context(session, local,
                                                                           current_app.config["DEFAULT_BOARD"]))
            grievance = export_operations.import_case(session, validated, local=local, by=by, today=today(),
                                                      store=documents_store())
            number, stage = grievance.number, grievance.stage
    except UserError as error:
        raise click.ClickException(str(error))
    click.echo(f"Imported case {number} ({stage}).")
    for name in missing:
        click.echo(f"document not in the store, not attached: {name}", err=True)
