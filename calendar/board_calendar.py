"""School-day arithmetic on one board's loaded school years.

Each unit gets a timeline built once: the counted days in order, and for every
covered date the number of counted days on or before it. `add` and `count` are
then two list look-ups, which is what lets thousands of deadlines be
recomputed at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Sequence

import numpy as np

from .days import Day, Unit, counted_types
from .errors import SchoolYearMissing, UserError
from .school_year import SchoolYear, label_for, validate

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # datetime64[D] counts from here
_SCHOOL_DAYS = Unit.SCHOOL_DAYS


@dataclass(frozen=True, slots=True)
class _Timeline:
    """One unit's counted days over the board's coverage (gaps included)."""

    base: int                 # ordinal of the first covered date
    counted: list[date]       # counted days, oldest first
    before: list[int]         # before[o] = counted days on or before base+o
    limit: list[int]          # limit[o] = index past the last counted day reachable from base+o
    counted_np: np.ndarray    # the same as datetime64[D], for batches
    before_np: np.ndarray
    limit_np: np.ndarray


class BoardCalendar:
    """A board's school years, typed day by day, with the arithmetic on them."""

    def __init__(self, board: str, years: Iterable[SchoolYear]):
        self.board = board
        self.years: dict[str, SchoolYear] = {}
        for year in sorted(years, key=lambda y: y.start_year):
            if year.board != board:
                raise UserError(f"The {year.label} calendar is for board '{year.board}', not '{board}'.",
                                field="board", fix="Load each board's school years into its own calendar.")
            if year.label in self.years:
                raise UserError(f"The {year.label} school year of board '{board}' is given twice.",
                                field="school_year", fix="Keep one file (or .ics import) per school year.")
            validate(year)
            self.years[year.label] = year
        if not self.years:
            raise UserError(f"Board '{board}' has no school-year calendar loaded.", field="board",
                            fix="Load at least one .schoolyear file or .ics import for the board.")
        self._build_days()
        self._timelines = {unit: self._build_timeline(unit) for unit in Unit}
        # Enum members hash in Python code; the default unit skips the dict look-up.
        self._school_days = self._timelines[Unit.SCHOOL_DAYS]

    # -- construction ------------------------------------------------------

    def _build_days(self) -> None:
        first, last = next(iter(self.years.values())), list(self.years.values())[-1]
        self.covers_from, self.covers_until = first.covers_from, last.covers_until
        self._base = self.covers_from.toordinal()
        self._days: list[Day | None] = []  # None: no loaded year covers the date
        for start_year in range(first.start_year, last.start_year + 1):
            year = self.years.get(f"{start_year}-{(start_year + 1) % 100:02d}")
            if year:
                self._days.extend(year.typed_days())
            else:
                span = (date(start_year + 1, 7, 1) - date(start_year, 7, 1)).days
                self._days.extend([None] * span)

    def _build_timeline(self, unit: Unit) -> _Timeline:
        counting = {label: counted_types(unit, y.closures_count) for label, y in self.years.items()}
        counted, before, limit = [], [], [0] * len(self._days)
        for day in self._days:
            if day is not None and day.type in counting[day.school_year]:
                counted.append(day.date)
            before.append(len(counted))
        # limit: a count from a date may not run past the next uncovered gap.
        bound = len(counted)
        for o in range(len(self._days) - 1, -1, -1):
            day = self._days[o]
            if day is None:
                bound = before[o]
                limit[o] = -1
            else:
                limit[o] = bound
        as_np = np.array([d.toordinal() - _EPOCH_ORDINAL for d in counted], dtype="int64").astype("datetime64[D]")
        return _Timeline(self._base, counted, before, limit, as_np,
                         np.array(before, dtype=np.int64), np.array(limit, dtype=np.int64))

    # -- single look-ups ---------------------------------------------------

    def day(self, day: date) -> Day:
        """The typed day; SchoolYearMissing when no loaded year covers it."""
        o = day.toordinal() - self._base
        typed = self._days[o] if 0 <= o < len(self._days) else None
        if typed is None:
            raise SchoolYearMissing(self.board, label_for(day), day, f"Typing {day.isoformat()}")
        return typed

    def is_counted(self, day: date, unit: Unit = Unit.SCHOOL_DAYS) -> bool:
        typed = self.day(day)
        return typed.type in counted_types(unit, self.years[typed.school_year].closures_count)

    def add(self, start: date, n: int, unit: Unit = Unit.SCHOOL_DAYS) -> date:
        """The nth counted day after `start`; `start` itself never counts."""
        t = self._school_days if unit is _SCHOOL_DAYS else self._timelines[unit]
        o = start.toordinal() - t.base
        # o >= 0: a negative index would wrap around silently. An IndexError means
        # a start after the last covered date; the slow path names the missing year.
        try:
            if o >= 0 and n > 0 and (i := t.before[o] + n - 1) < t.limit[o]:
                return t.counted[i]
        except IndexError:
            return self._add_slow_path(start, n, unit)
        return self._add_slow_path(start, n, unit)

    def _add_slow_path(self, start: date, n: int, unit: Unit) -> date:
        if n == 0:
            return start
        if n < 0:
            raise UserError(f"Cannot count {n} {unit} after {start}.", field="n",
                            fix="Give a number of days of 0 or more.")
        self.day(start)  # raises for an uncovered start
        raise self._missing_after(start, unit, f"Counting {n} {unit} after {start.isoformat()}")

    def count(self, start: date, end: date, unit: Unit = Unit.SCHOOL_DAYS) -> int:
        """Counted days d with start < d <= end (negative when end < start)."""
        if end < start:
            return -self.count(end, start, unit)
        t = self._timelines[unit]
        self.day(start), self.day(end)
        s, e = start.toordinal() - t.base, end.toordinal() - t.base
        if t.limit[s] != t.limit[e]:
            raise self._missing_after(start, unit, f"Counting {unit} from {start} to {end}")
        return t.before[e] - t.before[s]

    def next_counted(self, day: date, unit: Unit = Unit.SCHOOL_DAYS) -> date:
        """`day` if it counts, else the first counted day after it."""
        return day if self.is_counted(day, unit) else self.add(day, 1, unit)

    def _missing_after(self, start: date, unit: Unit, purpose: str) -> SchoolYearMissing:
        """The first uncovered date after `start`, named as the year to load."""
        o = start.toordinal() - self._base
        while o < len(self._days) and self._days[o] is not None:
            o += 1
        missing = date.fromordinal(self._base + o)
        return SchoolYearMissing(self.board, label_for(missing), missing, purpose)

    # -- batches -----------------------------------------------------------

    def add_many(self, starts, n, unit: Unit = Unit.SCHOOL_DAYS, *, missing: str = "raise") -> np.ndarray:
        """`add` over many starts (dates or datetime64[D]); n a number or an array.

        missing="raise" raises for the first start that cannot be counted;
        missing="nat" gives NaT for it instead, so one bad case does not stop
        a recompute of thousands.
        """
        t = self._timelines[unit]
        o = _as_ordinal_offsets(starts, t.base)
        n = np.asarray(n, dtype=np.int64)
        inside = (o >= 0) & (o < len(t.before)) & (n >= 1)
        oc = np.where(inside, o, 0)
        i = t.before_np[oc] + n - 1
        ok = inside & (i < t.limit_np[oc])
        result = t.counted_np[np.where(ok, i, 0)] if len(t.counted_np) else np.full(o.shape, "NaT", "datetime64[D]")
        if not ok.all():
            result = np.where(ok, result, np.datetime64("NaT"))
            zero = (n == 0) & (o >= 0) & (o < len(t.before))
            result = np.where(zero, (o + t.base - _EPOCH_ORDINAL).astype("datetime64[D]"), result)
            if missing == "raise" and not (ok | zero).all():
                bad = int(np.flatnonzero(~(ok | zero))[0])
                start = date.fromordinal(int(o[bad]) + t.base)
                self.add(start, int(np.broadcast_to(n, o.shape)[bad]), unit)  # raises the precise error
        return result

    def count_many(self, starts, ends, unit: Unit = Unit.SCHOOL_DAYS) -> np.ndarray:
        """`count` over many (start, end) pairs."""
        t = self._timelines[unit]
        s, e = _as_ordinal_offsets(starts, t.base), _as_ordinal_offsets(ends, t.base)
        span = len(t.before)
        bad = (s < 0) | (s >= span) | (e < 0) | (e >= span)
        if not bad.any():
            bad = t.limit_np[s] != t.limit_np[e]
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            self.count(date.fromordinal(int(s[k]) + t.base), date.fromordinal(int(e[k]) + t.base), unit)
        return t.before_np[e] - t.before_np[s]

    # -- what a count crossed ----------------------------------------------

    def days_between(self, start: date, end: date) -> list[Day]:
        """The typed days after `start` up to and including `end`."""
        self.day(start), self.day(end)
        o = start.toordinal() - self._base
        return [self._require(d) for d in self._days[o + 1: end.toordinal() - self._base + 1]]

    def _require(self, day: Day | None) -> Day:
        if day is None:
            raise UserError("A count crossed a school year that is not loaded.", field="school_year")
        return day

    def years_between(self, start: date, end: date) -> list[SchoolYear]:
        labels = sorted({label_for(start), label_for(end)} | {d.school_year for d in self.days_between(start, end)})
        return [self.years[label] for label in labels if label in self.years]


def _as_ordinal_offsets(days, base: int) -> np.ndarray:
    if isinstance(days, np.ndarray) and np.issubdtype(days.dtype, np.datetime64):
        return days.astype("datetime64[D]").astype(np.int64) + (_EPOCH_ORDINAL - base)
    return np.fromiter((d.toordinal() - base for d in days), dtype=np.int64)


def to_dates(values: Sequence) -> list[date | None]:
    """datetime64[D] values back to dates (NaT becomes None)."""
    return [None if np.isnat(v) else date.fromordinal(int(v.astype(np.int64)) + _EPOCH_ORDINAL) for v in values]
