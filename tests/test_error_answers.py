"""Error answers keep what HTTP says they must carry."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "path,kind",
    [
        ("/api/v1/completions", "application/json"),
        ("/healthz", "application/json"),
        ("/auth/login", "text/html"),
    ],
)
def test_a_method_not_allowed_names_the_allowed_ones(client, path, kind):
    response = client.delete(path)
    assert response.status_code == 405
    assert response.mimetype == kind
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert allowed and "DELETE" not in allowed
    assert "GET" in allowed or "POST" in allowed
