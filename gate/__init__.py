"""The gate: raw input from any door turned into validated values, or one error
naming every field at fault in a person's words (../shared/ARCHITECTURE.md).

    from gate import read, read_json
    values = read(NewCaseInput, request_body, context={"boards": …, "default_board": …})
    body = read_json(raw_bytes)          # JSON no deeper than MAX_DEPTH, checked before parsing

Raises InputError (a UserError: 400 on the web and API, a message and exit 1 on
the CLI) with .problems, one per field.
"""
from __future__ import annotations

from .errors import InputError, read, read_date
from .json_input import MAX_DEPTH, read_json

__all__ = ["InputError", "read", "read_date", "read_json", "MAX_DEPTH"]
