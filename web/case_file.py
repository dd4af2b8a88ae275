"""The case file's forms (issue 13): correct a case's facts, each change kept with its reason,
write a note on the case or one of its events, and choose who holds the case (stewards, officer). Thin: the gate reads the form
(gate.inputs.FactsInput, NoteInput), operations/case_file.py changes the case."""
from __future__ import annotations

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from gate import read
from gate.inputs import AssignmentInput, FactsInput, NoteInput
from glue import database
from models import GrievanceEvent
from operations import accounts
from operations import case_file as ops
from school_calendar.errors import UserError

from .auth import require
from .cases import _visible_case, show_case

case_file = Blueprint("case_file", __name__, url_prefix="/cases")
FACT_FIELDS = ("number", "members", "school", "clauses", "description", "remedy", "officer_id", "reason")


def init_app(app: Flask) -> None:
    app.register_blueprint(case_file)


@case_file.route("/<int:grievance_id>/facts", methods=["GET", "POST"])
@require(accounts.may_open_cases)
def edit_facts(grievance_id: int):
    refused = None
    if request.method == "POST":
        try:
            with database().transaction() as session:
                _visible_case(session, grievance_id)
                ops.edit_facts(session, grievance_id, _facts_values(request.form), by=g.user.email)
            flash("The case's facts are changed; the change is on its timeline.")
            return redirect(url_for("cases.show_case", grievance_id=grievance_id))
        except UserError as error:
            refused = error
    with database().transaction() as session:
        grievance = _visible_case(session, grievance_id)
        officers = ops.officer_choices(session, grievance.local_id)
        current = {"number": grievance.number, "members": grievance.members, "school": grievance.school,
                   "clauses": grievance.clauses, "description": grievance.description, "remedy": grievance.remedy,
                   "officer_id": str(grievance.officer_id or ""), "version": str(grievance.version), "reason": ""}
        number = grievance.number
    return render_template("case_facts.html", grievance_id=grievance_id, number=number, officers=officers,
                           form=request.form if refused else current, error=refused), 400 if refused else 200


def _facts_values(form):
    """The form through the gate: every box is sent, so each is a fact given (empty text included)."""
    data = {name: form.get(name, "") for name in ("number", "school", "clauses", "description", "remedy", "reason")}
    data["members"] = [line.strip() for line in form.get("members", "").splitlines() if line.strip()]
    if form.get("officer_id"):
        data["officer_id"] = _int(form["officer_id"], -1)
    if form.get("version"):
        data["version"] = _int(form["version"], -1)
    # A box left out of the request (an API-like post) or emptied where 33.04 needs a value is not a change.
    for name in ("number", "school", "clauses", "description", "remedy"):
        if name not in form:
            del data[name]
    if "number" in data and not data["number"]:
        del data["number"]
    if not data["members"]:
        del data["members"]
    return read(FactsInput, data)


def _int(text: str, bad: int) -> int:
    return int(text) if text.isdigit() and len(text) <= 30 else bad


@case_file.post("/<int:grievance_id>/notes")
@require(accounts.may_record)
def add_note(grievance_id: int):
    refused = None
    try:
        data = {"text": request.form.get("text", "")}
        if request.form.get("event_id"):
            data["event_id"] = _int(request.form["event_id"], -1)
        with database().transaction() as session:
            _visible_case(session, grievance_id)
            ops.add_note(session, grievance_id, read(NoteInput, data), by=g.user.email)
        flash("Note added.")
        return redirect(url_for("cases.show_case", grievance_id=grievance_id) + "#timeline")
    except UserError as error:
        refused = error
    with database().transaction() as session:
        grievance = _visible_case(session, grievance_id)
        events = session.execute(select(GrievanceEvent.id, GrievanceEvent.type, GrievanceEvent.occurred_on)
                                 .where(GrievanceEvent.grievance_id == grievance_id)
                                 .order_by(GrievanceEvent.seq)).all()
        number = grievance.number
    return render_template("case_note.html", grievance_id=grievance_id, number=number, events=events,
                           form=request.form, error=refused), 400


@case_file.post("/<int:grievance_id>/assignment")
@require(accounts.may_open_cases)
def assign(grievance_id: int):
    """The case page's assignment form: every steward ticked holds the case (the others not), and its
    officer. The same operation as the Users page's (accounts.assign_steward)."""
    try:
        data = {"steward_ids": [_int(v, -1) for v in request.form.getlist("steward_ids")],
                "reason": request.form.get("reason", "")}
        if request.form.get("officer_id"):
            data["officer_id"] = _int(request.form["officer_id"], -1)
        if request.form.get("version"):
            data["version"] = _int(request.form["version"], -1)
        with database().transaction() as session:
            _visible_case(session, grievance_id)
            ops.assign(session, grievance_id, read(AssignmentInput, data), by=g.user.email)
        flash("Assignment saved; each steward now assigned sees the case, in their digest and feed too.")
    except UserError as refused:
        flash(f"Assignment not changed: {refused}")
        return show_case(grievance_id), 400  # the case page again, the refusal on it; nothing stored
    return redirect(url_for("cases.show_case", grievance_id=grievance_id))
