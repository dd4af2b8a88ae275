"""Loading board calendars into the database and changing them mid-year.

The database holds the live copy of each board's calendar: the shipped files
seed it, closures are added to it and taken back as they happen, and every change is logged
in calendar_changes with who made it and why.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone

from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Board, CalendarChange, CalendarEntryRecord, SchoolYearRecord
from school_calendar.board_calendar import BoardCalendar
from school_calendar.days import ClosureKind, DayType
from school_calendar.errors import UserError
from school_calendar.school_year import CalendarEntry, SchoolYear, label_for, validate

from .text_limits import check_lengths


@dataclass(frozen=True)
class LoadOutcome:
    board: str
    label: str
    action: str  # "loaded", "replaced", "unchanged", "kept (differs from file)"


def load_school_year(session: Session, year: SchoolYear, *, by: str, reason: str, replace: bool = False,
                     today: date | None = None) -> LoadOutcome:
    """Store `year`; a year already stored is kept unless `replace` is given,
    so that closures added in the app are never overwritten by accident. With
    `today`, the cases counting on the year are recomputed."""
    validate(year)
    board = _board(session, year.board, create_with_name=year.board_name)
    stored = _stored_year(session, board, year.label)
    if stored is not None and to_school_year(stored, board) == year:
        return LoadOutcome(year.board, year.label, "unchanged")
    if stored is not None and not replace:
        return LoadOutcome(year.board, year.label, "kept (differs from file)")
    action = "replaced" if stored is not None else "loaded"
    if stored is not None:
        session.delete(stored)
        session.flush()
    session.add(_record_for(board, year))
    change = _log(session, board, year.label, by, action, reason, f"from {year.origin or 'an import'}")
    _recompute(session, year.board, year.covers_from, year.covers_until, by, today,
               f"The {year.label} calendar was {action} ({reason})", change)
    return LoadOutcome(year.board, year.label, action)


def add_closure(session: Session, board_slug: str, first: date, last: date, kind: ClosureKind, name: str,
                *, by: str, reason: str, today: date) -> list:
    """23.01 and the strike notes: a closure added during the year (strike,
    lock-out, weather, other). See add_day."""
    entry = CalendarEntry(first, last, DayType.CLOSURE, name.strip(), kind)
    return add_day(session, board_slug, entry, by=by, reason=reason, today=today)


def add_day(session: Session, board_slug: str, entry: CalendarEntry, *, by: str, reason: str, today: date) -> list:
    """A day or range added to a board calendar during the year (a closure, a PA
    day the board adds, a school holiday), validated with the rest of the year
    first, and logged with who and why. Every case with a limit running across it is
    recomputed; returns the deadlines that moved (grievances.Move: both dates, the
    agreement's and the act-by, before and after, and this change's log id)."""
    _require_text(by, "by", "Say who is changing the calendar.")
    _require_text(reason, "reason", "Say why (e.g. 'Board closed all schools: snow storm').")
    check_lengths(name=entry.name, reason=reason, recorded_by=by)
    board = _board(session, board_slug)
    label = label_for(entry.first)
    if label_for(entry.last) != label:
        raise UserError(f"{entry.first} .. {entry.last} spans two school years.", field="last",
                        fix="Add one range per school year.")
    stored = _stored_year(session, board, label)
    if stored is None:
        raise UserError(f"Board '{board_slug}' has no {label} school year loaded.", field="first",
                        fix=f"Load the {label} calendar first, or check the date.")
    validate(to_school_year(stored, board).with_entry(entry))
    stored.entries.append(_entry_record(entry))
    named = _named(entry)
    change = _log(session, board, label, by, f"{entry.type} added", reason, f"{entry.first} .. {entry.last}: {named}")
    return _recompute(session, board_slug, entry.first, entry.last, by, today,
                      f"{entry.first} .. {entry.last} ({named}) added to the board calendar: {reason}", change)


def reopen(session: Session, board_slug: str, first: date, last: date, *, by: str, reason: str, today: date) -> list:
    """Take closure days back: the schools opened on first..last after all (a strike that
    ended early, a closure recorded in error). The range must lie within one closure, which
    is removed, shortened or split around it; anything else is refused naming the field, and
    nothing is changed. Logged with who and why, and every case with a limit counted across
    the range recomputed, as add_day; returns the deadlines that moved (most move earlier)."""
    _require_text(by, "by", "Say who is changing the calendar.")
    _require_text(reason, "reason", "Say why (e.g. 'Strike ended: schools open again on Thursday').")
    check_lengths(reason=reason, recorded_by=by)
    _check_reopened_range(first, last)
    board = _board(session, board_slug)
    label = label_for(first)
    stored = _stored_year(session, board, label)
    if stored is None:
        raise UserError(f"Board '{board_slug}' has no {label} school year loaded.", field="first",
                        fix="Check the date: only a loaded year has closures to take back.")
    closure = _closure_holding(stored, first, last)
    kept = _kept_parts(_entry_of(closure), first, last)
    year = to_school_year(stored, board)
    validate(replace(year, entries=tuple(_entry_of(e) for e in stored.entries if e is not closure) + kept))
    stored.entries.remove(closure)  # delete-orphan: the row goes
    stored.entries.extend(_entry_record(part) for part in kept)
    named = _named(_entry_of(closure))
    left = "; ".join(_span(part.first, part.last) for part in kept)
    change = _log(session, board, label, by, "closure shortened" if kept else "closure removed", reason,
                  f"{_span(first, last)} reopened: {_span(closure.starts_on, closure.ends_on)} ({named})"
                  + (f" is now {left}" if kept else " is removed"))
    return _recompute(session, board_slug, first, last, by, today,
                      f"{_span(first, last)} reopened ({named}, {_span(closure.starts_on, closure.ends_on)}, "
                      f"{'now ' + left if kept else 'removed'}): {reason}", change)


def _check_reopened_range(first: date, last: date) -> None:
    if last < first:
        raise UserError(f"The last day ({last}) is before the first ({first}).", field="last",
                        fix="Give a last day on or after the first, or leave it out for one day.")
    if label_for(last) != label_for(first):
        raise UserError(f"{first} .. {last} spans two school years.", field="last",
                        fix="Reopen one closure at a time: a closure lies within one school year.")
    for day, field in ((first, "first"), (last, "last")):
        if day.weekday() >= 5:
            raise UserError(f"{day} is a {day:%A}: schools do not open on a weekend.", field=field,
                            fix="Give the weekdays the schools opened on: start and end the range on weekdays.")


def _closure_holding(stored: SchoolYearRecord, first: date, last: date) -> CalendarEntryRecord:
    """The closure that first..last lies within, or UserError naming the end that is not in it."""
    closures = [e for e in stored.entries if e.day_type == DayType.CLOSURE.value]
    holding = next((e for e in closures if e.starts_on <= first <= e.ends_on), None)
    listed = "; ".join(f"{_span(e.starts_on, e.ends_on)} ({_named(_entry_of(e))})" for e in closures)
    known = f"The closures of {stored.label}: {listed}." if closures else f"The {stored.label} calendar has no closure."
    if holding is None:
        raise UserError(f"{first} is not a closure day: there is no closure to take back on it.", field="first",
                        fix=f"Give days of one closure. {known}")
    if last > holding.ends_on:
        raise UserError(f"{last} is after the end of the closure {_span(holding.starts_on, holding.ends_on)}.",
                        field="last", fix=f"Reopen one closure at a time, ending by {holding.ends_on}. {known}")
    return holding


def _kept_parts(closure: CalendarEntry, first: date, last: date) -> tuple[CalendarEntry, ...]:
    """What is left of the closure around first..last: the days before and after, each part
    trimmed to weekdays (an entry starts and ends on one), a part with no weekday left dropped."""
    before_end, after_start = first - timedelta(days=1), last + timedelta(days=1)
    while before_end.weekday() >= 5:
        before_end -= timedelta(days=1)
    while after_start.weekday() >= 5:
        after_start += timedelta(days=1)
    parts = []
    if before_end >= closure.first:
        parts.append(replace(closure, last=before_end))
    if after_start <= closure.last:
        parts.append(replace(closure, first=after_start))
    return tuple(parts)


def _named(entry: CalendarEntry) -> str:
    what = f"closure: {entry.closure_kind}" if entry.closure_kind else str(entry.type)
    return f"{what}: {entry.name}" if entry.name else what


def _span(first: date, last: date) -> str:
    return str(first) if first == last else f"{first} .. {last}"


def _recompute(session: Session, board_slug: str, first: date, last: date, by: str, today: date | None, reason: str,
               change: CalendarChange):
    if today is None:
        return []
    session.flush()  # the change's id, and the changed calendar for the counts
    from .grievances import recompute_after_calendar_change  # grievances counts on this module's calendars

    return recompute_after_calendar_change(session, board_slug, first, last, today=today, by=by, reason=reason,
                                           change_id=change.id)


def board_calendar(session: Session, board_slug: str) -> BoardCalendar:
    board = _board(session, board_slug)
    return BoardCalendar(board.slug, [to_school_year(y, board) for y in _years(session, board)])


def calendar_change(session: Session, board_slug: str, change_id: int) -> CalendarChange | None:
    """One change of the board's calendar log; None if it is not this board's."""
    change = session.get(CalendarChange, change_id)
    return change if change is not None and change.board_id == _board(session, board_slug).id else None


def last_change(session: Session, board_slug: str) -> CalendarChange | None:
    """The board's latest change. Right after add_day or reopen, in the same transaction, it is
    that change: the board's row, updated with it, stays locked to other writers until commit."""
    board = _board(session, board_slug)
    return session.scalar(select(CalendarChange).where(CalendarChange.board_id == board.id)
                          .order_by(CalendarChange.id.desc()).limit(1))


def calendar_changes(session: Session, board_slug: str) -> list[CalendarChange]:
    board = _board(session, board_slug)
    return list(session.scalars(select(CalendarChange).where(CalendarChange.board_id == board.id)
                                .order_by(CalendarChange.changed_at, CalendarChange.id)))


def calendar_token(board_slug: str):
    """A statement giving the board calendar's token, new with every change."""
    return select(Board.calendar_token).where(Board.slug == board_slug)


def board_slugs(session: Session) -> list[str]:
    return list(session.scalars(select(Board.slug).order_by(Board.slug)))


# -- conversions between records and calendar values ------------------------

def to_school_year(record: SchoolYearRecord, board: Board) -> SchoolYear:
    return SchoolYear(
        board=board.slug, board_name=board.name, label=record.label, first_day=record.first_day,
        last_day=record.last_day, source=record.source, verified=record.verified,
        closures_count=record.closures_count, origin=f"database: {board.slug} {record.label}",
        unconfirmed_fields=frozenset(field for field, flag in (("first day", record.first_day_unconfirmed),
                                                               ("last day", record.last_day_unconfirmed)) if flag),
        entries=tuple(_entry_of(e) for e in record.entries),
    )


def _entry_of(record: CalendarEntryRecord) -> CalendarEntry:
    return CalendarEntry(record.starts_on, record.ends_on, DayType(record.day_type), record.name,
                         ClosureKind(record.closure_kind) if record.closure_kind else None, record.unconfirmed)


def _record_for(board: Board, year: SchoolYear) -> SchoolYearRecord:
    return SchoolYearRecord(
        board=board, label=year.label, start_year=year.start_year, first_day=year.first_day,
        last_day=year.last_day, source=year.source, verified=year.verified, closures_count=year.closures_count,
        first_day_unconfirmed="first day" in year.unconfirmed_fields,
        last_day_unconfirmed="last day" in year.unconfirmed_fields,
        entries=[_entry_record(e) for e in year.entries])


def _entry_record(entry: CalendarEntry) -> CalendarEntryRecord:
    return CalendarEntryRecord(
        starts_on=entry.first, ends_on=entry.last, day_type=entry.type.value, name=entry.name,
        closure_kind=entry.closure_kind.value if entry.closure_kind else None, unconfirmed=entry.unconfirmed)


# -- look-ups and the change log ------------------------------------------------

def _board(session: Session, slug: str, create_with_name: str | None = None) -> Board:
    board = session.scalar(select(Board).where(Board.slug == slug))
    if board is None and create_with_name is not None:
        board = Board(slug=slug, name=create_with_name, calendar_token=uuid4().hex)
        session.add(board)
        session.flush()
    if board is None:
        known = ", ".join(board_slugs(session)) or "none yet"
        raise UserError(f"There is no board '{slug}'.", field="board",
                        fix=f"Use one of the loaded boards ({known}), or load its calendar first.")
    return board


def _years(session: Session, board: Board) -> list[SchoolYearRecord]:
    return list(session.scalars(select(SchoolYearRecord).where(SchoolYearRecord.board_id == board.id)
                                .options(selectinload(SchoolYearRecord.entries))
                                .order_by(SchoolYearRecord.start_year)))


def _stored_year(session: Session, board: Board, label: str) -> SchoolYearRecord | None:
    return session.scalar(select(SchoolYearRecord).options(selectinload(SchoolYearRecord.entries))
                          .where(SchoolYearRecord.board_id == board.id, SchoolYearRecord.label == label))


def _log(session: Session, board: Board, label: str, by: str, action: str, reason: str,
         details: str) -> CalendarChange:
    board.calendar_token = uuid4().hex
    change = CalendarChange(board_id=board.id, school_year_label=label, changed_at=datetime.now(timezone.utc),
                            changed_by=by, action=action, reason=reason, details=details)
    session.add(change)
    return change


def _require_text(value: str, field: str, fix: str) -> None:
    if not value or not value.strip():
        raise UserError(f"'{field}' is required.", field=field, fix=fix)
