"""A team's readiness for a role: per engineer, per band, against targets; fixed cost."""

from datetime import timedelta

from tracker.api.schemas import TeamReadinessSchema
from tracker.api.shapes import team_readiness_json
from tracker.clock import today
from tracker.extensions import cache, db
from tracker.models import (
    Role,
)
from tracker.operations.tokens import issue_token
from tracker.reads.catalogue import load_catalogue
from tracker.reads.progress import compute_progress
from tracker.reads.records import load_people
from tracker.reads.team import team_readiness

TODAY = today()


def get(client, user, team_id, query="role=ml-engineer"):
    _, secret = issue_token(user, "t")
    db.session.commit()
    return client.get(
        f"/api/v1/teams/{team_id}/readiness?{query}", headers={"Authorization": f"Bearer {secret}"}
    )


def test_the_answer_has_the_documented_shape_and_adds_up(client, scored_team):
    body = get(client, scored_team["lead"], scored_team["team"].id).get_json()
    assert body["team"] == {"id": scored_team["team"].id, "name": "Payments"}
    assert body["role"] == "ml-engineer" and body["as_of"] == TODAY.isoformat()
    assert body["bands"] == {"ready": 1, "nearly_ready": 0, "in_progress": 2, "not_started": 1}
    assert sum(body["bands"].values()) == len(body["engineers"]) == 4
    (target,) = body["targets"]
    # ready now (1) + rising and projected within a year (1); the stalled one is not counted
    assert target == {
        "count": 3,
        "by": (TODAY + timedelta(days=365)).isoformat(),
        "projected_ready": 2,
        "gap": 1,
    }


def test_team_figures_equal_each_engineers_own(client, scored_team):
    body = get(client, scored_team["lead"], scored_team["team"].id).get_json()
    catalogue = load_catalogue()
    records = load_people([p.id for p in scored_team["people"]])
    for person in scored_team["people"]:
        own = compute_progress(catalogue, records[person.id], TODAY)
        mine = next(r for r in own.roles if r.role == "ml-engineer")
        row = next(e for e in body["engineers"] if e["email"] == person.email)
        assert row["readiness"] == mine.readiness and row["band"] == mine.band.value


def test_history_differs_where_evidence_came_later(client, scored_team):
    earlier = (TODAY - timedelta(days=30)).isoformat()
    body = get(
        client, scored_team["lead"], scored_team["team"].id, f"role=ml-engineer&as_of={earlier}"
    )
    assert body.get_json()["bands"]["ready"] == 0


def test_another_managers_team_is_not_found(client, make_user, scored_team):
    other = make_user(roles=[Role.MANAGER])
    assert get(client, other, scored_team["team"].id).status_code == 404
    assert get(client, make_user(roles=[Role.LD]), scored_team["team"].id).status_code == 200


def test_an_unknown_or_missing_role_names_the_field(client, scored_team):
    for query in ("role=wizard", ""):
        response = get(client, scored_team["lead"], scored_team["team"].id, query)
        assert response.status_code == 422 and "role" in response.get_json()["error"]["fields"]


def test_the_same_statements_for_5_or_200_engineers(
    client, make_user, scored_team, count_statements
):
    """Computed (the first call after a change) and kept (every call after it) alike."""
    _, secret = issue_token(scored_team["lead"], "t")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    url = f"/api/v1/teams/{scored_team['team'].id}/readiness?role=ml-engineer"
    client.get("/api/v1/me", headers=headers)
    client.get(url, headers=headers)  # the catalogue is read once, then kept while unchanged

    def statements() -> tuple[int, int]:
        cache.clear()
        with count_statements() as computed:
            first = client.get(url, headers=headers)
        with count_statements() as kept:
            again = client.get(url, headers=headers)
        assert first.status_code == again.status_code == 200
        assert first.get_data() == again.get_data()
        return computed.count, kept.count

    small = statements()
    for i in range(196):
        person = make_user(email=f"more{i}@corp.test")
        person.team_id = scored_team["team"].id
        scored_team["prove"](person, "mlcc-classification", i % 200)
    large = statements()
    assert len(client.get(url, headers=headers).get_json()["engineers"]) == 200
    assert small == large and small[1] < small[0]


def test_a_kept_answer_changes_with_the_evidence_it_shows(client, scored_team):
    _, secret = issue_token(scored_team["lead"], "t")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    url = f"/api/v1/teams/{scored_team['team'].id}/readiness?role=ml-engineer"
    before = client.get(url, headers=headers).get_json()
    newcomer = scored_team["people"][3]  # not started
    scored_team["prove"](newcomer, "mlcc-classification", 95)
    after = client.get(url, headers=headers).get_json()
    mine = [r for r in after["engineers"] if r["email"] == newcomer.email][0]
    was = [r for r in before["engineers"] if r["email"] == newcomer.email][0]
    assert mine["readiness"] > was["readiness"]


def test_the_engineers_rows_are_what_the_documented_schema_dumps(client, scored_team):
    body = get(client, scored_team["lead"], scored_team["team"].id).get_json()
    result = team_readiness(scored_team["team"], "ml-engineer", TODAY)
    shape = team_readiness_json(result) | {
        "engineers": [
            {
                "email": r.email,
                "readiness": r.readiness,
                "band": r.band.value,
                "projected_ready_on": r.projected_ready_on,
            }
            for r in result.engineers
        ]
    }
    assert any(row["projected_ready_on"] for row in body["engineers"])  # dates, and nulls
    assert any(row["projected_ready_on"] is None for row in body["engineers"])
    assert body == TeamReadinessSchema().dump(shape)
