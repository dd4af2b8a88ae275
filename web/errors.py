"""What a person sees when something is refused or fails.

- HTTP errors raised outside a view's own handling (a URL no route matches, an id too large for
  the database, a role that may not, a request over MAX_CONTENT_LENGTH, a crash): a page in the
  site's own layout, with its navigation, saying what happened and what to do (400, 403, 404,
  405, 413, 429, 500, 503). Under /api/ they answer JSON naming the field and the fix, like every
  other API error: an HTML page there would break the API's clients.
- A refused form: FormErrors lays out every problem of a UserError (the gate's InputError carries
  one per field) beside its field, named by the field's label, with the fix. The templates render
  it with the macros of templates/_form.html.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from gate import InputError
from gate.fields import LABELS, label
from school_calendar.errors import UserError

LARGEST_ID = 2**31 - 1  # ids are INTEGER columns: 32 bits on PostgreSQL

# code: (title, what happened, what to do). An abort() that gives its own description replaces the middle.
PAGES = {
    400: ("The request could not be read", "The tracker could not make sense of what the browser sent.",
          "Go back, reload the page and try again."),
    403: ("Not allowed", "Your role does not allow this.",
          "Ask an administrator of your local if you need to do it."),
    404: ("Not found", "There is nothing here that you may see: no case, board calendar year or page at this "
                       "address, or one that belongs to another local.",
          "Check the address, or find the case on the dashboard and the year on the board calendar page."),
    405: ("Not at this address", "This address does not take that kind of request.",
          "Use the page's own links and buttons rather than a copied or typed address."),
    429: ("Too many tries", "There were too many tries from your network address in a short time.",
          "Wait a few minutes and try again."),
    500: ("Something went wrong", "The tracker met an error it did not expect; it is in the server's log.",
          "Open the case or page again to check what was saved before you try again. If it happens again, "
          "tell whoever runs the tracker what you were doing."),
    503: ("Not available just now", "The tracker cannot answer right now.", "Try again in a minute."),
}


class DatabaseId(IntegerConverter):
    """`<int:…>` in every URL, bounded by what an id column holds: /cases/9223372036854775808
    is a 404 like any id that does not exist, not an overflow inside the database driver
    (a 500 on both databases before)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Call before any blueprint registers its routes: rules bind their converters when added."""
    app.url_map.converters["int"] = DatabaseId
    app.register_error_handler(HTTPException, http_error)
    app.jinja_env.globals.update(field_label=label, form_errors=FormErrors)


def too_large_words() -> tuple[str, str]:
    """The message and the fix for a request over MAX_CONTENT_LENGTH."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return (f"The request is larger than {limit // (1024 * 1024)} MB, the most the tracker accepts.",
            "Send less: a document may be at most 10 MB; split a longer text or file.")


def http_error(error: HTTPException):
    if request.path.startswith("/api/"):
        return api_error(error)
    if error.response is not None:
        return error  # its raiser drew the answer already (the login throttle's page, web/auth.py)
    if isinstance(error, RequestEntityTooLarge):
        message, fix = too_large_words()
        return error_page(413, "Too large", message, fix)
    title, message, fix = PAGES.get(error.code or 500, (error.name, error.description, ""))
    if error.description and error.description != type(error).description:
        message = error.description  # the view said why (abort(403, "Only an administrator …"))
    response = error_page(error.code or 500, title, message, fix)
    if error.code == 405:
        response.headers["Allow"] = error.get_response().headers.get("Allow", "")
    return response


def error_page(code: int, title: str, message: str, fix: str = ""):
    """The error in the site's layout; plain text should the layout itself fail (a broken
    template must not turn a 404 into a 500, nor a 500 into a blank answer)."""
    try:
        body = render_template("error.html", title=title, message=message, fix=fix, code=code)
    except Exception:  # noqa: BLE001 - the last resort: any answer in words beats none
        current_app.logger.exception("the error page could not be drawn")
        body = f"{title}\n\n{message} {fix}\n"
        return current_app.response_class(body, code, mimetype="text/plain")
    return current_app.response_class(body, code, mimetype="text/html")


def api_error(error: HTTPException):
    """JSON for an HTTP error under /api/; a request too large names the body as the field."""
    if isinstance(error, RequestEntityTooLarge):
        message, fix = too_large_words()
        return jsonify({"error": message, "field": "body", "fix": fix}), 413
    response = jsonify({"error": error.description, "field": None, "fix": None})
    if error.code == 405:
        response.headers["Allow"] = error.get_response().headers.get("Allow", "")
    return response, error.code


# -- a refused form ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldProblem:
    """One problem as the form shows it: `field` is the form field it stands beside (its input's
    name), None for a refusal of the whole form; `words` name the field by its label."""

    field: str | None
    words: str
    fix: str


class FormErrors:
    """Every problem of a refused form, each beside its field.

        errors = FormErrors(refused, ("number", "kind", …))   # refused: a UserError or None
        {% set errors = form_errors(error, ("number", "kind", …)) %}   the same in a template
        errors.on("number")     [FieldProblem, …] shown beside that field
        errors.all              every problem, in the form's order; those of no field of the form last

    `fields` are the form's input names in the order they appear; `prefix` is put before each
    input's id where one page has several forms with the same names (admin's password-3)."""

    def __init__(self, refused: UserError | None, fields: Iterable[str] = (), prefix: str = ""):
        self.fields, self.prefix = tuple(fields), prefix
        problems = [_field_problem(p.field, p.message, p.fix, self.fields, p.subject) for p in refused.problems] \
            if isinstance(refused, InputError) else \
            [_field_problem(refused.field or "", refused.message, refused.fix or "", self.fields, whole=True)] \
            if refused is not None else []
        order = {name: i for i, name in enumerate(self.fields)}
        self.all = sorted(problems, key=lambda p: order.get(p.field, len(order)))

    def with_prefix(self, prefix: str) -> FormErrors:
        """The same problems for a form whose ids start with `prefix` (one of several alike on a page)."""
        copy = FormErrors(None, self.fields, prefix)
        copy.all = self.all
        return copy

    def __bool__(self) -> bool:
        return bool(self.all)

    def on(self, field: str) -> list[FieldProblem]:
        return [p for p in self.all if p.field == field]

    @property
    def elsewhere(self) -> list[FieldProblem]:
        return [p for p in self.all if p.field is None]


def _field_problem(field: str, message: str, fix: str, fields: tuple[str, ...], subject: str | None = None,
                   whole: bool = False) -> FieldProblem:
    """`field` as the form names it ("members[2]" is the members box, line 3; "details.hearing_date" and the
    gate's "details" problem "'hearing_date' is not a date" are the hearing_date box), and the words.

    The gate's messages are predicates ("is required."): the field's label goes before them. A
    UserError's message (whole=True) is a sentence already. Either way an internal name left in the
    words ('hearing_date', new_due) becomes the label a person sees."""
    name, _, index = field.partition("[")
    name = name.removeprefix("details.")
    quoted = re.match(r"'(\w+)' (.*)", message)
    if name == "details" and quoted and quoted.group(1) in fields:  # the gate checks the details as one dict
        name, message = quoted.groups()
    words = message if whole else f"{subject or label(name)}{_line(index)} {message}"
    return FieldProblem(name if name in fields else None, _in_labels(words, fields), _in_labels(fix, fields))


def _line(index: str) -> str:
    """members[2] is the third line of the members box."""
    number = index.rstrip("]")
    return f" (line {int(number) + 1})" if number.isdigit() else ""


def _in_labels(text: str, fields: tuple[str, ...]) -> str:
    """A name of the form's fields quoted in the words ('members', 'hearing_date'), or any field's name
    with an underscore (new_due: never an English word), as the label the person sees."""
    text = re.sub(r"'(\w+)'", lambda m: f"'{label(m.group(1))}'" if m.group(1) in fields else m.group(0), text)
    return re.sub(r"'?\b([a-z]+_[a-z_]+)\b'?",
                  lambda m: f"'{label(m.group(1))}'" if m.group(1) in LABELS else m.group(0), text)
