"""Date arithmetic on a stored date: a date far in the future or the past, once
stored, must not crash any page, feed or export that reads it. Input is bounded
now (1990-01-01 to 2100-12-31), but rows written before that bound, or restored
from an archive, may hold anything a date column holds.

The issue's example: a steward recorded an extension to 9999-12-31, and every
calendar feed that showed the case answered 500 (the event's DTEND, the next
day, is past date.max). Here the far date is written straight into the
database, as such a row would be, and everything that reads it is read.
"""
from __future__ import annotations

import json
import zipfile
from datetime import date

import pytest
from icalendar import Calendar
from sqlalchemy import select, update

from models import DeadlineRecord, Grievance, GrievanceEvent, User
from operations import digests
from operations import grievances as ops
from test_exports import TODAY, open_filed_case
from test_feeds import new_link


# The two: an extension to 9999-12-31, and mediation agreed "by" 0001-01-01.
FAR = {"9999-12-31": (date.max, "extension_agreed", {"limit": "step1_reply"}, "new_due", "step1_reply"),
       "0001-01-01": (date.min, "mediation_agreed", {"mediator": "M. Mediator"}, "mediation_by", "mediation")}


@pytest.fixture(params=list(FAR))
def far(request, app, officer):
    """The filed case of test_exports with a far date stored: the event recorded with an ordinary
    date, then its detail and every date derived from it rewritten in the database."""
    day, event_type, details, detail, key = FAR[request.param]
    case_id = open_filed_case(app)
    with app.extensions["database"].transaction() as session:
        ops.record_event(session, case_id, type=event_type, occurred_on=TODAY,
                         details={**details, detail: "2025-12-15"}, by="officer@example.org", today=TODAY)
        session.execute(update(GrievanceEvent).where(GrievanceEvent.type == event_type)
                        .values(details=json.dumps({**details, detail: day.isoformat()})))
        session.execute(update(DeadlineRecord).where(DeadlineRecord.key == key)
                        .values(extended_to=day if detail == "new_due" else None, due=day, safe_due=day, act_by=day))
        session.execute(update(Grievance).values(next_act_by=day))
    return case_id, day, key


def test_every_feed_and_export_reads_a_stored_far_date_without_crashing(app, officer, far, tmp_path):
    case_id, day, key = far
    pages = ["/dashboard", "/upcoming", "/dashboard.csv", f"/cases/{case_id}", f"/cases/{case_id}/history.pdf",
             f"/cases/{case_id}/history.json", "/api/grievances?open=all", f"/api/grievances/{case_id}",
             "/reports", "/reports/articles.csv"]
    failures = [f"{url}: {status}" for url in pages if (status := officer.get(url).status_code) != 200]
    assert not failures

    feed = officer.get(new_link(officer).removeprefix("http://localhost"))
    assert feed.status_code == 200
    (event,) = [e for e in Calendar.from_ical(feed.data).walk("VEVENT") if f"-{key}-" in str(e["UID"])]
    assert event.decoded("DTSTART") == day
    # An all-day event ends the next day; date.max has none, and an event without DTEND lasts its one day.
    if day == date.max:
        assert "DTEND" not in event
    else:
        assert event.decoded("DTEND") == date.fromordinal(day.toordinal() + 1)

    with app.extensions["database"].transaction() as session:
        user = session.scalar(select(User).where(User.email == "officer@example.org"))
        digest = digests.build_digest(session, user, date(2025, 11, 24), case_url=lambda i: f"https://x/cases/{i}")
        assert "2025-010" in digests.render_message(digest, mail_from="tracker@example.org").as_string()

    runner = app.test_cli_runner()
    out = tmp_path / "local.zip"
    result = runner.invoke(args=["archive", "export", "--local", "etfo-avon-maitland", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        assert day.isoformat() in archive.read("cases/0001.json").decode()
    listed = runner.invoke(args=["deadlines", "list"])
    assert listed.exit_code == 0 and "2025-010" in listed.output
