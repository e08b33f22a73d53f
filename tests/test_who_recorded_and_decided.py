"""Every piece of evidence shows who recorded it and who decided it, and when, in the same
words on the engineer's page, a manager's or L&D's view of the engineer, the verification
queue and the progress API.

Payments has two managers (Lee, who is also one of its engineers, and Cory) and the engineer
Erin; Lia is L&D. Erin's evidence: a project she recorded that Lee verified, a project Lee
recorded for her that Cory rejected, a completion of hers that waits, and an attempt a
learning platform reported over xAPI (no person recorded it).
"""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from tests.catalogue_fixtures import SMALL
from tracker import clock
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import Evidence, EvidenceKind, EvidenceStatus, Module, Role
from tracker.operations.tokens import issue_token

TODAY = clock.today()


def day(days_ago):
    return TODAY - timedelta(days=days_ago)


def at(days_ago):
    """Noon UTC, `days_ago` days before today."""
    return datetime.combine(day(days_ago), time(12), tzinfo=UTC)


@pytest.fixture
def org(app, make_user, make_team):
    import_text(SMALL, "small.yaml")
    lead = make_user(email="lead@corp.test", name="Lee Lead", roles=[Role.MANAGER, Role.ENGINEER])
    co = make_user(email="co@corp.test", name="Cory Cole", roles=[Role.MANAGER])
    erin = make_user(email="erin@corp.test", name="Erin Engineer")
    ld = make_user(email="ld@corp.test", name="Lia Learning", roles=[Role.LD])
    make_team(name="Payments", managers=[lead, co], members=[lead, erin])
    modules = dict(db.session.execute(db.select(Module.key, Module.id)).all())

    def add(key, on, recorded_by, created, status, **fields):
        attempt = key != "pipelines-101"
        item = Evidence(
            user_id=erin.id,
            module_id=modules[key],
            kind=EvidenceKind.ATTEMPT if attempt else EvidenceKind.COMPLETION,
            date=day(on),
            score=90 if attempt else None,
            passed=True if attempt else None,
            status=status,
            evidence_url="https://git.example.com/erin/model",
            recorded_by_id=recorded_by.id if recorded_by else None,
            created_at=at(created),
            **fields,
        )
        db.session.add(item)
        db.session.commit()
        return item

    verified = add(
        "capstone", 20, erin, 19, EvidenceStatus.VERIFIED, decided_by_id=lead.id, decided_at=at(18)
    )
    rejected = add(
        "capstone",
        15,
        lead,
        15,
        EvidenceStatus.REJECTED,
        decided_by_id=co.id,
        decided_at=at(14),
        decision_reason="Rules, not a model.",
    )
    pending = add("pipelines-101", 10, erin, 9, EvidenceStatus.PENDING)
    platform = add("mlcc-classification", 5, None, 5, EvidenceStatus.VALID, source="xapi")
    return {
        "lead": lead,
        "co": co,
        "erin": erin,
        "ld": ld,
        "verified": verified,
        "rejected": rejected,
        "pending": pending,
        "platform": platform,
    }


def text(html):
    """The words of some HTML, tags dropped and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def rows(page):
    """Return {evidence id: the row's words} of an evidence table."""
    out = {}
    for part in page.split('data-evidence="')[1:]:
        id_, rest = part.split('"', 1)
        out[int(id_)] = text(rest.split("</tr>", 1)[0].split(">", 1)[1])
    return out


def cells(page):
    """Return {evidence id: the 'Recorded and decided' cell's words} of an evidence table."""
    out = {}
    for part in page.split('data-evidence="')[1:]:
        id_, rest = part.split('"', 1)
        row = rest.split("</tr>", 1)[0]
        out[int(id_)] = text(row.split('<td class="muted">', 1)[1].split("</td>", 1)[0])
    return out


def on(days_ago):
    return day(days_ago).isoformat()


def test_the_engineer_sees_who_recorded_and_decided_each_piece_and_when(client, login_as, org):
    page = login_as(org["erin"]).get("/progress/evidence").get_data(as_text=True)
    words = cells(page)
    assert words[org["verified"].id] == (
        f"recorded by you on {on(19)} verified by Lee Lead on {on(18)}"
    )
    assert words[org["rejected"].id] == (
        f"recorded by Lee Lead on {on(15)} rejected by Cory Cole on {on(14)}"
    )
    assert words[org["pending"].id] == f"recorded by you on {on(9)}"
    assert words[org["platform"].id] == f"recorded by a learning platform (xAPI) on {on(5)}"


@pytest.mark.parametrize("viewer", ["lead", "co", "ld"])
def test_a_manager_or_ld_sees_the_engineers_evidence_in_the_same_words_and_no_you(
    client, login_as, org, viewer
):
    mine = login_as(org["erin"]).get("/progress/evidence").get_data(as_text=True)
    response = login_as(org[viewer]).get(f"/team/engineers/{org['erin'].id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    section = page.split('id="evidence"', 1)[1].split("</section>", 1)[0]
    assert f"Erin Engineer's evidence up to {TODAY.isoformat()}" in text(section)
    assert not re.search(r"\byou(r)?\b", text(section), re.IGNORECASE)
    words = cells(section)
    # the engineer's own "you" is "themselves"; everyone else is named, the viewer included
    assert words[org["verified"].id] == (
        f"recorded by themselves on {on(19)} verified by Lee Lead on {on(18)}"
    )
    assert words[org["pending"].id] == f"recorded by themselves on {on(9)}"
    for piece in ("rejected", "platform"):
        assert words[org[piece].id] == cells(mine)[org[piece].id]
    # the status in the words of the engineer's own page, the rejection's reason with it
    theirs, own = rows(section), rows(mine)
    assert set(theirs) == set(own)
    for id_, row in own.items():
        verdict = re.search(rf'data-evidence="{id_}" data-verdict="(\w+)"', mine).group(1)
        assert f'data-evidence="{id_}" data-verdict="{verdict}"' in section
        actions = ("Withdraw", "Send again", " Log it")  # the engineer's own, not shown to others
        for action in actions:
            row = row.replace(action, "")
        assert row.replace("you", "themselves").strip() == theirs[id_]
    assert "Rules, not a model." in theirs[org["rejected"].id]
    assert not any(action.strip() in section for action in actions)


def test_the_managers_view_lists_the_evidence_as_of_its_date(client, login_as, org):
    page = (
        login_as(org["co"])
        .get(f"/team/engineers/{org['erin'].id}?as_of={on(15)}")
        .get_data(as_text=True)
    )
    section = page.split('id="evidence"', 1)[1].split("</section>", 1)[0]
    assert f"evidence up to {on(15)}" in text(section)
    # dated 20 and 15 days ago; the pending and the platform's are later
    assert set(rows(section)) == {org["verified"].id, org["rejected"].id}
    before = (
        login_as(org["co"])
        .get(f"/team/engineers/{org['erin'].id}?as_of={on(21)}")
        .get_data(as_text=True)
    )
    assert rows(before) == {}
    assert f"No evidence dated on or before {on(21)}." in before


def test_the_managers_view_costs_the_same_statements_for_a_few_or_many_pieces(
    client, login_as, org, count_statements
):
    url = f"/team/engineers/{org['erin'].id}"
    viewer = login_as(org["co"])
    viewer.get(url)  # the catalogue is kept after the first page

    def count():
        with count_statements() as counter:
            page = viewer.get(url).get_data(as_text=True)
        return counter, len(rows(page))

    few, shown = count()
    module = db.session.scalar(db.select(Module.id).where(Module.key == "mlcc-classification"))
    people = [org["erin"], org["lead"], org["co"]]
    db.session.add_all(
        Evidence(
            user_id=org["erin"].id,
            module_id=module,
            kind=EvidenceKind.ATTEMPT,
            date=day(30 + i),
            score=50,
            passed=False,
            status=EvidenceStatus.VALID,
            recorded_by_id=people[i % 3].id,
        )
        for i in range(60)
    )
    db.session.commit()
    many, more = count()
    assert (shown, more) == (4, 64)
    assert few.count == many.count, set(many.statements) ^ set(few.statements)


def queue_rows(page):
    """Return the words of each row of the verification queue's table."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [text(row) for row in body.split("</tr>")[:-1]]


def test_the_queue_shows_who_recorded_each_piece_and_when(client, login_as, org):
    pending = org["pending"]
    by_lead = Evidence(
        user_id=org["erin"].id,
        module_id=pending.module_id,
        kind=EvidenceKind.COMPLETION,
        date=day(3),
        status=EvidenceStatus.PENDING,
        evidence_url="https://git.example.com/erin/pipeline",
        recorded_by_id=org["lead"].id,
        created_at=at(2),
    )
    db.session.add(by_lead)
    db.session.commit()
    page = login_as(org["co"]).get("/team/verify").get_data(as_text=True)
    headers = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>.*?</th>", page)]
    assert headers[headers.index("Recorded by") + 1] == "Recorded on"
    first, second = queue_rows(page)  # oldest first
    assert f"themselves {on(9)}" in first and f"Lee Lead {on(2)}" in second
    lead_page = login_as(org["lead"]).get("/team/verify").get_data(as_text=True)
    first, second = queue_rows(lead_page)
    assert f"themselves {on(9)}" in first and f"you {on(2)}" in second


def test_the_progress_api_names_who_recorded_and_decided_each_piece_and_when(client, org):
    _, secret = issue_token(org["co"], "t")
    db.session.commit()
    response = client.get(
        "/api/v1/engineers/erin@corp.test/progress", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200
    items = {item["id"]: item for item in response.get_json()["evidence"]}
    verified, rejected = org["verified"], org["rejected"]
    assert items[verified.id] == {
        "id": verified.id,
        "module": "capstone",
        "kind": "attempt",
        "date": on(20),
        "status": "verified",
        "recorded_by": "erin@corp.test",
        "decided_by": "lead@corp.test",
        "decided_at": at(18).isoformat(),
    }
    assert (
        items[rejected.id]["recorded_by"],
        items[rejected.id]["decided_by"],
        items[rejected.id]["decided_at"],
    ) == ("lead@corp.test", "co@corp.test", at(14).isoformat())
    assert items[org["pending"].id]["recorded_by"] == "erin@corp.test"
    assert "decided_by" not in items[org["pending"].id]
    assert "decided_at" not in items[org["pending"].id]
    assert items[org["platform"].id]["recorded_by"] is None  # reported by a learning platform

    # the OpenAPI document describes this answer, new fields included
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/engineers/{email}/progress"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    validator = OAS30Validator(
        {**schema, "components": document["components"]}, format_checker=oas30_format_checker
    )
    assert list(validator.iter_errors(response.get_json())) == []
    item = document["components"]["schemas"]["EvidenceItem"]
    assert {"recorded_by", "decided_by", "decided_at"} <= set(item["properties"])
    assert "recorded_by" in item["required"] and "decided_by" not in item["required"]
