"""Import a validated catalogue: upsert by key, never delete; report what changed.

Writes add and flush; the caller commits (or rolls back for a dry run).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.catalogue.spec import (
    CatalogueSpec,
    CompetencySpec,
    ModuleSpec,
    PathSpec,
    RoleSpec,
)
from tracker.extensions import db
from tracker.models import (
    AssessmentKind,
    Competency,
    Family,
    LearningPath,
    Module,
    ModuleOutcome,
    PathModule,
    PathPrerequisite,
    RoleRequirement,
    TargetRole,
)


@dataclass
class SectionReport:
    """Keys added, changed (with the fields) and left unchanged in one section."""

    added: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    unchanged: int = 0


@dataclass
class ImportReport:
    """What an import did, or would do, per section."""

    sections: dict[str, SectionReport] = field(
        default_factory=lambda: {
            s: SectionReport() for s in ("competencies", "roles", "modules", "paths")
        }
    )

    @property
    def has_changes(self) -> bool:
        """Return True when anything was added or changed."""
        return any(r.added or r.changed for r in self.sections.values())

    def lines(self) -> list[str]:
        """Return the report as lines a person reads."""
        out = []
        for name, report in self.sections.items():
            out.append(
                f"{name}: {len(report.added)} added, {len(report.changed)} changed, "
                f"{report.unchanged} unchanged"
            )
            out += [f"  + {key}" for key in report.added]
            out += [f"  ~ {key} ({', '.join(fields)})" for key, fields in report.changed.items()]
        return out

    def as_dict(self) -> dict[str, dict[str, object]]:
        """Return the report as JSON-ready data."""
        return {
            name: {"added": r.added, "changed": r.changed, "unchanged": r.unchanged}
            for name, r in self.sections.items()
        }


def _by_key(model: type, keys: list[str]) -> dict:
    return {row.key: row for row in db.session.scalars(db.select(model).where(model.key.in_(keys)))}


def _apply(row: object, values: dict[str, object]) -> list[str]:
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    return changed


def _record(report: SectionReport, key: str, added: bool, changed: list[str]) -> None:
    if added:
        report.added.append(key)
    elif changed:
        report.changed[key] = changed
    else:
        report.unchanged += 1


def _upsert(model: type, specs: list, values_of, report: SectionReport) -> dict:  # type: ignore[no-untyped-def]
    rows = _by_key(model, [spec.key for spec in specs])
    for spec in specs:
        row, added = rows.get(spec.key), spec.key not in rows
        if added:
            row = rows[spec.key] = model(key=spec.key)
            db.session.add(row)
        changed = _apply(row, values_of(spec))
        _record(report, spec.key, added, [] if added else changed)
    db.session.flush()
    return rows


def _competency_values(spec: CompetencySpec) -> dict[str, object]:
    return {"name": spec.name, "family": Family(spec.family), "description": spec.description}


def _role_values(spec: RoleSpec) -> dict[str, object]:
    return {"name": spec.name, "family": Family(spec.family), "description": spec.description}


def _module_values(spec: ModuleSpec) -> dict[str, object]:
    kind, mark = spec.assessment or (None, None)
    return {
        "title": spec.title,
        "url": spec.url,
        "hours": spec.hours,
        "xapi_activity": spec.xapi_activity,
        "requires_verification": spec.requires_verification,
        "assessment_kind": AssessmentKind(kind) if kind else None,
        "pass_mark": mark,
    }


def _replace_children(
    model: type, parent: str, parent_id: int, wanted: set[tuple], columns: tuple[str, ...]
) -> bool:
    """Make the child rows of one parent exactly `wanted`; return True when they changed."""
    rows = db.session.scalars(db.select(model).where(getattr(model, parent) == parent_id)).all()
    current = {tuple(getattr(row, c) for c in columns) for row in rows}
    if current == wanted:
        return False
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    for values in wanted:
        db.session.add(model(**{parent: parent_id}, **dict(zip(columns, values, strict=True))))
    return True


def _ids(model: type, keys: set[str]) -> dict[str, int]:
    rows = db.session.execute(db.select(model.key, model.id).where(model.key.in_(keys)))
    return dict(rows.all())


def _child_changed(report: SectionReport, key: str, field_name: str) -> None:
    if key in report.added:
        return
    if key not in report.changed:
        report.unchanged -= 1
        report.changed[key] = []
    report.changed[key].append(field_name)


def _import_children(spec: CatalogueSpec, rows: dict[str, dict], report: ImportReport) -> None:
    comps = _ids(
        Competency,
        {c for r in spec.roles for c, *_ in r.requires}
        | {c for m in spec.modules for c, _ in m.develops},
    )
    modules = _ids(Module, {k for p in spec.paths for k in p.modules})
    for role in spec.roles:
        wanted = {(comps[c], level, weight) for c, level, weight in role.requires}
        columns = ("competency_id", "level", "weight")
        if _replace_children(
            RoleRequirement, "role_id", rows["roles"][role.key].id, wanted, columns
        ):
            _child_changed(report.sections["roles"], role.key, "requires")
    for module in spec.modules:
        wanted = {(comps[c], level) for c, level in module.develops}
        if _replace_children(
            ModuleOutcome,
            "module_id",
            rows["modules"][module.key].id,
            wanted,
            ("competency_id", "level"),
        ):
            _child_changed(report.sections["modules"], module.key, "develops")
    for path in spec.paths:
        path_id = rows["paths"][path.key].id
        steps = {(modules[k], position) for position, k in enumerate(path.modules)}
        if _replace_children(PathModule, "path_id", path_id, steps, ("module_id", "position")):
            _child_changed(report.sections["paths"], path.key, "modules")
        prereqs = {(modules[a], modules[b]) for a, b in path.prerequisites}
        if _replace_children(
            PathPrerequisite, "path_id", path_id, prereqs, ("module_id", "requires_module_id")
        ):
            _child_changed(report.sections["paths"], path.key, "prerequisites")


def import_catalogue(spec: CatalogueSpec) -> ImportReport:
    """Upsert every item `spec` names; its requirements, outcomes and steps are replaced."""
    report = ImportReport()
    sections = report.sections
    rows: dict[str, dict] = {}
    _upsert(Competency, list(spec.competencies), _competency_values, sections["competencies"])
    rows["roles"] = _upsert(TargetRole, list(spec.roles), _role_values, sections["roles"])
    rows["modules"] = _upsert(Module, list(spec.modules), _module_values, sections["modules"])
    role_ids = _ids(TargetRole, {p.role for p in spec.paths})

    def path_values(path: PathSpec) -> dict[str, object]:
        return {"name": path.name, "description": path.description, "role_id": role_ids[path.role]}

    rows["paths"] = _upsert(LearningPath, list(spec.paths), path_values, sections["paths"])
    _import_children(spec, rows, report)
    db.session.flush()
    return report
