"""Rejected evidence can be sent again: the log form comes filled with it and says why it was
rejected; logging makes a new piece and the rejected one stays on record."""

from __future__ import annotations

from datetime import timedelta

from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.clock import today, utcnow
from tracker.extensions import db
from tracker.models import Evidence, EvidenceKind, EvidenceStatus, Module, Role


def rejected(person, reason: str = "The link is a rule set, not a model.") -> Evidence:
    module = db.session.scalar(db.select(Module.id).where(Module.key == "pipelines-101"))
    item = Evidence(
        user_id=person.id,
        module_id=module,
        kind=EvidenceKind.COMPLETION,
        date=today() - timedelta(days=5),
        hours=4,
        evidence_url="https://git.example.com/erin/rules",
        notes="First go",
        status=EvidenceStatus.REJECTED,
        decided_at=utcnow(),
        decision_reason=reason,
        recorded_by_id=person.id,
    )
    db.session.add(item)
    db.session.commit()
    return item


def test_rejected_evidence_is_sent_again_as_a_new_piece(client, login_as, make_user, app):
    import_text(SMALL, "small.yaml")
    erin = make_user(name="Erin", roles=[Role.ENGINEER])
    item = rejected(erin)
    login_as(erin)
    listing = client.get("/progress/evidence").get_data(as_text=True)
    assert f'href="/progress/log?again={item.id}"' in listing
    form = client.get(f"/progress/log?again={item.id}").get_data(as_text=True)
    assert "“The link is a rule set, not a model.”" in form
    assert 'value="https://git.example.com/erin/rules"' in form
    assert '<option selected value="pipelines-101">' in form or (
        'value="pipelines-101" selected' in form
    )
    response = client.post(
        f"/progress/log?again={item.id}",
        data={
            "module": "pipelines-101",
            "kind": "completion",
            "on": (today() - timedelta(days=1)).isoformat(),
            "hours": "4",
            "evidence_url": "https://git.example.com/erin/model",
            "notes": "Trained and evaluated against a baseline",
        },
    )
    assert response.status_code == 302
    pieces = db.session.scalars(db.select(Evidence).order_by(Evidence.id)).all()
    assert [p.status for p in pieces] == [EvidenceStatus.REJECTED, EvidenceStatus.PENDING]
    assert pieces[1].evidence_url == "https://git.example.com/erin/model"


def test_only_its_engineer_sends_rejected_evidence_again(client, login_as, make_user, app):
    import_text(SMALL, "small.yaml")
    erin, omar = make_user(name="Erin"), make_user(name="Omar")
    item = rejected(erin)
    login_as(omar)
    form = client.get(f"/progress/log?again={item.id}").get_data(as_text=True)
    assert "rule set" not in form and "erin/rules" not in form  # an empty form, nothing shown


def test_only_rejected_evidence_is_sent_again(client, login_as, make_user, app):
    import_text(SMALL, "small.yaml")
    erin = make_user(name="Erin")
    item = rejected(erin)
    item.status = EvidenceStatus.VERIFIED
    db.session.commit()
    login_as(erin)
    assert "erin/rules" not in client.get(f"/progress/log?again={item.id}").get_data(as_text=True)
    assert "?again=" not in client.get("/progress/evidence").get_data(as_text=True)
