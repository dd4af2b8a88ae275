"""No copy kept: every answer carrying personal data says `Cache-Control: no-store`
(web/security_headers.py), so no browser cache, shared computer or proxy keeps a
case page, a CSV, a document or an API answer. The rule is the simplest right
one: every answer but the static files and the empty login page.

The issue's example of the kind: case pages, CSV and API answers carried no
Cache-Control at all. Every GET route of the URL map is read here as a logged-in
administrator, with the objects of tests/access_world.py (as
tests/test_access_matrix.py walks them), so a new route is covered the day it
is added.
"""
from __future__ import annotations

from conftest import log_in
from test_access_matrix import PARAMS, SPECS, _client, _url, world  # noqa: F401 (world: a fixture)

CACHEABLE = {"static", "auth.login"}


def _get_routes(app):
    return [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods]


def test_every_get_route_answers_no_store_but_the_static_files_and_the_login_page(world):
    app, local = world.app, world.B
    failures, seen = [], set()
    for rule in _get_routes(app):
        values = {name: PARAMS[name].values(local, "admin", False)[0] for name in rule.arguments}
        url = _url(app, rule, values)
        for make in SPECS[rule.endpoint].bodies.get("GET", ()) or (lambda target, own, role: {},):
            response = _client(app, local, "admin", rule).get(url, **make(local, local, "admin"))
            cache = response.headers.get("Cache-Control", "")
            seen.add(rule.endpoint)
            if rule.endpoint in CACHEABLE:
                if "no-store" in cache:
                    failures.append(f"{url}: {cache!r} (its own caching is kept)")
            elif "no-store" not in cache:
                failures.append(f"{url} ({response.status_code}): Cache-Control {cache!r}")
    assert not failures, "\n".join(failures)
    assert {"cases.show_case", "cases.download", "exports.dashboard_csv", "exports.feed", "api.show_grievance",
            "reports.csv", "static"} <= seen  # the positive control: the routes the issue names were read


def test_the_static_files_keep_their_caching_and_the_login_page_is_stored_only_while_empty(world):
    anonymous = world.app.test_client()
    stylesheet = anonymous.get("/static/site.css")
    assert stylesheet.status_code == 200 and stylesheet.headers.get("ETag")
    assert "no-store" not in stylesheet.headers.get("Cache-Control", "")
    login = anonymous.get("/login")
    assert login.status_code == 200 and "no-store" not in login.headers.get("Cache-Control", "")
    # The login page that comes back after a failure repeats the address typed: not kept.
    with anonymous.session_transaction() as session:
        token = session["csrf"]
    refused = anonymous.post("/login", data={"email": world.B.emails["officer"], "password": "wrong password!",
                                             "csrf_token": token})
    assert refused.status_code in (400, 401, 429) and "no-store" in refused.headers["Cache-Control"]


def test_writes_errors_and_redirects_answer_no_store_too(world):
    client = log_in(world.app, world.B.emails["admin"])
    created = client.post("/api/grievances", json={
        "number": "CACHE-1", "kind": "policy", "first_event_on": "2025-11-17", "members": ["Cache Member"],
        "clauses": "12.06", "description": "d", "remedy": "r"})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    missing = client.get("/cases/2147483647")
    assert missing.status_code == 404 and missing.headers["Cache-Control"] == "no-store"
    sent_to_login = world.app.test_client().get("/dashboard")
    assert sent_to_login.status_code == 302 and sent_to_login.headers["Cache-Control"] == "no-store"
