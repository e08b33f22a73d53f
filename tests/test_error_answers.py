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


def test_a_path_cannot_forge_a_line_in_the_servers_log(database_url, caplog):
    from config import TestingConfig
    from tracker import create_app

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/explode/<rest>")
    def explode(rest: str) -> str:
        raise RuntimeError("boom")

    with caplog.at_level("ERROR", logger="tracker"):
        response = app.test_client().get("/explode/x%0A2026-12-02 INFO forged: admin logged in")
    assert response.status_code == 500
    (line,) = [r.getMessage() for r in caplog.records if "Exception on" in r.getMessage()]
    assert "\n" not in line and "x\\n2026-12-02 INFO forged" in line
