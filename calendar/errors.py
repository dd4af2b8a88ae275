"""Errors meant for a person: each names what is wrong, where, and the fix.

Every layer above the calendar raises (subclasses of) `UserError`; the web and
command-line layers turn them into a form message, a JSON error or a line on
stderr. Nothing else should reach a user as a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass


class UserError(Exception):
    """A problem the user can fix. `field` names the input at fault."""

    def __init__(self, message: str, *, field: str | None = None, fix: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} {self.fix}" if self.fix else self.message

    def as_dict(self) -> dict:
        return {"error": self.message, "field": self.field, "fix": self.fix}


@dataclass(frozen=True)
class Problem:
    """One fault in a calendar file: where it is and how to mend it."""

    source: str
    line: int | None
    field: str
    message: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.source}, line {self.line}" if self.line else self.source
        return f"{where} ({self.field}): {self.message} Fix: {self.fix}"


class CalendarFileError(UserError):
    """A board calendar (file, .ics or closure) that cannot be loaded as it is.

    Carries every problem found, so one run shows them all; nothing of the
    calendar is loaded while any remain.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        first = self.problems[0]
        summary = "\n".join(str(p) for p in self.problems)
        super().__init__(summary, field=first.field, fix=first.fix)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict:
        return {
            "error": "The board calendar has problems; nothing was loaded.",
            "field": self.field,
            "problems": [
                {"source": p.source, "line": p.line, "field": p.field, "message": p.message, "fix": p.fix}
                for p in self.problems
            ],
        }


class SchoolYearMissing(UserError):
    """A count reached a day that no loaded school-year calendar covers.

    The tool never guesses such a day: it names the school year to load.
    """

    def __init__(self, board: str, school_year: str, day, purpose: str):
        self.board = board
        self.school_year = school_year
        self.day = day
        super().__init__(
            f"{purpose} needs the {school_year} school-year calendar of board '{board}' "
            f"(from {day.isoformat()} on), and it is not loaded.",
            field="school_year",
            fix=f"Load the board's {school_year} calendar (a .schoolyear file or the board's .ics) and count again.",
        )
