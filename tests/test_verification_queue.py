"""Managers verify or reject their teams' pending evidence; never their own, never others'."""

import re
from datetime import date

import pytest

from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import (
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Module,
    Notification,
    Role,
)


@pytest.fixture
def world(app, make_user, make_team):
    import_text(SMALL, "small.yaml")
    lead = make_user(name="Lead", roles=[Role.MANAGER, Role.ENGINEER])
    engineer = make_user(name="Erin")
    stranger = make_user(name="Stranger")
    make_team(name="Payments", managers=[lead], members=[engineer, lead])
    make_team(name="Search", members=[stranger])
    module = db.session.scalar(db.select(Module.id).where(Module.key == "pipelines-101"))

    def pending(user):
        item = Evidence(
            user_id=user.id,
            module_id=module,
            kind=EvidenceKind.COMPLETION,
            date=date(2026, 1, 5),
            status=EvidenceStatus.PENDING,
            evidence_url="https://git.example.com/x",
        )
        db.session.add(item)
        db.session.commit()
        return item

    return {"lead": lead, "engineer": engineer, "stranger": stranger, "pending": pending}


def test_the_queue_shows_the_teams_evidence_and_counts_it_in_the_navigation(
    client, login_as, world
):
    world["pending"](world["engineer"])
    world["pending"](world["stranger"])
    world["pending"](world["lead"])
    page = login_as(world["lead"]).get("/team/verify").get_data(as_text=True)
    assert "Erin" in page and "Stranger" not in page
    assert page.count('type="checkbox" name="evidence"') == 1  # not the manager's own
    assert page.count('<form method="post" id="decide-') == 1  # nor its own verify and reject
    assert '<span class="badge count">1</span>' in page


def test_verify_several_at_once(client, login_as, world):
    items = [world["pending"](world["engineer"]) for _ in range(2)]
    login_as(world["lead"])
    response = client.post(
        "/team/verify", data={"evidence": [str(i.id) for i in items], "decision": "verified"}
    )
    assert response.status_code == 302
    for item in items:
        db.session.refresh(item)
        assert item.status is EvidenceStatus.VERIFIED
    assert len(db.session.scalars(db.select(Notification)).all()) == 2


def test_a_rejection_without_a_reason_changes_nothing(client, login_as, world):
    item = world["pending"](world["engineer"])
    login_as(world["lead"]).post(
        "/team/verify", data={"evidence": [str(item.id)], "decision": "rejected"}
    )
    db.session.refresh(item)
    assert item.status is EvidenceStatus.PENDING


def test_a_batch_with_anything_not_yours_changes_nothing(client, login_as, world):
    mine = world["pending"](world["engineer"])
    own = world["pending"](world["lead"])
    other = world["pending"](world["stranger"])
    login_as(world["lead"])
    for foreign in (own, other):
        client.post(
            "/team/verify",
            data={"evidence": [str(mine.id), str(foreign.id)], "decision": "verified"},
        )
    for item in (mine, own, other):
        db.session.refresh(item)
        assert item.status is EvidenceStatus.PENDING


def test_ld_sees_the_queue_but_does_not_decide_where_the_team_has_a_manager(
    client, login_as, make_user, world
):
    item = world["pending"](world["engineer"])
    ld = make_user(roles=[Role.LD])
    page = login_as(ld).get("/team/verify").get_data(as_text=True)
    assert "Erin" in page and "Verify chosen" not in page
    assert "a manager of Payments" in page
    assert (
        client.post(
            "/team/verify", data={"evidence": [str(item.id)], "decision": "verified"}
        ).status_code
        == 403
    )
    db.session.refresh(item)
    assert item.status is EvidenceStatus.PENDING


def test_a_reject_without_a_reason_keeps_the_choice_and_marks_the_reason(client, login_as, world):
    first, second = world["pending"](world["engineer"]), world["pending"](world["engineer"])
    response = login_as(world["lead"]).post(
        "/team/verify", data={"evidence": [str(first.id)], "decision": "rejected"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    box = {
        i: re.search(rf'<input type="checkbox"[^>]*value="{i}"[^>]*>', page).group()
        for i in (first.id, second.id)
    }
    assert " checked" in box[first.id] and " checked" not in box[second.id]
    assert 'aria-invalid="true"' in page and "Say why the evidence is rejected" in page
    for item in (first, second):
        db.session.refresh(item)
        assert item.status is EvidenceStatus.PENDING
