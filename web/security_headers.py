"""Headers that make injected markup inert even if a template ever failed to
escape it: a Content-Security-Policy that runs no inline script and loads
nothing from another site (the pages use one stylesheet and no script), no
MIME sniffing (an uploaded .txt is never run as HTML), no framing, and no
Referer leaking a case's URL elsewhere.

And no copy kept: every answer but the static files and the login page carries
`Cache-Control: no-store`, so that no browser cache, shared computer's disk or
proxy keeps a case page, a CSV, a document or an API answer (members' names,
what happened to them). One rule for every route, the new ones included,
rather than a header per view that a new view would forget."""
from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
# The stylesheet keeps Flask's own caching (revalidated by its ETag); the empty login form holds no one's data.
CACHEABLE = {"static", "auth.login"}


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if not (request.endpoint in CACHEABLE and request.method in ("GET", "HEAD")) \
            and "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "no-store"
    return response
