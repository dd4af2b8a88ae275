"""`flask --app app deadlines …`: the case calculator and recomputes.

    deadlines replay CASE.json   a case's state, deadlines and flags as JSON; stores nothing
    deadlines recompute          replay every stored case; report (and fix) what differed
    deadlines list               the open cases, most urgent first
"""
from __future__ import annotations

import json
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from gate import read, read_json
from gate.inputs import CaseInput
from glue import database, today
from models import Grievance
from operations import grievances as grievance_operations
from operations.calculator import replay_case
from school_calendar.errors import UserError


def init_app(app: Flask) -> None:
    app.cli.add_command(deadlines)


@click.group(cls=AppGroup)
def deadlines() -> None:
    """Article 33 deadlines: the calculator, recomputes and the urgent list."""


@deadlines.command(name="replay")
@click.argument("case_file", type=click.File("rb"))
@click.option("--no-explanations", is_flag=True, help="Leave out the day-by-day arithmetic.")
def replay_command(case_file, no_explanations):
    """Print CASE_FILE's state, deadlines and flags as JSON (- reads stdin)."""
    try:
        data = read_json(case_file.read(), source="case", file=getattr(case_file, "name", "-"))
        read(CaseInput, data)  # the gate's bounds, as POST /api/replay
        config = current_app.config
        with database().transaction() as session:
            result = replay_case(session, data, today=today(), default_board=config["DEFAULT_BOARD"],
                                 default_ruleset=config["DEFAULT_RULESET"], explanations=not no_explanations)
        click.echo(json.dumps(result, indent=2))
    except UserError as error:
        raise click.ClickException(str(error))


@deadlines.command()
def recompute():
    """Replay every stored case against today's rules and calendars."""
    with database().transaction() as session:
        changed = grievance_operations.recompute_all(session, today())
    click.echo(f"Cases whose stored deadlines or flags differed (now fixed): {changed}")


@deadlines.command(name="list")
@click.option("--limit", default=20, show_default=True)
def list_command(limit):
    """The open cases, the next deadline first."""
    with database().transaction() as session:
        rows = session.execute(select(Grievance.number, Grievance.kind, Grievance.stage, Grievance.next_act_by,
                                      Grievance.next_party, Grievance.next_deadline_key, Grievance.flag_codes)
                               .where(Grievance.is_open.is_(True))
                               .order_by(Grievance.next_act_by.is_(None), Grievance.next_act_by).limit(limit)).all()
    for number, kind, stage, act_by, party, key, flags in rows:
        sys.stdout.write(f"{number:<12} {kind:<10} {stage:<13} {act_by or '-'!s:<10} {party or '-':<6} "
                         f"{key or '-':<28} {flags}\n")
