"""A case's page (timeline, running deadlines with their arithmetic, the events
allowed now), the forms to record an event (with a preview of what it changes)
and to open a case, and the case's documents."""
from __future__ import annotations

import json
from datetime import date
from io import BytesIO
from pathlib import Path

from flask import (Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, send_file,
                   url_for)
from markupsafe import Markup
from sqlalchemy import select

from gate import InputError, read
from gate.errors import Problem
from gate.fields import DATE_DETAILS, FIXES, label
from gate.inputs import EventInput, NewCaseInput, VoidInput
from glue import database, documents_store, today
from models import Board, DeadlineMove, Document, Grievance, GrievanceEvent, User
from operations import accounts, case_file
from operations import documents as document_operations
from operations import grievances as ops
from operations.deadline_status import deadline_status, in_act_by_order
from operations.exports import FACT_WORDS
from operations.inputs import new_case as new_case_of
from operations.timeline_svg import Move, timeline_svg
from operations.uncounted import UncountedDate, day_note, missing_year, require_countable, uncounted_words
from school_calendar.errors import UserError
from workflows.case_format import changes_between, explain_deadline

from .auth import require
from .presenters import long_date

cases = Blueprint("cases", __name__, url_prefix="/cases")
DATE_FIELDS = DATE_DETAILS
# 33.03, 33.04: what a grievance must contain, and how to give it.
CONTENTS = {"members": "Name the teacher(s) involved, one a line.",
            "clauses": "Name the clauses or other language alleged to be violated.",
            "description": "Describe the alleged violation and its facts.",
            "remedy": "Say what relief or remedy is sought."}
OUTCOMES = ("allowed", "allowed in part", "dismissed")
STEPS = (("complaint", "Complaint procedure (33.03)"), ("step_1", "Step 1"), ("step_2", "Step 2"))


def init_app(app: Flask) -> None:
    app.register_blueprint(cases)
    app.add_url_rule("/documents/<int:document_id>", "cases.download", download)


def _visible_case(session, grievance_id: int) -> Grievance:
    """The case, if this user may see it; 404 otherwise (another local's case does not exist for them)."""
    grievance = session.scalar(accounts.visible(g.user, select(Grievance).where(Grievance.id == grievance_id)))
    if grievance is None:
        abort(404)
    return grievance


# -- the case page ------------------------------------------------------------------------

@cases.get("/<int:grievance_id>")
def show_case(grievance_id: int):
    with database().transaction() as session:
        grievance = _visible_case(session, grievance_id)
        state = ops.case_state(session, grievance, today())
        calendar = ops.calendar_for(session, session.scalar(select(Board.slug).where(Board.id == grievance.board_id)))
        rules = ops.rules_named(grievance.ruleset)
        events = session.scalars(select(GrievanceEvent).where(GrievanceEvent.grievance_id == grievance.id)
                                 .order_by(GrievanceEvent.seq)).all()
        moves = session.scalars(select(DeadlineMove).where(DeadlineMove.grievance_id == grievance.id)).all()
        documents = session.scalars(select(Document).where(Document.grievance_id == grievance.id)).all()
        officer = session.scalar(select(User.name).where(User.id == grievance.officer_id)) if grievance.officer_id else None
        edits, notes = case_file.edits_of(session, grievance.id), case_file.notes_of(session, grievance.id)
        holders = {"stewards": case_file.stewards_of(session, grievance.id),  # issue 13: who holds the case
                   "steward_choices": case_file.steward_choices(session, grievance.local_id),
                   "officer_choices": case_file.officer_choices(session, grievance.local_id)}
    # Issue 12 (one status, one wording): by date to act by, each worded by operations/deadline_status.py.
    running = [(d, explain_deadline(d, calendar), deadline_status(d, calendar, today()))
               for d in in_act_by_order(state.deadlines) if d.is_open]
    ended = [d for d in state.deadlines if not d.is_open]
    return render_template("case.html", g_=grievance, state=state, rules=rules, running=running, ended=ended,
                           timeline=_day_notes(_timeline(events, moves, rules, edits, notes), calendar),
                           documents=_by_event(documents),
                           officer=officer, may_record=accounts.may_record(g.user), today=today(),
                           may_edit_facts=accounts.may_open_cases(g.user), holders=holders,
                           pictures=_pictures(grievance.number, state, rules, calendar, moves))


def _pictures(number, state, rules, calendar, moves) -> dict[str, Markup]:
    """The case drawn (operations/timeline_svg.py, which escapes every text) twice: 880 wide for a
    screen, 360 for a phone, each one unit to a CSS pixel at its size; site.css shows one."""
    moved = [Move(m.deadline_key, m.old_due, m.new_due, m.reason) for m in moves]
    return {size: Markup(timeline_svg(state, rules, calendar, today(), number=number, moves=moved, width=width,
                                      id_prefix=f"case-timeline-{size}"))
            for size, width in (("wide", 880), ("narrow", 360))}


def _timeline(events, moves, rules, edits=(), notes=()) -> list[dict]:
    """Events (each with its notes), deadline moves, changes to the facts and notes on the case,
    by date (issue 13: a change or a note is dated when it was made; it moves no deadline)."""
    on_event: dict[int, list] = {}
    for n in notes:
        on_event.setdefault(n.event_id, []).append(n)
    voided = {e.voids_event_id: e for e in events if e.voids_event_id}
    by_id = {e.id: e for e in events}
    items = [{"on": e.occurred_on, "kind": "event", "e": e, "details": json.loads(e.details),
              "label": "Correction" if e.type == "void" else rules.events[e.type].label,
              "clause": "" if e.type == "void" else rules.events[e.type].clause, "voided_by": voided.get(e.id),
              "voids": _voids_words(by_id.get(e.voids_event_id), rules) if e.type == "void" else "",
              "notes": on_event.get(e.id, [])}
             for e in events]
    items += [{"on": c.edited_at.date(), "kind": "edit", "c": c, "label": FACT_WORDS.get(c.field, c.field)}
              for c in edits]
    items += [{"on": n.written_at.date(), "kind": "note", "n": n} for n in on_event.get(None, [])]
    items += [{"on": m.moved_at.date(), "kind": "move", "m": m,
               "label": rules.limits[m.deadline_key].label if m.deadline_key in rules.limits else m.deadline_key}
              for m in moves]
    return sorted(items, key=lambda item: (item["on"], item["kind"] != "event"))


def _voids_words(event, rules) -> str:
    """What a correction voids, as a person names it: "voids 'Step 1 reply …' of Thu 20 Nov 2025"."""
    if event is None:
        return "voids an event"
    name = rules.events[event.type].label if event.type in rules.events else event.type
    return f"voids '{name}' of {long_date(event.occurred_on)}"


def _day_notes(items: list[dict], calendar) -> list[dict]:
    """Issue 13, item 7: an event dated on a day that is not a school day says so (a reply is delivered
    when it is delivered; the count starts from it all the same). From the calendar, never stored."""
    for item in items:
        if item["kind"] == "event" and item["e"].type != "void":
            item["day_note"] = day_note(calendar, item["on"])
    return items


def _date_notes(calendar, day: date) -> list[str]:
    """What the record form's preview says of the date itself before anything is saved."""
    missing = missing_year(calendar, day)
    if missing is not None:
        return [f"{uncounted_words(missing.board, missing.school_year)} Load it with "
                "`flask --app app schooldays load` (or import the board's .ics), or tick Record it anyway."]
    note = day_note(calendar, day)
    return [note] if note else []


def _by_event(documents) -> dict[int, list]:
    out: dict[int, list] = {}
    for document in documents:
        out.setdefault(document.event_id, []).append(document)
    return out


# -- recording an event -----------------------------------------------------------------------

@cases.route("/<int:grievance_id>/record/<event_type>", methods=["GET", "POST"])
@require(accounts.may_record)
def record(grievance_id: int, event_type: str):
    form = request.form if request.method == "POST" else {}
    preview, refused = None, None
    if request.method == "POST" and form.get("action") == "record":
        try:
            return _record(grievance_id, _event_values(form, event_type, _event_rule(grievance_id, event_type).details))
        except UserError as error:
            refused = error
    with database().transaction() as session:
        grievance = _visible_case(session, grievance_id)
        rules = ops.rules_named(grievance.ruleset)
        rule = rules.events.get(event_type) or abort(404)
        running = [d for d in ops.case_state(session, grievance, today()).deadlines if d.is_open]
        if request.method == "POST" and not refused:
            try:
                values = _event_values(form, event_type, rule.details)
                before, after = ops.preview_event(session, grievance.id, type=event_type,
                                                  occurred_on=values.occurred_on, details=values.details, today=today())
                calendar = ops.calendar_for(session, session.scalar(select(Board.slug).where(Board.id == grievance.board_id)))
                preview = _date_notes(calendar, values.occurred_on) + changes_between(before, after, rules, calendar)
            except UserError as error:
                refused = error
    return render_template("record.html", g_=grievance, rule=rule, form=form, preview=preview, error=refused,
                           running=running, outcomes=OUTCOMES, steps=STEPS, date_fields=DATE_FIELDS,
                           today=today(), confirm_needed=isinstance(refused, UncountedDate)), 400 if refused else 200


def _event_rule(grievance_id: int, event_type: str):
    with database().transaction() as session:
        grievance = _visible_case(session, grievance_id)
        return ops.rules_named(grievance.ruleset).events.get(event_type) or abort(404)


def _record(grievance_id: int, values: EventInput):
    """Store the event and its document in one transaction: both or neither."""
    with database().transaction() as session:
        board_id = _visible_case(session, grievance_id).board_id
        require_countable(ops.calendar_for(session, session.scalar(select(Board.slug).where(Board.id == board_id))),
                          values.occurred_on, field="occurred_on", confirmed=values.confirm_uncounted)
        ops.record_event(session, grievance_id, type=values.type, occurred_on=values.occurred_on,
                         details=values.details, document=values.document, by=g.user.email, today=today(),
                         expected_version=values.version)
        upload = request.files.get("document")
        if upload and upload.filename:
            document_operations.attach(session, documents_store(), grievance_id=grievance_id,
                                       event_id=ops.last_event_id(session, grievance_id), filename=upload.filename,
                                       data=upload.read(), by=g.user.email)
    flash("Recorded. The deadlines below are recomputed.")
    return redirect(url_for("cases.show_case", grievance_id=grievance_id))


def _event_values(form, event_type: str, detail_names) -> EventInput:
    """The form through the gate, as the API's body goes (gate.inputs.EventInput), and every detail the
    procedure asks of this event (the engine would refuse the first one missing): every problem at once.
    An empty box is a field not given: "Date it happened is required", not "'' is not a date"."""
    details = {name: form[name].strip() for name in detail_names if (form.get(name) or "").strip()}
    missing = [Problem(f"details.{name}", "is required.", FIXES.get(name, f"Give {label(name)}."))
               for name in detail_names if name not in details]
    try:
        values = read(EventInput, _given({"type": event_type, "occurred_on": form.get("occurred_on", ""),
                                          "document": _upload_name(), "details": details,
                                          "version": _int(form.get("version")),
                                          "confirm_uncounted": bool(form.get("confirm_uncounted"))}))
    except InputError as refused:
        raise InputError(refused.problems + missing) from None
    if missing:
        raise InputError(missing)
    return values


def _given(data: dict) -> dict:
    """The form's values without the empty ones, which the gate then reads as missing."""
    return {name: value for name, value in data.items() if value not in ("", None)}


def _upload_name() -> str:
    upload = request.files.get("document")
    return Path(upload.filename).name if upload and upload.filename else ""


# -- corrections and documents ------------------------------------------------------------------

@cases.post("/<int:grievance_id>/events/<int:event_id>/void")
@require(accounts.may_record)
def void(grievance_id: int, event_id: int):
    try:
        with database().transaction() as session:
            _visible_case(session, grievance_id)
            values = read(VoidInput, {"reason": request.form.get("reason", "")})
            ops.void_event(session, grievance_id, event_id, reason=values.reason, by=g.user.email, today=today())
        flash("The event is void; the deadlines are recomputed.")
    except UserError as refused:
        flash(f"Not corrected: {refused}")
        return show_case(grievance_id), 400  # the case page again, the refusal on it; nothing stored
    return redirect(url_for("cases.show_case", grievance_id=grievance_id))


@cases.post("/<int:grievance_id>/events/<int:event_id>/documents")
@require(accounts.may_record)
def attach(grievance_id: int, event_id: int):
    upload = request.files.get("document")
    try:
        with database().transaction() as session:
            _visible_case(session, grievance_id)
            document_operations.attach(session, documents_store(), grievance_id=grievance_id, event_id=event_id,
                                       filename=upload.filename if upload else "", data=upload.read() if upload else b"",
                                       by=g.user.email)
        flash("Document attached.")
    except UserError as refused:
        flash(f"Not attached: {refused}")
        return show_case(grievance_id), 400
    return redirect(url_for("cases.show_case", grievance_id=grievance_id))


def download(document_id: int):
    with database().transaction() as session:
        document = session.scalar(select(Document).where(Document.id == document_id))
        if document is None or not accounts.may_see(session, g.user, document.grievance_id):
            abort(404)
        session.expunge(document)
    data = document_operations.read(documents_store(), document)
    return send_file(BytesIO(data), mimetype=document.content_type, as_attachment=True,
                     download_name=document.filename)


# -- a new case ----------------------------------------------------------------------------------

@cases.route("/new", methods=["GET", "POST"])
@require(accounts.may_open_cases)
def new_case():
    refused = None
    rules = ops.rules_named(current_app.config["DEFAULT_RULESET"])
    with database().transaction() as session:
        officers = session.execute(select(User.id, User.name).where(
            User.local_id == g.user.local_id, User.role.in_(("admin", "officer"))).order_by(User.name)).all()
    if request.method == "POST":
        try:
            values = _new_case_values(request.form)
            case = new_case_of(values, local=g.user.local.slug if g.user.local else current_app.config["DEFAULT_LOCAL"],
                               default_board=current_app.config["DEFAULT_BOARD"], default_ruleset=rules.id)
            officer_id = _officer(request.form.get("officer_id"), officers)
            with database().transaction() as session:
                require_countable(ops.calendar_for(session, case.board), case.first_event_on, field="first_event_on",
                                  confirmed=values.confirm_uncounted)
                grievance = ops.open_case(session, case, by=g.user.email, today=today())
                grievance.officer_id = officer_id
                new_id = grievance.id
            flash(f"Case {case.number} opened.")
            return redirect(url_for("cases.show_case", grievance_id=new_id))
        except UserError as error:
            refused = error
    return render_template("new_case.html", rules=rules, officers=officers, form=request.form, error=refused,
                           confirm_needed=isinstance(refused, UncountedDate)), (400 if refused else 200)


def _new_case_values(form) -> NewCaseInput:
    """The form through the gate (gate.inputs.NewCaseInput) and what 33.04 asks of a grievance, every
    problem of both at once; the members box holds one member a line."""
    data = _given({**{name: form.get(name, "") for name in ("number", "kind", "first_event_on", "school", "clauses",
                                                            "description", "remedy")},
                   "members": [line.strip() for line in form.get("members", "").splitlines() if line.strip()],
                   "confirm_uncounted": bool(form.get("confirm_uncounted")) or None})
    missing = [Problem(name, "is required (33.04).", fix) for name, fix in CONTENTS.items()
               if not (data.get(name) and str(data[name]).strip())]
    try:
        values = read(NewCaseInput, data)
    except InputError as refused:
        raise InputError(refused.problems + [p for p in missing if not refused.for_field(p.field)]) from None
    if missing:
        raise InputError(missing)
    return values


def _officer(text, officers) -> int:
    """The case's officer: one of the local's officers or administrators listed on the form (an id from
    another local would put that local's person on this case, and their name on this local's pages)."""
    chosen = _int(text)
    if chosen is None:
        return g.user.id
    if chosen not in {row.id for row in officers}:
        raise UserError("That officer is not one of your local's officers.", field="officer_id",
                        fix="Choose an officer from the list.")
    return chosen


def _int(text) -> int | None:
    """A form's number, or None; the gate bounds it (a 30-digit version is refused there, not a 500)."""
    return int(text) if text and str(text).isdigit() and len(str(text)) <= 30 else None
