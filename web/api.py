"""The JSON API under /api/: grievances, their events and deadlines, the board
calendars, and the calculator. Thin: parse, call an operation, render. Errors
are JSON naming the field and the fix; GET /api/openapi.json describes it all."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Flask, abort, current_app, g, jsonify, request
from sqlalchemy import select

from glue import database, today
from models import Board, DeadlineMove, Grievance, GrievanceEvent
from operations import accounts
from operations import calendars as calendar_operations
from operations import grievances as ops
from operations.calculator import replay_case
from school_calendar.days import ClosureKind, DayType, Unit
from school_calendar.school_year import CalendarEntry
from school_calendar.errors import UserError
from school_calendar.explanation import explain
from workflows.case_format import ruleset_name, state_as_dict

from .auth import require
from .openapi import openapi_document

api = Blueprint("api", __name__, url_prefix="/api")


def init_app(app: Flask) -> None:
    app.register_blueprint(api)


@api.errorhandler(UserError)
def user_error(error: UserError):
    status = 409 if isinstance(error, ops.StaleCase) else 404 if error.field == "grievance" else 400
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
    case = ops.NewCase(
        number=_field(body, "number"), kind=_field(body, "kind"), first_event_on=_date_field(body, "first_event_on"),
        members=_texts(body, "members"), school=str(body.get("school", "")),
        clauses=str(body.get("clauses", "")), description=str(body.get("description", "")),
        remedy=str(body.get("remedy", "")), local=g.user.local.slug,
        board=str(body.get("board") or current_app.config["DEFAULT_BOARD"]),
        ruleset=ruleset_name(body.get("ruleset") or current_app.config["DEFAULT_RULESET"], "ruleset"),
        document=str(body.get("document", "")))
    with database().transaction() as session:
        if case.board not in accounts.boards_of_local(session, g.user.local_id, current_app.config["DEFAULT_BOARD"]):
            # Else a case opened on another local's board would make that board's calendar this local's to change.
            raise UserError(f"Your local's cases do not count on board '{case.board}'.", field="board",
                            fix=f"Leave board out (it is {current_app.config['DEFAULT_BOARD']}) or name one your "
                                "local's cases count on.")
        grievance = ops.open_case(session, case, by=_field(body, "recorded_by"), today=today())
        session.flush()
        return jsonify(_detail(session, grievance)), 201


@api.get("/grievances/<int:grievance_id>")
def show_grievance(grievance_id: int):
    with database().transaction() as session:
        return jsonify(_detail(session, _grievance(session, grievance_id)))


@api.post("/grievances/<int:grievance_id>/events")
@require(accounts.may_record)
def record_event(grievance_id: int):
    body = _json()
    with database().transaction() as session:
        _grievance(session, grievance_id)
        grievance = ops.record_event(
            session, grievance_id, type=_field(body, "type"), occurred_on=_date_field(body, "occurred_on"),
            details=_details(body) or {}, document=str(body.get("document", "")),
            by=_field(body, "recorded_by"), today=today(), expected_version=_version(body))
        return jsonify(_detail(session, grievance)), 201


@api.post("/grievances/<int:grievance_id>/events/<int:event_id>/void")
@require(accounts.may_record)
def void_event(grievance_id: int, event_id: int):
    body = _json()
    with database().transaction() as session:
        _grievance(session, grievance_id)
        grievance = ops.void_event(session, grievance_id, event_id, reason=_field(body, "reason"),
                                   by=_field(body, "recorded_by"), today=today(), expected_version=_version(body))
        return jsonify(_detail(session, grievance)), 201


@api.post("/grievances/<int:grievance_id>/events/<int:event_id>/correct")
@require(accounts.may_record)
def correct_event(grievance_id: int, event_id: int):
    body = _json()
    with database().transaction() as session:
        _grievance(session, grievance_id)
        grievance = ops.correct_event(session, grievance_id, event_id, occurred_on=_date_field(body, "occurred_on"),
                                      details=_details(body), reason=_field(body, "reason"),
                                      by=_field(body, "recorded_by"), today=today(),
                                      expected_version=_version(body))
        return jsonify(_detail(session, grievance)), 201


@api.post("/replay")
def replay():
    config = current_app.config
    with database().transaction() as session:
        return jsonify(replay_case(session, _json(), today=today(), default_board=config["DEFAULT_BOARD"],
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
    body = _json()
    return _add_day(slug, body, {**body, "type": "closure", "closure_kind": body.get("kind")})


@api.post("/boards/<slug>/days")
@require(accounts.may_change_calendars, "Only an administrator changes board calendars.")
def add_day(slug: str):
    body = _json()
    return _add_day(slug, body, body)


def _add_day(slug: str, body: dict, spec: dict):
    """A PA day, school holiday or closure added during the year; running deadlines move."""
    _require_board_of_local(slug)
    first = _date_field(body, "first")
    last = _date_field(body, "last") if body.get("last") else first
    entry = CalendarEntry(first, last, _day_type(spec.get("type")), str(body.get("name", "")).strip(),
                          _closure_kind(spec.get("closure_kind")) if spec.get("type") == "closure" else None)
    with database().transaction() as session:
        moves = calendar_operations.add_day(session, slug, entry, by=_field(body, "recorded_by"),
                                            reason=_field(body, "reason"), today=today())
        moved = [_move(m) for m in moves]
    return jsonify({"added": {"first": first.isoformat(), "last": last.isoformat(), "type": str(entry.type),
                              "closure_kind": str(entry.closure_kind) if entry.closure_kind else None},
                    "moved_deadlines": moved}), 201


def _require_board_of_local(slug: str) -> None:
    """403 for a board none of the user's local's cases count on (accounts.boards_of_local); an
    unknown board is left to add_day's own error."""
    with database().transaction() as session:
        if slug in calendar_operations.board_slugs(session) and not accounts.may_change_board(
                session, g.user, slug, current_app.config["DEFAULT_BOARD"]):
            abort(403, "Only an administrator of a local whose cases count on this board may change its calendar.")


def _day_type(value) -> DayType:
    types = {"pa day": DayType.PA_DAY, "split day": DayType.SPLIT_DAY, "school holiday": DayType.SCHOOL_HOLIDAY,
             "closure": DayType.CLOSURE}
    if not isinstance(value, str) or value not in types:  # a list or object is not hashable: no KeyError, a 400
        raise UserError(f"'{value}' is not a day that can be added during the year.", field="type",
                        fix="Use 'pa day', 'split day', 'school holiday' or 'closure'.")
    return types[value]


def _closure_kind(value) -> ClosureKind:
    try:
        return ClosureKind(value)
    except ValueError:
        raise UserError(f"'{value}' is not a kind of closure.", field="kind",
                        fix="Use strike, lock-out, weather or other.") from None


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
            "events": [_event(e) for e in events], "deadline_moves": [_move(m) for m in moves]}


def _event(e: GrievanceEvent) -> dict:
    import json

    return {"id": e.id, "seq": e.seq, "type": e.type, "occurred_on": e.occurred_on.isoformat(),
            "details": json.loads(e.details), "document": e.document, "recorded_by": e.recorded_by,
            "recorded_at": e.recorded_at.isoformat(), "voids": e.voids_event_id, "reason": e.reason}


def _move(m: DeadlineMove) -> dict:
    return {"grievance_id": m.grievance_id, "deadline": m.deadline_key,
            "old_due": m.old_due.isoformat() if m.old_due else None,
            "new_due": m.new_due.isoformat() if m.new_due else None, "reason": m.reason,
            "moved_at": m.moved_at.isoformat(), "moved_by": m.moved_by}


# -- parsing ---------------------------------------------------------------------------------

def _json() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise UserError("The request body is not a JSON object.", field="body",
                        fix="Send Content-Type: application/json with an object.")
    return body


def _field(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"'{name}' is required.", field=name, fix=f"Give {name} as text.")
    return value.strip()


def _texts(body: dict, name: str) -> tuple[str, ...]:
    """A list of text, e.g. the members: a bare string or number would be split or crash."""
    value = body.get(name) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise UserError(f"'{name}' is not a list of text.", field=name, fix=f'Give {name} as ["…", "…"].')
    return tuple(value)


def _details(body: dict) -> dict | None:
    value = body.get("details")
    if value is not None and not isinstance(value, dict):
        raise UserError("'details' is not an object.", field="details", fix='Give details as {"name": "value", …}.')
    return value


def _version(body: dict) -> int | None:
    value = body.get("version")
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise UserError(f"'{value}' is not a version number.", field="version",
                        fix="Send the case's version as read from the API, or leave it out.")
    return value


def _date_field(body: dict, name: str) -> date:
    return _parse_date(body.get(name), name)


def _date_arg(name: str) -> date:
    return _parse_date(request.args.get(name), name)


def _parse_date(value, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise UserError(f"'{value}' is not a date.", field=name, fix="Write it as YYYY-MM-DD.") from None


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
