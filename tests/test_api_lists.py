"""Lists in the API (`?limit=&offset=` → `{"items", "total"}`), and the API's JSON errors."""

from __future__ import annotations

import pytest

from tracker.extensions import db
from tracker.models import ApiToken
from tracker.operations.tokens import issue_token


@pytest.fixture
def caller(make_user):
    """A person with three tokens, and a stranger with one; return the caller's headers."""
    user = make_user(email="lister@corp.test")
    secrets = [issue_token(user, f"token {n}")[1] for n in range(3)]
    issue_token(make_user(email="stranger@corp.test"), "not yours")
    db.session.commit()
    return {"Authorization": f"Bearer {secrets[0]}"}


def test_tokens_lists_only_the_callers_tokens_and_never_a_hash(client, caller):
    body = client.get("/api/v1/tokens", headers=caller).get_json()
    assert body["total"] == 3
    assert sorted(item["label"] for item in body["items"]) == ["token 0", "token 1", "token 2"]
    hashes = set(db.session.scalars(db.select(ApiToken.token_hash)))
    for item in body["items"]:
        assert set(item) == {"id", "label", "prefix", "created_at", "last_used_at", "revoked_at"}
        assert item["prefix"].startswith("trk_")
        assert not hashes & {str(value) for value in item.values()}


def test_limit_and_offset_page_through_the_list(client, caller):
    first = client.get("/api/v1/tokens?limit=2", headers=caller).get_json()
    rest = client.get("/api/v1/tokens?limit=2&offset=2", headers=caller).get_json()
    beyond = client.get("/api/v1/tokens?offset=10", headers=caller).get_json()
    assert (len(first["items"]), len(rest["items"]), beyond["items"]) == (2, 1, [])
    assert first["total"] == rest["total"] == beyond["total"] == 3
    ids = [item["id"] for item in first["items"] + rest["items"]]
    assert len(set(ids)) == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=-1", "limit"),
        ("limit=ten", "limit"),
        ("limit=", "limit"),
        ("limit=1.5", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
        ("offset=99999999999999999999", "offset"),
        ("limt=5", "limt"),
    ],
)
def test_bad_paging_values_are_refused_naming_the_field(client, caller, query, field):
    response = client.get(f"/api/v1/tokens?{query}", headers=caller)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {field}


def test_the_limit_bounds_are_accepted(client, caller):
    for limit in (1, 200):
        response = client.get(f"/api/v1/tokens?limit={limit}", headers=caller)
        assert response.status_code == 200


def test_an_unknown_api_route_answers_json_404(client, caller):
    for headers in (caller, {}):
        response = client.get("/api/v1/no-such-thing", headers=headers)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_a_wrong_method_on_an_api_route_answers_json_405(client, caller):
    response = client.delete("/api/v1/me", headers=caller)
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_an_unknown_site_route_still_renders_an_html_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<html" in response.get_data(as_text=True).lower()


def test_api_answers_are_never_cached(client, caller):
    assert client.get("/api/v1/me", headers=caller).headers["Cache-Control"] == "no-store"
