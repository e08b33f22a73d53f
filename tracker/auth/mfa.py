"""TOTP second factor: enrolment QR codes and replay-proof verification."""

from __future__ import annotations

import base64
import io
from datetime import datetime

import pyotp
import segno

from tracker.models import User

ISSUER = "Tracker"


def new_secret() -> str:
    """Return a fresh base32 TOTP secret."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """Return the otpauth:// URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """Return the QR code of `uri` as an SVG data URI (allowed by the CSP's img-src)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def matching_counter(secret: str, code: str) -> int | None:
    """Return the time-step counter `code` is valid for (±1 step), or None."""
    totp = pyotp.TOTP(secret)
    code = code.strip()
    now = totp.timecode(datetime.now())
    for counter in (now, now - 1, now + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(counter), code):
            return counter
    return None


def verify(user: User, code: str, secret: str | None = None) -> bool:
    """Check `code` for `user` and remember its counter so the same code cannot be replayed."""
    secret = secret or user.totp_secret
    if not secret:
        return False
    counter = matching_counter(secret, code)
    last = user.totp_last_counter
    if counter is None or (last is not None and counter <= last):
        return False
    user.totp_last_counter = counter
    return True
