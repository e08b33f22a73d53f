"""Validate a parsed catalogue file, reporting every problem with its line and field.

Pure: the database's existing keys are passed in, so a file may refer to items it does
not define.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from tracker.catalogue.document import Document, Path
from tracker.catalogue.spec import CatalogueSpec

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FAMILIES = ("product", "data", "platform")
KINDS = ("quiz", "project", "review")
SECTIONS = ("competencies", "roles", "modules", "paths")
FIELDS = {
    "competencies": ({"key", "name", "family"}, {"description"}),
    "roles": ({"key", "name", "family"}, {"description", "requires"}),
    "modules": (
        {"key", "title"},
        {"url", "hours", "xapi_activity", "requires_verification", "develops", "assessment"},
    ),
    "paths": ({"key", "name", "role"}, {"description", "modules", "prerequisites"}),
}


class CatalogueError(ValueError):
    """The catalogue cannot be imported; `errors` lists every problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the catalogue file")
        self.errors = errors


@dataclass(frozen=True)
class KnownKeys:
    """Keys the database already has, which a file may refer to."""

    competencies: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    modules: frozenset[str] = frozenset()


def describe(path: Path) -> str:
    """Return a path as people read it: modules[2].develops[0].level."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


@dataclass
class Checker:
    """Collects problems while reading values out of the document."""

    doc: Document
    errors: list[str] = field(default_factory=list)

    def error(self, path: Path, message: str) -> None:
        line = self.doc.line_of(path)
        where = f"line {line}: " if line else ""
        field = f"{describe(path)}: " if path else ""  # a problem of the whole file names none
        self.errors.append(f"{where}{field}{message}")

    def text(self, item: dict, path: Path, name: str, limit: int, required: bool) -> str:
        value = item.get(name)
        if value is None:  # a missing required field is reported by mapping()
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.error((*path, name), "must be a non-empty text" if required else "must be text")
            return ""
        if "\x00" in value:  # no database column holds one
            self.error((*path, name), "must not contain NUL characters")
            return ""
        if len(value) > limit:
            self.error((*path, name), f"must be at most {limit} characters")
        return value.strip()

    def integer(self, value: Any, path: Path, low: int, high: int | None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, "must be a whole number")
            return low
        if value < low or (high is not None and value > high):
            bounds = f"{low} to {high}" if high is not None else f"at least {low}"
            self.error(path, f"must be {bounds} (got {value})")
        return value

    def choice(self, value: Any, path: Path, choices: tuple[str, ...], what: str) -> str:
        if value not in choices:
            self.error(path, f"unknown {what} {value!r} (use {' | '.join(choices)})")
        return str(value)

    def mapping(self, value: Any, path: Path, required: set[str], optional: set[str]) -> bool:
        if not isinstance(value, dict):
            self.error(path, "must be a mapping of fields")
            return False
        missing = sorted(n for n in required if value.get(n) is None)  # null is no value
        for name in missing:
            self.error(path, f"field {name!r} is required")
        for name in sorted(value.keys() - required - optional, key=str):
            self.error((*path, str(name)), "unknown field")
        return not missing  # the caller reads required fields only from a complete mapping

    def items(self, data: dict, section: str) -> list[tuple[Path, dict]]:
        value = data.get(section)
        if value is None:  # a section left out or left empty changes nothing
            return []
        if not isinstance(value, list):
            self.error((section,), "must be a list")
            return []
        required, optional = FIELDS[section]
        out = []
        for index, item in enumerate(value):
            if self.mapping(item, (section, index), required, optional):
                out.append(((section, index), item))
        return out

    def key(self, item: dict, path: Path, seen: dict[str, Path]) -> str:
        key = item.get("key")
        if not isinstance(key, str) or not SLUG.match(key) or len(key) > 80:
            self.error((*path, "key"), f"{key!r} is not a key (lower-case words joined by -)")
            return ""
        if key in seen:
            self.error((*path, "key"), f"duplicate key {key!r} (also at {describe(seen[key])})")
        seen[key] = path
        return key


def validate(doc: Document, known: KnownKeys) -> CatalogueSpec:
    """Return the catalogue described by `doc`, or raise CatalogueError with every problem."""
    from tracker.catalogue.sections import read_sections

    check = Checker(doc)
    data = doc.data
    if not isinstance(data, dict):
        check.error((), "the file must be a mapping with version and sections")
        raise CatalogueError(check.errors)
    if data.get("version") != 1:
        check.error(("version",), "must be 1")
    for name in sorted(data.keys() - {"version", *SECTIONS}, key=str):
        check.error((str(name),), "unknown section")
    spec = read_sections(check, data, known)
    if check.errors:
        raise CatalogueError(sorted(check.errors, key=_line_number))
    return spec


def _line_number(message: str) -> int:
    match = re.match(r"line (\d+):", message)
    return int(match.group(1)) if match else 0


def hours_value(check: Checker, value: Any, path: Path) -> Decimal:
    """Read a non-negative number of hours."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        check.error(path, "must be a number")
        return Decimal(0)
    try:
        hours = Decimal(str(value))
    except InvalidOperation:
        check.error(path, "must be a number")
        return Decimal(0)
    if not hours.is_finite() or hours < 0 or hours > 10000:
        check.error(path, "must be between 0 and 10000")
    return hours.quantize(Decimal("0.1")) if hours.is_finite() else Decimal(0)
