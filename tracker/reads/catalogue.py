"""The catalogue as the readiness engine sees it: one statement while it has not changed.

Reading the catalogue takes seven statements whatever its size. Each process keeps the last
catalogue it read per database, with the version token it read first
(`tracker.operations.catalogue_version` changes the token with every catalogue change, in the
same transaction): while the token is the same, the kept catalogue is returned after one
statement, or none when the caller read the token beside its own row (`version_columns`: a
team's page reads it with the team). The kept catalogue is read-only (its mappings are
proxies), so no caller can change what the next request sees.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from types import MappingProxyType
from typing import Any

from tracker.extensions import db
from tracker.models import (
    CatalogueVersion,
    Competency,
    LearningPath,
    Module,
    ModuleOutcome,
    PathModule,
    PathPrerequisite,
    RoleRequirement,
    TargetRole,
)
from tracker.readiness import ModuleSpec, PathPlan, Requirement, RoleProfile
from tracker.reads.records import grouped_rows


@dataclass(frozen=True)
class Catalogue:
    """The catalogue as the engine sees it; archived modules still count for old evidence."""

    modules: Mapping[str, ModuleSpec]
    live_modules: frozenset[str]
    roles: Mapping[str, RoleProfile]  # live roles
    paths: Mapping[str, PathPlan]  # live paths
    names: Mapping[str, str]  # key -> display name, for every kind
    urls: Mapping[str, str]  # module key -> its course link
    steps_rules: str | None = None  # the rules `readiness_steps` holds figures for

    @cached_property
    def rules(self) -> str:
        """Return a digest of what readiness depends on: every module's spec, the live roles."""
        parts = (sorted(self.modules.items()), sorted(self.roles.items()))
        return hashlib.sha256(repr(parts).encode()).hexdigest()

    @property
    def steps_current(self) -> bool:
        """Return True when `readiness_steps` holds figures computed with these rules."""
        return self.steps_rules == self.rules

    @cached_property
    def fingerprint(self) -> str:
        """Return a digest of everything in the catalogue a figure can show (once per read)."""
        parts = (
            sorted(self.modules.items()),
            sorted(self.live_modules),
            sorted(self.roles.items()),
            sorted(
                (k, p.role, p.modules, sorted(p.prerequisites.items()))
                for k, p in self.paths.items()
            ),
            sorted(self.names.items()),
        )
        return hashlib.sha256(repr(parts).encode()).hexdigest()


_kept: dict[str, tuple[str, Catalogue]] = {}  # database URL -> (token, catalogue)
_kept_lock = threading.Lock()


Version = tuple[str | None, str | None]  # the catalogue's token, the rules its steps hold


def version_columns() -> tuple[Any, Any]:
    """Return the catalogue's token and steps rules as two columns any statement can read.

    A page that reads a row of its own first (a team's name and figures token) reads the
    catalogue's version beside it and hands it to `load_catalogue`: one round trip, not two.
    """
    one = CatalogueVersion.id == 1
    return (
        db.select(CatalogueVersion.token).where(one).scalar_subquery(),
        db.select(CatalogueVersion.steps_rules).where(one).scalar_subquery(),
    )


def load_catalogue(version: Version | None = None) -> Catalogue:
    """Return every module, and the live roles and paths, keyed by their keys.

    `version` is the catalogue's (token, steps rules) when the caller read them in this
    transaction (`version_columns`); otherwise they are read here.
    """
    if version is None:
        row = db.session.execute(
            db.select(CatalogueVersion.token, CatalogueVersion.steps_rules).where(
                CatalogueVersion.id == 1
            )
        ).one_or_none()
        version = (None, None) if row is None else (row.token, row.steps_rules)
    token, steps_rules = version
    database = db.engine.url.render_as_string(hide_password=False)
    kept = _kept.get(database)
    if token is not None and kept is not None and kept[0] == token:
        return kept[1]
    catalogue = replace(_read_catalogue(), steps_rules=steps_rules)
    if token is not None:
        with _kept_lock:
            _kept[database] = (token, catalogue)
    return catalogue


def _read_catalogue() -> Catalogue:
    outcomes = grouped_rows(
        db.select(Module.key, Competency.key, ModuleOutcome.level)
        .join(ModuleOutcome, ModuleOutcome.module_id == Module.id)
        .join(Competency, Competency.id == ModuleOutcome.competency_id)
    )
    modules: dict[str, ModuleSpec] = {}
    live: set[str] = set()
    names: dict[str, str] = {}
    urls: dict[str, str] = {}
    for key, title, url, kind, verify, archived_at in db.session.execute(
        db.select(
            Module.key,
            Module.title,
            Module.url,
            Module.assessment_kind,
            Module.requires_verification,
            Module.archived_at,
        )
    ):
        modules[key] = ModuleSpec(
            key, tuple(outcomes.get(key, [])), kind.value if kind else None, verify
        )
        names[key], urls[key] = title, url
        if archived_at is None:
            live.add(key)
    requires = grouped_rows(
        db.select(TargetRole.key, Competency.key, RoleRequirement.level, RoleRequirement.weight)
        .join(RoleRequirement, RoleRequirement.role_id == TargetRole.id)
        .join(Competency, Competency.id == RoleRequirement.competency_id)
        .order_by(Competency.key)
    )
    roles: dict[str, RoleProfile] = {}
    for key, name in db.session.execute(
        db.select(TargetRole.key, TargetRole.name).where(TargetRole.archived_at.is_(None))
    ):
        roles[key] = RoleProfile(key, tuple(Requirement(*r) for r in requires.get(key, [])))
        names[key] = name
    names.update(dict(db.session.execute(db.select(Competency.key, Competency.name)).all()))
    paths = _load_paths(names)
    return Catalogue(
        MappingProxyType(modules),
        frozenset(live),
        MappingProxyType(roles),
        MappingProxyType(paths),
        MappingProxyType(names),
        MappingProxyType(urls),
    )


def _load_paths(names: dict[str, str]) -> dict[str, PathPlan]:
    steps = grouped_rows(
        db.select(PathModule.path_id, Module.key)
        .join(Module)
        .order_by(PathModule.path_id, PathModule.position)
    )
    required = db.aliased(Module)
    prereqs = grouped_rows(
        db.select(PathPrerequisite.path_id, Module.key, required.key)
        .join(Module, Module.id == PathPrerequisite.module_id)
        .join(required, required.id == PathPrerequisite.requires_module_id)
    )
    paths: dict[str, PathPlan] = {}
    for path_id, key, name, role in db.session.execute(
        db.select(LearningPath.id, LearningPath.key, LearningPath.name, TargetRole.key)
        .join(TargetRole, TargetRole.id == LearningPath.role_id)
        .where(LearningPath.archived_at.is_(None))
    ):
        needs: dict[str, set[str]] = {}
        for module, before in prereqs.get(path_id, []):
            needs.setdefault(module, set()).add(before)
        paths[key] = PathPlan(
            key,
            role,
            tuple(k for (k,) in steps.get(path_id, [])),
            {k: frozenset(v) for k, v in needs.items()},
        )
        names[key] = name
    return paths
