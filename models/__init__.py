"""SQLAlchemy tables. Importing this package registers every table on Base.metadata."""
from .base import Base
from .calendars import Board, CalendarChange, CalendarEntryRecord, SchoolYearRecord
from .database import Database
from .grievances import DeadlineMove, DeadlineRecord, FlagRecord, Grievance, GrievanceEvent, UnionLocal

__all__ = ["Base", "Board", "CalendarChange", "CalendarEntryRecord", "Database", "DeadlineMove", "DeadlineRecord",
           "FlagRecord", "Grievance", "GrievanceEvent", "SchoolYearRecord", "UnionLocal"]
