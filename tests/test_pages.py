"""The school-day calculator page, on the shipped AMDSB calendars."""


def test_the_page_lists_the_loaded_years_and_says_they_are_unverified(officer):
    page = officer.get("/calculator").get_data(as_text=True)
    assert "2024-25: 2024-09-03 to 2025-06-27" in page
    assert page.count("<strong>Not verified.</strong>") == 3


def test_a_count_shows_the_result_and_every_day(officer):
    # From Wed 2024-12-18, ten school days skip the winter break: Wed 2025-01-15.
    response = officer.get("/calculator?start=2024-12-18&n=10&unit=school-days")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<time datetime="2025-01-15">Wed 15 Jan 2025</time>' in page
    # Dec 19 to Jan 15 is 28 days: 10 counted, 18 skipped (Dec 21 to Jan 5, and Jan 11-12).
    assert page.count('class="skipped"') == 18 and page.count('class="counted"') == 10


def test_a_bad_date_comes_back_with_the_message_beside_the_field(officer):
    response = officer.get("/calculator?start=2024-02-30&n=10")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "&#39;2024-02-30&#39; is not a date." in page and 'aria-invalid="true"' in page


def test_a_count_into_a_missing_year_names_it(officer):
    response = officer.get("/calculator?start=2027-06-20&n=10")
    assert response.status_code == 400 and "2027-28 school-year calendar" in response.get_data(as_text=True)


def test_the_stylesheet_every_page_links_is_served(officer):
    page = officer.get("/calculator").get_data(as_text=True)
    assert 'href="/static/site.css"' in page
    response = officer.get("/static/site.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
