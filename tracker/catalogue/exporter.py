"""Export the live catalogue in the documented file shape (YAML or JSON)."""

from __future__ import annotations

import json
from typing import Any

import yaml

from tracker.extensions import db
from tracker.models import (
    Competency,
    LearningPath,
    Module,
    ModuleOutcome,
    PathModule,
    PathPrerequisite,
    RoleRequirement,
    TargetRole,
)
from tracker.reads.records import grouped_rows


def _live(model: type) -> list:
    query = db.select(model).where(model.archived_at.is_(None)).order_by(model.id)
    return list(db.session.scalars(query))


def _hours(value: Any) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def _module(module: Module, develops: list[tuple]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "key": module.key,
        "title": module.title,
        "url": module.url,
        "hours": _hours(module.hours),
    }
    if module.xapi_activity:
        item["xapi_activity"] = module.xapi_activity
    if module.requires_verification:
        item["requires_verification"] = True
    item["develops"] = [{"competency": c, "level": level} for c, level in develops]
    if module.assessment_kind:
        item["assessment"] = {"kind": module.assessment_kind.value, "pass_mark": module.pass_mark}
    return item


def export_data() -> dict[str, Any]:
    """Return the live catalogue as the documented structure, in creation order."""
    key = Competency.key
    requires = grouped_rows(
        db.select(RoleRequirement.role_id, key, RoleRequirement.level, RoleRequirement.weight)
        .join(Competency)
        .order_by(key)
    )
    develops = grouped_rows(
        db.select(ModuleOutcome.module_id, key, ModuleOutcome.level).join(Competency).order_by(key)
    )
    steps = grouped_rows(
        db.select(PathModule.path_id, Module.key).join(Module).order_by(PathModule.position)
    )
    required = db.aliased(Module)
    prereqs = grouped_rows(
        db.select(PathPrerequisite.path_id, Module.key, required.key)
        .join(Module, Module.id == PathPrerequisite.module_id)
        .join(required, required.id == PathPrerequisite.requires_module_id)
        .order_by(Module.key, required.key)
    )
    role_keys = dict(db.session.execute(db.select(TargetRole.id, TargetRole.key)).all())
    return {
        "version": 1,
        "competencies": [
            {"key": c.key, "name": c.name, "family": c.family.value, "description": c.description}
            for c in _live(Competency)
        ],
        "roles": [
            {
                "key": r.key,
                "name": r.name,
                "family": r.family.value,
                "description": r.description,
                "requires": [
                    {"competency": c, "level": lv, "weight": w}
                    for c, lv, w in requires.get(r.id, [])
                ],
            }
            for r in _live(TargetRole)
        ],
        "modules": [_module(m, develops.get(m.id, [])) for m in _live(Module)],
        "paths": [
            {
                "key": p.key,
                "name": p.name,
                "role": role_keys[p.role_id],
                "description": p.description,
                "modules": [k for (k,) in steps.get(p.id, [])],
                "prerequisites": _prerequisite_map(prereqs.get(p.id, [])),
            }
            for p in _live(LearningPath)
        ],
    }


def _prerequisite_map(pairs: list[tuple]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for module, requires in pairs:
        out.setdefault(module, []).append(requires)
    return out


def export_text(fmt: str = "yaml") -> str:
    """Return the live catalogue as YAML (default) or JSON text."""
    data = export_data()
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
