"""What the service offers (RFC 7644 §4): ServiceProviderConfig, ResourceTypes and Schemas.

The published schemas describe what is stored and returned: a User's userName, name.formatted,
active and externalId are written; displayName, emails and groups are read-only (they follow
the name, the email and the team). A Group's displayName, members and the managers extension.
"""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    ETag,
    External,
    Filter,
    Group,
    ListResponse,
    Meta,
    Mutability,
    Patch,
    Reference,
    ResourceType,
    Schema,
    ServiceProviderConfig,
    Sort,
    User,
)

from tracker.scim import bp
from tracker.scim.auth import Refused, scim_json
from tracker.scim.mapping import MANAGERS_URN, TeamManagers
from tracker.scim.protocol import MAX_RESULTS

DOCS = "https://datatracker.ietf.org/doc/html/rfc7644"
USER_ATTRIBUTES = {
    "userName": None,
    "name": {"formatted"},
    "displayName": None,
    "active": None,
    "emails": {"value", "type", "primary"},
    "groups": None,
}
READ_ONLY = {"displayName", "emails", "groups"}
GROUP_ATTRIBUTES = {"displayName": None, "members": {"value", "$ref", "type"}}


def _trimmed(schema: Schema, keep: dict[str, set[str] | None], description: str) -> Schema:
    """`schema` with only the attributes (and sub-attributes) this service stores."""
    attributes = []
    for attribute in schema.attributes or []:
        if attribute.name not in keep:
            continue
        subs = keep[attribute.name]
        if subs is not None:
            attribute.sub_attributes = [s for s in attribute.sub_attributes or [] if s.name in subs]
        if attribute.name in READ_ONLY and schema.id == User.__schema__:
            attribute.mutability = Mutability.read_only
            for sub in attribute.sub_attributes or []:
                sub.mutability = Mutability.read_only
        attributes.append(attribute)
    schema.attributes = attributes
    schema.description = description
    return schema


def schemas() -> list[Schema]:
    """Every schema the service publishes, each with its location."""
    found = [
        _trimmed(User.to_schema(), USER_ATTRIBUTES, "A person; userName is their email."),
        _trimmed(Group.to_schema(), GROUP_ATTRIBUTES, "A team; members are its people."),
        TeamManagers.to_schema(),
        ServiceProviderConfig.to_schema(),
        ResourceType.to_schema(),
        Schema.to_schema(),
    ]
    found[2].name = "TeamManagers"
    found[2].description = "The team's managers: Users holding the manager role."
    for schema in found:
        schema.meta = Meta(resource_type="Schema", location=_at("scim.get_schema", schema.id))
    return found


def resource_types() -> list[ResourceType]:
    """The User and Group resource types."""
    user = {
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "People",
        "schema": User.__schema__,
    }
    group = {
        "id": "Group",
        "name": "Group",
        "endpoint": "/Groups",
        "description": "Teams",
        "schema": Group.__schema__,
        "schemaExtensions": [{"schema": MANAGERS_URN, "required": False}],
    }
    found = [ResourceType.model_validate(user), ResourceType.model_validate(group)]
    for resource_type in found:
        location = _at("scim.get_resource_type", resource_type.id)
        resource_type.meta = Meta(resource_type="ResourceType", location=location)
    return found


def _at(endpoint: str, ident: Any) -> str:
    return url_for(endpoint, ident=ident, _external=True)


@bp.get("/ServiceProviderConfig")
def service_provider_config() -> Response:
    """What the service supports: patch, filter (eq), no bulk, no sort, no etags."""
    config = ServiceProviderConfig(
        documentation_uri=Reference[External](DOCS),
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Bearer token",
                primary=True,
                description="The token of an integration with the scim scope.",
            )
        ],
        meta=Meta(
            resource_type="ServiceProviderConfig",
            location=url_for("scim.service_provider_config", _external=True),
        ),
    )
    return scim_json(config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


@bp.get("/ResourceTypes")
def list_resource_types() -> Response:
    """Both resource types."""
    return _listed(ResourceType, resource_types())


@bp.get("/ResourceTypes/<ident>")
def get_resource_type(ident: str) -> Response:
    """One resource type by id."""
    return _one([r for r in resource_types() if r.id == ident], f"resource type {ident}")


@bp.get("/Schemas")
def list_schemas() -> Response:
    """Every schema."""
    return _listed(Schema, schemas())


@bp.get("/Schemas/<ident>")
def get_schema(ident: str) -> Response:
    """One schema by its URN."""
    return _one([s for s in schemas() if s.id == ident], f"schema {ident}")


@bp.post("/.search")
def search_everything() -> Response:
    """Searching every resource type at once is not offered (RFC 7644 §3.4.3 allows 501)."""
    raise Refused(501, "Search one resource type at a time: GET /Users or /Groups with a filter.")


def _listed(model: Any, items: list[Any]) -> Response:
    answer = ListResponse[model](
        total_results=len(items), start_index=1, items_per_page=len(items), resources=items
    )
    return scim_json(answer.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def _one(found: list[Any], what: str) -> Response:
    if not found:
        raise Refused(404, f"There is no {what}.")
    return scim_json(found[0].model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
