"""The Users resource: people. POST, GET (one or a filtered, paged list), PUT, PATCH, DELETE.

A deprovisioned person (DELETE) is not found here and not listed; a later POST of their
userName brings the same person back.
"""

from __future__ import annotations

from flask import Response
from scim2_models import Context, PatchOp

from tracker.extensions import db
from tracker.models import Team
from tracker.models import User as Person
from tracker.scim import bp
from tracker.scim.auth import MEDIA_TYPE, Refused
from tracker.scim.mapping import DirectoryUser as User
from tracker.scim.mapping import as_user, emails_of, name_of
from tracker.scim.protocol import (
    id_equals,
    json_body,
    listed,
    one,
    page_arguments,
    parse,
    selected,
)
from tracker.scim.provisioning import (
    PersonFields,
    checked_person,
    deprovision,
    provision,
    row_id,
    update,
)

FILTERS = {
    "userName": Person.email,
    "externalId": Person.external_id,
    "id": id_equals(Person.id),
    "emails.value": Person.email,
    "emails": Person.email,
    "active": Person.active,
}


@bp.post("/Users")
def create_user() -> Response:
    """Provision a person (201), or bring back one deleted earlier with the same userName."""
    resource = parse(User, json_body(), Context.RESOURCE_CREATION_REQUEST)
    person, _ = provision(_fields(resource))
    db.session.commit()
    return one(_user(person), Context.RESOURCE_CREATION_RESPONSE, 201)


@bp.get("/Users/<user_id>")
def get_user(user_id: str) -> Response:
    """One person."""
    return one(_user(_person(user_id)), Context.RESOURCE_QUERY_RESPONSE)


@bp.get("/Users")
def list_users() -> Response:
    """People, by id, filtered and paged: a fixed number of statements for any page size."""
    page = page_arguments()
    query = db.select(Person).where(Person.deprovisioned_at.is_(None))
    total, people = selected(query, page, FILTERS, Person.id)
    teams = _team_names({p.team_id for p in people if p.team_id is not None})
    resources = [as_user(p, teams.get(p.team_id or 0)) for p in people]
    return listed(User, resources, total, page)


@bp.put("/Users/<user_id>")
def replace_user(user_id: str) -> Response:
    """Replace a person's userName, name, active and externalId (groups are read-only)."""
    person = _person(user_id)
    resource = parse(User, json_body(), Context.RESOURCE_REPLACEMENT_REQUEST)
    update(person, _fields(resource))  # active left out: the person stays as they are
    db.session.commit()
    return one(_user(person), Context.RESOURCE_REPLACEMENT_RESPONSE)


@bp.patch("/Users/<user_id>")
def patch_user(user_id: str) -> Response:
    """Apply add, replace and remove operations (scim2-models applies them to the resource)."""
    person = _person(user_id)
    patch = parse(PatchOp[User], json_body(), Context.RESOURCE_PATCH_REQUEST)
    before = _user(person)
    after = before.model_copy(deep=True)
    patch.patch(after)
    email = (after.user_name or "").strip().lower()
    new_emails, old_emails = emails_of(after), emails_of(before)
    if email == person.email and new_emails and new_emails != old_emails:
        email = new_emails[0]  # a changed primary email, userName left alone: the email moves
    fields = checked_person(email, name_of(after, before), after.active, after.external_id)
    update(person, fields)
    db.session.commit()
    return one(_user(person), Context.RESOURCE_PATCH_RESPONSE)


@bp.delete("/Users/<user_id>")
def delete_user(user_id: str) -> Response:
    """Deprovision: deactivate (sessions and tokens end) and keep the person and their history."""
    deprovision(_person(user_id))
    db.session.commit()
    return Response(status=204, mimetype=MEDIA_TYPE)


def _fields(resource: User) -> PersonFields:
    if not resource.user_name:
        raise Refused(400, "userName (the person's email) is required.", "invalidValue")
    return checked_person(
        resource.user_name, name_of(resource), resource.active, resource.external_id
    )


def _person(user_id: str) -> Person:
    number = row_id(user_id)
    person = db.session.get(Person, number) if number is not None else None
    if person is None or person.deprovisioned_at is not None:
        raise Refused(404, f"There is no User {user_id}.")
    return person


def _user(person: Person) -> User:
    team = db.session.get(Team, person.team_id) if person.team_id is not None else None
    return as_user(person, team.name if team else None)


def _team_names(team_ids: set[int]) -> dict[int, str]:
    if not team_ids:
        return {}
    rows = db.session.execute(db.select(Team.id, Team.name).where(Team.id.in_(team_ids)))
    return {team_id: name for team_id, name in rows}
