"""Query-string arguments: every route declares the arguments it reads
(web/query_args.py), and a value it cannot use is a 400 that names the argument
in a person's words, never a 500 from deep inside. The kind, from the issue:
/dashboard?page= or ?officer= with 20 digits (more than an id column holds),
/reports?year=9999-00 (a school year ending in the year 10000). Its other
members, found here: '²' (str.isdigit() says yes, int() says no) on the
dashboard, the upcoming weeks, the calculator and the API's limit and n; a NUL
byte, which PostgreSQL refuses in any text (every text filter, the API's flag,
the calculator's board, and a board named in the path).
"""
from __future__ import annotations

import pytest

from test_exports import open_filed_case
from web.query_args import ARGUMENTS

TWENTY_DIGITS = "9" * 20
HOSTILE = (TWENTY_DIGITS, "²", "-1", "0", "a\x00b", "x" * 5000, "9999-00", "9999-12-31", "0001-01-01", "2025-02-30",
           "../../etc/passwd", "%")


@pytest.fixture
def case(app, officer) -> int:
    return open_filed_case(app)


def _endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()}


def test_every_route_declares_the_query_arguments_it_reads(app):
    """A new route fails here until web/query_args.py says what it takes ({} for nothing)."""
    endpoints = _endpoints(app)
    assert sorted(endpoints - set(ARGUMENTS)) == [] and sorted(set(ARGUMENTS) - endpoints) == []


# What a request to each route needs besides the argument under test (a period, a start date).
BASELINE = {
    "api.board_days": {"from": "2025-11-01", "to": "2025-11-30"},
    "api.schooldays": {"start": "2025-11-13", "n": "10"},
    "pages.calculator": {"start": "2025-11-13"},
}


def _url(app, endpoint: str, case_id: int) -> str:
    values = {"grievance_id": case_id, "table": "articles", "slug": "amdsb-elementary", "board": "amdsb-elementary",
              "label": "2025-26"}
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    return app.url_map.bind("localhost").build(endpoint, {k: v for k, v in values.items() if k in rule.arguments})


@pytest.mark.parametrize("endpoint", sorted(name for name, declared in ARGUMENTS.items() if declared))
def test_unusable_query_arguments_get_a_400_naming_the_argument_never_a_500(app, officer, case, endpoint):
    failures = []
    for name, argument in ARGUMENTS[endpoint].items():
        for value in HOSTILE:
            try:
                argument.parse(value)
                usable = True
            except ValueError:
                usable = False
            response = officer.get(_url(app, endpoint, case), query_string={**BASELINE.get(endpoint, {}), name: value})
            text = response.get_data().decode("utf-8", "replace")  # a usable value may answer with a PDF
            what = f"{endpoint} ?{name}={value[:30]!r}: {response.status_code}"
            if response.status_code >= 500:
                failures.append(what)
            elif not usable and (response.status_code != 400 or argument.label not in text):
                failures.append(f"{what}, not a 400 naming '{argument.label}'")
    assert not failures, "\n".join(failures)


def test_twenty_digits_for_the_dashboards_page_or_officer_is_a_400_naming_it(officer, case):
    for name, label in (("page", "Page"), ("officer", "Officer")):
        response = officer.get(f"/dashboard?{name}={TWENTY_DIGITS}")
        text = response.get_data(as_text=True)
        assert response.status_code == 400 and f"{label}: &#39;{TWENTY_DIGITS}&#39; is not between" in text
    assert officer.get(f"/dashboard.csv?officer={TWENTY_DIGITS}").status_code == 400
    # What fits still filters: the largest id an officer can have finds nobody's cases, page 1 finds this one.
    assert "2025-010" not in officer.get("/dashboard?officer=2147483647").get_data(as_text=True)
    assert "2025-010" in officer.get("/dashboard?page=1&q=2025-010").get_data(as_text=True)


def test_a_digit_that_is_not_ascii_is_a_400_not_a_500(officer):
    for url in ("/dashboard?page=²", "/dashboard?officer=²", "/upcoming?weeks=²",
                "/calculator?start=2025-11-13&n=²"):
        response = officer.get(url)
        assert response.status_code == 400 and "is not a whole number" in response.get_data(as_text=True), url
    response = officer.get("/api/grievances?limit=²")
    assert response.status_code == 400 and response.get_json()["field"] == "limit"
    assert officer.get("/upcoming?weeks=12").status_code == 200
    assert officer.get("/api/grievances?limit=500&open=all").status_code == 200


def test_a_school_year_beyond_the_calendar_is_a_400_beside_the_year_field(officer):
    response = officer.get("/reports?year=9999-00")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="year-error"' in html and "School year: &#39;9999-00&#39; is outside the school years" in html
    csv = officer.get("/reports/articles.csv?year=9999-00")
    assert csv.status_code == 400 and csv.mimetype == "text/plain" and "9999-00" in csv.get_data(as_text=True)


def test_a_nul_byte_in_any_text_argument_is_a_400_on_every_database(officer):
    """PostgreSQL refuses a NUL in text with an error: each was a 500 there before."""
    for url, label in (("/dashboard?q=a%00b", "Search"), ("/dashboard?school=%00", "School"),
                       ("/dashboard?stage=%00", "Step"), ("/dashboard.csv?q=%00", "Search"),
                       ("/calculator?board=%00&start=2025-11-13", "Board")):
        response = officer.get(url)
        assert response.status_code == 400 and f"{label}: holds a control character." in response.get_data(as_text=True)
    response = officer.get("/api/grievances?flag=%00")
    assert response.status_code == 400 and response.get_json()["field"] == "flag"


def test_a_nul_byte_in_a_path_value_finds_nothing(officer):
    for url in ("/calendar/%00/2025-26", "/api/boards/%00/days?from=2025-11-01&to=2025-11-30"):
        assert officer.get(url).status_code == 404, url


def test_a_form_page_shows_the_message_beside_its_field(officer):
    response = officer.get("/calculator?start=2025-11-13&n=" + TWENTY_DIGITS)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and f"Number of days: &#39;{TWENTY_DIGITS}&#39; is not between 0 and" in html
    assert f'value="{TWENTY_DIGITS}"' in html and 'aria-invalid="true" aria-describedby="error"' in html
