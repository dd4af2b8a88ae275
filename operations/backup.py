"""A whole deployment (database and documents) as one backup file, taken while
the app keeps writing, and its restore into an empty database.

The backup is a gzip-compressed tar (format BACKUP_FORMAT), members in this order:

    manifest.json          format and version, the database kind (sqlite or postgresql), the
                           Alembic revision, when it was made, the row count of every table (and
                           of cases, events and documents by name), the SHA-256 of the database
                           member, and the SHA-256 of every document file the database refers to
    database.sqlite3       SQLite: the database file, or
    database.pgdump        PostgreSQL: pg_dump's custom format
    documents/<sha256>     each document file referred to, once

It is written to NAME.part (mode 0600: it holds password hashes and members'
personal information) and renamed to NAME only when complete, so a file under
the final name is always a whole backup.

Consistency while the app writes
--------------------------------
Every fact in the backup is read from ONE snapshot of the database:

* SQLite: the online backup API (sqlite3.Connection.backup) copies the whole
  database in a single step, i.e. inside one read transaction. In WAL mode the
  app's writers go on committing meanwhile; the copy holds exactly what was
  committed when the step began. The manifest is then read from the copy.
* PostgreSQL: a REPEATABLE READ READ ONLY transaction exports its snapshot
  (pg_export_snapshot), reads the manifest's facts, and stays open while
  `pg_dump --snapshot=…` dumps that very snapshot. So the counts and document
  hashes in the manifest are those of the dump, not of a moment later.
  pg_dump rather than reading every table ourselves: it already knows how to
  reproduce the schema exactly (constraints, indexes, sequences at their
  values), its custom format is compressed and checked by pg_restore, and an
  operator can restore it by hand with standard tools if this code is gone.
  The price is a dependency on the PostgreSQL client tools, at least as new as
  the server (pg_tool finds them and names the package to install).

Documents are copied after the snapshot. operations.documents.attach writes a
file (to a temporary name, then renamed) BEFORE its row is flushed, and the row
only becomes visible when its transaction commits; files are never deleted.
So every document a snapshot refers to is already in the store, whatever has
been committed since. A file missing or not matching its checksum stops the
backup with an error naming it.

Restore
-------
Into an empty database (one without tables, or migrated but holding no rows),
or, with replace=True, over whatever the database holds. Nothing is touched
until the backup has been read in full and every member matches the manifest
(a truncated or damaged file is refused). Then:

* SQLite: the database is checked in a staging copy (integrity_check,
  foreign_key_check, every count, the revision, the document hashes), the
  documents are put in the store, and the copy replaces the target's content
  with the backup API, in one write transaction of the target.
* PostgreSQL: psql runs, in ONE transaction, a prelude (lock every table;
  refuse if any holds a row unless replace; drop them), pg_restore's SQL, and
  a check of every count, the revision and the document hashes against the
  manifest. Any failure rolls all of it back.

A SQLite backup restores only into SQLite, a PostgreSQL one only into
PostgreSQL (moving a local between kinds is what `archive export/restore` does).
Document files put in the store by a restore that then fails are removed again.

Sizes are checked before anything is read: a gzip stream of a few hundred
kilobytes can inflate to gigabytes, and tarfile reads an extended header (pax,
GNU long name) into memory whole, before the member it describes. So a header
larger than HEADER_LIMIT, a GNU sparse member (never written here), a manifest
larger than MANIFEST_LIMIT or nested deeper than the gate allows, a database
member of another size than the manifest's database_bytes, and a document larger
than operations.documents.MAX_BYTES are refused from their headers, unread.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import URL, create_engine, inspect, make_url, text

from gate import read_json
from school_calendar.errors import UserError

from .documents import MAX_BYTES as DOCUMENT_MAX_BYTES

BACKUP_FORMAT = "grievance-tracker/backup"
BACKUP_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
NAMED_COUNTS = {"cases": "grievances", "events": "grievance_events", "documents": "documents"}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_CHUNK = 1024 * 1024
MANIFEST_LIMIT = 64 * 1024 * 1024  # about 900,000 documents listed
HEADER_LIMIT = 1024 * 1024         # a pax or GNU long-name header: a name, a size, a time
_NO_FIX = "Use another copy of the backup; this one cannot be restored."


@dataclass(frozen=True)
class Facts:
    """What a manifest states about a database, read from one snapshot of it."""

    revision: str
    tables: dict[str, int]
    documents: dict[str, tuple[str, str]]  # sha256 -> (a file name, its case number)

    def counts(self) -> dict[str, int]:
        return {name: self.tables.get(table, 0) for name, table in NAMED_COUNTS.items()}


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    database: str
    revision: str
    counts: dict[str, int]
    document_files: int
    size: int
    seconds: float


@dataclass
class _Snapshot:
    kind: str
    file: Path
    facts: Facts
    extra: dict = field(default_factory=dict)  # e.g. the PostgreSQL and pg_dump versions


def database_kind(url: str) -> str:
    kind = make_url(url).get_backend_name()
    if kind not in DATABASE_MEMBER:
        raise UserError(f"Backups support SQLite and PostgreSQL, not {kind}.", field="database",
                        fix="Point DATABASE_URL at a SQLite or PostgreSQL database.")
    return kind


# -- create ------------------------------------------------------------------------------------

def create_backup(url: str, store: Path, out: Path, *, pg_bin: str | None = None,
                  on_stage: Callable[[str], None] | None = None, now: datetime | None = None) -> BackupSummary:
    """Back up the database at `url` and the documents in `store` to `out`.

    on_stage("snapshot") is called once the database snapshot is fixed (on
    PostgreSQL while it is still held, before pg_dump runs): whatever is
    committed after that is not in the backup."""
    started, kind, out = time.monotonic(), database_kind(url), Path(out)
    partial = out.with_name(out.name + ".part")
    stage = on_stage or (lambda _name: None)
    try:
        with tempfile.TemporaryDirectory(prefix=f".{out.name}.", dir=out.parent) as work:
            if kind == "sqlite":
                snapshot = _snapshot_sqlite(url, Path(work))
                stage("snapshot")
            else:
                snapshot = _snapshot_postgres(url, Path(work), pg_bin, stage)
            manifest = _manifest(snapshot, now or datetime.now(timezone.utc))
            _write_archive(partial, manifest, snapshot, Path(store))
        partial.replace(out)  # only a complete backup ever carries the final name
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupSummary(out, kind, snapshot.facts.revision, snapshot.facts.counts(), len(snapshot.facts.documents),
                         out.stat().st_size, time.monotonic() - started)


def _manifest(snapshot: _Snapshot, now: datetime) -> dict:
    facts = snapshot.facts
    return {
        "format": BACKUP_FORMAT, "format_version": BACKUP_VERSION, "database": snapshot.kind,
        "database_member": DATABASE_MEMBER[snapshot.kind], "database_sha256": _file_sha256(snapshot.file),
        "database_bytes": snapshot.file.stat().st_size, "alembic_revision": facts.revision,
        "created_at": now.astimezone(timezone.utc).isoformat(timespec="seconds"),
        "counts": facts.counts(), "tables": facts.tables, "documents": sorted(facts.documents), **snapshot.extra,
        "contains": "every case, member name and document, and the password hashes of every account: "
                    "keep this file as safe as the database",
    }


def _snapshot_sqlite(url: str, work: Path) -> _Snapshot:
    source_path = _sqlite_path(url)
    if not source_path.exists():  # sqlite3.connect would quietly create an empty one
        raise UserError(f"There is no SQLite database at {source_path}.", field="database",
                        fix="Check DATABASE_URL (or run `flask --app app db upgrade` to create it).")
    copy = work / DATABASE_MEMBER["sqlite"]
    source, target = sqlite3.connect(source_path, timeout=30), sqlite3.connect(copy)
    try:
        source.backup(target)  # pages=-1: the whole database in one step, i.e. one read transaction
        target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        facts = _read_facts(_sqlite_rows(target), _sqlite_tables(target), "")
    finally:
        source.close()
        target.close()
    return _Snapshot("sqlite", copy, facts, {"sqlite_version": sqlite3.sqlite_version})


def _snapshot_postgres(url: str, work: Path, pg_bin: str | None, stage: Callable[[str], None]) -> _Snapshot:
    dump = work / DATABASE_MEMBER["postgresql"]
    engine = create_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ",
                                                postgresql_readonly=True) as connection, connection.begin():
            snapshot_id = connection.scalar(text("SELECT pg_export_snapshot()"))
            server = connection.scalar(text("SHOW server_version_num"))
            pg_dump, version = pg_tool("pg_dump", int(server) // 10000, pg_bin)
            facts = _read_facts(_alchemy_rows(connection), _postgres_tables(connection), "public.")
            stage("snapshot")
            # The transaction stays open until pg_dump is done: the snapshot it exported lives as long.
            _run_pg_dump(pg_dump, url, snapshot_id, dump)
    finally:
        engine.dispose()
    return _Snapshot("postgresql", dump, facts, {"postgresql_version": _server_version(int(server)),
                                                 "pg_dump_version": version})


def _run_pg_dump(pg_dump: Path, url: str, snapshot_id: str, dump: Path) -> None:
    uri, env = _libpq(url)
    _run([str(pg_dump), "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot_id}",
          f"--file={dump}", f"--dbname={uri}"], env, "pg_dump could not dump the database")


def _write_archive(partial: Path, manifest: dict, snapshot: _Snapshot, store: Path) -> None:
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as raw:
        with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as archive:
            _add(archive, MANIFEST, json.dumps(manifest, indent=2).encode() + b"\n")
            with snapshot.file.open("rb") as database:
                _add(archive, DATABASE_MEMBER[snapshot.kind], database, snapshot.file.stat().st_size)
            for digest in sorted(snapshot.facts.documents):
                _add(archive, f"documents/{digest}", _document(store, digest, *snapshot.facts.documents[digest]))
        raw.flush()
        os.fsync(raw.fileno())


def _document(store: Path, digest: str, filename: str, case: str) -> bytes:
    try:
        data = (store / digest[:2] / digest).read_bytes()
    except FileNotFoundError:
        raise UserError(f"The documents store ({store}) has no file for {filename} of case {case} ({digest}).",
                        field="documents", fix="Restore that file into DOCUMENTS_DIR from an earlier backup, "
                                               "then back up again.") from None
    if hashlib.sha256(data).hexdigest() != digest:
        raise UserError(f"The stored copy of {filename} of case {case} does not match its checksum.",
                        field="documents", fix="Restore that file into DOCUMENTS_DIR from an earlier backup, "
                                               "then back up again.")
    return data


def _add(archive: tarfile.TarFile, name: str, data, size: int | None = None) -> None:
    info = tarfile.TarInfo(name)
    info.mode, info.mtime = 0o600, int(time.time())
    if isinstance(data, bytes):
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    else:
        info.size = size
        archive.addfile(info, data)


# -- restore -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RestoreSummary:
    database: str
    revision: str
    counts: dict[str, int]
    document_files: int
    created_at: str


@dataclass
class _Unpacked:
    manifest: dict
    database: Path
    documents: dict[str, Path]


def restore_backup(url: str, store: Path, backup: Path, *, replace: bool = False,
                   known_revisions: set[str] | None = None, pg_bin: str | None = None) -> RestoreSummary:
    """Restore `backup` into the database at `url` and the documents into `store`: all or nothing."""
    kind, store = database_kind(url), Path(store)
    with tempfile.TemporaryDirectory(prefix="tracker-restore-") as work:
        unpacked = _unpack(Path(backup), Path(work),
                           lambda manifest: _check_compatible(manifest, kind, known_revisions, Path(backup).name))
        if not replace:
            _refuse_if_holding_data(url)
        if kind == "sqlite":
            _check_staged_sqlite(unpacked)
        added = _install_documents(store, unpacked.documents)
        try:
            if kind == "sqlite":
                _swap_sqlite(url, unpacked.database)
            else:
                _restore_postgres(url, unpacked, replace, pg_bin)
        except BaseException:
            for path in added:  # the database is as it was: so is the store
                path.unlink(missing_ok=True)
            raise
    facts = _target_facts(url)
    _require_match(facts, unpacked.manifest, "The restored database")
    return RestoreSummary(kind, facts.revision, facts.counts(), len(facts.documents),
                          str(unpacked.manifest.get("created_at")))


def _unpack(path: Path, work: Path, accept: Callable[[dict], None]) -> _Unpacked:
    """Read the whole backup into `work`, checking every member against the manifest
    (which `accept` checks first, before anything else is read)."""
    manifest, database, documents = None, None, {}
    try:
        with tarfile.open(path, mode="r|*", tarinfo=_BoundedTarInfo) as archive:
            for member in archive:
                if manifest is None:
                    manifest = _read_manifest(archive, member, path.name)
                    accept(manifest)
                    continue
                target, digest = _member_target(member, manifest, work, path.name)
                if _copy_member(archive, member, target) != digest:
                    raise _damaged(path.name, f"{member.name} does not match its checksum")
                if member.name.startswith("documents/"):
                    documents[digest] = target
                else:
                    database = target
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise _damaged(path.name, f"it is truncated or not a backup: {error}") from None
    if manifest is None or database is None:
        raise _damaged(path.name, "it has no database in it")
    missing = set(manifest["documents"]) - set(documents)
    if missing:
        raise _damaged(path.name, f"{len(missing)} document(s) listed in its manifest are not in it")
    return _Unpacked(manifest, database, documents)


class _BoundedTarInfo(tarfile.TarInfo):
    """tarfile's member header, refusing before it is read what tarfile would read whole into
    memory: an extended header over HEADER_LIMIT (tarfile's own hook for this is _proc_member)."""

    def _proc_member(self, tarfile_):
        if self.type == tarfile.GNUTYPE_SPARSE:
            raise _refused_unread(f"it holds a sparse member ({self.name!r}), which no backup of this tracker has")
        extended = (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE, tarfile.GNUTYPE_LONGNAME,
                    tarfile.GNUTYPE_LONGLINK)
        if self.type in extended and self.size > HEADER_LIMIT:
            raise _refused_unread(f"one of its headers would take {self.size:,} bytes; at most {HEADER_LIMIT:,} "
                                  "are read")
        return super()._proc_member(tarfile_)


def _read_manifest(archive: tarfile.TarFile, member: tarfile.TarInfo, name: str) -> dict:
    if member.name != MANIFEST or not member.isfile() or member.size > MANIFEST_LIMIT:
        raise UserError(f"{name} is not a backup of this tracker (it does not begin with its manifest).",
                        field="backup", fix="Give a file written by `flask --app app backup create`.")
    try:
        manifest = read_json(archive.extractfile(member).read(MANIFEST_LIMIT + 1), source="backup")
    except UserError as error:
        raise _damaged(name, f"its manifest cannot be read ({error.message})") from None
    _check_manifest(manifest, name)
    return manifest


def _check_manifest(manifest, name: str) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise UserError(f"{name} is not a backup of this tracker.", field="backup",
                        fix="Give a file written by `flask --app app backup create`.")
    if not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > BACKUP_VERSION:
        raise UserError(f"{name} comes from a newer version of the tracker.", field="backup",
                        fix="Upgrade this deployment first, then restore.")
    well_formed = (manifest.get("database") in DATABASE_MEMBER
                   and manifest.get("database_member") == DATABASE_MEMBER[manifest["database"]]
                   and _SHA256.match(str(manifest.get("database_sha256")))
                   and type(manifest.get("database_bytes")) is int and manifest["database_bytes"] >= 0
                   and re.match(r"^[0-9A-Za-z_]+$", str(manifest.get("alembic_revision")))
                   and isinstance(manifest.get("tables"), dict)
                   and all(_IDENTIFIER.match(str(t)) and type(n) is int and n >= 0
                           for t, n in manifest["tables"].items())
                   and isinstance(manifest.get("documents"), list)
                   and all(_SHA256.match(str(d)) for d in manifest["documents"]))
    if not well_formed:
        raise _damaged(name, "its manifest is incomplete")


def _member_target(member: tarfile.TarInfo, manifest: dict, work: Path, name: str) -> tuple[Path, str]:
    """Where a member goes in the staging directory, and the checksum it must have. Anything
    else (links, paths elsewhere, a member twice, one the manifest does not list) is refused."""
    if member.isfile() and member.name == manifest["database_member"]:
        target, digest = work / member.name, manifest["database_sha256"]
        if member.size != manifest["database_bytes"]:  # checked from the header: nothing of it is read yet
            raise _damaged(name, f"its {member.name} is {member.size:,} bytes, its manifest says "
                                 f"{manifest['database_bytes']:,}")
    elif member.isfile() and member.name.startswith("documents/") and member.name[10:] in manifest["documents"]:
        digest = member.name[10:]
        target = work / "documents" / digest
        if member.size > DOCUMENT_MAX_BYTES:
            raise _damaged(name, f"its {member.name} is {member.size:,} bytes; no document is larger than "
                                 f"{DOCUMENT_MAX_BYTES:,}")
    else:
        raise _damaged(name, f"it holds {member.name!r}, which its manifest does not list")
    if target.exists():
        raise _damaged(name, f"it holds {member.name} twice")
    target.parent.mkdir(exist_ok=True)
    return target, digest


def _copy_member(archive: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> str:
    digest, source = hashlib.sha256(), archive.extractfile(member)
    with target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _check_compatible(manifest: dict, kind: str, known_revisions: set[str] | None, name: str) -> None:
    if manifest["database"] != kind:
        raise UserError(f"{name} is a backup of a {manifest['database']} database; this deployment uses {kind}.",
                        field="backup", fix="Restore it into a database of its own kind; to move a local between "
                                            "kinds use `flask --app app archive export` and `archive restore`.")
    if known_revisions is not None and manifest["alembic_revision"] not in known_revisions:
        raise UserError(f"{name} has schema revision {manifest['alembic_revision']}, which this version of the "
                        "tracker does not know.", field="backup", fix="Upgrade this deployment first, then restore.")


def _refuse_if_holding_data(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            quote = engine.dialect.identifier_preparer.quote
            for table in inspect(connection).get_table_names():
                if table != "alembic_version" and connection.scalar(text(f"SELECT 1 FROM {quote(table)} LIMIT 1")):
                    raise _holds_data(table)
    finally:
        engine.dispose()


def _holds_data(table: str) -> UserError:
    return UserError(f"The database holds data (table {table} is not empty); a restore replaces all of it.",
                     field="database", fix="Restore into an empty database (a new one, or one just created with "
                                           "`flask --app app db upgrade`), or add --replace to overwrite this one.")


def _check_staged_sqlite(unpacked: _Unpacked) -> None:
    connection = sqlite3.connect(unpacked.database)
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")] != ["ok"]
        problems = problems or connection.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise _damaged(unpacked.database.name, "its SQLite database fails the integrity check")
        facts = _read_facts(_sqlite_rows(connection), _sqlite_tables(connection), "")
    except sqlite3.DatabaseError as error:
        raise _damaged(unpacked.database.name, f"its SQLite database cannot be read ({error})") from None
    finally:
        connection.close()
    _require_match(facts, unpacked.manifest, "The backup's database")


def _install_documents(store: Path, documents: dict[str, Path]) -> list[Path]:
    """Put each document in the store (already checked); return the files that were not there."""
    added = []
    for digest, staged in documents.items():
        path = store / digest[:2] / digest
        if path.exists() and _file_sha256(path) == digest:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        shutil.copyfile(staged, temporary)
        temporary.replace(path)  # never a half-written file under the final name
        added.append(path)
    return added


def _swap_sqlite(url: str, staged: Path) -> None:
    """Replace the target's whole content with the staged copy, in one write transaction of the target."""
    source, target = sqlite3.connect(staged), sqlite3.connect(_sqlite_path(url), timeout=30)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def _restore_postgres(url: str, unpacked: _Unpacked, replace: bool, pg_bin: str | None) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            server = int(connection.scalar(text("SHOW server_version_num")))
    finally:
        engine.dispose()
    dumped_by = int(str(unpacked.manifest.get("pg_dump_version", "0")).split(".")[0] or 0)
    pg_restore, _version = pg_tool("pg_restore", max(server // 10000, dumped_by), pg_bin)
    psql = pg_restore.with_name("psql")
    work, (uri, env) = unpacked.database.parent, _libpq(url)
    script = work / "restore.sql"
    _run([str(pg_restore), "--no-owner", "--no-privileges", f"--file={script}", str(unpacked.database)], env,
         "pg_restore could not read the backup's dump")
    (work / "prelude.sql").write_text(_prelude(replace))
    (work / "check.sql").write_text(_check_sql(unpacked.manifest))
    result = subprocess.run([str(psql), "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1",
                             f"--dbname={uri}", "-f", str(work / "prelude.sql"), "-f", str(script),
                             "-f", str(work / "check.sql")], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise _psql_error(result.stderr)


def _prelude(replace: bool) -> str:
    """Lock every table; unless replacing, refuse if any holds a row; then drop them all.
    The same transaction as the restore, so no one writes in between."""
    check = "" if replace else (
        "    IF t <> 'alembic_version' THEN\n"
        "      EXECUTE format('SELECT EXISTS (SELECT 1 FROM public.%I)', t) INTO found;\n"
        "      IF found THEN RAISE EXCEPTION 'backup restore: the database holds data (table %)', t; END IF;\n"
        "    END IF;\n")
    return ("SET client_min_messages = warning;\nSET lock_timeout = '60s';\n"
            "DO $prelude$\nDECLARE t text; found boolean;\nBEGIN\n"
            "  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP\n"
            "    EXECUTE format('LOCK TABLE public.%I IN ACCESS EXCLUSIVE MODE', t);\n" + check +
            "  END LOOP;\n"
            "  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP\n"
            "    EXECUTE format('DROP TABLE IF EXISTS public.%I CASCADE', t);\n  END LOOP;\n"
            "  FOR t IN SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public' LOOP\n"
            "    EXECUTE format('DROP SEQUENCE IF EXISTS public.%I CASCADE', t);\n  END LOOP;\n"
            "END $prelude$;\n")


def _check_sql(manifest: dict) -> str:
    """The restored tables against the manifest, before the transaction commits. Every value
    inlined here was validated by _check_manifest (identifiers, integers, hex)."""
    lines = ["DO $check$\nDECLARE n bigint; v text;\nBEGIN"]
    for table, count in sorted(manifest["tables"].items()):
        lines.append(f"  SELECT count(*) INTO n FROM public.{table};\n"
                     f"  IF n <> {count} THEN RAISE EXCEPTION 'backup check: table {table} has % rows, "
                     f"the manifest says {count}', n; END IF;")
    lines.append("  SELECT string_agg(version_num, ',') INTO v FROM public.alembic_version;\n"
                 f"  IF v IS DISTINCT FROM '{manifest['alembic_revision']}' THEN RAISE EXCEPTION "
                 f"'backup check: schema revision %, the manifest says {manifest['alembic_revision']}', v; END IF;")
    lines.append("  SELECT encode(sha256(convert_to(coalesce(string_agg(s, ',' ORDER BY s), ''), 'UTF8')), 'hex') "
                 "INTO v FROM (SELECT DISTINCT sha256 COLLATE \"C\" AS s FROM public.documents) AS d;\n"
                 f"  IF v <> '{_documents_digest(manifest['documents'])}' THEN RAISE EXCEPTION "
                 "'backup check: the documents referred to differ from the manifest''s'; END IF;")
    lines.append("END $check$;\n")
    return "\n".join(lines)


def _psql_error(stderr: str) -> UserError:
    errors = [line.split("ERROR:", 1)[1].strip() for line in stderr.splitlines() if "ERROR:" in line]
    error = errors[0] if errors else stderr.strip()[-500:]
    held = re.search(r"backup restore: the database holds data \(table (\w+)\)", error)
    if held:
        return _holds_data(held.group(1))
    if error.startswith("backup check:"):
        return UserError(f"The restored database does not match the backup's manifest ({error[14:]}); the restore "
                         "was rolled back and the database is as it was.", field="backup", fix=_NO_FIX)
    return UserError(f"PostgreSQL refused the restore ({error}); it was rolled back and the database is as it was.",
                     field="database", fix="Fix the cause named above (permissions, disk space) and restore again.")


# -- reading the facts of a database -----------------------------------------------------------

def _read_facts(rows: Callable[[str], list], tables: list[str], prefix: str) -> Facts:
    """Row counts, revision and documents, through `rows(sql)`, all in the caller's one snapshot."""
    if "alembic_version" not in tables or "documents" not in tables:
        raise UserError("The database has no tracker tables.", field="database",
                        fix="Check DATABASE_URL, or run `flask --app app db upgrade` first.")
    counts = {table: rows(f'SELECT count(*) FROM {prefix}"{table}"')[0][0] for table in tables}
    revisions = [row[0] for row in rows(f"SELECT version_num FROM {prefix}alembic_version")]
    documents = {sha: (filename, number) for sha, filename, number in rows(
        f"SELECT d.sha256, d.filename, g.number FROM {prefix}documents d "
        f"JOIN {prefix}grievances g ON g.id = d.grievance_id ORDER BY d.id")}
    return Facts(",".join(revisions), counts, documents)


def _target_facts(url: str) -> Facts:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            prefix = "public." if engine.dialect.name == "postgresql" else ""
            return _read_facts(_alchemy_rows(connection), inspect(connection).get_table_names(), prefix)
    finally:
        engine.dispose()


def _require_match(facts: Facts, manifest: dict, what: str) -> None:
    differences = [f"{table}: {facts.tables.get(table, 'no table')} rows, the manifest says {count}"
                   for table, count in sorted(manifest["tables"].items()) if facts.tables.get(table) != count]
    if facts.revision != manifest["alembic_revision"]:
        differences.append(f"schema revision {facts.revision}, the manifest says {manifest['alembic_revision']}")
    if sorted(facts.documents) != sorted(manifest["documents"]):
        differences.append("the documents referred to differ from the manifest's")
    if differences:
        raise UserError(f"{what} does not match the backup's manifest: {'; '.join(differences)}.", field="backup",
                        fix=_NO_FIX)


def _sqlite_rows(connection: sqlite3.Connection) -> Callable[[str], list]:
    return lambda sql: connection.execute(sql).fetchall()


def _alchemy_rows(connection) -> Callable[[str], list]:
    return lambda sql: connection.execute(text(sql)).all()


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    return [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def _postgres_tables(connection) -> list[str]:
    return list(connection.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")))


# -- PostgreSQL client tools -------------------------------------------------------------------

def pg_tool(name: str, server_major: int, bin_dir: str | None = None) -> tuple[Path, str]:
    """The newest `name` (pg_dump, pg_restore) at least as new as the server, with its version.
    Looked for in bin_dir only when given, else on PATH and in /usr/lib/postgresql/*/bin."""
    found = []
    for path in _tool_candidates(name, bin_dir):
        version = _tool_version(path)
        if version:
            found.append((tuple(int(p) for p in version.split(".")), version, path))
    usable = [entry for entry in found if entry[0][0] >= server_major]
    if usable:
        _key, version, path = max(usable)
        return path, version
    seen = ", ".join(f"{path} ({version})" for _key, version, path in found) or "none found"
    raise UserError(f"{name} {server_major} or newer is needed for this PostgreSQL {server_major} server "
                    f"({name} seen: {seen}).", field="pg_bin",
                    fix=f"Install the PostgreSQL {server_major} client tools (Debian/Ubuntu: apt-get install "
                        f"postgresql-client-{server_major}), or give their directory with --pg-bin or PG_BIN_DIR.")


def _tool_candidates(name: str, bin_dir: str | None) -> list[Path]:
    if bin_dir:
        return [Path(bin_dir) / name]
    paths = [Path(p) for p in [shutil.which(name)] if p]
    paths += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    # Not resolved: Debian's /usr/bin/pg_dump is a link to a wrapper that goes by the name it is called with.
    return list(dict.fromkeys(paths))


def _tool_version(path: Path) -> str | None:
    try:
        output = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\) (\d+(?:\.\d+)?)", output)
    return match.group(1) if match else None


def _libpq(url: str) -> tuple[str, dict]:
    """A libpq URI for the command-line tools, the password in the environment (not on the command line,
    where other users of the machine could read it)."""
    parsed = make_url(url)
    uri = URL.create("postgresql", username=parsed.username, host=parsed.host, port=parsed.port,
                     database=parsed.database, query=parsed.query).render_as_string(hide_password=False)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return uri, env


def _run(command: list[str], env: dict, what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise UserError(f"{what}: {result.stderr.strip()[-800:]}", field="database",
                        fix="Fix the cause named above and run the command again.")


def _server_version(number: int) -> str:
    return f"{number // 10000}.{number % 10000}"


# -- small helpers -----------------------------------------------------------------------------

def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise UserError("An in-memory SQLite database cannot be backed up or restored.", field="database",
                        fix="Point DATABASE_URL at a SQLite file.")
    return Path(database)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _documents_digest(documents: list[str]) -> str:
    return hashlib.sha256(",".join(sorted(set(documents))).encode()).hexdigest()


def _damaged(name: str, why: str) -> UserError:
    return UserError(f"{name} cannot be restored: {why}. Nothing was changed.", field="backup", fix=_NO_FIX)


def _refused_unread(why: str) -> UserError:
    """From inside tarfile, which does not know the file's name."""
    return UserError(f"The backup is refused before reading it further: {why}. Nothing was changed.",
                     field="backup", fix=_NO_FIX)


__all__ = ["BACKUP_FORMAT", "BACKUP_VERSION", "BackupSummary", "RestoreSummary", "create_backup", "restore_backup",
           "database_kind", "pg_tool"]
