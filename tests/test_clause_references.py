"""Clauses as references the tool reads (workflows/clauses.py): the form and the API store
them in one form, reports group by reference and by article, and existing cases are
migrated (Alembic 0010) with what names no reference kept as written and listed."""
import logging

import pytest
from alembic import command
from sqlalchemy import select, text

from cli.database import alembic_config
from models import Grievance
from operations import reports
from workflows.clauses import ClauseRef, Unreadable, canonical, parse_clauses


@pytest.mark.parametrize(("written", "read"), [
    ("12.06", ["12.06"]),
    ("12.06 b", ["12.06 b"]), ("12.06(b)", ["12.06 b"]), ("12.06 (b)", ["12.06 b"]),
    ("Art. 12.06", ["12.06"]), ("Article 12.06 b", ["12.06 b"]),
    ("Art. 12.06 (preparation time)", ["12.06 — preparation time"]),
    ("12.06 Preparation Time", ["12.06 — Preparation Time"]),
    ("Article 5", ["Article 5"]), ("Art 5", ["Article 5"]),
    ("12.06, 12.07 b; 33.02 d", ["12.06", "12.07 b", "33.02 d"]),
    ("Human Rights Code", ["Human Rights Code"]),          # other language: kept as written
    ("12 teachers affected", ["12 teachers affected"]),    # a bare number is no reference
    ("12.06; Human Rights Code", ["12.06", "Human Rights Code"]),
    ("the memo of Oct 3, 2025 &amp;c", ["the memo of Oct 3, 2025 &amp;c"]),  # its own punctuation kept
])
def test_clause_references_are_read_in_every_usual_writing(written, read):
    assert [item.text() for item in parse_clauses(written)] == read


def test_clause_references_the_three_writings_of_the_issue_are_one_clause():
    keys = {item.key for w in ("12.06", "12.06 Preparation Time", "Art. 12.06 (preparation time)")
            for item in parse_clauses(w)}
    assert keys == {"12.06"}
    assert [i.article for i in parse_clauses("12.06 b; Article 12; 33.02")] == [12, 12, 33]
    assert isinstance(parse_clauses("Code")[0], Unreadable) and isinstance(parse_clauses("5.01")[0], ClauseRef)


CASE = {"kind": "policy", "first_event_on": "2025-11-17", "members": ["A Member"], "description": "d",
        "remedy": "r"}


def test_clause_references_the_api_and_the_form_store_one_form_and_reports_group_them(app, officer):
    app.config["TODAY"] = "2025-11-20"
    for number, clauses in (("C-1", "12.06"), ("C-2", "12.06 Preparation Time"),
                            ("C-3", "Art. 12.06 (preparation time); Human Rights Code")):
        assert officer.post("/api/grievances", json={**CASE, "number": number, "clauses": clauses}).status_code == 201
    form = officer.post("/cases/new", data={**CASE, "members": "A Member", "number": "C-4", "clauses": "12.06(b)"})
    assert form.status_code == 302, form.get_data(as_text=True)
    with app.extensions["database"].transaction() as session:
        stored = dict(session.execute(select(Grievance.number, Grievance.clauses)).all())
    assert stored == {"C-1": "12.06", "C-2": "12.06 — Preparation Time",
                      "C-3": "12.06 — preparation time\nHuman Rights Code", "C-4": "12.06 b"}
    page = officer.get("/reports/clauses.csv?year=2025-26").get_data(as_text=True)
    rows = [line.split(",") for line in page.strip().splitlines()]
    counts = {row[0].strip('"'): row[1] for row in rows[1:]}
    assert counts["12.06 — Preparation Time"] == "3"  # C-1, C-2, C-3: one clause, named by its first title
    assert counts["12.06 b"] == "1" and counts["Human Rights Code"] == "1"
    articles = officer.get("/reports/articles.csv?year=2025-26").get_data(as_text=True)
    assert "Article 12,4" in articles


def test_clause_references_existing_cases_are_migrated_and_the_unreadable_kept_and_listed(app, officer,
                                                                                          database_url, caplog):
    app.config["TODAY"] = "2025-11-20"
    ids = [officer.post("/api/grievances", json={**CASE, "number": f"M-{n}", "clauses": "12.06"}).get_json()["id"]
           for n in (1, 2)]
    config = alembic_config(database_url)
    command.downgrade(config, "0009")
    with app.extensions["database"].transaction() as session:  # as the older code stored them: as typed
        session.execute(text("UPDATE grievances SET clauses = :c WHERE id = :i"),
                        {"c": "Art. 12.06 (preparation time), 12.07 b", "i": ids[0]})
        session.execute(text("UPDATE grievances SET clauses = :c WHERE id = :i"),
                        {"c": "the PA day memo of Oct 3", "i": ids[1]})
    with caplog.at_level(logging.INFO, logger="alembic.runtime.migration"):
        command.upgrade(config, "head")
    with app.extensions["database"].transaction() as session:
        stored = dict(session.execute(select(Grievance.number, Grievance.clauses)).all())
    assert stored == {"M-1": "12.06 — preparation time\n12.07 b", "M-2": "the PA day memo of Oct 3"}
    assert "Case M-2: kept as written, not a clause reference: 'the PA day memo of Oct 3'" in caplog.text
    assert canonical(stored["M-1"]) == stored["M-1"]  # a second run changes nothing
