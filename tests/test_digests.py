"""Email digests, sent to a real SMTP server on loopback (aiosmtpd) and read back.

Calendar: the shipped AMDSB 2025-26 year (no autumn PA day listed; Remembrance
Day is a school day), so every weekday of November 2025 is a school day.
The digest day is Thu 2025-11-20 unless a test says otherwise; users look the
default 5 school days ahead: Fri 21 (1), Mon 24 (2), Tue 25 (3), Wed 26 (4),
Thu 27 (5), so "due soon" runs through Thu 2025-11-27.
"""
from __future__ import annotations

import socket
from datetime import date
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from conftest import log_in, make_user
from models import DigestSent, User
from operations import accounts
from operations import digests
from operations.deadline_status import status_of
from operations import grievances as ops

TODAY = date(2025, 11, 20)
BASE_URL = "https://tracker.example.org"
FROM = "Grievance tracker <digests@example.org>"
MEMBERS = ("Alex Example", "Sam Sample")


# -- a real SMTP server on 127.0.0.1 ----------------------------------------------------------

class Inbox:
    """An aiosmtpd handler that keeps every message it accepts and refuses (550) the
    recipients in `refuse`."""

    def __init__(self):
        self.received: list[tuple[str, list[str], object]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos),
                              message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [message for _, rcpt, message in self.received if address in rcpt]


class LoopbackController(Controller):
    """Listens on a port the OS picks (port 0) and learns it before the readiness check."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = LoopbackController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def mail_app(app, inbox):
    app.config.update(TODAY=TODAY.isoformat(), MAIL_HOST="127.0.0.1", MAIL_PORT=inbox.port, MAIL_SECURITY="none",
                      MAIL_FROM=FROM, BASE_URL=BASE_URL)
    return app


@pytest.fixture
def cases(mail_app):
    """Two cases of the local, one of another local, and their readers.

    2025-010, policy: aware Mon Nov 10, filed at Step 1 Thu Nov 13; the Board's Step 1 reply
      is due 10 school days later: Fri 14 (1), Mon 17 (2) ... Fri 21 (6), Mon 24 (7) ... Thu 27 (10).
    2025-011, individual: aware Mon Nov 3; the complaint had to reach the supervisor within
      10 school days: Tue 4 (1) ... Fri 7 (4), Mon 10 (5) ... Fri 14 (9), Mon 17 (10).
      On Thu Nov 20 that is 3 school days ago (Tue 18, Wed 19, Thu 20). Its 33.02 a total
      (20 school days) ends Mon Dec 1, beyond the 5-day window.
    OL-001, policy, another local: aware Thu Nov 13; filing due 10 school days later:
      Fri 14 (1) ... Thu 20 (5), Fri 21 (6) ... Thu 27 (10).
    """
    app = mail_app
    with app.extensions["database"].transaction() as session:
        ops.ensure_local(session, "other-local", "Another local")
    for email, role, local in (("officer@example.org", "officer", "etfo-avon-maitland"),
                               ("steward@example.org", "steward", "etfo-avon-maitland"),
                               ("idle@example.org", "steward", "etfo-avon-maitland"),
                               ("weekly@example.org", "viewer", "etfo-avon-maitland"),
                               ("off@example.org", "officer", "etfo-avon-maitland"),
                               ("stranger@example.org", "officer", "other-local")):
        make_user(app, email, role, local)
    with app.extensions["database"].transaction() as session:
        policy_case = ops.open_case(session, ops.NewCase(
            number="2025-010", kind="policy", first_event_on=date(2025, 11, 10), members=(MEMBERS[0],),
            school="Demo PS", clauses="12.06", description="Preparation time cut", remedy="Restore it"),
            by="officer@example.org", today=TODAY)
        ops.record_event(session, policy_case.id, type="grievance_filed", occurred_on=date(2025, 11, 13),
                         by="officer@example.org", today=TODAY)
        individual = ops.open_case(session, ops.NewCase(
            number="2025-011", kind="individual", first_event_on=date(2025, 11, 3), members=(MEMBERS[1],)),
            by="officer@example.org", today=TODAY)
        other = ops.open_case(session, ops.NewCase(
            number="OL-001", kind="policy", first_event_on=date(2025, 11, 13), local="other-local",
            members=("Pat Elsewhere",)), by="stranger@example.org", today=TODAY)
        users = {u.email: u for u in session.scalars(select(User))}
        accounts.assign_steward(session, users["steward@example.org"], policy_case)
        digests.set_preferences(session, users["weekly@example.org"].id, frequency="weekly", days_ahead=5)
        digests.set_preferences(session, users["off@example.org"].id, frequency="none", days_ahead=5)
        return {"2025-010": policy_case.id, "2025-011": individual.id, "OL-001": other.id}


def send(app, *args):
    return app.test_cli_runner().invoke(args=["digest", "send", *args])


def parts(message) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def sent_rows(app) -> dict[str, tuple[date, int]]:
    with app.extensions["database"].transaction() as session:
        return {email: (day, items) for email, day, items in session.execute(
            select(User.email, DigestSent.sent_for, DigestSent.items).join(User, User.id == DigestSent.user_id))}


# -- the digest itself ----------------------------------------------------------------------------

def test_an_officer_gets_overdue_and_due_soon_items_in_text_and_html(mail_app, inbox, cases):
    result = send(mail_app)
    assert result.exit_code == 0, result.output
    [message] = inbox.to("officer@example.org")
    text, html = parts(message)
    link_010, link_011 = f"{BASE_URL}/cases/{cases['2025-010']}", f"{BASE_URL}/cases/{cases['2025-011']}"

    # Overdue: 2025-011's complaint was due Mon Nov 17, 3 school days before Thu Nov 20.
    overdue = text.split("OVERDUE (1)")[1].split("DUE IN THE NEXT 5 SCHOOL DAYS (1)")[0]
    assert "2025-011: Bring the complaint to the immediate supervisor" in overdue
    assert "Union Local: passed Mon 17 Nov 2025 — 3 school days ago" in overdue
    assert link_011 in overdue
    # Due soon: 2025-010's Step 1 reply, Thu Nov 27 = 5 school days after Thu Nov 20 (see the header).
    soon = text.split("DUE IN THE NEXT 5 SCHOOL DAYS (1)")[1].split("CHANGED SINCE YOUR LAST DIGEST")[0]
    assert "2025-010: Step 1 reply from the Superintendent (HR Services)" in soon
    assert "Board: act by Thu 27 Nov 2025 — 5 school days left" in soon
    assert link_010 in soon
    # A first digest also reports the last 7 days: both cases were opened, 2025-010 filed at Step 1,
    # and 2025-011's limit passed on Mon Nov 17 (on or after Thu Nov 13) with the complaint at risk.
    changes = text.split("CHANGED SINCE YOUR LAST DIGEST (4)")[1]
    assert "2025-010: Case opened: Teacher became aware of the circumstances (Mon 10 Nov 2025)" in changes
    assert "2025-010: Escalated: Grievance referred in writing at Step 1 (Thu 13 Nov 2025)" in changes
    assert "2025-011: Abandonment risk: our limit passed" in changes
    assert "OL-001" not in text

    # The HTML part: the same items, escaped and linked, with inline styles only.
    assert "Overdue (1)" in html and "Due in the next 5 school days (1)" in html
    assert f'<a href="{link_011}"' in html and f'<a href="{link_010}"' in html
    assert "Mon 17 Nov 2025" in html and "Union Local: passed Mon 17 Nov 2025 — 3 school days ago" in html
    assert "Thu 27 Nov 2025" in html and "Board: act by Thu 27 Nov 2025 — 5 school days left" in html
    assert "<style" not in html and "<link" not in html and "class=" not in html
    assert "OL-001" not in html

    # The envelope and headers: counts only in the subject, nothing private.
    assert message["Subject"] == "Grievance deadlines: 1 overdue, 1 due soon, 4 changes"
    for private in (*MEMBERS, "2025-010", "2025-011", "Demo PS"):
        assert private not in message["Subject"]
    assert message["From"] == FROM and message["To"] == "officer@example.org"
    assert sent_rows(mail_app)["officer@example.org"] == (TODAY, 6)
    assert "sent to officer@example.org" in result.output


def test_each_reader_gets_only_the_cases_they_may_see(mail_app, inbox, cases):
    assert send(mail_app).exit_code == 0
    # The steward is assigned 2025-010 only: its Step 1 reply, and its two events.
    [steward] = inbox.to("steward@example.org")
    text, html = parts(steward)
    assert "2025-010" in text and "2025-011" not in text and "2025-011" not in html
    assert steward["Subject"] == "Grievance deadlines: 0 overdue, 1 due soon, 2 changes"
    # Another local's officer sees only that local's case: OL-001's filing, due Thu Nov 27 (5 left).
    [stranger] = inbox.to("stranger@example.org")
    text, html = parts(stranger)
    assert "OL-001: File the policy grievance at Step 1" in text
    assert "Union Local: act by Thu 27 Nov 2025 — 5 school days left" in text
    assert "2025-010" not in text + html and "2025-011" not in text + html
    # A steward with no case has nothing to report: no email, nothing recorded.
    assert inbox.to("idle@example.org") == [] and "idle@example.org" not in sent_rows(mail_app)
    assert "nothing to report for idle@example.org" in send(mail_app, "--dry-run").output
    # A user who chose no digest gets none.
    assert inbox.to("off@example.org") == []


def test_a_second_run_the_same_day_sends_nothing_again(mail_app, inbox, cases):
    assert send(mail_app).exit_code == 0
    first = len(inbox.received)
    assert first == 3  # officer, steward, stranger; not the weekly viewer (Mon Nov 17 began the week)
    again = send(mail_app)
    assert again.exit_code == 0, again.output
    assert len(inbox.received) == first
    assert "already sent to officer@example.org for 2025-11-20" in again.output
    assert len(sent_rows(mail_app)) == first


def test_changes_are_those_since_the_last_digest(mail_app, inbox, cases):
    assert send(mail_app, "--date", "2025-11-20").exit_code == 0
    # Fri Nov 21: 2025-011 is recorded as deemed abandoned, and a snow day closes Mon Nov 24.
    mail_app.config["TODAY"] = "2025-11-21"
    with mail_app.extensions["database"].transaction() as session:
        ops.record_event(session, cases["2025-011"], type="abandoned", occurred_on=date(2025, 11, 21),
                         by="officer@example.org", today=date(2025, 11, 21))
    closed = mail_app.test_cli_runner().invoke(args=[
        "schooldays", "close", "2025-11-24", "--kind", "weather", "--name", "Snow storm",
        "--reason", "Board closed all schools", "--by", "test"])
    assert closed.exit_code == 0, closed.output
    result = send(mail_app)
    assert result.exit_code == 0, result.output
    [_, message] = inbox.to("officer@example.org")
    text, html = parts(message)
    # The Step 1 reply moves from Thu Nov 27 to Fri Nov 28: from Fri Nov 21, Mon 24 is closed,
    # Tue 25 (1), Wed 26 (2), Thu 27 (3), Fri 28 (4): 4 school days left, within 5 (through Mon Dec 1).
    assert "OVERDUE" not in text  # 2025-011 is closed
    assert "Board: act by Fri 28 Nov 2025 — 4 school days left" in text
    changes = text.split("CHANGED SINCE YOUR LAST DIGEST (2)")[1]
    assert "2025-011: Became abandoned: Deemed abandoned (recorded) (Fri 21 Nov 2025)" in changes
    # The Board's limit: its act-by date is the agreement's, and the digest says both moved (one sentence,
    # the case page's and the calendar page's).
    assert ("2025-010: Step 1 reply from the Superintendent (HR Services): The agreement's date and the act-by "
            "date moved from Thu 27 Nov 2025 to Fri 28 Nov 2025") in " ".join(changes.split())
    assert "The board calendar changed:" in changes
    assert "Case opened" not in changes  # reported yesterday
    assert message["Subject"] == "Grievance deadlines: 0 overdue, 1 due soon, 2 changes"
    assert "Became abandoned" in html and "Fri 28 Nov 2025" in html


def test_the_html_part_escapes_what_it_shows():
    from datetime import datetime, timezone

    item = digests.Item("<b>2025-099</b>", "Reply & <script>alert(1)</script>", "Board",
                        status_of(None, TODAY, date(2025, 11, 27)),
                        "https://tracker.example.org/cases/1?a=1&b=2")
    digest = digests.Digest(1, "o@example.org", "O", TODAY, 5, datetime.now(timezone.utc), datetime.now(timezone.utc),
                            due_soon=[item])
    text, html = parts(digests.render_message(digest, mail_from=FROM))
    assert "<script>" not in html and "Reply &amp; &lt;script&gt;" in html and "&lt;b&gt;2025-099" in html
    assert 'href="https://tracker.example.org/cases/1?a=1&amp;b=2"' in html
    assert "Reply & <script>alert(1)</script>" in text  # plain text is not HTML: shown as written


# -- who gets one, and when ------------------------------------------------------------------------

def test_weekly_digests_come_on_the_first_school_day_of_the_week(mail_app, inbox, cases):
    # Wed Nov 19: daily readers get one; the weekly reader does not.
    assert send(mail_app, "--date", "2025-11-19").exit_code == 0
    assert inbox.to("officer@example.org") and inbox.to("weekly@example.org") == []
    # Mon Nov 24 is the first school day of its week.
    assert send(mail_app, "--date", "2025-11-24").exit_code == 0
    assert len(inbox.to("weekly@example.org")) == 1


def test_digest_days_follow_the_board_calendar(amdsb):
    # Family Day, Mon 2026-02-16, is a statutory holiday: the week's first school day is Tue Feb 17.
    assert not digests.is_digest_day(amdsb, "weekly", date(2026, 2, 16))
    assert digests.is_digest_day(amdsb, "weekly", date(2026, 2, 17))
    assert not digests.is_digest_day(amdsb, "weekly", date(2026, 2, 18))
    assert digests.is_digest_day(amdsb, "daily", date(2026, 2, 18))
    assert not digests.is_digest_day(amdsb, "daily", date(2026, 2, 16))
    assert not digests.is_digest_day(amdsb, "daily", date(2025, 11, 22))  # a Saturday
    assert not digests.is_digest_day(amdsb, "daily", date(2025, 12, 29))  # winter break
    assert not digests.is_digest_day(amdsb, "none", date(2025, 11, 20))
    with pytest.raises(digests.DigestDateNotCovered, match="2030-01-07 is outside the loaded calendar"):
        digests.is_digest_day(amdsb, "daily", date(2030, 1, 7))


def test_a_date_outside_the_calendar_is_refused_and_nothing_is_sent(mail_app, inbox, cases):
    result = send(mail_app, "--date", "2030-01-07")
    assert result.exit_code != 0
    assert "2030-01-07 is outside the loaded calendar of board 'amdsb-elementary'" in result.output
    assert "2029-30" in result.output and "no digest is sent" in result.output
    assert inbox.received == [] and sent_rows(mail_app) == {}


# -- failures and retries ----------------------------------------------------------------------------

def test_a_refused_recipient_is_not_recorded_and_the_next_run_retries_it(mail_app, inbox, cases):
    inbox.refuse.add("steward@example.org")
    result = send(mail_app)
    assert result.exit_code != 0
    assert "FAILED for steward@example.org: refused by the server: 550" in result.output
    assert "Not sent to steward@example.org" in result.output
    # The others were sent and recorded; the steward was not.
    assert inbox.to("officer@example.org") and inbox.to("stranger@example.org")
    assert "steward@example.org" not in sent_rows(mail_app)
    assert set(sent_rows(mail_app)) == {"officer@example.org", "stranger@example.org"}

    inbox.refuse.clear()
    before = len(inbox.received)
    retry = send(mail_app)
    assert retry.exit_code == 0, retry.output
    assert [rcpt for _, rcpt, _ in inbox.received[before:]] == [["steward@example.org"]]
    assert sent_rows(mail_app)["steward@example.org"] == (TODAY, 3)


def test_an_unreachable_server_records_nothing(mail_app, inbox, cases):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        mail_app.config["MAIL_PORT"] = probe.getsockname()[1]
    result = send(mail_app)
    assert result.exit_code != 0
    assert "could not reach or use the mail server" in result.output
    assert "officer@example.org" in result.output.split("Not sent to")[1]
    assert sent_rows(mail_app) == {}


def test_a_dry_run_sends_and_records_nothing(mail_app, inbox, cases):
    result = send(mail_app, "--dry-run")
    assert result.exit_code == 0, result.output
    assert ('would send to officer@example.org: "Grievance deadlines: 1 overdue, 1 due soon, 4 changes" '
            "(1 overdue, 1 due soon, 4 changed; 6 items)") in result.output
    assert "nothing to report for idle@example.org: no email" in result.output
    assert "dry run: nothing sent or recorded" in result.output
    assert inbox.received == [] and sent_rows(mail_app) == {}


# -- the settings page ------------------------------------------------------------------------------

def test_the_settings_page_saves_the_choice(mail_app, cases):
    client = log_in(mail_app, "officer@example.org")
    page = client.get("/settings").get_data(as_text=True)
    assert 'name="csrf_token"' in page and 'name="digest_frequency"' in page and 'name="digest_days_ahead"' in page
    assert "My digest" in page and "2025-011" in page  # today's preview lists the overdue case
    saved = client.post("/settings", data={"digest_frequency": "weekly", "digest_days_ahead": "10"})
    assert saved.status_code == 302
    with mail_app.extensions["database"].transaction() as session:
        user = session.scalar(select(User).where(User.email == "officer@example.org"))
        assert (user.digest_frequency, user.digest_days_ahead) == ("weekly", 10)


@pytest.mark.parametrize("form, field, words", [
    ({"digest_frequency": "daily", "digest_days_ahead": "31"}, "digest_days_ahead", "out of range"),
    ({"digest_frequency": "daily", "digest_days_ahead": "0"}, "digest_days_ahead", "out of range"),
    ({"digest_frequency": "daily", "digest_days_ahead": "five"}, "digest_days_ahead", "not a whole number"),
    ({"digest_frequency": "hourly", "digest_days_ahead": "5"}, "digest_frequency", "not a digest frequency"),
])
def test_bad_settings_come_back_beside_the_field(mail_app, cases, form, field, words):
    client = log_in(mail_app, "officer@example.org")
    response = client.post("/settings", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and words in page
    assert f'id="{field}-error"' in page and 'aria-invalid="true"' in page
    with mail_app.extensions["database"].transaction() as session:
        user = session.scalar(select(User).where(User.email == "officer@example.org"))
        assert (user.digest_frequency, user.digest_days_ahead) == ("daily", 5)


def test_the_settings_form_needs_the_csrf_token(mail_app, cases):
    client = log_in(mail_app, "officer@example.org")
    client.environ_base.pop("HTTP_X_CSRF_TOKEN")
    assert client.post("/settings", data={"digest_frequency": "none", "digest_days_ahead": "5"}).status_code == 400
    with mail_app.extensions["database"].transaction() as session:
        assert session.scalar(select(User.digest_frequency).where(User.email == "officer@example.org")) == "daily"


def test_a_long_digest_lists_the_first_hundred_of_a_section_and_counts_the_rest():
    from datetime import datetime, timezone

    items = [digests.Item(number=f"N-{i}", what="Step 1 reply", status=status_of(None, TODAY, date(2025, 11, 27)),
                          party="Board",
                          link=f"http://x/cases/{i}") for i in range(130)]
    digest = digests.Digest(user_id=1, email="officer@example.org", name="Officer", day=date(2025, 11, 20),
                            days_ahead=5, since=datetime.now(timezone.utc), built_at=datetime.now(timezone.utc),
                            due_soon=items)
    message = digests.render_message(digest, mail_from="tracker@example.org")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "N-99:" in text and "N-100:" not in text and "and 30 more: see the dashboard." in text
    assert ">N-99<" in html and ">N-100<" not in html and "and 30 more: see the dashboard." in html
    assert "130 due soon" in message["Subject"]
