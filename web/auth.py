"""Logging in and out, the login requirement on every route, CSRF protection,
and the role checks the views use.

Every endpoint needs a logged-in user except those in PUBLIC. Every request
that changes something (POST and friends) must carry the session's CSRF token,
as the form field csrf_token or the X-CSRF-Token header (the JSON API).
"""
from __future__ import annotations

import secrets
from functools import wraps

from flask import (Blueprint, Flask, abort, flash, g, jsonify, redirect, render_template, request, session,
                   url_for)
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from glue import database
from models import User
from operations import accounts

auth = Blueprint("auth", __name__)
PUBLIC = {"auth.login", "static", "exports.feed"}  # the feed: its secret token is the credential
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def init_app(app: Flask) -> None:
    app.register_blueprint(auth)
    app.before_request(_load_user_and_guard)
    app.jinja_env.globals["csrf_token"] = csrf_token


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _load_user_and_guard():
    g.user = None
    user_id = session.get("user_id")
    if user_id is not None:
        with database().transaction() as db:
            g.user = db.scalar(select(User).options(joinedload(User.local))
                               .where(User.id == user_id, User.is_active.is_(True)))
            if g.user is not None:
                db.expunge(g.user)
        if g.user is None:
            # A deactivated (or removed) account: forget the login, so that a later
            # reactivation does not bring this cookie back to life.
            session.pop("user_id", None)
    if request.endpoint in PUBLIC:
        return _check_csrf() if request.method not in SAFE_METHODS else None
    if g.user is None:
        if request.path.startswith("/api/"):
            return jsonify({"error": "Log in first.", "field": None, "fix": "POST your email and password to /login."}), 401
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    if request.method not in SAFE_METHODS:
        return _check_csrf()
    return None


def _check_csrf():
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")
    expected = session.get("csrf")
    if not expected or not sent or not secrets.compare_digest(sent, expected):
        if request.path.startswith("/api/"):
            return jsonify({"error": "The request has no valid CSRF token.", "field": "csrf_token",
                            "fix": "Send the token from GET /api/session as the X-CSRF-Token header."}), 400
        return render_template("error.html", title="The form expired",
                               message="Reload the page and submit the form again."), 400
    return None


@auth.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        # authenticate opens its own short transactions: the slow password check runs outside
        # them, so a login does not hold SQLite's write lock (models/database.py) while hashing.
        outcome = accounts.authenticate(database(), request.form.get("email", ""),
                                        request.form.get("password", ""), request.remote_addr or "")
        user_id = outcome.id if isinstance(outcome, User) else None
        if user_id is None:
            error = outcome
        else:
            session.clear()  # a new session for the logged-in user: no fixation
            session.permanent = True
            session["user_id"] = user_id
            csrf_token()
            return redirect(_safe_next(request.args.get("next")))
    status = 429 if isinstance(error, accounts.LoginThrottled) else 401 if error else 200
    return render_template("login.html", error=error), status


@auth.post("/logout")
def logout():
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))


@auth.get("/api/session")
def api_session():
    return jsonify({"user": g.user.email, "role": g.user.role, "csrf_token": csrf_token()})


def _safe_next(target: str | None) -> str:
    # Only a path on this site: never an open redirect.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("dashboard.dashboard")


def require(check, message: str = "Your role does not allow this."):
    """Decorator: 403 unless check(g.user) holds."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not check(g.user):
                abort(403, message)
            return view(*args, **kwargs)
        return wrapped
    return decorate
