"""URL converters: an id in a path beyond the database's integer range is no record (404)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1  # the largest id every supported database's integer column holds


class IdConverter(IntegerConverter):
    """`<int:...>` with a ceiling of MAX_ID unless a route names its own `max`.

    A larger number matches no route, so it answers 404 before any query runs, instead of a
    database error about integer overflow.
    """

    def __init__(self, map: Map, *args: Any, max: int | None = MAX_ID, **kwargs: Any) -> None:
        super().__init__(map, *args, max=max, **kwargs)


def init_app(app: Flask) -> None:
    """Install the converter; call before any route is registered."""
    app.url_map.converters["int"] = IdConverter
