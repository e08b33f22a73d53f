"""The dashboard's kept sections: reused while nothing they show changes, never once it has.

The charts and engineers sections are kept as HTML under the team's figures token (with the
catalogue, role, date, audience, order, page, open table and the path the app is served
under). Each test compares a page served from what was kept with the same page made from
nothing (the cache cleared): any difference is a kept page gone stale.
"""

import re

import pytest

from tests.test_team_dashboard import add_engineers, shown
from tracker.clock import today
from tracker.extensions import cache, db
from tracker.models import EvidenceStatus, StaffingTarget
from tracker.readiness import Band
from tracker.reads.catalogue import load_catalogue
from tracker.reads.dashboard import dashboard_figures
from tracker.reads.team import EngineerRow
from tracker.team import dashboard


def without_tokens(page: str) -> str:
    """The page without its CSRF tokens, which differ from one rendering to the next."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', page)


def fresh(client, url: str) -> str:  # type: ignore[no-untyped-def]
    """The page made from nothing kept."""
    cache.clear()
    return without_tokens(client.get(url).get_data(as_text=True))


def test_a_repeated_view_renders_no_section_again(client, login_as, scored_team, monkeypatch):
    client = login_as(scored_team["lead"])
    url = f"/team/{scored_team['team'].id}/?role=ml-engineer&sort=name"
    first = without_tokens(client.get(url).get_data(as_text=True))

    def read(*args: object) -> None:
        raise AssertionError("the kept sections' figures were read again")

    monkeypatch.setattr(dashboard, "_shown", read)
    assert without_tokens(client.get(url).get_data(as_text=True)) == first


def _evidence(team: dict) -> None:
    team["prove"](team["people"][3], "capstone", 1, status=EvidenceStatus.VERIFIED)


def _rename(team: dict) -> None:
    team["people"][1].name = "Renamed"
    db.session.commit()


def _retitle_team(team: dict) -> None:
    team["team"].name = "Payments and Billing"
    db.session.commit()


def _new_engineer(team: dict) -> None:
    add_engineers(team["team"], 1, "New")


def _target(team: dict) -> None:
    db.session.scalar(db.select(StaffingTarget)).count = 50
    db.session.commit()


CHANGES = {
    "evidence": _evidence,
    "an engineer's name": _rename,
    "the team's name": _retitle_team,
    "a new engineer": _new_engineer,
    "a staffing target": _target,
}
VIEWS = ["", "&sort=name", "&sort=-activity", "&numbers=forecast", "&numbers=heatmap"]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("change", CHANGES)
def test_no_kept_page_outlives_a_change_to_what_it_shows(
    client, login_as, scored_team, change, view
):
    client = login_as(scored_team["lead"])
    url = f"/team/{scored_team['team'].id}/?role=ml-engineer{view}"
    before = without_tokens(client.get(url).get_data(as_text=True))
    client.get(url)  # and now kept
    CHANGES[change](scored_team)
    after = without_tokens(client.get(url).get_data(as_text=True))
    assert after != before, "the change shows on the page"
    assert after == fresh(client, url)


def test_each_page_of_engineers_is_kept_apart_and_none_outlives_a_rename(
    client, login_as, scored_team
):
    team = scored_team["team"]
    people = add_engineers(team, 60, "P")  # two pages of 50
    client = login_as(scored_team["lead"])
    url = f"/team/{team.id}/?role=ml-engineer&sort=name"
    first, second = (shown(client.get(f"{url}&page={n}").get_data(as_text=True)) for n in (1, 2))
    assert first[0] == "E0" and second[0] == "P046" and set(first).isdisjoint(second)
    people[-1].name = "P059 renamed"
    db.session.commit()
    page = without_tokens(client.get(f"{url}&page=2").get_data(as_text=True))
    assert "P059 renamed" in shown(page) and page == fresh(client, f"{url}&page=2")


def test_kept_links_begin_with_the_path_the_app_is_served_under(client, login_as, scored_team):
    client = login_as(scored_team["lead"])
    path = f"/team/{scored_team['team'].id}/?role=ml-engineer"
    client.get(path)  # kept, as served at the root
    page = client.get(path, base_url="http://localhost/tracker").get_data(as_text=True)
    links = re.findall(r'(?:href|src|srcset)="(/[^"]*)"', page)
    assert links and all(link.startswith("/tracker/") for link in links)


def test_the_open_table_is_the_one_asked_for_and_any_other_value_opens_none(
    client, login_as, scored_team
):
    client = login_as(scored_team["lead"])
    url = f"/team/{scored_team['team'].id}/?role=ml-engineer"
    plain = without_tokens(client.get(url).get_data(as_text=True))
    assert " open><summary>" not in plain
    bands = client.get(f"{url}&numbers=bands").get_data(as_text=True)
    assert '<details id="bands-numbers" open>' in bands
    assert without_tokens(client.get(f"{url}&numbers=nonsense").get_data(as_text=True)) == plain


def test_a_kept_page_costs_the_same_statements_for_4_or_64_engineers(
    client, login_as, scored_team, count_statements
):
    client = login_as(scored_team["lead"])
    url = f"/team/{scored_team['team'].id}/?role=ml-engineer"
    client.get(url)
    with count_statements() as small:
        client.get(url)
    add_engineers(scored_team["team"], 60, "P")
    client.get(url)
    with count_statements() as large:
        client.get(url)
    assert small.count == large.count, set(large.statements) ^ set(small.statements)


def test_the_kept_figures_come_back_from_the_cache_as_they_went_in(scored_team, make_team):
    """The engineers are kept as columns (`DashboardFigures.__reduce__`): every band, projected
    and last-activity dates and their absence, and a team with nobody, come back equal."""
    catalogue = load_catalogue()
    figures = dashboard_figures(scored_team["team"], "ml-engineer", today(), catalogue)
    rows = figures.engineers
    assert len({r.band for r in rows}) >= 3
    assert {r.projected_ready_on is None for r in rows} == {True, False}
    assert {r.last_activity is None for r in rows} == {True, False}
    cache.set("figures", figures)  # pickled, as every cache backend keeps values
    back = cache.get("figures")
    assert back == figures and back is not figures
    assert all(isinstance(r.band, Band) and isinstance(r, EngineerRow) for r in back.engineers)
    nobody = dashboard_figures(make_team(name="Empty"), "ml-engineer", today(), catalogue)
    cache.set("nobody", nobody)
    assert nobody.engineers == [] and cache.get("nobody") == nobody
