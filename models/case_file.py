"""What an officer keeps on a case besides its events: corrections to its facts (who, when, from
what to what, why) and notes on the case or on one of its events. Neither changes a date: the
engine never reads them (issue 13)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, one_of

# The facts an officer may correct; nothing the events derive (dates, stage, deadlines) is here.
EDITABLE_FACTS = ("number", "members", "school", "clauses", "description", "remedy", "officer", "stewards")
NOTE_LIMIT = 5_000


class CaseEdit(Base):
    """One fact of a case changed: the case's timeline and history show it."""

    __tablename__ = "case_edits"
    __table_args__ = (
        CheckConstraint(one_of("field", EDITABLE_FACTS), name="field_editable"),
        CheckConstraint("length(reason) > 0", name="edit_has_reason"),
        CheckConstraint("length(edited_by) > 0", name="edited_by_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grievance_id: Mapped[int] = mapped_column(ForeignKey("grievances.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(20))
    old_value: Mapped[str] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    edited_by: Mapped[str] = mapped_column(String(200))
    edited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CaseNote(Base):
    """Free text on a case, or on one of its events (event_id)."""

    __tablename__ = "case_notes"
    __table_args__ = (
        CheckConstraint(f"length(text) > 0 AND length(text) <= {NOTE_LIMIT}", name="note_length"),
        CheckConstraint("length(written_by) > 0", name="written_by_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grievance_id: Mapped[int] = mapped_column(ForeignKey("grievances.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("grievance_events.id", ondelete="CASCADE"),
                                                 nullable=True, index=True)
    text: Mapped[str] = mapped_column(Text)
    written_by: Mapped[str] = mapped_column(String(200))
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
