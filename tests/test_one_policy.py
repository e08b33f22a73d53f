"""One policy: every surface asks `tracker.policy`, so changing a rule there changes them all.

Each test either changes a policy rule (monkeypatch) and sees every surface follow it, or
checks that a surface answers 404 to who may not see a thing and 403 to who may see it but
not act on it. A copy of a rule written back into a surface makes one of them fail.
"""

from __future__ import annotations

import ast
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import false

from tests.catalogue_fixtures import SMALL
from tracker import policy
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import (
    ApiToken,
    AuditEvent,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Module,
    Role,
    Team,
)
from tracker.operations import FourEyes, decide
from tracker.operations.tokens import create_integration, issue_token
from tracker.reads.queue import (
    _decidable,
    decidable_by_person,
    decidable_count,
    decidable_teams,
    queue,
)
from tracker.team.assign import assignable
from tracker.team.dashboard import visible_teams
from tracker.templating import NAVIGATION

TRACKER = Path(__file__).resolve().parent.parent / "tracker"


@pytest.fixture
def org(app, make_user, make_team):
    """Payments (Mia manages; Eve, Mia engineers), Search (Sol manages alone; Sam), L&D, admin."""
    import_text(SMALL, "small.yaml")
    people = {
        "eve": make_user(email="eve@corp.test", name="Eve"),
        "mia": make_user(email="mia@corp.test", name="Mia", roles=[Role.MANAGER, Role.ENGINEER]),
        "sol": make_user(email="sol@corp.test", name="Sol", roles=[Role.MANAGER, Role.ENGINEER]),
        "sam": make_user(email="sam@corp.test", name="Sam"),
        "boss": make_user(email="boss@corp.test", name="Boss", roles=[Role.MANAGER]),
        "ld": make_user(email="ld@corp.test", name="Lia", roles=[Role.LD]),
        "admin": make_user(email="admin@corp.test", name="Ada", roles=[Role.ADMIN]),
    }
    payments = make_team(
        name="Payments", managers=[people["mia"], people["boss"]], members=[people["eve"]]
    )
    search = make_team(
        name="Search", managers=[people["sol"]], members=[people["sol"], people["sam"]]
    )
    people["mia"].team_id = payments.id
    db.session.commit()
    return {**people, "payments": payments, "search": search}


def pending(user, recorded_by=None) -> Evidence:
    module = db.session.scalar(db.select(Module.id).where(Module.key == "pipelines-101"))
    item = Evidence(
        user_id=user.id,
        module_id=module,
        kind=EvidenceKind.COMPLETION,
        date=date(2026, 1, 5),
        status=EvidenceStatus.PENDING,
        recorded_by_id=recorded_by.id if recorded_by else user.id,
    )
    db.session.add(item)
    db.session.commit()
    return item


# "Every team, or only the managed ones" is one rule, read by every list of teams or people.


def test_every_team_list_follows_the_one_visibility_rule(org, monkeypatch):
    eve_item, sam_item = pending(org["eve"]), pending(org["sam"])
    ld = org["ld"]
    assert [t.name for t in visible_teams(ld)] == ["Payments", "Search"]
    assert {r.evidence.id for r in queue(ld)} == {eve_item.id, sam_item.id}

    search = org["search"].id
    monkeypatch.setattr(policy, "visible_team_ids", lambda viewer: {search})
    assert [t.name for t in visible_teams(ld)] == ["Search"]
    assert {r.evidence.id for r in queue(ld)} == {sam_item.id}
    assert set(decidable_teams(ld)) <= {search}
    assert {p.email for p in assignable(ld)} == {"sol@corp.test", "sam@corp.test"}
    assert not policy.may_see_team(ld, org["payments"].id)


def test_the_api_lists_the_teams_the_policy_says_a_person_manages(client, org, monkeypatch):
    _, secret = issue_token(org["eve"], "me")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).get_json()["manages"] == []
    search = org["search"].id
    monkeypatch.setattr(
        policy, "managed_teams", lambda user: db.select(Team.id).where(Team.id == search)
    )
    manages = client.get("/api/v1/me", headers=headers).get_json()["manages"]
    assert [team["name"] for team in manages] == ["Search"]


# Four eyes: the queue, the badge, the digest and the operation ask the same rule.


def test_the_digest_and_the_badge_agree_for_everyone_admins_included(org):
    pending(org["eve"])  # Mia or Boss
    pending(org["mia"], recorded_by=org["boss"])  # nobody else manages Payments: L&D, admin
    pending(org["sam"], recorded_by=org["sol"])  # Sol recorded it, alone on Search: L&D, admin
    pending(org["sol"])  # Sol's own: L&D, admin
    expected = {"mia": 1, "boss": 1, "ld": 3, "admin": 3}
    assert {p.email.split("@")[0]: n for p, n in decidable_by_person().items()} == expected
    people = [v for k, v in org.items() if k not in ("payments", "search")]
    for person in people:
        assert decidable_count(person) == expected.get(person.email.split("@")[0], 0)


def test_the_badge_and_the_digest_count_what_the_queue_lets_each_person_decide(org):
    """Every subject with every recorder: the grouped counts equal the queue's row by row."""
    people = [v for k, v in org.items() if k not in ("payments", "search")]
    subjects = [org["eve"], org["mia"], org["sol"], org["sam"]]
    for subject in subjects:
        for recorder in people:
            pending(subject, recorded_by=recorder)
    digest = decidable_by_person()
    for person in people:
        rows = [row for row in queue(person) if row.may_decide] if policy.may_verify(person) else []
        by_team: dict[int | None, int] = {}
        for row in rows:
            by_team[row.engineer.team_id] = by_team.get(row.engineer.team_id, 0) + 1
        assert dict(decidable_teams(person)) == by_team if rows else not decidable_teams(person)
        assert decidable_count(person) == len(rows)
        assert digest.get(person, 0) == len(rows)
    assert decidable_count(org["ld"]) > 0 and decidable_count(org["boss"]) > 0


def test_a_manager_of_no_team_has_nothing_to_decide_and_sees_pages(org, make_user, login_as):
    """The badge's statement binds the viewer's teams when it runs: none is a count of 0."""
    pending(org["eve"])
    pending(org["sol"])
    idle = make_user(email="idle.manager@corp.test", roles=[Role.MANAGER])
    assert policy.visible_team_ids(idle) == set()
    assert not decidable_teams(idle) and decidable_count(idle) == 0
    assert decidable_count(org["mia"]) == 1 and decidable_count(org["ld"]) == 1  # Sol's own
    page = login_as(idle).get("/team/")
    assert page.status_code == 200
    assert "You do not manage a team yet." in page.get_data(as_text=True)


def test_the_digest_and_the_badge_ask_the_policy_who_may_decide(org, monkeypatch):
    pending(org["eve"])
    assert decidable_by_person() and decidable_count(org["mia"]) == 1
    monkeypatch.setattr(policy, "may_decide", lambda *args: False)
    assert decidable_by_person() == {}
    monkeypatch.setattr(policy, "may_decide_where", lambda *args: false())
    _decidable.cache_clear()  # the badge's statement is built once per way of deciding
    try:
        assert decidable_count(org["mia"]) == 0
    finally:
        monkeypatch.undo()
        _decidable.cache_clear()
    assert decidable_count(org["mia"]) == 1


def test_the_rule_as_sql_agrees_with_the_rule_in_python_for_every_piece_and_viewer(
    org, make_user, make_team
):
    """The badge counts with `policy.may_decide_where`, the queue decides row by row with
    `policy.may_decide`: every subject with every recorder (and none), in teams with two
    managers, one, only an inactive one and one who no longer holds the role, and in no team;
    every viewer, an L&D person who also manages a team among them."""
    gone = make_user(email="gone@corp.test", name="Gone", roles=[Role.MANAGER], active=False)
    former = make_user(email="former@corp.test", name="Former", roles=[Role.ENGINEER])
    kim, lou, ben = (make_user(email=f"{n}@corp.test", name=n) for n in ("kim", "lou", "ben"))
    both = make_user(email="bo@corp.test", name="Bo", roles=[Role.MANAGER, Role.LD])
    make_team(name="Orphans", managers=[gone, former], members=[kim, former])
    make_team(name="Platform", managers=[both], members=[ben])  # Lou is in no team
    viewers = [v for k, v in org.items() if k not in ("payments", "search")]
    viewers += [gone, former, kim, lou, ben, both]
    module = db.session.scalar(db.select(Module.id).where(Module.key == "pipelines-101"))
    for subject in [org["eve"], org["mia"], org["sol"], org["sam"], kim, former, lou, ben]:
        for recorder in [None, *viewers]:
            db.session.add(
                Evidence(
                    user_id=subject.id,
                    module_id=module,
                    kind=EvidenceKind.COMPLETION,
                    date=date(2026, 1, 5),
                    status=EvidenceStatus.PENDING,
                    recorded_by_id=recorder.id if recorder else None,
                )
            )
    db.session.commit()
    for viewer in viewers:
        rows = queue(viewer) if policy.may_verify(viewer) else []
        expected = Counter(row.engineer.team_id for row in rows if row.may_decide)
        assert decidable_teams(viewer) == expected, viewer.email
        assert decidable_count(viewer) == sum(expected.values())
    assert all(decidable_count(v) > 0 for v in (org["ld"], org["admin"], org["sol"], both))


def test_the_operation_asks_the_policy_who_is_a_party_to_the_evidence(org, monkeypatch):
    item = pending(org["eve"])
    monkeypatch.setattr(policy, "is_party", lambda person, subject, recorder: True)
    with pytest.raises(FourEyes):
        decide(item, org["mia"], True)
    monkeypatch.setattr(policy, "is_party", lambda person, subject, recorder: False)
    decide(item, org["eve"], True)  # the rule, not a copy of it, decides
    assert item.status is EvidenceStatus.VERIFIED
    db.session.rollback()


# Pages are guarded by the policy's rules, and the navigation shows what the guards let in.


def test_the_administration_pages_are_guarded_by_may_administer(app):
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith("admin."):
            assert getattr(view, "permission", None) is policy.may_administer, endpoint
    assert app.view_functions["team.verify"].permission is policy.may_verify
    assert app.view_functions["team.decide_evidence"].permission is policy.may_verify
    assert app.view_functions["team.assign"].permission is policy.may_assign_paths


@pytest.mark.parametrize("person", ["eve", "mia", "boss", "ld", "admin"])
def test_the_navigation_shows_exactly_the_pages_the_person_may_open(client, login_as, org, person):
    login_as(org[person])
    page = client.get("/").get_data(as_text=True)
    nav = page.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    for item in NAVIGATION:
        status = client.get(app_url(client, item.endpoint)).status_code
        shown = f">{item.label}<" in nav or f">{item.label} <" in nav
        assert shown == (status != 403), f"{item.label} for {person}: {status}"
    if person == "admin":  # admins hold every role
        assert all(f">{label}" in nav for label in ("Team", "Company", "Verify", "Catalogue"))


def app_url(client, endpoint: str) -> str:
    with client.application.test_request_context():
        return url_for(endpoint)


# Withdrawing evidence: only its engineer; who may see it is refused, anyone else finds nothing.


@pytest.mark.parametrize(
    "person,status", [("eve", 302), ("mia", 403), ("boss", 403), ("ld", 403), ("admin", 403)]
)
def test_withdrawing_is_refused_to_who_may_see_the_evidence(client, login_as, org, person, status):
    item = pending(org["eve"])
    response = login_as(org[person]).post(f"/progress/evidence/{item.id}/withdraw")
    assert response.status_code == status
    db.session.expire_all()
    withdrawn = db.session.get(Evidence, item.id).status is EvidenceStatus.WITHDRAWN
    assert withdrawn == (status == 302)


@pytest.mark.parametrize("person", ["sol", "sam"])
def test_withdrawing_what_you_may_not_see_is_not_found(client, login_as, org, person):
    item = pending(org["eve"])
    login_as(org[person])
    assert client.post(f"/progress/evidence/{item.id}/withdraw").status_code == 404
    assert client.post("/progress/evidence/999999/withdraw").status_code == 404
    assert db.session.get(Evidence, item.id).status is EvidenceStatus.PENDING


# Staffing targets: the team's managers and admins set them; L&D see the dashboard, may not.


@pytest.mark.parametrize("person,status", [("mia", 302), ("admin", 302), ("ld", 403), ("sol", 404)])
def test_who_may_set_a_teams_targets(client, login_as, org, person, status):
    form = {"role": "ml-engineer", "count": "3", "by": "2027-06-30"}
    response = login_as(org[person]).post(f"/team/{org['payments'].id}/targets", data=form)
    assert response.status_code == status


# Admins manage everyone's API tokens.


def test_an_admin_sees_and_revokes_someone_elses_token_and_it_is_audited(client, login_as, org):
    token, secret = issue_token(org["eve"], "eve's laptop")
    db.session.commit()
    login_as(org["admin"])
    person_page = client.get(f"/admin/people/{org['eve'].id}").get_data(as_text=True)
    assert f"/account/tokens?person={org['eve'].id}" in person_page
    page = client.get(f"/account/tokens?person={org['eve'].id}").get_data(as_text=True)
    assert "API tokens of Eve" in page and "eve&#39;s laptop" in page
    assert f"/account/tokens/{token.id}/revoke" in page and "Create a token" not in page

    response = client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/account/tokens?person={org['eve'].id}"
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "token.revoked"))
    assert (event.actor_email, event.target) == ("admin@corp.test", "eve@corp.test")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 401


@pytest.mark.parametrize("person", ["mia", "ld", "sam"])
def test_nobody_else_sees_or_revokes_someone_elses_tokens(client, login_as, org, person):
    token, _ = issue_token(org["eve"], "eve's laptop")
    db.session.commit()
    login_as(org[person])
    assert client.get(f"/account/tokens?person={org['eve'].id}").status_code == 404
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_an_integrations_token_is_revoked_with_the_integration_not_here(client, login_as, org):
    create_integration("Platform", ["xapi"], None)
    db.session.commit()
    token_id = db.session.scalar(db.select(ApiToken.id).where(ApiToken.integration_id.is_not(None)))
    assert login_as(org["admin"]).post(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert db.session.get(ApiToken, token_id).revoked_at is None


# One function hashes every stored secret.


def test_one_function_hashes_stored_secrets():
    defined = [
        path.relative_to(TRACKER).as_posix()
        for path in TRACKER.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef) and node.name == "digest"
    ]
    assert defined == ["operations/tokens.py"]
