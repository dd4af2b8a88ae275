"""Two union locals with everything a route can name, for test_access_matrix.py.

Local A ("alpha") counts its cases on a board of its own (alpha-board); local B
("bravo") on the deployment's board (amdsb-elementary, DEFAULT_BOARD). Each has
a user in every role, two cases (one assigned to its steward), an event and a
document on each case, a live feed link for every user; A also has a revoked
link, a deactivated user's link and a closure on its board's calendar.

Every string that names A's people or cases is distinctive, so that a page that
shows any of them is caught by a plain substring test (MARKERS). The snapshots
say what "A's rows" are without a hand-written list: every row reachable from
A's local or A's board through a foreign key, or holding one of A's document
checksums.
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from conftest import PASSWORD, log_in
from models import Base, Board, Grievance, UnionLocal, User
from operations import accounts
from operations import calendars as calendar_operations
from operations import documents as document_operations
from operations import exports as export_operations
from operations import feeds as feed_operations
from operations import grievances as ops
from school_calendar.calendar_file import read_board_directory
from school_calendar.days import ClosureKind

TODAY = date(2025, 11, 20)
SHARED_BOARD = "amdsb-elementary"
ROLES = ("admin", "officer", "steward", "viewer")
# Rows that say nothing about a local: anyone may try to log in as anyone.
UNOWNED_TABLES = {"login_attempts", "alembic_version"}


@dataclass
class Local:
    key: str                      # "A" or "B"
    slug: str
    name: str
    board: str
    emails: dict[str, str] = field(default_factory=dict)     # role -> email
    user_ids: dict[str, int] = field(default_factory=dict)   # role -> id
    numbers: dict[str, str] = field(default_factory=dict)    # "assigned"/"unassigned" -> number
    cases: dict[str, int] = field(default_factory=dict)      # "assigned"/"unassigned" -> id
    events: dict[str, int] = field(default_factory=dict)     # case key -> its last event's id
    documents: dict[str, int] = field(default_factory=dict)  # case key -> document id
    document_bytes: dict[str, bytes] = field(default_factory=dict)
    shas: set[str] = field(default_factory=set)
    feeds: dict[str, str] = field(default_factory=dict)      # role -> live feed secret
    feed_ids: dict[str, int] = field(default_factory=dict)   # role -> live feed id
    dead_feeds: list[str] = field(default_factory=list)      # revoked, or of a deactivated user
    markers: list[str] = field(default_factory=list)         # text that names this local's people or cases
    case_markers: list[str] = field(default_factory=list)    # the part of it that only case pages show
    clients: dict = field(default_factory=dict)              # role -> logged-in test client
    export: dict = field(default_factory=dict)               # a case's JSON, for the import form


def _people(key: str) -> dict[str, str]:
    """A display name per role; distinctive so that a leak is a substring."""
    stem = {"A": "Quillfeather", "B": "Brackenridge"}[key]
    return {role: f"{role.title()} {stem}" for role in ROLES}


CASE_TEXT = {
    "A": {"members": ("Ysolde Fenwarden", "Tobiah Marrowcliff"), "school": "Thistledown Public School",
          "description": "Ysolde was denied preparation time on nine days", "numbers": ("AQ-7701", "AQ-7702"),
          "document": b"AQ-DOCUMENT-BYTES: the written grievance of Ysolde Fenwarden\n"},
    "B": {"members": ("Orrin Blackwater", "Pellam Duskwood"), "school": "Juniper Hollow Public School",
          "description": "Orrin was assigned coverage without notice", "numbers": ("BX-4401", "BX-4402"),
          "document": b"BX-DOCUMENT-BYTES: the written grievance of Orrin Blackwater\n"},
}


def build(app) -> dict[str, Local]:
    """Both locals, stored; then a logged-in client per user."""
    world = {"A": Local("A", "alpha-local", "Alpha Quillfeather Teachers Local", "alpha-board"),
             "B": Local("B", "bravo-local", "Bravo Brackenridge Teachers Local", SHARED_BOARD)}
    store = Path(app.config["DOCUMENTS_DIR"])
    with app.extensions["database"].transaction() as session:
        _load_alpha_board(session)
        for local in world.values():
            _fill_local(session, local, store)
        _dead_feeds(session, world["A"])
        calendar_operations.add_closure(session, "alpha-board", date(2025, 12, 1), date(2025, 12, 1),
                                        ClosureKind.WEATHER, "Ice storm", by=world["A"].emails["admin"],
                                        reason="Board closed all schools", today=TODAY)
        world["B"].export = export_operations.case_json(session, session.get(Grievance, world["B"].cases["assigned"]),
                                                        today=TODAY, derived=False)
    for local in world.values():
        local.clients = {role: log_in(app, local.emails[role]) for role in ROLES}
    return world


def _load_alpha_board(session) -> None:
    """The shipped AMDSB years again, as the calendar of a board only local A counts on."""
    for year in read_board_directory()[SHARED_BOARD]:
        copy_ = dataclasses.replace(year, board="alpha-board", board_name="Alpha District School Board")
        calendar_operations.load_school_year(session, copy_, by="test-suite", reason="a second board for the tests")


def _fill_local(session, local: Local, store: Path) -> None:
    ops.ensure_local(session, local.slug, local.name)
    names = _people(local.key)
    for role in ROLES:
        email = f"{role}@{local.slug}.example.org"
        user = accounts.create_user(session, local=local.slug, email=email, name=names[role], password=PASSWORD,
                                    role=role)
        local.emails[role], local.user_ids[role] = email, user.id
        made = feed_operations.create_feed(session, user)
        local.feeds[role], local.feed_ids[role] = made.secret, made.feed.id
    text = CASE_TEXT[local.key]
    for key, number in zip(("assigned", "unassigned"), text["numbers"]):
        _open_case(session, local, key, number, text, store)
    steward = session.get(User, local.user_ids["steward"])
    accounts.assign_steward(session, steward, session.get(Grievance, local.cases["assigned"]))
    local.case_markers = [*text["numbers"], *text["members"], text["school"], text["description"],
                          text["document"].decode()]
    local.markers = [*local.case_markers, local.name, *names.values(), *local.emails.values()]


def _open_case(session, local: Local, key: str, number: str, text: dict, store: Path) -> None:
    case = ops.open_case(session, ops.NewCase(
        number=number, kind="policy", first_event_on=date(2025, 11, 10), members=text["members"],
        school=text["school"], clauses="12.06", description=text["description"], remedy="Make the teacher whole.",
        local=local.slug, board=local.board), by=local.emails["officer"], today=TODAY)
    case.officer_id = local.user_ids["officer"]
    ops.record_event(session, case.id, type="grievance_filed", occurred_on=date(2025, 11, 13),
                     by=local.emails["officer"], today=TODAY)
    event_id = ops.last_event_id(session, case.id)
    data = text["document"] + key.encode()
    document = document_operations.attach(session, store, grievance_id=case.id, event_id=event_id,
                                          filename=f"{number}-grievance.txt", data=data, by=local.emails["officer"])
    local.cases[key], local.numbers[key], local.events[key] = case.id, number, event_id
    local.documents[key], local.document_bytes[key] = document.id, data
    local.shas.add(document.sha256)


def _dead_feeds(session, local: Local) -> None:
    """A revoked link of A's officer, and the live link of a user of A who was then deactivated."""
    officer = session.get(User, local.user_ids["officer"])
    revoked = feed_operations.create_feed(session, officer)
    feed_operations.revoke_feed(session, officer, revoked.feed.id)
    gone = accounts.create_user(session, local=local.slug, email=f"gone@{local.slug}.example.org",
                                name="Gone Quillfeather", password=PASSWORD, role="officer")
    gone_feed = feed_operations.create_feed(session, gone)
    gone.is_active = False
    local.dead_feeds = [revoked.secret, gone_feed.secret]


def import_file(own: Local, target: Local, number: str) -> dict:
    """own's case JSON under a new number, naming one of target's documents by its checksum: an import
    must not turn someone else's stored file into a document of the importer's case."""
    data = copy.deepcopy(own.export)
    data["case"]["number"] = number
    sha = sorted(target.shas)[0]
    data["events"][-1]["documents"] = [{"filename": "probe.txt", "content_type": "text/plain", "size": 10,
                                        "sha256": sha, "uploaded_by": "probe", "uploaded_at": None}]
    return data


# -- snapshots -----------------------------------------------------------------------------------

def all_rows(app) -> dict[str, set[tuple]]:
    """Every row of every table a local can own, as text (comparable across databases)."""
    out = {}
    with app.extensions["database"].transaction() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in UNOWNED_TABLES:
                continue
            out[table.name] = {tuple(str(v) for v in row) for row in session.execute(select(table))}
    return out


def owned_rows(app, local: Local) -> dict[str, set[tuple]]:
    """The rows that belong to `local` or point at what does: reachable from its union_locals row or its
    board through foreign keys (to a fixpoint: an event voiding one of its events is its row too), or
    holding one of its document checksums."""
    rows = all_rows(app)
    with app.extensions["database"].transaction() as session:
        seeds = {"union_locals": {str(session.scalar(select(UnionLocal.id).where(UnionLocal.slug == local.slug)))}}
        if local.board != SHARED_BOARD:
            seeds["boards"] = {str(session.scalar(select(Board.id).where(Board.slug == local.board)))}
    owned_ids = {name: set(ids) for name, ids in seeds.items()}
    owned: dict[str, set[tuple]] = {}
    changed = True
    while changed:
        changed = False
        for table in Base.metadata.sorted_tables:
            if table.name not in rows:
                continue
            for row in rows[table.name]:
                if row in owned.get(table.name, set()) or not _belongs(table, row, owned_ids, local.shas):
                    continue
                owned.setdefault(table.name, set()).add(row)
                owned_ids.setdefault(table.name, set()).add(row[list(table.columns.keys()).index("id")])
                changed = True
    return owned


def _belongs(table, row: tuple, owned_ids: dict[str, set[str]], shas: set[str]) -> bool:
    for value, column in zip(row, table.columns):
        if column.name == "id" and value in owned_ids.get(table.name, ()):
            return True
        if value in shas:
            return True
        for key in column.foreign_keys:
            if value in owned_ids.get(key.column.table.name, ()):
                return True
    return False
