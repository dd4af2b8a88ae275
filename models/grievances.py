"""Grievances as their events. Events are append-only (a mistake is voided by a
later event); deadlines, flags and the next thing due are derived from them
and stored only so that lists and digests read them with one indexed query."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, one_of

PARTIES = ("union", "board", "both")
DEADLINE_STATUSES = ("running", "overdue", "met", "met_late", "superseded", "missed", "stopped", "unknown")


class UnionLocal(Base):
    __tablename__ = "union_locals"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Grievance(Base):
    __tablename__ = "grievances"
    __table_args__ = (
        UniqueConstraint("local_id", "number"),
        CheckConstraint("length(number) > 0", name="number_given"),
        Index("ix_grievances_open_next_act_by", "local_id", "is_open", "next_act_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    local_id: Mapped[int] = mapped_column(ForeignKey("union_locals.id"))
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"))
    ruleset: Mapped[str] = mapped_column(String(80))
    number: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    members: Mapped[str] = mapped_column(Text, default="")        # one name a line
    school: Mapped[str] = mapped_column(String(200), default="")
    clauses: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    remedy: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)     # bumped by every change, for concurrent writers
    # Derived from the events, the rules and the calendar (see operations/grievances.py).
    stage: Mapped[str] = mapped_column(String(40))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    opened_on: Mapped[date] = mapped_column(Date)
    next_act_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    next_party: Mapped[str | None] = mapped_column(String(10), nullable=True)
    next_deadline_key: Mapped[str | None] = mapped_column(String(60), nullable=True)
    flag_codes: Mapped[str] = mapped_column(String(200), default="")  # space-separated, for filters
    derived_as_of: Mapped[date] = mapped_column(Date)

    events: Mapped[list[GrievanceEvent]] = relationship(back_populates="grievance", order_by="GrievanceEvent.seq",
                                                        cascade="all, delete-orphan")
    deadlines: Mapped[list[DeadlineRecord]] = relationship(cascade="all, delete-orphan", order_by="DeadlineRecord.id")
    flags: Mapped[list[FlagRecord]] = relationship(cascade="all, delete-orphan", order_by="FlagRecord.id")
    moves: Mapped[list[DeadlineMove]] = relationship(cascade="all, delete-orphan", order_by="DeadlineMove.id")


class GrievanceEvent(Base):
    __tablename__ = "grievance_events"
    __table_args__ = (
        UniqueConstraint("grievance_id", "seq"),
        CheckConstraint("(type = 'void') = (voids_event_id IS NOT NULL)", name="void_names_its_event"),
        CheckConstraint("type <> 'void' OR length(reason) > 0", name="void_has_reason"),
        CheckConstraint("length(recorded_by) > 0", name="recorded_by_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grievance_id: Mapped[int] = mapped_column(ForeignKey("grievances.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    occurred_on: Mapped[date] = mapped_column(Date)
    details: Mapped[str] = mapped_column(Text, default="{}")     # JSON
    document: Mapped[str] = mapped_column(String(300), default="")
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)  # digests: "since"
    voids_event_id: Mapped[int | None] = mapped_column(ForeignKey("grievance_events.id"), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")

    grievance: Mapped[Grievance] = relationship(back_populates="events")


class DeadlineRecord(Base):
    __tablename__ = "deadlines"
    __table_args__ = (
        CheckConstraint(one_of("party", PARTIES), name="party_known"),
        CheckConstraint(one_of("status", DEADLINE_STATUSES), name="status_known"),
        Index("ix_deadlines_board_open_window", "board_id", "is_open", "trigger_date", "due"),
        # A calendar change selects every limit counted across the changed days, ended ones too.
        Index("ix_deadlines_board_due_window", "board_id", "due", "trigger_date", "grievance_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grievance_id: Mapped[int] = mapped_column(ForeignKey("grievances.id", ondelete="CASCADE"), index=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"))
    key: Mapped[str] = mapped_column(String(60))
    clause: Mapped[str] = mapped_column(String(120))
    party: Mapped[str] = mapped_column(String(10))
    trigger: Mapped[str] = mapped_column(String(60))
    trigger_date: Mapped[date] = mapped_column(Date)
    n: Mapped[int | None] = mapped_column(Integer, nullable=True)
    unit: Mapped[str] = mapped_column(String(40))
    delay: Mapped[int] = mapped_column(Integer, default=0)
    extended_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    safe_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    act_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(12))
    is_open: Mapped[bool] = mapped_column(Boolean)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class FlagRecord(Base):
    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    grievance_id: Mapped[int] = mapped_column(ForeignKey("grievances.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(30), index=True)
    clause: Mapped[str] = mapped_column(String(120))
    message: Mapped[str] = mapped_column(Text)
    deadline_key: Mapped[str | None] = mapped_column(String(60), nullable=True)
    date: Mapped[date | None] = mapped_column(Date, nullable=True)


class DeadlineMove(Base):
    """A deadline that moved because its board calendar changed: on the case's timeline.

    Both dates, before and after: the agreement's date (`due`) and the date to act by
    (`act_by`: the safe, earliest reading where the Union Local must act; the agreement's
    date otherwise). A closure can move one and not the other (Regulation 304 counts
    closure days), and the officer must see which. None: no date (the limit started or
    stopped running with this change, or could not be counted); both act-by dates None
    beside a due date: a move recorded before act-by dates were kept (migration 0009)."""

    __tablename__ = "deadline_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    grievance_id: Mapped[int] = mapped_column(ForeignKey("grievances.id", ondelete="CASCADE"), index=True)
    deadline_key: Mapped[str] = mapped_column(String(60))
    old_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    new_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    old_act_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    new_act_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    moved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)  # digests: "since"
    moved_by: Mapped[str] = mapped_column(String(200))
    # The board calendar change that moved it (its result page lists the moves); None for a full
    # recompute, an imported case, or a change log entry no longer kept.
    calendar_change_id: Mapped[int | None] = mapped_column(
        ForeignKey("calendar_changes.id", ondelete="SET NULL"), nullable=True, index=True)
