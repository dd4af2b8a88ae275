"""Documents attached to events: kept outside the database under their SHA-256,
with their size and type checked on the way in and the checksum on the way out."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Document, GrievanceEvent
from school_calendar.errors import UserError

MAX_BYTES = 10 * 1024 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # [MS-CFB] 2.2: a compound file's header signature
# What a grievance file holds: letters, replies, consents, scans, emails. The
# first bytes must match the extension's type.
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".txt": ("text/plain", ()),
    ".eml": ("message/rfc822", ()),
    # What a Board's reply often is: Outlook's saved message and the old Word format, both OLE
    # compound files (the same 8-byte signature), told apart by the stream each must hold.
    ".msg": ("application/vnd.ms-outlook", (_OLE,)),
    ".doc": ("application/msword", (_OLE,)),
}
# The stream name (UTF-16LE in the compound file's directory) a file of that kind must hold: an
# .xls or an .msi renamed .doc has the signature but not the stream.
_OLE_STREAMS = {".msg": "__substg1.0_", ".doc": "WordDocument"}


class DocumentRefused(UserError):
    """A file the tracker will not keep: wrong type, empty or too large."""


def attach(session: Session, store: Path, *, grievance_id: int, event_id: int, filename: str, data: bytes,
           by: str) -> Document:
    """Keep `data` for the event; refused (nothing written to the database) when it does not fit."""
    event = session.scalar(select(GrievanceEvent).where(GrievanceEvent.id == event_id,
                                                        GrievanceEvent.grievance_id == grievance_id))
    if event is None:
        raise DocumentRefused("That event is not part of this case.", field="event", fix="Pick one of the case's events.")
    name = Path(filename or "").name.strip()
    content_type = _checked_type(name, data)
    digest = hashlib.sha256(data).hexdigest()
    path = store / digest[:2] / digest
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(path)  # never a half-written file under the final name
    document = Document(grievance_id=grievance_id, event_id=event_id, filename=name[:200], content_type=content_type,
                        size=len(data), sha256=digest, uploaded_by=by, uploaded_at=datetime.now(timezone.utc))
    session.add(document)
    session.flush()
    return document


def read(store: Path, document: Document) -> bytes:
    data = (store / document.sha256[:2] / document.sha256).read_bytes()
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise UserError(f"The stored copy of {document.filename} does not match its checksum.", field="document",
                        fix="Restore the file from a backup; do not rely on this copy.")
    return data


def _checked_type(name: str, data: bytes) -> str:
    suffix = Path(name).suffix.lower()
    if not name or suffix not in ALLOWED:
        raise DocumentRefused(f"'{name or 'the file'}' is not a kind of document the tracker keeps.", field="document",
                              fix=f"Attach one of: {', '.join(sorted(ALLOWED))}.")
    if not data:
        raise DocumentRefused(f"{name} is empty.", field="document", fix="Attach the file again.")
    if len(data) > MAX_BYTES:
        raise DocumentRefused(f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MB.", field="document",
                              fix="Attach a smaller copy (scan at a lower resolution, or split it).")
    content_type, signatures = ALLOWED[suffix]
    stream = _OLE_STREAMS.get(suffix)
    if (signatures and not any(data.startswith(s) for s in signatures)) or \
            (stream and stream.encode("utf-16-le") not in data):
        raise DocumentRefused(f"{name} does not look like a {suffix} file.", field="document",
                              fix="Check that the file is what its name says.")
    if not signatures and b"\x00" in data[:4096]:
        raise DocumentRefused(f"{name} is not text.", field="document", fix="Attach it with its real extension.")
    return content_type
