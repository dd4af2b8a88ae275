"""`flask --app app schooldays …`: school-day arithmetic for people and scripts.

Counts on the board calendars stored in the database (the live copy, with
closures added during the year). Dates are ISO (YYYY-MM-DD) in and out;
--json prints machine-readable output. Warnings (an unverified calendar, a
Regulation 304 reading that ends earlier) go to stderr in every command, --json
or not, so that stdout holds only the answer.

A change during the year (close, add-day, reopen) prints every deadline it moved
with both dates, the agreement's and the act-by (safe) date: of every local's
cases (the server's operator acts for the deployment), or of one with --local.
--dry-run shows what would move and stores nothing.
"""
from __future__ import annotations

import getpass
import json
import sys
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from sqlalchemy import select

from gate import read, read_date
from gate.inputs import CalendarDayInput, ClosureInput, ReopenInput
from glue import database, today
from models import Grievance, UnionLocal
from operations import calendar_moves
from operations import calendars as calendar_operations
from school_calendar.calendar_file import BOARDS_DIR, SUFFIX, format_school_year, read_board_directory
from school_calendar.check import YearCheck, check_year
from school_calendar.days import ClosureKind, DayType, Unit
from school_calendar.errors import UserError
from school_calendar.explanation import explain

PANELS = ("elementary", "secondary")  # school_calendar.ics_import.PANELS, without loading icalendar


def init_app(app: Flask) -> None:
    app.cli.add_command(schooldays)


class IsoDate(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        """The gate's date (gate.fields.IsoDate): YYYY-MM-DD, 1990-01-01 to 2100-12-31."""
        try:
            return read_date(value, param.name if param else "date")
        except UserError as error:
            self.fail(f"{error.message} {error.fix}", param, ctx)


class UnitChoice(click.ParamType):
    name = "school-days|days|reg304"

    def convert(self, value, param, ctx):
        try:
            return value if isinstance(value, Unit) else Unit.parse(value)
        except UserError as error:
            self.fail(str(error), param, ctx)


ISO = IsoDate()
board_option = click.option("--board", default=None, help="Board slug (default: DEFAULT_BOARD).")
unit_option = click.option("--unit", type=UnitChoice(), default="school-days", show_default=True,
                           help="school-days: Article 33 school days; days: 33.01 c scheduled work days; reg304.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
by_option = click.option("--by", default=lambda: getpass.getuser(), show_default="your login",
                         help="Who is making the change (kept in the calendar's change log).")
local_option = click.option("--local", "local", default=None,
                            help="List the moved deadlines of this union local's cases only (default: every local's).")
dry_run_option = click.option("--dry-run", is_flag=True, help="Show the deadlines that would move; store nothing.")
# The CLI's words for the fields an operation names when it refuses a change.
ARGUMENT_NAMES = {"first": "FIRST", "last": "LAST", "date": "FIRST/LAST", "reason": "--reason", "by": "--by",
                  "board": "--board", "kind": "--kind", "closure_kind": "--kind", "type": "--type", "name": "--name",
                  "local": "--local"}


@click.group(cls=AppGroup)
def schooldays() -> None:
    """Count school days on a board's calendar; load, import and close calendars."""


def _calendar(board: str | None):
    with database().transaction() as session:
        return calendar_operations.board_calendar(session, board or current_app.config["DEFAULT_BOARD"])


def _fail(error: UserError):
    raise click.ClickException(str(error))


def _warn(lines) -> None:
    for line in lines:
        click.echo(f"warning: {line}", err=True)


@schooldays.command()
@click.argument("start", type=ISO)
@click.argument("n", type=click.IntRange(min=0))
@board_option
@unit_option
@json_option
def add(start, n, board, unit, as_json):
    """The Nth counted day after START (START itself never counts)."""
    try:
        result = explain(_calendar(board), start, n, unit)
    except UserError as error:
        _fail(error)
    if as_json:
        data = result.as_dict()
        del data["days"]
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(result.result.isoformat())
    _warn(result.warnings())


@schooldays.command()
@click.argument("start", type=ISO)
@click.argument("end", type=ISO)
@board_option
@unit_option
@json_option
def count(start, end, board, unit, as_json):
    """Counted days after START up to and including END."""
    try:
        calendar = _calendar(board)
        n = calendar.count(start, end, unit)
        unverified = [y.label for y in calendar.years_between(*sorted((start, end))) if not y.verified]
    except UserError as error:
        _fail(error)
    warnings = [f"The {label} calendar is not verified by the local." for label in unverified]
    if as_json:
        click.echo(json.dumps({"board": calendar.board, "start": start.isoformat(), "end": end.isoformat(),
                               "unit": str(unit), "count": n, "warnings": warnings}, indent=2))
    else:
        click.echo(n)
    _warn(warnings)


@schooldays.command(name="explain")
@click.argument("start", type=ISO)
@click.argument("n", type=click.IntRange(min=0))
@board_option
@unit_option
@json_option
def explain_command(start, n, board, unit, as_json):
    """Every day from START to the result: counted or not, and why."""
    try:
        result = explain(_calendar(board), start, n, unit)
    except UserError as error:
        _fail(error)
    click.echo(json.dumps(result.as_dict(), indent=2) if as_json else _without_notes(result))
    _warn(result.warnings())


def _without_notes(result) -> str:
    """The day-by-day text; its closing notes are warnings, and go to stderr."""
    lines = result.text().splitlines()
    notes = len(result.warnings())
    return "\n".join(lines[:len(lines) - notes] if notes else lines)


@schooldays.command()
@click.argument("day", type=ISO, required=False)
@board_option
@json_option
def show(day, board, as_json):
    """What DAY is on the calendar; without DAY, the loaded school years."""
    try:
        calendar = _calendar(board)
        if day:
            typed = calendar.day(day)
            data = {"board": calendar.board, "date": day.isoformat(), "type": str(typed.type),
                    "reason": typed.reason, "school_year": typed.school_year,
                    "counts_as": [str(u) for u in Unit if calendar.is_counted(day, u)]}
        else:
            data = {"board": calendar.board, "school_years": [_year_summary(calendar, y) for y in calendar.years.values()]}
    except UserError as error:
        _fail(error)
    click.echo(json.dumps(data, indent=2) if as_json else _show_text(data))


def _year_summary(calendar, year) -> dict:
    typed = [d for d in year.typed_days() if year.first_day <= d.date <= year.last_day]
    tally = {str(t): sum(d.type is t for d in typed) for t in DayType if t is not DayType.OUTSIDE_YEAR}
    return {"label": year.label, "first_day": year.first_day.isoformat(), "last_day": year.last_day.isoformat(),
            "verified": year.verified, "unconfirmed_dates": sum(e.unconfirmed for e in year.entries),
            "closures_count": year.closures_count, "days": tally, "source": year.source}


def _show_text(data: dict) -> str:
    if "date" in data:
        counts = ", ".join(data["counts_as"]) or "no unit"
        return f"{data['date']}: {data['reason']} ({data['school_year']}); counts as: {counts}"
    lines = [f"Board {data['board']}:"]
    for y in data["school_years"]:
        state = "verified" if y["verified"] else f"NOT verified ({y['unconfirmed_dates']} unconfirmed dates)"
        tally = ", ".join(f"{v} {k}" for k, v in y["days"].items() if v)
        lines.append(f"  {y['label']}: {y['first_day']} to {y['last_day']}, {state}\n    {tally}")
    return "\n".join(lines)


@schooldays.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=BOARDS_DIR)
@click.option("--replace", is_flag=True, help="Overwrite stored years that differ from the files (closures added in the app are lost).")
@by_option
def load(directory, replace, by):
    """Load every boards/<board>/<year>.schoolyear file into the database: all or none.

    Each year loaded is then checked against Regulation 304 (as `schooldays check`
    does); the check's problems are reported, not refused: the files are the local's."""
    try:
        years = read_board_directory(directory)
        with database().transaction() as session:
            outcomes = [calendar_operations.load_school_year(session, year, by=by, reason="loaded from file",
                                                             replace=replace, today=today())
                        for board_years in years.values() for year in board_years]
    except UserError as error:
        _fail(error)
    checks = {(y.board, y.label): check_year(y) for board_years in years.values() for y in board_years}
    for o in outcomes:
        click.echo(f"{o.board} {o.label}: {o.action}")
        _report_check(checks[(o.board, o.label)])


def _report_check(result: YearCheck) -> None:
    """The verdict on stdout; problems and notes on stderr, as warnings."""
    click.echo(f"  {result.summary()}")
    _warn(str(f) for f in result.findings)


@schooldays.command(name="check")
@board_option
@click.option("--year", "label", default=None, help="School year, e.g. 2025-26 (default: every loaded year).")
@json_option
def check_command(board, label, as_json):
    """Check stored school years against Regulation 304: school days, PA days, breaks, first and last day.

    Without --board, every board. Exits 1 if any year has a problem."""
    try:
        with database().transaction() as session:
            slugs = [board] if board else calendar_operations.board_slugs(session)
            calendars = [calendar_operations.board_calendar(session, slug) for slug in slugs]
    except UserError as error:
        _fail(error)
    years = [y for c in calendars for y in c.years.values() if label in (None, y.label)]
    if not years:
        which = f"{label} school year" if label else "school year"
        raise click.ClickException(f"No {which} is loaded for {f'board {board!r}' if board else 'any board'}.")
    results = [check_year(y) for y in years]
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], indent=2))
    else:
        for r in results:
            click.echo("\n".join(r.lines()))
    if not all(r.ok for r in results):
        sys.exit(1)


@schooldays.command()
@click.argument("first", type=ISO)
@click.argument("last", type=ISO, required=False)
@board_option
@click.option("--kind", type=click.Choice([k.value for k in ClosureKind]), required=True)
@click.option("--name", default="", help="What happened, e.g. 'ETFO strike' or 'Snow storm'.")
@click.option("--reason", required=True, help="Why the closure is recorded (the board's notice, say).")
@by_option
@local_option
@dry_run_option
def close(first, last, board, kind, name, reason, by, local, dry_run):
    """Add a closure (strike, lock-out, weather, other) from FIRST to LAST."""
    values = _read(ClosureInput, {"first": first, "last": last, "kind": kind, "name": name, "reason": reason})
    entry = values.as_day().entry()
    _change(lambda session, board_slug: calendar_operations.add_day(
        session, board_slug, entry, by=by, reason=values.reason, today=today()),
        f"Closure ({kind}) {_span(entry.first, entry.last)}", board, local, dry_run)


@schooldays.command(name="add-day")
@click.argument("first", type=ISO)
@click.argument("last", type=ISO, required=False)
@board_option
@click.option("--type", "day_type", type=click.Choice(["pa day", "split day", "school holiday"]), required=True)
@click.option("--name", default="", help="What the board calls it, e.g. 'PA day (board-wide)'.")
@click.option("--reason", required=True, help="Why it is recorded (the board's notice, say).")
@by_option
@local_option
@dry_run_option
def add_day(first, last, board, day_type, name, reason, by, local, dry_run):
    """Add a PA day, split day or school holiday the board declared during the year."""
    values = _read(CalendarDayInput, {"first": first, "last": last, "type": day_type, "name": name, "reason": reason})
    entry = values.entry()
    _change(lambda session, board_slug: calendar_operations.add_day(
        session, board_slug, entry, by=by, reason=values.reason, today=today()),
        f"{day_type.capitalize()} {_span(entry.first, entry.last)}", board, local, dry_run)


@schooldays.command()
@click.argument("first", type=ISO)
@click.argument("last", type=ISO, required=False)
@board_option
@click.option("--reason", required=True, help="Why the days are taken back (the board's notice that schools open).")
@by_option
@local_option
@dry_run_option
def reopen(first, last, board, reason, by, local, dry_run):
    """Take closure days back: the schools opened FIRST to LAST after all.

    The closure holding the days is removed (the whole of it given) or shortened
    (its first or last days given; days in its middle split it in two). A range
    that is not within one closure is refused, naming FIRST or LAST, and nothing
    changes. Logged with --by and --reason; every case with a limit counted across
    the days is recomputed, and each moved deadline goes on its case's timeline."""
    values = _read(ReopenInput, {"first": first, "last": last, "reason": reason})
    _change(lambda session, board_slug: calendar_operations.reopen(
        session, board_slug, values.first, values.last_day, by=by, reason=values.reason, today=today()),
        f"Schools open {_span(values.first, values.last_day)} (closure taken back)", board, local, dry_run)


def _read(model, data: dict):
    try:
        return read(model, data)
    except UserError as error:
        _fail_naming(error)


def _change(change, done: str, board: str | None, local: str | None, dry_run: bool) -> None:
    """Make `change(session, board_slug)` (or, with --dry-run, make it and roll it back), then
    list every deadline it moved with both of its dates, of --local's cases or of every local's."""
    tense = "would move" if dry_run else "moved"
    try:
        with database().transaction() as session:
            nested = session.begin_nested() if dry_run else None
            try:
                moves = change(session, board or current_app.config["DEFAULT_BOARD"])
                moved = calendar_moves.moved_deadlines(session, moves, today(), cases=_cases_of(session, local),
                                                       tense=tense)
            finally:
                if nested is not None:
                    nested.rollback()
    except UserError as error:
        _fail_naming(error)
    click.echo(f"{done}: {'nothing saved (--dry-run)' if dry_run else 'recorded'}.")
    click.echo(calendar_moves.summary(moved, tense, f" of local {local}" if local else ""))
    for line in calendar_moves.lines(moved.shown):
        click.echo(f"  {line}")


def _cases_of(session, local: str | None):
    """A filter on a select over Grievance: the cases of local `local` (its slug); None: every case."""
    if local is None:
        return None
    local_id = session.scalar(select(UnionLocal.id).where(UnionLocal.slug == local))
    if local_id is None:
        raise UserError(f"There is no union local '{local}'.", field="local",
                        fix="Give a local's slug, as `flask --app app locals add` created it.")
    return lambda query: query.where(Grievance.local_id == local_id)


def _fail_naming(error: UserError):
    """The refusal, naming the argument or option at fault as the command line spells it."""
    named = ARGUMENT_NAMES.get(error.field or "")
    raise click.ClickException(f"{named}: {error}" if named else str(error))


def _span(first: date, last: date) -> str:
    return f"on {first}" if first == last else f"from {first} to {last}"


@schooldays.command(name="import-ics")
@click.argument("ics_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--board", required=True)
@click.option("--year", "label", required=True, help="School year, e.g. 2025-26.")
@click.option("--panel", type=click.Choice(PANELS),
              help="Keep the days of this panel only, for a calendar that marks days for one panel.")
@click.option("--first-day", type=ISO)
@click.option("--last-day", type=ISO)
@click.option("--force", is_flag=True, help="Write the year even if it fails the Regulation 304 check.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help=f"Where to write the .schoolyear file (default: calendar/boards/BOARD/YEAR{SUFFIX}).")
def import_ics(ics_file, board, label, panel, first_day, last_day, force, out):
    """Turn a board's published .ics into a .schoolyear file to check and load.

    Lists every event it read: typed, ignored (with why) and dropped (the other
    panel's). The year is then checked against Regulation 304; a year that fails
    is not written (exit 1) unless --force."""
    from school_calendar.ics_import import school_year_from_ics  # icalendar loads only when asked for

    try:
        imported = school_year_from_ics(ics_file.read_bytes(), board=board, label=label, source=str(ics_file),
                                        first_day=first_day, last_day=last_day, panel=panel)
    except UserError as error:
        _fail(error)
    click.echo(f"Read {imported.read} events from {ics_file}: {len(imported.typed)} typed, "
               f"{len(imported.ignored)} ignored, {len(imported.dropped)} dropped (other panel).")
    for heading, lines in (("typed", imported.typed), ("ignored", imported.ignored), ("dropped", imported.dropped)):
        for line in lines:
            click.echo(f"  {heading}: {line}")
    result = check_year(imported.school_year)
    click.echo("\n".join(result.lines()))
    if not imported.typed:
        click.echo("warning: no event of the file became a day of the year: it is an empty year.", err=True)
    if not result.ok and not force:
        raise click.ClickException(f"Nothing written: the imported {label} year fails the check above. Fix the .ics "
                                   "or the options, or pass --force to write it anyway and correct it by hand.")
    out = out or BOARDS_DIR / board / f"{label}{SUFFIX}"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(format_school_year(imported.school_year), encoding="utf-8")
    forced = " despite the failed check (--force)" if not result.ok else ""
    click.echo(f"Wrote {out}{forced}. Check it against the board's calendar, set 'verified: yes', then run "
               "`flask --app app schooldays load`.")


@schooldays.command()
@click.option("--board", default=None)
@click.option("--year", "label", required=True, help="School year, e.g. 2025-26.")
def export(board, label):
    """Print a stored school year (closures included) as a .schoolyear file."""
    try:
        calendar = _calendar(board)
        year = calendar.years[label] if label in calendar.years else None
    except UserError as error:
        _fail(error)
    if year is None:
        raise click.ClickException(f"No {label} school year is loaded for board '{calendar.board}'.")
    sys.stdout.write(format_school_year(year))
