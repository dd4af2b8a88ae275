"""Board calendars in the database: the live copy the app counts on, to which
closures are added mid-year. Every change is kept in calendar_changes."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, one_of

DAY_TYPES = ("instructional day", "PA day", "split day", "school holiday", "break", "closure")
CLOSURE_KINDS = ("strike", "lock-out", "weather", "other")


class Board(Base):
    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    # A new random token with every change to the board's calendar: counting code
    # caches a calendar by it. Random, so a rolled-back change can never be mistaken
    # for a later committed one.
    calendar_token: Mapped[str] = mapped_column(String(32), default="")

    school_years: Mapped[list[SchoolYearRecord]] = relationship(
        back_populates="board", order_by="SchoolYearRecord.start_year", cascade="all, delete-orphan")


class SchoolYearRecord(Base):
    __tablename__ = "school_years"
    __table_args__ = (
        UniqueConstraint("board_id", "label"),
        CheckConstraint("first_day <= last_day", name="first_before_last"),
        CheckConstraint("start_year BETWEEN 1900 AND 2999", name="start_year_plausible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(7))
    start_year: Mapped[int] = mapped_column(Integer)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    # The board's own calendar has not confirmed the first or last day.
    first_day_unconfirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    last_day_unconfirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text, default="")
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    closures_count: Mapped[bool] = mapped_column(Boolean, default=False)

    board: Mapped[Board] = relationship(back_populates="school_years")
    entries: Mapped[list[CalendarEntryRecord]] = relationship(
        back_populates="school_year", order_by="CalendarEntryRecord.starts_on", cascade="all, delete-orphan")


class CalendarEntryRecord(Base):
    __tablename__ = "calendar_entries"
    __table_args__ = (
        CheckConstraint("starts_on <= ends_on", name="starts_before_ends"),
        CheckConstraint(one_of("day_type", DAY_TYPES), name="day_type_known"),
        CheckConstraint(
            f"(day_type = 'closure' AND closure_kind IS NOT NULL AND {one_of('closure_kind', CLOSURE_KINDS)}) "
            "OR (day_type <> 'closure' AND closure_kind IS NULL)", name="closure_has_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("school_years.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    day_type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200), default="")
    closure_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    unconfirmed: Mapped[bool] = mapped_column(Boolean, default=False)

    school_year: Mapped[SchoolYearRecord] = relationship(back_populates="entries")


class CalendarChange(Base):
    """Who changed a board calendar, when, why, and what they changed."""

    __tablename__ = "calendar_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    school_year_label: Mapped[str] = mapped_column(String(7))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (
        CheckConstraint("length(changed_by) > 0", name="changed_by_given"),
        CheckConstraint("length(reason) > 0", name="reason_given"),
    )
