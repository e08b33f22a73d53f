"""People and teams as SCIM resources, and what a SCIM resource says about a person or team.

A person is a `User`: id = the person's id, userName = their email (lower-cased), name.formatted
and displayName = their name, active, externalId, emails = [their email], groups = [their team]
(read-only). A team is a `Group`: displayName = its name, members = its people (by id), and
its managers in the extension `urn:ietf:params:scim:schemas:extension:tracker:2.0:Group`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from flask import url_for
from scim2_models import (
    URN,
    CaseExact,
    ComplexAttribute,
    Email,
    Extension,
    Group,
    GroupMember,
    GroupMembership,
    Meta,
    Name,
    Reference,
    Required,
    User,
)

from tracker.models import Team
from tracker.models import User as Person

MANAGERS_URN = "urn:ietf:params:scim:schemas:extension:tracker:2.0:Group"


class ManagerRef(ComplexAttribute):
    """One manager of the team: the id of a User who holds the manager role."""

    value: Annotated[str | None, Required.true, CaseExact.true] = None
    """The id of the User who manages the team."""


class TeamManagers(Extension):
    """The team's managers (people holding the manager role)."""

    __schema__ = URN(MANAGERS_URN)

    managers: list[ManagerRef] | None = None
    """The Users who manage the team; each must hold the manager role."""


# Group takes its extensions at run time; mypy sees a plain class
TeamGroup = Group[TeamManagers]  # type: ignore[type-arg]


class DirectoryEmail(Email):
    """An email of a User, checked as the rest of the app checks emails (`tracker.emails`).

    pydantic's own check refuses the internal and reserved domains company directories use.
    """

    value: str | None = None


class DirectoryUser(User[Any]):
    """The core User, whose emails may be on any domain the company uses."""

    emails: list[DirectoryEmail] | None = None  # type: ignore[assignment]


def user_location(user_id: int) -> str:
    """The URL of a person's User resource."""
    return url_for("scim.get_user", user_id=user_id, _external=True)


def group_location(team_id: int) -> str:
    """The URL of a team's Group resource."""
    return url_for("scim.get_group", team_id=team_id, _external=True)


def as_user(person: Person, team_name: str | None) -> DirectoryUser:
    """Return the User resource of `person`, whose team (if any) is named `team_name`."""
    named = bool(person.name) and person.name != person.email  # the email stands in for no name
    groups = None
    if person.team_id is not None:
        groups = [
            GroupMembership(
                value=str(person.team_id),
                ref=Reference[Group](group_location(person.team_id)),
                display=team_name,
                type="direct",
            )
        ]
    return DirectoryUser(
        id=str(person.id),
        external_id=person.external_id,
        user_name=person.email,
        name=Name(formatted=person.name) if named else None,
        display_name=person.name if named else None,
        active=person.active,
        emails=[DirectoryEmail(value=person.email, type=Email.Type.work, primary=True)],
        groups=groups,
        meta=Meta(
            resource_type="User",
            created=person.created_at,
            last_modified=person.created_at,  # no column records a person's last change
            location=user_location(person.id),
        ),
    )


def as_group(team: Team, member_ids: Iterable[int], manager_ids: Iterable[int]) -> Any:
    """Return the Group resource of `team` with these members and managers."""
    members = [
        GroupMember(value=str(i), ref=Reference[Any](user_location(i)), type="User")
        for i in sorted(member_ids)
    ]
    group = TeamGroup(
        id=str(team.id),
        external_id=team.external_id,
        display_name=team.name,
        members=members or None,
        meta=Meta(
            resource_type="Group",
            created=team.created_at,
            last_modified=team.created_at,  # no column records a team's last change
            location=group_location(team.id),
        ),
    )
    managers = sorted(manager_ids)
    if managers:
        group[TeamManagers] = TeamManagers(managers=[ManagerRef(value=str(i)) for i in managers])
    return group


def name_of(resource: User[Any], before: User[Any] | None = None) -> str | None:
    """The person's name a User gives: name.formatted, givenName + familyName, or displayName.

    After a PATCH (`before` given), a changed givenName or familyName wins over a formatted
    name the patch left as it was, and a changed displayName over an unchanged name.
    """
    name = resource.name or Name()
    old = (before.name if before else None) or Name()
    parts = " ".join(p.strip() for p in (name.given_name, name.family_name) if p and p.strip())
    formatted = (name.formatted or "").strip()
    display = (resource.display_name or "").strip()
    if before is None:
        return formatted or parts or display or None
    # after a PATCH: what the patch changed counts; what it left is the name as stored
    renamed = (name.given_name, name.family_name) != (old.given_name, old.family_name)
    if parts and renamed and formatted == (old.formatted or "").strip():
        return parts
    if display and display != (before.display_name or "") and formatted == (old.formatted or ""):
        return display
    return formatted or parts or None


def emails_of(resource: User[Any]) -> list[str]:
    """The addresses a User lists, the primary one first."""
    emails = sorted(resource.emails or [], key=lambda e: not e.primary)
    return [str(e.value).strip().lower() for e in emails if e.value]


def manager_ids_of(group: Any) -> list[str] | None:
    """The manager ids the Group's extension lists (None when it has no extension)."""
    extension = group[TeamManagers]
    if extension is None:
        return None
    return [ref.value or "" for ref in extension.managers or []]


def member_ids_of(group: Any) -> list[str]:
    """The member ids the Group lists."""
    return [member.value or "" for member in group.members or []]
