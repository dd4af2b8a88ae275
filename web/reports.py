"""Reports for bargaining over the cases opened in a school year or a date range,
each table also as a CSV download with the same filters. The counting is in
operations/reports.py; the page and the CSV show the same rows."""
from __future__ import annotations

import csv
import io
from datetime import date

from flask import Blueprint, Flask, Response, abort, g, render_template, request

from glue import database, today
from operations import reports as report_operations
from school_calendar.errors import UserError

reports_pages = Blueprint("reports", __name__)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def init_app(app: Flask) -> None:
    app.register_blueprint(reports_pages)


@reports_pages.get("/reports")
def reports():
    form = _form()
    with database().transaction() as session:
        years = report_operations.school_years(session)
        period, errors = _period(form, years)
        report = report_operations.report(session, g.user, period) if period else None
    form["year"] = form["year"] or (period.school_year if period and period.school_year else "")
    return render_template("reports.html", form=form, years=years, errors=errors, report=report,
                           filters=_filters(form), cell=report_operations.cell), 400 if errors else 200


@reports_pages.get("/reports/<table>.csv", endpoint="csv")
def download_csv(table: str):
    if table not in report_operations.TABLE_NAMES:
        abort(404)
    form = _form()
    with database().transaction() as session:
        period, errors = _period(form, report_operations.school_years(session))
        if errors:
            return Response("".join(f"{e.message} {e.fix or ''}\n" for e in errors.values()), status=400,
                            mimetype="text/plain")
        rows = report_operations.table(session, g.user, period, table)
    response = Response(to_csv(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{table}-{period.slug}.csv"'
    return response


def to_csv(table: report_operations.Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in table.headers])
    for row in table.rows:
        # Only text from the cases (school names, clauses) can hold a formula; numbers and dates cannot.
        writer.writerow([safe_cell(value) if isinstance(value, str) else report_operations.cell(value)
                         for value in row])
    return out.getvalue()


def safe_cell(text: str) -> str:
    """Text a spreadsheet would take for a formula gets a leading quote (CSV injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# -- the filters ------------------------------------------------------------------------------

def _form() -> dict:
    return {name: request.args.get(name, "").strip() for name in ("year", "from", "to")}


def _filters(form: dict) -> dict:
    """The query string the CSV links repeat."""
    if form["from"] or form["to"]:
        return {"from": form["from"], "to": form["to"]}
    return {"year": form["year"]} if form["year"] else {}


def _period(form: dict, years: list[str]):
    """(period, {}) or (None, {field: UserError}). A date range, when given, wins over the school year."""
    errors: dict[str, UserError] = {}
    if form["from"] or form["to"]:
        start, end = (_date(form[name], name, errors) for name in ("from", "to"))
        if errors:
            return None, errors
        try:
            return report_operations.custom_period(start, end), {}
        except UserError as problem:
            return None, {problem.field or "to": problem}
    label = form["year"] or report_operations.school_year_of(today())
    try:
        period = report_operations.school_year_period(label)
    except UserError as problem:
        return None, {"year": problem}
    if form["year"] and years and label not in years:
        return None, {"year": UserError(f"No {label} school-year calendar is loaded.", field="year",
                                        fix=f"Choose one of: {', '.join(years)}, or give a date range.")}
    return period, {}


def _date(text: str, field: str, errors: dict):
    if not text:
        errors[field] = UserError(f"Give the '{field}' date of the period.", field=field,
                                  fix="Pick a date (YYYY-MM-DD), or clear both dates to use a school year.")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = UserError(f"'{text}' is not a date.", field=field, fix="Pick a date (YYYY-MM-DD).")
        return None
