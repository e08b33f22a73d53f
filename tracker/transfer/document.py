"""The data document (format version 1) and how each column's values are written in it.

The document is one JSON object; the exporter writes one row per line so that it streams and
diffs well, but any layout of the same JSON reads back (a reformatted file imports too)::

    {"format": "tracker-data", "format_version": 1, "schema_revision": "7c1d2e3f4a5b",
     "tables": [
    {"name": "teams", "columns": ["id", "name", "created_at"], "rows": [
    [1, "Payments", "2026-03-01T10:00:00Z"]
    ]},
    ...
    ]}

Tables come in dependency order (parents first). The header keys come before `tables`, and
in each table `name` and `columns` before `rows`: the written order, and also what sorting
the keys gives. Values by column type: date-times ISO 8601 (UTC with `Z` when the column
keeps time zones), dates ISO 8601, enums by value, decimals as strings (exact), booleans,
integers, floats, text as is, binary as base64, missing values as null.
"""

from __future__ import annotations

import base64
import binascii
import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Column, Table
from sqlalchemy.types import TypeDecorator, TypeEngine

FORMAT = "tracker-data"
FORMAT_VERSION = 1
HEADER_KEYS = ("format", "format_version", "schema_revision")


class TransferError(Exception):
    """Bad input or a refusal: the message is the one line the command prints."""


@dataclass(frozen=True)
class Header:
    """What a document says about itself before its tables."""

    format: object
    format_version: object
    schema_revision: object

    def readable_revision(self) -> str | None:
        """Return the schema revision; raise TransferError unless this tracker reads the file."""
        if self.format != FORMAT or type(self.format_version) is not int:
            raise TransferError(f'not a tracker data file (no "format": "{FORMAT}" header)')
        if self.format_version > FORMAT_VERSION:
            raise TransferError(
                f"the file is format version {self.format_version}, newer than this tracker "
                f"reads (up to {FORMAT_VERSION}): upgrade the tracker first"
            )
        if self.format_version < 1:
            raise TransferError(f"format version {self.format_version} does not exist")
        if self.schema_revision is not None and not isinstance(self.schema_revision, str):
            raise TransferError("schema_revision must be a string or null")
        return self.schema_revision


Encoder = Callable[[Any], Any]
Decoder = Callable[[Any], Any]


@dataclass(frozen=True)
class Codec:
    """How one column's values become JSON (`encode`) and come back (`decode`).

    `encode` is None where the database value is already its JSON form (int, str, bool), so
    the exporter can skip the call; `decode` raises ValueError naming what it `expects`.
    """

    expects: str
    encode: Encoder | None
    decode: Decoder


def storage_type(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    """Return the type a column is stored as, looking through TypeDecorators."""
    while isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    return type_


def codec_for(table: Table, column: Column[Any]) -> Codec:
    """Return the codec for `column`, or raise TransferError for a type with no JSON form."""
    stored = storage_type(column.type)
    try:
        python_type = stored.python_type
    except NotImplementedError:
        python_type = object
    if isinstance(python_type, type) and issubclass(python_type, enum.Enum):
        return _enum_codec(python_type)
    for kind, codec in CODECS:
        if isinstance(python_type, type) and issubclass(python_type, kind):
            return codec
    raise TransferError(
        f"column {table.name}.{column.name} has a type ({stored}) with no JSON form here"
    )


def _enum_codec(enum_class: type[enum.Enum]) -> Codec:
    def decode(value: Any) -> enum.Enum:
        if not isinstance(value, str):
            raise ValueError
        return enum_class(value)

    values = ", ".join(str(member.value) for member in enum_class)
    return Codec(f"one of {values}", lambda member: member.value, decode)


def _exact(kind: type) -> Decoder:
    """Return a decoder accepting only JSON values of exactly `kind` (so True is no integer)."""

    def decode(value: Any) -> Any:
        if type(value) is not kind:
            raise ValueError
        return value

    return decode


def _encode_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        return value.isoformat()
    text = value.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def _decode_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is None else parsed.astimezone(UTC)


def _decode_date(value: Any) -> date:
    if not isinstance(value, str) or "T" in value:
        raise ValueError
    return date.fromisoformat(value)


def _decode_time(value: Any) -> time:
    if not isinstance(value, str):
        raise ValueError
    return time.fromisoformat(value)


def _decode_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


def _decode_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError
    return float(value)


def _decode_bytes(value: Any) -> bytes:
    if not isinstance(value, str):
        raise ValueError
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise ValueError from None


def _decode_uuid(value: Any) -> uuid.UUID:
    if not isinstance(value, str):
        raise ValueError
    return uuid.UUID(value)


def _any(value: Any) -> Any:
    return value


# Most specific first: bool is an int, datetime is a date.
CODECS: tuple[tuple[type, Codec], ...] = (
    (bool, Codec("true or false", None, _exact(bool))),
    (int, Codec("an integer", None, _exact(int))),
    (float, Codec("a number", None, _decode_float)),
    (Decimal, Codec("a decimal number as a string", str, _decode_decimal)),
    (datetime, Codec("an ISO 8601 date-time", _encode_datetime, _decode_datetime)),
    (date, Codec("an ISO 8601 date", date.isoformat, _decode_date)),
    (time, Codec("an ISO 8601 time", time.isoformat, _decode_time)),
    (str, Codec("a string", None, _exact(str))),
    (bytes, Codec("base64 text", lambda b: base64.b64encode(b).decode("ascii"), _decode_bytes)),
    (uuid.UUID, Codec("a UUID", str, _decode_uuid)),
    (dict, Codec("a JSON object", None, _any)),
    (list, Codec("a JSON array", None, _any)),
)
