"""The Flask application factory: configuration, database, commands, pages.

Nothing happens at import time; `flask --app app …` and the tests call
create_app(), which reads the environment (or the test's mapping) and wires
each part through its own init_app.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, static_folder="web/static")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        # Set SECRET_KEY in production: a random one logs everyone out at each restart, and
        # gunicorn's workers would each pick their own (deploy/gunicorn.conf.py refuses to start without it).
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Browsers send Secure cookies to http://localhost too; set 0 only behind plain HTTP elsewhere.
        SESSION_COOKIE_SECURE=os.environ.get("SESSION_COOKIE_SECURE", "1") != "0",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=12 * 1024 * 1024,  # a 10 MB document and its form
        DOCUMENTS_DIR=os.environ.get("DOCUMENTS_DIR"),
        DATABASE_URL=os.environ.get("DATABASE_URL")
        or f"sqlite:///{Path(app.instance_path) / 'tracker.sqlite3'}",
        DEFAULT_BOARD=os.environ.get("DEFAULT_BOARD", "amdsb-elementary"),
        DEFAULT_RULESET=os.environ.get("DEFAULT_RULESET", "amdsb-etfo-article-33"),
        DEFAULT_LOCAL=os.environ.get("DEFAULT_LOCAL", "etfo-avon-maitland"),
        # An ISO date pins "today" (demos, tests); unset, the clock decides.
        TODAY=os.environ.get("TRACKER_TODAY"),
        # Times printed on exports (dates everywhere else are the board's school days).
        TIMEZONE=os.environ.get("TIMEZONE", "America/Toronto"),
        # How many reverse proxies (nginx, a load balancer) stand in front of the app. 0, the
        # default, trusts no X-Forwarded-* header: anyone could forge them when nothing strips them.
        TRUSTED_PROXY_COUNT=os.environ.get("TRUSTED_PROXY_COUNT", "0"),
    )
    if test_config:
        app.config.update(test_config)
    _trust_proxies(app)

    import glue
    import web
    from cli import archive, backup, database, deadlines, demo, digest, locals, schooldays, users

    glue.init_app(app)
    database.init_app(app)
    schooldays.init_app(app)
    deadlines.init_app(app)
    demo.init_app(app)
    locals.init_app(app)
    users.init_app(app)
    digest.init_app(app)
    archive.init_app(app)
    backup.init_app(app)
    web.init_app(app)
    from web import quiet_logs
    quiet_logs.init_app(app)  # no secret or personal data in the app's, werkzeug's or gunicorn's log lines
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXY_COUNT proxies, take the client's address (X-Forwarded-For: login
    attempts record it) and the scheme (X-Forwarded-Proto: https in external links) from the
    headers the nearest proxies set, ignoring any further-left value a client could forge."""
    value = str(app.config["TRUSTED_PROXY_COUNT"]).strip()
    if not value.isdigit():
        raise ValueError(f"TRUSTED_PROXY_COUNT must be a whole number of proxies (0 for none), not {value!r}.")
    count = int(value)
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)
