"""The web layer: server-rendered pages and the JSON API. Each module registers
its own blueprint; views stay thin and call operations."""
from flask import Flask


def init_app(app: Flask) -> None:
    from . import (admin, api, auth, calendars, case_file, cases, dashboard, errors, exports, pages, presenters,
                   query_args, reports, security_headers, settings, unavailable)

    presenters.init_app(app)
    errors.init_app(app)            # JSON errors under /api/, the 413 page
    unavailable.init_app(app)       # the database out of reach: a 503 in words, never a 500
    security_headers.init_app(app)  # CSP, nosniff, no framing
    auth.init_app(app)
    query_args.init_app(app)        # after the login check: every route's query arguments, or a 400 naming one
    for module in (dashboard, cases, case_file, calendars, reports, admin, api, pages, exports, settings):
        module.init_app(app)
