"""Serving a chart: an ETag from what it shows, 304 when unchanged, rendered bytes cached."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Response, request
from matplotlib.figure import Figure

from tracker.charts import render
from tracker.extensions import cache

MIMETYPES = {"png": "image/png", "svg": "image/svg+xml"}


def chart_response(fmt: str, figure_key: str, draw: Callable[[], Figure]) -> Response:
    """Answer with the chart drawn by `draw`, cached under `figure_key` (see reads.versions).

    `draw` is called only when the bytes are not cached, so the numbers behind a cached chart
    are never computed. Call only after the permission check.
    """
    key = hashlib.sha256(f"{fmt}:{figure_key}".encode()).hexdigest()
    response = Response(mimetype=MIMETYPES[fmt], headers={"Cache-Control": "private, no-cache"})
    response.set_etag(key)
    if request.if_none_match.contains(key):
        response.status_code = 304
        return response
    body = cache.get(f"chart:{key}")
    if body is None:
        body = render(draw(), fmt)
        cache.set(f"chart:{key}", body)
    response.set_data(body)
    return response
