"""End-to-end fixtures: the app served on loopback by a werkzeug server in a
background thread, and Debian's Chromium driven by Playwright.

Each test gets its own app (the `app` fixture: once on SQLite, once on
PostgreSQL), its own server and its own browser, all stopped after it. The
browser is /usr/bin/chromium (scripts/ensure-chromium installs it); Playwright
never downloads one. Today is pinned to Thu 2025-11-20.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TODAY = "2025-11-20"
TIMEOUT_MS = 10_000  # a step that takes longer than this is broken, not slow


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: end-to-end, in headless Chromium against the served app")


@pytest.fixture
def live_server(app):
    """The app served on 127.0.0.1 (a free port); yields its base URL."""
    app.config.update(TODAY=TODAY, SESSION_COOKIE_SECURE=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def browser():
    """A fresh headless Chromium for one test, closed after it."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the test extras)")
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}: run scripts/ensure-chromium (scripts/test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser):
    """Opens a page in its own browser context (own cookies); new_page(width=390, height=844) for a phone."""
    contexts = []

    def open_page(width: int = 1280, height: int = 900, **options):
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def log_in():
    """log_in(page, base_url, email, password): through the login form, as a person would."""
    def log_in_through_the_form(page, base_url: str, email: str, password: str) -> None:
        from playwright.sync_api import expect

        page.goto(f"{base_url}/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()

    return log_in_through_the_form
