"""The team dashboard: bands, engineers, targets, read-only engineer pages; fixed cost."""

from datetime import timedelta

from tracker.clock import today
from tracker.extensions import db
from tracker.models import Role, StaffingTarget

TODAY = today()


def test_the_dashboard_shows_bands_engineers_and_the_hire_or_train_answer(
    client,
    login_as,
    scored_team,
):
    page = login_as(scored_team["lead"]).get(f"/team/{scored_team['team'].id}/?role=ml-engineer")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Payments: ready for ML Engineer?" in html
    assert "hire or move 1" in html
    for name in ("E0", "E1", "E2", "E3"):
        assert f">{name}</a>" in html


def test_sorting_by_name_or_readiness(client, login_as, scored_team):
    client = login_as(scored_team["lead"])
    by_name = client.get(f"/team/{scored_team['team'].id}/?sort=name").get_data(as_text=True)
    assert by_name.index(">E0<") < by_name.index(">E3<")
    by_ready = client.get(f"/team/{scored_team['team'].id}/?sort=readiness").get_data(as_text=True)
    assert by_ready.index(">E0<") < by_ready.index(">E3<")


def test_an_earlier_date_shows_history(client, login_as, scored_team):
    earlier = (TODAY - timedelta(days=60)).isoformat()
    html = (
        login_as(scored_team["lead"])
        .get(f"/team/{scored_team['team'].id}/?as_of={earlier}")
        .get_data(as_text=True)
    )
    assert f'value="{earlier}"' in html


def test_managers_set_and_retire_targets_and_bad_ones_save_nothing(
    client,
    login_as,
    scored_team,
):
    client = login_as(scored_team["lead"])
    url = f"/team/{scored_team['team'].id}/targets"
    future = (TODAY + timedelta(days=90)).isoformat()
    before = len(db.session.scalars(db.select(StaffingTarget)).all())
    for bad in (
        {"role": "ml-engineer", "count": "0", "by": future},
        {"role": "ml-engineer", "count": "2", "by": TODAY.isoformat()},
        {"role": "nope", "count": "2", "by": future},
    ):
        client.post(url, data=bad)
    assert len(db.session.scalars(db.select(StaffingTarget)).all()) == before
    assert (
        client.post(url, data={"role": "ml-engineer", "count": "2", "by": future}).status_code
        == 302
    )
    target = db.session.scalar(db.select(StaffingTarget).where(StaffingTarget.count == 2))
    assert client.post(f"{url}/{target.id}/archive").status_code == 302
    db.session.refresh(target)
    assert target.archived_at is not None


def test_a_manager_reads_an_engineers_progress(client, login_as, scored_team):
    engineer = scored_team["people"][0]
    html = (
        login_as(scored_team["lead"]).get(f"/team/engineers/{engineer.id}").get_data(as_text=True)
    )
    assert "E0" in html and "read only" in html and "100.0%" in html


def test_another_teams_manager_gets_404(client, login_as, make_user, scored_team):
    other = make_user(roles=[Role.MANAGER])
    client = login_as(other)
    assert client.get(f"/team/{scored_team['team'].id}/").status_code == 404
    assert client.get(f"/team/engineers/{scored_team['people'][0].id}").status_code == 404


def test_the_dashboard_costs_the_same_for_5_or_200_engineers(
    client,
    login_as,
    make_user,
    scored_team,
    count_statements,
):
    client = login_as(scored_team["lead"])
    url = f"/team/{scored_team['team'].id}/?role=ml-engineer"
    client.get(url)
    with count_statements() as small:
        assert client.get(url).status_code == 200
    for i in range(196):
        person = make_user(email=f"more{i}@corp.test")
        person.team_id = scored_team["team"].id
        scored_team["prove"](person, "mlcc-classification", i % 200)
    with count_statements() as large:
        assert client.get(url).status_code == 200
    assert small.count == large.count
