"""Security headers on every response, error pages included."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def _set_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SECURITY_HSTS"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if _is_private(response):
        response.headers["Cache-Control"] = "no-store"
    return response


def _is_private(response: Response) -> bool:
    """Pages behind a login, and the API, must not be stored by caches."""
    if request.path.startswith("/static/"):
        return False
    return "Cache-Control" not in response.headers


def init_app(app: Flask) -> None:
    """Register the after-request hook."""
    app.after_request(_set_headers)
