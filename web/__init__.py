"""The web layer: server-rendered pages and the JSON API. Each module registers
its own blueprint; views stay thin and call operations."""
from flask import Flask


def init_app(app: Flask) -> None:
    from . import admin, api, auth, calendars, cases, dashboard, exports, pages, presenters, reports, settings

    presenters.init_app(app)
    auth.init_app(app)
    for module in (dashboard, cases, calendars, reports, admin, api, pages, exports, settings):
        module.init_app(app)
