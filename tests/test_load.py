"""The load driver of benchmarks/load.py at small scale: 300 cases, 50 clients for
6 s, the app under gunicorn with deploy/gunicorn.conf.py exactly as in production.

Held means: no 5xx, no connection error, no unexpected answer, nothing in the
server's log; the two officers racing on one case get one 201 and one 409; and the
database holds every acknowledged event exactly once and nothing else.

PostgreSQL runs in a scratch database of its own on the server of TEST_POSTGRES_URL:
the other tests empty that server's database, which this run must not see.
"""
from __future__ import annotations


import pytest

from benchmarks import load
from conftest import postgres_test_url
from benchmarks.load import Ack

# The logins' cost is not what these runs measure: a cheap scrypt, as conftest uses.
SMALL = load.Settings(cases=300, clients=50, seconds=6, hash_method="scrypt:1024:8:1")
KINDS = {"GET /dashboard", "GET /api/grievances", "GET /api/grievances/ID", "POST event", "POST event, contended"}


@pytest.fixture
def postgres_server() -> str:
    return postgres_test_url()


def assert_held(result: load.Result) -> None:
    report = load.report(result)
    assert result.seen.errors == [], report
    assert result.server_log == [], report
    assert result.problems == [], report
    assert KINDS <= set(result.seen.latencies), report
    assert len(result.seen.acks) >= 20, report            # events really were recorded
    assert result.seen.contended[(201, 409)] >= 2, report  # and the race really was run


@pytest.mark.postgres
def test_fifty_officers_on_postgresql(postgres_server):
    with load.scratch_database(postgres_server) as url:
        assert_held(load.run(url, SMALL))


def test_fifty_officers_on_sqlite(tmp_path):
    # Every SQLite transaction takes the write lock at BEGIN (models/database.py): the
    # clients queue, but none may fail and nothing may be lost.
    assert_held(load.run(f"sqlite:///{tmp_path / 'load.sqlite3'}", SMALL))


# -- the checks themselves catch what they are for ---------------------------------------------

ACKS = [Ack("load c1 r1", 7, 100), Ack("load c1 r2", 7, 101), Ack("load c2 r1", 8, 102)]


def test_exactly_once_passes_when_the_database_holds_what_was_acknowledged():
    assert load.exactly_once(ACKS, [(a.tag, a.grievance_id, a.event_id) for a in ACKS]) == []


def test_exactly_once_finds_lost_duplicated_and_unacknowledged_events():
    stored = [("load c1 r1", 7, 100), ("load c1 r2", 7, 101), ("load c1 r2", 7, 105), ("load c9 r4", 9, 103)]
    problems = load.exactly_once(ACKS, stored)
    assert len(problems) == 3, problems
    assert any(p.startswith("load c1 r2:") and "stored 2 times" in p for p in problems)   # duplicated
    assert any(p.startswith("load c2 r1:") and "stored 0 times" in p for p in problems)   # lost
    assert any(p.startswith("load c9 r4:") and "never acknowledged" in p for p in problems)


def test_exactly_once_finds_an_event_stored_on_another_case():
    stored = [("load c1 r1", 7, 100), ("load c1 r2", 8, 101), ("load c2 r1", 8, 102)]
    assert [p.split(":")[0] for p in load.exactly_once(ACKS, stored)] == ["load c1 r2"]


def test_versions_must_move_by_the_acknowledged_events():
    before = {7: 5, 8: 3}
    assert load.versions_moved(ACKS, before, {7: 7, 8: 4}) == []
    assert load.versions_moved(ACKS, before, {7: 6, 8: 4}) == [
        "case 7: version 5 -> 6, but 2 events acknowledged"]  # a lost update
