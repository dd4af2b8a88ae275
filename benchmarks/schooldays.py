"""School-day `add`, per call and in batch, against workalendar and numpy.

All three count the same days on the shipped Avon Maitland DSB 2025-26 calendar:
workalendar's Ontario calendar is given every other day that does not count as
`extra_holidays`; numpy gets a busdaycalendar with all of them as holidays. The
run first checks that all three give the same dates, then times them.

    python -m benchmarks [--quick]
"""
from __future__ import annotations

import json
import platform
import random
import timeit
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from workalendar.america import Ontario

from school_calendar.board_calendar import BoardCalendar, to_dates
from school_calendar.calendar_file import read_board_directory
from school_calendar.days import Unit

N = 10  # "within ten (10) school days": the most common limit in Article 33
BATCH = 100_000
RESULTS = Path(__file__).parent / "results"


def setting():
    calendar = BoardCalendar("amdsb-elementary", read_board_directory()["amdsb-elementary"])
    year = calendar.years["2025-26"]
    span = [year.covers_from + timedelta(days=i) for i in range((year.covers_until - year.covers_from).days + 1)]
    # Starts in Sept 2025 to May 2026, so that ten school days never leave the year.
    starts = [d for d in span if date(2025, 9, 1) <= d <= date(2026, 5, 31)]
    not_counted = [d for d in span if d.weekday() < 5 and not calendar.is_counted(d)]
    return calendar, starts, not_counted


def check_agreement(calendar, starts, not_counted):
    ontario, busdays = Ontario(), np.busdaycalendar(holidays=not_counted)
    for start in starts:
        ours = calendar.add(start, N)
        theirs = ontario.add_working_days(start, N, extra_holidays=not_counted)
        numpy = np.busday_offset(start, N, roll="backward", busdaycal=busdays).astype(object)
        assert ours == theirs == numpy, (start, ours, theirs, numpy)


def best_per_call(statement, number, repeat=5) -> float:
    return min(timeit.repeat(statement, number=number, repeat=repeat)) / number


def per_call(calendar, starts, not_counted, quick):
    ontario, busdays = Ontario(), np.busdaycalendar(holidays=not_counted)
    sample = random.Random(304).choices(starts, k=200 if quick else 1000)
    add = calendar.add

    def ours():
        for s in sample:
            add(s, N)

    def workalendar():
        for s in sample[:100]:
            ontario.add_working_days(s, N, extra_holidays=not_counted)

    def numpy_scalar():
        for s in sample:
            np.busday_offset(s, N, roll="backward", busdaycal=busdays)

    return {
        "ours": best_per_call(ours, 20 if quick else 100) / len(sample),
        "workalendar": best_per_call(workalendar, 1, 3) / 100,
        "numpy": best_per_call(numpy_scalar, 3 if quick else 10) / len(sample),
    }


def batch(calendar, starts, not_counted, quick):
    busdays = np.busdaycalendar(holidays=not_counted)
    size = BATCH // 10 if quick else BATCH
    rng = np.random.default_rng(304)
    array = np.array(starts, dtype="datetime64[D]")[rng.integers(0, len(starts), size)]
    ours = calendar.add_many(array, N)
    numpy = np.busday_offset(array, N, roll="backward", busdaycal=busdays)
    assert (ours == numpy).all()
    as_dates = to_dates(array[:1000])
    return {
        "size": size,
        "ours": best_per_call(lambda: calendar.add_many(array, N, Unit.SCHOOL_DAYS), 5),
        "numpy": best_per_call(lambda: np.busday_offset(array, N, roll="backward", busdaycal=busdays), 5),
        "ours_from_dates_per_1000": best_per_call(lambda: calendar.add_many(as_dates, N), 20),
    }


def report(single, many) -> str:
    us = 1e6
    lines = [
        f"School-day add, {N} school days, AMDSB 2025-26 ({platform.python_implementation()} "
        f"{platform.python_version()}, numpy {np.__version__}, {platform.machine()})",
        "",
        "Per call                       time        ratio",
        f"  ours (BoardCalendar.add)     {single['ours'] * us:8.3f} us   1",
        f"  numpy.busday_offset          {single['numpy'] * us:8.3f} us   {single['numpy'] / single['ours']:,.1f}x slower than ours",
        f"  workalendar add_working_days {single['workalendar'] * us:8.1f} us   {single['workalendar'] / single['ours']:,.0f}x slower than ours",
        "",
        f"Batch of {many['size']:,} starts (datetime64[D] in and out)",
        f"  ours (add_many)              {many['ours'] * 1e3:8.3f} ms   {many['ours'] / many['numpy']:.2f}x numpy's time",
        f"  numpy.busday_offset          {many['numpy'] * 1e3:8.3f} ms   1",
        f"  ours from 1,000 date objects {many['ours_from_dates_per_1000'] * 1e3:8.3f} ms",
    ]
    return "\n".join(lines)


def main(argv) -> int:
    quick = "--quick" in argv
    calendar, starts, not_counted = setting()
    check_agreement(calendar, starts, not_counted)
    single, many = per_call(calendar, starts, not_counted, quick), batch(calendar, starts, not_counted, quick)
    print(report(single, many))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "schooldays.json").write_text(json.dumps({"per_call": single, "batch": many}, indent=2))
    return 0
