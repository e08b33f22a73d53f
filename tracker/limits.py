"""Bounds on every file or body the tracker is sent, checked before anything parses it.

A parser that recurses per level of nesting, or expands YAML aliases, can be made to spend
seconds and gigabytes on a few kilobytes: these limits refuse such input at once, with a message
that names the limit. Sizes are capped by each entry point (pages, the API, the commands);
nesting and the number of arrays and objects are capped here for JSON, and in
`tracker.catalogue.document` for YAML.
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
# Arrays and objects in one JSON document: a full xAPI batch of 5,000 statements has about 60,000.
# Each costs a parser 60 bytes or more, so 8 MB of "[{},{},…]" would otherwise grow by 200 MB.
JSON_MAX_CONTAINERS = 200_000

# A JSON string (UTF-8), or the rest of the text when it is never closed: always matches at a
# quote, so scanning is linear whatever the input. Bytes of a multi-byte UTF-8 character are
# never a quote, a backslash or a bracket.
_STRING = re.compile(rb'"(?:[^"\\]|\\[\s\S])*+(?:"|\\?\Z)')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


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


def json_shape(text: str | bytes) -> tuple[int, int]:
    """Return how deeply the arrays and objects of JSON `text` nest, and how many there are.

    Reads only brackets outside strings, without parsing: linear in the text, whatever it holds.
    `text` as bytes is UTF-8.
    """
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    depth = max(accumulate(map(_STEP.__getitem__, brackets)), default=0)
    return depth, brackets.count(b"[") + brackets.count(b"{")


def json_depth(text: str | bytes) -> int:
    """Return how deeply the arrays and objects of JSON `text` nest, without parsing it."""
    return json_shape(text)[0]


def check_json(text: str | bytes, what: str = "the JSON") -> None:
    """Raise InputTooLarge when `text` nests deeper than MAX_DEPTH or has too many containers."""
    depth, containers = json_shape(text)
    if depth > MAX_DEPTH:
        raise InputTooLarge(f"{what} is nested more than {MAX_DEPTH} levels deep (the limit)")
    if containers > JSON_MAX_CONTAINERS:
        raise InputTooLarge(
            f"{what} has more than {JSON_MAX_CONTAINERS:,} arrays and objects (the limit)"
        )


def load_json(text: str, what: str = "the JSON") -> Any:
    """Parse JSON `text` once its shape is known to be within the limits.

    Raises InputTooLarge, or json.JSONDecodeError for text that is not JSON.
    """
    check_json(text, what)
    return json.loads(text)


class BoundedRequest(Request):
    """A request whose JSON body is refused (400) when it breaks a limit, before any parser.

    Flask's `get_json` and the API's argument parser both read the body through `get_data`,
    so checking there covers every JSON surface, whatever parses the body afterwards.
    """

    _checked = False

    def get_data(self, *args: Any, **kwargs: Any) -> Any:
        """Return the body as `Request.get_data` does, once a JSON body is within the limits."""
        if self.is_json and not self._checked:
            body = super().get_data(cache=True)
            self._checked = True
            encoding = json.detect_encoding(body)
            if not encoding.startswith("utf-8"):
                body = body.decode(encoding, "replace").encode()
            try:
                check_json(body, "The body")
            except InputTooLarge as error:
                raise BadRequest(f"{error}.") from None
        return super().get_data(*args, **kwargs)


def init_app(app: Flask) -> None:
    """Make every request of `app` a BoundedRequest."""
    app.request_class = BoundedRequest
