"""A case's history as PDF and JSON (and the JSON imported again), and the
dashboard's list as CSV. The tests read what they produce: the PDF's text with
pypdf, the JSON as data, the CSV with the csv module.

Calendar: the shipped AMDSB 2025-26 year; today pinned to Thu 2025-11-20. A
policy grievance aware Mon 2025-11-10, filed at Step 1 Thu Nov 13 (first
recorded as Nov 12, then corrected): the Board's reply is due 10 school days
later, Thu 27 Nov (Fri 14 is 1, Mon 24 is 7)."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import create_engine, make_url, select, text

from app import create_app
from cli.database import alembic_config
from conftest import log_in, make_user
from gate import InputError, read
from gate.inputs import CaseImport
from models import Grievance, User
from operations import documents as document_operations
from operations import exports as export_operations
from operations import grievances as ops
from operations.calendars import add_closure
from school_calendar.days import ClosureKind
from school_calendar.errors import UserError

TODAY = date(2025, 11, 20)
MEMBER = "Zoë Côté-Tremblay — occasional teacher"
OTHER_MEMBER = "Łukasz Nowak"
NOTE = b"Grievance 2025-010 as filed on 13 November.\n"


# -- shared with test_feeds.py and test_archive.py ------------------------------------------------------

def open_filed_case(app, *, number="2025-010", members=(MEMBER, OTHER_MEMBER), school="Demo PS",
                    officer_email: str | None = "officer@example.org", local="etfo-avon-maitland") -> int:
    """The policy grievance of the module docstring, its filing corrected from Nov 12 to Nov 13."""
    app.config["TODAY"] = TODAY.isoformat()
    with app.extensions["database"].transaction() as session:
        case = ops.open_case(session, ops.NewCase(number=number, kind="policy", first_event_on=date(2025, 11, 10),
                                                  members=members, school=school, clauses="12.06 — Preparation time",
                                                  description="Preparation time cut “for coverage”.",
                                                  remedy="Restore the time; make the teacher whole.", local=local),
                             by="officer@example.org", today=TODAY)
        if officer_email:
            case.officer_id = session.scalar(select(User.id).where(User.email == officer_email))
        ops.record_event(session, case.id, type="grievance_filed", occurred_on=date(2025, 11, 12),
                         by="officer@example.org", today=TODAY)
        filed = ops.last_event_id(session, case.id)
        ops.correct_event(session, case.id, filed, occurred_on=date(2025, 11, 13),
                          reason="The grievance was delivered on the 13th.", by="officer@example.org", today=TODAY)
        return case.id


def _user_id(app, email: str) -> int:
    with app.extensions["database"].transaction() as session:
        return session.scalar(select(User.id).where(User.email == email))


def attach_note(app, case_id: int) -> str:
    store = Path(app.config["DOCUMENTS_DIR"])
    with app.extensions["database"].transaction() as session:
        event_id = ops.last_event_id(session, case_id)
        return document_operations.attach(session, store, grievance_id=case_id, event_id=event_id,
                                          filename="grievance.txt", data=NOTE, by="officer@example.org").sha256


def close_monday_24(app) -> None:
    """A snow day on Mon 2025-11-24: the Step 1 reply moves from Thu 27 to Fri 28 Nov."""
    with app.extensions["database"].transaction() as session:
        add_closure(session, "amdsb-elementary", date(2025, 11, 24), date(2025, 11, 24), ClosureKind.WEATHER,
                    "Snow storm", by="admin@example.org", reason="Board closed all schools", today=TODAY)


def other_database_url(source_url: str, tmp_path: Path, name: str) -> str:
    """An empty database of the other kind than the source's: PostgreSQL for a SQLite source when the
    test server runs (a database of its own on it), SQLite otherwise."""
    server = os.environ.get("TEST_POSTGRES_URL")
    if source_url.startswith("sqlite") and server:
        url = make_url(server)
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return url.set(database=name).render_as_string(hide_password=False)
    return f"sqlite:///{tmp_path / (name + '.sqlite3')}"


@pytest.fixture
def make_target(database_url, tmp_path):
    """make_target(name, calendars=True): another app on its own empty, migrated database (of the other
    kind), with its own documents store; with the shipped calendars and the local loaded, or bare."""
    from alembic import command

    made = []

    def make(name: str, *, calendars: bool = True):
        url = other_database_url(database_url, tmp_path, name)
        target = create_app({"TESTING": True, "DATABASE_URL": url, "SESSION_COOKIE_SECURE": False,
                             "DOCUMENTS_DIR": str(tmp_path / f"{name}-documents"), "TODAY": TODAY.isoformat()})
        command.upgrade(alembic_config(url), "head")
        made.append(target)
        if calendars:
            runner = target.test_cli_runner()
            for args in (["schooldays", "load", "--by", "test-suite"],
                         ["locals", "add", "etfo-avon-maitland", "Test local"]):
                result = runner.invoke(args=args)
                assert result.exit_code == 0, result.output
        return target

    yield make
    for target in made:
        target.extensions["database"].dispose()


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


# -- the PDF ---------------------------------------------------------------------------------------------

@pytest.fixture
def filed(app, officer):
    return open_filed_case(app)


def test_the_pdf_holds_the_case_its_deadlines_with_their_arithmetic_and_page_numbers(app, officer, filed):
    attach_note(app, filed)
    close_monday_24(app)
    response = officer.get(f"/cases/{filed}/history.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    words, pages = pdf_text(response.data)
    flat = " ".join(words.split())  # prose wraps where the page ends a line
    # Accents, an em dash and a Polish letter as typed (with DejaVu; else as latin-1 shows them).
    shown = (lambda text: text) if export_operations.unicode_fonts() else export_operations.latin1
    assert shown(MEMBER) in flat and shown(OTHER_MEMBER) in flat
    assert "Restore the time; make the teacher whole." in flat
    # The Step 1 reply, moved by the snow day from Thu 27 to Fri 28 Nov, and its arithmetic, line by line.
    assert "Step 1 reply from the Superintendent (HR Services) (33.04 Step One)" in flat
    # Seen on Thu 20 Nov: Fri 21 is 1, Mon 24 closed, Tue 25 to Fri 28 are 2 to 5 (the presenter's words).
    assert "Due Fri 28 Nov 2025: 5 school days left." in flat
    assert "Party to act Board" in flat and "Status 5 school days left" in flat
    assert "10 school days after Thu 2025-11-13 (which never counts) is Fri 2025-11-28." in words
    assert re.search(r"^ *10 +Fri 2025-11-28 +counted: instructional day$", words, re.MULTILINE)
    assert re.search(r"^ *- +Mon 2025-11-24 +closure: weather \(Snow storm\)$", words, re.MULTILINE)
    assert "moved from Thu 27 Nov 2025 to Fri 28 Nov 2025" in flat and "Board closed all schools" in flat
    # The correction: the first filing marked void, with the reason.
    assert "[VOID]" in flat and "Reason: The grievance was delivered on the 13th." in flat
    assert "grievance.txt" in flat and "SHA-256" in flat
    # The calendar counted on, and the production date and page numbers on every page.
    assert "School year 2025-26 NOT verified by the local" in flat
    assert "page 1 of" in words and f"page {pages} of {pages}" in words
    assert len(re.findall(rf"produced \d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}} .* page \d of {pages}", words)) == pages


def test_without_a_unicode_font_the_pdf_uses_core_fonts_and_never_crashes_on_a_name(app, officer, filed,
                                                                                        monkeypatch):
    monkeypatch.setattr(export_operations, "unicode_fonts", lambda: None)
    response = officer.get(f"/cases/{filed}/history.pdf")
    assert response.status_code == 200
    words, _ = pdf_text(response.data)
    flat = " ".join(words.split())
    assert "Zoë Côté-Tremblay - occasional teacher" in flat  # latin-1 keeps the accents; the dash is plain
    assert "Lukasz Nowak" in flat  # no Ł in latin-1: the letter without its stroke
    assert "Preparation time cut \"for coverage\"." in flat
    assert "page 1 of" in words
    assert export_operations.latin1("“Quoted” — 中") == '"Quoted" - ?'


def test_the_pdf_comes_on_letter_or_a4(officer, filed):
    letter = PdfReader(io.BytesIO(officer.get(f"/cases/{filed}/history.pdf").data)).pages[0].mediabox
    a4 = PdfReader(io.BytesIO(officer.get(f"/cases/{filed}/history.pdf?paper=a4").data)).pages[0].mediabox
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)


def test_another_locals_user_or_an_unassigned_steward_gets_404_for_the_exports(app, officer, filed):
    with app.extensions["database"].transaction() as session:
        ops.ensure_local(session, "other-local", "Another local")
    make_user(app, "officer@theirs.org", "officer", "other-local")
    make_user(app, "steward@example.org", "steward")
    for email in ("officer@theirs.org", "steward@example.org"):
        client = log_in(app, email)
        for url in (f"/cases/{filed}/history.pdf", f"/cases/{filed}/history.json"):
            assert client.get(url).status_code == 404, (email, url)
    assert app.test_client().get(f"/cases/{filed}/history.pdf").status_code == 302  # no login


def test_the_case_page_links_to_its_exports(officer, filed):
    page = officer.get(f"/cases/{filed}").get_data(as_text=True)
    assert f'href="/cases/{filed}/history.pdf"' in page and f'href="/cases/{filed}/history.json"' in page


# -- the JSON, and importing it --------------------------------------------------------------------------

def comparable(data: dict) -> dict:
    """The export without what ROUND_TRIP_EXCLUDED names: ids and the moment of the export."""
    data = json.loads(json.dumps(data))
    assert set(export_operations.ROUND_TRIP_EXCLUDED) == {"exported_at", "case.id", "events[].id", "events[].voids",
                                                          "events[].documents[].id"}
    del data["exported_at"], data["case"]["id"]
    for event in data["events"]:
        del event["id"], event["voids"]
        for document in event["documents"]:
            del document["id"]
    return data


def test_the_json_holds_every_event_with_voids_documents_and_the_derived_deadlines(app, officer, filed):
    sha = attach_note(app, filed)
    data = officer.get(f"/cases/{filed}/history.json").get_json()
    assert data["format"] == "grievance-tracker/case" and data["case"]["number"] == "2025-010"
    assert data["case"]["members"] == [MEMBER, OTHER_MEMBER] and data["case"]["officer"] == "officer@example.org"
    events = data["events"]
    assert [(e["seq"], e["type"], e["occurred_on"]) for e in events] == [
        (1, "awareness", "2025-11-10"), (2, "grievance_filed", "2025-11-12"), (3, "void", "2025-11-20"),
        (4, "grievance_filed", "2025-11-13")]
    assert events[2]["voids"] == events[1]["id"] and events[2]["voids_seq"] == 2
    assert events[2]["reason"] == "The grievance was delivered on the 13th."
    assert all(e["recorded_by"] == "officer@example.org" and e["recorded_at"] for e in events)
    assert events[3]["documents"] == [{"id": events[3]["documents"][0]["id"], "filename": "grievance.txt",
                                       "content_type": "text/plain", "size": len(NOTE), "sha256": sha,
                                       "uploaded_by": "officer@example.org",
                                       "uploaded_at": events[3]["documents"][0]["uploaded_at"]}]
    reply = next(d for d in data["derived"]["deadlines"] if d["key"] == "step1_reply")
    assert (reply["due"], reply["trigger_date"], reply["status"]) == ("2025-11-27", "2025-11-13", "running")
    assert "counted: instructional day" in reply["explanation"]["text"]


def test_a_case_exported_and_imported_elsewhere_exports_the_same(app, officer, filed, make_target):
    sha = attach_note(app, filed)
    close_monday_24(app)  # a deadline moved, on the case's timeline
    # Issue 13: a fact changed, a note on the case and one on the filing travel with the case.
    assert officer.post(f"/api/grievances/{filed}/facts", json={"school": "Demo Public School",
                                                                "reason": "The school's full name"}).status_code == 200
    filing = officer.get(f"/api/grievances/{filed}").get_json()["events"][-1]["id"]
    make_user(app, "steward@example.org", "steward")
    steward = _user_id(app, "steward@example.org")
    assert officer.post(f"/api/grievances/{filed}/assignment", json={"steward_ids": [steward]}).status_code == 200
    assert officer.post(f"/api/grievances/{filed}/notes",
                        json={"text": "The principal agreed it was cut."}).status_code == 201
    assert officer.post(f"/api/grievances/{filed}/notes", json={"text": "Delivered by hand.",
                                                                "event_id": filing}).status_code == 201
    first = officer.get(f"/cases/{filed}/history.json").get_json()
    assert [(c["field"], c["old_value"], c["new_value"]) for c in first["fact_changes"]] == [
        ("school", "Demo PS", "Demo Public School"), ("stewards", "", "steward@example.org")]
    assert [(n["text"], n["event_seq"]) for n in first["notes"]] == [
        ("The principal agreed it was cut.", None), ("Delivered by hand.", 4)]
    assert first["stewards"] == ["steward@example.org"]  # assignments travel by email
    assert [m["new_due"] for m in first["deadline_moves"]] == ["2025-11-28"]
    target = make_target("import_target")
    close_monday_24(target)  # the same board calendar there
    make_user(target, "officer@example.org", "officer")
    make_user(target, "steward@example.org", "steward")
    # The document's file travels separately (the archive carries files; a case's JSON only names them).
    blob = Path(app.config["DOCUMENTS_DIR"]) / sha[:2] / sha
    (Path(target.config["DOCUMENTS_DIR"]) / sha[:2]).mkdir(parents=True)
    shutil.copy(blob, Path(target.config["DOCUMENTS_DIR"]) / sha[:2] / sha)
    client = log_in(target, "officer@example.org")
    upload = {"case": (io.BytesIO(json.dumps(first).encode()), "2025-010.json")}
    response = client.post("/cases/import", data=upload, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    second = client.get(f"/cases/{new_id}/history.json").get_json()
    assert comparable(second) == comparable(first)
    assert second["derived"] == first["derived"]
    assert [e["voids"] for e in second["events"]] == [None, None, second["events"][1]["id"], None]
    # The same number again is refused, and nothing is stored.
    again = client.post("/cases/import", data={"case": (io.BytesIO(json.dumps(first).encode()), "again.json")},
                        content_type="multipart/form-data")
    assert again.status_code == 400 and "already exists" in again.get_data(as_text=True)
    with target.extensions["database"].transaction() as session:
        assert session.scalar(select(Grievance.id).where(Grievance.number == "2025-010")) == new_id
        assert len(session.scalars(select(Grievance)).all()) == 1


def test_importing_from_the_command_line_names_the_documents_left_behind(app, officer, filed, make_target, tmp_path):
    attach_note(app, filed)
    exported = tmp_path / "case.json"
    exported.write_text(officer.get(f"/cases/{filed}/history.json").get_data(as_text=True), encoding="utf-8")
    target = make_target("import_cli_target")
    runner = target.test_cli_runner()
    result = runner.invoke(args=["archive", "import-case", str(exported), "--by", "tester"])
    assert result.exit_code == 0, result.output
    assert "Imported case 2025-010 (step_1)" in result.output
    assert "grievance.txt" in result.output  # its file is not in this store: named, not attached
    with target.extensions["database"].transaction() as session:
        case = session.scalar(select(Grievance).where(Grievance.number == "2025-010"))
        assert case.officer_id is None  # no such account here
        assert (case.next_act_by, case.stage) == (date(2025, 11, 27), "step_1")
    refused = runner.invoke(args=["archive", "import-case", str(exported), "--by", "tester"])
    assert refused.exit_code != 0 and "already exists" in refused.output


def test_import_refuses_what_is_not_a_case_and_a_sequence_the_procedure_refuses(app, officer, filed):
    data = officer.get(f"/cases/{filed}/history.json").get_json()
    with pytest.raises(InputError, match="Format"):  # the gate: not the tracker's format
        read(CaseImport, {"events": []})
    data["case"]["number"] = "2025-099"
    data["events"] = [e for e in data["events"] if e["type"] != "awareness"]  # a filing without awareness
    with pytest.raises(UserError):
        with app.extensions["database"].transaction() as session:
            export_operations.import_case(session, read(CaseImport, data), local="etfo-avon-maitland", by="t",
                                          today=TODAY)
    with app.extensions["database"].transaction() as session:
        assert session.scalar(select(Grievance.id).where(Grievance.number == "2025-099")) is None
    viewer_form = officer.get("/cases/import")
    assert viewer_form.status_code == 200 and 'type="file"' in viewer_form.get_data(as_text=True)
    make_user(app, "viewer@example.org", "viewer")
    assert log_in(app, "viewer@example.org").get("/cases/import").status_code == 403


# -- the dashboard's list as CSV ------------------------------------------------------------------------

def read_csv(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_csv_lists_the_dashboards_cases_with_its_filters(app, officer):
    app.config["TODAY"] = TODAY.isoformat()
    app.test_cli_runner().invoke(args=["demo", "load"])
    page = officer.get("/dashboard").get_data(as_text=True)
    rows = read_csv(officer.get("/dashboard.csv"))
    assert list(rows[0]) == ["Number", "Kind", "Stage", "Members", "School", "Officer", "Next act-by date",
                             "Party to act", "Next deadline", "School days left", "Status", "Agreement's date",
                             "Flags"]
    numbers = [r["Number"] for r in rows]
    assert numbers == sorted(numbers, key=page.index)  # the dashboard's order
    assert "DEMO-07" not in numbers  # settled
    overdue = next(r for r in rows if r["Number"] == "DEMO-08")
    assert "Our limit passed" in overdue["Flags"] and int(overdue["School days left"]) < 0
    assert overdue["Party to act"] == "Union Local" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", overdue["Next act-by date"])
    assert [r["Number"] for r in read_csv(officer.get("/dashboard.csv?kind=board"))] == ["DEMO-06"]
    assert [r["Number"] for r in read_csv(officer.get("/dashboard.csv?q=retiree"))] == ["DEMO-05"]
    assert 'href="/dashboard.csv?' in officer.get("/dashboard?kind=board").get_data(as_text=True)
    assert "kind=board" in re.search(r'href="(/dashboard\.csv\?[^"]*)"',
                                     officer.get("/dashboard?kind=board").get_data(as_text=True)).group(1)


def test_the_csv_guards_against_formulas_and_shows_only_visible_cases(app, officer):
    open_filed_case(app, members=("=HYPERLINK(\"http://evil.example\")", "+1 caller"), school="@SUM(A1)")
    row = read_csv(officer.get("/dashboard.csv"))[0]
    assert row["Members"] == "'=HYPERLINK(\"http://evil.example\"); +1 caller"
    assert row["School"] == "'@SUM(A1)"
    assert (row["Next act-by date"], row["School days left"], row["Party to act"]) == ("2025-11-27", "5", "Board")
    assert row["Next deadline"] == "Step 1 reply from the Superintendent (HR Services)"
    assert row["Officer"] == "Officer"
    with app.extensions["database"].transaction() as session:
        ops.ensure_local(session, "other-local", "Another local")
    make_user(app, "officer@theirs.org", "officer", "other-local")
    assert read_csv(log_in(app, "officer@theirs.org").get("/dashboard.csv")) == []
