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

from . import query_args

pages = Blueprint("pages", __name__, template_folder="templates")
CALCULATOR_FIELDS = ("board", "start", "n", "unit")


def init_app(app: Flask) -> None:
    app.register_blueprint(pages)


@pages.get("/calculator")
def calculator():
    """?board=…&start=YYYY-MM-DD&n=…&unit=…, read by web/query_args.py."""
    args = query_args.values()
    board = args["board"] or current_app.config["DEFAULT_BOARD"]
    form = {"board": board, "start": args["start"].isoformat() if args["start"] else "", "n": str(args["n"]),
            "unit": args["unit"]}
    return _page(form, board, args["start"], args["n"], args["unit"], error=None)


@pages.errorhandler(query_args.BadQueryArgument)
def unusable_argument(error: query_args.BadQueryArgument):
    """The form as typed, the message beside the field at fault, and no count. The arguments are
    read in order (board first), so the board is a usable name unless it is the one at fault."""
    form = {name: request.args.get(name, "").strip()[:100] for name in CALCULATOR_FIELDS}
    board = form["board"] if form["board"] and error.field != "board" else current_app.config["DEFAULT_BOARD"]
    return _page(form, board, None, None, None, error=error)


def _page(form: dict, board: str, start: date | None, n: int | None, unit: str | None, *, error):
    result, years, boards = None, [], []
    try:
        with database().transaction() as session:
            boards = calendar_operations.board_slugs(session)
            calendar = calendar_operations.board_calendar(session, board) if boards else None
        years = list(calendar.years.values()) if calendar else []
        if start and error is None:
            result = explain(calendar, start, n, Unit.parse(unit))
    except UserError as problem:
        error = error or problem
    page = render_template("calculator.html", form=form, result=result, error=error, years=years,
                           units=[("school-days", Unit.SCHOOL_DAYS), ("days", Unit.DAYS), ("reg304", Unit.REG304)],
                           boards=boards)
    return page, 400 if error else 200
