"""The scim2-tester compliance run against /scim/v2, through the app's WSGI interface."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from flask import Flask
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_tester import Status, check_server

from tracker.extensions import db
from tracker.models import Role
from tracker.operations.tokens import create_integration
from tracker.scim.mapping import MANAGERS_URN


def isolated(app: Flask) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """`app` as a WSGI callable whose every request runs in an app context of its own."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return contextvars.Context().run(app.wsgi_app, environ, start_response)

    return wsgi


@pytest.fixture
def scim_client(app: Flask) -> WSGISCIMClient:
    _, secret = create_integration("Directory", ["scim"], None)
    db.session.commit()
    return WSGISCIMClient(
        isolated(app),
        base_url="http://localhost/scim/v2",
        headers={"Authorization": f"Bearer {secret}"},
    )


class FreshEmails:
    """Field examples that are a new address each time the tester picks one.

    userName is the person's email here; without examples the tester sends random UUIDs.
    """

    def __len__(self) -> int:
        return 1

    def __getitem__(self, index: int) -> str:
        return f"{uuid.uuid4().hex}@example.com"


# Where the tester expects what this service deliberately does otherwise: a person is always
# active or not, so removing `active` leaves it as it was (RFC 7643 gives it no default).
KNOWN = {("User", "check_remove_attribute", "did not remove attribute 'active'")}


def test_scim2_tester_finds_no_error(scim_client, make_user):
    manager = make_user(email="lead@example.com", roles=[Role.MANAGER, Role.ENGINEER])
    scim_client.discover()  # the tester then runs against what the service publishes
    user = scim_client.get_resource_model("User")
    user.model_fields["user_name"].examples = FreshEmails()  # type: ignore[assignment]
    # a team's managers must hold the manager role: the tester names one who does
    managers = scim_client.get_resource_model("Group").get_extension_models()[MANAGERS_URN]
    reference = managers.model_fields["managers"].annotation.__args__[0].__args__[0]
    reference.model_fields["value"].examples = [str(manager.id)]

    results = check_server(scim_client)

    failed = [
        (r.resource_type, r.title, r.reason or "")
        for r in results
        if r.status not in (Status.SUCCESS, Status.SKIPPED)
    ]
    unexpected = [f for f in failed if not any(f[:2] == k[:2] and k[2] in f[2] for k in KNOWN)]
    assert not unexpected
    assert len(failed) == len(KNOWN)
    passed = {(r.resource_type, r.title) for r in results if r.status == Status.SUCCESS}
    for kind in ("User", "Group"):
        for check in (
            "object_creation",
            "object_replacement",
            "object_deletion",
            "check_add_attribute",
            "check_replace_attribute",
            "object_query",
        ):
            assert (kind, check) in passed
