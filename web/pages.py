"""Server-rendered pages. For now: the school-day calculator, which shows the
arithmetic of any count on a loaded board calendar."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Flask, current_app, render_template, request

from glue import database
from operations import calendars as calendar_operations
from school_calendar.days import Unit
from school_calendar.errors import UserError
from school_calendar.explanation import explain

pages = Blueprint("pages", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    app.register_blueprint(pages)


@pages.get("/calculator")
def calculator():
    form = {"board": request.args.get("board") or current_app.config["DEFAULT_BOARD"],
            "start": request.args.get("start", ""), "n": request.args.get("n", "10"),
            "unit": request.args.get("unit", "school-days")}
    result, error, years, boards = None, None, [], []
    try:
        with database().transaction() as session:
            boards = calendar_operations.board_slugs(session)
            calendar = calendar_operations.board_calendar(session, form["board"]) if boards else None
        years = list(calendar.years.values()) if calendar else []
        if form["start"]:
            result = explain(calendar, _date(form["start"]), _count(form["n"]), Unit.parse(form["unit"]))
    except UserError as problem:
        error = problem
    page = render_template("calculator.html", form=form, result=result, error=error, years=years,
                           units=[("school-days", Unit.SCHOOL_DAYS), ("days", Unit.DAYS), ("reg304", Unit.REG304)],
                           boards=boards)
    return page, 400 if error else 200


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"'{text}' is not a date.", field="start", fix="Pick a date (YYYY-MM-DD).") from None


def _count(text: str) -> int:
    if not text.strip().isdigit():
        raise UserError(f"'{text}' is not a number of days.", field="n", fix="Give a whole number, 0 or more.")
    return int(text)
