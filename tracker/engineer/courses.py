"""How a module's course link reads: the site it opens, named in the link's own words."""

from __future__ import annotations

from urllib.parse import urlsplit

from tracker.engineer import bp


@bp.app_template_filter("site")
def site(url: str) -> str:
    """Return the host a link opens ("www.coursera.org"), or the link itself when it has none."""
    return urlsplit(url).hostname or url
