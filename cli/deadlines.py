"""`flask --app app deadlines …`: the case calculator and recomputes.

    deadlines replay CASE.json   a case's state, deadlines and flags as JSON; stores nothing
    deadlines recompute          replay every stored case; report (and fix) what differed
    deadlines list [--json]      the open cases, the next date to act by first, as the dashboard words them
"""
from __future__ import annotations

import json
from datetime import date

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from gate import read, read_json
from gate.inputs import CaseInput
from glue import database, today
from models import Board, Grievance, User
from operations import grievances as grievance_operations
from operations.calculator import replay_case
from operations.deadline_status import (FLAG_WORDS, PARTY_WORDS, calendar_or_none, flag_codes_in_order, long_date,
                                        next_statuses)
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
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1),
              help="How many cases to list, the next date to act by first.")
@click.option("--json", "as_json", is_flag=True, help="The same cases as JSON.")
def list_command(limit, as_json):
    """The open cases, the next date to act by first, worded as the dashboard words them."""
    now = today()
    with database().transaction() as session:
        query = select(Grievance, User.name).outerjoin(User, User.id == Grievance.officer_id).where(
            Grievance.is_open.is_(True))
        rows = grievance_operations.most_urgent(session, query, limit=limit)
        total = session.scalar(select(func.count(Grievance.id)).where(Grievance.is_open.is_(True)))
        statuses = next_statuses(session, [grievance for grievance, _ in rows], now)
        cases = [_listed(grievance, officer, statuses[grievance.id]) for grievance, officer in rows]
        warnings = _warnings(session, rows, statuses)
    if as_json:
        click.echo(json.dumps({"as_of": now.isoformat(), "open_cases": total, "shown": len(cases),
                               "left_out": total - len(cases), "cases": cases, "warnings": warnings}, indent=2))
    else:
        for line in table(LIST_COLUMNS, [[_cell(case, key) for key, *_ in LIST_COLUMNS] for case in cases]):
            click.echo(line)
        click.echo(_count_line(len(cases), total, limit))
    for warning in warnings:  # stderr, --json or not: stdout holds only the list
        click.echo(f"warning: {warning}", err=True)


# (key, header, widest before truncating (None: as wide as its widest value), right-aligned)
LIST_COLUMNS = (("number", "Case", 20, False), ("act_by_text", "Act by", None, False),
                ("school_days_left", "Days left", None, True), ("status_text", "Status", None, False),
                ("party_words", "Who must act", None, False), ("deadline_label", "Next deadline", 40, False),
                ("members_text", "Member(s)", 28, False), ("school", "School", 24, False),
                ("flags_text", "Flags", None, False))


def _listed(grievance: Grievance, officer: str | None, status) -> dict:
    """One case as --json gives it and the table shows it: the rule set's labels, the flags' words,
    and the status as operations/deadline_status.py words it (None: no limit running)."""
    rules = grievance_operations.rules_named(grievance.ruleset)
    limit = rules.limits.get(grievance.next_deadline_key or "")
    flags = flag_codes_in_order(grievance.flag_codes)
    return {"number": grievance.number, "kind": rules.kinds[grievance.kind].label,
            "step": rules.stages[grievance.stage].label, "members": grievance.members.splitlines(),
            "school": grievance.school, "officer": officer,
            "party": grievance.next_party, "party_words": PARTY_WORDS.get(grievance.next_party, "—"),
            "deadline": grievance.next_deadline_key, "deadline_label": limit.label if limit else "—",
            "clause": limit.clause if limit else "",
            "act_by": grievance.next_act_by.isoformat() if grievance.next_act_by else None,
            "status": status.as_dict() if status else None,
            "flags": [{"code": code, "words": FLAG_WORDS.get(code, code)} for code in flags]}


def _cell(case: dict, key: str) -> str:
    status = case["status"]
    if key == "act_by_text":
        return long_date(date.fromisoformat(case["act_by"])) if case["act_by"] else "—"
    if key == "school_days_left":
        left = status["school_days_left"] if status else None
        return "—" if left is None else str(left)
    if key == "status_text":
        if not status:
            return "no time limit running"
        return status["words"] + (f" ({status['safe_note']})" if status["safe_note"] else "")
    if key == "members_text":
        return ", ".join(case["members"])
    if key == "flags_text":
        return ", ".join(flag["words"] for flag in case["flags"]) or "—"
    return str(case[key] or "—")


def table(columns, rows: list[list[str]]) -> list[str]:
    """Lines of a plain-text table: a header, a rule, one line per row. Each column is as wide as
    its widest cell or its cap; a longer cell is cut with "…", so no value pushes the next column."""
    cut = [[_truncate(cell, cap) for cell, (_, _, cap, _) in zip(row, columns)] for row in rows]
    headers = [header for _, header, _, _ in columns]
    widths = [max([len(h)] + [len(row[i]) for row in cut]) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(cell.rjust(w) if right else cell.ljust(w)
                         for cell, w, (_, _, _, right) in zip(cells, widths, columns)).rstrip()
    return [line(headers), "  ".join("-" * w for w in widths), *(line(row) for row in cut)]


def _truncate(text: str, cap: int | None) -> str:
    text = " ".join(text.split())  # a line break in a name would break the row
    return text if cap is None or len(text) <= cap else text[:cap - 1].rstrip() + "…"


def _count_line(shown: int, total: int, limit: int) -> str:
    if shown >= total:
        return f"{total} open case{'s' * (total != 1)}."
    return (f"{shown} of {total} open cases shown; {total - shown} left out by --limit {limit} "
            f"(--limit {total} lists them all).")


def _warnings(session, rows, statuses) -> list[str]:
    """What the reader must know about the dates listed: a calendar the local has not verified
    (as `schooldays` warns), and a date that could not be counted."""
    warnings, unverified = [], set()
    slugs = dict(session.execute(select(Board.id, Board.slug)).all())
    for grievance, _ in rows:
        status = statuses[grievance.id]
        if status is None or status.state == "unknown":
            if status is not None:
                warnings.append(f"{grievance.number}: {status.words}.")
            continue
        calendar = calendar_or_none(session, slugs[grievance.board_id])
        if calendar and status.act_by:
            unverified |= {(calendar.board, year.label) for year in calendar.years.values()
                           if not year.verified and year.covers_from <= status.act_by <= year.covers_until}
    warnings += [f"The {board} {label} calendar is not verified by the local: dates counted on it may be off."
                 for board, label in sorted(unverified)]
    return warnings
