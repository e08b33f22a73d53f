"""Reading a catalogue file: the data, and the line each value came from (YAML)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]


class DocumentError(ValueError):
    """The file is not well-formed YAML or JSON; the message names the line."""


@dataclass
class Document:
    """Parsed data with a map from a value's path to its line (1-based) where known."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int | None:
        """Return the line of `path`, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                _walk(value_node, (*path, key_node.value), lines)
                lines[(*path, key_node.value)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def parse_yaml(text: str) -> Document:
    """Parse YAML, remembering the line of every value."""
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f"line {mark.line + 1}: " if mark else ""
        raise DocumentError(f"{line}malformed YAML: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise DocumentError(f"malformed YAML: {error}") from None
    lines: dict[Path, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return Document(data, lines)


def parse_json(text: str) -> Document:
    """Parse JSON (errors name the line; values are reported by path)."""
    try:
        return Document(json.loads(text))
    except json.JSONDecodeError as error:
        raise DocumentError(f"line {error.lineno}: malformed JSON: {error.msg}") from None


def parse(text: str, filename: str = "") -> Document:
    """Parse by the file's extension, or by the first character when there is none."""
    if filename.lower().endswith(".json") or (
        not filename and text.lstrip().startswith(("{", "["))
    ):
        return parse_json(text)
    return parse_yaml(text)
