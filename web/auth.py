"""Logging in and out, the login requirement on every route, CSRF protection,
sessions that end on the server, login throttling, a forgotten password, and the
role checks the views use.

Every endpoint needs a logged-in user except those in PUBLIC. Every request
that changes something (POST and friends) must carry the session's CSRF token,
as the form field csrf_token or the X-CSRF-Token header (the JSON API).

Sessions (operations/login_sessions.py): the signed cookie holds the secret of a
server-side session and the time it was last used. A request is logged in only
while that session is open on the server (logout, deactivation and password
changes end it), younger than SESSION_ABSOLUTE_LIFETIME (12 h from the login,
however busy) and used within SESSION_IDLE_LIFETIME (2 h). A copied cookie dies
with the session it names.

Throttling, two layers (SECURITY.md says why):
- per (account, client address), in the database (operations/accounts.py): after
  5 failures of one address at one account it waits 2, 4, 8 … s. Other addresses
  are not held, so nobody can lock an owner out of their account from elsewhere;
- per client address, across all accounts (Flask-Limiter): at most
  LOGIN_FAILURES_PER_ADDRESS failed logins, RESET_REQUESTS_PER_ADDRESS reset emails
  asked for and RESET_FAILURES_PER_ADDRESS bad reset links, so one address cannot try
  one password on every account nor fill mailboxes.
"""
from __future__ import annotations

import logging
import os
import secrets
import smtplib
import threading
import time
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import (Blueprint, Flask, abort, current_app, flash, g, jsonify, make_response, redirect,
                   render_template, request, session, url_for)
from flask_limiter import Limiter

from glue import database
from models import User
from operations import accounts, digests, login_sessions, password_resets
from school_calendar.errors import UserError

auth = Blueprint("auth", __name__)
# The feed: its secret token is the credential. The reset pages: for those who cannot log in.
PUBLIC = {"auth.login", "static", "exports.feed", "auth.forgot_password", "auth.reset_password"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SEEN_EVERY = 60  # seconds: how stale the cookie's "last used" may get before it is written again
log = logging.getLogger(__name__)

DEFAULTS = {
    "SESSION_IDLE_LIFETIME": timedelta(hours=2),
    "SESSION_ABSOLUTE_LIFETIME": timedelta(hours=12),
    # Per client address, across all accounts (limits' notation). With several gunicorn workers
    # and the default memory storage each worker counts on its own: set RATELIMIT_STORAGE_URI
    # (e.g. redis://…) to count once for the whole server.
    "LOGIN_FAILURES_PER_ADDRESS": "30 per 15 minutes",
    "RESET_REQUESTS_PER_ADDRESS": "5 per 15 minutes",
    "RESET_FAILURES_PER_ADDRESS": "10 per 15 minutes",
    "RATELIMIT_STORAGE_URI": "memory://",
}
MAIL_DEFAULTS = {  # as the digests' (cli/digest.py): the app's configuration, else the environment
    "MAIL_HOST": "localhost", "MAIL_PORT": None, "MAIL_SECURITY": "starttls", "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "", "MAIL_FROM": "Grievance tracker <grievance-tracker@localhost>",
    "BASE_URL": "http://127.0.0.1:5000",
}


def init_app(app: Flask) -> None:
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, os.environ.get(name) or value)
    app.register_blueprint(auth)
    app.before_request(_load_user_and_guard)
    app.jinja_env.globals["csrf_token"] = csrf_token
    _limit_per_address(app)


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _lifetime(name: str) -> timedelta:
    value = current_app.config[name]
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def _load_user_and_guard():
    g.user = None
    if session.get("sid"):
        g.user = _session_user()
    elif "user_id" in session:  # a cookie from before sessions were kept on the server
        session.clear()
    if request.endpoint in PUBLIC:
        return _check_csrf() if request.method not in SAFE_METHODS else None
    if g.user is None:
        if request.path.startswith("/api/"):
            return jsonify({"error": "Log in first.", "field": None, "fix": "POST your email and password to /login."}), 401
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    if request.method not in SAFE_METHODS:
        return _check_csrf()
    return None


def _session_user() -> User | None:
    """The user of the cookie's session if it is still good; else the cookie forgets the login."""
    now = time.time()
    seen = session.get("seen")
    idle = not isinstance(seen, (int, float)) or now - seen > _lifetime("SESSION_IDLE_LIFETIME").total_seconds()
    with database().transaction() as db:
        if idle:  # ended on the server too: a copy of this cookie cannot be used later
            login_sessions.end_session(db, session["sid"], "idle")
            user = None
        else:
            user = login_sessions.session_user(db, session["sid"], lifetime=_lifetime("SESSION_ABSOLUTE_LIFETIME"))
        if user is not None:
            db.expunge(user)
    if user is None:
        session.clear()
    elif now - seen > SEEN_EVERY:
        session["seen"] = now
    return user


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


# -- logging in and out ---------------------------------------------------------------------

@auth.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        # authenticate opens its own short transactions: the slow password check runs outside
        # them, so a login does not hold SQLite's write lock (models/database.py) while hashing.
        outcome = accounts.authenticate(database(), request.form.get("email", ""),
                                        request.form.get("password", ""), request.remote_addr or "")
        if isinstance(outcome, User):
            start_session(outcome.id)
            return redirect(_safe_next(request.args.get("next")))
        error = outcome
    status = 429 if isinstance(error, accounts.LoginThrottled) else 401 if error else 200
    return render_template("login.html", error=error), status


def start_session(user_id: int) -> None:
    """A new server-side session in a new cookie: nothing of the old cookie is kept (no fixation)."""
    with database().transaction() as db:
        secret = login_sessions.open_session(db, user_id)
    session.clear()
    session.permanent = True
    session["sid"], session["seen"] = secret, time.time()
    csrf_token()


@auth.post("/logout")
def logout():
    with database().transaction() as db:
        login_sessions.end_session(db, session.get("sid", ""), "logout")
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))


@auth.get("/api/session")
def api_session():
    return jsonify({"user": g.user.email, "role": g.user.role, "csrf_token": csrf_token()})


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect. Browsers drop tabs and newlines inside
    a URL and read a backslash as a slash, so "/\\t/evil.example" or "/\\\\evil.example" would go to
    another site: any control character, space or backslash refuses the target."""
    if (target and target.startswith("/") and not target.startswith("//")
            and not any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in target)):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("dashboard.dashboard")


# -- a forgotten password -----------------------------------------------------------------------

@auth.route("/login/forgot", methods=["GET", "POST"])
def forgot_password():
    """The same answer whether or not the address has an account; the email goes in the background,
    so the time taken does not tell either."""
    if request.method == "GET":
        return render_template("forgot_password.html", sent_to=None, error=None)
    email = (request.form.get("email") or "").strip()
    if not email:
        error = UserError("Give your email address.", field="email", fix="The one you log in with.")
        return render_template("forgot_password.html", sent_to=None, error=error), 400
    link = password_resets.request_reset(database(), email)
    if link is not None:
        _mail_reset_link(link)
    return render_template("forgot_password.html", sent_to=email[:200], error=None,
                           minutes=int(password_resets.LIFETIME.total_seconds() // 60))


@auth.route("/login/reset", methods=["GET", "POST"])
def reset_password():
    """The emailed link (/login/reset?token=…) puts its secret in the signed session and redirects
    here without it, so that the secret stays out of the browser's history, the Referer and logs."""
    if request.method == "GET" and "token" in request.args:
        token = request.args.get("token", "")
        try:
            password_resets.check_link(database(), token)
        except password_resets.LinkNotUsable as refused:
            session.pop("reset_token", None)
            return render_template("reset_password.html", error=refused, usable=False), 400
        session["reset_token"] = token
        return redirect(url_for("auth.reset_password"))
    token = session.get("reset_token")
    if not token:
        return render_template("reset_password.html", error=None, usable=False), 200 if request.method == "GET" else 400
    try:
        email = password_resets.check_link(database(), token)
        if request.method == "GET":
            return render_template("reset_password.html", error=None, usable=True, email=email)
        password_resets.complete_reset(database(), token, request.form.get("new_password", ""),
                                       request.form.get("new_password_again", ""))
    except password_resets.LinkNotUsable as refused:
        session.pop("reset_token", None)
        return render_template("reset_password.html", error=refused, usable=False), 400
    except UserError as refused:
        return render_template("reset_password.html", error=refused, usable=True, email=email), 400
    # Every session of the account ended, this browser's included if it was logged in as it.
    session.clear()
    flash("Your new password is set and every session of your account is logged out. Log in with it.")
    return redirect(url_for("auth.login"))


def _mail_reset_link(link: password_resets.NewLink) -> None:
    """Compose here (the request's configuration), send on a thread: an SMTP conversation takes
    long enough to tell, by the answer's time, that the address has an account."""
    problem = accounts.deliverable(link.email)
    if problem:
        log.warning("No password reset email sent: the account's stored address is not valid (%s).", problem)
        return
    base = str(_mail_setting("BASE_URL")).rstrip("/")  # never the request's Host: a forged one would steal the link
    message = password_resets.reset_message(link, base + url_for("auth.reset_password", token=link.secret),
                                            mail_from=str(_mail_setting("MAIL_FROM")))
    settings = _mail_settings()

    def send() -> None:
        try:
            with digests.Mailer(settings) as mailer:
                mailer.send(message)
        except (smtplib.SMTPException, OSError) as error:
            log.warning("A password reset email could not be sent: %s", digests.describe_failure(error))

    threading.Thread(target=send, name="password-reset-mail", daemon=True).start()


def _mail_setting(name: str):
    return current_app.config.get(name, os.environ.get(name, MAIL_DEFAULTS[name]))


def _mail_settings() -> digests.MailSettings:
    port = _mail_setting("MAIL_PORT")
    return digests.MailSettings(host=str(_mail_setting("MAIL_HOST")),
                                port=int(port) if str(port or "").isdigit() else None,
                                security=str(_mail_setting("MAIL_SECURITY") or "starttls").strip().lower(),
                                username=str(_mail_setting("MAIL_USERNAME") or ""),
                                password=str(_mail_setting("MAIL_PASSWORD") or ""))


# -- per client address, across accounts ------------------------------------------------------------

def _client_address() -> str:
    return request.remote_addr or "unknown"


def _limit_per_address(app: Flask) -> None:
    """Flask-Limiter, one per app (its counters live with the app); only POSTs, and for logins and
    reset links only the refused ones count, so a busy office behind one address is never held by
    its own successful logins."""
    limiter = Limiter(key_func=_client_address, app=app, storage_uri=app.config["RATELIMIT_STORAGE_URI"],
                      default_limits=[], headers_enabled=False)

    def limit(endpoint: str, setting: str, template: str, methods: list[str] | None, deduct_when=None) -> None:
        # The limiter checks a decorated limit in the view's wrapper: this app's views get wrapped.
        app.view_functions[endpoint] = limiter.limit(
            lambda: current_app.config[setting], methods=methods, deduct_when=deduct_when,
            on_breach=lambda _: _address_held(template))(app.view_functions[endpoint])

    limit("auth.login", "LOGIN_FAILURES_PER_ADDRESS", "login.html", ["POST"],
          lambda response: response.status_code in (401, 429))
    limit("auth.forgot_password", "RESET_REQUESTS_PER_ADDRESS", "forgot_password.html", ["POST"])
    limit("auth.reset_password", "RESET_FAILURES_PER_ADDRESS", "reset_password.html", None,
          lambda response: response.status_code == 400)


def _address_held(template: str):
    error = UserError("Too many tries from your network address.", field="email",
                      fix="Wait 15 minutes and try again, or ask an administrator of your local.")
    response = make_response(render_template(template, error=error, sent_to=None, usable=False), 429)
    response.headers["Retry-After"] = "900"
    return response


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
