"""SQLAlchemy tables. Importing this package registers every table on Base.metadata."""
from .accounts import DIGEST_FREQUENCIES, ROLES, LoginAttempt, StewardAssignment, User
from .base import Base
from .calendars import Board, CalendarChange, CalendarEntryRecord, SchoolYearRecord
from .case_file import CaseEdit, CaseNote
from .database import Database
from .digests import DigestSent, FeedToken
from .documents import Document
from .grievances import DeadlineMove, DeadlineRecord, FlagRecord, Grievance, GrievanceEvent, UnionLocal

__all__ = ["DIGEST_FREQUENCIES", "DigestSent", "FeedToken", "ROLES", "LoginAttempt", "StewardAssignment", "User", "Base", "Board", "CaseEdit", "CaseNote", "CalendarChange", "CalendarEntryRecord", "Database", "Document", "DeadlineMove", "DeadlineRecord",
           "FlagRecord", "Grievance", "GrievanceEvent", "SchoolYearRecord", "UnionLocal"]
