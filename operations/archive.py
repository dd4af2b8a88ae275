"""A whole local as one zip archive, and its restore into an empty database.

The archive (format ARCHIVE_FORMAT) holds:

    manifest.json                      format, version, the local, when, by whom, counts
    local.json                         the local's slug and name
    users.json                         every account of the local, WITH its password hash
                                       (scrypt), role, digest settings and whether it is active
    cases/NNNN.json                    one per case: the case format of operations.exports (every
                                       event, voids, documents' metadata, deadline moves), the
                                       stewards assigned, and the derived facts as stored
    documents/<sha256>                 the documents' files, from the documents store
    calendars/<board>/board.json       each board the cases count on, its school years and its
                                       change log (who changed it, when, why)
    calendars/<board>/<year>.schoolyear  each school year as its calendar file (closures included)

Not in it: the calendar-feed links (secrets a restored deployment should not
inherit: users make new ones), the digests sent and the login attempts.

Restoring refuses a database where the local already has users or cases (an
empty local of that slug is reused), and an account whose email exists. It
runs in one transaction: the local, its users, the board calendars the
database lacks (a school year the database holds must be equal, unless
replace_calendars), the cases with their events and documents, the stored
derived facts; then operations.grievances.recompute_all replays every case and
fixes (and counts) any stored fact that no longer holds. The documents' files
are written to the store first; should the transaction fail, they stay there
unreferenced (named by their checksum, they are harmless).

Bounded before anything is read
-------------------------------
A zip says in its directory how large each member will be once inflated, and
a few hundred kilobytes can inflate to gigabytes (a 400 KB archive whose
manifest inflated to 400 MB took 905 MB of memory before its refusal). So the
directory is checked first, before any member is opened: at most MAX_MEMBERS
members (counted from the end-of-directory record, before Python's zipfile
builds an object for each); each member no larger than its kind may be
(MEMBER_LIMITS: a case's JSON 32 MB, a document 10 MB, ...); no member over
1 MB inflating more than MAX_RATIO (200) times its compressed size, nor the whole
archive beyond 64 MB unless it is at most MAX_RATIO times its compressed size.
Each member is then read with a bounded read (never more than its limit,
whatever the directory says), its JSON no deeper than the gate allows
(gate.read_json). A refusal comes before anything is written.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gate import read, read_json
from gate.inputs import CaseImport
from models import (Board, CalendarChange, DeadlineRecord, Document, FlagRecord, Grievance, StewardAssignment,
                    UnionLocal, User)
from school_calendar.calendar_file import format_school_year, parse_school_year
from school_calendar.errors import UserError

from . import calendars as calendar_operations
from . import exports
from . import grievances as ops
from .documents import MAX_BYTES as DOCUMENT_MAX_BYTES
from .documents import read as read_document

ARCHIVE_FORMAT = "grievance-tracker/local-archive"
ARCHIVE_VERSION = 1
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DEADLINE_FIELDS = ("key", "clause", "party", "trigger", "trigger_date", "n", "unit", "delay", "extended_to", "due",
                    "safe_due", "act_by", "status", "is_open", "ended_on", "error")
_DATE_FIELDS = {"trigger_date", "extended_to", "due", "safe_due", "act_by", "ended_on", "date"}
_FLAG_FIELDS = ("code", "clause", "message", "deadline_key", "date")

MB = 1024 * 1024
# A local of 50,000 cases and 100,000 documents has about 150,000 members.
MAX_MEMBERS = 200_000
# How large each kind of member may inflate to: (pattern of its name, most bytes). A case holds at
# most 1,000 events of bounded text (gate/fields.py); a document at most operations.documents.MAX_BYTES.
MEMBER_LIMITS = (
    (re.compile(r"manifest\.json|users\.json"), 16 * MB),
    (re.compile(r"local\.json"), MB),
    (re.compile(r"cases/[^/]{1,64}\.json"), 32 * MB),
    (re.compile(r"documents/[0-9a-f]{64}"), DOCUMENT_MAX_BYTES),
    (re.compile(r"calendars/[^/]{1,64}/board\.json"), 16 * MB),
    (re.compile(r"calendars/[^/]{1,64}/[^/]{1,16}\.schoolyear"), MB),
)
# Deflate reaches about 1,000:1 on a run of one byte; the tracker's JSON, calendar files and documents
# inflate 1 to 20 times.
MAX_RATIO = 200
RATIO_FROM = MB          # members smaller than this may compress as well as they like
FREE_TOTAL = 64 * MB     # an archive may inflate to this much whatever its ratio


@dataclass(frozen=True)
class ArchiveSummary:
    local: str
    users: int
    cases: int
    events: int
    documents: int
    boards: list[str]
    recomputed: int = 0  # restore: cases whose stored facts the recompute changed


# -- export ----------------------------------------------------------------------------------------

def export_local(session: Session, store: Path, slug: str, target: BinaryIO | Path, *, today: date,
                 by: str, now: datetime | None = None) -> ArchiveSummary:
    """Write the local `slug` as a zip archive to `target` (a path or a binary file)."""
    if session.get_bind().dialect.name == "postgresql":  # one snapshot of the whole local, however long it takes
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    now = now or datetime.now(timezone.utc)
    local = session.scalar(select(UnionLocal).where(UnionLocal.slug == slug))
    if local is None:
        raise UserError(f"There is no union local '{slug}'.", field="local", fix="Give the slug of a local.")
    users = list(session.scalars(select(User).where(User.local_id == local.id).order_by(User.id)))
    cases = list(session.scalars(select(Grievance).where(Grievance.local_id == local.id).order_by(Grievance.id)))
    emails = {u.id: u.email for u in session.scalars(select(User))}
    board_ids = sorted({c.board_id for c in cases})
    boards = [session.get(Board, board_id) for board_id in board_ids]
    events = documents = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("local.json", _dump({"slug": local.slug, "name": local.name}))
        archive.writestr("users.json", _dump([_user_json(u) for u in users]))
        written: set[str] = set()
        for index, case in enumerate(cases, start=1):
            data = exports.case_json(session, case, today=today, now=now, derived=False)
            data["stewards"] = sorted(emails[a.user_id] for a in session.scalars(
                select(StewardAssignment).where(StewardAssignment.grievance_id == case.id)))
            data["stored"] = _stored_json(session, case)
            archive.writestr(f"cases/{index:04d}.json", _dump(data))
            events += len(data["events"])
            for document in session.scalars(select(Document).where(Document.grievance_id == case.id)):
                documents += 1
                if document.sha256 not in written:
                    archive.writestr(f"documents/{document.sha256}", _document_bytes(store, case, document))
                    written.add(document.sha256)
        for board in boards:
            calendar = calendar_operations.board_calendar(session, board.slug)
            changes = calendar_operations.calendar_changes(session, board.slug)
            archive.writestr(f"calendars/{board.slug}/board.json", _dump({
                "slug": board.slug, "name": board.name, "school_years": list(calendar.years),
                "changes": [{"school_year": c.school_year_label, "changed_at": exports.stamp(c.changed_at),
                             "changed_by": c.changed_by, "action": c.action, "reason": c.reason,
                             "details": c.details} for c in changes]}))
            for label, year in calendar.years.items():
                archive.writestr(f"calendars/{board.slug}/{label}.schoolyear", format_school_year(year))
        summary = ArchiveSummary(local.slug, len(users), len(cases), events, documents, [b.slug for b in boards])
        archive.writestr("manifest.json", _dump({
            "format": ARCHIVE_FORMAT, "format_version": ARCHIVE_VERSION, "local": local.slug,
            "exported_at": exports.stamp(now), "exported_by": by, "today": today.isoformat(),
            "counts": {"users": summary.users, "cases": summary.cases, "events": events, "documents": documents},
            "boards": summary.boards, "cases": [f"cases/{i:04d}.json" for i in range(1, len(cases) + 1)],
            "contains": "password hashes of every account of the local: keep this file as safe as the database"}))
    return summary


def _document_bytes(store: Path, case: Grievance, document: Document) -> bytes:
    try:
        return read_document(Path(store), document)  # checks the checksum on the way out
    except OSError:
        raise UserError(f"The documents store ({store}) has no file for {document.filename} of case {case.number}.",
                        field="documents", fix="Restore the store (DOCUMENTS_DIR) from a backup, then export "
                                               "again.") from None


def _user_json(user: User) -> dict:
    return {"email": user.email, "name": user.name, "role": user.role, "is_active": user.is_active,
            "password_hash": user.password_hash, "digest_frequency": user.digest_frequency,
            "digest_days_ahead": user.digest_days_ahead, "created_at": exports.stamp(user.created_at)}


def _stored_json(session: Session, case: Grievance) -> dict:
    deadlines = session.scalars(select(DeadlineRecord).where(DeadlineRecord.grievance_id == case.id)
                                .order_by(DeadlineRecord.id))
    flags = session.scalars(select(FlagRecord).where(FlagRecord.grievance_id == case.id).order_by(FlagRecord.id))
    return {
        "stage": case.stage, "is_open": case.is_open, "opened_on": case.opened_on.isoformat(),
        "next_act_by": _iso(case.next_act_by), "next_party": case.next_party,
        "next_deadline_key": case.next_deadline_key, "flag_codes": case.flag_codes,
        "derived_as_of": case.derived_as_of.isoformat(), "version": case.version,
        "deadlines": [{name: _plain(getattr(d, name)) for name in _DEADLINE_FIELDS} for d in deadlines],
        "flags": [{name: _plain(getattr(f, name)) for name in _FLAG_FIELDS} for f in flags],
    }


# -- restore ---------------------------------------------------------------------------------------

def restore_local(session: Session, store: Path, source: BinaryIO | Path | bytes, *, by: str, today: date,
                  replace_calendars: bool = False, name: str = "the archive") -> ArchiveSummary:
    """Restore an archive written by export_local, everything or nothing (the caller's transaction)."""
    if not by.strip():
        raise UserError("'by' is required.", field="by", fix="Say who is restoring the archive.")
    if isinstance(source, Path):
        with source.open("rb") as opened:
            return restore_local(session, store, opened, by=by, today=today, replace_calendars=replace_calendars,
                                 name=name)
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        _check_member_count(source, name)
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise UserError(f"{name} is not a zip archive ({error}).", field="archive",
                        fix="Give a file written by `flask --app app archive export`.") from None
    with archive:
        check_directory(archive, name)
        try:
            return _restore_members(session, store, archive, by=by, today=today, replace_calendars=replace_calendars,
                                    name=name)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            # A member missing a key, or holding the wrong type: the archive is damaged or hand-made.
            raise UserError(f"{name} has a member the tracker cannot read ({type(error).__name__}: "
                            f"{str(error)[:120]}).", field="archive",
                            fix="Export the local again with `flask --app app archive export`.") from None


def _restore_members(session: Session, store: Path, archive: zipfile.ZipFile, *, by: str, today: date,
                     replace_calendars: bool, name: str) -> ArchiveSummary:
    manifest = _read_json(archive, "manifest.json")
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise UserError(f"{name} is not a local's archive.", field="archive",
                        fix="Give a file written by `flask --app app archive export`.")
    if int(manifest.get("format_version") or 0) > ARCHIVE_VERSION:
        raise UserError(f"{name} comes from a newer version of the tracker.", field="archive",
                        fix="Upgrade this deployment first.")
    local_data = _read_json(archive, "local.json")
    local = _empty_local(session, local_data["slug"], local_data["name"])
    users = _restore_users(session, local, _read_json(archive, "users.json"))
    boards = _restore_calendars(session, archive, manifest.get("boards") or [], by=by,
                                replace=replace_calendars, name=name)
    cases, events, documents = 0, 0, 0
    for path in manifest.get("cases") or []:
        data = _read_json(archive, path)
        documents += _restore_documents(archive, store, data)
        _restore_case(session, local, users, data, store, by=by, today=today)
        cases += 1
        events += len(data["events"])
    session.flush()
    recomputed = ops.recompute_all(session, today, reason=f"restored from {name}", by=by)
    return ArchiveSummary(local.slug, len(users), cases, events, documents, boards, recomputed)


def _empty_local(session: Session, slug: str, name: str) -> UnionLocal:
    local = session.scalar(select(UnionLocal).where(UnionLocal.slug == slug))
    if local is not None:
        has_users = session.scalar(select(func.count(User.id)).where(User.local_id == local.id))
        has_cases = session.scalar(select(func.count(Grievance.id)).where(Grievance.local_id == local.id))
        if has_users or has_cases:
            raise UserError(f"The local '{slug}' already has {has_users} user(s) and {has_cases} case(s) here.",
                            field="local", fix="Restore into an empty database (or one without this local's data).")
        return local
    return ops.ensure_local(session, slug, name)


def _restore_users(session: Session, local: UnionLocal, users: list) -> dict[str, int]:
    emails = [u["email"] for u in users]
    taken = list(session.scalars(select(User.email).where(User.email.in_(emails)))) if emails else []
    if taken:
        raise UserError(f"These accounts already exist here: {', '.join(sorted(taken))}.", field="users",
                        fix="Restore into an empty database; an email belongs to one account.")
    out = {}
    for u in users:
        user = User(local_id=local.id, email=u["email"], name=u["name"], role=u["role"], is_active=u["is_active"],
                    password_hash=u["password_hash"], digest_frequency=u.get("digest_frequency") or "daily",
                    digest_days_ahead=int(u.get("digest_days_ahead") or 5),
                    created_at=exports.parse_stamp(u.get("created_at")) or datetime.now(timezone.utc))
        session.add(user)
        session.flush()
        out[user.email] = user.id
    return out


def _restore_calendars(session: Session, archive: zipfile.ZipFile, slugs: list, *, by: str, replace: bool,
                       name: str) -> list[str]:
    restored = []
    for slug in slugs:
        board_data = _read_json(archive, f"calendars/{slug}/board.json")
        existed = session.scalar(select(Board.id).where(Board.slug == slug)) is not None
        for label in board_data["school_years"]:
            path = f"calendars/{slug}/{label}.schoolyear"
            year = parse_school_year(_read(archive, path).decode("utf-8"), source=f"{name}: {path}")
            outcome = calendar_operations.load_school_year(session, year, by=by, reason=f"restored from {name}",
                                                           replace=replace)
            if outcome.action.startswith("kept"):
                raise UserError(f"The {label} calendar of board '{slug}' here differs from the archive's; the "
                                "restored deadlines would not be the ones the cases counted on.", field="calendars",
                                fix="Restore with --replace-calendars to use the archive's calendar (every case "
                                    "counting on it is recomputed), or make the two equal first.")
        board = session.scalar(select(Board).where(Board.slug == slug))
        if not existed and board_data.get("name"):
            board.name = board_data["name"]
        known = {(c.school_year_label, exports.stamp(c.changed_at), c.changed_by, c.action, c.reason, c.details)
                 for c in session.scalars(select(CalendarChange).where(CalendarChange.board_id == board.id))}
        for c in board_data.get("changes") or []:
            key = (c["school_year"], exports.stamp(exports.parse_stamp(c["changed_at"])), c["changed_by"], c["action"],
                   c["reason"], c.get("details") or "")
            if key not in known:
                session.add(CalendarChange(board_id=board.id, school_year_label=c["school_year"],
                                           changed_at=exports.parse_stamp(c["changed_at"]), changed_by=c["changed_by"],
                                           action=c["action"], reason=c["reason"], details=c.get("details") or ""))
        restored.append(slug)
    session.flush()
    return restored


def _restore_documents(archive: zipfile.ZipFile, store: Path, data: dict) -> int:
    """Write the case's document files into the store (checked against their checksums)."""
    count = 0
    for event in data["events"]:
        for document in event.get("documents") or []:
            digest = str(document.get("sha256") or "")
            if not _SHA256.match(digest):
                raise UserError(f"A document of case {data['case']['number']} has no valid checksum.",
                                field="documents", fix="Export the local again.")
            blob = _read(archive, f"documents/{digest}")
            if hashlib.sha256(blob).hexdigest() != digest:
                raise UserError(f"The archive's copy of {document.get('filename')} does not match its checksum.",
                                field="documents", fix="Export the local again; the archive is damaged.")
            path = Path(store) / digest[:2] / digest
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                temporary = path.with_suffix(".part")
                temporary.write_bytes(blob)
                temporary.replace(path)
            count += 1
    return count


def _restore_case(session: Session, local: UnionLocal, users: dict[str, int], data: dict, store: Path, *,
                  by: str, today: date) -> Grievance:
    if data.get("format") != exports.FORMAT:
        raise UserError("A case in the archive is not in the case format.", field="cases", fix="Export the local again.")
    # The case through the gate, as an import: lengths, dates, counts, names (its boards come with the archive).
    checked = read(CaseImport, data).model_dump(mode="json")
    case = checked["case"]
    officer = case.get("officer")
    grievance, _ = exports.insert_case(session, case, checked["events"], local=local.slug, by=by, today=today)
    grievance.officer_id = users.get(officer) if officer else None
    stored = data["stored"]
    grievance.stage, grievance.is_open = stored["stage"], stored["is_open"]
    grievance.opened_on = date.fromisoformat(stored["opened_on"])
    grievance.next_act_by = _date(stored["next_act_by"])
    grievance.next_party, grievance.next_deadline_key = stored["next_party"], stored["next_deadline_key"]
    grievance.flag_codes, grievance.version = stored["flag_codes"], stored["version"]
    grievance.derived_as_of = date.fromisoformat(stored["derived_as_of"])
    for row in stored["deadlines"]:
        session.add(DeadlineRecord(grievance_id=grievance.id, board_id=grievance.board_id,
                                   **{k: _date(v) if k in _DATE_FIELDS else v for k, v in row.items()}))
    for row in stored["flags"]:
        session.add(FlagRecord(grievance_id=grievance.id, **{k: _date(v) if k in _DATE_FIELDS else v
                                                             for k, v in row.items()}))
    exports.add_moves(session, grievance, checked["deadline_moves"])
    exports.add_case_file(session, grievance, checked)
    exports.add_documents(session, grievance, checked["events"], store)
    for email in data.get("stewards") or []:
        if email in users:
            session.add(StewardAssignment(user_id=users[email], grievance_id=grievance.id))
    session.flush()
    return grievance


# -- helpers ---------------------------------------------------------------------------------------

def _check_member_count(source: BinaryIO, name: str) -> None:
    """Refuse more than MAX_MEMBERS members from the end-of-directory record alone: zipfile.ZipFile
    builds an object per member of the directory (some 500 bytes each) as it opens the file."""
    try:
        count = _declared_count(source)
    finally:
        source.seek(0)
    if count > MAX_MEMBERS:
        raise _too_large(name, f"it has {count:,} members; an archive of this tracker has at most {MAX_MEMBERS:,}")


def _declared_count(source: BinaryIO) -> int:
    """The member count the end-of-directory record states (0 when there is none: not a zip, which
    zipfile says in its own words)."""
    size = source.seek(0, io.SEEK_END)
    tail_at = max(0, size - (22 + 0xFFFF))  # the record, and a comment of at most 64 KB after it
    source.seek(tail_at)
    tail = source.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return 0
    count = struct.unpack("<H", tail[at + 10:at + 12])[0]
    locator = tail_at + at - 20
    if count == 0xFFFF and locator >= 0:  # ZIP64: the real count is in the record the locator points to
        source.seek(locator)
        found = source.read(20)
        if found[:4] == b"PK\x06\x07":
            source.seek(struct.unpack("<Q", found[8:16])[0])
            record = source.read(56)
            if record[:4] == b"PK\x06\x06" and len(record) == 56:
                count = struct.unpack("<Q", record[32:40])[0]
    return count


def check_directory(archive: zipfile.ZipFile, name: str) -> None:
    """Every bound of the module docstring, from the zip's directory alone: nothing is read yet."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise _too_large(name, f"it has {len(members):,} members; an archive of this tracker has at most "
                               f"{MAX_MEMBERS:,}")
    for member in members:
        limit = member_limit(member.filename)
        if limit is not None and member.file_size > limit:
            raise _too_large(name, f"its {member.filename} would inflate to {_size(member.file_size)}; "
                                   f"at most {_size(limit)} is read")
        ratio = member.file_size // max(member.compress_size, 1)
        if member.file_size > RATIO_FROM and ratio > MAX_RATIO:
            raise _too_large(name, f"its {member.filename} would inflate {ratio:,} times "
                                   f"({_size(member.compress_size)} to {_size(member.file_size)}); "
                                   f"at most {MAX_RATIO} times is read")
    inflated = sum(m.file_size for m in members)
    compressed = sum(m.compress_size for m in members)
    if inflated > FREE_TOTAL and inflated > MAX_RATIO * max(compressed, 1):
        raise _too_large(name, f"it would inflate to {_size(inflated)} from {_size(compressed)}; at most "
                               f"{MAX_RATIO} times its size is read")


def member_limit(path: str) -> int | None:
    """The most bytes a member of that name may hold; None for a name the restore never reads."""
    return next((limit for pattern, limit in MEMBER_LIMITS if pattern.fullmatch(path)), None)


def _read(archive: zipfile.ZipFile, path: str) -> bytes:
    """The member at `path`, never more than its limit: a bounded read, whatever the directory claimed."""
    limit = member_limit(path)
    if limit is None:
        raise UserError(f"The archive names {path!r}, which is not a member an archive of this tracker holds.",
                        field="archive", fix="Export the local again.")
    try:
        with archive.open(path) as member:
            data = member.read(limit + 1)
    except KeyError:
        raise UserError(f"The archive has no {path}.", field="archive", fix="Export the local again.") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise UserError(f"The archive's {path} is damaged ({error}).", field="archive",
                        fix="Export the local again.") from None
    if len(data) > limit:
        raise UserError(f"The archive's {path} holds more than {_size(limit)}, more than any archive of this "
                        "tracker; nothing more of it was read.", field="archive", fix="Export the local again.")
    return data


def _read_json(archive: zipfile.ZipFile, path: str):
    """The member as JSON, its nesting bounded before it is parsed (gate.read_json)."""
    try:
        return read_json(_read(archive, path), source="archive")
    except UserError as error:
        raise UserError(f"The archive's {path} cannot be read: {error.message}", field="archive",
                        fix="Export the local again.") from None


def _too_large(name: str, why: str) -> UserError:
    return UserError(f"{name} is refused before anything is read: {why}. Nothing was restored.", field="archive",
                     fix="Give a file written by `flask --app app archive export` of this tracker.")


def _size(count: int) -> str:
    return f"{count / MB:,.1f} MB" if count >= MB else f"{count:,} bytes"


def _dump(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _date(text) -> date | None:
    return date.fromisoformat(text) if text else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


__all__ = ["ARCHIVE_FORMAT", "ArchiveSummary", "export_local", "restore_local"]
