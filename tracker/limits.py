"""Bounds on every file or body the tracker is sent, checked before anything parses it.

A parser that recurses per level of nesting, or expands YAML aliases, can be made to spend
seconds and gigabytes on a few kilobytes: these limits refuse such input at once, with a message
that names the limit. Sizes are capped by each entry point (pages, the API, the commands);
nesting is capped here for JSON and in `tracker.catalogue.document` for YAML.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from flask import Flask, Request
from werkzeug.exceptions import BadRequest

MB = 1024 * 1024
MAX_DEPTH = 64  # levels of nesting in any JSON or YAML document; the catalogue needs 5
CATALOGUE_MAX_BYTES = 2 * MB  # about 80 times the shipped catalogue
ROSTER_MAX_BYTES = 5 * MB  # about 50,000 people
YAML_MAX_NODES = 100_000  # values in a YAML catalogue; the shipped one has about 2,000

# A JSON string, or the rest of the text when it is never closed: always matches at a quote,
# so scanning is linear whatever the input.
_STRING = re.compile(r'"(?:[^"\\]|\\[\s\S])*+(?:"|\\?\Z)')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class InputTooLarge(ValueError):
    """The input breaks one of the limits above; the message names the limit."""


def size_problem(size: int, limit: int, what: str = "the file") -> str | None:
    """Return why `size` bytes are too many for `what`, or None when they fit."""
    if size <= limit:
        return None
    return f"{what} is larger than {describe_bytes(limit)} (the limit)"


def describe_bytes(size: int) -> str:
    """Return a size the way people say it: "2 MB", "512 KB"."""
    if size % MB == 0:
        return f"{size // MB} MB"
    return f"{size // 1024} KB" if size % 1024 == 0 else f"{size:,} bytes"


def json_depth(text: str) -> int:
    """Return how deeply the arrays and objects of JSON `text` nest, without parsing it."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def check_json_depth(text: str, what: str = "the JSON") -> None:
    """Raise InputTooLarge when `text` nests deeper than MAX_DEPTH."""
    if json_depth(text) > MAX_DEPTH:
        raise InputTooLarge(f"{what} is nested more than {MAX_DEPTH} levels deep (the limit)")


def load_json(text: str, what: str = "the JSON") -> Any:
    """Parse JSON `text` once its nesting is known to be within MAX_DEPTH.

    Raises InputTooLarge, or json.JSONDecodeError for text that is not JSON.
    """
    check_json_depth(text, what)
    return json.loads(text)


class BoundedRequest(Request):
    """A request whose JSON body is refused (400) when it nests too deeply, before any parser.

    Flask's `get_json` and the API's argument parser both read the body through `get_data`,
    so checking there covers every JSON surface, whatever parses the body afterwards.
    """

    _depth_checked = False

    def get_data(self, *args: Any, **kwargs: Any) -> Any:
        """Return the body as `Request.get_data` does, once a JSON body passes the depth check."""
        if self.is_json and not self._depth_checked:
            body = super().get_data(cache=True)
            self._depth_checked = True
            try:
                check_json_depth(body.decode(json.detect_encoding(body), "replace"), "The body")
            except InputTooLarge as error:
                raise BadRequest(f"{error}.") from None
        return super().get_data(*args, **kwargs)


def init_app(app: Flask) -> None:
    """Make every request of `app` a BoundedRequest."""
    app.request_class = BoundedRequest
