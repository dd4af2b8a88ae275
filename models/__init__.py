"""SQLAlchemy tables. Importing this package registers every table on Base.metadata."""
from .accounts import ROLES, LoginAttempt, StewardAssignment, User
from .base import Base
from .calendars import Board, CalendarChange, CalendarEntryRecord, SchoolYearRecord
from .database import Database
from .documents import Document
from .grievances import DeadlineMove, DeadlineRecord, FlagRecord, Grievance, GrievanceEvent, UnionLocal

__all__ = ["ROLES", "LoginAttempt", "StewardAssignment", "User", "Base", "Board", "CalendarChange", "CalendarEntryRecord", "Database", "Document", "DeadlineMove", "DeadlineRecord",
           "FlagRecord", "Grievance", "GrievanceEvent", "SchoolYearRecord", "UnionLocal"]
