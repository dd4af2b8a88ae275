"""JSON read with its nesting bounded before it is parsed.

Python's json module recurses once per level: 50,000 nested arrays raise
RecursionError (a 500) after a deep descent. No input of the tracker nests
deeper than a few levels, so a document deeper than MAX_DEPTH is refused by a
linear scan of its brackets (outside strings) before json.loads sees it.
"""
from __future__ import annotations

import json
import re
from typing import Any

from .errors import InputError, Problem

MAX_DEPTH = 32


def read_json(raw: bytes | str, *, source: str = "body", file: str | None = None) -> Any:
    """The parsed JSON of `raw`; InputError (field `source`) for bytes that are not UTF-8 JSON
    or that nest deeper than MAX_DEPTH. `file` names a file read from disk, for the message."""
    subject = f"The file {file}" if file else None
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise InputError([Problem(source, "is not UTF-8 text.", "Send JSON encoded as UTF-8.", subject)]) from None
    if (depth := nesting(text)) > MAX_DEPTH:
        raise InputError([Problem(source, f"nests {depth} levels deep; at most {MAX_DEPTH} are read.",
                                  "Send the case as the tracker exports it.", subject)])
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise InputError([Problem(source, f"is not JSON ({str(error)[:120]}).",
                                  "Send a JSON object (Content-Type: application/json).", subject)]) from None


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)  # one alternative per character: linear


def nesting(text: str) -> int:
    """The deepest nesting of [ and { outside strings: strings cut out (linear), then only
    the brackets walked."""
    depth = deepest = 0
    for char in re.sub(r"[^\[\]{}]+", "", _STRING.sub("", text)):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest
