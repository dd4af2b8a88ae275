"""The vocabulary of a board calendar: what kind of day a date is, and which
days each unit of Article 33 counts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class DayType(StrEnum):
    INSTRUCTIONAL = "instructional day"
    # Regulation 304 lets a board split a day between instruction and
    # professional activity; it is a school day in every reading.
    SPLIT_DAY = "split day"
    PA_DAY = "PA day"
    STATUTORY_HOLIDAY = "statutory holiday"
    SCHOOL_HOLIDAY = "school holiday"
    BREAK = "break"
    CLOSURE = "closure"
    WEEKEND = "weekend"
    OUTSIDE_YEAR = "outside the school year"


# Types a calendar file (or the app) may declare; the rest are derived. An
# instructional day is declared only to say why a day counts (a day the board's
# calendar leaves unexplained, filled as a school day and marked unconfirmed).
DECLARABLE_TYPES = (DayType.INSTRUCTIONAL, DayType.PA_DAY, DayType.SPLIT_DAY, DayType.SCHOOL_HOLIDAY, DayType.BREAK,
                    DayType.CLOSURE)


class ClosureKind(StrEnum):
    STRIKE = "strike"
    LOCKOUT = "lock-out"
    WEATHER = "weather"
    OTHER = "other"


class Unit(StrEnum):
    """How a time limit counts.

    SCHOOL_DAYS  Article 33's "school days": instructional days (the default).
    DAYS         33.01 c "days": scheduled work days, i.e. instructional and PA
                 days (10.03 b counts both as working days).
    REG304       Ontario Regulation 304's "school day": every day of the school
                 year that is not a school holiday, PA days and closures
                 included. Never the agreement's unit; used to find the safe
                 (earliest) date where the readings differ.
    """

    SCHOOL_DAYS = "school days"
    DAYS = "days"
    REG304 = "Regulation 304 school days"

    @classmethod
    def parse(cls, text: str) -> "Unit":
        key = text.strip().lower().replace("_", "-").replace(" ", "-")
        aliases = {
            "school-days": cls.SCHOOL_DAYS, "school-day": cls.SCHOOL_DAYS,
            "days": cls.DAYS, "day": cls.DAYS, "work-days": cls.DAYS, "scheduled-work-days": cls.DAYS,
            "reg304": cls.REG304, "regulation-304": cls.REG304, "regulation-304-school-days": cls.REG304,
        }
        try:
            return aliases[key]
        except KeyError:
            from .errors import UserError

            raise UserError(
                f"'{text}' is not a unit of count.",
                field="unit",
                fix="Use 'school-days' (Article 33's default), 'days' (33.01 c scheduled work days) or 'reg304'.",
            ) from None


def counted_types(unit: Unit, closures_count: bool) -> frozenset[DayType]:
    """The day types that count in `unit` for a year with this closure setting."""
    base = {DayType.INSTRUCTIONAL, DayType.SPLIT_DAY}
    if unit in (Unit.DAYS, Unit.REG304):
        base.add(DayType.PA_DAY)
    if unit is Unit.REG304 or closures_count:
        base.add(DayType.CLOSURE)
    return frozenset(base)


@dataclass(frozen=True, slots=True)
class Day:
    """One date typed by the board calendar, with the words that explain it."""

    date: date
    type: DayType
    name: str = ""
    closure_kind: ClosureKind | None = None
    school_year: str = ""

    @property
    def reason(self) -> str:
        """Why the day is what it is, in the words an officer would use."""
        if self.type is DayType.INSTRUCTIONAL:
            return f"instructional day ({self.name})" if self.name else "instructional day"
        if self.type is DayType.WEEKEND:
            return "weekend"
        if self.type is DayType.OUTSIDE_YEAR:
            return self.name or "summer"
        if self.type is DayType.CLOSURE:
            kind = self.closure_kind.value if self.closure_kind else "other"
            return f"closure: {kind}" + (f" ({self.name})" if self.name else "")
        if self.type is DayType.STATUTORY_HOLIDAY:
            return f"statutory holiday: {self.name}"
        return self.name or self.type.value
