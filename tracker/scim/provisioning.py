"""SCIM's writes to people, through the operations the admin pages use.

Add and flush, never commit: the view commits once, so an error leaves nothing half-written.
Refusals are scim2-models exceptions (uniqueness, invalidValue, …), answered as error documents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scim2_models import InvalidValueException, UniquenessException
from sqlalchemy import func

from tracker import audit
from tracker.admin.people import (
    AdminRuleError,
    change_email,
    create_person,
    set_active,
    update_person,
)
from tracker.emails import is_email, normalise
from tracker.extensions import db
from tracker.models import (
    Role,
    User,
    utcnow,
)
from tracker.routing import MAX_ID

MAX_NAME = 120  # users.name and teams.name
MAX_EXTERNAL_ID = 255


def row_id(text: str) -> int | None:
    """The id a path or filter gives as text, or None when no row can have it."""
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or int(text) > MAX_ID:
        return None
    return int(text)


@dataclass(frozen=True)
class PersonFields:
    """What a SCIM User sets on a person; `active` None leaves it as it is."""

    email: str
    name: str | None
    active: bool | None
    external_id: str | None


def checked_person(
    email: str, name: str | None, active: bool | None, external_id: str | None
) -> PersonFields:
    """Return the fields, or refuse with invalidValue naming what is wrong."""
    email = normalise(email)
    if not is_email(email):
        raise InvalidValueException(
            detail=f"userName must be the person's email address, like name@company.com; "
            f"{email[:80]!r} is not one."
        )
    name = name.strip() if name else None
    if name is not None and len(name) > MAX_NAME:
        raise InvalidValueException(detail=f"The name is longer than {MAX_NAME} characters.")
    if external_id is not None and len(external_id) > MAX_EXTERNAL_ID:
        raise InvalidValueException(
            detail=f"externalId is longer than {MAX_EXTERNAL_ID} characters."
        )
    return PersonFields(email, name, active, external_id)


def _by_email(email: str) -> User | None:
    found: User | None = db.session.scalar(db.select(User).where(func.lower(User.email) == email))
    return found


def provision(fields: PersonFields) -> tuple[User, bool]:
    """Create a person (an engineer, no password), or bring back one deprovisioned earlier.

    Return the person and True when they are new. An email a provisioned person has is a
    uniqueness error.
    """
    existing = _by_email(fields.email)
    if existing is not None and existing.deprovisioned_at is None:
        raise UniquenessException(
            detail=f"{fields.email} already has an account (User {existing.id})."
        )
    if existing is not None:
        existing.deprovisioned_at = None
        audit.record("person.reprovisioned", existing.email, "provisioned again after a delete")
        update(
            existing,
            PersonFields(fields.email, fields.name, fields.active is not False, fields.external_id),
        )
        return existing, False
    person = create_person(fields.email, fields.name or fields.email, {Role.ENGINEER}, None)
    person.external_id = fields.external_id
    if fields.active is False:
        _set_active(person, False)
    return person, True


def update(person: User, fields: PersonFields) -> None:
    """Make `person` what `fields` say (a PUT, or a PATCH once applied), auditing each change."""
    if fields.email != person.email:
        other = _by_email(fields.email)
        if other is not None and other.id != person.id:
            raise UniquenessException(detail=f"{fields.email} already belongs to another person.")
        change_email(person, fields.email)
    name = fields.name or person.email
    if name != person.name:
        audit.record("person.renamed", person.email, f"{person.name} -> {name}")
        update_person(person, None, name, set(person.roles), person.team_id)
    if fields.external_id != person.external_id:
        audit.record(
            "person.external_id_changed",
            person.email,
            f"{person.external_id} -> {fields.external_id}",
        )
        person.external_id = fields.external_id
    if fields.active is not None:
        _set_active(person, fields.active)
    db.session.flush()


def _set_active(person: User, active: bool) -> None:
    """Deactivate (sessions end, tokens stop) or reactivate, as the admin page does."""
    try:
        set_active(person, None, active)
    except AdminRuleError as error:
        raise InvalidValueException(detail=str(error)) from None


def deprovision(person: User) -> None:
    """Deactivate `person` and note when the directory removed them; their history is kept."""
    _set_active(person, False)
    person.deprovisioned_at = utcnow()
    audit.record("person.deprovisioned", person.email, "deleted by the directory; kept, inactive")
    db.session.flush()


def provisioned_people(ids: Iterable[str], what: str) -> dict[int, User]:
    """Return the provisioned people these ids name; invalidValue naming any unknown id."""
    wanted = {text: number for text in ids if (number := row_id(text)) is not None}
    unknown = sorted(set(ids) - wanted.keys())
    found = {}
    if wanted:
        query = db.select(User).where(
            User.id.in_(set(wanted.values())), User.deprovisioned_at.is_(None)
        )
        found = {person.id: person for person in db.session.scalars(query)}
    unknown += sorted(text for text, number in wanted.items() if number not in found)
    if unknown:
        raise InvalidValueException(detail=f"No User has the id {unknown[0]!r} ({what}).")
    return found
