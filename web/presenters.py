"""Words the pages share. How a deadline's status reads is decided once, in
operations/deadline_status.py; the templates reach it as:

    {{ day|day }}                         Fri 28 Nov 2025
    {% set s = deadline_status(d, calendar, today) %}   an engine deadline's DeadlineStatus
    FLAG_WORDS, PARTY_WORDS               the words for a flag code and a party
"""
from __future__ import annotations

from flask import Flask

from operations.deadline_status import (FLAG_ORDER, FLAG_WORDS, PARTY_WORDS, deadline_status, flag_codes_in_order,
                                        long_date)

__all__ = ["FLAG_ORDER", "FLAG_WORDS", "PARTY_WORDS", "long_date", "init_app"]


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(FLAG_WORDS=FLAG_WORDS, PARTY_WORDS=PARTY_WORDS, deadline_status=deadline_status)
    app.jinja_env.filters["day"] = long_date
    app.jinja_env.filters["flags_in_order"] = flag_codes_in_order
