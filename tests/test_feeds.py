"""Each user's deadlines as an iCalendar feed behind a secret, revocable link,
read back with the icalendar library. Calendar and case: see test_exports.py
(the Board's Step 1 reply due Thu 27 Nov 2025; a snow day on Mon 24 Nov moves
it to Fri 28)."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date

import pytest
from icalendar import Calendar
from sqlalchemy import select

from conftest import log_in, make_user
from models import FeedToken, User
from operations import accounts
from operations import feeds as feed_operations
from operations import grievances as ops
from test_exports import close_monday_24, open_filed_case

REPLY = "2025-010: Step 1 reply from the Superintendent (HR Services) (Board)"


def new_link(client) -> str:
    page = client.post("/feeds", data={"action": "create"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "shown only once" in text
    return re.search(r'value="(http://localhost/feeds/[A-Za-z0-9_-]{43}\.ics)"', text).group(1)


def read_feed(url: str, app) -> Calendar:
    response = app.test_client().get(url.removeprefix("http://localhost"))  # no login: the link is the credential
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def filed(app, officer):
    return open_filed_case(app)


def test_the_feed_has_one_all_day_event_per_running_deadline_and_no_member_names(app, officer, filed):
    url = new_link(officer)
    calendar = read_feed(url, app)
    assert str(calendar["X-WR-CALNAME"]) == "Grievance deadlines: Test local"
    found = events(calendar)
    assert list(found) == [REPLY]  # the filing limit is met: only the running one
    reply = found[REPLY]
    assert reply.decoded("DTSTART") == date(2025, 11, 27) and reply.decoded("DTEND") == date(2025, 11, 28)
    assert reply["DTSTART"].params["VALUE"] == "DATE"
    assert str(reply["UID"]) == f"{filed}-step1_reply-grievance_filed@grievance-tracker"
    assert "Board: act by Thu 27 Nov 2025 — 5 school days left (as of Thu 20 Nov 2025)." in str(reply["DESCRIPTION"])
    body = app.test_client().get(url.removeprefix("http://localhost")).get_data(as_text=True)
    for name in ("Zoë", "Côté", "Tremblay", "Nowak"):
        assert name not in body


def test_a_closure_moves_the_event_it_does_not_make_a_new_one(app, officer, filed):
    url = new_link(officer)
    before = events(read_feed(url, app))[REPLY]
    close_monday_24(app)
    after = events(read_feed(url, app))[REPLY]
    assert str(after["UID"]) == str(before["UID"])
    assert after.decoded("DTSTART") == date(2025, 11, 28) and after.decoded("DTEND") == date(2025, 11, 29)
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("LAST-MODIFIED") >= before.decoded("LAST-MODIFIED")


def test_only_the_hash_is_stored_and_a_revoked_or_unknown_link_finds_nothing(app, officer, filed):
    url = new_link(officer)
    secret = re.search(r"/feeds/(.+)\.ics$", url).group(1)
    with app.extensions["database"].transaction() as session:
        (feed,) = session.scalars(select(FeedToken)).all()
        assert feed.token_sha256 == hashlib.sha256(secret.encode()).hexdigest()
        feed_id = feed.id
    listing = officer.get("/feeds").get_data(as_text=True)
    assert secret not in listing and f'name="feed_id" value="{feed_id}"' in listing  # listed, never shown again
    assert app.test_client().get(f"/feeds/{secrets.token_urlsafe(32)}.ics").status_code == 404
    revoked = officer.post("/feeds", data={"action": "revoke", "feed_id": str(feed_id)})
    assert revoked.status_code == 302
    assert app.test_client().get(url.removeprefix("http://localhost")).status_code == 404
    assert "You have no active link." in officer.get("/feeds").get_data(as_text=True)
    with app.extensions["database"].transaction() as session:
        assert session.get(FeedToken, feed_id).revoked_at is not None


def test_nobody_revokes_anothers_link_and_a_new_link_leaves_the_old_one_working(app, officer, filed):
    first, second = new_link(officer), new_link(officer)
    assert first != second
    make_user(app, "other@example.org", "officer")
    other = log_in(app, "other@example.org")
    with app.extensions["database"].transaction() as session:
        feed_ids = [f.id for f in session.scalars(select(FeedToken).order_by(FeedToken.id))]
    refused = other.post("/feeds", data={"action": "revoke", "feed_id": str(feed_ids[0])}, follow_redirects=True)
    assert "not one of your active links" in refused.get_data(as_text=True)
    for url in (first, second):
        assert events(read_feed(url, app))  # both still live


def test_the_feed_shows_only_the_cases_its_user_may_see(app, officer, filed):
    with app.extensions["database"].transaction() as session:
        ops.ensure_local(session, "other-local", "Another local")
    open_filed_case(app, number="THEIRS-1", officer_email=None, local="other-local")
    make_user(app, "steward@example.org", "steward")
    steward = log_in(app, "steward@example.org")
    steward_url = new_link(steward)
    assert events(read_feed(steward_url, app)) == {}  # not assigned yet
    with app.extensions["database"].transaction() as session:
        user = session.scalar(select(User).where(User.email == "steward@example.org"))
        accounts.assign_steward(session, user, session.get(ops.Grievance, filed))
    assert list(events(read_feed(steward_url, app))) == [REPLY]
    assert list(events(read_feed(new_link(officer), app))) == [REPLY]  # not THEIRS-1
    make_user(app, "officer@theirs.org", "officer", "other-local")
    theirs = events(read_feed(new_link(log_in(app, "officer@theirs.org")), app))
    assert list(theirs) == ["THEIRS-1: Step 1 reply from the Superintendent (HR Services) (Board)"]


def test_a_deactivated_users_link_finds_nothing(app, officer, filed):
    url = new_link(officer)
    with app.extensions["database"].transaction() as session:
        session.scalar(select(User).where(User.email == "officer@example.org")).is_active = False
        assert feed_operations.resolve_feed(session, url.rsplit("/", 1)[1][:-4]) is None
        assert feed_operations.resolve_feed(session, "short") is None
    assert app.test_client().get(url.removeprefix("http://localhost")).status_code == 404


def test_managing_feeds_needs_a_login_and_the_csrf_token(app, officer):
    assert app.test_client().get("/feeds").status_code == 302
    del officer.environ_base["HTTP_X_CSRF_TOKEN"]
    assert officer.post("/feeds", data={"action": "create"}).status_code == 400
