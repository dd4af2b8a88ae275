"""A case's history as JSON (export and import) and as PDF.

The JSON holds the case and ALL its events as stored (voided ones and the
corrections that void them included), the documents' names and checksums, the
deadlines moved by calendar changes, and, for reading only, the derived state
(every deadline with its arithmetic). Importing it replays the events: the
derived part is never read back.

A round trip (export, import into another database, export again) gives the
same JSON except for the values listed in ROUND_TRIP_EXCLUDED: the database
ids (and the voids that name them; `voids_seq` names the voided event stably)
and the moment of the export. Every other timestamp (created_at, recorded_at,
uploaded_at, moved_at) is carried over as it was.

The PDF is the same data laid out for a file or a hearing: first the case in
brief, its timeline drawn (operations/timeline_svg.py) and the chronology (events,
time limits with their status in the presenter's words, deadlines a calendar change
moved); then the case's facts and the board calendar it counted on; last, an
appendix with each limit's arithmetic day by day. One time zone throughout.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import unicodedata
from datetime import date, datetime, timezone, tzinfo
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Board, CaseEdit, CaseNote, DeadlineMove, Document, Grievance, GrievanceEvent, UnionLocal, User
from school_calendar.board_calendar import BoardCalendar
from school_calendar.errors import UserError
from school_calendar.school_year import label_for
from workflows.case_format import state_as_dict
from workflows.engine import VOID, CaseState, Deadline, replay
from workflows.rules import RuleSet

from gate.inputs import CaseImport

from . import case_file
from . import grievances as ops
from .deadline_status import DeadlineStatus, deadline_status, long_date
from .documents import ALLOWED
from .timeline_svg import Move, timeline_svg

FORMAT = "grievance-tracker/case"
FORMAT_VERSION = 1
# What differs between an export and the export of its import (see the module's docstring).
ROUND_TRIP_EXCLUDED = ("exported_at", "case.id", "events[].id", "events[].voids", "events[].documents[].id")
PARTY_WORDS = {"union": "Union Local", "board": "Board", "both": "Both parties"}


# -- JSON out --------------------------------------------------------------------------------------

def case_json(session: Session, grievance: Grievance, *, today: date, now: datetime | None = None,
              derived: bool = True) -> dict:
    """The case, every event as stored, its documents' metadata and its deadline moves; with
    `derived`, the state replayed for `today` (deadlines with their arithmetic), for reading."""
    rules = ops.rules_named(grievance.ruleset)
    board = session.get(Board, grievance.board_id)
    local = session.get(UnionLocal, grievance.local_id)
    officer = session.scalar(select(User.email).where(User.id == grievance.officer_id)) if grievance.officer_id else None
    events = list(session.scalars(select(GrievanceEvent).where(GrievanceEvent.grievance_id == grievance.id)
                                  .order_by(GrievanceEvent.seq)))
    documents = list(session.scalars(select(Document).where(Document.grievance_id == grievance.id)
                                     .order_by(Document.id)))
    moves = list(session.scalars(select(DeadlineMove).where(DeadlineMove.grievance_id == grievance.id)
                                 .order_by(DeadlineMove.id)))
    seq_of = {e.id: e.seq for e in events}
    out = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "exported_at": stamp(now or datetime.now(timezone.utc)), "excluded_from_round_trip": list(ROUND_TRIP_EXCLUDED),
        "case": {
            "id": grievance.id, "number": grievance.number, "local": local.slug, "local_name": local.name,
            "board": board.slug,
            "ruleset": grievance.ruleset, "kind": grievance.kind, "kind_label": rules.kinds[grievance.kind].label,
            "members": grievance.members.splitlines(), "school": grievance.school, "clauses": grievance.clauses,
            "description": grievance.description, "remedy": grievance.remedy, "officer": officer,
            "created_at": stamp(grievance.created_at), "created_by": grievance.created_by,
            "opened_on": grievance.opened_on.isoformat(), "stage": grievance.stage, "open": grievance.is_open,
        },
        "events": [_event_json(e, rules, seq_of, [d for d in documents if d.event_id == e.id]) for e in events],
        "deadline_moves": [{"deadline": m.deadline_key, "label": _limit_label(rules, m.deadline_key),
                            "old_due": _iso(m.old_due), "new_due": _iso(m.new_due),
                            "old_act_by": _iso(m.old_act_by), "new_act_by": _iso(m.new_act_by), "reason": m.reason,
                            "moved_at": stamp(m.moved_at), "moved_by": m.moved_by} for m in moves],
        **case_file_json(session, grievance, seq_of),
    }
    if derived:
        calendar = ops.calendar_for(session, board.slug)
        state = ops.case_state(session, grievance, today)
        out["derived"] = {"as_of": today.isoformat(), "note": "Derived from the events; never read by an import.",
                          **state_as_dict(state, rules, calendar)}
        out["calendar"] = calendar_used(calendar, board, out)
    return out


def _event_json(e: GrievanceEvent, rules: RuleSet, seq_of: dict, documents: list[Document]) -> dict:
    rule = rules.events.get(e.type)
    return {
        "id": e.id, "seq": e.seq, "type": e.type, "label": "Correction" if e.type == VOID else (rule.label if rule else e.type),
        "occurred_on": e.occurred_on.isoformat(), "details": json.loads(e.details or "{}"), "document": e.document,
        "recorded_by": e.recorded_by, "recorded_at": stamp(e.recorded_at),
        "voids": e.voids_event_id, "voids_seq": seq_of.get(e.voids_event_id), "reason": e.reason,
        "documents": [{"id": d.id, "filename": d.filename, "content_type": d.content_type, "size": d.size,
                       "sha256": d.sha256, "uploaded_by": d.uploaded_by, "uploaded_at": stamp(d.uploaded_at)}
                      for d in documents],
    }


def calendar_used(calendar: BoardCalendar, board: Board, data: dict) -> dict:
    """The board calendar the case counted on: the school years its dates fall in, verified or not."""
    days = {date.fromisoformat(e["occurred_on"]) for e in data["events"]}
    for d in data.get("derived", {}).get("deadlines", []):
        days |= {date.fromisoformat(v) for v in (d["trigger_date"], d["due"], d["safe_due"], d["extended_to"]) if v}
    years = []
    for label in sorted({label_for(day) for day in days}):
        year = calendar.years.get(label)
        years.append({"label": label, "loaded": year is not None, "verified": bool(year and year.verified),
                      "unconfirmed_dates": bool(year and year.has_unconfirmed_dates)})
    return {"board": board.slug, "board_name": board.name, "school_years": years}


# -- JSON in ---------------------------------------------------------------------------------------

def import_case(session: Session, validated: CaseImport, *, local: str, by: str, today: date,
                store: Path | None = None, reader: User | None = None) -> Grievance:
    """Recreate a case exported by case_json in the local `local`: the same number, fields and events
    in the same order (each with its recorded_by/at), voids pointing at the new events, the deadline
    moves, and the documents whose files `store` holds (see documents_missing). The events are replayed
    for the derived facts: an event the procedure refuses refuses the import. A number that exists in
    the local is refused.

    With `reader` (an import from the web), a stored file that is a document of a case `reader` may not
    see is not attached: a checksum in a hand-made file must not fetch another local's document.

    `validated` comes through the gate (gate.inputs.CaseImport, with the acting local's boards as
    context): lengths, dates, counts, the rule set's name and the board are checked there."""
    _require(by.strip(), "by", "Say who is importing the case.")
    data = validated.model_dump(mode="json")
    case = _case_part(data)
    grievance, _ = insert_case(session, case, data["events"], local=local, by=by, today=today)
    calendar = ops.calendar_for(session, case["board"])
    state = replay(ops.rules_named(grievance.ruleset), calendar, grievance.kind, ops._case_events(session, grievance),
                   today)
    ops._store_derived(session, grievance, state, today)
    add_moves(session, grievance, data.get("deadline_moves") or [])
    add_case_file(session, grievance, data)
    case_file.assign_by_email(session, grievance, data.get("stewards") or [])
    add_documents(session, grievance, data["events"], store, usable=_usable_by(session, reader))
    return grievance


def case_file_json(session: Session, grievance: Grievance, seq_of: dict) -> dict:
    """The case's fact changes, notes and stewards by email (issue 13): read by an import, never by
    the engine. An import assigns the stewards its local has (case_file.assign_by_email)."""
    return {
        "fact_changes": [{"field": e.field, "old_value": e.old_value, "new_value": e.new_value, "reason": e.reason,
                          "edited_by": e.edited_by, "edited_at": stamp(e.edited_at)}
                         for e in case_file.edits_of(session, grievance.id)],
        "notes": [{"text": n.text, "event_seq": seq_of.get(n.event_id), "written_by": n.written_by,
                   "written_at": stamp(n.written_at)} for n in case_file.notes_of(session, grievance.id)],
        "stewards": case_file.stewards_of(session, grievance.id),
    }


def add_case_file(session: Session, grievance: Grievance, data: dict) -> None:
    """The fact changes and notes of an export checked by the gate (CaseImport), notes on the new events."""
    ids = dict(session.execute(select(GrievanceEvent.seq, GrievanceEvent.id)
                               .where(GrievanceEvent.grievance_id == grievance.id)).all())
    for e in data.get("fact_changes") or []:
        session.add(CaseEdit(grievance_id=grievance.id, field=e["field"], old_value=e["old_value"],
                             new_value=e["new_value"], reason=e["reason"], edited_by=e["edited_by"] or "import",
                             edited_at=parse_stamp(e.get("edited_at")) or _now()))
    for n in data.get("notes") or []:
        if n.get("event_seq") is not None and n["event_seq"] not in ids:
            raise UserError(f"A note is on event {n['event_seq']}, which the case does not have.",
                            field="notes.event_seq", fix="Give the seq of one of the case's events, or none.")
        session.add(CaseNote(grievance_id=grievance.id, event_id=ids.get(n.get("event_seq")), text=n["text"],
                             written_by=n["written_by"] or "import",
                             written_at=parse_stamp(n.get("written_at")) or _now()))


def documents_missing(data: Any, store: Path | None, session: Session | None = None,
                      reader: User | None = None) -> list[str]:
    """The documents named in an export whose files `store` does not hold (they are not recreated);
    with `session` and `reader`, also those import_case would not attach for `reader`."""
    events = data.get("events") if isinstance(data, dict) else None
    usable = _usable_by(session, reader) if session is not None else (lambda sha: True)
    return [f"{d.get('filename')} ({d.get('sha256')})" for e in events or [] if isinstance(e, dict)
            for d in e.get("documents") or [] if not (_stored(store, d.get("sha256")) and usable(d.get("sha256")))]


def _usable_by(session: Session, reader: User | None):
    """sha256 -> whether `reader` may have the stored file: every case holding it is one `reader` may see
    (a file no case holds, copied into the store by hand, is anyone's). Without a reader, every file."""
    from .accounts import visible

    def usable(sha256: Any) -> bool:
        if reader is None:
            return True
        holders = set(session.scalars(select(Document.grievance_id).where(Document.sha256 == str(sha256))))
        seen = set(session.scalars(visible(reader, select(Grievance.id).where(Grievance.id.in_(holders))))) \
            if holders else set()
        return holders <= seen
    return usable


def insert_case(session: Session, case: dict, events: list, *, local: str, by: str,
                today: date) -> tuple[Grievance, dict[int, int]]:
    """The case's row and its events, in seq order, voids mapped to the new ids. The derived facts
    are placeholders until the caller stores them. Returns the case and {seq: new event id}."""
    number = _text(case, "number", "case.number")
    rules = ops.rules_named(_text(case, "ruleset", "case.ruleset"))
    kind = _text(case, "kind", "case.kind")
    if kind not in rules.kinds:
        raise UserError(f"'{kind}' is not a kind of case.", field="case.kind", fix=f"Use one of: {', '.join(rules.kinds)}.")
    local_row = session.scalar(select(UnionLocal).where(UnionLocal.slug == local))
    if local_row is None:
        raise UserError(f"There is no union local '{local}'.", field="local", fix="Add the local first.")
    if session.scalar(select(Grievance.id).where(Grievance.local_id == local_row.id, Grievance.number == number)):
        raise UserError(f"Grievance {number} already exists in {local}.", field="case.number",
                        fix="Import into another local, or rename the existing case's number first.")
    board = session.scalar(select(Board).where(Board.slug == _text(case, "board", "case.board")))
    if board is None:
        raise UserError(f"There is no board '{case['board']}'.", field="case.board", fix="Load the board's calendar first.")
    rows = _events_part(events, rules)
    members = case.get("members") or []
    if isinstance(members, str):
        members = members.splitlines()
    officer_email = case.get("officer")
    officer_id = session.scalar(select(User.id).where(User.email == officer_email, User.local_id == local_row.id)) \
        if officer_email else None
    first_on = min(r["occurred_on"] for r in rows if r["type"] != VOID)
    grievance = Grievance(
        local_id=local_row.id, board_id=board.id, ruleset=rules.id, number=number, kind=kind,
        members="\n".join(str(m).strip() for m in members if str(m).strip()), school=str(case.get("school") or ""),
        clauses=str(case.get("clauses") or ""), description=str(case.get("description") or ""),
        remedy=str(case.get("remedy") or ""), created_at=parse_stamp(case.get("created_at")) or _now(),
        created_by=str(case.get("created_by") or by), officer_id=officer_id, stage="new",
        opened_on=date.fromisoformat(case["opened_on"]) if case.get("opened_on") else first_on, derived_as_of=today)
    session.add(grievance)
    session.flush()
    new_ids: dict[int, int] = {}
    by_seq: dict[int, int] = {}
    for row in rows:
        voids = None
        if row["type"] == VOID:
            voids = by_seq.get(row["voids_seq"]) if row["voids_seq"] is not None else new_ids.get(row["voids"])
            if voids is None:
                raise UserError(f"Event {row['seq']} voids an event that does not come before it.",
                                field=f"events[{row['seq']}].voids", fix="Give voids_seq the seq of an earlier event.")
        record = GrievanceEvent(grievance_id=grievance.id, seq=row["seq"], type=row["type"],
                                occurred_on=row["occurred_on"], details=ops._details_out(row["details"]),
                                document=row["document"], recorded_by=row["recorded_by"] or by,
                                recorded_at=row["recorded_at"] or _now(), voids_event_id=voids, reason=row["reason"])
        session.add(record)
        session.flush()
        by_seq[row["seq"]] = record.id
        if row["id"] is not None:
            new_ids[row["id"]] = record.id
    return grievance, by_seq


def add_moves(session: Session, grievance: Grievance, moves: list) -> None:
    for m in moves:
        session.add(DeadlineMove(grievance_id=grievance.id, deadline_key=str(m["deadline"]),
                                 old_due=_date_or_none(m.get("old_due")), new_due=_date_or_none(m.get("new_due")),
                                 old_act_by=_date_or_none(m.get("old_act_by")),
                                 new_act_by=_date_or_none(m.get("new_act_by")),
                                 reason=str(m.get("reason") or ""), moved_at=parse_stamp(m.get("moved_at")) or _now(),
                                 moved_by=str(m.get("moved_by") or "import")))


def add_documents(session: Session, grievance: Grievance, events: list, store: Path | None,
                  usable=lambda sha256: True) -> int:
    """Document rows for the exported documents whose files the store holds (and that `usable`
    allows); returns how many."""
    ids = dict(session.execute(select(GrievanceEvent.seq, GrievanceEvent.id)
                               .where(GrievanceEvent.grievance_id == grievance.id)).all())
    added = 0
    for e in events:
        for d in e.get("documents") or []:
            _require_allowed_type(d)
            if not _stored(store, d.get("sha256")) or not usable(d.get("sha256")):
                continue
            session.add(Document(grievance_id=grievance.id, event_id=ids[int(e["seq"])], filename=str(d["filename"])[:200],
                                 content_type=str(d["content_type"]), size=int(d["size"]), sha256=d["sha256"],
                                 uploaded_by=str(d.get("uploaded_by") or "import"),
                                 uploaded_at=parse_stamp(d.get("uploaded_at")) or _now()))
            added += 1
    session.flush()
    return added


def _require_allowed_type(document: dict) -> None:
    """A document's name and type must be one attach() accepts: a file named page.html, or a
    content type of text/html, would be served as a page."""
    name = str(document.get("filename") or "")
    allowed = ALLOWED.get(Path(name).suffix.lower())
    if allowed is None or document.get("content_type") != allowed[0]:
        raise UserError(f"The document '{name[:80]}' ({str(document.get('content_type'))[:80]}) is not a kind the "
                        "tracker keeps.", field="events.documents",
                        fix=f"Keep only {', '.join(sorted(ALLOWED))} files, with their own content types.")


def _stored(store: Path | None, sha256: Any) -> bool:
    if store is None or not isinstance(sha256, str) or len(sha256) != 64:
        return False
    path = Path(store) / sha256[:2] / sha256
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256


def _case_part(data: Any) -> dict:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UserError("This is not a case exported by the tracker.", field="format",
                        fix=f"Import the file from a case's JSON link (its \"format\" is \"{FORMAT}\").")
    if int(data.get("format_version") or 0) > FORMAT_VERSION:
        raise UserError("The file comes from a newer version of the tracker.", field="format_version",
                        fix="Upgrade this deployment first.")
    if not isinstance(data.get("case"), dict) or not isinstance(data.get("events"), list) or not data["events"]:
        raise UserError("The file has no case or no events.", field="events", fix="Export the case again.")
    return data["case"]


def _events_part(events: list, rules: RuleSet) -> list[dict]:
    rows = []
    for index, e in enumerate(events):
        where = f"events[{index}]"
        if not isinstance(e, dict):
            raise UserError(f"{where} is not an object.", field=where, fix="Export the case again.")
        type_ = _text(e, "type", f"{where}.type")
        if type_ != VOID and type_ not in rules.events:
            raise UserError(f"'{type_}' is not an event of {rules.name}.", field=f"{where}.type",
                            fix="Import into a deployment with the same rule set.")
        try:
            occurred_on = date.fromisoformat(str(e.get("occurred_on") or e.get("date")))
        except ValueError:
            raise UserError(f"{where} has no date.", field=f"{where}.occurred_on", fix="Write it as YYYY-MM-DD.") from None
        details = e.get("details") or {}
        if not isinstance(details, dict):
            raise UserError(f"{where}.details is not an object.", field=f"{where}.details", fix="Export the case again.")
        if type_ == VOID and not str(e.get("reason") or "").strip():
            raise UserError(f"{where} is a correction without a reason.", field=f"{where}.reason",
                            fix="Give the reason the event was voided.")
        rows.append({"id": e.get("id"), "seq": int(e.get("seq") or index + 1), "type": type_,
                     "occurred_on": occurred_on, "details": ops._details_in(details),
                     "document": str(e.get("document") or ""), "recorded_by": str(e.get("recorded_by") or ""),
                     "recorded_at": parse_stamp(e.get("recorded_at")), "voids": e.get("voids"),
                     "voids_seq": e.get("voids_seq"), "reason": str(e.get("reason") or ""),
                     "documents": e.get("documents") or []})
    rows.sort(key=lambda r: r["seq"])
    if len({r["seq"] for r in rows}) != len(rows):
        raise UserError("Two events have the same seq.", field="events", fix="Export the case again.")
    if all(r["type"] == VOID for r in rows):
        raise UserError("The case has no event that is not a correction.", field="events", fix="Export the case again.")
    return rows


# -- timestamps ----------------------------------------------------------------------------------

def stamp(moment: datetime | None) -> str | None:
    """A timestamp as ISO text in UTC (SQLite gives naive UTC back; PostgreSQL an aware one)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


def parse_stamp(text: Any) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        raise UserError(f"'{text}' is not a timestamp.", field="timestamp", fix="Export the file again.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# -- PDF -------------------------------------------------------------------------------------------

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"sans": "DejaVuSans.ttf", "sans-bold": "DejaVuSans-Bold.ttf", "mono": "DejaVuSansMono.ttf"}
PAPERS = {"letter": "Letter", "a4": "A4"}
# Text that core (latin-1) fonts cannot show, in the nearest words they can.
_LATIN1 = {"\u2014": "-", "\u2013": "-", "\u2212": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
           "\u2026": "...", "\u2022": "*", "\u00b7": "-", "\u2192": "->", "\u2190": "<-", "\u2264": "<=",
           "\u2265": ">=", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2010": "-", "\u2011": "-",
           # Letters NFKD does not take apart.
           "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0152": "OE", "\u0153": "oe",
           "\u0131": "i", "\u0126": "H", "\u0127": "h", "\u0166": "T", "\u0167": "t"}


def unicode_fonts() -> dict[str, Path] | None:
    """DejaVu (Debian's fonts-dejavu-core) when installed: any character a name may hold. fpdf2
    ships no TTF of its own; without DejaVu the PDF uses the core fonts and latin-1 text."""
    paths = {style: DEJAVU / name for style, name in FONT_FILES.items()}
    return paths if all(p.is_file() for p in paths.values()) else None


def latin1(text: str) -> str:
    """`text` in latin-1: dashes and quotes by their plain forms, accents kept where latin-1 has them,
    else the letter without its accent, else '?'."""
    out = []
    for ch in text:
        ch = _LATIN1.get(ch, ch)
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            try:
                plain.encode("latin-1")
                out.append(plain or "?")
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


def history_pdf(session: Session, grievance: Grievance, *, today: date, now: datetime, paper: str = "letter",
                fonts: dict[str, Path] | None | bool = True, zone: tzinfo | None = None, notes: bool = True) -> bytes:
    """The case's history as PDF: page 1 on, the case in brief, its timeline drawn, the chronology
    (events, time limits with their status as of `today`, deadlines moved); then the case's full
    facts and the calendar counted on; then an appendix with each limit's arithmetic day by day.

    Every time printed (the production time `now`, each event's recording, each move) is in `zone`:
    by default `now`'s own zone (the app's TIMEZONE, America/Toronto), else Eastern time; a naive
    `now` is read as UTC, as the database stores it. fonts=True finds DejaVu (unicode_fonts); None
    or False forces the core fonts."""
    zone = zone or now.tzinfo or ZoneInfo(EASTERN)
    now = (now if now.tzinfo else now.replace(tzinfo=timezone.utc)).astimezone(zone)
    data = case_json(session, grievance, today=today, now=now)
    if not notes:  # a hearing bundle: the officer's notes are the local's own, not the Board's to read
        data["notes"] = None
    state = ops.case_state(session, grievance, today)
    calendar = ops.calendar_for(session, data["case"]["board"])
    history = _History(data, ops.rules_named(grievance.ruleset), state, calendar, today, zone)
    pdf = _pdf_class()(PAPERS.get(paper.lower(), "Letter"), unicode_fonts() if fonts is True else fonts or None,
                      f"Grievance {data['case']['number']} - produced {now:%Y-%m-%d %H:%M %Z}".strip())
    _write_history(pdf, history, now)
    return bytes(pdf.output())


EASTERN = "America/Toronto"
PICTURE_UNITS = 700          # the timeline's width in SVG units: its 12-unit text prints at about 9 pt
PICTURE_MAX_MM = 125         # taller than this, it is drawn narrower, so the chronology starts on page 1


class _History(NamedTuple):
    """What the PDF is written from: the case's JSON (case_json) and, for the wording of each
    limit's status and for the picture, the replayed state its derived part came from."""

    data: dict
    rules: RuleSet
    state: CaseState
    calendar: BoardCalendar
    today: date
    zone: tzinfo

    def limits(self) -> list[tuple[Deadline, dict, DeadlineStatus]]:
        """Each limit, its JSON (with the arithmetic) and its status, by trigger date then last day.
        The JSON's deadlines are state_as_dict of the same replay, in the same order."""
        derived = self.data["derived"]["deadlines"]
        assert [d.key for d in self.state.deadlines] == [d["key"] for d in derived]
        rows = [(d, as_dict, deadline_status(d, self.calendar, self.today))
                for d, as_dict in zip(self.state.deadlines, derived)]
        return sorted(rows, key=lambda row: (row[0].trigger_date, row[0].due or date.max))

    def stamp(self, text: str | None) -> str:
        """A stored timestamp in the PDF's one zone: "Thu 20 Nov 2025 09:14 EST"."""
        moment = parse_stamp(text)
        if moment is None:
            return "-"
        moment = moment.astimezone(self.zone)
        return f"{long_date(moment.date())} {moment:%H:%M %Z}"


def _pdf_class():
    from fpdf import FPDF  # imported when a PDF is asked for
    from fpdf.enums import XPos, YPos

    class HistoryPDF(FPDF):
        def __init__(self, paper: str, fonts: dict[str, Path] | None, footer: str):
            super().__init__(orientation="portrait", unit="mm", format=paper)
            self.unicode = fonts is not None
            if self.unicode:
                self.add_font("body", "", str(fonts["sans"]))
                self.add_font("body", "B", str(fonts["sans-bold"]))
                self.add_font("mono", "", str(fonts["mono"]))
                self.body, self.mono = "body", "mono"
            else:
                self.body, self.mono = "helvetica", "courier"
            self.footer_text = footer
            self.set_margins(18, 16, 18)
            self.set_auto_page_break(True, margin=18)
            self.alias_nb_pages()

        def clean(self, text: Any) -> str:
            text = "" if text is None else str(text)
            text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
            return text.replace("\t", "    ") if self.unicode else latin1(text).replace("\t", "    ")

        def footer(self):
            self.set_y(-13)
            self.set_font(self.body, size=8)
            self.set_text_color(90)
            self.cell(0, 5, self.clean(self.footer_text), align="L")
            self.set_x(self.l_margin)
            self.cell(0, 5, f"page {self.page_no()} of {{nb}}", align="R")
            self.set_text_color(0)

        @property
        def room(self) -> float:
            """The text width, in mm."""
            return self.w - self.l_margin - self.r_margin

        def text_line(self, text, size=10.0, bold=False, height=5.0, font=None, gap=0.0, indent=0.0):
            self.set_font(font or self.body, "B" if bold and not font else "", size)
            self.set_x(self.l_margin + indent)
            self.multi_cell(self.room - indent, height, self.clean(text), align="L", new_x=XPos.LMARGIN,
                            new_y=YPos.NEXT)
            if gap:
                self.ln(gap)

        def heading(self, text, size=13.0, keep=45.0):
            if self.get_y() > self.h - keep:  # never a heading alone at the foot of a page
                self.add_page()
            self.ln(3)
            self.text_line(text, size=size, bold=True, height=7)
            self.set_draw_color(160)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(1.5)

        def field(self, label, value, label_width=42.0):
            self.set_x(self.l_margin)
            self.set_font(self.body, "B", 9.5)
            self.cell(label_width, 5, self.clean(label))
            self.set_font(self.body, "", 9.5)
            self.multi_cell(self.room - label_width, 5, self.clean(value if value not in (None, "") else "-"),
                            align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    return HistoryPDF


def _write_history(pdf, history: _History, now: datetime) -> None:
    pdf.add_page()
    _opening(pdf, history, now)
    _picture(pdf, history)
    _events(pdf, history)
    limits = history.limits()
    _limits(pdf, history, limits)
    _moves(pdf, history)
    _fact_changes(pdf, history)
    _notes(pdf, history)
    _the_case(pdf, history)
    _calendar_counted(pdf, history.data["calendar"])
    _appendix(pdf, history, limits)


def _opening(pdf, history: _History, now: datetime) -> None:
    """The title, when it was produced, what the case is and where it stands, and its flags."""
    case, derived, rules = history.data["case"], history.data["derived"], history.rules
    pdf.text_line(f"Grievance {case['number']}: history", size=17, bold=True, height=9)
    pdf.text_line(f"Produced {long_date(now.date())} at {now:%H:%M %Z}. "
                  f"State of the case as of {_long(derived['as_of'])}. "
             f"Every time is {_zone_words(history.zone)}.", size=9, gap=2)
    pdf.field("Kind", f"{case['kind_label']} ({rules.kinds[case['kind']].clause})")
    pdf.field("Stage", f"{derived['stage_label']}{'' if derived['open'] else ' (closed)'}")
    pdf.field("Member(s)", ", ".join(case["members"]))
    pdf.field("School", case["school"])
    if derived["flags"]:
        pdf.ln(1)
        for f in derived["flags"]:
            pdf.text_line(f"- {f['message']} ({f['clause']})", size=9.5, bold=True)


def _picture(pdf, history: _History) -> None:
    """The timeline as on the case page (operations/timeline_svg.py), as vector drawing, at most
    PICTURE_MAX_MM tall."""
    svg = timeline_svg(history.state, history.rules, history.calendar, history.today,
                       number=history.data["case"]["number"], moves=_moves_drawn(history.data), width=PICTURE_UNITS,
                       pdf=True, font_family=pdf.body, spell=pdf.clean)
    units_wide, units_tall = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    wide = min(pdf.room, PICTURE_MAX_MM * units_wide / units_tall)
    pdf.heading("Timeline", keep=20 + wide * units_tall / units_wide)
    top = pdf.get_y() + 1
    pdf.image(io.BytesIO(svg.encode("utf-8")), x=pdf.l_margin + (pdf.room - wide) / 2, y=top, w=wide)
    pdf.set_y(top + wide * units_tall / units_wide + 2)


def _moves_drawn(data: dict) -> list[Move]:
    return [Move(m["deadline"], _date_or_none(m["old_due"]), _date_or_none(m["new_due"]), m["reason"])
            for m in data["deadline_moves"]]


def _events(pdf, history: _History) -> None:
    """Every event as stored, in date order: voided ones marked, corrections with their reasons."""
    rules, events = history.rules, history.data["events"]
    pdf.heading("Chronology: events", keep=30)
    by_id = {e["id"]: e for e in events}
    voided = {e["voids"]: e for e in events if e["voids"]}
    for e in sorted(events, key=lambda e: (e["occurred_on"], e["seq"])):
        clause = "" if e["type"] == VOID else f" ({rules.events[e['type']].clause})" if e["type"] in rules.events else ""
        mark = "  [VOID]" if e["id"] in voided else ""
        pdf.text_line(f"{_long(e['occurred_on'])}  {e['label']}{clause}{mark}", size=10, bold=True)
        for note in _event_notes(e, rules, by_id, voided, history):
            pdf.text_line(note, size=9, indent=6)
        pdf.ln(0.8)


def _event_notes(e: dict, rules: RuleSet, by_id: dict, voided: dict, history: _History) -> list[str]:
    notes = []
    if e["details"]:
        notes.append("; ".join(f"{k.replace('_', ' ')}: {_detail_words(rules, v)}" for k, v in e["details"].items()))
    if e["type"] == VOID:
        target = by_id.get(e["voids"])
        what = f"'{target['label']}' of {_long(target['occurred_on'])}" if target else "an event"
        notes.append(f"Voids {what}. Reason: {e['reason']}")
    if e["id"] in voided:
        notes.append(f"Void: corrected on {_long(voided[e['id']]['occurred_on'])}: {voided[e['id']]['reason']}")
    for d in e["documents"]:
        notes.append(f"Document: {d['filename']} ({d['size']:,} bytes, SHA-256 {d['sha256']})")
    notes.append(f"Recorded by {e['recorded_by']} on {history.stamp(e['recorded_at'])}")
    return notes


def _limits(pdf, history: _History, limits: list) -> None:
    """Each time limit: who must act, what started it, its last day (and, for the Union Local's own
    limits, the earlier act-by date), its status in the presenter's words, and what missing it means."""
    pdf.heading("Chronology: time limits", keep=40)
    if not limits:
        pdf.text_line("No time limit has run on this case.", size=9.5)
    for d, as_dict, status in limits:
        if pdf.get_y() > pdf.h - 40:
            pdf.add_page()
        pdf.text_line(f"{d.rule.label} ({d.rule.clause})", size=10, bold=True)
        pdf.text_line(f"{PARTY_WORDS.get(d.party, d.party)} to act. {_count_words(as_dict)} from "
                 f"{_trigger_words(history.rules, d.trigger)} on {long_date(d.trigger_date)}.", size=9, indent=6)
        pdf.text_line(_status_words(d, status, history.rules), size=9, indent=6,
                      bold=status.state in ("today", "passed"))
        pdf.text_line(f"If missed: {d.rule.consequence_text}", size=9, indent=6, gap=1)


def _status_words(d: Deadline, status: DeadlineStatus, rules: RuleSet) -> str:
    """"Due Fri 28 Nov 2025: 5 school days left", "Act by Mon 08 Dec 2025 (safe date; the agreement's
    date is Wed 10 Dec 2025): due today", "Due Fri 28 Nov 2025: met on Thu 27 Nov 2025 (…)"."""
    if status.state == "ended":
        ended = f" on {long_date(d.ended_on)}" if d.ended_on else ""
        by = f" ({_trigger_words(rules, d.ended_by)})" if d.ended_by else ""
        return f"Due {long_date(status.due)}: {status.words}{ended}{by}."
    if status.act_by is None:
        return f"{status.words[:1].upper()}{status.words[1:]}."
    when = f"Act by {long_date(status.act_by)} ({status.safe_note})" if status.safe_note \
        else f"Due {long_date(status.act_by)}"
    extended = " (extended by written consent)" if d.extended_to else ""
    return f"{when}{extended}: {status.words}."


def _count_words(as_dict: dict) -> str:
    if as_dict["n"] is None:
        return "An agreed date"
    words = f"{as_dict['n']} {as_dict['unit']}"
    if as_dict["meeting_delay_school_days"]:
        words += f" + {as_dict['meeting_delay_school_days']} school days for the grievance meeting"
    return words


def _moves(pdf, history: _History) -> None:
    pdf.heading("Chronology: deadlines moved by calendar changes", keep=30)
    if not history.data["deadline_moves"]:
        pdf.text_line("No deadline of this case has been moved by a change to the board calendar.", size=9.5)
    for m in history.data["deadline_moves"]:
        act_by = ""
        if m.get("old_act_by") and (m.get("old_act_by"), m.get("new_act_by")) != (m["old_due"], m["new_due"]):
            act_by = f"; act by (safe date) from {_long(m['old_act_by'])} to {_long(m.get('new_act_by'))}"
        pdf.text_line(f"{history.stamp(m['moved_at'])}: {m['label']} moved from {_long(m['old_due'])} to "
                 f"{_long(m['new_due'])}{act_by}", size=9.5, bold=True)
        pdf.text_line(f"Reason: {m['reason']} (recorded by {m['moved_by']})", size=9, gap=0.8, indent=6)


FACT_WORDS = {"number": "Number", "members": "Member(s)", "school": "School", "clauses": "Clauses",
              "description": "Description", "remedy": "Remedy sought", "officer": "Officer",
              "stewards": "Steward(s)"}


def _fact_changes(pdf, history: _History) -> None:
    """Issue 13: the facts as they stand are under "The case"; each change to them is listed here."""
    pdf.heading("Chronology: changes to the case's facts", keep=30)
    if not history.data.get("fact_changes"):
        pdf.text_line("No fact of this case has been changed since it was opened.", size=9.5)
    for e in history.data.get("fact_changes") or []:
        pdf.text_line(f"{history.stamp(e['edited_at'])}: {FACT_WORDS.get(e['field'], e['field'])} changed "
                      f"(by {e['edited_by']})", size=9.5, bold=True)
        pdf.text_line(f"From: {e['old_value'] or '-'}", size=9, indent=6)
        pdf.text_line(f"To: {e['new_value'] or '-'}", size=9, indent=6)
        pdf.text_line(f"Reason: {e['reason']}", size=9, gap=0.8, indent=6)


def _notes(pdf, history: _History) -> None:
    """The notes, unless left out (a hearing bundle: data["notes"] is None)."""
    if history.data.get("notes") is None:
        return
    pdf.heading("Notes", keep=30)
    if not history.data["notes"]:
        pdf.text_line("No notes.", size=9.5)
    by_seq = {e["seq"]: e for e in history.data["events"]}
    for n in history.data["notes"]:
        on = by_seq.get(n["event_seq"])
        where = f" on '{on['label']}' of {_long(on['occurred_on'])}" if on else ""
        pdf.text_line(f"{history.stamp(n['written_at'])}, {n['written_by']}{where}:", size=9.5, bold=True)
        pdf.text_line(n["text"], size=9, gap=0.8, indent=6)


def _the_case(pdf, history: _History) -> None:
    case, rules, calendar = history.data["case"], history.rules, history.data["calendar"]
    pdf.heading("The case")
    pdf.field("Number", case["number"])
    union = f"Union Local: {case['local_name']} ({case['local']})"
    board = f"Board: {calendar['board_name'] or calendar['board']}"
    pdf.field("Parties", f"{board} (grievor); {union} (respondent)" if rules.kinds[case["kind"]].filed_by == "board"
              else f"{union} (grievor); {board} (respondent)")
    pdf.field("Clauses", case["clauses"])
    pdf.field("Description", case["description"])
    pdf.field("Remedy sought", case["remedy"])
    pdf.field("Officer", case["officer"])
    pdf.field("Steward(s)", ", ".join(history.data.get("stewards") or []))
    pdf.field("Opened", _long(case["opened_on"]))
    pdf.field("Recorded", f"{history.stamp(case['created_at'])} by {case['created_by']}")


def _calendar_counted(pdf, calendar: dict) -> None:
    pdf.heading("The board calendar counted on")
    pdf.field("Board", f"{calendar['board_name']} ({calendar['board']})" if calendar["board_name"]
              else calendar["board"])
    for year in calendar["school_years"]:
        if not year["loaded"]:
            words = "NOT LOADED: no date in it can be counted"
        else:
            words = "verified by the local" if year["verified"] else "NOT verified by the local"
            if year["unconfirmed_dates"]:
                words += "; holds dates the board has not confirmed"
        pdf.field(f"School year {year['label']}", words)


def _appendix(pdf, history: _History, limits: list) -> None:
    """On pages of its own: each limit's count, day by day, as the case page shows it. The safe date
    is worked out, and shown, only where the Union Local must act."""
    pdf.add_page()
    pdf.heading("Appendix: the arithmetic of each time limit, day by day", keep=60)
    pdf.text_line("Each school day counted or skipped, and why, from the day that started the limit (which never "
             "counts) to its last day, on the board calendar above.", size=9, gap=1)
    for d, as_dict, status in limits:
        if pdf.get_y() > pdf.h - 50:
            pdf.add_page()
        pdf.text_line(f"{d.rule.label} ({d.rule.clause})", size=10.5, bold=True)
        pdf.field("Party to act", PARTY_WORDS.get(d.party, d.party))
        pdf.field("Trigger", f"{_trigger_words(history.rules, d.trigger)} on {long_date(d.trigger_date)}")
        pdf.field("Count", _count_words(as_dict))
        pdf.field("Due", long_date(d.due) + (f" (extended to {long_date(d.extended_to)})" if d.extended_to else ""))
        if d.party == "union":
            pdf.field("Safe date", long_date(d.safe_due) if d.safe_due else "-")
            pdf.field("Act by", long_date(status.act_by))
        pdf.field("Status", status.words)
        if d.rule.interpretation:
            pdf.field("Interpretation", d.rule.interpretation)
        pdf.text_line(_arithmetic(d, as_dict.get("explanation") or {}), size=7.5, height=3.5, font=pdf.mono,
                      gap=2.5)


def _arithmetic(d: Deadline, explanation: dict) -> str:
    """The day-by-day text; on a limit the Union Local does not act on, without the note that gives
    a safe date (Regulation 304's reading), which only binds the union."""
    text = "\n".join(t for t in (explanation.get("text"), explanation.get("meeting_delay"),
                                 explanation.get("provisional")) if t)
    if d.party != "union" and explanation.get("regulation_304_date"):
        text = text.replace(f"\nNote: {explanation['warnings'][0]}", "")
    return text or "Not counted."


def _zone_words(zone: tzinfo) -> str:
    """"Eastern time (America/Toronto)"."""
    name = getattr(zone, "key", None) or str(zone)
    return "Eastern time (America/Toronto)" if name == EASTERN else f"in {name}"


def _trigger_words(rules: RuleSet, trigger: str | None) -> str:
    if not trigger:
        return "-"
    if trigger.startswith("lapse:"):
        return f"the end of '{_limit_label(rules, trigger[6:])}' (passed unmet)"
    rule = rules.events.get(trigger)
    return rule.label if rule else trigger.replace("_", " ")


def _detail_words(rules: RuleSet, value: Any) -> str:
    if isinstance(value, str) and value in rules.limits:
        return rules.limits[value].label
    if isinstance(value, str):
        try:
            return _long(date.fromisoformat(value).isoformat())
        except ValueError:
            return value
    return str(value)


def _limit_label(rules: RuleSet, key: str) -> str:
    return rules.limits[key].label if key in rules.limits else key


def _long(day: str | None) -> str:
    """An ISO date as the presenter writes dates: "Fri 27 Nov 2025"."""
    return long_date(date.fromisoformat(day)) if day else "-"


# -- small helpers ---------------------------------------------------------------------------------

def _text(data: dict, key: str, field: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"'{field}' is missing.", field=field, fix=f"Give {key} as text.")
    return value.strip()


def _require(value, field: str, fix: str) -> None:
    if not value:
        raise UserError(f"'{field}' is required.", field=field, fix=fix)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _date_or_none(text: Any) -> date | None:
    return date.fromisoformat(str(text)) if text else None


def _now() -> datetime:
    return datetime.now(timezone.utc)


__all__ = ["FORMAT", "ROUND_TRIP_EXCLUDED", "case_json", "import_case", "documents_missing", "history_pdf",
           "unicode_fonts", "latin1", "stamp", "parse_stamp", "insert_case", "add_moves", "add_documents",
           "calendar_used"]
