"""Exports: a case's history as PDF and JSON, importing a case's JSON, the
dashboard's list as CSV, and each user's deadlines as an iCalendar feed behind
a secret, revocable link (the only route here without a login: the link's
secret is its credential)."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import (Blueprint, Flask, Response, abort, current_app, flash, g, redirect, render_template_string,
                   request, url_for)
from sqlalchemy import select

from gate import read, read_json
from gate.inputs import CaseImport
from glue import database, documents_store, today
from models import Grievance, User
from operations import accounts
from operations import exports as export_operations
from operations.inputs import board_context
from operations import feeds as feed_operations
from operations import grievances as ops
from operations.deadline_status import flag_codes_in_order, next_statuses
from school_calendar.errors import UserError

from . import query_args
from .auth import require
from .cases import _visible_case
from .dashboard import _filtered, chosen_filters
from .presenters import FLAG_WORDS, PARTY_WORDS

exports = Blueprint("exports", __name__)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADERS = ("Number", "Kind", "Stage", "Members", "School", "Officer", "Next act-by date", "Party to act",
               "Next deadline", "School days left", "Status", "Agreement's date", "Flags")
CSV_CHUNK = 500  # cases worded at a time: one query for their deadlines, within what SQLite can bind


def init_app(app: Flask) -> None:
    app.register_blueprint(exports)


def _now() -> datetime:
    """Now, in the deployment's time zone (TIMEZONE, default America/Toronto), for the PDF's footer."""
    try:
        zone = ZoneInfo(current_app.config.get("TIMEZONE") or "America/Toronto")
    except (ZoneInfoNotFoundError, ValueError):
        zone = timezone.utc
    return datetime.now(zone)


# -- a case's history ----------------------------------------------------------------------------

@exports.get("/cases/<int:grievance_id>/history.pdf")
def history_pdf(grievance_id: int):
    """?paper=letter (default) or a4; ?notes=0 leaves the notes out (a hearing bundle)."""
    with database().transaction() as session:
        grievance = _visible_case(session, grievance_id)
        number = grievance.number
        pdf = export_operations.history_pdf(session, grievance, today=today(), now=_now(),
                                            paper=query_args.values()["paper"],
                                            notes=query_args.values()["notes"] != "0")
    return _download(pdf, "application/pdf", f"grievance-{number}-history.pdf")


@exports.get("/cases/<int:grievance_id>/history.json")
def history_json(grievance_id: int):
    with database().transaction() as session:
        grievance = _visible_case(session, grievance_id)
        number = grievance.number
        data = export_operations.case_json(session, grievance, today=today())
    return _download(json.dumps(data, indent=2, ensure_ascii=False), "application/json",
                     f"grievance-{number}.json")


def _download(body, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in filename)
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


IMPORT_PAGE = """{% extends "base.html" %}
{% block title %}Import a case{% endblock %}
{% block main %}
<h1>Import a case</h1>
<p>A case exported from a case's <strong>JSON</strong> link, in this or another deployment: it is recreated in your
local with the same number, fields and events (corrections included), and its deadlines are counted again on this
deployment's board calendar. A number that already exists is refused. Documents come along only when this
deployment's document store already holds their files; the others are named after the import.</p>
{% if error %}<p class="error" role="alert">{{ error.message }} {{ error.fix or '' }}</p>{% endif %}
<form method="post" enctype="multipart/form-data">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  <label>Case file (.json) <input type="file" name="case" accept="application/json,.json" required></label>
  <button type="submit">Import</button>
</form>
{% endblock %}"""


@exports.route("/cases/import", methods=["GET", "POST"])
@require(accounts.may_open_cases)
def import_case():
    error = None
    if request.method == "POST":
        upload = request.files.get("case")
        try:
            if not upload or not upload.filename:
                raise UserError("No file was sent.", field="case", fix="Choose the case's .json file.")
            data = read_json(upload.read(), source="case")
            store = documents_store()
            with database().transaction() as session:
                # The board must be one this local's cases count on: else the import would make another
                # local's board (and its calendar) this local's to change.
                validated = read(CaseImport, data, context=board_context(session, g.user,
                                                                         current_app.config["DEFAULT_BOARD"]))
                # Only files of cases this user may see come along (not another local's, by checksum).
                missing = export_operations.documents_missing(data, store, session, reader=g.user)
                grievance = export_operations.import_case(session, validated, local=g.user.local.slug,
                                                          by=g.user.email, today=today(), store=store, reader=g.user)
                new_id, number = grievance.id, grievance.number
            flash(f"Case {number} imported.")
            if missing:
                flash(f"Documents not in this deployment's store, not attached: {', '.join(missing)}.")
            return redirect(url_for("cases.show_case", grievance_id=new_id))
        except UserError as refused:
            error = refused
    return render_template_string(IMPORT_PAGE, error=error), 400 if error else 200


# -- the dashboard's list as CSV ---------------------------------------------------------------------

@exports.get("/dashboard.csv")
def dashboard_csv():
    """The open cases the dashboard shows with the same filters (every page of them), each next
    date to act by worded as the dashboard words it (operations/deadline_status.py)."""
    chosen = chosen_filters()
    now = today()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADERS)
    with database().transaction() as session:
        query = _filtered(accounts.visible(g.user, select(Grievance, User.name)
                                           .outerjoin(User, User.id == Grievance.officer_id)
                                           .where(Grievance.is_open.is_(True))), chosen)
        rows = session.execute(query.order_by(Grievance.next_act_by.is_(None), Grievance.next_act_by, Grievance.id))
        for chunk in rows.partitions(CSV_CHUNK):
            statuses = next_statuses(session, [grievance for grievance, _ in chunk], now)
            writer.writerows(_csv_row(grievance, officer, statuses[grievance.id]) for grievance, officer in chunk)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="cases-{now.isoformat()}.csv"'
    return response


def _csv_row(grievance: Grievance, officer: str | None, status) -> list:
    """One case. "School days left": negative once passed (minus the school days ago); blank when
    uncountable. "Agreement's date": only where the act-by (safe) date is earlier."""
    rules = ops.rules_named(grievance.ruleset)
    limit = rules.limits.get(grievance.next_deadline_key or "")
    left = status.school_days_left if status else None
    agreement = status.due.isoformat() if status and status.safe_note and status.due else ""
    text = [grievance.number, rules.kinds[grievance.kind].label, rules.stages[grievance.stage].label,
            "; ".join(grievance.members.splitlines()), grievance.school, officer or "",
            grievance.next_act_by.isoformat() if grievance.next_act_by else "",
            PARTY_WORDS.get(grievance.next_party, "") if grievance.next_party else "", limit.label if limit else ""]
    return ([safe_cell(v) for v in text] + ["" if left is None else left]
            + [safe_cell(status.words if status else "no time limit running"), agreement,
               safe_cell("; ".join(FLAG_WORDS.get(c, c) for c in flag_codes_in_order(grievance.flag_codes)))])


def safe_cell(text: str) -> str:
    """Text a spreadsheet would read as a formula gets a leading quote (CSV injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# -- calendar feeds -----------------------------------------------------------------------------

@exports.get(f"/feeds/<string(length={feed_operations.TOKEN_LENGTH}):token>.ics", endpoint="feed")
def feed(token: str):
    """PUBLIC: the token is the credential. 404 for an unknown or revoked link."""
    with database().transaction() as session:
        user = feed_operations.resolve_feed(session, token)
        if user is None:
            abort(404)
        body = feed_operations.feed_calendar(
            session, user, today=today(),
            case_url=lambda grievance_id: url_for("cases.show_case", grievance_id=grievance_id, _external=True))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="grievance-deadlines.ics"'
    response.headers["Cache-Control"] = "no-store"  # calendar apps fetch it again each time; no copy is kept
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


FEEDS_PAGE = """{% extends "base.html" %}
{% block title %}Calendar feeds{% endblock %}
{% block main %}
<h1>Your deadlines in your calendar</h1>
<p>A secret link your calendar app (Outlook, Google Calendar, Apple Calendar, Thunderbird) subscribes to: the running
deadlines of the cases you may see, each on its act-by date, updated when a date moves. The feed names case numbers,
never members. Anyone who has the link sees what it shows, without logging in: keep it to yourself, and revoke it if it
may have leaked.</p>
{% if new %}
<section class="notice" role="status" aria-labelledby="new-h">
  <h2 id="new-h">Your new link</h2>
  <p><strong>Copy it now: it is shown only once</strong> (only a fingerprint of it is kept).</p>
  <p><input readonly size="90" value="{{ new }}" aria-label="The new feed link" onclick="this.select()"></p>
  <p>Or subscribe directly: <a href="{{ new.replace('https://', 'webcal://').replace('http://', 'webcal://') }}">{{ new.replace('https://', 'webcal://').replace('http://', 'webcal://') }}</a></p>
</section>
{% endif %}
<form method="post">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  <input type="hidden" name="action" value="create">
  <button type="submit">Create a new link</button>
</form>
<h2>Active links</h2>
{% if not feeds %}<p>You have no active link.</p>{% else %}
<table>
  <thead><tr><th scope="col">Link</th><th scope="col">Created</th><th scope="col"></th></tr></thead>
  <tbody>
  {% for f in feeds %}
  <tr><td>Link {{ f.id }}</td><td>{{ f.created_at.strftime('%a %d %b %Y %H:%M') }} UTC</td>
    <td><form method="post">
      <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
      <input type="hidden" name="action" value="revoke"><input type="hidden" name="feed_id" value="{{ f.id }}">
      <button type="submit">Revoke</button></form></td></tr>
  {% endfor %}
  </tbody>
</table>
{% endif %}
{% endblock %}"""


@exports.route("/feeds", methods=["GET", "POST"], endpoint="feeds")
def manage_feeds():
    new = None
    if request.method == "POST":
        action = request.form.get("action")
        try:
            with database().transaction() as session:
                user = session.get(User, g.user.id)
                if action == "create":
                    new = url_for("exports.feed", token=feed_operations.create_feed(session, user).secret,
                                  _external=True)
                elif action == "revoke":
                    feed_id = request.form.get("feed_id", "")
                    feed_operations.revoke_feed(session, user, int(feed_id) if feed_id.isdigit() else -1)
                else:
                    abort(400)
        except UserError as refused:
            flash(f"Not revoked: {refused}")
            return redirect(url_for("exports.feeds"))
        if action == "revoke":
            flash("The link is revoked: calendars subscribed to it get nothing more.")
            return redirect(url_for("exports.feeds"))
    with database().transaction() as session:
        feeds = feed_operations.active_feeds(session, session.get(User, g.user.id))
        for f in feeds:
            session.expunge(f)
    response = Response(render_template_string(FEEDS_PAGE, feeds=feeds, new=new))
    response.headers["Cache-Control"] = "no-store"  # the page with a new link is not kept by the browser
    return response
