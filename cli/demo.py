"""`flask --app app demo load`: a handful of clearly fictional cases in
different states, dated relative to today so the engine shows live deadlines."""
from __future__ import annotations

from datetime import date, timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from glue import database, today
from models import Grievance, User
from operations import accounts
from operations import grievances as ops
from school_calendar.board_calendar import BoardCalendar
from school_calendar.errors import SchoolYearMissing

# number, kind, member(s), school, [(event type, school days before today, details)]
DEMO_CASES = [
    ("DEMO-01", "individual", ["Alex Example (fictional)"], "Demo Public School",
     [("awareness", 7, {}), ("complaint_raised", 3, {})]),
    ("DEMO-02", "individual", ["Sam Sample (fictional)"], "Demo Public School",
     [("awareness", 30, {}), ("complaint_raised", 27, {}), ("complaint_discussed", 25, {}), ("grievance_filed", 8, {})]),
    ("DEMO-03", "group", ["Riley Placeholder (fictional)", "Jordan Dummy (fictional)"], "Example Central PS",
     [("awareness", 40, {}), ("complaint_raised", 36, {}), ("complaint_discussed", 33, {}),
      ("grievance_filed", 14, {})]),
    ("DEMO-04", "policy", ["All teachers (policy)"], "Board-wide",
     [("awareness", 45, {}), ("grievance_filed", 40, {}), ("step1_reply", 32, {}), ("step2_referral", 25, {}),
      ("meeting_requested", 20, {}), ("meeting_held", 15, {})]),
    ("DEMO-05", "union", ["Pat Retiree (fictional, retired)"], "Sample Township PS",
     [("awareness", 70, {}), ("grievance_filed", 62, {}), ("step1_reply", 55, {}), ("step2_referral", 50, {}),
      ("step2_reply", 42, {}), ("arbitration_notice", 35, {"appointee": "A. Arbitrator (fictional)"})]),
    ("DEMO-06", "board", ["Union Local (respondent)"], "Board office",
     [("occurrence", 6, {}), ("board_grievance_filed", 4, {})]),
    ("DEMO-07", "individual", ["Casey Specimen (fictional)"], "Demo Public School",
     [("awareness", 50, {}), ("complaint_raised", 47, {}), ("complaint_discussed", 45, {}),
      ("grievance_filed", 38, {}), ("step1_reply", 30, {}), ("settled", 26, {})]),
    ("DEMO-08", "individual", ["Morgan Mock (fictional)"], "Example Central PS",
     [("awareness", 60, {}), ("complaint_raised", 57, {}), ("complaint_discussed", 55, {}),
      ("grievance_filed", 50, {}), ("step1_reply", 24, {})]),
]


def init_app(app: Flask) -> None:
    app.cli.add_command(demo)


@click.group(cls=AppGroup)
def demo() -> None:
    """Fictional demonstration cases."""


# Demo accounts, for trying the tool on your own machine only: never load the demo
# into a database that holds real cases.
DEMO_PASSWORD = "demo password, not for real cases"
DEMO_USERS = (("demo-admin@example.org", "Demo Administrator", "admin"),
              ("demo-officer@example.org", "Demo Officer", "officer"))


@demo.command()
def load():
    """Load the demo cases and demo logins (once; a second run changes nothing)."""
    config, now = current_app.config, today()
    with database().transaction() as session:
        local = ops.ensure_local(session, config["DEFAULT_LOCAL"], "ETFO Avon Maitland Teachers' Local")
        officer_id = _demo_users(session, local.slug)
        calendar = ops.calendar_for(session, config["DEFAULT_BOARD"])
        anchor = _anchor(calendar, now)
        existing = set(session.scalars(select(Grievance.number).where(Grievance.local_id == local.id)))
        for number, kind, members, school, events in DEMO_CASES:
            if number in existing:
                continue
            _load_case(session, calendar, anchor, number, kind, members, school, events).officer_id = officer_id
    click.echo(f"Demo cases loaded, dated up to {anchor}.")
    click.echo(f"Demo logins: {', '.join(email for email, _, _ in DEMO_USERS)}; password: {DEMO_PASSWORD}")


def _demo_users(session, local: str) -> int:
    for email, name, role in DEMO_USERS:
        if not session.scalar(select(User.id).where(User.email == email)):
            accounts.create_user(session, local=local, email=email, name=name, password=DEMO_PASSWORD, role=role)
    return session.scalar(select(User.id).where(User.email == DEMO_USERS[1][0]))


def _load_case(session, calendar, anchor, number, kind, members, school, events):
    (_, first_back, _), rest = events[0], events[1:]
    case = ops.NewCase(number=number, kind=kind, first_event_on=_back(calendar, anchor, first_back),
                       members=tuple(members), school=school, clauses="12.06 Preparation Time (demo)",
                       description="A fictional case for the demonstration.", remedy="Make the teacher whole.")
    grievance = ops.open_case(session, case, by="demo", today=anchor)
    for type_, back, details in rest:
        ops.record_event(session, grievance.id, type=type_, occurred_on=_back(calendar, anchor, back),
                         details=details, by="demo", today=anchor)
    return grievance


def _anchor(calendar: BoardCalendar, now: date) -> date:
    """Today, when the loaded calendars cover it and the weeks before; else their last school day."""
    try:
        calendar.day(now), calendar.day(now - timedelta(days=120))
        return now
    except SchoolYearMissing:
        return max(y.last_day for y in calendar.years.values())


def _back(calendar: BoardCalendar, anchor: date, school_days: int) -> date:
    """The school day `school_days` school days before `anchor`."""
    day = anchor
    while calendar.count(day, anchor) < school_days or not calendar.is_counted(day):
        day -= timedelta(days=1)
    return day
