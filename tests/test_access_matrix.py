"""Every route, every method, every role: a user of local B cannot read or change
local A's cases, events, documents, exports, feeds or board calendar; and within
a local each role gets only what it may.

The routes come from the app's URL map, not from a list written here. SPECS says,
per endpoint, who may use each method and what to send; PARAMS says how to fill
each URL parameter with one local's object. A new route, or a new parameter name,
fails test_every_route_and_parameter_is_in_the_matrix until it has an entry.

How a request is judged (see access_world.py for the data):
- it names one of A's objects that only A may see (a case, a document, a feed
  link) -> 403 or 404; it writes to A's board's calendar -> 403 or 404;
- whatever the status, none of A's names, numbers or document bytes is in the
  body or the headers (a POST's redirect is followed, so flashed messages count);
- none of A's rows changes, and no row starts pointing at A's (a void of A's
  event recorded on B's case, a B case on A's board, A's officer on a B case);
- never a 5xx, and never a CSRF refusal: every request carries the session's
  token, so a refusal is the authorization's.

Board calendars have no owner in the data model; a board "belongs" to the
locals whose cases count on it, and the deployment's board (DEFAULT_BOARD,
where the web opens every case) to every local (operations/accounts.py,
boards_of_local). Anyone logged in may read any board's calendar (public
information); only an administrator of a local the board belongs to may change it.
"""
from __future__ import annotations

import io
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

import access_world
from access_world import ROLES, Local, all_rows, import_file, owned_rows
from app import create_app
from cli.database import alembic_config
from conftest import empty_test_postgres, log_in

ADMINS = frozenset({"admin"})
OPENERS = frozenset({"admin", "officer"})       # open and import cases
WRITERS = frozenset({"admin", "officer", "steward"})  # record events (stewards: on their cases)
EVERYONE = frozenset(ROLES)
REFUSED = (403, 404)


# -- the world: built once per database --------------------------------------------------------

@dataclass(repr=False)
class World:
    app: object
    A: Local
    B: Local

    def __repr__(self) -> str:  # short in failure reports
        return f"World({self.app.config['DATABASE_URL'].split(':')[0]})"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    """Both locals on one database, built once for the module (a few seconds), per database."""
    url = _database_url(request.param, tmp_path_factory.mktemp("access"))
    documents = tmp_path_factory.mktemp("access-documents")
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SESSION_COOKIE_SECURE": False,
                      "DOCUMENTS_DIR": str(documents), "TODAY": access_world.TODAY.isoformat()})
    with pytest.MonkeyPatch.context() as patch:
        from alembic import command

        from operations import accounts
        patch.setattr(accounts, "HASH_METHOD", "scrypt:1024:8:1")  # as conftest's quick_password_hashing
        command.upgrade(alembic_config(url), "head")
        result = app.test_cli_runner().invoke(args=["schooldays", "load", "--by", "test-suite"])
        assert result.exit_code == 0, result.output
        built = access_world.build(app)
        yield World(app, built["A"], built["B"])
    app.extensions["database"].dispose()


def _database_url(kind: str, directory: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{directory / 'access.sqlite3'}"
    return empty_test_postgres()


# -- the table: how to fill each URL parameter ---------------------------------------------------

@dataclass(frozen=True)
class Param:
    """values(local, role, foreign) -> the values to try. `owned`: the value is one local's object.
    `hides`: naming another local's one must be refused (403/404); `hides_writes`: only for writes."""
    values: Callable[[Local, str, bool], list]
    owned: bool = True
    hides: bool = False
    hides_writes: bool = False


def _constant(value):
    return Param(lambda local, role, foreign: [value], owned=False)


PARAMS = {
    "grievance_id": Param(lambda l, role, foreign: [l.cases["assigned"]], hides=True),
    "document_id": Param(lambda l, role, foreign: [l.documents["assigned"]], hides=True),
    # Another local's event on one's own case: refused by the operation, whatever the status.
    "event_id": Param(lambda l, role, foreign: [l.events["assigned"]]),
    # Board calendars are public: reading another local's board is fine, changing it is not.
    "board": Param(lambda l, role, foreign: [l.board], hides_writes=True),
    "slug": Param(lambda l, role, foreign: [l.board], hides_writes=True),
    # The feed link is its own credential: B cannot hold A's live secret; A's revoked link and the link
    # of A's deactivated user must find nothing, for anyone.
    "token": Param(lambda l, role, foreign: l.dead_feeds if foreign else [l.feeds[role]], hides=True),
    # An account: another local's must not be found (a B administrator deactivating A's viewer).
    "user_id": Param(lambda l, role, foreign: [l.user_ids["viewer"]], hides=True),
    "label": _constant("2025-26"),
    "event_type": _constant("step1_reply"),
    "table": _constant("articles"),
    "filename": _constant("site.css"),
}


# -- the table: who may use each endpoint, and what to send ---------------------------------------

Body = Callable[[Local, Local, str], dict]  # (target, own, role) -> keyword arguments of client.open


@dataclass(frozen=True)
class Spec:
    roles: dict[str, frozenset] = field(default_factory=dict)      # method -> roles that may (default: all)
    bodies: dict[str, tuple[Body, ...]] = field(default_factory=dict)
    shows: bool = False        # an allowed GET shows the local's case data (the positive control)
    skip: dict[str, str] = field(default_factory=dict)            # method -> why it is not sent


def query(**args) -> Body:
    return lambda target, own, role: {"query_string": args}


def form(make: Callable[[Local, Local, str], dict]) -> Body:
    return lambda target, own, role: {"data": make(target, own, role)}


def as_json(make: Callable[[Local, Local, str], dict]) -> Body:
    return lambda target, own, role: {"json": make(target, own, role)}


def upload(name: str, data: bytes) -> Body:
    return lambda target, own, role: {"data": {"document": (io.BytesIO(data), name)},
                                      "content_type": "multipart/form-data"}


_counter = itertools.count(1)


def _fresh(prefix: str) -> str:
    """A new number or address each time: a write that is wrongly let through must not be masked by
    'already exists' on the next role."""
    return f"{prefix}-{next(_counter)}"


def _case_form(target: Local, own: Local, role: str) -> dict:
    """A complete new case whose officer is one of the target local's users."""
    return {"number": _fresh("PROBE-NEW"), "kind": "policy", "first_event_on": "2025-11-17", "members": "Probe Member",
            "school": "Probe PS", "clauses": "12.06", "description": "probe", "remedy": "probe",
            "officer_id": str(target.user_ids["officer"])}


def _api_case(target: Local, own: Local, role: str) -> dict:
    """A new case through the API on the target local's board."""
    return {"number": _fresh("PROBE-API"), "kind": "policy", "first_event_on": "2025-11-17", "members": ["Probe"],
            "clauses": "12.06", "description": "probe", "remedy": "probe",
            "board": target.board}


def _import(target: Local, own: Local, role: str) -> dict:
    data = json.dumps(import_file(own, target, _fresh("PROBE-IMPORT"))).encode()
    return {"data": {"case": (io.BytesIO(data), "case.json")}, "content_type": "multipart/form-data"}


CLOSURE = {"first": "2025-12-02", "kind": "weather", "name": "Probe closure", "reason": "probe"}
REOPEN = {"first": "2025-12-01", "reason": "probe"}  # A's closure on alpha-board (access_world)

SPECS: dict[str, Spec] = {
    "static": Spec(),
    "auth.login": Spec(skip={"POST": "takes credentials, not a local's object; logging in again would replace "
                                     "the client's session (test_web_access covers the login)"}),
    "auth.logout": Spec(),  # sent from a throwaway login (see _client)
    "auth.api_session": Spec(),
    "dashboard.home": Spec(bodies={"GET": (query(),)}, shows=True),
    "dashboard.dashboard": Spec(bodies={"GET": (lambda t, o, r: {"query_string": {"officer": t.user_ids["officer"]}},
                                                lambda t, o, r: {"query_string": {"q": t.numbers["assigned"]}})},
                                shows=True),
    "dashboard.upcoming": Spec(shows=True),
    "exports.dashboard_csv": Spec(bodies={"GET": (lambda t, o, r: {"query_string": {"officer": t.user_ids["officer"]}},
                                                  query())}, shows=True),
    "reports.reports": Spec(bodies={"GET": (query(year="2025-26"),)}, shows=True),
    "reports.csv": Spec(bodies={"GET": (query(year="2025-26"),)}),
    "pages.calculator": Spec(bodies={"GET": (lambda t, o, r: {"query_string": {"board": t.board, "start": "2025-11-13",
                                                                               "n": "10"}},)}),
    "calendars.calendar_index": Spec(),
    "calendars.school_year": Spec(),
    "calendars.change_school_year": Spec(
        roles={"POST": ADMINS},
        bodies={"POST": (form(lambda t, o, r: {"action": "add", "type": "closure", **CLOSURE}),
                         form(lambda t, o, r: {"action": "preview", "type": "closure", **CLOSURE}))}),
    "calendars.reopen": Spec(
        roles={"POST": ADMINS},
        bodies={"POST": (form(lambda t, o, r: {"action": "reopen", **REOPEN}),
                         form(lambda t, o, r: {"action": "preview", **REOPEN}))}),
    "cases.show_case": Spec(shows=True),
    "cases.record": Spec(roles={"GET": WRITERS, "POST": WRITERS}, shows=True,
                         bodies={"POST": (form(lambda t, o, r: {"action": "record", "occurred_on": "2025-11-20"}),
                                          form(lambda t, o, r: {"action": "preview", "occurred_on": "2025-11-20"}))}),
    "cases.void": Spec(roles={"POST": WRITERS}, bodies={"POST": (form(lambda t, o, r: {"reason": "probe"}),)}),
    "cases.attach": Spec(roles={"POST": WRITERS}, bodies={"POST": (upload("probe.txt", b"probe document\n"),)}),
    "cases.download": Spec(shows=True),
    "cases.new_case": Spec(roles={"GET": OPENERS, "POST": OPENERS}, bodies={"POST": (form(_case_form),)}),
    # Issue 13: the case file. A fact changed to the target local's officer, a note on its event: on
    # one's own case the operation refuses them; on another local's case the case is not found.
    "case_file.edit_facts": Spec(roles={"GET": OPENERS, "POST": OPENERS}, shows=True, bodies={"POST": (
        form(lambda t, o, r: {"school": _fresh("Probe PS"), "reason": "probe"}),
        form(lambda t, o, r: {"officer_id": str(t.user_ids["officer"]), "reason": "probe"}))}),
    # A's steward put on one's own case, or one's own steward on A's case: neither may happen.
    "case_file.assign": Spec(roles={"POST": OPENERS}, bodies={"POST": (
        form(lambda t, o, r: {"steward_ids": str(t.user_ids["steward"]), "reason": "probe"}),
        form(lambda t, o, r: {"steward_ids": str(o.user_ids["steward"]), "officer_id": str(t.user_ids["officer"])}))}),
    "case_file.add_note": Spec(roles={"POST": WRITERS}, bodies={"POST": (
        form(lambda t, o, r: {"text": "probe note"}),
        form(lambda t, o, r: {"text": "probe note", "event_id": str(t.events["assigned"])}))}),
    "exports.history_pdf": Spec(),
    "exports.history_json": Spec(shows=True),
    "exports.import_case": Spec(roles={"GET": OPENERS, "POST": OPENERS}, bodies={"POST": (_import,)}),
    "exports.feeds": Spec(bodies={"POST": (form(lambda t, o, r: {"action": "revoke",
                                                                 "feed_id": str(t.feed_ids["officer"])}),)}),
    "exports.feed": Spec(shows=True),
    "admin.users": Spec(roles={"GET": ADMINS, "POST": ADMINS},
                        bodies={"POST": (form(lambda t, o, r: {"email": f"{_fresh('probe')}@{o.slug}.example.org",
                                                               "name": "Probe", "role": "viewer",
                                                               "password": "a long enough password"}),)}),
    # Both ways: a deactivation wrongly let through shows as A's users row changing; the reactivation
    # after it would hide nothing, since the rows are compared after each request.
    "admin.set_active": Spec(roles={"POST": ADMINS}, bodies={"POST": (form(lambda t, o, r: {"active": "0"}),
                                                                      form(lambda t, o, r: {"active": "1"}))}),
    "admin.assign": Spec(roles={"POST": ADMINS}, bodies={"POST": (
        form(lambda t, o, r: {"number": t.numbers["unassigned"], "email": o.emails["steward"]}),
        form(lambda t, o, r: {"number": o.numbers["unassigned"], "email": t.emails["steward"]}))}),
    "settings.settings": Spec(bodies={"POST": (form(lambda t, o, r: {"digest_frequency": "weekly",
                                                                     "digest_days_ahead": "5"}),)}),
    # One's own password, changed to itself: only one's own sessions may end, nobody else's row change.
    "settings.change_password": Spec(bodies={"POST": (form(lambda t, o, r: {
        "current_password": access_world.PASSWORD, "new_password": access_world.PASSWORD,
        "new_password_again": access_world.PASSWORD}),)}),
    "admin.reset_password": Spec(roles={"POST": ADMINS},
                                 bodies={"POST": (form(lambda t, o, r: {"password": "a long enough password"}),)}),
    # Public (for those who cannot log in). A reset asked for one's own address; anyone may ask for
    # anyone's, which makes a link for its owner's mailbox only (tests/test_password_reset.py).
    "auth.forgot_password": Spec(bodies={"POST": (form(lambda t, o, r: {"email": o.emails[r]}),)}),
    "auth.reset_password": Spec(bodies={"POST": (form(lambda t, o, r: {
        "new_password": "a long enough password", "new_password_again": "a long enough password"}),)}),
    "api.openapi": Spec(),
    "api.boards": Spec(),
    "api.board_days": Spec(bodies={"GET": (query(**{"from": "2025-11-01", "to": "2025-12-31"}),)}),
    "api.schooldays": Spec(bodies={"GET": (query(start="2025-11-13", n="10"),)}),
    "api.add_closure": Spec(roles={"POST": ADMINS}, bodies={"POST": (as_json(lambda t, o, r: CLOSURE),)}),
    "api.add_day": Spec(roles={"POST": ADMINS},
                        bodies={"POST": (as_json(lambda t, o, r: {"first": "2025-12-02", "type": "pa day", "reason": "probe"}),)}),
    "api.reopen": Spec(roles={"POST": ADMINS}, bodies={"POST": (as_json(lambda t, o, r: REOPEN),)}),
    "api.list_grievances": Spec(bodies={"GET": (query(open="all"),)}, shows=True),
    "api.open_grievance": Spec(roles={"POST": OPENERS}, bodies={"POST": (as_json(_api_case),)}),
    "api.show_grievance": Spec(shows=True),
    "api.record_event": Spec(roles={"POST": WRITERS}, bodies={"POST": (as_json(lambda t, o, r: {
        "type": "step1_reply", "occurred_on": "2025-11-20"}),)}),
    "api.void_event": Spec(roles={"POST": WRITERS}, bodies={"POST": (as_json(lambda t, o, r: {
        "reason": "probe"}),)}),
    "api.correct_event": Spec(roles={"POST": WRITERS}, bodies={"POST": (as_json(lambda t, o, r: {
        "occurred_on": "2025-11-14", "reason": "probe"}),)}),
    "api.edit_facts": Spec(roles={"POST": OPENERS}, bodies={"POST": (
        as_json(lambda t, o, r: {"school": _fresh("Probe PS"), "reason": "probe"}),
        as_json(lambda t, o, r: {"officer_id": t.user_ids["officer"], "reason": "probe"}))}),
    "api.assign": Spec(roles={"POST": OPENERS}, bodies={"POST": (
        as_json(lambda t, o, r: {"steward_ids": [t.user_ids["steward"]], "reason": "probe"}),
        as_json(lambda t, o, r: {"steward_ids": [o.user_ids["steward"]], "officer_id": t.user_ids["officer"]}))}),
    "api.add_note": Spec(roles={"POST": WRITERS}, bodies={"POST": (
        as_json(lambda t, o, r: {"text": "probe note"}),
        as_json(lambda t, o, r: {"text": "probe note", "event_id": t.events["assigned"]}))}),
    "api.replay": Spec(bodies={"POST": (as_json(lambda t, o, r: {"kind": "policy", "events": []}),)}),
}


def _endpoints() -> list[str]:
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})  # only its URL map: no database opened
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()})


ENDPOINTS = _endpoints()


def test_every_route_and_parameter_is_in_the_matrix():
    """A route added without an entry here would otherwise go untested."""
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    missing = [rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint not in SPECS]
    unknown = sorted({arg for rule in app.url_map.iter_rules() for arg in rule.arguments} - set(PARAMS))
    stale = sorted(set(SPECS) - {rule.endpoint for rule in app.url_map.iter_rules()})
    assert not missing and not unknown and not stale, (missing, unknown, stale)
    assert len(ENDPOINTS) >= 40


# -- sending and judging -------------------------------------------------------------------------------

def _methods(rule, spec: Spec) -> list[str]:
    return sorted(m for m in rule.methods - {"HEAD", "OPTIONS"} if m not in spec.skip)


def _url(app, rule, values: dict) -> str:
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=None)


def _bodies(spec: Spec, method: str, target: Local, own: Local, role: str) -> list[dict]:
    return [make(target, own, role) for make in spec.bodies.get(method, ())] or [{}]


def _client(app, local: Local, role: str, rule):
    """The role's logged-in client; a throwaway login for what ends the session."""
    if rule.endpoint == "auth.logout":
        return log_in(app, local.emails[role])
    return local.clients[role]


def _send(client, method: str, url: str, body: dict):
    """Writes follow their redirect, so that what the next page flashes is judged too."""
    return client.open(url, method=method, follow_redirects=method != "GET", **body)


def _status(response) -> int:
    return response.history[0].status_code if response.history else response.status_code


def _text(response) -> str:
    parts = [response.get_data(as_text=False).decode("utf-8", "replace"), str(response.headers)]
    parts += [r.get_data(as_text=False).decode("utf-8", "replace") + str(r.headers) for r in response.history]
    return "\n".join(parts)


def _judge(response, what: str, must_refuse: bool, forbidden: list[str]) -> list[str]:
    status, text = _status(response), _text(response)
    problems = []
    if status >= 500 or response.status_code >= 500:  # the request, or the page it redirected to
        problems.append(f"{what}: {status}")
    if status == 400 and ("The form expired" in text or "no valid CSRF token" in text):
        problems.append(f"{what}: refused by the CSRF check, not by authorization")
    if must_refuse and status not in REFUSED:
        problems.append(f"{what}: {status}, not 403/404")
    shown = [m for m in forbidden if m in text]
    if shown:
        problems.append(f"{what}: shows {shown}")
    return problems


def _fillings(rule, target: Local, own: Local, role: str, method: str):
    """(values, must_refuse) for every way of naming at least one of target's objects, the other
    parameters naming the requester's own (B's case with A's event, A's case with B's event …)."""
    names = sorted(rule.arguments)
    owned = [n for n in names if PARAMS[n].owned]
    choices = [c for c in itertools.product((True, False), repeat=len(owned)) if any(c)] if owned else [()]
    for choice in choices:
        foreign = dict(zip(owned, choice))
        per_name = [PARAMS[n].values(target if foreign.get(n) else own, role, foreign.get(n, False)) for n in names]
        refuse = any(foreign.get(n) and (PARAMS[n].hides or (PARAMS[n].hides_writes and method != "GET"))
                     for n in names)
        for combination in itertools.product(*per_name):
            yield dict(zip(names, combination)), refuse


def _fields(body: dict) -> list[str]:
    """The names a request sends, for failure messages."""
    return sorted(body.get("data") or body.get("json") or body.get("query_string") or {})


def _rules(app, endpoint: str):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]


def _diff(before: dict, after: dict) -> str:
    changed = {name: (sorted(before.get(name, set()) - after.get(name, set())),
                      sorted(after.get(name, set()) - before.get(name, set())))
               for name in set(before) | set(after) if before.get(name) != after.get(name)}
    return "; ".join(f"{name}: gone {gone[:2]}, new {new[:2]}" for name, (gone, new) in changed.items())


# -- across locals ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_no_user_of_another_local_reads_or_changes_a_locals_data(world, endpoint):
    app, a, b, spec = world.app, world.A, world.B, SPECS[endpoint]
    failures: list[str] = []
    for rule in _rules(app, endpoint):
        for method in _methods(rule, spec):
            before = owned_rows(app, a)
            for role in ROLES:
                failures += _across(app, rule, method, role, a, b, spec)
            after = owned_rows(app, a)
            if after != before:
                failures.append(f"{method} {rule.rule}: A's rows changed: {_diff(before, after)}")
    assert not failures, "\n".join(failures)


def _across(app, rule, method: str, role: str, a: Local, b: Local, spec: Spec) -> list[str]:
    problems = []
    for values, must_refuse in _fillings(rule, a, b, role, method):
        url = _url(app, rule, values)
        for body in _bodies(spec, method, a, b, role):
            before = owned_rows(app, a) if method != "GET" else None
            response = _send(_client(app, b, role, rule), method, url, body)
            what = f"B's {role}: {method} {url} {_fields(body)}"
            # What the request itself sends (a search for A's case number) may be echoed back; the rest may not.
            echoed = [m for m in a.markers if m in repr(body)]
            problems += _judge(response, what, must_refuse, [m for m in a.markers if m not in echoed])
            if before is not None and owned_rows(app, a) != before:
                problems.append(f"{what}: changed A's rows: {_diff(before, owned_rows(app, a))}")
    return problems


# -- within a local ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_within_a_local_each_role_gets_only_what_it_may(world, endpoint):
    """B's own objects: a role the endpoint is not for gets 403 and changes nothing; a role it is for
    reads it (200, and its own cases' data where the page shows them: the positive control that makes
    'A's data is absent' above mean something); a steward gets 404 for a case not assigned to them."""
    app, b, spec = world.app, world.B, SPECS[endpoint]
    failures: list[str] = []
    for rule in _rules(app, endpoint):
        for method in _methods(rule, spec):
            for role in ROLES:
                failures += _within(app, rule, method, role, b, spec)
            if {"grievance_id", "document_id"} & rule.arguments:
                failures += _unassigned(app, rule, method, b, spec)
    assert not failures, "\n".join(failures)


def _own_values(rule, local: Local, role: str) -> dict:
    return {name: PARAMS[name].values(local, role, False)[0] for name in rule.arguments}


def _within(app, rule, method: str, role: str, b: Local, spec: Spec) -> list[str]:
    allowed = role in spec.roles.get(method, EVERYONE)
    if method != "GET" and allowed:
        return []  # an allowed write would change the shared data; its refusals are what is tested here
    url = _url(app, rule, _own_values(rule, b, role))
    problems = []
    for body in _bodies(spec, method, b, b, role):
        before = all_rows(app) if not allowed else None
        response = _send(_client(app, b, role, rule), method, url, body)
        what = f"B's {role}: {method} {url}"
        if not allowed:
            problems += [f"{what}: {_status(response)}, not 403"] if _status(response) != 403 else []
            problems += [f"{what}: changed rows: {_diff(before, all_rows(app))}"] if all_rows(app) != before else []
        elif _status(response) != 200:
            problems.append(f"{what}: {_status(response)}, not 200")
        elif spec.shows and not _shows_own(response, b):
            problems.append(f"{what}: shows none of B's own cases")
    return problems


def _shows_own(response, local: Local) -> bool:
    text = _text(response)
    return any(marker in text for marker in local.case_markers)


def _unassigned(app, rule, method: str, b: Local, spec: Spec) -> list[str]:
    values = _own_values(rule, b, "steward")
    values.update({"grievance_id": b.cases["unassigned"], "document_id": b.documents["unassigned"],
                   "event_id": b.events["unassigned"]})
    url = _url(app, rule, {name: values[name] for name in rule.arguments})
    problems = []
    for body in _bodies(spec, method, b, b, "steward"):
        before = all_rows(app)
        response = _send(b.clients["steward"], method, url, body)
        what = f"B's steward, unassigned case: {method} {url}"
        if _status(response) not in REFUSED:
            problems.append(f"{what}: {_status(response)}, not 403/404")
        others = [m for m in (b.numbers["unassigned"], b.document_bytes["unassigned"].decode()) if m in _text(response)]
        problems += [f"{what}: shows {others}"] if others else []
        problems += [f"{what}: changed rows: {_diff(before, all_rows(app))}"] if all_rows(app) != before else []
    return problems


# -- board calendars: whose they are ------------------------------------------------------------------

PREVIEW = {"action": "preview", "type": "closure", "first": "2025-12-03", "kind": "weather", "reason": "probe"}


def test_only_an_admin_of_a_local_on_the_board_may_change_its_calendar(world):
    """alpha-board has only A's cases: B's admin may read it but not change (or even preview a change to)
    it. The deployment's board belongs to every local (the web opens every case on it)."""
    a, b = world.A, world.B
    expected = [(a.clients["admin"], "alpha-board", 200), (b.clients["admin"], "alpha-board", 403),
                (b.clients["admin"], access_world.SHARED_BOARD, 200),
                (a.clients["admin"], access_world.SHARED_BOARD, 200),
                (a.clients["officer"], "alpha-board", 403)]
    for client, board, status in expected:
        assert client.post(f"/calendar/{board}/2025-26", data=PREVIEW).status_code == status, (board, status)
    add_form = 'name="action" value="add"'
    assert add_form not in b.clients["admin"].get("/calendar/alpha-board/2025-26").get_data(as_text=True)
    assert add_form in b.clients["admin"].get(f"/calendar/{access_world.SHARED_BOARD}/2025-26").get_data(as_text=True)
    closure = {"first": "2025-12-04", "kind": "weather", "reason": "probe"}
    assert b.clients["admin"].post("/api/boards/alpha-board/closures", json=closure).status_code == 403
    assert a.clients["admin"].post("/api/boards/alpha-board/closures", json=closure).status_code == 201


def test_a_local_cannot_make_another_locals_board_its_own_by_opening_a_case_on_it(world):
    before = owned_rows(world.app, world.A)
    response = world.B.clients["officer"].post("/api/grievances", json=_api_case(world.A, world.B, "officer"))
    assert response.status_code == 400 and response.get_json()["field"] == "board"
    assert owned_rows(world.app, world.A) == before


# -- regressions: what the matrix found --------------------------------------------------------------

def test_an_import_does_not_fetch_another_locals_document_by_its_checksum(world):
    """The import attached any file the store held: a hand-made case file naming A's document's
    SHA-256 made A's bytes downloadable from a B case."""
    before = owned_rows(world.app, world.A)
    response = world.B.clients["officer"].post("/cases/import", follow_redirects=True,
                                               **_import(world.A, world.B, "officer"))
    assert response.history and response.history[0].status_code == 302  # the case itself is imported
    assert "not attached: probe.txt" in response.get_data(as_text=True)
    assert owned_rows(world.app, world.A) == before


def test_a_new_cases_officer_is_one_of_the_locals_officers(world):
    """The form's officer_id was taken as given: A's officer on a B case, A's name on B's dashboard."""
    response = world.B.clients["officer"].post("/cases/new", data=_case_form(world.A, world.B, "officer"))
    assert response.status_code == 400 and "is not one of your local" in response.get_data(as_text=True)


# -- feeds ------------------------------------------------------------------------------------------------

def _feed_numbers(app, secret: str, world: World) -> set[str] | None:
    """The case numbers a feed link shows (no login: the link is the credential); None when refused."""
    response = app.test_client().get(f"/feeds/{secret}.ics")
    if response.status_code == 404:
        assert not _feed_leaks(response.get_data(as_text=True), world)
        return None
    assert response.status_code == 200, response.status_code
    text = response.get_data(as_text=True)
    return {n for local in (world.A, world.B) for n in local.numbers.values() if n in text}


def _feed_leaks(text: str, world: World) -> list[str]:
    return [m for local in (world.A, world.B) for m in local.case_markers if m in text]


def test_each_feed_link_shows_exactly_the_cases_its_user_may_see(world):
    for local in (world.A, world.B):
        for role in ROLES:
            expected = {local.numbers["assigned"]} if role == "steward" else set(local.numbers.values())
            assert _feed_numbers(world.app, local.feeds[role], world) == expected, (local.key, role)
    for secret in world.A.dead_feeds:  # revoked, and of a deactivated user
        assert _feed_numbers(world.app, secret, world) is None


def _new_link(client) -> tuple[str, int]:
    import re

    page = client.post("/feeds", data={"action": "create"}).get_data(as_text=True)
    secret = re.search(r"/feeds/([A-Za-z0-9_-]{43})\.ics", page).group(1)
    listing = client.get("/feeds").get_data(as_text=True)
    return secret, max(int(i) for i in re.findall(r'name="feed_id" value="(\d+)"', listing))


def test_a_revoked_link_stops_working_at_once(world):
    for local in (world.A, world.B):
        client = local.clients["officer"]
        secret, feed_id = _new_link(client)
        assert _feed_numbers(world.app, secret, world) == set(local.numbers.values())
        assert client.post("/feeds", data={"action": "revoke", "feed_id": str(feed_id)}).status_code == 302
        assert _feed_numbers(world.app, secret, world) is None


def test_a_link_follows_its_users_role_and_dies_with_the_account(world):
    """No route changes a role (an operator does, in the database); the link must show what the user
    may see now, not what they could see when it was made. Deactivating through the app and the command
    line: test_account_deactivation.py."""
    app, a = world.app, world.A
    with app.extensions["database"].transaction() as session:
        from operations import accounts
        from operations import feeds as feed_operations

        user = accounts.create_user(session, local=a.slug, email="turncoat@alpha-local.example.org",
                                    name="Turncoat", password="a long enough password", role="officer")
        user_id, secret = user.id, feed_operations.create_feed(session, user).secret
    assert _feed_numbers(app, secret, world) == set(a.numbers.values())
    _change_user(app, user_id, role="steward")
    assert _feed_numbers(app, secret, world) == set()  # a steward with no case assigned
    _change_user(app, user_id, role="viewer")
    assert _feed_numbers(app, secret, world) == set(a.numbers.values())
    _change_user(app, user_id, is_active=False)
    assert _feed_numbers(app, secret, world) is None


def _change_user(app, user_id: int, **values) -> None:
    from models import User

    with app.extensions["database"].transaction() as session:
        user = session.get(User, user_id)
        for name, value in values.items():
            setattr(user, name, value)
