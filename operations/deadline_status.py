"""How a deadline's state reads: the one presenter every page, digest, export,
feed and the CLI ask, so that the same deadline never reads two ways.

    status = deadline_status(deadline, calendar, today)      an engine Deadline (a replayed case)
    status = record_status(record, calendar, today)          a stored DeadlineRecord
    status = status_of(calendar, today, act_by, due=…)       a bare date (a case's next date to act by)

    status.state      "ahead" | "today" | "passed" | "ended" | "unknown"
    status.words      "3 school days left" · "due today" · "passed Fri 28 Nov 2025 — 1 school day ago"
    status.short      "3 left" · "today" · "1 ago" (table cells)
    status.line       the words with the date: "act by Mon 08 Dec 2025 — 7 school days left"
    status.act_by     the date to act by: the safe (earliest) date where the Union Local must act
    status.safe_note  "safe date; the agreement's date is Tue 09 Dec 2025" where the two differ
    status.for_party("Board")  "Board: act by Thu 27 Nov 2025 — 5 school days left" (+ the safe note)

Units: school days (Article 33's, instructional days) on the case's board
calendar. "Days left" counts the school days after today up to and including
the act-by date. "Days ago" counts the school days from the act-by date up to,
not including, today: on Sunday 30 Nov 2025 a date of Friday 28 Nov passed 1
school day ago (Friday itself), and on Tuesday 2 Dec 2 (Friday, Monday). A
date passed is "passed" even where the calendar cannot count how long ago; a
date ahead that cannot be counted (no calendar loaded for its year) reads
"unknown", never a guess.

Also here, because every door shows them the same way: the words for flags
(FLAG_WORDS) and parties (PARTY_WORDS), and each case's next date to act by
read from the stored facts (next_statuses).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Board, DeadlineRecord
from school_calendar.board_calendar import BoardCalendar
from school_calendar.errors import SchoolYearMissing, UserError
from workflows.engine import Deadline

ENDED_WORDS = {"met": "met", "met_late": "met late", "superseded": "superseded", "missed": "missed",
               "stopped": "stopped"}
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
CHUNK = 500


def long_date(day: date | None) -> str:
    """Fri 28 Nov 2025 — the form every page, digest, export and the CLI print."""
    return f"{day:%a %d %b} {day.year:04d}" if day else "—"  # %Y drops a far year's zeros (year 1: "1")


def flag_codes_in_order(codes: str | Iterable[str]) -> list[str]:
    """A case's flag codes (space-separated, as stored, or a list) in FLAG_ORDER; unknown codes last."""
    codes = codes.split() if isinstance(codes, str) else list(codes)
    return sorted(codes, key=lambda c: FLAG_ORDER.index(c) if c in FLAG_ORDER else len(FLAG_ORDER))


def plural(n: int, word: str = "school day") -> str:
    return f"{n} {word}{'s' * (n != 1)}"


@dataclass(frozen=True)
class DeadlineStatus:
    state: str                   # ahead, today, passed, ended, unknown
    act_by: date | None
    due: date | None             # the agreement's reading
    school_days_left: int | None  # > 0 ahead, 0 today, < 0 passed (minus the school days ago); None unknown
    words: str
    short: str
    safe_note: str = ""          # where the act-by (safe) date is earlier than the agreement's

    @property
    def is_passed(self) -> bool:
        return self.state == "passed"

    @property
    def line(self) -> str:
        """The words with the date to act by, once: "act by Mon 08 Dec 2025 — 7 school days left",
        "passed Fri 28 Nov 2025 — 1 school day ago" (the words already name it)."""
        if self.act_by is None or long_date(self.act_by) in self.words or self.state == "ended":
            return self.words
        return f"act by {long_date(self.act_by)} — {self.words}"

    def for_party(self, party: str) -> str:
        """One sentence for a list: "Union Local: act by Mon 08 Dec 2025 — 7 school days left (safe date;
        the agreement's date is Tue 09 Dec 2025)". `party`: words (PARTY_WORDS), "" for nobody."""
        text = f"{party}: {self.line}" if party else self.line[:1].upper() + self.line[1:]
        return f"{text} ({self.safe_note})" if self.safe_note else text

    def as_dict(self) -> dict:
        return {"state": self.state, "act_by": self.act_by.isoformat() if self.act_by else None,
                "due": self.due.isoformat() if self.due else None, "school_days_left": self.school_days_left,
                "words": self.words, "short": self.short, "safe_note": self.safe_note}


def status_of(calendar: BoardCalendar | None, today: date, act_by: date | None, *, due: date | None = None,
              ended: str | None = None, missing_year: str = "") -> DeadlineStatus:
    """The status of a date to act by, seen on `today`. `due`: the agreement's date where it differs
    (the safe note); `ended`: the engine's status of a limit no longer running (met, missed…);
    `missing_year`: the school year whose calendar a date that cannot be counted needs ("2027-28")."""
    note = f"safe date; the agreement's date is {long_date(due)}" if due and act_by and due != act_by else ""
    due = due or act_by
    if ended:
        words = ENDED_WORDS.get(ended, ended.replace("_", " "))
        return DeadlineStatus("ended", act_by, due, None, words, words, note)
    if act_by is None and missing_year:
        return DeadlineStatus("unknown", None, due, None, f"no date: the {missing_year} calendar is not loaded, "
                              f"so this limit cannot be counted (load it with `flask --app app schooldays load`)",
                              "?", note)
    if act_by is None:
        return DeadlineStatus("unknown", None, due, None, "no date: the calendar cannot count it", "—", note)
    if act_by == today:
        return DeadlineStatus("today", act_by, due, 0, "due today", "today", note)
    try:
        if act_by > today:
            left = calendar.count(today, act_by) if calendar else None
        else:
            left = -_school_days_since(calendar, act_by, today) if calendar else None
    except SchoolYearMissing as missing:
        if act_by < today:  # passed is passed, however many school days ago
            return DeadlineStatus("passed", act_by, due, None, f"passed {long_date(act_by)}", "passed", note)
        return DeadlineStatus("unknown", act_by, due, None,
                              f"act by {long_date(act_by)} (days left unknown: the {missing.school_year} "
                              "calendar is not loaded)", "?", note)
    if act_by > today:
        return DeadlineStatus("ahead", act_by, due, left, *_ahead_words(act_by, left), note)
    return DeadlineStatus("passed", act_by, due, left, *_passed_words(act_by, left), note)


def _school_days_since(calendar: BoardCalendar, act_by: date, today: date) -> int:
    """School days d with act_by <= d < today: count() counts (act_by, today], so add act_by and take
    today away (no date arithmetic: a stored date of 0001-01-01 has no day before it)."""
    return calendar.count(act_by, today) + calendar.is_counted(act_by) - calendar.is_counted(today)


def _ahead_words(act_by: date, left: int | None) -> tuple[str, str]:
    if left is None:
        return f"act by {long_date(act_by)}", "ahead"
    if left == 0:  # a weekend or holiday date with no school day before it: still ahead, never "0 left"
        return f"no school day left before {long_date(act_by)}", "0 left"
    return f"{plural(left)} left", f"{left} left"


def _passed_words(act_by: date, left: int | None) -> tuple[str, str]:
    if left is None:
        return f"passed {long_date(act_by)}", "passed"
    ago = -left
    if ago == 0:  # passed on a day that is not a school day (a Saturday), seen before the next one
        return f"passed {long_date(act_by)}", "passed"
    return f"passed {long_date(act_by)} — {plural(ago)} ago", f"{ago} ago"


def deadline_status(deadline: Deadline, calendar: BoardCalendar | None, today: date) -> DeadlineStatus:
    """The engine's deadline as it reads on `today`."""
    ended = None if deadline.is_open else deadline.status
    due = deadline.extended_to or deadline.due
    act_by = deadline.extended_to or deadline.act_by
    return status_of(calendar, today, act_by, due=due, ended=ended,
                     missing_year=_missing_year(calendar, deadline.trigger_date, deadline.rule.n) if act_by is None
                     and not ended else "")


def _missing_year(calendar: BoardCalendar | None, trigger: date | None, n: int | None) -> str:
    """The school year a limit counted from `trigger` reaches with no calendar loaded, or ""."""
    if calendar is None or trigger is None or not n:
        return ""
    try:
        calendar.add(trigger, n)
    except SchoolYearMissing as missing:
        return missing.school_year
    return ""


def record_status(record, calendar: BoardCalendar | None, today: date) -> DeadlineStatus:
    """A stored deadline (models.DeadlineRecord, or a row with its act_by, due, status and
    is_open) as it reads on `today`: the same words as the engine's deadline it was stored from."""
    return status_of(calendar, today, record.act_by, due=record.due, ended=None if record.is_open else record.status)


def in_act_by_order(deadlines: Iterable[Deadline]) -> list[Deadline]:
    """Deadlines by their date to act by (an extension's date where agreed), undated last;
    ties by label so the order never depends on the order of the events."""
    def key(d: Deadline):
        act_by = d.extended_to or d.act_by
        return (act_by is None, act_by or date.max, d.rule.label)
    return sorted(deadlines, key=key)


# -- a case's next date to act by, from the stored facts ----------------------------------------

def next_statuses(session: Session, grievances: Iterable, today: date) -> dict[int, DeadlineStatus | None]:
    """{grievance id: the status of its next date to act by (Grievance.next_act_by)}, for a page
    or a list of cases; None for a case with no limit running (an arbitration awaiting its
    hearing). The agreement's date (for the safe note) comes from the stored deadline the date
    belongs to: one query for all the cases, and one calendar per board."""
    grievances = list(grievances)
    dated = [g for g in grievances if g.next_act_by is not None]
    dues: dict[tuple[int, str, date], date | None] = {}
    for start in range(0, len(dated), CHUNK):  # SQLite binds at most a few thousand values a statement
        ids = [g.id for g in dated[start:start + CHUNK]]
        for gid, key, act_by, due in session.execute(
                select(DeadlineRecord.grievance_id, DeadlineRecord.key, DeadlineRecord.act_by, DeadlineRecord.due)
                .where(DeadlineRecord.grievance_id.in_(ids), DeadlineRecord.is_open.is_(True))):
            dues[(gid, key, act_by)] = due
    slugs = dict(session.execute(select(Board.id, Board.slug).where(
        Board.id.in_({g.board_id for g in grievances}))).all()) if grievances else {}
    calendars = {board_id: calendar_or_none(session, slug) for board_id, slug in slugs.items()}
    missing = _missing_years(session, [g for g in grievances if g.next_act_by is None], calendars)
    return {g.id: status_of(calendars.get(g.board_id), today, g.next_act_by,
                            due=dues.get((g.id, g.next_deadline_key, g.next_act_by)),
                            missing_year=missing.get(g.id, ""))
            if g.next_act_by or "calendar_missing" in g.flag_codes.split() else None
            for g in grievances}


def _missing_years(session: Session, undated: list, calendars: dict) -> dict[int, str]:
    """{grievance id: the school year to load} for cases whose running limit cannot be counted
    (issue 13, item 7: say which year, never a bare dash)."""
    flagged = {g.id: g.board_id for g in undated if "calendar_missing" in g.flag_codes.split()}
    out: dict[int, str] = {}
    ids = list(flagged)
    for start in range(0, len(ids), CHUNK):
        for gid, trigger, n in session.execute(
                select(DeadlineRecord.grievance_id, DeadlineRecord.trigger_date, DeadlineRecord.n)
                .where(DeadlineRecord.grievance_id.in_(ids[start:start + CHUNK]), DeadlineRecord.is_open.is_(True),
                       DeadlineRecord.act_by.is_(None))):
            out[gid] = out.get(gid) or _missing_year(calendars.get(flagged[gid]), trigger, n)
    return out


def calendar_or_none(session: Session, slug: str) -> BoardCalendar | None:
    """The board's calendar, or None for a board with no school year loaded (its dates read
    "unknown", never a guess)."""
    # Imported here: the presenter is imported by modules that operations.grievances may one day
    # import itself (the closure moves); a module-level import would make that a cycle.
    from .grievances import calendar_for

    try:
        return calendar_for(session, slug)
    except UserError:
        return None
