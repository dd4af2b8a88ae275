"""Why a date is the date: every day from the start to the result, whether it
counted and why not, and the safe date where Regulation 304 reads otherwise."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .board_calendar import BoardCalendar
from .days import DayType, Unit


@dataclass(frozen=True)
class ExplainedDay:
    date: date
    counted: bool
    number: int | None  # 1..n for a counted day
    reason: str          # why it counted or did not ("PA day", "Winter break", "summer", "closure: strike")
    is_start: bool = False  # the day the limit runs from, which never counts

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "counted": self.counted, "number": self.number, "reason": self.reason,
                "start": self.is_start}


@dataclass(frozen=True)
class Explanation:
    board: str
    start: date
    n: int
    unit: Unit
    result: date
    days: list[ExplainedDay]
    crosses_summer: bool
    closures_crossed: list[str]
    unverified_years: list[str] = field(default_factory=list)   # not verified by the local
    unconfirmed_years: list[str] = field(default_factory=list)  # verified, with dates the board has not confirmed
    regulation_304_date: date | None = None  # set when the Regulation 304 reading ends earlier

    @property
    def safe_date(self) -> date:
        """The earliest date any reading gives: the one the union should meet."""
        return min(self.result, self.regulation_304_date or self.result)

    @property
    def skipped(self) -> list[ExplainedDay]:
        return [d for d in self.days if not d.counted and not d.is_start]

    def warnings(self) -> list[str]:
        notes = []
        if self.regulation_304_date:
            notes.append(
                f"Regulation 304 calls every day of the school year that is not a school holiday a school day, "
                f"PA days and closures included. Read that way, {self.n} {self.unit} after {self.start} ends on "
                f"{self.regulation_304_date}, before {self.result}. For a limit the union must meet, "
                f"the safe date is {self.safe_date}."
            )
        if self.crosses_summer:
            notes.append("The count crosses the summer into the next school year.")
        for closure in self.closures_crossed:
            notes.append(f"The count crosses a closure ({closure}); check whether the parties agreed to suspend time limits.")
        for label in self.unverified_years:
            notes.append(f"The {label} calendar is not verified by the local: check its dates against the board's published calendar.")
        for label in self.unconfirmed_years:
            notes.append(f"The {label} calendar has dates the board has not confirmed, filled on the side that makes "
                         "union deadlines earlier: see its check.")
        return notes

    def as_dict(self) -> dict:
        return {
            "board": self.board, "start": self.start.isoformat(), "n": self.n, "unit": str(self.unit),
            "result": self.result.isoformat(), "safe_date": self.safe_date.isoformat(),
            "regulation_304_date": self.regulation_304_date.isoformat() if self.regulation_304_date else None,
            "crosses_summer": self.crosses_summer, "closures_crossed": self.closures_crossed,
            "unverified_years": self.unverified_years, "unconfirmed_years": self.unconfirmed_years,
            "warnings": self.warnings(),
            "days": [d.as_dict() for d in self.days],
        }

    def text(self) -> str:
        """The arithmetic as an officer would check it by hand."""
        lines = [f"{self.n} {self.unit} after {self.start:%a %Y-%m-%d} (which never counts) is {self.result:%a %Y-%m-%d}."]
        for d in self.days:
            mark = f"{d.number:>3}" if d.counted else "  -"
            why = f"start, never counts ({d.reason})" if d.is_start else d.reason if not d.counted else f"counted: {d.reason}"
            lines.append(f"  {mark}  {d.date:%a %Y-%m-%d}  {why}")
        skipped = len(self.skipped)
        lines.append(f"Counted {self.n}, skipped {skipped}.")
        lines.extend(f"Note: {w}" for w in self.warnings())
        return "\n".join(lines)


def explain(calendar: BoardCalendar, start: date, n: int, unit: Unit = Unit.SCHOOL_DAYS) -> Explanation:
    result = calendar.add(start, n, unit)
    typed = calendar.days_between(start, result)
    days, number = [ExplainedDay(start, False, None, calendar.day(start).reason, is_start=True)], 0
    for day in typed:
        counted = calendar.is_counted(day.date, unit)
        number += counted
        days.append(ExplainedDay(day.date, counted, number if counted else None, day.reason))
    reg304 = calendar.add(start, n, Unit.REG304) if unit is not Unit.REG304 else None
    years = calendar.years_between(start, result)
    return Explanation(
        board=calendar.board, start=start, n=n, unit=unit, result=result, days=days,
        crosses_summer=any(d.type is DayType.OUTSIDE_YEAR for d in typed),
        closures_crossed=sorted({d.reason for d in typed if d.type is DayType.CLOSURE}),
        unverified_years=[y.label for y in years if not y.verified],
        unconfirmed_years=[y.label for y in years if y.verified and y.has_unconfirmed_dates],
        regulation_304_date=reg304 if reg304 and reg304 < result else None,
    )
