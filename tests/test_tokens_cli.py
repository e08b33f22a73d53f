"""`flask tokens create EMAIL [--label L]`: prints a token once; refuses bad input cleanly."""

from __future__ import annotations

import pytest

from tracker.extensions import db
from tracker.models import ApiToken, AuditEvent
from tracker.operations.tokens import digest


def test_create_prints_a_working_token_once_and_stores_only_its_hash(client, runner, make_user):
    user = make_user(email="bot@corp.test")
    result = runner.invoke(args=["tokens", "create", "BOT@corp.test", "--label", "nightly"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("trk_") and "\n" not in secret
    assert "will not be shown again" in result.stderr
    token = db.session.scalar(db.select(ApiToken))
    assert (token.user_id, token.label) == (user.id, "nightly")
    assert token.token_hash == digest(secret)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "token.created"))
    assert event.target == "bot@corp.test" and secret not in event.detail
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.get_json()["email"] == "bot@corp.test"


def test_the_label_is_optional(runner, make_user):
    make_user(email="bot@corp.test")
    assert runner.invoke(args=["tokens", "create", "bot@corp.test"]).exit_code == 0
    assert db.session.scalar(db.select(ApiToken.label)) == ""


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["nobody@corp.test"], "no person has the email"),
        (["inactive@corp.test"], "deactivated"),
        (["bot@corp.test", "--label", "x" * 81], "--label"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line_and_creates_nothing(
    runner, make_user, args, reason
):
    make_user(email="bot@corp.test")
    make_user(email="inactive@corp.test", active=False)
    result = runner.invoke(args=["tokens", "create", *args])
    assert result.exit_code != 0
    assert reason in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == 0
