"""The team dashboard: bands, engineers, targets, read-only engineer pages; fixed cost."""

import pickle
import re
from datetime import timedelta

from tracker.clock import today
from tracker.extensions import cache, db
from tracker.models import EvidenceStatus, Role, StaffingTarget, TeamManager, User
from tracker.reads.catalogue import load_catalogue
from tracker.reads.dashboard import dashboard_figures

TODAY = today()


def add_engineers(team, count: int, prefix: str) -> list[User]:  # type: ignore[no-untyped-def]
    """Add `count` engineers named `{prefix}000`, `{prefix}001`, ... to `team`, in one commit."""
    people = []
    for i in range(count):
        person = User(email=f"{prefix}{i:03}@corp.test", name=f"{prefix}{i:03}", team_id=team.id)
        person.set_roles({Role.ENGINEER})
        people.append(person)
    db.session.add_all(people)
    db.session.commit()
    return people


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


def test_the_dashboard_costs_the_same_for_5_50_or_200_engineers(
    client,
    login_as,
    scored_team,
    count_statements,
):
    """A team of 50 crosses the heatmap's per-engineer limit: the statements stay the same.

    Counted with the figures computed, and again with them kept in the cache.
    """
    client = login_as(scored_team["lead"])
    url = f"/team/{scored_team['team'].id}/?role=ml-engineer"
    client.get(url)
    computed, kept = [], []
    for more in (0, 46, 150):
        for person in add_engineers(scored_team["team"], more, f"more{len(kept)}"):
            scored_team["prove"](person, "mlcc-classification", person.id % 200)
        cache.clear()
        with count_statements() as counted:
            assert client.get(url).status_code == 200
        computed.append(counted.count)
        with count_statements() as counted:
            assert client.get(url).status_code == 200
        kept.append(counted.count)
    assert computed[0] == computed[1] == computed[2]
    assert kept[0] == kept[1] == kept[2] < computed[0]


def test_the_engineers_table_is_paged_and_sorted_over_the_whole_team(client, login_as, scored_team):
    team = scored_team["team"]
    people = add_engineers(team, 116, "P")  # with the four of the fixture: 120, three pages
    scored_team["prove"](people[-1], "capstone", 5, status=EvidenceStatus.VERIFIED)
    client = login_as(scored_team["lead"])
    base = f"/team/{team.id}/?role=ml-engineer&sort=name"
    first = client.get(base).get_data(as_text=True)
    names = sorted(["E0", "E1", "E2", "E3"] + [p.name for p in people])
    assert shown(first) == names[:50] and "Page 1 of 3" in first
    assert "Previous" not in first
    as_of = TODAY.isoformat()
    assert (
        f'href="/team/{team.id}/?page=2&amp;role=ml-engineer&amp;as_of={as_of}&amp;sort=name'
        in first
    )
    second = client.get(f"{base}&page=2").get_data(as_text=True)
    assert shown(second) == names[50:100] and "Page 2 of 3" in second
    assert "Previous" in second and "Next" in second
    last = client.get(f"{base}&page=3").get_data(as_text=True)
    assert shown(last) == names[100:] and "Next" not in last
    for beyond in ("4", "99", "100000000000"):
        assert shown(client.get(f"{base}&page={beyond}").get_data(as_text=True)) == names[100:]
    for bad in ("0", "-1", "two", ""):
        assert shown(client.get(f"{base}&page={bad}").get_data(as_text=True)) == names[:50]
    by_readiness = client.get(f"/team/{team.id}/?role=ml-engineer&sort=readiness")
    ready = ["E0", people[-1].name]  # the two ready engineers lead page 1, by name
    assert shown(by_readiness.get_data(as_text=True))[:2] == ready


def test_sorting_by_another_column_opens_the_first_page_of_the_new_order(
    client, login_as, scored_team
):
    team = scored_team["team"]
    people = add_engineers(team, 116, "P")  # with the four of the fixture: 120, three pages
    names = sorted(["E0", "E1", "E2", "E3"] + [p.name for p in people])
    client = login_as(scored_team["lead"])
    third = client.get(f"/team/{team.id}/?role=ml-engineer&sort=name&page=3").get_data(as_text=True)
    assert "Page 3 of 3" in third and shown(third) == names[100:]
    links = dict(re.findall(r'<th scope="col" [^>]*><a href="([^"]+)">([\w ]+)', third))
    assert set(links.values()) == {"Engineer", "Readiness", "Projected ready", "Last activity"}
    assert not [link for link in links if "page=" in link]
    by_name_turned = next(link for link, label in links.items() if label == "Engineer")
    assert by_name_turned.endswith("sort=-name")
    turned = client.get(by_name_turned.replace("&amp;", "&")).get_data(as_text=True)
    assert "Page 1 of 3" in turned
    assert shown(turned) == names[::-1][:50]
    # the page links still keep the order
    assert f'href="/team/{team.id}/?page=2&amp;role=ml-engineer&amp;as_of=' in turned


def test_a_small_team_has_no_page_links(client, login_as, scored_team):
    page = login_as(scored_team["lead"]).get(f"/team/{scored_team['team'].id}/")
    assert 'aria-label="Pages of engineers"' not in page.get_data(as_text=True)


def shown(page: str) -> list[str]:
    """The names of the engineers rows of a dashboard page, in order."""
    return re.findall(r'data-engineer="[^"]*"[^>]*>\s*<td><a href="[^"]*">([^<]+)</a>', page)


def test_the_dashboards_figures_are_kept_and_a_second_view_computes_none(
    client, login_as, scored_team, monkeypatch
):
    from tracker.team import dashboard

    client = login_as(scored_team["lead"])
    url = f"/team/{scored_team['team'].id}/?role=ml-engineer"
    first = client.get(url).get_data(as_text=True)
    calls = []
    monkeypatch.setattr(dashboard, "dashboard_figures", lambda *a: calls.append(a))
    again = client.get(f"{url}&sort=name").get_data(as_text=True)
    assert calls == [] and bands(again) == bands(first) and shown(again) == sorted(shown(first))


def test_kept_figures_are_plain_data_that_survive_pickling(app, scored_team):
    figures = dashboard_figures(scored_team["team"], "ml-engineer", TODAY, load_catalogue())
    assert pickle.loads(pickle.dumps(figures)) == figures  # noqa: S301 (our own bytes)


def test_what_the_figures_show_changing_shows_at_once(client, login_as, scored_team):
    team, people = scored_team["team"], scored_team["people"]
    client = login_as(scored_team["lead"])
    url = f"/team/{team.id}/?role=ml-engineer"
    before = client.get(url).get_data(as_text=True)
    assert bands(before)["ready"] == 1
    scored_team["prove"](people[3], "capstone", 1, status=EvidenceStatus.VERIFIED)
    assert bands(client.get(url).get_data(as_text=True))["ready"] == 2
    people[1].name = "Renamed"
    db.session.commit()
    assert "Renamed" in shown(client.get(url).get_data(as_text=True))
    target = db.session.scalar(db.select(StaffingTarget))
    target.count = 50
    db.session.commit()
    assert "<tr><td>50</td>" in client.get(url).get_data(as_text=True)


def test_each_viewer_gets_their_own_page_around_the_kept_figures(
    client, login_as, make_user, make_team, scored_team
):
    team = scored_team["team"]
    other = make_user(email="other@corp.test", roles=[Role.MANAGER])
    db.session.add(TeamManager(team_id=team.id, user_id=other.id))
    db.session.commit()
    make_team(name="Search", managers=[other])
    url = f"/team/{team.id}/?role=ml-engineer"
    mine = login_as(scored_team["lead"]).get(url).get_data(as_text=True)
    theirs = login_as(other).get(url).get_data(as_text=True)
    assert bands(mine) == bands(theirs)
    assert ">Search</a>" in theirs and ">Search</a>" not in mine


def bands(page: str) -> dict[str, int]:
    """The band cards of a dashboard page."""
    cards = re.findall(r'<div class="stat">(\d+)</div><span class="badge band-([a-z_]+)">', page)
    return {band: int(count) for count, band in cards}


def test_each_column_sorts_both_ways_and_says_which(client, login_as, scored_team):
    login_as(scored_team["lead"])
    team = scored_team["team"].id
    header = re.compile(r'<th scope="col" aria-sort="(\w+)"><a href="([^"]+)">([\w ]+?)&nbsp;<span')

    def order(sort: str) -> tuple[list[str], tuple[str, ...]]:
        page = client.get(f"/team/{team}/?role=ml-engineer&sort={sort}").get_data(as_text=True)
        sorted_by = header.search(page)
        assert sorted_by, "no column says it sorts the table"
        emails = re.findall(r'data-engineer="([^"]+)"', page)
        return [e.split("@")[0] for e in emails], sorted_by.groups()

    names, (aria, link, label) = order("name")
    assert names == ["e0", "e1", "e2", "e3"]
    assert (aria, label) == ("ascending", "Engineer") and link.endswith("sort=-name")
    names, (aria, link, _) = order("-name")
    assert names == ["e3", "e2", "e1", "e0"]
    assert aria == "descending" and link.endswith("sort=name")
    ready_first, (aria, _, _) = order("readiness")
    assert aria == "descending" and ready_first[0] == "e0"
    assert order("-readiness")[0] == ["e3", "e2", "e1", "e0"]  # e1 and e2 tie: by name, turned
    # E1 (stalled) and E3 (not started) have no projected date: last, by name, either way
    assert order("projected")[0] == ["e0", "e2", "e1", "e3"]
    assert order("-projected")[0] == ["e2", "e0", "e1", "e3"]
    assert order("--name")[0] == ready_first  # not a sort: the default, by readiness


def test_the_numbers_under_the_charts_name_competencies_not_keys(client, login_as, scored_team):
    login_as(scored_team["lead"])
    page = client.get(f"/team/{scored_team['team'].id}/?role=ml-engineer").get_data(as_text=True)
    assert '<th scope="col">Model evaluation</th>' in page
    assert '<th scope="col">model-evaluation</th>' not in page
