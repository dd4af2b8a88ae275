"""The Flask glue both doors need: the database handle, "today", and where
documents live. The web pages, the JSON API and the `flask` commands import
these from here; neither door imports the other (../shared/ARCHITECTURE.md).

    init_app(app)        opens the Database named by DATABASE_URL on the app
    database()           that Database (one transaction per user action: database().transaction())
    today()              the app's today: TODAY in the configuration (demos, tests), else the clock
    documents_store()    DOCUMENTS_DIR, else instance/documents
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Flask, current_app

from models import Database


def init_app(app: Flask) -> None:
    app.extensions["database"] = Database(app.config["DATABASE_URL"])


def database() -> Database:
    return current_app.extensions["database"]


def documents_store() -> Path:
    """Where documents are kept: DOCUMENTS_DIR, else instance/documents."""
    return Path(current_app.config.get("DOCUMENTS_DIR") or Path(current_app.instance_path) / "documents")


def today() -> date:
    """The app's today: TODAY in the configuration (demos, tests), else the clock."""
    configured = current_app.config.get("TODAY")
    if isinstance(configured, str):
        return date.fromisoformat(configured)
    return configured or date.today()
