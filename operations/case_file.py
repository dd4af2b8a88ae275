"""The case file (issue 13): correcting a case's facts, each change kept with who, when, from
what to what and why; notes on a case or on one of its events; who holds it (stewards, officer). One transaction each (the
caller's). Neither touches an event, so no date, stage or deadline moves."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import CaseEdit, CaseNote, Grievance, GrievanceEvent, StewardAssignment, User
from school_calendar.errors import UserError

from . import accounts
from .grievances import _locked


def _now() -> datetime:
    return datetime.now(timezone.utc)


def officer_choices(session: Session, local_id: int) -> list[tuple[int, str]]:
    """The local's own officers and administrators (never another local's), who may hold a case."""
    return [tuple(row) for row in session.execute(
        select(User.id, User.name).where(User.local_id == local_id, User.role.in_(("admin", "officer")),
                                         User.is_active.is_(True)).order_by(User.name)).all()]


def _fact_text(session: Session, grievance: Grievance, field: str) -> str:
    if field == "officer":
        return session.scalar(select(User.email).where(User.id == grievance.officer_id)) or "" \
            if grievance.officer_id else ""
    return getattr(grievance, field) or ""


def edit_facts(session: Session, grievance_id: int, values, *, by: str, now: datetime | None = None) -> list[CaseEdit]:
    """Change the facts `values` (gate.inputs.FactsInput) gives that differ from the stored ones; one
    CaseEdit per field changed. Nothing changed is refused, so a reason never stands for nothing."""
    grievance = _locked(session, grievance_id, values.version)
    wanted = {name: getattr(values, name) for name in ("number", "school", "clauses", "description", "remedy")
              if getattr(values, name) is not None}
    if values.members is not None:
        wanted["members"] = "\n".join(values.members)
    _require_officer_of_local(session, grievance, values.officer_id)
    if "number" in wanted and wanted["number"] != grievance.number and session.scalar(
            select(Grievance.id).where(Grievance.local_id == grievance.local_id, Grievance.number == wanted["number"])):
        raise UserError(f"Grievance {wanted['number']} already exists in your local.", field="number",
                        fix="Give a number no other case of the local has.")
    moment, edits = now or _now(), []
    for field, new in wanted.items():
        old = getattr(grievance, field) or ""
        if new != old:
            edits.append(CaseEdit(grievance_id=grievance.id, field=field, old_value=old, new_value=new,
                                  reason=values.reason, edited_by=by, edited_at=moment))
            setattr(grievance, field, new)
    edits += _officer_change(session, grievance, values.officer_id, reason=values.reason, by=by, moment=moment)
    return _keep(session, grievance, edits, UserError(
        "Nothing to change: every fact given is the one the case has.", field="reason",
        fix="Change at least one fact, or leave the form."))


def add_note(session: Session, grievance_id: int, values, *, by: str, now: datetime | None = None) -> CaseNote:
    """A note (gate.inputs.NoteInput) on the case, or on one of its own events."""
    if values.event_id is not None and not session.scalar(select(GrievanceEvent.id).where(
            GrievanceEvent.id == values.event_id, GrievanceEvent.grievance_id == grievance_id)):
        raise UserError("That event is not one of this case's.", field="event_id", fix="Choose an event of the case.")
    note = CaseNote(grievance_id=grievance_id, event_id=values.event_id, text=values.text, written_by=by,
                    written_at=now or _now())
    session.add(note)
    session.flush()
    return note


def edits_of(session: Session, grievance_id: int) -> list[CaseEdit]:
    return list(session.scalars(select(CaseEdit).where(CaseEdit.grievance_id == grievance_id).order_by(CaseEdit.id)))


def notes_of(session: Session, grievance_id: int) -> list[CaseNote]:
    return list(session.scalars(select(CaseNote).where(CaseNote.grievance_id == grievance_id).order_by(CaseNote.id)))


# -- who holds the case ------------------------------------------------------------------------------

def steward_choices(session: Session, local_id: int) -> list[tuple[int, str, str]]:
    """The local's own active stewards (never another local's): (id, name, email)."""
    return [tuple(row) for row in session.execute(
        select(User.id, User.name, User.email).where(User.local_id == local_id, User.role == "steward",
                                                     User.is_active.is_(True)).order_by(User.name)).all()]


def stewards_of(session: Session, grievance_id: int) -> list[str]:
    """The emails of the case's stewards, sorted (the export's and the history's form)."""
    return sorted(session.scalars(select(User.email).join(StewardAssignment, StewardAssignment.user_id == User.id)
                                  .where(StewardAssignment.grievance_id == grievance_id)))


def assign(session: Session, grievance_id: int, values, *, by: str, now: datetime | None = None) -> list[CaseEdit]:
    """Set the case's stewards and officer (gate.inputs.AssignmentInput). A steward added sees the case
    at once (accounts.visible), so it is on their dashboard, digest and feed; one removed no longer does.
    Each change is kept like a change of facts (field "stewards" or "officer")."""
    grievance = _locked(session, grievance_id, values.version)
    local_stewards = {row[0] for row in steward_choices(session, grievance.local_id)}
    foreign = [i for i in values.steward_ids if i not in local_stewards]
    if foreign:
        raise UserError("That steward is not one of your local's stewards.", field="steward_ids",
                        fix="Choose stewards from the list.")
    reason = values.reason or "Assignment changed on the case page"
    moment, edits = now or _now(), []
    before = stewards_of(session, grievance.id)
    current = set(session.scalars(select(StewardAssignment.user_id)
                                  .where(StewardAssignment.grievance_id == grievance.id)))
    wanted = set(values.steward_ids)
    for user_id in wanted - current:
        accounts.assign_steward(session, session.get(User, user_id), grievance)  # the Users page's operation
    if current - wanted:
        session.execute(delete(StewardAssignment).where(StewardAssignment.grievance_id == grievance.id,
                                                        StewardAssignment.user_id.in_(current - wanted)))
    session.flush()
    after = stewards_of(session, grievance.id)
    if after != before:
        edits.append(CaseEdit(grievance_id=grievance.id, field="stewards", old_value="\n".join(before),
                              new_value="\n".join(after), reason=reason, edited_by=by, edited_at=moment))
    if values.officer_id != grievance.officer_id:
        _require_officer_of_local(session, grievance, values.officer_id)
    edits += _officer_change(session, grievance, values.officer_id, reason=reason, by=by, moment=moment)
    return _keep(session, grievance, edits, UserError(
        "Nothing to change: these are the case's stewards and officer already.", field="steward_ids",
        fix="Tick or untick a steward, or choose another officer."))


def _require_officer_of_local(session: Session, grievance: Grievance, officer_id: int | None) -> None:
    """An officer chosen for a case is one of its own local's officers or administrators."""
    if officer_id is not None and officer_id not in {i for i, _ in officer_choices(session, grievance.local_id)}:
        raise UserError("That officer is not one of your local's officers.", field="officer_id",
                        fix="Choose an officer from the list.")


def _officer_change(session: Session, grievance: Grievance, officer_id: int | None, *, reason: str, by: str,
                    moment: datetime) -> list[CaseEdit]:
    """The case given to `officer_id` (None: left as it is), kept as an edit of the field "officer"."""
    if officer_id is None or officer_id == grievance.officer_id:
        return []
    old = _fact_text(session, grievance, "officer")
    grievance.officer_id = officer_id
    return [CaseEdit(grievance_id=grievance.id, field="officer", old_value=old,
                     new_value=_fact_text(session, grievance, "officer"), reason=reason, edited_by=by,
                     edited_at=moment)]


def _keep(session: Session, grievance: Grievance, edits: list[CaseEdit], nothing: UserError) -> list[CaseEdit]:
    """Store the edits and move the case's version on; `nothing` is raised when there are none, so a
    reason never stands for no change."""
    if not edits:
        raise nothing
    session.add_all(edits)
    grievance.version = (grievance.version or 0) + 1
    session.flush()
    return edits


def assign_by_email(session: Session, grievance: Grievance, emails: list[str]) -> list[str]:
    """An import's stewards, by email: those who are stewards of the case's local are assigned; the
    others are returned (an export from elsewhere names people this copy may not have)."""
    left_out = []
    for email in emails:
        steward = session.scalar(select(User).where(User.email == email, User.local_id == grievance.local_id,
                                                    User.role == "steward"))
        if steward is None:
            left_out.append(email)
        elif not session.scalar(select(StewardAssignment.id).where(StewardAssignment.user_id == steward.id,
                                                                   StewardAssignment.grievance_id == grievance.id)):
            accounts.assign_steward(session, steward, grievance)
    return left_out
