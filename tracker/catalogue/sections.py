"""Reading each section of a catalogue file into specs, checking fields and references."""

from __future__ import annotations

from typing import Any

from tracker.catalogue.document import Path
from tracker.catalogue.graph import find_cycle
from tracker.catalogue.spec import CatalogueSpec, CompetencySpec, ModuleSpec, PathSpec, RoleSpec
from tracker.catalogue.validate import FAMILIES, KINDS, Checker, KnownKeys, hours_value


def _ref(
    check: Checker, value: Any, path: Path, known: set[str] | frozenset[str], what: str
) -> str:
    if value is None:  # a missing required field is reported by mapping()
        return ""
    if not isinstance(value, str) or value not in known:
        check.error(path, f"unknown {what} {value!r}")
        return ""
    return value


def _levels(
    check: Checker, item: dict, path: Path, name: str, competencies: set[str], weighted: bool
) -> list[tuple[Any, ...]]:
    entries = [] if item.get(name) is None else item[name]  # left empty: none
    if not isinstance(entries, list):
        check.error((*path, name), "must be a list")
        return []
    out, seen = [], set()
    optional = {"weight"} if weighted else set()
    for index, entry in enumerate(entries):
        where = (*path, name, index)
        if not check.mapping(entry, where, {"competency", "level"}, optional):
            continue
        competency = _ref(
            check, entry["competency"], (*where, "competency"), competencies, "competency"
        )
        if competency in seen:
            check.error((*where, "competency"), f"{competency!r} is listed twice")
        seen.add(competency)
        level = check.integer(entry["level"], (*where, "level"), 1, 4)
        if weighted:
            weight = check.integer(entry.get("weight", 1), (*where, "weight"), 1, None)
            out.append((competency, level, weight))
        else:
            out.append((competency, level))
    return out


def _url(check: Checker, item: dict, path: Path, name: str) -> str:
    value = check.text(item, path, name, 500, required=False)
    if value and not value.lower().startswith(("http://", "https://")):
        check.error((*path, name), "must be an http(s) link")
    return value


def _competencies(check: Checker, items: list[tuple[Path, dict]]) -> list[CompetencySpec]:
    seen: dict[str, Path] = {}
    out = []
    for path, item in items:
        out.append(
            CompetencySpec(
                key=check.key(item, path, seen),
                name=check.text(item, path, "name", 160, required=True),
                family=check.choice(item.get("family"), (*path, "family"), FAMILIES, "family"),
                description=check.text(item, path, "description", 5000, required=False),
            )
        )
    return out


def _roles(check: Checker, items: list[tuple[Path, dict]], comps: set[str]) -> list[RoleSpec]:
    seen: dict[str, Path] = {}
    return [
        RoleSpec(
            key=check.key(item, path, seen),
            name=check.text(item, path, "name", 160, required=True),
            family=check.choice(item.get("family"), (*path, "family"), FAMILIES, "family"),
            description=check.text(item, path, "description", 5000, required=False),
            requires=tuple(_levels(check, item, path, "requires", comps, weighted=True)),
        )
        for path, item in items
    ]


def _assessment(check: Checker, item: dict, path: Path) -> tuple[str, int] | None:
    value = item.get("assessment")
    if value is None:
        return None
    where = (*path, "assessment")
    if not check.mapping(value, where, {"kind", "pass_mark"}, set()):
        return None
    kind = check.choice(value["kind"], (*where, "kind"), KINDS, "assessment kind")
    return kind, check.integer(value["pass_mark"], (*where, "pass_mark"), 0, 100)


def _modules(check: Checker, items: list[tuple[Path, dict]], comps: set[str]) -> list[ModuleSpec]:
    seen: dict[str, Path] = {}
    out = []
    for path, item in items:
        verification = item.get("requires_verification", False)
        if not isinstance(verification, bool):
            check.error((*path, "requires_verification"), "must be true or false")
        out.append(
            ModuleSpec(
                key=check.key(item, path, seen),
                title=check.text(item, path, "title", 200, required=True),
                url=_url(check, item, path, "url"),
                hours=hours_value(check, item.get("hours", 0), (*path, "hours")),
                xapi_activity=check.text(item, path, "xapi_activity", 500, required=False) or None,
                requires_verification=bool(verification),
                develops=tuple(_levels(check, item, path, "develops", comps, weighted=False)),
                assessment=_assessment(check, item, path),
            )
        )
    return out


def _path_modules(check: Checker, item: dict, path: Path, modules: set[str]) -> list[str]:
    keys = [] if item.get("modules") is None else item["modules"]
    if not isinstance(keys, list):
        check.error((*path, "modules"), "must be a list of module keys")
        return []
    out: list[str] = []
    for index, key in enumerate(keys):
        key = _ref(check, key, (*path, "modules", index), modules, "module")
        if key in out:
            check.error((*path, "modules", index), f"module {key!r} is listed twice")
        elif key:
            out.append(key)
    return out


def _prerequisites(
    check: Checker, item: dict, path: Path, steps: list[str]
) -> list[tuple[str, str]]:
    value = {} if item.get("prerequisites") is None else item["prerequisites"]
    where = (*path, "prerequisites")
    if not isinstance(value, dict):
        check.error(where, "must map a module key to a list of module keys")
        return []
    edges = []
    for module, required in value.items():
        if module not in steps:
            check.error((*where, str(module)), f"{module!r} is not a module of this path")
        if not isinstance(required, list):
            check.error((*where, str(module)), "must be a list of module keys")
            continue
        for index, other in enumerate(required):
            if other not in steps:
                check.error((*where, str(module), index), f"{other!r} is not a module of this path")
            elif other == module:
                check.error((*where, str(module), index), "a module cannot require itself")
            else:
                edges.append((str(module), other))
    cycle = find_cycle(edges)
    if cycle:
        check.error(where, f"prerequisites form a cycle: {' -> '.join(cycle)}")
    return edges


def _paths(
    check: Checker, items: list[tuple[Path, dict]], roles: set[str], modules: set[str]
) -> list[PathSpec]:
    seen: dict[str, Path] = {}
    out = []
    for path, item in items:
        steps = _path_modules(check, item, path, modules)
        out.append(
            PathSpec(
                key=check.key(item, path, seen),
                name=check.text(item, path, "name", 200, required=True),
                role=_ref(check, item.get("role"), (*path, "role"), roles, "role"),
                description=check.text(item, path, "description", 5000, required=False),
                modules=tuple(steps),
                prerequisites=tuple(sorted(set(_prerequisites(check, item, path, steps)))),
            )
        )
    return out


def _keys(items: list[tuple[Path, dict]]) -> set[str]:
    return {item["key"] for _, item in items if isinstance(item.get("key"), str)}


def read_sections(check: Checker, data: dict, known: KnownKeys) -> CatalogueSpec:
    """Read the four sections; references may point at the file or at `known` keys."""
    sections = {
        name: check.items(data, name) for name in ("competencies", "roles", "modules", "paths")
    }
    comps = _keys(sections["competencies"]) | known.competencies
    roles = _keys(sections["roles"]) | known.roles
    modules = _keys(sections["modules"]) | known.modules
    return CatalogueSpec(
        competencies=tuple(_competencies(check, sections["competencies"])),
        roles=tuple(_roles(check, sections["roles"], comps)),
        modules=tuple(_modules(check, sections["modules"], comps)),
        paths=tuple(_paths(check, sections["paths"], roles, modules)),
    )
