"""Administration: the local's users and their roles (added, deactivated, their
password reset), and stewards' cases."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from glue import database
from models import ROLES, Grievance, StewardAssignment, User
from models.accounts import PendingAccount
from operations import accounts
from school_calendar.errors import UserError

from .auth import require

admin = Blueprint("admin", __name__, url_prefix="/admin")


def init_app(app: Flask) -> None:
    app.register_blueprint(admin)


def _is_admin(user) -> bool:
    return user.role == "admin"


@admin.route("/users", methods=["GET", "POST"])
@require(_is_admin)
def users():
    error = None
    if request.method == "POST":
        form = request.form
        try:
            with database().transaction() as session:
                pending = accounts.add_account(session, g.user, email=form.get("email", ""),
                                               name=form.get("name", ""), password=form.get("password", ""),
                                               role=form.get("role", ""))
                email = pending.email
            # The same words whether or not another local has the address (accounts.add_account).
            flash(f"Account {email} added: it starts at its first login with the password you chose.")
            return redirect(url_for("admin.users"))
        except UserError as refused:
            error = refused
    return _users_page(error, request.form)


def _users_page(error: UserError | None, form, reset_for: int | None = None, refused_form: str = "add"):
    """The local's accounts; 400 with the refusal beside the fields of the form that was refused:
    refused_form is "add", "account" (deactivate, reactivate), "reset" (the password of the account
    reset_for) or "assign"."""
    with database().transaction() as session:
        people = session.scalars(select(User).where(User.local_id == g.user.local_id).order_by(User.name)).all()
        assignments = session.execute(select(StewardAssignment.user_id, Grievance.number, Grievance.id)
                                      .join(Grievance, Grievance.id == StewardAssignment.grievance_id)
                                      .where(Grievance.local_id == g.user.local_id)).all()
        pending = session.scalars(select(PendingAccount).where(PendingAccount.local_id == g.user.local_id)
                                  .order_by(PendingAccount.created_at, PendingAccount.id)).all()
        session.expunge_all()
    cases_of = {}
    for user_id, number, grievance_id in assignments:
        cases_of.setdefault(user_id, []).append((number, grievance_id))
    return render_template("users.html", people=people, pending=pending, cases_of=cases_of, error=error,
                           form=form, roles=ROLES, min_password=accounts.MIN_PASSWORD,
                           reset_for=reset_for, refused_form=refused_form), 400 if error else 200


@admin.post("/users/<int:user_id>/active")
@require(_is_admin)
def set_active(user_id: int):
    """Deactivate (active=0) or reactivate (active=1) one of the local's accounts."""
    try:
        active = _active_field(request.form.get("active", ""))
        with database().transaction() as session:
            user = accounts.set_active(session, g.user, user_id, active)
            email = user.email
    except accounts.NoSuchUser:
        abort(404)  # another local's account is not found, like any other local's object
    except UserError as refused:
        return _users_page(refused, {}, refused_form="account")
    flash(f"{email} reactivated." if active else
          f"{email} deactivated: logged out at their next request; no login, feed links or digests.")
    return redirect(url_for("admin.users"))


@admin.post("/users/<int:user_id>/password")
@require(_is_admin)
def reset_password(user_id: int):
    """Set a new password for an account of the local (its person forgot it and has no mail, say):
    every session of that account ends. The administrator tells the person the new password."""
    try:
        with database().transaction() as session:
            user = accounts.reset_password(session, g.user, user_id, request.form.get("password", ""))
            email = user.email
    except accounts.NoSuchUser:
        abort(404)  # another local's account is not found, like any other local's object
    except UserError as refused:
        return _users_page(refused, {}, reset_for=user_id, refused_form="reset")
    flash(f"New password set for {email}; every session of the account is logged out.")
    return redirect(url_for("admin.users"))


@admin.post("/assignments")
@require(_is_admin)
def assign():
    number, email = request.form.get("number", "").strip(), request.form.get("email", "").strip().lower()
    try:
        with database().transaction() as session:
            steward = session.scalar(select(User).where(User.email == email, User.local_id == g.user.local_id))
            grievance = session.scalar(select(Grievance).where(Grievance.number == number,
                                                               Grievance.local_id == g.user.local_id))
            if steward is None or grievance is None:
                raise UserError("No such steward or case in this local.", field="number",
                                fix="Check the steward's email and the grievance number.")
            accounts.assign_steward(session, steward, grievance)
        flash(f"Case {number} assigned to {email}.")
    except UserError as refused:
        return _users_page(refused, request.form, refused_form="assign")
    return redirect(url_for("admin.users"))


def _active_field(value: str) -> bool:
    # Spelled out rather than "anything but 1 deactivates": a malformed form changes nothing.
    if value not in ("0", "1"):
        raise UserError(f"'{value}' is not a choice for the account.", field="active",
                        fix="Use the Deactivate or Reactivate button on the Users page.")
    return value == "1"
