"""`flask backup create` while a writer keeps recording events, and `flask backup
restore` into an empty database of the same kind (SQLite, PostgreSQL).

The writer commits one transaction at a time and logs each commit in order.
A consistent backup is the state after exactly the first K of those commits,
for one K: never a later commit without an earlier one. The tests find that
K from the restored database, and check it lies between the commits made
before the backup began and those made before its snapshot was taken (the
backup is held open after the snapshot until five more commits land, so a
backup that read anything live after its snapshot would show them)."""
from __future__ import annotations

import io
import itertools
import json
import os
import stat
import tarfile
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, make_url, select, text

from app import create_app
from conftest import log_in, make_user
from models import Document, Grievance, GrievanceEvent
from operations import backup as backup_operations
from operations import documents as document_operations
from operations import grievances as ops
from school_calendar.errors import UserError
from test_exports import NOTE, TODAY, attach_note, open_filed_case

WRITER = "writer@example.org"
# A settled individual grievance, one event a transaction (after the one open_case records).
STEPS = (("complaint_raised", date(2025, 10, 3)), ("complaint_discussed", date(2025, 10, 6)),
         ("grievance_filed", date(2025, 10, 14)), ("settled", date(2025, 10, 30)))


# -- fixtures and helpers ----------------------------------------------------------------------

@pytest.fixture
def seeded(app):
    """An officer, and two cases whose filings carry the same document (two rows, one file)."""
    make_user(app, "officer@example.org", "officer")
    for number in ("2025-010", "2025-012"):
        attach_note(app, open_filed_case(app, number=number))
    return app


@pytest.fixture
def make_target(database_url, tmp_path):
    """make_target(name, migrated=False): an app on a new database of the SAME kind as `app`'s (on
    PostgreSQL a database of its own on the test server, whose public schema the fixtures drop), with
    its own documents store; bare (no tables) or migrated."""
    from alembic import command

    from cli.database import alembic_config

    made = []

    def make(name: str, *, migrated: bool = False):
        url = _new_database(database_url, tmp_path, name)
        target = create_app({"TESTING": True, "DATABASE_URL": url, "SESSION_COOKIE_SECURE": False,
                             "DOCUMENTS_DIR": str(tmp_path / f"{name}-documents"), "TODAY": TODAY.isoformat()})
        made.append(target)
        if migrated:
            command.upgrade(alembic_config(url), "head")
        return target

    yield make
    for target in made:
        target.extensions["database"].dispose()


def _new_database(source_url: str, tmp_path: Path, name: str) -> str:
    if source_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / (name + '.sqlite3')}"
    engine = create_engine(source_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(source_url).set(database=name).render_as_string(hide_password=False)


def counts(app) -> dict[str, int]:
    """Rows in every table of the app's database."""
    engine = app.extensions["database"].engine
    with engine.connect() as connection:
        return {table: connection.scalar(text(f'SELECT count(*) FROM "{table}"'))
                for table in inspect(connection).get_table_names()}


def stored_files(app) -> dict[str, bytes]:
    store = Path(app.config["DOCUMENTS_DIR"])
    return {str(p.relative_to(store)): p.read_bytes() for p in store.rglob("*") if p.is_file()}


def events_by_case(app) -> dict[str, list[tuple]]:
    with app.extensions["database"].transaction() as session:
        rows = session.execute(select(Grievance.number, GrievanceEvent.seq, GrievanceEvent.type,
                                      GrievanceEvent.occurred_on, GrievanceEvent.details, GrievanceEvent.recorded_by)
                               .join(GrievanceEvent, GrievanceEvent.grievance_id == Grievance.id)
                               .order_by(Grievance.number, GrievanceEvent.seq))
        out: dict[str, list[tuple]] = {}
        for number, *event in rows:
            out.setdefault(number, []).append(tuple(event))
        return out


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def backup(app, out: Path) -> Path:
    result = run(app, "backup", "create", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def read_backup(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers()}


def write_backup(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


class Writer(threading.Thread):
    """Opens cases W-0001, W-0002… and records their events, one transaction each, until stopped;
    the grievance_filed transaction attaches a document of the case's own. `log` lists every commit
    in order: (case number, its events after the commit, its document's bytes or None)."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.database, self.store = app.extensions["database"], Path(app.config["DOCUMENTS_DIR"])
        self.log: list[tuple[str, int, bytes | None]] = []
        self.stopping, self.error, self.committed = threading.Event(), None, threading.Condition()

    def run(self):
        try:
            for n in itertools.count(1):
                if not self._case(f"W-{n:04d}"):
                    return
        except BaseException as error:  # the test reports it
            self.error = error
            with self.committed:
                self.committed.notify_all()

    def _case(self, number: str) -> bool:
        with self.database.transaction() as session:
            case_id = ops.open_case(session, ops.NewCase(number=number, kind="individual", members=(number,),
                                                         first_event_on=date(2025, 10, 1)), by=WRITER, today=TODAY).id
        self._logged(number, 1, None)
        for events, (type_, on) in enumerate(STEPS, start=2):
            if self.stopping.is_set():
                return False
            document = f"{number} as filed.\n".encode() if type_ == "grievance_filed" else None
            with self.database.transaction() as session:
                ops.record_event(session, case_id, type=type_, occurred_on=on, by=WRITER, today=TODAY)
                if document:
                    document_operations.attach(session, self.store, grievance_id=case_id, filename="filed.txt",
                                               event_id=ops.last_event_id(session, case_id), data=document, by=WRITER)
            self._logged(number, events, document)
        return not self.stopping.is_set()

    def _logged(self, number: str, events: int, document: bytes | None) -> None:
        with self.committed:
            self.log.append((number, events, document))
            self.committed.notify_all()

    def wait_for(self, commits: int) -> None:
        with self.committed:
            assert self.committed.wait_for(lambda: len(self.log) >= commits or self.error, timeout=30), \
                f"the writer made {len(self.log)} commits in 30 s, not {commits}"
        assert self.error is None, self.error

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=30)
        assert not self.is_alive() and self.error is None, self.error


def state_after(log, k: int) -> dict[str, int]:
    """The writer's cases and their event counts after its first k commits."""
    return {number: events for number, events, _document in log[:k]}


# -- a backup taken while the app writes ---------------------------------------------------------

def test_a_backup_taken_while_a_writer_records_events_restores_one_consistent_moment(seeded, make_target,
                                                                                     tmp_path):
    app, writer = seeded, Writer(seeded)
    writer.start()
    writer.wait_for(12)
    before = len(writer.log)  # commits made before the backup began: all must be in it
    at_snapshot = []

    def snapshot_taken(_stage):
        at_snapshot.append(len(writer.log))
        writer.wait_for(at_snapshot[0] + 5)  # commits after the snapshot, while the backup is still running

    summary = backup_operations.create_backup(app.extensions["database"].url, Path(app.config["DOCUMENTS_DIR"]),
                                              tmp_path / "live.tar.gz", on_stage=snapshot_taken)
    writer.stop()
    source_events = events_by_case(app)

    target = make_target("backup_live_target")  # no tables at all
    result = run(target, "backup", "restore", str(tmp_path / "live.tar.gz"))
    assert result.exit_code == 0, result.output
    restored = events_by_case(target)
    written = {number: len(events) for number, events in restored.items() if number.startswith("W-")}

    moments = [k for k in range(len(writer.log) + 1) if state_after(writer.log, k) == written]
    assert moments, "the restored cases are no state the writer went through: not one consistent snapshot"
    assert before <= moments[0] <= at_snapshot[0] < len(writer.log), (before, moments, at_snapshot, len(writer.log))

    # Every restored case is its source case's events up to that moment, seq 1, 2, 3… with nothing missing.
    assert {"2025-010", "2025-012"} <= restored.keys() and restored.keys() <= source_events.keys()
    for number, events in restored.items():
        assert events == source_events[number][:len(events)]
        assert [e[0] for e in events] == list(range(1, len(events) + 1))
    with target.extensions["database"].transaction() as session:
        assert ops.recompute_all(session, TODAY) == 0  # stored deadlines and flags equal a replay
        documents = session.execute(select(Grievance.number, Document).join(Document)).all()
    store = Path(target.config["DOCUMENTS_DIR"])
    expected = {number: data for number, _events, data in writer.log[:moments[0]] if data}
    expected |= {"2025-010": NOTE, "2025-012": NOTE}
    assert {number: document_operations.read(store, d) for number, d in documents} == expected

    manifest = json.loads(read_backup(tmp_path / "live.tar.gz")["manifest.json"])
    assert manifest["counts"] == summary.counts == {
        "cases": len(restored), "events": sum(map(len, restored.values())), "documents": len(expected)}
    assert manifest["tables"] == counts(target) and manifest["database"] == make_url(
        app.extensions["database"].url).get_backend_name()
    assert log_in(target, "officer@example.org").get("/dashboard").status_code == 200  # the app runs on it


# -- the command line: what a backup holds; refusing a database with data ------------------------

def test_backup_create_writes_a_private_complete_file_and_restore_refuses_a_database_with_data(
        seeded, make_target, tmp_path):
    app = seeded
    out = backup(app, tmp_path / "nightly.tar.gz")
    assert not (tmp_path / "nightly.tar.gz.part").exists()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # personal information and password hashes
    members = read_backup(out)
    manifest = json.loads(members["manifest.json"])
    kind = make_url(app.extensions["database"].url).get_backend_name()
    assert list(members) == ["manifest.json", f"database.{'sqlite3' if kind == 'sqlite' else 'pgdump'}",
                             f"documents/{manifest['documents'][0]}"]
    assert manifest["database"] == kind and manifest["format"] == "grievance-tracker/backup"
    assert manifest["alembic_revision"] == schema_revision(app) and manifest["tables"] == counts(app)
    # two cases: opened, filed, the filing voided and recorded again; each filing with the same document
    assert manifest["counts"] == {"cases": 2, "events": 8, "documents": 2} and len(manifest["documents"]) == 1

    refused = run(app, "backup", "restore", str(out))  # its own database holds data
    assert refused.exit_code != 0 and "holds data" in refused.output and "--replace" in refused.output
    assert counts(app) == manifest["tables"]

    migrated = make_target("backup_migrated_target", migrated=True)  # `db upgrade` done, no rows: empty
    assert run(migrated, "backup", "restore", str(out)).exit_code == 0
    assert events_by_case(migrated) == events_by_case(app)

    busy = make_target("backup_busy_target", migrated=True)
    assert run(busy, "schooldays", "load", "--by", "test").exit_code == 0
    assert run(busy, "locals", "add", "etfo-avon-maitland", "Other").exit_code == 0
    open_filed_case(busy, number="OTHER-1", officer_email=None)
    assert "holds data" in run(busy, "backup", "restore", str(out)).output
    assert list(events_by_case(busy)) == ["OTHER-1"]
    replaced = run(busy, "backup", "restore", "--replace", str(out))
    assert replaced.exit_code == 0, replaced.output
    assert "2 cases, 8 events, 2 documents (1 files)" in replaced.output
    assert events_by_case(busy) == events_by_case(app) and counts(busy) == counts(app)
    assert stored_files(busy) == stored_files(app)


def schema_revision(app) -> str:
    with app.extensions["database"].engine.connect() as connection:
        return connection.scalar(text("SELECT version_num FROM alembic_version"))


def test_a_backup_stops_and_leaves_no_file_when_a_document_is_missing(seeded, tmp_path):
    store = Path(seeded.config["DOCUMENTS_DIR"])
    for path in [p for p in store.rglob("*") if p.is_file()]:
        path.unlink()
    result = run(seeded, "backup", "create", "--out", str(tmp_path / "b.tar.gz"))
    assert result.exit_code != 0 and "has no file for grievance.txt of case" in result.output
    assert sorted(p.name for p in tmp_path.iterdir() if "b.tar.gz" in p.name) == []  # no file, no .part


# -- damaged backups change nothing ------------------------------------------------------------

def test_a_damaged_or_truncated_backup_is_refused_and_leaves_the_target_untouched(seeded, make_target, tmp_path):
    good = backup(seeded, tmp_path / "good.tar.gz")
    members = read_backup(good)
    manifest = json.loads(members["manifest.json"])
    database_member = manifest["database_member"]
    document_member = f"documents/{manifest['documents'][0]}"

    def variant(name: str, **changes: bytes) -> Path:
        return write_backup(tmp_path / name, {**members, **changes})

    def manifest_with(**fields) -> bytes:
        return json.dumps({**manifest, **fields}).encode()

    flipped = bytearray(members[database_member])
    flipped[len(flipped) // 2] ^= 0xFF
    other_kind = "postgresql" if manifest["database"] == "sqlite" else "sqlite"
    (tmp_path / "truncated.tar.gz").write_bytes(good.read_bytes()[:good.stat().st_size // 2])
    (tmp_path / "notes.txt").write_text("not a backup\n")
    variant("flipped.tar.gz", **{database_member: bytes(flipped)})
    variant("document.tar.gz", **{document_member: b"other bytes"})
    # Well-formed, every checksum right, one count wrong: found only once restored, and rolled back.
    variant("counts.tar.gz", **{"manifest.json": manifest_with(
        tables=dict(manifest["tables"], grievances=manifest["tables"]["grievances"] + 1))})
    variant("kind.tar.gz", **{"manifest.json": manifest_with(
        database=other_kind, database_member=backup_operations.DATABASE_MEMBER[other_kind])})
    variant("escape.tar.gz", **{"../escape": b"x"})
    damaged = {"truncated.tar.gz": "truncated", "notes.txt": "not a backup",
               "flipped.tar.gz": "does not match its checksum", "document.tar.gz": "does not match its checksum",
               "counts.tar.gz": "does not match the backup's manifest", "kind.tar.gz": "this deployment uses",
               "escape.tar.gz": "which its manifest does not list"}

    target = make_target("backup_damaged_target", migrated=True)
    open_target_case(target)
    before, files = counts(target), stored_files(target)
    for name, message in damaged.items():
        result = run(target, "backup", "restore", "--replace", str(tmp_path / name))
        assert result.exit_code != 0 and message in result.output, (name, result.output)
        assert counts(target) == before and stored_files(target) == files, name
        assert list(events_by_case(target)) == ["OTHER-1"], name
    assert run(target, "backup", "restore", "--replace", str(good)).exit_code == 0  # the good one still restores
    assert events_by_case(target) == events_by_case(seeded)


def open_target_case(target) -> None:
    """The target holds data of its own: calendars, a local, a case with a document."""
    for args in (["schooldays", "load", "--by", "test"], ["locals", "add", "etfo-avon-maitland", "Other"]):
        assert run(target, *args).exit_code == 0
    case_id = open_filed_case(target, number="OTHER-1", officer_email=None)
    store = Path(target.config["DOCUMENTS_DIR"])
    with target.extensions["database"].transaction() as session:
        document_operations.attach(session, store, grievance_id=case_id, event_id=ops.last_event_id(session, case_id),
                                   filename="other.txt", data=b"The target's own document.\n", by="test")


# -- finding pg_dump ---------------------------------------------------------------------------

def fake_tool(directory: Path, name: str, version: str) -> None:
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version}'\n")
    path.chmod(0o755)


def test_pg_dump_older_than_the_server_is_refused_with_the_package_to_install(tmp_path):
    fake_tool(tmp_path / "old", "pg_dump", "13.9")
    with pytest.raises(UserError) as refused:
        backup_operations.pg_tool("pg_dump", 15, str(tmp_path / "old"))
    assert "pg_dump 15 or newer" in str(refused.value) and "13.9" in str(refused.value)
    assert "apt-get install postgresql-client-15" in str(refused.value) and "PG_BIN_DIR" in str(refused.value)
    (tmp_path / "none").mkdir()
    with pytest.raises(UserError, match="none found"):
        backup_operations.pg_tool("pg_dump", 15, str(tmp_path / "none"))
    fake_tool(tmp_path / "new", "pg_dump", "17.2")
    assert backup_operations.pg_tool("pg_dump", 15, str(tmp_path / "new")) == (tmp_path / "new" / "pg_dump", "17.2")


def test_a_postgresql_backup_without_a_usable_pg_dump_says_so_and_writes_nothing(database_url, request, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_dump backs up PostgreSQL only")
    app = request.getfixturevalue("app")
    fake_tool(tmp_path / "old", "pg_dump", "9.6")
    result = run(app, "backup", "create", "--out", str(tmp_path / "b.tar.gz"), "--pg-bin", str(tmp_path / "old"))
    assert result.exit_code != 0 and "postgresql-client-" in result.output
    assert not (tmp_path / "b.tar.gz").exists() and not (tmp_path / "b.tar.gz.part").exists()
    assert [name for name in os.listdir(tmp_path) if "b.tar.gz" in name] == []  # nor the snapshot's directory
