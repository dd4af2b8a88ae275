"""Markup typed into any free-text field is shown as text on every page that shows
it, never run: each field gets its own hostile payload (so a failure names the
field), stored through the real forms and the API, and every page that shows it
must contain the escaped text and no raw tag. Reflected input (search boxes,
query strings, a refused form) is checked the same way. Downloads that are not
HTML (PDF, CSV, JSON) must not be served as HTML. Every answer carries the
Content-Security-Policy and X-Content-Type-Options headers (web/security_headers.py),
so that even a template that one day forgot to escape could not run a script.

(test_case_pages.test_free_text_is_shown_as_text_not_html checks the member name
on the case page; this covers every field on every page.)"""
from __future__ import annotations

from io import BytesIO

import pytest
from markupsafe import escape
from sqlalchemy import update

from conftest import PASSWORD, log_in
from models import UnionLocal

TODAY = "2025-11-20"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def payload(field: str) -> str:
    """A payload naming its field: script tags, a quote-breaking attribute, an entity."""
    return f'<script>alert("{field}")</script>"><img src=x onerror=alert(\'{field}\')>&amp;'


# Short enough for the grievance number (40 characters) and a file name.
NUMBER = '<b id="n">N</b>&"'
FILE_NAME = '<img src=x onerror=alert(1)>.pdf'


def assert_shown_as_text(page: str, *texts: str) -> None:
    for text in texts:
        assert str(escape(text)) in page, f"{text!r} is not shown (escaped) on the page"
    for raw in ("<script", "<img", '<b id="n">'):  # escaped, 'onerror=' is only words
        assert raw not in page, f"raw markup {raw!r} reached the page"


@pytest.fixture
def hostile(app, admin):
    """A local, a user, a case with events, a void, a document and a closure, every
    free-text field of them holding markup. Returns the case id and a client of the
    user whose name is markup."""
    app.config["TODAY"] = TODAY
    with app.extensions["database"].transaction() as session:  # a local's name is set by `flask locals add`
        session.execute(update(UnionLocal).values(name=payload("local name")))
    created = admin.post("/admin/users", data={"name": payload("user name"), "email": "hostile@example.org",
                                         "password": PASSWORD, "role": "officer"})
    assert created.status_code == 302, created.get_data(as_text=True)
    case_id = _open_case(admin)
    _record_events(admin, case_id)
    _add_closure(admin)
    return case_id, log_in(app, "hostile@example.org")


def _open_case(client) -> int:
    opened = client.post("/cases/new", data={
        "kind": "policy", "number": NUMBER, "first_event_on": "2025-11-10",
        "members": payload("member 1") + "\n" + payload("member 2"), "school": payload("school"),
        "clauses": payload("clauses"), "description": payload("description"), "remedy": payload("remedy")})
    assert opened.status_code == 302, opened.get_data(as_text=True)
    return int(opened.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _record_events(client, case_id: int) -> None:
    api = client.post(f"/api/grievances/{case_id}/events", json={
        "type": "grievance_filed", "occurred_on": "2025-11-13"})
    assert api.status_code == 201, api.get_json()
    form = client.post(f"/cases/{case_id}/record/mediation_agreed", content_type="multipart/form-data", data={
        "occurred_on": "2025-11-14", "mediator": payload("mediator"), "mediation_by": "2025-12-05", "action": "record",
        "document": (BytesIO(PDF), FILE_NAME)})
    assert form.status_code == 302, form.get_data(as_text=True)
    meeting = client.post(f"/api/grievances/{case_id}/events", json={
        "type": "meeting_requested", "occurred_on": "2025-11-17"}).get_json()
    void = client.post(f"/cases/{case_id}/events/{meeting['events'][-1]['id']}/void",
                       data={"reason": payload("void reason")})
    assert void.status_code == 302


def _add_closure(client) -> None:
    added = client.post("/calendar/amdsb-elementary/2025-26", data={
        "type": "closure", "first": "2025-11-24", "last": "2025-11-24", "kind": "weather",
        "name": payload("closure name"), "reason": payload("closure reason"), "action": "add"})
    assert added.status_code == 302, added.get_data(as_text=True)


CASE_FIELDS = ("member 1", "member 2", "school", "clauses", "description", "remedy", "mediator",
               "void reason", "closure name", "closure reason")


def test_the_case_page_shows_every_field_as_text(hostile):
    case_id, user = hostile
    page = user.get(f"/cases/{case_id}").get_data(as_text=True)
    assert_shown_as_text(page, NUMBER, FILE_NAME, payload("user name"), *map(payload, CASE_FIELDS))


def test_lists_show_the_case_as_text(hostile):
    _, user = hostile
    dashboard = user.get("/dashboard").get_data(as_text=True)
    assert_shown_as_text(dashboard, NUMBER, payload("member 1"), payload("school"), payload("user name"))
    assert_shown_as_text(user.get("/upcoming").get_data(as_text=True), NUMBER)


def test_the_calendar_pages_show_closure_names_as_text(hostile):
    _, user = hostile
    year = user.get("/calendar/amdsb-elementary/2025-26").get_data(as_text=True)
    assert_shown_as_text(year, payload("closure name"))
    assert_shown_as_text(user.get("/calendar").get_data(as_text=True))


def test_reports_and_users_show_names_as_text(hostile, admin):
    _, user = hostile
    assert_shown_as_text(user.get("/reports?from=2025-09-01&to=2026-06-30").get_data(as_text=True),
                         payload("school"))
    users = admin.get("/admin/users").get_data(as_text=True)
    assert_shown_as_text(users, payload("user name"), payload("local name"))


def test_reflected_input_is_shown_as_text(hostile, admin):
    _, user = hostile
    search = user.get("/dashboard", query_string={"q": payload("search")}).get_data(as_text=True)
    assert_shown_as_text(search, payload("search"))
    calculator = user.get("/calculator", query_string={"start": payload("start")}).get_data(as_text=True)
    assert_shown_as_text(calculator, payload("start"))
    refused = admin.post("/cases/new", data={"kind": "policy", "number": "R-1", "first_event_on": "2025-11-10",
                                             "members": payload("refused member"), "remedy": ""})
    assert refused.status_code == 400
    assert_shown_as_text(refused.get_data(as_text=True), payload("refused member"))
    closure = admin.post("/calendar/amdsb-elementary/2025-26", data={
        "type": "closure", "first": "2025-13-01", "kind": "weather", "name": payload("refused name"),
        "reason": payload("refused reason"), "action": "add"})
    assert closure.status_code == 400
    assert_shown_as_text(closure.get_data(as_text=True), payload("refused name"), payload("refused reason"))


def test_downloads_are_never_served_as_html(hostile):
    case_id, user = hostile
    for url, kind in ((f"/cases/{case_id}/history.pdf", "application/pdf"),
                      (f"/cases/{case_id}/history.json", "application/json"), ("/dashboard.csv", "text/csv"),
                      ("/reports/schools.csv?from=2025-09-01&to=2026-06-30", "text/csv")):
        response = user.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == kind and response.headers["X-Content-Type-Options"] == "nosniff", url


def test_a_document_is_downloaded_as_an_attachment_never_shown(app, hostile):
    case_id, user = hostile
    page = user.get(f"/cases/{case_id}").get_data(as_text=True)
    document_url = page.split('href="/documents/', 1)[1].split('"', 1)[0]
    response = user.get(f"/documents/{document_url}")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_every_answer_forbids_inline_script_and_sniffing(app, officer):
    for response in (officer.get("/dashboard"), officer.get("/api/grievances"), officer.get("/no-such-page"),
                     app.test_client().get("/login")):
        policy = response.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy and "object-src 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in policy
