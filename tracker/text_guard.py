"""Pages refuse text no database can hold: a NUL character answers 400 naming the field.

PostgreSQL can neither store nor compare text holding NUL, so such input would otherwise end in
a server error wherever a view queries or saves it. The API refuses it field by field (422).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, request
from werkzeug.exceptions import BadRequest


def _pairs() -> Iterable[tuple[str, str]]:
    yield from ((name, str(value)) for name, value in (request.view_args or {}).items())
    yield from request.args.items(multi=True)
    yield from request.form.items(multi=True)


def refuse_nul_characters() -> None:
    """Answer 400 when a page's path, query or form holds a NUL character, naming the field."""
    if request.path.startswith(("/api/", "/xapi/")):
        return
    for name, value in _pairs():
        if "\x00" in name or "\x00" in value:
            shown = name.replace("\x00", "\\0")
            raise BadRequest(f"“{shown}” holds a NUL character, which no text may contain.")


def init_app(app: Flask) -> None:
    """Register the check, after CSRF protection and before any view."""
    app.before_request(refuse_nul_characters)
