"""Every page of the URL map in Chromium on a 390 px phone, with the demo cases and one case whose
free text holds words of 10,000 characters: no page is wider than the phone, and axe-core finds no
serious or critical accessibility problem on any page.

The pages are built from app.url_map: every route that answers GET, with the values in EXAMPLES for
its arguments. Routes that answer a file or data rather than a page are listed in NOT_PAGES with the
type they answer, and a test checks that they do (the list cannot hide a page). A new GET route
fails until it is given an entry in one or the other. STATES adds what no plain GET shows: error
pages, and forms refused with every problem beside its field.

axe-core comes from the npm registry (scripts/ensure-axe puts it in .cache/axe). It is injected with
page.evaluate(source): the site's Content-Security-Policy (script-src 'self') refuses
page.add_script_tag, which writes the file's text into an inline <script>; an evaluation through the
DevTools protocol is not the page's script and the policy does not apply to it. A context with
bypass_csp would also work, but the pages would no longer be the ones a person gets.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True}
AXE = Path(__file__).resolve().parents[2] / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
LONG_WORD = "x" * 10_000  # a pasted block with no space: it must wrap, not widen the page
BOARD, YEARS = "amdsb-elementary", ("2024-25", "2025-26", "2026-27")

# Routes that answer GET with something other than an HTML page: the type each answers.
NOT_PAGES = {
    "static": "text/css",
    "auth.api_session": "application/json",
    "api.openapi": "application/json",
    "api.boards": "application/json",
    "api.board_days": "application/json",
    "api.schooldays": "application/json",
    "api.list_grievances": "application/json",
    "api.show_grievance": "application/json",
    "exports.history_json": "application/json",
    "exports.history_pdf": "application/pdf",
    "exports.dashboard_csv": "text/csv",
    "reports.csv": "text/csv",
    "exports.feed": "text/calendar",
    "cases.download": "application/pdf",
}

# The URLs visited for a route with arguments, from the world the fixture builds.
EXAMPLES = {
    "cases.show_case": lambda w: [{"grievance_id": i} for i in w.case_ids],
    "cases.record": lambda w: [{"grievance_id": w.long_case, "event_type": t} for t in w.allowed],
    "calendars.school_year": lambda w: [{"board": BOARD, "label": year} for year in YEARS],
    "exports.history_json": lambda w: [{"grievance_id": w.long_case}],
    "case_file.edit_facts": lambda w: [{"grievance_id": w.long_case}],
    "exports.history_pdf": lambda w: [{"grievance_id": w.long_case}],
    "api.show_grievance": lambda w: [{"grievance_id": w.long_case}],
    "api.board_days": lambda w: [{"slug": BOARD, "from": "2025-11-01", "to": "2025-11-30"}],
    "api.schooldays": lambda w: [{"slug": BOARD, "start": "2025-11-20", "n": 5}],
    "reports.csv": lambda w: [{"table": "clauses"}],
    "exports.feed": lambda w: [{"token": w.feed_token}],
    "cases.download": lambda w: [{"document_id": w.document_id}],
    "static": lambda w: [{"filename": "site.css"}],
}

TOO_WIDE = """() => [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
    .slice(0, 6)
    .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + e.className : ''}`
              + ` (right edge ${Math.round(e.getBoundingClientRect().right)} px)`)"""
RUN_AXE = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.impact} ${v.id}: ${v.help} — ` + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"""


@dataclass(frozen=True)
class World:
    """What the pages show: the demo cases and the long-words case (with a voided event and a
    document), the events allowed now on it, and a calendar feed of the administrator's."""

    case_ids: list[int]
    long_case: int
    allowed: list[str]
    document_id: int
    feed_token: str


@pytest.fixture
def world(app, live_server) -> World:
    """The demo cases (dated from the pinned today) and the long-words case, as the demo administrator."""
    from sqlalchemy import select

    from cli.demo import DEMO_USERS
    from models import Grievance, User
    from operations import feeds
    from operations import grievances as ops

    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    long_case, document_id = _long_words_case(app, DEMO_USERS[0][0])
    with app.extensions["database"].transaction() as session:
        case_ids = list(session.scalars(select(Grievance.id).order_by(Grievance.id)))
        state = ops.case_state(session, session.get(Grievance, long_case), date.fromisoformat(app.config["TODAY"]))
        admin = session.scalar(select(User).where(User.email == DEMO_USERS[0][0]))
        token = feeds.create_feed(session, admin).secret
    return World(case_ids, long_case, list(state.allowed_events), document_id, token)


def _long_words_case(app, by: str) -> tuple[int, int]:
    """A case of words longer than any screen in every free-text field (each at its length limit), a
    complaint raised and voided (the timeline shows the correction) and a document: its id and the
    document's."""
    from gate import read
    from gate.inputs import NewCaseInput
    from operations import documents
    from operations import grievances as ops
    from operations.inputs import new_case

    values = read(NewCaseInput, {"number": "LONG-" + "9" * 35, "kind": "individual", "first_event_on": "2025-11-17",
                                 "members": ["M" * 200, "N" * 200], "school": "S" * 200, "clauses": "C" * 2_000,
                                 "description": LONG_WORD, "remedy": LONG_WORD})
    case = new_case(values, local="etfo-avon-maitland", default_board=BOARD, default_ruleset="amdsb-etfo-article-33")
    today = date.fromisoformat(app.config["TODAY"])
    database = app.extensions["database"]
    with database.transaction() as session:
        grievance_id = ops.open_case(session, case, by=by, today=today).id
    with database.transaction() as session:
        ops.record_event(session, grievance_id, type="complaint_raised", occurred_on=date(2025, 11, 18), by=by,
                         today=today)
        raised = ops.last_event_id(session, grievance_id)
    with database.transaction() as session:
        ops.void_event(session, grievance_id, raised, reason="R" * 2_000, by=by, today=today)
    with database.transaction() as session:
        first = session.execute(_first_event(grievance_id)).scalar_one()
        document = documents.attach(session, Path(app.config["DOCUMENTS_DIR"]), grievance_id=grievance_id,
                                    event_id=first, filename="reply.pdf", by=by,
                                    data=b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
        return grievance_id, document.id


def _first_event(grievance_id: int):
    from sqlalchemy import select

    from models import GrievanceEvent

    return select(GrievanceEvent.id).where(GrievanceEvent.grievance_id == grievance_id).order_by(
        GrievanceEvent.seq).limit(1)


def _routes(app, world: World) -> tuple[dict[str, list[str]], list[str]]:
    """{endpoint: [URL, …]} for every GET route of the URL map, and the routes no list names."""
    pages, unnamed = {}, []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods:
                continue
            if rule.arguments and rule.endpoint not in EXAMPLES:
                unnamed.append(f"{rule.rule} ({rule.endpoint})")
                continue
            examples = EXAMPLES[rule.endpoint](world) if rule.arguments else [{}]
            pages[rule.endpoint] = [url_for(rule.endpoint, **values) for values in examples]
    return pages, unnamed


# The states no plain GET shows, each reached as a person would: (what, how).
def _refused_new_case(page, base):
    page.goto(f"{base}/cases/new")
    page.get_by_role("button", name="Open the case").click()


def _refused_facts(page, base, world):
    """Issue 13: the facts form sent without its reason."""
    page.goto(f"{base}/cases/{world.long_case}/facts")
    page.get_by_role("button", name="Save the changes").click()


def _refused_record(page, base, world):
    page.goto(f"{base}/cases/{world.long_case}/record/{world.allowed[0]}")
    page.get_by_label("Date it happened").fill("2031-01-05")
    page.get_by_role("button", name="Record", exact=True).click()


def _refused_user(page, base):
    page.goto(f"{base}/admin/users")
    page.get_by_label("Email", exact=True).fill("not an address")
    page.get_by_role("button", name="Add", exact=True).click()


STATES = {
    "a case that does not exist (404)": lambda page, base, world: page.goto(f"{base}/cases/99999"),
    "a school year with no calendar (404)": lambda page, base, world: page.goto(f"{base}/calendar/{BOARD}/2031-32"),
    "the new-case form, refused": lambda page, base, world: _refused_new_case(page, base),
    "the record form, refused": lambda page, base, world: _refused_record(page, base, world),
    "the users page, a user refused": lambda page, base, world: _refused_user(page, base),
    "the facts form, refused": lambda page, base, world: _refused_facts(page, base, world),
}


@pytest.fixture
def phone(new_page, live_server, log_in):
    """A phone-sized page logged in as the demo administrator."""
    from cli.demo import DEMO_PASSWORD, DEMO_USERS

    page = new_page(**PHONE)
    log_in(page, live_server, DEMO_USERS[0][0], DEMO_PASSWORD)
    return page


def _each_page(page, base: str, world: World, pages: dict[str, list[str]]):
    """Goes to every page and every state in turn; yields what it is each time, the page loaded."""
    for endpoint, urls in sorted(pages.items()):
        if endpoint in NOT_PAGES:
            continue
        for url in urls:
            response = page.goto(base + url)
            assert response.ok, f"{url} answered {response.status}"
            yield url
    for what, reach in STATES.items():
        reach(page, base, world)
        page.wait_for_load_state()
        yield what


def test_every_get_route_is_a_page_or_listed_as_a_file(app, world, admin_client):
    pages, unnamed = _routes(app, world)
    assert not unnamed, f"routes with arguments and no EXAMPLES entry: {unnamed}"
    answers = {}
    for endpoint, urls in pages.items():
        for url in urls:
            response = admin_client.get(url, follow_redirects=True)  # / is the dashboard
            answers[url] = (endpoint, response.status_code, response.mimetype)
    wrong = {url: a for url, a in answers.items()
             if a[1] != 200 or (a[2] == "text/html") == (a[0] in NOT_PAGES)
             or (a[0] in NOT_PAGES and a[2] != NOT_PAGES[a[0]])}
    assert not wrong, f"(endpoint, status, type) not as listed: {wrong}"
    assert set(NOT_PAGES) <= set(pages), f"NOT_PAGES names routes the app no longer has: {set(NOT_PAGES) - set(pages)}"


def test_no_page_is_wider_than_a_390px_phone(app, world, phone, live_server):
    pages, _ = _routes(app, world)
    too_wide = {}
    for where in _each_page(phone, live_server, world, pages):
        width = phone.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
        if width > PHONE["width"]:
            too_wide[where] = f"{width} px: {phone.evaluate(TOO_WIDE)}"
    assert not too_wide, "pages wider than the phone:\n" + "\n".join(f"{k}: {v}" for k, v in too_wide.items())


def test_axe_finds_nothing_serious_or_critical_on_any_page(app, world, phone, live_server):
    if not AXE.exists():
        message = f"no axe-core at {AXE}: run scripts/ensure-axe (scripts/test does)"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    source = AXE.read_text(encoding="utf-8")
    pages, _ = _routes(app, world)
    found = {}
    for where in _each_page(phone, live_server, world, pages):
        phone.evaluate(source)  # not add_script_tag: the CSP refuses inline scripts (see the module's docstring)
        violations = phone.evaluate(RUN_AXE)
        if violations:
            found[where] = violations
    assert not found, "axe-core found:\n" + json.dumps(found, indent=1)


@pytest.fixture
def admin_client(app, world):
    from cli.demo import DEMO_PASSWORD, DEMO_USERS
    from conftest import log_in

    return log_in(app, DEMO_USERS[0][0], DEMO_PASSWORD)
