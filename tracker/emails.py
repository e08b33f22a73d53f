"""What counts as an email address here: one shape for forms, the CLI and the roster."""

from __future__ import annotations

import re

# Deliberately plain: company directories use internal and reserved domains too.
EMAIL = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]+$")


def normalise(value: str) -> str:
    """Return the email as stored: trimmed and lower-cased."""
    return value.strip().lower()


def is_email(value: str) -> bool:
    """Return True when `value` looks like an email address."""
    return len(value) <= 254 and EMAIL.match(value) is not None
