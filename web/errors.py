"""HTTP errors raised outside a view's own handling: a URL no route matches (an id
too large for the database included), a request larger than MAX_CONTENT_LENGTH. Under /api/ they answer JSON naming the
field and the fix, like every other API error (an HTML page there would break
the API's clients); on the pages a request too large gets a page saying so.
Everything else keeps Flask's default answer."""
from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

LARGEST_ID = 2**31 - 1  # ids are INTEGER columns: 32 bits on PostgreSQL


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


def too_large_words() -> tuple[str, str]:
    """The message and the fix for a request over MAX_CONTENT_LENGTH."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return (f"The request is larger than {limit // (1024 * 1024)} MB, the most the tracker accepts.",
            "Send less: a document may be at most 10 MB; split a longer text or file.")


def http_error(error: HTTPException):
    if request.path.startswith("/api/"):
        return api_error(error)
    if isinstance(error, RequestEntityTooLarge):
        message, fix = too_large_words()
        return render_template("error.html", title="Too large", message=f"{message} {fix}"), 413
    return error


def api_error(error: HTTPException):
    """JSON for an HTTP error under /api/; a request too large names the body as the field."""
    if isinstance(error, RequestEntityTooLarge):
        message, fix = too_large_words()
        return jsonify({"error": message, "field": "body", "fix": fix}), 413
    response = jsonify({"error": error.description, "field": None, "fix": None})
    if error.code == 405:
        response.headers["Allow"] = error.get_response().headers.get("Allow", "")
    return response, error.code
