"""The JSON API under /api/: grievances, their events and deadlines, the board
calendars, and the calculator. Thin: parse, call an operation, render. Errors
are JSON naming the field and the fix; GET /api/openapi.json describes it all."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Flask, abort, current_app, g, jsonify, request
from sqlalchemy import select

from glue import database, today
from models import Board, CaseEdit, CaseNote, DeadlineMove, Grievance, GrievanceEvent
from operations import accounts, calendar_moves, case_file
from operations import calendars as calendar_operations
from operations import grievances as ops
from operations.calculator import replay_case
from operations.inputs import board_context, new_case
from operations.uncounted import UncountedDate, day_note, require_countable
from school_calendar.days import Unit
from school_calendar.errors import UserError
from school_calendar.explanation import explain
from workflows.case_format import state_as_dict

from gate import read, read_date, read_json
from gate.inputs import (AssignmentInput, CalendarDayInput, CaseInput, ClosureInput, CorrectInput, EventInput,
                         FactsInput, NewCaseInput, NoteInput, ReopenInput, VoidInput)

from .auth import require
from .openapi import openapi_document

api = Blueprint("api", __name__, url_prefix="/api")


def init_app(app: Flask) -> None:
    app.register_blueprint(api)


@api.errorhandler(UserError)
def user_error(error: UserError):
    status = 409 if isinstance(error, (ops.StaleCase, UncountedDate)) else 404 if error.field == "grievance" else 400
    return jsonify(error.as_dict()), status


@api.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


# -- grievances --------------------------------------------------------------------

@api.get("/grievances")
def list_grievances():
    limit = min(_int_arg("limit", 50), 500)
    query = accounts.visible(g.user, select(Grievance))
    if request.args.get("flag"):
        query = query.where(Grievance.flag_codes.contains(request.args["flag"]))
    wanted = request.args.get("open", "1")
    with database().transaction() as session:
        if wanted == "all":  # open cases first, most urgent first; then the closed ones
            rows = ops.most_urgent(session, query.where(Grievance.is_open.is_(True)), limit=limit)
            rows += session.execute(query.where(Grievance.is_open.is_(False)).order_by(Grievance.id)
                                    .limit(limit - len(rows))).all()
        else:
            rows = ops.most_urgent(session, query.where(Grievance.is_open.is_(wanted == "1")), limit=limit)
        return jsonify({"grievances": [_summary(row[0]) for row in rows]})


@api.post("/grievances")
@require(accounts.may_open_cases)
def open_grievance():
    body = _json()
    with database().transaction() as session:
        # A board of another local would make that board's calendar this local's to change: the gate
        # refuses any board the local's cases do not count on.
        values = read(NewCaseInput, body, context=board_context(session, g.user, current_app.config["DEFAULT_BOARD"]))
        case = new_case(values, local=g.user.local.slug, default_board=current_app.config["DEFAULT_BOARD"],
                        default_ruleset=current_app.config["DEFAULT_RULESET"])
        require_countable(ops.calendar_for(session, case.board), case.first_event_on, field="first_event_on",
                          confirmed=values.confirm_uncounted)
        grievance = ops.open_case(session, case, by=g.user.email, today=today())
        session.flush()
        return jsonify(_detail(session, grievance)), 201


@api.get("/grievances/<int:grievance_id>")
def show_grievance(grievance_id: int):
    with database().transaction() as session:
        return jsonify(_detail(session, _grievance(session, grievance_id)))


@api.post("/grievances/<int:grievance_id>/events")
@require(accounts.may_record)
def record_event(grievance_id: int):
    values = read(EventInput, _json())
    with database().transaction() as session:
        board_id = _grievance(session, grievance_id).board_id
        require_countable(ops.calendar_for(session, session.scalar(select(Board.slug).where(Board.id == board_id))),
                          values.occurred_on, field="occurred_on", confirmed=values.confirm_uncounted)
        grievance = ops.record_event(
            session, grievance_id, type=values.type, occurred_on=values.occurred_on, details=values.details,
            document=values.document, by=g.user.email, today=today(), expected_version=values.version)
        return jsonify(_detail(session, grievance)), 201


@api.post("/grievances/<int:grievance_id>/events/<int:event_id>/void")
@require(accounts.may_record)
def void_event(grievance_id: int, event_id: int):
    values = read(VoidInput, _json())
    with database().transaction() as session:
        _grievance(session, grievance_id)
        grievance = ops.void_event(session, grievance_id, event_id, reason=values.reason, by=g.user.email,
                                   today=today(), expected_version=values.version)
        return jsonify(_detail(session, grievance)), 201


@api.post("/grievances/<int:grievance_id>/events/<int:event_id>/correct")
@require(accounts.may_record)
def correct_event(grievance_id: int, event_id: int):
    values = read(CorrectInput, _json())
    with database().transaction() as session:
        _grievance(session, grievance_id)
        grievance = ops.correct_event(session, grievance_id, event_id, occurred_on=values.occurred_on,
                                      details=values.details, reason=values.reason, by=g.user.email,
                                      today=today(), expected_version=values.version)
        return jsonify(_detail(session, grievance)), 201


@api.post("/grievances/<int:grievance_id>/facts")
@require(accounts.may_open_cases)
def edit_facts(grievance_id: int):
    """Issue 13: correct a case's facts (only those given), with a reason; each change is kept."""
    values = read(FactsInput, _json())
    with database().transaction() as session:
        grievance = _grievance(session, grievance_id)
        case_file.edit_facts(session, grievance_id, values, by=g.user.email)
        return jsonify(_detail(session, grievance)), 200


@api.post("/grievances/<int:grievance_id>/assignment")
@require(accounts.may_open_cases)
def assign(grievance_id: int):
    """Issue 13: the case's stewards (every one listed; the others are unassigned) and officer."""
    values = read(AssignmentInput, _json())
    with database().transaction() as session:
        grievance = _grievance(session, grievance_id)
        case_file.assign(session, grievance_id, values, by=g.user.email)
        return jsonify(_detail(session, grievance)), 200


@api.post("/grievances/<int:grievance_id>/notes")
@require(accounts.may_record)
def add_note(grievance_id: int):
    """Issue 13: a note on the case, or on one of its events (event_id); the author is the login."""
    values = read(NoteInput, _json())
    with database().transaction() as session:
        _grievance(session, grievance_id)
        note = case_file.add_note(session, grievance_id, values, by=g.user.email)
        return jsonify(_note(note)), 201


@api.post("/replay")
def replay():
    config = current_app.config
    body = _json()
    read(CaseInput, body)  # bounds first: dates, counts, names; read_case then reads the events
    with database().transaction() as session:
        return jsonify(replay_case(session, body, today=today(), default_board=config["DEFAULT_BOARD"],
                                   default_ruleset=config["DEFAULT_RULESET"]))


# -- board calendars ----------------------------------------------------------------------

@api.get("/boards")
def boards():
    with database().transaction() as session:
        out = []
        for slug in calendar_operations.board_slugs(session):
            calendar = ops.calendar_for(session, slug)
            out.append({"board": slug, "school_years": [
                {"label": y.label, "first_day": y.first_day.isoformat(), "last_day": y.last_day.isoformat(),
                 "verified": y.verified and not y.has_unconfirmed_dates, "source": y.source}
                for y in calendar.years.values()]})
    return jsonify({"boards": out})


@api.get("/boards/<slug>/days")
def board_days(slug: str):
    start, end = _date_arg("from"), _date_arg("to")
    if (end - start).days > 400:
        raise UserError("Ask for at most 400 days at a time.", field="to", fix="Narrow the range.")
    with database().transaction() as session:
        calendar = ops.calendar_for(session, slug)
    days = [calendar.day(start)] + calendar.days_between(start, end) if start <= end else []
    return jsonify({"board": slug, "days": [
        {"date": d.date.isoformat(), "type": str(d.type), "reason": d.reason, "school_year": d.school_year,
         "counts_as": [str(u) for u in Unit if calendar.is_counted(d.date, u)]} for d in days]})


@api.get("/boards/<slug>/schooldays")
def schooldays(slug: str):
    unit = Unit.parse(request.args.get("unit", "school-days"))
    with database().transaction() as session:
        calendar = ops.calendar_for(session, slug)
    return jsonify(explain(calendar, _date_arg("start"), _int_arg("n", None), unit).as_dict())


@api.post("/boards/<slug>/closures")
@require(accounts.may_change_calendars, "Only an administrator changes board calendars.")
def add_closure(slug: str):
    _require_board_of_local(slug)  # another local's board: 403 before anything is read
    values = read(ClosureInput, _json())
    return _add_day(slug, values.as_day())


@api.post("/boards/<slug>/days")
@require(accounts.may_change_calendars, "Only an administrator changes board calendars.")
def add_day(slug: str):
    _require_board_of_local(slug)
    return _add_day(slug, read(CalendarDayInput, _json()))


@api.post("/boards/<slug>/reopen")
@require(accounts.may_change_calendars, "Only an administrator changes board calendars.")
def reopen(slug: str):
    """Closure days taken back (the schools opened after all): the closure is removed or shortened."""
    _require_board_of_local(slug)
    values = read(ReopenInput, _json())
    with database().transaction() as session:
        moves = calendar_operations.reopen(session, slug, values.first, values.last_day, by=g.user.email,
                                           reason=values.reason, today=today())
        return jsonify({"reopened": {"first": values.first.isoformat(), "last": values.last_day.isoformat()},
                        **_moved(session, moves)})


def _add_day(slug: str, values: CalendarDayInput):
    """A PA day, school holiday or closure added during the year; running deadlines move."""
    entry = values.entry()
    with database().transaction() as session:
        moves = calendar_operations.add_day(session, slug, entry, by=g.user.email, reason=values.reason,
                                            today=today())
        return jsonify({"added": {"first": entry.first.isoformat(), "last": entry.last.isoformat(),
                                  "type": str(entry.type),
                                  "closure_kind": str(entry.closure_kind) if entry.closure_kind else None},
                        **_moved(session, moves)}), 201


def _moved(session, moves) -> dict:
    """The moves of this local's cases, each with both dates in words; the board may count for
    other locals too, whose moves are only counted."""
    moved = calendar_moves.moved_deadlines(session, moves, today(), cases=lambda q: accounts.visible(g.user, q))
    return {"summary": calendar_moves.summary(moved), "moved_deadlines": [m.as_dict() for m in moved.shown],
            "other_locals_moved": moved.others}


def _require_board_of_local(slug: str) -> None:
    """403 for a board none of the user's local's cases count on (accounts.boards_of_local); an
    unknown board is left to add_day's own error."""
    with database().transaction() as session:
        if slug in calendar_operations.board_slugs(session) and not accounts.may_change_board(
                session, g.user, slug, current_app.config["DEFAULT_BOARD"]):
            abort(403, "Only an administrator of a local whose cases count on this board may change its calendar.")


# -- rendering ------------------------------------------------------------------------------

def _summary(case: Grievance) -> dict:
    return {"id": case.id, "number": case.number, "kind": case.kind, "stage": case.stage, "open": case.is_open,
            "members": case.members.splitlines(), "school": case.school, "opened_on": case.opened_on.isoformat(),
            "next_act_by": case.next_act_by.isoformat() if case.next_act_by else None, "next_party": case.next_party,
            "next_deadline": case.next_deadline_key, "flag_codes": case.flag_codes.split(), "version": case.version}


def _detail(session, case: Grievance) -> dict:
    state = ops.case_state(session, case, today())
    rules = ops.rules_named(case.ruleset)
    calendar = ops.calendar_for(session, session.scalar(select(Board.slug).where(Board.id == case.board_id)))
    events = session.scalars(select(GrievanceEvent).where(GrievanceEvent.grievance_id == case.id)
                             .order_by(GrievanceEvent.seq))
    moves = session.scalars(select(DeadlineMove).where(DeadlineMove.grievance_id == case.id).order_by(DeadlineMove.id))
    return {**_summary(case), "clauses": case.clauses, "description": case.description, "remedy": case.remedy,
            "ruleset": case.ruleset, **state_as_dict(state, rules, calendar),
            "events": [_event(e, calendar) for e in events], "deadline_moves": [_move(m) for m in moves],
            "fact_changes": [_edit(c) for c in case_file.edits_of(session, case.id)],
            "notes": [_note(n) for n in case_file.notes_of(session, case.id)],
            "stewards": case_file.stewards_of(session, case.id)}


def _edit(c: CaseEdit) -> dict:
    return {"field": c.field, "old_value": c.old_value, "new_value": c.new_value, "reason": c.reason,
            "edited_by": c.edited_by, "edited_at": c.edited_at.isoformat()}


def _note(n: CaseNote) -> dict:
    return {"id": n.id, "event_id": n.event_id, "text": n.text, "written_by": n.written_by,
            "written_at": n.written_at.isoformat()}


def _event(e: GrievanceEvent, calendar) -> dict:
    """One event; `day_note` says when it is dated on a day that is not a school day (issue 13, item 7)."""
    import json

    return {"id": e.id, "seq": e.seq, "type": e.type, "occurred_on": e.occurred_on.isoformat(),
            "details": json.loads(e.details), "document": e.document, "recorded_by": e.recorded_by,
            "recorded_at": e.recorded_at.isoformat(), "voids": e.voids_event_id, "reason": e.reason,
            "day_note": "" if e.voids_event_id else day_note(calendar, e.occurred_on)}


def _move(m: DeadlineMove) -> dict:
    iso = lambda day: day.isoformat() if day else None  # noqa: E731
    return {"grievance_id": m.grievance_id, "deadline": m.deadline_key, "old_due": iso(m.old_due),
            "new_due": iso(m.new_due), "old_act_by": iso(m.old_act_by), "new_act_by": iso(m.new_act_by),
            "words": calendar_moves.move_sentence(m.old_due, m.new_due, m.old_act_by, m.new_act_by),
            "reason": m.reason, "moved_at": m.moved_at.isoformat(), "moved_by": m.moved_by}


# -- parsing ---------------------------------------------------------------------------------

def _json() -> dict:
    """The request's JSON body, its nesting bounded before it is parsed (gate.read_json)."""
    if not request.is_json:
        raise UserError("The request body is not JSON.", field="body",
                        fix="Send Content-Type: application/json with an object.")
    body = read_json(request.get_data(cache=True))
    if not isinstance(body, dict):
        raise UserError("The request body is not a JSON object.", field="body",
                        fix="Send Content-Type: application/json with an object.")
    return body


def _date_arg(name: str) -> date:
    return read_date(request.args.get(name), name)


def _int_arg(name: str, default: int | None) -> int:
    value = request.args.get(name)
    if value is None and default is not None:
        return default
    if value is None or not value.isdigit():
        raise UserError(f"'{value}' is not a whole number.", field=name, fix=f"Give {name} as a number, 0 or more.")
    return int(value)


def _grievance(session, grievance_id: int) -> Grievance:
    """The case if this user may see it; another local's case does not exist for them."""
    grievance = session.scalar(accounts.visible(g.user, select(Grievance).where(Grievance.id == grievance_id)))
    if grievance is None:
        raise UserError(f"There is no grievance {grievance_id}.", field="grievance", fix="Check the link.")
    return grievance
