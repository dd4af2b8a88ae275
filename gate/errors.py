"""pydantic's findings in a person's words: one Problem per field, all at once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from school_calendar.errors import UserError

from .fields import FIXES, IsoDate, label

_DATE = TypeAdapter(IsoDate)

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One field at fault: its name as the input spells it ("events[3].occurred_on"), what is
    wrong in a person's words, and the fix."""

    field: str
    message: str
    fix: str
    subject: str | None = None  # the words for the field when they are not its label (a file's name)

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message, "fix": self.fix}


class InputError(UserError):
    """Input that no operation may see: every problem found, the first as the error's field."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = problems[0]
        words = f"{first.subject or _label_of(first.field)} {first.message}"
        more = f" (and {len(problems) - 1} more problem{'s' * (len(problems) > 2)})" if len(problems) > 1 else ""
        super().__init__(words + more, field=first.field, fix=first.fix)

    def as_dict(self) -> dict:
        return {**super().as_dict(), "problems": [{**p.as_dict(), "label": _label_of(p.field)} for p in self.problems]}

    def for_field(self, field: str) -> Problem | None:
        return next((p for p in self.problems if p.field == field), None)


def read(model: type[Model], data: Any, *, context: dict | None = None) -> Model:
    """`data` (a dict from JSON or a form) as `model`, or InputError naming every field at fault."""
    if not isinstance(data, dict):
        raise InputError([Problem("body", "is not an object.", "Send a JSON object: {\"field\": value, …}.")])
    try:
        return model.model_validate(data, context=context)
    except ValidationError as error:
        raise InputError([_problem(e) for e in error.errors(include_url=False)]) from None


def read_date(value: Any, field: str) -> date:
    """One date (a query argument, a CLI option) as IsoDate reads it: YYYY-MM-DD, 1990 to 2100."""
    try:
        return _DATE.validate_python(value)
    except ValidationError as error:
        raise InputError([_problem({**e, "loc": (field,)}) for e in error.errors(include_url=False)]) from None


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def _label_of(field: str) -> str:
    last = field.rsplit(".", 1)[-1].split("[", 1)[0]
    return label(last) if last == field.split("[", 1)[0] else f"{label(last)} ({field})"


def _problem(error: dict) -> Problem:
    field, kind, context = _path(error["loc"]), error["type"], error.get("ctx") or {}
    given = error.get("input")
    name = field.rsplit(".", 1)[-1]
    if kind in ("missing", "string_too_short"):
        return Problem(field, "is required.", FIXES.get(name, f"Give {label(name)}."))
    if kind == "extra_forbidden":
        fix = ("Leave it out: the tracker records the logged-in user (or the CLI's --by)."
               if name in ("recorded_by", "by", "local") else "Leave it out; see /api/openapi.json for the fields.")
        return Problem(field, "is not a field of this request.", fix)
    if kind == "string_too_long":
        limit = context.get("max_length")
        return Problem(field, f"is longer than {limit} characters ({len(given)}).",
                       f"Shorten it to {limit} characters or fewer.")
    if kind == "too_long":
        return Problem(field, f"has more than {context.get('max_length')} items.",
                       f"Give at most {context.get('max_length')}.")
    if kind == "too_short":
        return Problem(field, "is empty.", f"Give at least {context.get('min_length')}.")
    if kind in ("string_type", "int_type", "list_type", "dict_type", "bool_type", "model_type", "date_type"):
        wanted = {"string_type": "text", "int_type": "a whole number", "list_type": "a list", "dict_type": "an object",
                  "bool_type": "true or false", "model_type": "an object", "date_type": "a date"}[kind]
        return Problem(field, f"is not {wanted}.", f"Give {label(name)} as {wanted}.")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return Problem(field, f"is out of range ({error['msg'].lower()}).", "Give a number in range.")
    if kind in ("literal_error", "enum"):
        return Problem(field, f"'{str(given)[:40]}' is not one of the choices ({context.get('expected')}).",
                       f"Use one of: {context.get('expected')}.")
    if kind == "string_pattern_mismatch":
        return Problem(field, f"'{str(given)[:40]}' is not a name the tracker knows.",
                       "Use lower-case letters, digits and hyphens, as the tracker lists them.")
    if kind == "value_error":
        message = str(context.get("error") or error["msg"]).rstrip(".")
        what, _, fix = message.partition(": ")
        return Problem(field, f"{what}.", f"{fix[0].upper()}{fix[1:]}." if fix else f"Correct {label(name)}.")
    return Problem(field, f"is not valid ({error['msg']}).", f"Correct {label(name)}.")
