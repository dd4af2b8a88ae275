"""Production serving: X-Forwarded-For/-Proto count only behind TRUSTED_PROXY_COUNT
proxies (app.py), and deploy/gunicorn.conf.py refuses to start without SECRET_KEY
and leaves those headers to the app."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from flask import jsonify, request, url_for
from sqlalchemy import create_engine, select

from app import create_app
from benchmarks import grievances as bench
from benchmarks import load
from models import LoginAttempt

ROOT = Path(__file__).resolve().parent.parent
# A client forged the first address; the proxy appended the real one (203.0.113.9).
FORWARDED = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9", "X-Forwarded-Proto": "https"}


def probe(tmp_path, monkeypatch, **config):
    """A test client of the app with one public route that shows what the app believes."""
    from web import auth

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}", **config})

    @app.get("/probe")
    def probe_view():
        return jsonify(remote_addr=request.remote_addr, scheme=request.scheme,
                       link=url_for("probe_view", _external=True))

    monkeypatch.setattr(auth, "PUBLIC", auth.PUBLIC | {"probe_view"})
    return app.test_client()


def test_forwarded_headers_are_ignored_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXY_COUNT", raising=False)
    seen = probe(tmp_path, monkeypatch).get("/probe", headers=FORWARDED).get_json()
    assert seen == {"remote_addr": "127.0.0.1", "scheme": "http", "link": "http://localhost/probe"}


def test_forwarded_headers_count_behind_one_trusted_proxy(tmp_path, monkeypatch):
    seen = probe(tmp_path, monkeypatch, TRUSTED_PROXY_COUNT="1").get("/probe", headers=FORWARDED).get_json()
    # The proxy's own entry, never the one the client wrote before it.
    assert seen == {"remote_addr": "203.0.113.9", "scheme": "https", "link": "https://localhost/probe"}


def test_two_trusted_proxies_take_the_address_two_hops_back(tmp_path, monkeypatch):
    client = probe(tmp_path, monkeypatch, TRUSTED_PROXY_COUNT="2")
    seen = client.get("/probe", headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}).get_json()
    assert seen["remote_addr"] == "198.51.100.7"


def test_trusted_proxy_count_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
    assert probe(tmp_path, monkeypatch).get("/probe", headers=FORWARDED).get_json()["remote_addr"] == "203.0.113.9"


def test_trusted_proxy_count_must_be_a_whole_number(tmp_path):
    with pytest.raises(ValueError, match="TRUSTED_PROXY_COUNT"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "TRUSTED_PROXY_COUNT": "yes"})


# -- gunicorn ---------------------------------------------------------------------------------------

def gunicorn_check(env: dict) -> subprocess.CompletedProcess:
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "--check-config"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_gunicorn_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    refused = gunicorn_check({**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert refused.returncode != 0
    assert "SECRET_KEY is not set" in refused.stderr
    started = gunicorn_check({**env, "SECRET_KEY": "k" * 64, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert started.returncode == 0, started.stderr


@pytest.fixture(scope="module")
def served_database(tmp_path_factory):
    """A migrated SQLite database with the local and one officer (load.PASSWORD)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('served') / 'served.sqlite3'}"
    _, database, local_id, _, _ = bench.prepare(url)
    email = load.add_officers(database, local_id, 1, "scrypt:1024:8:1")[0]
    database.dispose()
    return url, email


@pytest.mark.parametrize("trusted", [None, "1"])
def test_gunicorn_passes_forwarded_headers_only_when_configured(served_database, tmp_path, trusted):
    """End to end under the production config: gunicorn itself would trust X-Forwarded-Proto
    from loopback by default; with forwarded_allow_ips off, only the app's setting decides."""
    url, email = served_database
    with load.gunicorn(url, 1, tmp_path, {"TRUSTED_PROXY_COUNT": trusted} if trusted else None) as (port, _):
        client = load.Client(port)
        client.headers = FORWARDED
        client.log_in(email)
        status, page, _ = client.request("POST", "/feeds", b"action=create",
                                         {"Content-Type": "application/x-www-form-urlencoded"})
        client.close()
    assert status == 200
    link = re.search(rb'value="(\w+)://127\.0\.0\.1:\d+/feeds/', page)
    assert link and link.group(1) == (b"https" if trusted else b"http")
    engine = create_engine(url)
    with engine.connect() as connection:
        recorded = connection.scalar(select(LoginAttempt.remote_addr).where(LoginAttempt.email == email)
                                     .order_by(LoginAttempt.id.desc()))
    engine.dispose()
    assert recorded == ("203.0.113.9" if trusted else "127.0.0.1")
