"""SQLAlchemy tables. Importing this package registers every table on Base.metadata."""
from .base import Base
from .calendars import Board, CalendarChange, CalendarEntryRecord, SchoolYearRecord
from .database import Database

__all__ = ["Base", "Board", "CalendarChange", "CalendarEntryRecord", "Database", "SchoolYearRecord"]
