"""A whole local as one archive (`flask archive export`) restored into a fresh,
empty database of the other kind (`flask archive restore`): every case's
events and stored deadlines, the documents' bytes, the board calendar with its
closure and change log, and the users, who log in with their old passwords."""
from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import PASSWORD, log_in, make_user
from models import (Board, CalendarChange, DeadlineMove, DeadlineRecord, Document, FlagRecord, Grievance,
                    GrievanceEvent, StewardAssignment, User)
from operations import accounts
from operations import calendars as calendar_operations
from gate.inputs import FactsInput, NoteInput
from operations import case_file
from operations import documents as document_operations
from operations import grievances as ops
from test_exports import NOTE, TODAY, attach_note, close_monday_24, open_filed_case
from test_exports import make_target  # noqa: F401  (a fixture: another app on an empty database)

LOCAL = "etfo-avon-maitland"
ROLES = {"admin@example.org": "admin", "officer@example.org": "officer", "steward@example.org": "steward",
         "viewer@example.org": "viewer"}


@pytest.fixture
def local_with_cases(app):
    """Users of every role; a policy grievance (a correction, a document, a steward, a deadline moved by a
    snow day); an individual grievance settled (closed); a Board grievance running."""
    for email, role in ROLES.items():
        make_user(app, email, role)
    filed = open_filed_case(app)
    attach_note(app, filed)
    with app.extensions["database"].transaction() as session:
        steward = session.scalar(select(User).where(User.email == "steward@example.org"))
        accounts.assign_steward(session, steward, session.get(Grievance, filed))
        # Issue 13: a fact changed, a note on the case and one on the filing.
        case_file.edit_facts(session, filed, FactsInput(school="Demo Public School", reason="Full name"),
                             by="officer@example.org")
        case_file.add_note(session, filed, NoteInput(text="The principal agreed."), by="officer@example.org")
        case_file.add_note(session, filed, NoteInput(text="Handed over.", event_id=ops.last_event_id(session, filed)),
                           by="steward@example.org")
        settled = ops.open_case(session, ops.NewCase(number="2025-011", kind="individual",
                                                     first_event_on=date(2025, 10, 1), members=("Jo Bloggs",)),
                                by="officer@example.org", today=TODAY)
        for type_, on in (("complaint_raised", date(2025, 10, 3)), ("complaint_discussed", date(2025, 10, 6)),
                          ("grievance_filed", date(2025, 10, 14)), ("settled", date(2025, 10, 30))):
            ops.record_event(session, settled.id, type=type_, occurred_on=on, by="officer@example.org", today=TODAY)
        board = ops.open_case(session, ops.NewCase(number="2025-B01", kind="board", first_event_on=date(2025, 11, 3),
                                                   members=("Sam Doe",)), by="officer@example.org", today=TODAY)
        ops.record_event(session, board.id, type="board_grievance_filed", occurred_on=date(2025, 11, 12),
                         by="officer@example.org", today=TODAY)
    close_monday_24(app)
    return filed


def snapshot(app) -> dict:
    """Everything a restore must bring back, per case number, without database ids."""
    with app.extensions["database"].transaction() as session:
        out = {}
        for case in session.scalars(select(Grievance).order_by(Grievance.number)):
            events = session.scalars(select(GrievanceEvent).where(GrievanceEvent.grievance_id == case.id)
                                     .order_by(GrievanceEvent.seq)).all()
            seq = {e.id: e.seq for e in events}
            officer = session.get(User, case.officer_id).email if case.officer_id else None
            stewards = sorted(session.scalars(select(User.email).join(StewardAssignment,
                                                                      StewardAssignment.user_id == User.id)
                                              .where(StewardAssignment.grievance_id == case.id)))
            out[case.number] = {
                "case": (case.kind, case.members, case.school, case.clauses, case.description, case.remedy,
                         case.created_by, _utc(case.created_at), officer, case.stage, case.is_open, case.opened_on,
                         case.next_act_by, case.next_party, case.next_deadline_key, case.flag_codes, stewards),
                "events": [(e.seq, e.type, e.occurred_on, json.loads(e.details), e.document, e.recorded_by,
                            _utc(e.recorded_at), seq.get(e.voids_event_id), e.reason) for e in events],
                "deadlines": [tuple(getattr(d, c.name) for c in DeadlineRecord.__table__.columns
                                    if c.name not in ("id", "grievance_id", "board_id"))
                              for d in session.scalars(select(DeadlineRecord).where(DeadlineRecord.grievance_id == case.id)
                                                       .order_by(DeadlineRecord.id))],
                "flags": [(f.code, f.clause, f.message, f.deadline_key, f.date) for f in session.scalars(
                    select(FlagRecord).where(FlagRecord.grievance_id == case.id).order_by(FlagRecord.id))],
                "edits": [(c.field, c.old_value, c.new_value, c.reason, c.edited_by, _utc(c.edited_at))
                          for c in case_file.edits_of(session, case.id)],
                "notes": [(seq.get(n.event_id), n.text, n.written_by, _utc(n.written_at))
                          for n in case_file.notes_of(session, case.id)],
                "moves": [(m.deadline_key, m.old_due, m.new_due, m.reason, _utc(m.moved_at), m.moved_by)
                          for m in session.scalars(select(DeadlineMove).where(DeadlineMove.grievance_id == case.id)
                                                   .order_by(DeadlineMove.id))],
                "documents": [(seq[d.event_id], d.filename, d.content_type, d.size, d.sha256, d.uploaded_by,
                               _utc(d.uploaded_at), document_operations.read(Path(app.config["DOCUMENTS_DIR"]), d))
                              for d in session.scalars(select(Document).where(Document.grievance_id == case.id))],
            }
        return out


def _utc(moment):
    from operations.exports import stamp

    return stamp(moment)


def export(app, tmp_path) -> Path:
    out = tmp_path / "local.zip"
    result = app.test_cli_runner().invoke(args=["archive", "export", "--local", LOCAL, "--out", str(out),
                                                "--by", "tester"])
    assert result.exit_code == 0, result.output
    assert "3 cases" in result.output and "4 users" in result.output and "1 documents" in result.output
    return out


def test_a_local_restored_into_an_empty_database_equals_the_original(app, local_with_cases, make_target, tmp_path):
    before = snapshot(app)
    assert before["2025-010"]["edits"] and len(before["2025-010"]["notes"]) == 2
    assert before["2025-010"]["moves"] and before["2025-010"]["documents"][0][-1] == NOTE
    assert before["2025-011"]["case"][10] is False  # settled: closed
    archive = export(app, tmp_path)

    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
        users = json.loads(z.read("users.json"))
        manifest = json.loads(z.read("manifest.json"))
        year = z.read("calendars/amdsb-elementary/2025-26.schoolyear").decode()
    assert {"manifest.json", "local.json", "users.json", "cases/0001.json", "calendars/amdsb-elementary/board.json",
            f"documents/{before['2025-010']['documents'][0][4]}"} <= names
    assert all(u["password_hash"].startswith("scrypt:") for u in users) and "password hashes" in manifest["contains"]
    assert "2025-11-24               | closure: weather | Snow storm" in year

    target = make_target("restore_target", calendars=False)  # a bare, migrated database
    result = target.test_cli_runner().invoke(args=["archive", "restore", str(archive), "--by", "restorer"])
    assert result.exit_code == 0, result.output
    assert "Restored local etfo-avon-maitland: 4 users, 3 cases" in result.output
    assert "the recompute changed: 0" in result.output

    assert snapshot(target) == before
    with app.extensions["database"].transaction() as session, target.extensions["database"].transaction() as restored:
        assert (calendar_operations.board_calendar(restored, "amdsb-elementary").years
                == calendar_operations.board_calendar(session, "amdsb-elementary").years)
        changes = [(c.school_year_label, c.action, c.reason, c.details) for c in
                   calendar_operations.calendar_changes(restored, "amdsb-elementary")]
        assert ("2025-26", "closure added", "Board closed all schools",
                "2025-11-24 .. 2025-11-24: closure: weather: Snow storm") in changes
        assert restored.scalar(select(Board.name).where(Board.slug == "amdsb-elementary")) == \
            session.scalar(select(Board.name).where(Board.slug == "amdsb-elementary"))
        assert {u.email: u.role for u in restored.scalars(select(User))} == ROLES

    for email in ROLES:  # the old passwords still work
        assert log_in(target, email, PASSWORD).get("/dashboard").status_code == 200
    steward = log_in(target, "steward@example.org")
    page = steward.get("/dashboard").get_data(as_text=True)
    assert "2025-010" in page and "2025-B01" not in page  # the assignment came along
    with target.extensions["database"].transaction() as session:
        document = session.scalar(select(Document))
    download = steward.get(f"/documents/{document.id}")
    assert download.status_code == 200 and download.data == NOTE


def test_a_restore_refuses_a_database_where_the_local_has_data(app, local_with_cases, tmp_path):
    archive = export(app, tmp_path)
    result = app.test_cli_runner().invoke(args=["archive", "restore", str(archive), "--by", "restorer"])
    assert result.exit_code != 0 and "already has 4 user(s) and 3 case(s)" in result.output


def test_a_restore_refuses_a_different_calendar_unless_told_to_replace_it(app, local_with_cases, make_target,
                                                                          tmp_path):
    archive = export(app, tmp_path)
    target = make_target("restore_target_shipped")  # the shipped calendars, without the snow day; the local empty
    runner = target.test_cli_runner()
    refused = runner.invoke(args=["archive", "restore", str(archive), "--by", "restorer"])
    assert refused.exit_code != 0 and "differs from the archive's" in refused.output
    with target.extensions["database"].transaction() as session:
        assert session.scalars(select(User)).all() == [] and session.scalars(select(Grievance)).all() == []
    replaced = runner.invoke(args=["archive", "restore", str(archive), "--by", "restorer", "--replace-calendars"])
    assert replaced.exit_code == 0, replaced.output
    assert snapshot(target) == snapshot(app)
    with target.extensions["database"].transaction() as session:
        actions = [(c.action, c.reason) for c in session.scalars(select(CalendarChange).order_by(CalendarChange.id))]
    assert ("replaced", f"restored from {archive.name}") in actions


def test_a_damaged_archive_restores_nothing(app, local_with_cases, make_target, tmp_path):
    archive = export(app, tmp_path)
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(damaged, "w") as copy:
        for name in source.namelist():
            data = source.read(name)
            copy.writestr(name, b"not the document" if name.startswith("documents/") else data)
    target = make_target("restore_target_damaged", calendars=False)
    result = target.test_cli_runner().invoke(args=["archive", "restore", str(damaged), "--by", "restorer"])
    assert result.exit_code != 0 and "does not match its checksum" in result.output
    with target.extensions["database"].transaction() as session:
        assert session.scalars(select(User)).all() == [] and session.scalars(select(Board)).all() == []
    not_zip = tmp_path / "not.zip"
    not_zip.write_text("hello")
    result = target.test_cli_runner().invoke(args=["archive", "restore", str(not_zip), "--by", "restorer"])
    assert result.exit_code != 0 and "not a zip archive" in result.output


def test_an_export_names_a_document_missing_from_the_store(app, local_with_cases, tmp_path):
    sha = snapshot(app)["2025-010"]["documents"][0][4]
    (Path(app.config["DOCUMENTS_DIR"]) / sha[:2] / sha).unlink()
    out = tmp_path / "local.zip"
    result = app.test_cli_runner().invoke(args=["archive", "export", "--local", LOCAL, "--out", str(out)])
    assert result.exit_code != 0 and "has no file for grievance.txt of case 2025-010" in result.output
    assert not out.exists() and not (tmp_path / "local.zip.part").exists()
