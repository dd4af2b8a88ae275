"""Error pages in the site's own layout: every HTTP error a page can meet (400, 403, 404, 405, 413, 429,
500, 503) answers with the site's page, its navigation, a title and what to do, never Flask's bare
"Not Found"; under /api/ errors stay JSON. Through Flask's test client."""
from __future__ import annotations

import pytest
from flask import abort

from conftest import PASSWORD, log_in, make_user

BARE = ("The requested URL was not found on the server", "<title>404 Not Found</title>", "Internal Server Error</h1>")


def in_the_sites_layout(page: str, title: str) -> bool:
    """The page has the site's stylesheet, its navigation and the error's own title as its heading."""
    return "/static/site.css" in page and '<nav aria-label="Main">' in page and f"<h1>{title}</h1>" in page \
        and not any(bare in page for bare in BARE)


@pytest.fixture
def raising(app):
    """A route that raises what it is told (abort(code), or a crash for 'crash'), added before the first
    request; and a logged-in officer. Exceptions become answers, as in production."""
    def fail(what: str):
        if what == "crash":
            raise RuntimeError("a bug")
        abort(int(what))

    app.add_url_rule("/test-raise/<what>", "test_raise", fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    make_user(app, "officer@example.org", "officer")
    return log_in(app, "officer@example.org")


@pytest.mark.parametrize("what, status, title", [
    ("400", 400, "The request could not be read"),
    ("403", 403, "Not allowed"),
    ("404", 404, "Not found"),
    ("429", 429, "Too many tries"),
    ("crash", 500, "Something went wrong"),
    ("503", 503, "Not available just now"),
])
def test_an_error_is_a_page_of_the_site_with_its_navigation(raising, what, status, title):
    response = raising.get(f"/test-raise/{what}")
    assert response.status_code == status and response.mimetype == "text/html"
    assert in_the_sites_layout(response.get_data(as_text=True), title)


@pytest.mark.parametrize("url", ["/cases/99999", "/calendar/amdsb-elementary/2031-32", "/no-such-page",
                                 "/cases/9223372036854775808"])
def test_what_does_not_exist_is_a_404_page_of_the_site(officer, url):
    response = officer.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and in_the_sites_layout(page, "Not found")
    assert 'href="/dashboard">Back to the dashboard</a>' in page


def test_a_role_that_may_not_gets_a_403_page_saying_why(app):
    make_user(app, "viewer@example.org", "viewer")
    response = log_in(app, "viewer@example.org", PASSWORD).get("/cases/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 403 and in_the_sites_layout(page, "Not allowed")
    assert "Your role does not allow this." in page


def test_a_get_on_a_form_only_address_is_a_405_page_that_names_the_allowed_method(officer):
    response = officer.get("/cases/1/events/1/void")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
    assert in_the_sites_layout(response.get_data(as_text=True), "Not at this address")


def test_a_logged_out_visitor_gets_the_page_with_a_way_to_log_in(app):
    response = app.test_client().get("/static/no-such-file.css")  # public: no login asked first
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and "<h1>Not found</h1>" in page and 'href="/login">Log in</a>' in page
    assert '<nav aria-label="Main">' not in page  # nothing of the site's inside to offer


@pytest.mark.parametrize("url", ["/api/grievances/99999", "/api/no-such-thing"])
def test_an_api_error_stays_json(officer, url):
    response = officer.get(url)
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert set(response.get_json()) >= {"error", "field", "fix"}
