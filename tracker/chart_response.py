"""Serving a chart: an ETag from what it shows, 304 when unchanged, rendered bytes cached."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Response, abort, request
from matplotlib.figure import Figure

from tracker.chart_layout import LAYOUTS, Layout
from tracker.charts import render
from tracker.extensions import cache

MIMETYPES = {"png": "image/png", "svg": "image/svg+xml"}


def layout_arg() -> Layout:
    """Return the layout the `size` query argument asks for: "wide" (the default) or "narrow".

    Anything else is a 400 naming the sizes there are.
    """
    size = request.args.get("size", "wide")
    if size not in LAYOUTS:
        abort(400, description=f"A chart's size is one of: {', '.join(LAYOUTS)}.")
    return LAYOUTS[size]


def chart_response(fmt: str, figure_key: str, draw: Callable[[Layout], Figure]) -> Response:
    """Answer with the chart drawn by `draw`, cached under `figure_key` (see reads.versions).

    The layout comes from the `size` query argument (`layout_arg`) and is part of the ETag
    and the cache key, so a phone's chart and a desktop's never share bytes. `draw` is called
    only when the bytes are not cached, so the numbers behind a cached chart are never
    computed. Call only after the permission check.
    """
    layout = layout_arg()
    key = hashlib.sha256(f"{fmt}:{layout.name}:{figure_key}".encode()).hexdigest()
    response = Response(mimetype=MIMETYPES[fmt], headers={"Cache-Control": "private, no-cache"})
    response.set_etag(key)
    if request.if_none_match.contains(key):
        response.status_code = 304
        return response
    body = cache.get(f"chart:{key}")
    if body is None:
        body = render(draw(layout), fmt)
        cache.set(f"chart:{key}", body)
    response.set_data(body)
    return response
