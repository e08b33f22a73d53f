"""One role explained to an engineer: each requirement, their levels, and what closes each gap.

Composed from `progress_of` (the same figures as every other page): no statement of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.reads.catalogue import Catalogue
from tracker.reads.progress import Progress, RoleReadiness

LEVEL_NAMES = ("none", "Aware", "Working", "Practitioner", "Expert")  # levels 0-4, DOMAIN.md


def level_name(level: int) -> str:
    """Return a proficiency level as people read it: "2 Working", "0 none"."""
    return f"{level} {LEVEL_NAMES[level]}" if 0 <= level < len(LEVEL_NAMES) else str(level)


@dataclass(frozen=True)
class RequirementRow:
    """A requirement of the role beside the engineer's levels, with the modules that close it."""

    competency: str
    required: int
    weight: int
    demonstrated: int
    claimed: int | None
    modules: tuple[str, ...]  # empty when the requirement is met

    @property
    def met(self) -> bool:
        """Return True when the demonstrated level reaches the required one."""
        return self.demonstrated >= self.required


@dataclass(frozen=True)
class RoleExplained:
    """A role, the engineer's readiness for it, its requirements and every role to compare."""

    role: RoleReadiness
    requirements: list[RequirementRow]
    suggested: list[RoleReadiness]  # every live role, closest first (DOMAIN rule 9)
    paths_to: dict[str, list[str]]  # role -> keys of the live paths that lead there
    own_modules: frozenset[str]  # modules on the engineer's paths
    own_paths: frozenset[str]


def role_explained(progress: Progress, catalogue: Catalogue, key: str) -> RoleExplained | None:
    """Return role `key` explained from `progress`, or None when it is not a live role."""
    standing = progress.role(key)
    if standing is None or key not in catalogue.roles:
        return None
    closing = {gap.competency: gap.modules for gap in standing.gaps}
    rows = [
        RequirementRow(
            r.competency,
            r.level,
            r.weight,
            progress.levels.get(r.competency, 0),
            progress.claims.get(r.competency),
            closing.get(r.competency, ()),
        )
        for r in catalogue.roles[key].requirements
    ]
    paths_to: dict[str, list[str]] = {}
    for path_key, plan in sorted(catalogue.paths.items()):
        paths_to.setdefault(plan.role, []).append(path_key)
    own_paths = frozenset(p.path for p in progress.paths)
    own_modules = frozenset(m for p in own_paths for m in catalogue.paths[p].modules)
    return RoleExplained(standing, rows, progress.roles, paths_to, own_modules, own_paths)
