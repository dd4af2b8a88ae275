"""Board calendars in the database: constraints hold there too, every change is
logged, and a refused change leaves nothing behind."""
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import CalendarChange, CalendarEntryRecord, SchoolYearRecord
from operations import calendars as ops
from school_calendar.calendar_file import read_board_directory
from school_calendar.days import ClosureKind
from school_calendar.errors import UserError


def test_the_database_refuses_an_unknown_day_type(app):
    db = app.extensions["database"]
    with pytest.raises(IntegrityError):
        with db.transaction() as session:
            year = session.scalars(select(SchoolYearRecord)).first()
            session.add(CalendarEntryRecord(school_year_id=year.id, starts_on=date(2025, 10, 10),
                                            ends_on=date(2025, 10, 10), day_type="holiday-ish", name=""))


def test_the_database_refuses_a_closure_without_a_kind(app):
    db = app.extensions["database"]
    with pytest.raises(IntegrityError):
        with db.transaction() as session:
            year = session.scalars(select(SchoolYearRecord)).first()
            session.add(CalendarEntryRecord(school_year_id=year.id, starts_on=date(2025, 10, 10),
                                            ends_on=date(2025, 10, 10), day_type="closure", name=""))


def test_the_database_refuses_a_year_twice(app):
    db = app.extensions["database"]
    with pytest.raises(IntegrityError):
        with db.transaction() as session:
            year = session.scalars(select(SchoolYearRecord)).first()
            session.add(SchoolYearRecord(board_id=year.board_id, label=year.label, start_year=year.start_year,
                                         first_day=year.first_day, last_day=year.last_day, source="again"))


def test_loading_the_shipped_files_is_logged_with_who_and_why(app):
    with app.extensions["database"].transaction() as session:
        changes = ops.calendar_changes(session, "amdsb-elementary")
    assert [(c.school_year_label, c.action, c.changed_by) for c in changes] == [
        ("2024-25", "loaded", "test-suite"), ("2025-26", "loaded", "test-suite"), ("2026-27", "loaded", "test-suite")]


def test_a_changed_file_is_kept_out_unless_replace_is_asked_for(app):
    year = read_board_directory()["amdsb-elementary"][0]
    edited = replace(year, verified=True)
    db = app.extensions["database"]
    with db.transaction() as session:
        assert ops.load_school_year(session, edited, by="t", reason="check").action == "kept (differs from file)"
    with db.transaction() as session:
        assert ops.load_school_year(session, edited, by="t", reason="verified", replace=True).action == "replaced"
    with db.transaction() as session:
        assert ops.board_calendar(session, "amdsb-elementary").years["2024-25"].verified


def test_a_closure_across_two_school_years_is_refused(app):
    with pytest.raises(UserError) as caught:
        with app.extensions["database"].transaction() as session:
            ops.add_closure(session, "amdsb-elementary", date(2025, 6, 26), date(2025, 9, 3),
                            ClosureKind.STRIKE, "Strike", by="me", reason="strike", today=date(2025, 6, 1))
    assert caught.value.field == "last"


def test_a_closure_needs_who_and_why(app):
    with pytest.raises(UserError) as caught:
        with app.extensions["database"].transaction() as session:
            ops.add_closure(session, "amdsb-elementary", date(2025, 10, 1), date(2025, 10, 1),
                            ClosureKind.WEATHER, "Snow", by="me", reason="  ", today=date(2025, 10, 1))
    assert caught.value.field == "reason"


def test_a_closure_over_another_closure_is_refused_and_nothing_is_stored(app):
    db = app.extensions["database"]
    with db.transaction() as session:
        ops.add_closure(session, "amdsb-elementary", date(2025, 11, 3), date(2025, 11, 7),
                        ClosureKind.STRIKE, "Strike", by="me", reason="strike notice", today=date(2025, 11, 1))
    with pytest.raises(UserError):
        with db.transaction() as session:
            ops.add_closure(session, "amdsb-elementary", date(2025, 11, 7), date(2025, 11, 7),
                            ClosureKind.WEATHER, "Snow", by="me", reason="snow", today=date(2025, 11, 1))
    with db.transaction() as session:
        kinds = session.scalars(select(CalendarEntryRecord.closure_kind)
                                .where(CalendarEntryRecord.day_type == "closure")).all()
        logged = session.scalars(select(CalendarChange.action).where(CalendarChange.action == "closure added")).all()
    assert kinds == ["strike"] and logged == ["closure added"]


def test_a_rolled_back_closure_never_reaches_a_later_count(app):
    # 2025-26, from Mon 2025-11-03: Tue 4 (1) unless closed. A closure on Nov 4 is
    # rolled back; a later one on Nov 5 commits. Counting must see Nov 5 only.
    from operations.grievances import calendar_for

    db = app.extensions["database"]
    with pytest.raises(RuntimeError):
        with db.transaction() as session:
            ops.add_closure(session, "amdsb-elementary", date(2025, 11, 4), date(2025, 11, 4),
                            ClosureKind.WEATHER, "Fog", by="me", reason="fog", today=date(2025, 11, 1))
            assert calendar_for(session, "amdsb-elementary").add(date(2025, 11, 3), 1) == date(2025, 11, 5)
            raise RuntimeError("the user's action failed after the closure was written")
    with db.transaction() as session:
        ops.add_closure(session, "amdsb-elementary", date(2025, 11, 5), date(2025, 11, 5),
                        ClosureKind.WEATHER, "Snow", by="me", reason="snow", today=date(2025, 11, 1))
    with db.transaction() as session:
        calendar = calendar_for(session, "amdsb-elementary")
    assert calendar.add(date(2025, 11, 3), 1) == date(2025, 11, 4)
    assert calendar.add(date(2025, 11, 3), 2) == date(2025, 11, 6)
