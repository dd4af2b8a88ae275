"""A user's own settings: the email digest (how often, how many school days ahead),
with a preview of what it would hold today."""
from __future__ import annotations

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from glue import database, today
from models import DigestSent, User
from operations import digests
from school_calendar.errors import UserError

settings = Blueprint("settings", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    app.register_blueprint(settings)


@settings.route("/settings", methods=["GET", "POST"], endpoint="settings")
def settings_page():
    error, form = None, request.form
    if request.method == "POST":
        try:
            with database().transaction() as session:
                digests.set_preferences(session, g.user.id, frequency=form.get("digest_frequency", ""),
                                        days_ahead=form.get("digest_days_ahead", ""))
            flash("Your digest settings are saved.")
            return redirect(url_for("settings.settings"))
        except UserError as refused:
            error = refused
    with database().transaction() as session:
        user = session.get(User, g.user.id)
        last = session.execute(select(DigestSent.sent_for, DigestSent.items).where(DigestSent.user_id == user.id)
                               .order_by(DigestSent.sent_for.desc()).limit(1)).first()
        preview = None
        if user.digest_frequency != "none":
            preview = digests.build_digest(
                session, user, today(),
                case_url=lambda grievance_id: url_for("cases.show_case", grievance_id=grievance_id))
        session.expunge(user)
    values = {"digest_frequency": form.get("digest_frequency", user.digest_frequency),
              "digest_days_ahead": form.get("digest_days_ahead", str(user.digest_days_ahead))}
    return render_template("settings.html", user=user, values=values, error=error, last=last, preview=preview,
                           frequencies=digests.FREQUENCY_WORDS, low=digests.MIN_DAYS_AHEAD,
                           high=digests.MAX_DAYS_AHEAD, today=today()), 400 if error else 200
