"""The validated catalogue: plain frozen dataclasses the importer and exporter share."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class CompetencySpec:
    key: str
    name: str
    family: str
    description: str = ""


@dataclass(frozen=True)
class RoleSpec:
    key: str
    name: str
    family: str
    description: str
    requires: tuple[tuple[str, int, int], ...]  # (competency, level, weight)


@dataclass(frozen=True)
class ModuleSpec:
    key: str
    title: str
    url: str
    hours: Decimal
    xapi_activity: str | None
    requires_verification: bool
    develops: tuple[tuple[str, int], ...]  # (competency, level)
    assessment: tuple[str, int] | None  # (kind, pass mark)


@dataclass(frozen=True)
class PathSpec:
    key: str
    name: str
    role: str
    description: str
    modules: tuple[str, ...]
    prerequisites: tuple[tuple[str, str], ...]  # (module, requires module)


@dataclass(frozen=True)
class CatalogueSpec:
    competencies: tuple[CompetencySpec, ...]
    roles: tuple[RoleSpec, ...]
    modules: tuple[ModuleSpec, ...]
    paths: tuple[PathSpec, ...]
