"""Bounded parsers: a file a restore reads is measured from what it declares
before any of it is read, so a small file cannot make the server inflate
gigabytes into memory or onto disk, and nothing is written when it is refused.

The kind, and its members here:
- archive restore (a zip): the directory's sizes, member count and compression
  ratio, checked before any member is opened (the issue's example: a 400 KB
  archive whose manifest inflated to 400 MB took 905 MB before its refusal);
- backup restore (a tar.gz stream): extended headers that tarfile would read
  whole into memory, the database member's declared size, a document's;
- the JSON inside both: nesting bounded before json.loads recurses into it.
"""
from __future__ import annotations

import hashlib
import io
import json
import struct
import tarfile
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import CalendarChange, Grievance, User
from operations import archive as archive_operations
from test_backup import backup, counts, make_target, read_backup, run, seeded, stored_files  # noqa: F401 (fixtures)

MB = 1024 * 1024


# -- archive restore (zip) ---------------------------------------------------------------------------

def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _declaring(data: bytes, member: str, size: int) -> bytes:
    """The zip with its directory claiming that `member` inflates to `size` bytes (its bytes unchanged)."""
    data = bytearray(data)
    name = member.encode()
    at = data.find(b"PK\x01\x02")  # the central directory: one header per member
    while at >= 0:
        name_length = struct.unpack("<H", data[at + 28:at + 30])[0]
        if data[at + 46:at + 46 + name_length] == name:
            data[at + 24:at + 28] = struct.pack("<I", size)
            return bytes(data)
        at = data.find(b"PK\x01\x02", at + 46)
    raise AssertionError(f"{member} is not in the zip")


MANIFEST = json.dumps({"format": archive_operations.ARCHIVE_FORMAT, "format_version": 1, "local": "x",
                       "boards": [], "cases": []}).encode()


def _restore(app, tmp_path: Path, data: bytes):
    path = tmp_path / "local.zip"
    path.write_bytes(data)
    return app.test_cli_runner().invoke(args=["archive", "restore", str(path), "--by", "restorer"])


def _nothing_restored(app) -> None:
    with app.extensions["database"].transaction() as session:
        assert session.scalar(select(func.count(User.id))) == 0
        assert session.scalar(select(func.count(Grievance.id))) == 0
        assert not session.scalar(select(func.count(CalendarChange.id)).where(CalendarChange.reason.like("restored%")))
    store = Path(app.config["DOCUMENTS_DIR"])
    assert not store.exists() or not any(store.rglob("*"))


@pytest.fixture
def members_opened(monkeypatch) -> list[str]:
    """Every member the restore opens to read (ZipFile.read goes through ZipFile.open too)."""
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, mode="r", *args, **kwargs):
        if mode == "r":
            opened.append(getattr(name, "filename", name))
        return real_open(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    return opened


def test_zip_bomb_an_archive_whose_directory_declares_a_huge_member_is_refused_before_reading(
        app, tmp_path, members_opened):
    """The issue's example: the manifest says it inflates to 400 MB. Refused from the directory alone."""
    bomb = _declaring(_zip({"manifest.json": MANIFEST, "local.json": b"{}"}), "manifest.json", 400 * MB)
    result = _restore(app, tmp_path, bomb)
    assert result.exit_code != 0
    assert "refused before anything is read" in result.output
    assert "manifest.json would inflate to 400.0 MB" in result.output
    assert members_opened == []
    _nothing_restored(app)


def test_zip_bomb_a_member_that_inflates_too_many_times_is_refused_before_reading(app, tmp_path, members_opened):
    """A real one: 4 MB of spaces (valid JSON) deflate to a few kilobytes, about 1,000 to 1."""
    padded = MANIFEST[:-1] + b" " * (4 * MB) + b"}"
    result = _restore(app, tmp_path, _zip({"manifest.json": padded}))
    assert result.exit_code != 0 and "manifest.json would inflate" in result.output and "times" in result.output
    assert members_opened == []
    _nothing_restored(app)


def test_zip_bomb_too_many_members_are_refused_from_the_end_record_before_the_directory_is_read(
        app, tmp_path, monkeypatch):
    """zipfile builds an object per member as it opens a zip: the count is read first, from the
    end-of-directory record, the ZIP64 one included (where the plain record says 0xFFFF)."""
    members = {f"cases/{i:04d}.json": b"{}" for i in range(1, 7)}
    plain = _zip(members)
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 0)  # makes zipfile write the ZIP64 records
    zip64 = bytearray(_zip(members))
    monkeypatch.undo()
    end = zip64.rfind(b"PK\x05\x06")
    zip64[end + 8:end + 12] = b"\xff\xff\xff\xff"  # the plain record's counts: "see ZIP64"
    monkeypatch.setattr(archive_operations, "MAX_MEMBERS", 5)
    monkeypatch.setattr(archive_operations.zipfile, "ZipFile", _never_opened)
    for data in (plain, bytes(zip64)):
        result = _restore(app, tmp_path, data)
        assert result.exit_code != 0 and "it has 6 members" in result.output and "at most 5" in result.output
    _nothing_restored(app)


def _never_opened(*args, **kwargs):
    raise AssertionError("zipfile.ZipFile was built before the member count was checked")


def test_deep_json_an_archive_member_nested_50000_deep_is_refused_not_a_crash(app, tmp_path):
    result = _restore(app, tmp_path, _zip({"manifest.json": b"[" * 50_000 + b"]" * 50_000}))
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)  # a message, not a RecursionError
    assert "manifest.json cannot be read" in result.output and "nests 50000 levels deep" in result.output
    _nothing_restored(app)


def test_a_restore_reads_each_member_with_a_bounded_read_whatever_the_directory_says(app, monkeypatch):
    """Defence behind the directory check: even a member whose directory entry was not checked
    (or lies) is read no further than its kind's limit."""
    monkeypatch.setattr(archive_operations, "MEMBER_LIMITS", ((archive_operations.re.compile(r"local\.json"), 10),))
    archive = zipfile.ZipFile(io.BytesIO(_zip({"local.json": b'{"slug": "a-long-slug", "name": "x"}'})))
    with pytest.raises(archive_operations.UserError, match="local.json holds more than 10 bytes"):
        archive_operations._read(archive, "local.json")


# -- backup restore (tar.gz) ---------------------------------------------------------------------

def _write_tar(path: Path, members: dict[str, bytes], *, pax: dict[str, dict] | None = None,
               extra: list[tarfile.TarInfo] = ()) -> Path:
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT if pax else tarfile.GNU_FORMAT) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.pax_headers = (pax or {}).get(name, {})
            archive.addfile(info, io.BytesIO(data))
        for info in extra:
            archive.addfile(info)
    return path


@pytest.fixture
def good_backup(seeded, tmp_path) -> dict[str, bytes]:
    return read_backup(backup(seeded, tmp_path / "good.tar.gz"))


def _refused_and_untouched(target, path: Path, message: str) -> None:
    before, files = counts(target), stored_files(target)
    result = run(target, "backup", "restore", str(path))
    assert result.exit_code != 0 and message in result.output, result.output
    assert counts(target) == before and stored_files(target) == files


def test_header_bomb_an_extended_tar_header_too_large_is_refused_before_tarfile_reads_it(
        good_backup, make_target, tmp_path):
    """tarfile reads a pax header into memory whole, before the member it describes: 2 MB here,
    any size a gzip stream inflates to in an attack. A well-formed backup otherwise."""
    bomb = _write_tar(tmp_path / "bomb.tar.gz", good_backup, pax={"manifest.json": {"comment": "x" * (2 * MB)}})
    target = make_target("bounded_header_target", migrated=True)
    _refused_and_untouched(target, bomb, "one of its headers would take")


def test_header_bomb_a_sparse_member_is_refused_before_tarfile_follows_its_extension_blocks(
        good_backup, make_target, tmp_path):
    sparse = tarfile.TarInfo("documents/sparse")
    sparse.type = tarfile.GNUTYPE_SPARSE
    path = _write_tar(tmp_path / "sparse.tar.gz", good_backup, extra=[sparse])
    target = make_target("bounded_sparse_target", migrated=True)
    _refused_and_untouched(target, path, "sparse member")


def test_declared_sizes_a_database_of_another_size_than_the_manifest_says_is_refused_unread(
        good_backup, make_target, tmp_path, monkeypatch):
    manifest = json.loads(good_backup["manifest.json"])
    lying = {**good_backup, "manifest.json": json.dumps({**manifest, "database_bytes": 1024}).encode()}
    copied: list[str] = []
    from operations import backup as backup_operations

    real_copy = backup_operations._copy_member

    def spy(archive, member, target):
        copied.append(member.name)
        return real_copy(archive, member, target)

    monkeypatch.setattr(backup_operations, "_copy_member", spy)
    target = make_target("bounded_sizes_target", migrated=True)
    _refused_and_untouched(target, _write_tar(tmp_path / "lying.tar.gz", lying), "its manifest says 1,024")
    assert copied == []


def test_declared_sizes_a_document_larger_than_any_the_tracker_keeps_is_refused_unread(
        good_backup, make_target, tmp_path):
    big = b"%PDF-" + b"\0" * (10 * MB)
    digest = hashlib.sha256(big).hexdigest()
    manifest = json.loads(good_backup["manifest.json"])
    members = {**good_backup, "manifest.json": json.dumps({**manifest, "documents": manifest["documents"] + [digest]}
                                                          ).encode(), f"documents/{digest}": big}
    target = make_target("bounded_document_target", migrated=True)
    _refused_and_untouched(target, _write_tar(tmp_path / "big.tar.gz", members), "no document is larger than")


def test_deep_json_a_backup_manifest_nested_50000_deep_is_refused_not_a_crash(make_target, tmp_path):
    path = _write_tar(tmp_path / "deep.tar.gz", {"manifest.json": b"[" * 50_000 + b"]" * 50_000})
    target = make_target("bounded_deep_target", migrated=True)
    _refused_and_untouched(target, path, "nests 50000 levels deep")
