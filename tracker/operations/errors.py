"""The error every write raises for bad input."""

from __future__ import annotations


class RecordError(ValueError):
    """Bad input for a record: `fields` maps each field to why, in words for people."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(" ".join(fields.values()))
        self.fields = fields
