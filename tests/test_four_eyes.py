"""Four eyes, as people act: nobody decides evidence they recorded or that is their own.

Two teams: Payments has two managers (Lee, who is also one of its engineers, and Cory) and
the engineer Erin; Search has one manager (Sol, also one of its engineers) and the engineer
Sam. Lia is L&D. Evidence is recorded over the API the way people's scripts do, and decided
over the API and on the verification page.
"""

import re
from datetime import timedelta

import pytest

from tests.catalogue_fixtures import SMALL
from tracker import clock
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import Evidence, EvidenceStatus, Module, Notification, Role
from tracker.operations import AttemptInput, record_attempt
from tracker.operations.evidence import FourEyes, decide
from tracker.operations.tokens import issue_token
from tracker.policy import deciders
from tracker.reads.queue import decidable_by_person, decidable_count

YESTERDAY = clock.today() - timedelta(days=1)
ALLOWED = {"api": 200, "page": 302}  # a decision taken: the API's record, the page's redirect
SURFACES = ["api", "page"]


@pytest.fixture
def org(app, make_user, make_team):
    import_text(SMALL, "small.yaml")
    lead = make_user(email="lead@corp.test", name="Lee Lead", roles=[Role.MANAGER, Role.ENGINEER])
    co = make_user(email="co@corp.test", name="Cory Cole", roles=[Role.MANAGER])
    erin = make_user(email="erin@corp.test", name="Erin Engineer")
    solo = make_user(email="solo@corp.test", name="Sol Solo", roles=[Role.MANAGER, Role.ENGINEER])
    sam = make_user(email="sam@corp.test", name="Sam Search")
    ld = make_user(email="ld@corp.test", name="Lia Learning", roles=[Role.LD])
    make_team(name="Payments", managers=[lead, co], members=[lead, erin])
    make_team(name="Search", managers=[solo], members=[solo, sam])
    return {"lead": lead, "co": co, "erin": erin, "solo": solo, "sam": sam, "ld": ld}


def auth(user):
    _, secret = issue_token(user, "four-eyes")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


REPO = "https://git.example.com/model"  # what a reviewer verifies a project from


def record(client, by, engineer, module="capstone"):
    """Record pending evidence for `engineer` as `by` over the API; return the 201 record.

    `capstone` is a passed project attempt (a reviewer must verify it); `pipelines-101` a
    completion of a module that requires verification.
    """
    if module == "capstone":
        url = "/api/v1/assessment-attempts"
        body = {"taken_on": YESTERDAY.isoformat(), "score": 90, "evidence_url": REPO}
    else:
        url = "/api/v1/completions"
        body = {"completed_on": YESTERDAY.isoformat(), "hours": 4.5}
    response = client.post(
        url,
        json={"engineer": engineer.email, "module": module, **body},
        headers=auth(by),
    )
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["status"] == "pending" and answer["recorded_by"] == by.email
    return answer


def decide_as(client, login_as, surface, user, evidence_id, decision="verified", reason=""):
    """Verify or reject one piece of evidence as `user`, over the API or on the page."""
    if surface == "api":
        return client.post(
            f"/api/v1/evidence/{evidence_id}/verification",
            json={"decision": decision, "reason": reason},
            headers=auth(user),
        )
    return login_as(user).post(
        "/team/verify",
        data={"evidence": [str(evidence_id)], "decision": decision, "reason": reason},
    )


def status_of(evidence_id):
    return db.session.get(Evidence, evidence_id).status


def queue_rows(client, login_as, viewer):
    """The rows of the verification page as `viewer` sees it, as HTML snippets."""
    response = login_as(viewer).get("/team/verify")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return page, body.split("<tr>")[1:]


# Who decides: the rule itself.


@pytest.mark.parametrize(
    "subject,recorder,managers,eligible,ld",
    [
        (1, 1, {10, 11}, {10, 11}, False),  # an engineer's own record: any manager
        (1, None, {10}, {10}, False),  # recorded by an integration (xAPI)
        (1, 10, {10, 11}, {11}, False),  # a manager recorded it: the other manager
        (1, 10, {10}, set(), True),  # ... and with no other manager: L&D
        (10, 10, {10, 11}, {11}, False),  # a manager's own evidence: another manager
        (10, 10, {10}, set(), True),  # ... and with no other manager: L&D
        (10, 11, {10, 11}, set(), True),  # a manager's evidence recorded by the other: L&D
        (1, 1, set(), set(), True),  # a team with no manager (or no team): L&D
    ],
)
def test_who_decides(subject, recorder, managers, eligible, ld):
    who = deciders(subject, recorder, managers)
    assert who.managers == eligible and who.ld is ld


# A manager records a project attempt for an engineer.


@pytest.mark.parametrize("surface", SURFACES)
def test_the_manager_who_recorded_a_project_attempt_cannot_verify_it(
    client, login_as, org, surface
):
    item = record(client, org["lead"], org["erin"])
    response = decide_as(client, login_as, surface, org["lead"], item["id"])
    assert response.status_code == 403
    assert status_of(item["id"]) is EvidenceStatus.PENDING
    assert db.session.scalar(db.select(Notification)) is None


def test_the_queue_shows_the_recorder_no_checkbox_and_who_decides_instead(client, login_as, org):
    item = record(client, org["lead"], org["erin"])
    page, [row] = queue_rows(client, login_as, org["lead"])
    assert "Erin Engineer" in row
    assert 'name="evidence"' not in row and f'value="{item["id"]}"' not in row
    assert "<td>you</td>" in row  # recorded by
    assert '<span class="muted">another manager of Payments</span>' in row
    assert "Verify chosen" not in page
    assert "None of this is yours to decide" in page


@pytest.mark.parametrize("surface", SURFACES)
def test_another_manager_of_the_team_verifies_it(client, login_as, org, surface):
    item = record(client, org["lead"], org["erin"])
    _, [row] = queue_rows(client, login_as, org["co"])
    assert f'value="{item["id"]}"' in row and "Lee Lead" in row
    response = decide_as(client, login_as, surface, org["co"], item["id"])
    assert response.status_code == ALLOWED[surface]
    evidence = db.session.get(Evidence, item["id"])
    assert evidence.status is EvidenceStatus.VERIFIED
    assert evidence.decided_by_id == org["co"].id and evidence.recorded_by_id == org["lead"].id


@pytest.mark.parametrize("surface", SURFACES)
def test_where_the_recorder_is_the_teams_only_manager_ld_decides(client, login_as, org, surface):
    item = record(client, org["solo"], org["sam"])
    assert decide_as(client, login_as, surface, org["solo"], item["id"]).status_code == 403
    _, [row] = queue_rows(client, login_as, org["solo"])
    assert 'name="evidence"' not in row
    assert '<span class="muted">L&amp;D</span>' in row
    _, [row] = queue_rows(client, login_as, org["ld"])
    assert f'value="{item["id"]}"' in row
    response = decide_as(client, login_as, surface, org["ld"], item["id"])
    assert response.status_code == ALLOWED[surface]
    evidence = db.session.get(Evidence, item["id"])
    assert evidence.status is EvidenceStatus.VERIFIED and evidence.decided_by_id == org["ld"].id


# A manager who is also an engineer of their team.


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize(
    "manager,decider,label",
    [
        ("lead", "co", "another manager of Payments"),
        ("solo", "ld", "L&amp;D"),
    ],
)
def test_a_managers_own_evidence_goes_to_another_manager_or_to_ld(
    client, login_as, org, surface, manager, decider, label
):
    item = record(client, org[manager], org[manager], "pipelines-101")
    page, [row] = queue_rows(client, login_as, org[manager])
    assert 'name="evidence"' not in row
    assert f'<span class="muted">{label}</span>' in row
    assert "Verify chosen" not in page
    assert decide_as(client, login_as, surface, org[manager], item["id"]).status_code == 403
    assert status_of(item["id"]) is EvidenceStatus.PENDING
    response = decide_as(client, login_as, surface, org[decider], item["id"])
    assert response.status_code == ALLOWED[surface]
    evidence = db.session.get(Evidence, item["id"])
    assert evidence.status is EvidenceStatus.VERIFIED
    assert evidence.decided_by_id == org[decider].id


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize(
    "subject,recorder",
    [
        ("erin", "erin"),  # both managers may decide
        ("erin", "lead"),  # Cory may decide
        ("lead", "lead"),  # the manager's own: Cory may decide
    ],
)
def test_ld_cannot_decide_where_the_team_has_an_eligible_manager(
    client, login_as, org, surface, subject, recorder
):
    item = record(client, org[recorder], org[subject], "pipelines-101")
    _, [row] = queue_rows(client, login_as, org["ld"])
    assert 'name="evidence"' not in row
    assert '<span class="muted">a manager of Payments</span>' in row
    response = decide_as(client, login_as, surface, org["ld"], item["id"], "rejected", "No.")
    assert response.status_code == 403
    assert status_of(item["id"]) is EvidenceStatus.PENDING


@pytest.mark.parametrize("change", ["deactivated", "no longer a manager"])
def test_a_manager_who_left_does_not_keep_ld_from_deciding(client, login_as, org, change):
    item = record(client, org["sam"], org["sam"], "pipelines-101")
    if change == "deactivated":
        org["solo"].active = False
    else:
        org["solo"].set_roles({Role.ENGINEER})
    db.session.commit()
    assert decidable_count(org["ld"]) == 1
    assert decidable_by_person() == {org["ld"]: 1}
    response = decide_as(client, login_as, "api", org["ld"], item["id"])
    assert response.status_code == 200 and response.get_json()["decided_by"] == "ld@corp.test"


# The operation refuses the subject and the recorder, whoever calls it.


@pytest.mark.parametrize("verified", [True, False])
@pytest.mark.parametrize("caller", ["subject", "recorder"])
@pytest.mark.parametrize(
    "roles", [[Role.ENGINEER], [Role.ENGINEER, Role.MANAGER, Role.LD, Role.ADMIN]]
)
def test_the_operation_refuses_the_subject_and_the_recorder(
    app, make_user, make_team, caller, roles, verified
):
    import_text(SMALL, "small.yaml")
    people = {"subject": make_user(roles=roles), "recorder": make_user(roles=roles)}
    make_team(managers=list(people.values()), members=[people["subject"]])
    module = db.session.scalar(db.select(Module).where(Module.key == "capstone"))
    evidence = record_attempt(
        people["subject"],
        module,
        AttemptInput(YESTERDAY, 90, evidence_url=REPO),
        people["recorder"],
        clock.today(),
    )
    db.session.commit()
    with pytest.raises(FourEyes) as refused:
        decide(evidence, people[caller], verified, "Not a model.")
    assert "decision" in refused.value.fields
    db.session.rollback()
    evidence = db.session.get(Evidence, evidence.id)
    assert evidence.status is EvidenceStatus.PENDING
    assert evidence.decided_by_id is None and evidence.decided_at is None
    assert db.session.scalar(db.select(Notification)) is None


# Every piece of evidence shows who recorded it, who decided it and when.


@pytest.mark.parametrize(
    "subject,recorder,decider",
    [
        ("erin", "lead", "co"),
        ("erin", "erin", "lead"),
        ("lead", "lead", "co"),
        ("solo", "solo", "ld"),
        ("sam", "solo", "ld"),
    ],
)
@pytest.mark.parametrize("decision", ["verified", "rejected"])
def test_the_evidence_shows_who_recorded_and_who_decided_it_and_when(
    client, login_as, org, subject, recorder, decider, decision
):
    item = record(client, org[recorder], org[subject])
    response = decide_as(
        client, login_as, "api", org[decider], item["id"], decision, "Rules, not a model."
    )
    assert response.status_code == 200
    evidence = db.session.get(Evidence, item["id"])
    assert response.get_json() == {
        **item,
        "status": decision,
        "recorded_by": org[recorder].email,
        "decided_by": org[decider].email,
        "decided_at": evidence.decided_at.isoformat(),
    }
    assert evidence.decided_at.date() >= evidence.created_at.date()

    page = login_as(org[subject]).get("/progress/evidence").get_data(as_text=True)
    row = page.split(f'data-evidence="{item["id"]}"', 1)[1].split("</tr>", 1)[0]
    row = re.sub(r"<[^>]+>", "", row)  # the words a reader sees
    recorded_by = "you" if subject == recorder else org[recorder].name
    assert f"recorded by {recorded_by} on {evidence.created_at:%Y-%m-%d}" in row
    assert f"{decision} by {org[decider].name} on {evidence.decided_at:%Y-%m-%d}" in row
    if decision == "rejected":
        assert "Rules, not a model." in row


def test_pending_evidence_shows_who_recorded_it_and_no_decider(client, login_as, org):
    item = record(client, org["lead"], org["erin"])
    page = login_as(org["erin"]).get("/progress/evidence").get_data(as_text=True)
    row = page.split(f'data-evidence="{item["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert "recorded by Lee Lead on" in row
    assert "verified by" not in row and "rejected by" not in row


# What waits for whom: the navigation badge and the digest.


@pytest.fixture
def waiting(client, org):
    """Five pieces of pending evidence, each with its deciders."""
    record(client, org["erin"], org["erin"])  # Lee or Cory
    record(client, org["lead"], org["erin"])  # Cory
    record(client, org["lead"], org["lead"], "pipelines-101")  # Cory
    record(client, org["solo"], org["sam"])  # L&D
    record(client, org["solo"], org["solo"], "pipelines-101")  # L&D
    return {"lead": 1, "co": 3, "solo": 0, "ld": 2, "erin": 0, "sam": 0}


@pytest.mark.parametrize("person", ["lead", "co", "solo", "ld", "erin"])
def test_the_navigation_counts_only_what_the_person_may_decide(
    client, login_as, org, waiting, person
):
    expected = waiting[person]
    assert decidable_count(org[person]) == expected
    page = login_as(org[person]).get("/").get_data(as_text=True)
    if expected:
        assert f'Verify <span class="badge count">{expected}</span>' in page
    else:
        assert 'class="badge count"' not in page
    if org[person].has_role(Role.MANAGER, Role.LD):
        _, rows = queue_rows(client, login_as, org[person])
        assert sum('name="evidence"' in row for row in rows) == expected


def test_the_digest_mails_whoever_decides_and_not_the_recorder(runner, org, waiting, caplog):
    assert {person.email: n for person, n in decidable_by_person().items()} == {
        f"{key}@corp.test": n for key, n in waiting.items() if n
    }
    with caplog.at_level("WARNING", logger="tracker.mail"):
        result = runner.invoke(args=["notify", "digest"])
    assert result.exit_code == 0, result.output
    mails = [r.getMessage() for r in caplog.records if "Evidence to verify" in r.getMessage()]
    assert sorted(m.split("\n", 1)[0].split("to=", 1)[1] for m in mails) == [
        "co@corp.test subject=Evidence to verify: 3",
        "ld@corp.test subject=Evidence to verify: 2",
        "lead@corp.test subject=Evidence to verify: 1",
    ]
