"""How long each free-text field may be, checked before anything is stored.

Columns such as a grievance's number or school are VARCHAR(n): PostgreSQL
refuses a longer value with an error that reached users as a 500 (SQLite keeps
it silently). TEXT columns have no limit in the database, but a 1 MB member name
would be shown on every list and in every digest: it is refused too, naming the
field and the limit, like any other mistake in a form or a JSON body.
"""
from __future__ import annotations

from gate.fields import LIMITS  # one definition per field: the gate's
from school_calendar.errors import UserError


def check_length(field: str, value, *, limit_of: str | None = None) -> None:
    """UserError naming `field` when the text `value` is longer than its limit
    (LIMITS[limit_of or field]); values that are not text are left to other checks."""
    limit = LIMITS[limit_of or field]
    if isinstance(value, str) and len(value) > limit:
        raise UserError(f"'{field}' is longer than {limit} characters ({len(value)}).", field=field,
                        fix=f"Shorten it to {limit} characters or fewer.")


def check_lengths(**fields) -> None:
    for field, value in fields.items():
        check_length(field, value)
