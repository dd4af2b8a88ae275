"""Query-string arguments: one declaration per route of what it takes, checked
before its view runs, so that a value no page can use is a 400 naming the
argument in a person's words (JSON under /api/, the error page elsewhere) and
never a 500 from deep inside. What reached the views before: 20 digits for a
page or an officer (an integer the database cannot hold), '²' (str.isdigit()
says yes, int() says no), a NUL byte (PostgreSQL refuses it in any text), a
school year 9999-00 (whose end, in the year 10000, no date can hold).

    ARGUMENTS[endpoint]   {name: Argument}: every argument the route reads
    values()              the request's arguments, parsed, defaults filled in

A route that takes no argument is declared with {}: tests/test_query_args.py
walks the URL map and fails for a route missing here, then sends every declared
argument the values above. Arguments a route does not declare are ignored. The
path's own values get the one check that applies to all of them: a control
character (a NUL) names nothing, so 404.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Sequence

from flask import Flask, abort, g, jsonify, render_template, request

from gate.fields import EARLIEST, LATEST
from school_calendar.errors import UserError

from .errors import LARGEST_ID
from .presenters import FLAG_ORDER


class BadQueryArgument(UserError):
    """A query-string argument the route cannot use; `field` is the argument's name."""


class _Unusable(ValueError):
    def __init__(self, problem: str, fix: str):
        super().__init__(problem)
        self.problem, self.fix = problem, fix


@dataclass(frozen=True)
class Argument:
    label: str                       # the words a person knows the argument by
    parse: Callable[[str], Any]      # the value (stripped, never empty) -> what the view gets; _Unusable if not
    default: Any = None              # absent or empty


# -- the kinds of argument ------------------------------------------------------------------------

def _shown(text: str) -> str:
    """The value as a message may quote it: short, and no control characters."""
    text = "".join(ch if ch.isprintable() else "?" for ch in text[:40])
    return f"'{text}…'" if len(text) == 40 else f"'{text}'"


def whole_number(label: str, lowest: int, highest: int, default: int | None = None) -> Argument:
    def parse(text: str) -> int:
        # ASCII digits only: '²' and '٣' pass str.isdigit() but not int(); 10 digits hold any bound here.
        fix = f"Give a whole number from {lowest} to {highest}."
        if not re.fullmatch(r"[0-9]+", text):
            raise _Unusable(f"{_shown(text)} is not a whole number.", fix)
        if len(text) > len(str(highest)) or not lowest <= int(text) <= highest:  # int() of 5,000 digits fails
            raise _Unusable(f"{_shown(text)} is not between {lowest} and {highest}.", fix)
        return int(text)
    return Argument(label, parse, default)


def record_id(label: str) -> Argument:
    """An id from one of the page's own lists: 1 to the largest an id column holds."""
    return whole_number(label, 1, LARGEST_ID)


def text(label: str, longest: int) -> Argument:
    def parse(value: str) -> str:
        if any(unicodedata.category(ch) == "Cc" for ch in value):  # a NUL: PostgreSQL refuses the whole query
            raise _Unusable("holds a control character.", "Type it again without tabs, line breaks or NUL.")
        if len(value) > longest:
            raise _Unusable(f"is longer than {longest} characters ({len(value)}).",
                            f"Shorten it to {longest} characters or fewer.")
        return value
    return Argument(label, parse, "")


def one_of(label: str, choices: Sequence[str], default: str | None = None) -> Argument:
    def parse(value: str) -> str:
        if value not in choices:
            raise _Unusable(f"{_shown(value)} is not one of the choices.", f"Use one of: {', '.join(choices)}.")
        return value
    return Argument(label, parse, default)


def iso_date(label: str) -> Argument:
    """A date between EARLIEST and LATEST (gate/fields.py: the range of every date the tracker takes)."""
    def parse(value: str) -> date:
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
                raise ValueError(value)
            day = date.fromisoformat(value)
        except ValueError:
            raise _Unusable(f"{_shown(value)} is not a date.", "Pick a date (YYYY-MM-DD).") from None
        if not EARLIEST <= day <= LATEST:
            raise _Unusable(f"{_shown(value)} is outside {EARLIEST} to {LATEST}.", "Check the year.")
        return day
    return Argument(label, parse)


def school_year(label: str) -> Argument:
    """A school year written 2025-26, starting from EARLIEST's year to the one before LATEST's."""
    first, last = EARLIEST.year, LATEST.year - 1

    def parse(value: str) -> str:
        match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", value)
        if not match or (int(match[1]) + 1) % 100 != int(match[2]):
            raise _Unusable(f"{_shown(value)} is not a school year.", "Choose a school year such as 2025-26.")
        if not first <= int(match[1]) <= last:
            raise _Unusable(f"{_shown(value)} is outside the school years {first}-{(first + 1) % 100:02d} to "
                            f"{last}-{(last + 1) % 100:02d}.", "Check the year.")
        return value
    return Argument(label, parse)


# -- what each route takes ------------------------------------------------------------------------

DASHBOARD_FILTERS = {
    "stage": text("Step", 40), "kind": text("Kind of grievance", 40), "school": text("School", 200),
    "officer": record_id("Officer"), "flag": one_of("Flag", FLAG_ORDER), "q": text("Search", 200),
}
REPORT_PERIOD = {"year": school_year("School year"), "from": iso_date("From"), "to": iso_date("To")}
UNITS = ("school-days", "days", "reg304")
DAY_COUNT = whole_number("Number of days", 0, 1000, 10)  # a limit is tens of school days; 1000 is five years

ARGUMENTS: dict[str, dict[str, Argument]] = {
    "dashboard.home": {**DASHBOARD_FILTERS, "page": whole_number("Page", 1, 100_000, 1)},
    "dashboard.dashboard": {**DASHBOARD_FILTERS, "page": whole_number("Page", 1, 100_000, 1)},
    "dashboard.upcoming": {"weeks": whole_number("Weeks", 1, 12, 4)},
    "exports.dashboard_csv": DASHBOARD_FILTERS,
    "exports.history_pdf": {"paper": one_of("Paper size", ("letter", "a4"), "letter"),
                            "notes": one_of("Notes in the PDF", ("1", "0"), "1")},
    "reports.reports": REPORT_PERIOD,
    "reports.csv": REPORT_PERIOD,
    "pages.calculator": {"board": text("Board", 64), "start": iso_date("From"), "n": DAY_COUNT,
                         "unit": one_of("Unit", UNITS, "school-days")},
    # The JSON API's views (web/api.py) parse these again; declared here, as /api/openapi.json
    # documents them, so that what they parse is already known to fit.
    "calendars.school_year": {"change": record_id("Calendar change")},  # a change's result: what it moved
    "api.list_grievances": {"open": one_of("Open or closed", ("1", "0", "all"), "1"),
                            "flag": one_of("Flag", FLAG_ORDER), "limit": whole_number("Limit", 0, 500, 50)},
    "api.board_days": {"from": iso_date("From"), "to": iso_date("To")},
    "api.schooldays": {"start": iso_date("Start"), "n": whole_number("Number of days", 0, LARGEST_ID),
                       "unit": one_of("Unit", UNITS, "school-days")},
    # Routes that read no query argument, and two that read their own: auth.login's `next` (a local
    # path, web/auth.py's _safe_next) and auth.reset_password's `token` (operations/password_resets.py).
    **{endpoint: {} for endpoint in (
        "static", "auth.login", "auth.logout", "auth.api_session", "auth.forgot_password", "auth.reset_password",
        "admin.reset_password", "settings.change_password", "calendars.calendar_index",
        "calendars.change_school_year", "calendars.reopen", "cases.show_case", "cases.record", "cases.void",
        "cases.attach", "cases.download", "cases.new_case", "exports.history_json", "exports.import_case",
        "exports.feeds", "exports.feed", "admin.users", "admin.set_active", "admin.assign", "settings.settings",
        "api.openapi", "api.boards", "api.add_closure", "api.add_day", "api.reopen", "api.open_grievance", "api.show_grievance",
        "api.record_event", "api.void_event", "api.correct_event", "api.replay",
        "case_file.edit_facts", "case_file.add_note", "case_file.assign", "api.edit_facts", "api.add_note",
        "api.assign")},
}


def init_app(app: Flask) -> None:
    """Register after the login check (web/auth.py): a stranger is sent to log in, not told about arguments."""
    app.url_value_preprocessor(_no_control_characters_in_path)
    app.before_request(_read_arguments)
    app.register_error_handler(BadQueryArgument, refused)


def _no_control_characters_in_path(endpoint: str | None, view_args: dict | None) -> None:
    """The same for the path's own values (/calendar/<board>/…): a NUL names nothing, so 404, before a
    look-up that PostgreSQL would refuse with an error (a 500)."""
    values = (v for v in (view_args or {}).values() if isinstance(v, str))
    if any(unicodedata.category(ch) == "Cc" for value in values for ch in value):
        abort(404)


def values() -> dict[str, Any]:
    """The current request's declared arguments, parsed (read before the view by _read_arguments)."""
    return g.query_args


def _read_arguments() -> None:
    declared = ARGUMENTS.get(request.endpoint or "", {})
    parsed = {}
    for name, argument in declared.items():
        raw = request.args.get(name, "").strip()
        if not raw:
            parsed[name] = argument.default
            continue
        try:
            parsed[name] = argument.parse(raw)
        except _Unusable as unusable:
            raise BadQueryArgument(f"{argument.label}: {unusable.problem}", field=name, fix=unusable.fix) from None
    g.query_args = parsed


def refused(error: BadQueryArgument):
    """Routes with a form of their own show the message beside the field instead (web/pages.py, web/reports.py)."""
    if request.path.startswith("/api/"):
        return jsonify(error.as_dict()), 400
    return render_template("error.html", title="Check the link", message=str(error)), 400


__all__ = ["ARGUMENTS", "Argument", "BadQueryArgument", "init_app", "values"]
