"""Filling authoring forms from the catalogue, and saving them through the file importer."""

from __future__ import annotations

import re
from typing import Any

from flask import abort
from wtforms.fields.choices import SelectChoice

from tracker.authoring.forms import BLANK_ROWS, PathForm
from tracker.catalogue.document import Document
from tracker.catalogue.importer import ImportReport
from tracker.catalogue.service import import_document
from tracker.catalogue.validate import CatalogueError
from tracker.extensions import db
from tracker.models import Competency, LearningPath, Module, TargetRole

MODELS: dict[str, Any] = {
    "competencies": Competency,
    "roles": TargetRole,
    "modules": Module,
    "paths": LearningPath,
}
# Where a file field's problem is shown on the page.
ALIASES = {
    ("paths", "modules"): "steps",
    ("paths", "prerequisites"): "steps",
    ("modules", "assessment"): "pass_mark",
}
LABELS = {
    "competencies": "competency",
    "roles": "target role",
    "modules": "module",
    "paths": "learning path",
}


def kind_or_404(kind: str) -> Any:
    if kind not in MODELS:
        abort(404)
    return MODELS[kind]


def row_or_404(kind: str, key: str) -> Any:
    model = kind_or_404(kind)
    row = db.session.scalar(db.select(model).where(model.key == key))
    if row is None:
        abort(404)
    return row


def live_choices(model: Any, label: str, keep: set[str] = frozenset()) -> list[SelectChoice]:
    """Return choices of the live items of `model`, plus archived ones still referenced."""
    rows = db.session.execute(
        db.select(model.key, getattr(model, label), model.archived_at).order_by(
            getattr(model, label)
        )
    )
    choices = [SelectChoice("", "—")]
    for key, text, archived in rows:
        if archived is None or key in keep:
            choices.append(SelectChoice(key, f"{text} (archived)" if archived else text))
    return choices


def set_choices(kind: str, form: Any, item: dict[str, Any]) -> None:
    """Give the form's selects their choices; add blank rows for new entries."""
    if kind in ("roles", "modules"):
        rows = form.requires if kind == "roles" else form.develops
        keep = {r.get("competency", "") for r in item.get("requires", item.get("develops", []))}
        choices = live_choices(Competency, "name", keep)
        for entry in rows:
            entry.competency.choices = choices
    if kind == "paths":
        _path_choices(form, item)


def _path_choices(form: PathForm, item: dict[str, Any]) -> None:
    form.role.choices = live_choices(TargetRole, "name", {item.get("role", "")})
    on_path = set(item.get("modules", []))
    modules = live_choices(Module, "title", on_path)
    for entry in form.steps:
        entry.module.choices = modules
        # a step needs first only other modules of this path (a module added in a blank row
        # becomes a choice once saved)
        entry.requires.choices = [
            c for c in modules[1:] if c.value in on_path and c.value != entry.module.data
        ]


def fill_rows(kind: str, form: Any, item: dict[str, Any]) -> None:
    """Add the item's rows (requirements, outcomes, steps) and blank ones to the form."""
    if kind == "roles":
        for row in item.get("requires", []):
            form.requires.append_entry({**row, "level": str(row["level"])})
        rows = form.requires
    elif kind == "modules":
        for row in item.get("develops", []):
            form.develops.append_entry({**row, "level": str(row["level"])})
        rows = form.develops
    elif kind == "paths":
        prereqs = item.get("prerequisites", {})
        for key in item.get("modules", []):
            form.steps.append_entry({"module": key, "requires": prereqs.get(key, [])})
        rows = form.steps
    else:
        return
    for _ in range(BLANK_ROWS):
        rows.append_entry()


def save(
    kind: str, item: dict[str, Any], key_taken: bool
) -> tuple[ImportReport | None, dict[str, list[str]]]:
    """Validate and import one item; return (report, {}) or (None, errors by field)."""
    if key_taken:
        return None, {"key": [f"Another {LABELS[kind]} already has the key {item['key']!r}."]}
    try:
        report = import_document(
            Document({"version": 1, kind: [item]}), source=f"page:{kind}/{item['key']}"
        )
    except CatalogueError as error:
        db.session.rollback()
        return None, _errors_by_field(kind, error.errors)
    return report, {}


def _errors_by_field(kind: str, errors: list[str]) -> dict[str, list[str]]:
    """Turn "modules[0].develops[1].level: must be 1 to 4" into {"develops": ["row 2: ..."]}."""
    out: dict[str, list[str]] = {}
    for line in errors:
        path, _, message = line.partition(": ")
        path = path.removeprefix(f"{kind}[0]").lstrip(".")
        match = re.match(r"(\w+)(?:\[(\d+)\])?\.?(.*)", path)
        if not match:
            out.setdefault("_", []).append(message or line)
            continue
        field, row, rest = match.groups()
        field = ALIASES.get((kind, field), field)
        where = f"Row {int(row) + 1}: " if row is not None else ""
        text = _in_words(rest or field, message)
        out.setdefault(field, []).append(f"{where}{text[0].lower()}{text[1:]}" if where else text)
    return out


LEVELS = "1 (Aware) to 4 (Expert)"


def _in_words(name: str, message: str) -> str:
    """Say a file check's message about field `name` as a sentence for the person at the form."""
    words = name.replace("_", " ")
    required = re.fullmatch(r"field '(\w+)' is required", message)
    if required:
        text = f"{required.group(1).replace('_', ' ')} is required"
    elif name == "level" and message.startswith("must be 1 to 4"):
        chosen = "(got 0)" not in message
        text = f"the level must be {LEVELS}" if chosen else f"choose a level, {LEVELS}"
    elif message.startswith(("must", "is ", "cannot")):
        text = f"the {words} {message}"
    else:
        text = message
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."
