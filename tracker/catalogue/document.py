"""Reading a catalogue file: the data, and the line each value came from (YAML).

YAML is read event by event, with no recursion and no aliases: anchors, aliases, Python and
other custom tags, nesting beyond `MAX_DEPTH` and more than `YAML_MAX_NODES` values are refused
as they arrive, so a "billion laughs" file or one nested thousands deep fails on its first lines.
JSON is checked for depth (`tracker.limits`) before it is parsed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from tracker.limits import MAX_DEPTH, YAML_MAX_NODES, InputTooLarge, load_json

Path = tuple[str | int, ...]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it
_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_YAML + t for t in ("null", "bool", "int", "float", "str", "timestamp", "binary")}
_COLLECTION_TAGS = {_YAML + "seq", _YAML + "map"}
_TOO_DEEP = f"the file is nested more than {MAX_DEPTH} levels deep (the limit)"


class DocumentError(ValueError):
    """The file is not well-formed YAML or JSON, or breaks a limit; the message names the line."""


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


@dataclass
class _Open:
    """A list or mapping being read: where it is, and the key waiting for its value."""

    value: list[Any] | dict[Any, Any]
    path: Path
    key: Any = None
    has_key: bool = False


def _refuse(event: yaml.Event, problem: str) -> DocumentError:
    return DocumentError(f"line {event.start_mark.line + 1}: {problem}")


def _events(loader: Any) -> Iterator[yaml.Event]:
    while loader.check_event():
        yield loader.get_event()


class _Builder:
    """Turns YAML events into data and lines, refusing what the limits forbid."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.stack: list[_Open] = []
        self.lines: dict[Path, int] = {}
        self.data: Any = None
        self.nodes = 0
        self.documents = 0

    def feed(self, event: yaml.Event) -> None:
        """Take the next event."""
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise _refuse(event, "a catalogue file is one YAML document; this starts another")
        elif isinstance(event, yaml.AliasEvent):
            raise _refuse(event, f"YAML aliases (*{event.anchor}) are not accepted")
        elif isinstance(event, yaml.NodeEvent):
            self._start(event)
        elif isinstance(event, yaml.CollectionEndEvent):
            self._place(self.stack.pop().value, event)

    def _start(self, event: yaml.NodeEvent) -> None:
        if event.anchor is not None:
            raise _refuse(event, f"YAML anchors (&{event.anchor}) are not accepted")
        self.nodes += 1
        if self.nodes > YAML_MAX_NODES:
            raise _refuse(event, f"the file has more than {YAML_MAX_NODES:,} values (the limit)")
        tag = self._tag(event)
        if isinstance(event, yaml.ScalarEvent):
            node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
            self._place(self.loader.yaml_constructors[tag](self.loader, node), event)
            return
        if len(self.stack) >= MAX_DEPTH:
            raise _refuse(event, _TOO_DEEP)
        container: list[Any] | dict[Any, Any] = (
            [] if isinstance(event, yaml.SequenceStartEvent) else {}
        )
        self.stack.append(_Open(container, self._path_of_next(event)))

    def _tag(self, event: yaml.NodeEvent) -> str:
        kind = {
            yaml.ScalarEvent: yaml.ScalarNode,
            yaml.SequenceStartEvent: yaml.SequenceNode,
            yaml.MappingStartEvent: yaml.MappingNode,
        }[type(event)]
        tag: str | None = event.tag
        if tag is None or tag == "!":
            value = event.value if isinstance(event, yaml.ScalarEvent) else None
            tag = self.loader.resolve(kind, value, getattr(event, "implicit", (True, False)))
        allowed = _SCALAR_TAGS if kind is yaml.ScalarNode else _COLLECTION_TAGS
        if not isinstance(tag, str) or tag not in allowed:
            shown = str(tag).replace(_YAML, "!!")
            raise _refuse(event, f"the YAML tag {shown} is not accepted (no Python or custom tags)")
        return tag

    def _path_of_next(self, event: yaml.Event) -> Path:
        """Return the path of the value that starts with `event`, and note its line."""
        if not self.stack:
            self.lines[()] = event.start_mark.line + 1
            return ()
        parent = self.stack[-1]
        if isinstance(parent.value, list):
            path = (*parent.path, len(parent.value))
            self.lines[path] = event.start_mark.line + 1
            return path
        if parent.has_key:
            return (*parent.path, parent.key)
        return parent.path  # a key that is itself a list or mapping: refused when placed

    def _place(self, value: Any, event: yaml.Event) -> None:
        if not self.stack:
            self.data = value
            if not isinstance(value, list | dict):
                self.lines[()] = event.start_mark.line + 1
            return
        parent = self.stack[-1]
        if isinstance(parent.value, list):
            if not isinstance(value, list | dict):
                self.lines[(*parent.path, len(parent.value))] = event.start_mark.line + 1
            parent.value.append(value)
        elif parent.has_key:
            parent.value[parent.key] = value
            parent.has_key = False
        elif isinstance(value, list | dict):
            raise _refuse(event, "a key must be a plain value, not a list or mapping")
        else:
            parent.key, parent.has_key = value, True
            self.lines[(*parent.path, value)] = event.start_mark.line + 1


def parse_yaml(text: str) -> Document:
    """Parse YAML within the limits, remembering the line of every value."""
    loader = _LOADER(text)
    builder = _Builder(loader)
    try:
        for event in _events(loader):
            builder.feed(event)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f"line {mark.line + 1}: " if mark else ""
        if "nesting depth" in str(error.problem):  # libyaml's own, far deeper, limit
            raise DocumentError(f"{line}{_TOO_DEEP}") from None
        raise DocumentError(f"{line}malformed YAML: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise DocumentError(f"malformed YAML: {error}") from None
    finally:
        loader.dispose()
    return Document(builder.data, builder.lines)


def parse_json(text: str) -> Document:
    """Parse JSON within the depth limit (errors name the line; values are reported by path)."""
    try:
        return Document(load_json(text, "the file"))
    except InputTooLarge as error:
        raise DocumentError(f"line 1: {error}") from None
    except json.JSONDecodeError as error:
        raise DocumentError(f"line {error.lineno}: malformed JSON: {error.msg}") from None


def parse(text: str, filename: str = "") -> Document:
    """Parse by the file's extension, or by the first character when there is none."""
    if filename.lower().endswith(".json") or (
        not filename and text.lstrip().startswith(("{", "["))
    ):
        return parse_json(text)
    return parse_yaml(text)
