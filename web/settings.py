"""A user's own settings: the email digest (how often, how many school days ahead),
with a preview of what it would hold today; and their password."""
from __future__ import annotations

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy import select

from glue import database, today
from models import DigestSent, User
from operations import accounts, digests
from school_calendar.errors import UserError

settings = Blueprint("settings", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    app.register_blueprint(settings)


@settings.route("/settings", methods=["GET", "POST"], endpoint="settings")
def settings_page():
    if request.method == "POST":
        form = request.form
        try:
            with database().transaction() as db:
                digests.set_preferences(db, g.user.id, frequency=form.get("digest_frequency", ""),
                                        days_ahead=form.get("digest_days_ahead", ""))
            flash("Your digest settings are saved.")
            return redirect(url_for("settings.settings"))
        except UserError as refused:
            return _page(refused, form)
    return _page(None, request.form)


@settings.post("/settings/password", endpoint="change_password")
def change_password():
    """The current password, then the new one twice. This session stays; every other session of
    the account ends (a browser left logged in elsewhere, a copied cookie)."""
    form = request.form
    try:
        ended = accounts.change_password(database(), g.user.id, form.get("current_password", ""),
                                         form.get("new_password", ""), form.get("new_password_again", ""),
                                         request.remote_addr or "", keep=session.get("sid", ""))
    except UserError as refused:
        return _page(refused, {})
    flash("Your password is changed." + (f" {ended} other session{'s' if ended != 1 else ''} of your account "
                                         "logged out." if ended else ""))
    return redirect(url_for("settings.settings"))


def _page(error: UserError | None, form):
    """The page; 400 with the refusal beside its field when there is one."""
    with database().transaction() as db:
        user = db.get(User, g.user.id)
        last = db.execute(select(DigestSent.sent_for, DigestSent.items).where(DigestSent.user_id == user.id)
                          .order_by(DigestSent.sent_for.desc()).limit(1)).first()
        preview = None
        if user.digest_frequency != "none":
            preview = digests.build_digest(
                db, user, today(),
                case_url=lambda grievance_id: url_for("cases.show_case", grievance_id=grievance_id))
        db.expunge(user)
    values = {"digest_frequency": form.get("digest_frequency", user.digest_frequency),
              "digest_days_ahead": form.get("digest_days_ahead", str(user.digest_days_ahead))}
    return render_template("settings.html", user=user, values=values, error=error, last=last, preview=preview,
                           frequencies=digests.FREQUENCY_WORDS, low=digests.MIN_DAYS_AHEAD,
                           high=digests.MAX_DAYS_AHEAD, today=today(),
                           min_password=accounts.MIN_PASSWORD), 400 if error else 200
