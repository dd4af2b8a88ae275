"""Reports for bargaining over the cases opened in a school year or a date range,
each table also as a CSV download with the same filters. The counting is in
operations/reports.py; the page and the CSV show the same rows."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Flask, Response, abort, g, render_template, request

from glue import database, today
from operations import reports as report_operations
from school_calendar.errors import UserError

from . import query_args

reports_pages = Blueprint("reports", __name__)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def init_app(app: Flask) -> None:
    app.register_blueprint(reports_pages)


@reports_pages.get("/reports")
def reports():
    form = _form()
    with database().transaction() as session:
        years = report_operations.school_years(session)
        period, errors = _period(query_args.values(), years)
        report = report_operations.report(session, g.user, period) if period else None
    form["year"] = form["year"] or (period.school_year if period and period.school_year else "")
    return _page(form, years, errors, report)


@reports_pages.errorhandler(query_args.BadQueryArgument)
def unusable_argument(error: query_args.BadQueryArgument):
    """A year or date no report can use (web/query_args.py): beside its field on the page, in words in the CSV."""
    if request.endpoint == "reports.csv":
        return _refused_csv({error.field: error})
    raw = {name: request.args.get(name, "").strip()[:40] for name in ("year", "from", "to")}
    with database().transaction() as session:
        years = report_operations.school_years(session)
    return _page(raw, years, {error.field: error}, None)


def _page(form: dict, years: list[str], errors: dict, report):
    return render_template("reports.html", form=form, years=years, errors=errors, report=report,
                           filters=_filters(form), cell=report_operations.cell), 400 if errors else 200


def _refused_csv(errors: dict) -> Response:
    return Response("".join(f"{e.message} {e.fix or ''}\n" for e in errors.values()), status=400,
                    mimetype="text/plain")


@reports_pages.get("/reports/<table>.csv", endpoint="csv")
def download_csv(table: str):
    if table not in report_operations.TABLE_NAMES:
        abort(404)
    with database().transaction() as session:
        period, errors = _period(query_args.values(), report_operations.school_years(session))
        if errors:
            return _refused_csv(errors)
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
    """The period as the form shows it again, from the arguments web/query_args.py read."""
    args = query_args.values()
    return {"year": args["year"] or "", "from": args["from"].isoformat() if args["from"] else "",
            "to": args["to"].isoformat() if args["to"] else ""}


def _filters(form: dict) -> dict:
    """The query string the CSV links repeat."""
    if form["from"] or form["to"]:
        return {"from": form["from"], "to": form["to"]}
    return {"year": form["year"]} if form["year"] else {}


def _period(args: dict, years: list[str]):
    """(period, {}) or (None, {field: UserError}), from the year and dates web/query_args.py read
    (each already a school year or a date in range). A date range, when given, wins over the school year."""
    errors: dict[str, UserError] = {}
    if args["from"] or args["to"]:
        for name in ("from", "to"):
            if not args[name]:
                errors[name] = UserError(f"Give the '{name}' date of the period.", field=name,
                                         fix="Pick a date (YYYY-MM-DD), or clear both dates to use a school year.")
        if errors:
            return None, errors
        start, end = args["from"], args["to"]
        try:
            return report_operations.custom_period(start, end), {}
        except UserError as problem:
            return None, {problem.field or "to": problem}
    label = args["year"] or report_operations.school_year_of(today())
    try:
        period = report_operations.school_year_period(label)
    except UserError as problem:
        return None, {"year": problem}
    if args["year"] and years and label not in years:
        return None, {"year": UserError(f"No {label} school-year calendar is loaded.", field="year",
                                        fix=f"Choose one of: {', '.join(years)}, or give a date range.")}
    return period, {}

