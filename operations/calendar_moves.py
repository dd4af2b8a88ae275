"""What a board calendar change moved, in words: each deadline with both of its dates,
the agreement's date (`due`) and the date to act by (`act_by`: the safe, earliest
reading where the Union Local must act), before and after. The preview and the result
of a change (web page, JSON API, CLI) and the case's timeline all say it this way, so
that an officer never reads the later date as the time they have.

    move_sentence(old_due, new_due, old_act_by, new_act_by, tense="moved")
        "The agreement's date moved from Mon 07 Dec 2026 to Mon 14 Dec 2026 (later), but the
         act-by (safe) date did not move: act by Mon 07 Dec 2026."
    moved_deadlines(session, moves, today, cases=...)   MovedDeadlines(shown=[MovedDeadline…], others=N)

Dates read as the presenter writes them (operations/deadline_status.long_date); the
status of the new act-by date is the presenter's (status_of), in school days on the
case's board calendar as of `today`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Iterable, Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models import Board, Grievance, UnionLocal

from .deadline_status import DeadlineStatus, long_date, status_of
from .grievances import calendar_for, rules_named

# The verbs of each tense: a preview says what would happen, a result and the timeline what did.
TENSES = {
    "would move": {"moved": "would move", "not": "would not move", "start": "would start running",
                   "stop": "would stop running"},
    "moved": {"moved": "moved", "not": "did not move", "start": "started running", "stop": "stopped running"},
}


def move_sentence(old_due: date | None, new_due: date | None, old_act_by: date | None, new_act_by: date | None,
                  tense: str = "moved") -> str:
    """One sentence saying which of the two dates moved, from what to what, and which did not."""
    verb = TENSES[tense]
    if old_act_by is None and new_act_by is None and (old_due or new_due):  # recorded before act-by dates were kept
        return (f"The agreement's date {verb['moved']} from {long_date(old_due)} to {long_date(new_due)}"
                f"{_direction(old_due, new_due)} (its act-by date was not recorded then).")
    if old_due is None and old_act_by is None:
        return f"The time limit {verb['start']}: {_act_by_words(new_due, new_act_by)}."
    if new_due is None and new_act_by is None:
        return f"The time limit {verb['stop']} (it was: {_act_by_words(old_due, old_act_by)})."
    if old_due == old_act_by and new_due == new_act_by:
        return (f"The agreement's date and the act-by date {verb['moved']} from {long_date(old_act_by)} to "
                f"{long_date(new_act_by)}{_direction(old_act_by, new_act_by, acting=True)}.")
    due = f"from {long_date(old_due)} to {long_date(new_due)}{_direction(old_due, new_due)}"
    act_by = f"from {long_date(old_act_by)} to {long_date(new_act_by)}{_direction(old_act_by, new_act_by, acting=True)}"
    if old_act_by == new_act_by:
        return (f"The agreement's date {verb['moved']} {due}, but the act-by (safe) date {verb['not']}: "
                f"act by {long_date(new_act_by)}.")
    if old_due == new_due:
        return (f"The act-by (safe) date {verb['moved']} {act_by}; the agreement's date {verb['not']} "
                f"({long_date(new_due)}).")
    return f"The agreement's date {verb['moved']} {due}; the act-by (safe) date {verb['moved']} {act_by}."


def _act_by_words(due: date | None, act_by: date | None) -> str:
    if act_by is not None and due is not None and act_by != due:
        return f"act by {long_date(act_by)} (safe date; the agreement's date is {long_date(due)})"
    return f"act by {long_date(act_by or due)}"


def _direction(old: date | None, new: date | None, acting: bool = False) -> str:
    """Earlier means less time: said so where it is the date to act by."""
    if old is None or new is None or old == new:
        return ""
    if new > old:
        return " (later)"
    return " (earlier: less time to act)" if acting else " (earlier)"


@dataclass(frozen=True)
class MovedDeadline:
    """One moved deadline of one case, as every door lists it."""

    grievance_id: int
    number: str
    local: str                       # the union local's slug
    deadline: str                    # the limit's key
    label: str                       # its name in the rule set
    clause: str
    old_due: date | None
    new_due: date | None
    old_act_by: date | None
    new_act_by: date | None
    sentence: str
    status: DeadlineStatus | None    # the new act-by date as of today; None: the limit no longer runs
    reason: str
    moved_at: datetime | None = None
    moved_by: str = ""

    @property
    def act_by_moved(self) -> bool:
        return self.old_act_by != self.new_act_by

    @property
    def due_moved(self) -> bool:
        return self.old_due != self.new_due

    @property
    def status_words(self) -> str:
        return self.status.words if self.status else "no longer running"

    @property
    def safe_note(self) -> str:
        return self.status.safe_note if self.status else ""

    def as_dict(self) -> dict:
        iso = lambda day: day.isoformat() if day else None  # noqa: E731
        return {"grievance_id": self.grievance_id, "number": self.number, "local": self.local,
                "deadline": self.deadline, "label": self.label, "clause": self.clause,
                "old_due": iso(self.old_due), "new_due": iso(self.new_due), "old_act_by": iso(self.old_act_by),
                "new_act_by": iso(self.new_act_by), "due_moved": self.due_moved, "act_by_moved": self.act_by_moved,
                "words": self.sentence, "status": self.status_words, "safe_note": self.safe_note,
                "reason": self.reason,
                "moved_at": self.moved_at.isoformat() if self.moved_at else None, "moved_by": self.moved_by}


@dataclass(frozen=True)
class MovedDeadlines:
    shown: list[MovedDeadline]   # the moves of the cases asked about, by case number then limit
    others: int                  # moves of other cases (other locals'): counted, never named

    @property
    def cases(self) -> int:
        return len({m.grievance_id for m in self.shown})


IN_CHUNK = 500  # ids per IN (…): SQLite's older builds allow 999 parameters a statement


def moved_deadlines(session: Session, moves: Sequence, today: date, *,
                    cases: Callable[[Select], Select] | None = None, tense: str = "moved") -> MovedDeadlines:
    """`moves` (operations.grievances.Move or models.DeadlineMove, anything with their
    columns) described: only those of the cases `cases` lets through (a filter on a select
    over Grievance: the acting user's local, accounts.visible); the rest only counted."""
    wanted = _cases(session, sorted({m.grievance_id for m in moves}), cases)
    shown = [_described(session, m, wanted[m.grievance_id], today, tense) for m in moves if m.grievance_id in wanted]
    shown.sort(key=lambda m: (m.number, m.label, m.new_act_by or date.max))
    return MovedDeadlines(shown, len(moves) - len(shown))


def _cases(session: Session, ids: list[int], cases) -> dict[int, tuple]:
    """id -> (number, ruleset, board slug, local slug) of the cases `cases` lets through."""
    found: dict[int, tuple] = {}
    for start in range(0, len(ids), IN_CHUNK):
        query = (select(Grievance.id, Grievance.number, Grievance.ruleset, Board.slug, UnionLocal.slug)
                 .join(Board, Board.id == Grievance.board_id).join(UnionLocal, UnionLocal.id == Grievance.local_id)
                 .where(Grievance.id.in_(ids[start:start + IN_CHUNK])))
        for gid, *rest in session.execute(cases(query) if cases else query):
            found[gid] = tuple(rest)
    return found


def _described(session: Session, m, case: tuple, today: date, tense: str) -> MovedDeadline:
    number, ruleset, board, local = case
    rule = rules_named(ruleset).limits.get(m.deadline_key)
    running = m.new_due is not None or m.new_act_by is not None
    status = status_of(calendar_for(session, board), today, m.new_act_by or m.new_due,
                       due=m.new_due) if running else None
    return MovedDeadline(
        m.grievance_id, number, local, m.deadline_key, rule.label if rule else m.deadline_key,
        rule.clause if rule else "", m.old_due, m.new_due, m.old_act_by, m.new_act_by,
        move_sentence(m.old_due, m.new_due, m.old_act_by, m.new_act_by, tense), status, m.reason, m.moved_at,
        m.moved_by)


def summary(moved: MovedDeadlines, tense: str = "moved", scope: str = " of your local") -> str:
    """"3 deadlines in 2 cases of your local moved; 4 in other locals' cases moved too." """
    verb = TENSES[tense]["moved"]
    n, k = len(moved.shown), moved.cases
    head = (f"{n} deadline{'s' * (n != 1)} in {k} case{'s' * (k != 1)}{scope} {verb}" if n
            else f"No deadline in the cases{scope} {verb}")
    return head + (f"; {moved.others} in other locals' cases {verb} too." if moved.others else ".")


def lines(moved: Iterable[MovedDeadline]) -> list[str]:
    """Plain-text lines, one a deadline (the CLI's)."""
    return [f"{m.number} ({m.local}) · {m.label} ({m.clause}): {m.sentence} Now: {m.status_words}"
            + (f" ({m.safe_note})." if m.safe_note else ".") for m in moved]
