"""Words and small calculations the pages share."""
from __future__ import annotations

from datetime import date

from flask import Flask

from school_calendar.errors import SchoolYearMissing

FLAG_WORDS = {
    "ours_overdue": "Our limit passed",
    "theirs_overdue": "Board missed its limit",
    "due_soon": "Due soon",
    "abandoned": "Abandoned",
    "appointment_lapsed": "Ask the Minister",
    "milestone_passed": "Date passed",
    "calendar_missing": "Calendar missing",
}
FLAG_ORDER = list(FLAG_WORDS)
PARTY_WORDS = {"union": "Union Local", "board": "Board", "both": "Both parties", None: "—"}


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(FLAG_WORDS=FLAG_WORDS, PARTY_WORDS=PARTY_WORDS)
    app.jinja_env.filters["day"] = long_date


def long_date(day: date | None) -> str:
    return day.strftime("%a %d %b %Y") if day else "—"


def school_days_left(calendar, today: date, due: date | None) -> int | None:
    """Counted school days from today to `due` (negative once it has passed)."""
    if due is None:
        return None
    try:
        return calendar.count(today, due)
    except SchoolYearMissing:  # the page shows no count rather than a guess
        return None


def days_left_words(left: int | None) -> str:
    if left is None:
        return "—"
    if left < 0:
        return f"{-left} school day{'s' if left != -1 else ''} ago"
    if left == 0:
        return "today"
    return f"{left} school day{'s' if left != 1 else ''}"
