"""Long lists sort by a column both ways: the company's team grid, the admin's people and teams.

A column header is a link: it sorts by the column, or, when the list is sorted by it, turns the
order round; the sorted column says so with `aria-sort`. The database orders the rows before
paging, so the order holds across pages, and searches, filters and the page survive a click.
"""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from tracker import clock
from tracker.extensions import db
from tracker.models import (
    CatalogueVersion,
    EvidenceKind,
    EvidenceStatus,
    Role,
    StaffingTarget,
    TargetRole,
    User,
    utcnow,
)
from tracker.query_args import Sort, sort_arg

SORTED = re.compile(r'<th scope="col" aria-sort="(\w+)"><a href="([^"]+)">([^<]+?)&nbsp;<span')
GRID_ROW = re.compile(r'<tr><th scope="row">([^<]*)</th><td data-engineers="(\d+)">')


def sorted_by(page: str) -> tuple[str, str, str]:
    """Return the sorted column's aria-sort, its link and its label."""
    found = SORTED.findall(page)
    assert len(found) == 1, found
    aria, link, label = found[0]
    return aria, html.unescape(link), label


def header_link(page: str, label: str) -> str:
    """Return the link of the column header labelled `label`."""
    header = rf'<th scope="col" [^>]*><a href="([^"]+)">{re.escape(label)}(&nbsp;|<)'
    found = re.search(header, page)
    assert found, f"no sorting link on {label}"
    return html.unescape(found.group(1))


@pytest.fixture
def grid(scored_team, make_user, make_team):
    """Five teams: Payments (4 engineers, 1 ready), Alpha (2, both nearly ready), Beta (1, ready),
    Delta (3, none ready) and Gamma (no engineers, a staffing target)."""
    prove = scored_team["prove"]
    alpha = [make_user(name=f"Alpha {i}", password=None) for i in range(2)]
    make_team(name="Alpha", members=alpha)
    for person in alpha:  # 78%: nearly ready
        prove(person, "mlcc-classification", 5)
        prove(person, "pipelines-101", 5, EvidenceKind.COMPLETION, EvidenceStatus.VERIFIED)
    beta = make_user(name="Beta 0", password=None)
    make_team(name="Beta", members=[beta])
    prove(beta, "capstone", 5, status=EvidenceStatus.VERIFIED)
    make_team(name="Delta", members=[make_user(password=None) for _ in range(3)])
    gamma = make_team(name="Gamma")
    role = db.session.scalar(db.select(TargetRole.id).where(TargetRole.key == "ml-engineer"))
    by = clock.today() + timedelta(days=90)
    db.session.add(StaffingTarget(team_id=gamma.id, role_id=role, count=1, by=by))
    db.session.commit()
    return scored_team


def grid_rows(page: str) -> list[str]:
    return [name for name, _ in GRID_ROW.findall(page)]


@pytest.mark.parametrize(
    ("sort", "aria", "label", "teams"),
    [
        ("name", "ascending", "Team", ["Alpha", "Beta", "Delta", "Gamma", "Payments"]),
        ("-name", "descending", "Team", ["Payments", "Gamma", "Delta", "Beta", "Alpha"]),
        ("engineers", "descending", "Engineers", ["Payments", "Delta", "Alpha", "Beta", "Gamma"]),
        ("-engineers", "ascending", "Engineers", ["Gamma", "Beta", "Alpha", "Delta", "Payments"]),
        # most ready first, then most nearly ready; ties by name either way
        (
            "role:ml-engineer",
            "descending",
            "ML Engineer",
            ["Beta", "Payments", "Alpha", "Delta", "Gamma"],
        ),
        (
            "-role:ml-engineer",
            "ascending",
            "ML Engineer",
            ["Delta", "Gamma", "Alpha", "Beta", "Payments"],
        ),
    ],
)
def test_each_column_of_the_team_grid_sorts_both_ways_and_says_which(
    client, login_as, make_user, grid, sort, aria, label, teams
):
    page = (
        login_as(make_user(roles=[Role.LD]))
        .get("/team/company", query_string={"sort": sort})
        .get_data(as_text=True)
    )
    assert grid_rows(page) == teams
    shown_aria, link, shown_label = sorted_by(page)
    assert (shown_aria, shown_label) == (aria, label)
    turned = sort[1:] if sort.startswith("-") else f"-{sort}"
    assert link == f"/team/company?sort={turned}#grid"  # a second click turns it round
    assert '<span aria-hidden="true">' in page


def test_the_grid_shows_the_figures_it_sorts_by(client, login_as, make_user, grid):
    page = (
        login_as(make_user(roles=[Role.LD]))
        .get("/team/company?sort=role:ml-engineer")
        .get_data(as_text=True)
    )
    engineers = dict(GRID_ROW.findall(page))
    assert engineers == {"Payments": "4", "Alpha": "2", "Beta": "1", "Delta": "3", "Gamma": "0"}
    cells = re.findall(
        r'data-team="([^"]+)" data-role="ml-engineer" data-ready="(\d+)" '
        r'data-nearly="(\d+)"',
        page,
    )
    figures = [(int(ready), int(nearly)) for _, ready, nearly in cells]
    assert [team for team, *_ in cells] == grid_rows(page)
    assert figures == sorted(figures, reverse=True) == [(1, 0), (1, 0), (0, 2), (0, 0), (0, 0)]


def test_an_unknown_sort_falls_back_to_the_teams_by_name(client, login_as, make_user, grid):
    ld = login_as(make_user(roles=[Role.LD]))
    for sort in ("bogus", "--name", "role:nobody", "role:", "-", "name; drop table teams"):
        response = ld.get("/team/company", query_string={"sort": sort})
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert grid_rows(page) == ["Alpha", "Beta", "Delta", "Gamma", "Payments"]
        assert sorted_by(page)[::2] == ("ascending", "Team")


def test_the_grid_order_holds_across_pages_and_survives_a_search(
    client, login_as, make_user, make_team, scored_team
):
    sizes = {f"Team {i:02}": 1 + i % 3 for i in range(54)}  # 1, 2 or 3 engineers
    for name, size in sizes.items():
        make_team(name=name, members=[make_user(password=None) for _ in range(size)])
    sizes["Payments"] = 4
    want = sorted(sizes, key=lambda name: (-sizes[name], name))
    ld = login_as(make_user(roles=[Role.LD]))
    first = ld.get("/team/company?sort=engineers").get_data(as_text=True)
    assert grid_rows(first) == want[:50]
    assert 'href="/team/company?page=2&amp;sort=engineers#grid" rel="next"' in first
    second = ld.get("/team/company?sort=engineers&page=2").get_data(as_text=True)
    assert grid_rows(second) == want[50:]
    assert 'href="/team/company?page=1&amp;sort=engineers#grid" rel="prev"' in second
    # a sort click keeps the page; the search form keeps the sort
    assert header_link(second, "Team") == "/team/company?page=2&sort=name#grid"
    assert '<input type="hidden" name="sort" value="engineers">' in second
    found = ld.get("/team/company?q=team 1&sort=-engineers").get_data(as_text=True)
    tens = [n for n in sizes if n.startswith("Team 1")]
    assert grid_rows(found) == sorted(tens, key=lambda name: (sizes[name], name))
    assert header_link(found, "Team") == "/team/company?q=team+1&sort=name#grid"
    assert header_link(found, "Engineers") == "/team/company?q=team+1&sort=engineers#grid"


def test_while_readiness_is_computed_from_evidence_the_role_columns_do_not_sort(
    client, login_as, make_user, grid
):
    db.session.execute(update(CatalogueVersion).values(steps_rules=None, token="upgraded"))
    db.session.commit()
    ld = login_as(make_user(roles=[Role.LD]))
    page = ld.get("/team/company?sort=role:ml-engineer").get_data(as_text=True)
    assert grid_rows(page) == ["Alpha", "Beta", "Delta", "Gamma", "Payments"]
    assert '<th scope="col">ML Engineer</th>' in page  # shown, not a link
    by_size = ld.get("/team/company?sort=engineers").get_data(as_text=True)
    assert grid_rows(by_size) == ["Payments", "Delta", "Alpha", "Beta", "Gamma"]


@pytest.mark.parametrize("sort", ["name", "-engineers", "role:ml-engineer"])
def test_a_sorted_grid_costs_the_same_for_few_or_many_teams(
    client, login_as, make_user, make_team, scored_team, count_statements, sort
):
    ld = login_as(make_user(roles=[Role.LD]))
    url = f"/team/company?sort={sort}"
    ld.get(url)
    with count_statements() as few:
        assert ld.get(url).status_code == 200
    for i in range(12):
        make_team(name=f"More {i}", members=[make_user(password=None) for _ in range(3)])
    with count_statements() as many:
        assert ld.get(url).status_code == 200
    assert few.count == many.count


def test_sort_arg_reads_a_column_and_its_direction(app):
    columns = {"name", "ml-engineer"}
    for value, want in [
        ("name", Sort("name")),
        ("-name", Sort("name", turned=True)),
        ("-ml-engineer", Sort("ml-engineer", turned=True)),
        ("--name", Sort("team")),
        ("Name", Sort("team")),
        ("", Sort("team")),
    ]:
        with app.test_request_context(query_string={"sort": value}):
            assert sort_arg(columns, "team") == want, value
    assert Sort("name", turned=True).arg == "-name" and Sort("name").arg == "name"


# --- the admin's people ------------------------------------------------------------------

PERSON = re.compile(r'<td><a href="/admin/people/\d+">([^<]+)</a></td>')


@pytest.fixture
def people(make_user, make_team):
    """An admin and five people with teams, accounts and last logins that order differently."""
    admin = make_user(name="Zed Admin", email="zed@corp.test", roles=[Role.ADMIN])
    now = utcnow()
    ann = make_user(name="Ann", email="e-ann@corp.test")
    make_user(name="Bob", email="d-bob@corp.test", password=None)  # invited
    cat = make_user(name="Cat", email="c-cat@corp.test", active=False)  # deactivated
    dan = make_user(name="Dan", email="b-dan@corp.test")
    eve = make_user(name="Eve", email="a-eve@corp.test")
    make_team(name="Search", members=[ann, dan])
    make_team(name="Apps", members=[cat])
    for person, hours in ((ann, 1), (dan, 30), (eve, 5)):
        person.last_login_at = now - timedelta(hours=hours)
    admin.last_login_at = now
    db.session.commit()
    return admin


@pytest.mark.parametrize(
    ("sort", "aria", "label", "names"),
    [
        ("name", "ascending", "Name", ["Ann", "Bob", "Cat", "Dan", "Eve", "Zed Admin"]),
        ("-name", "descending", "Name", ["Zed Admin", "Eve", "Dan", "Cat", "Bob", "Ann"]),
        ("email", "ascending", "Email", ["Eve", "Dan", "Cat", "Bob", "Ann", "Zed Admin"]),
        ("-email", "descending", "Email", ["Zed Admin", "Ann", "Bob", "Cat", "Dan", "Eve"]),
        # no team: last either way, by name
        ("team", "ascending", "Team", ["Cat", "Ann", "Dan", "Bob", "Eve", "Zed Admin"]),
        ("-team", "descending", "Team", ["Ann", "Dan", "Cat", "Bob", "Eve", "Zed Admin"]),
        # active, invited, deactivated
        ("account", "ascending", "Account", ["Ann", "Dan", "Eve", "Zed Admin", "Bob", "Cat"]),
        ("-account", "descending", "Account", ["Cat", "Bob", "Ann", "Dan", "Eve", "Zed Admin"]),
        # the latest login first; never logged in: last either way, by name
        (
            "last_login",
            "descending",
            "Last login",
            ["Zed Admin", "Ann", "Eve", "Dan", "Bob", "Cat"],
        ),
        (
            "-last_login",
            "ascending",
            "Last login",
            ["Dan", "Eve", "Ann", "Zed Admin", "Bob", "Cat"],
        ),
    ],
)
def test_each_column_of_the_people_list_sorts_both_ways_and_says_which(
    client, login_as, people, sort, aria, label, names
):
    page = login_as(people).get("/admin/people", query_string={"sort": sort})
    text = page.get_data(as_text=True)
    assert PERSON.findall(text) == names
    shown_aria, link, shown_label = sorted_by(text)
    assert (shown_aria, shown_label) == (aria, label)
    turned = sort[1:] if sort.startswith("-") else f"-{sort}"
    assert link == f"/admin/people?sort={turned}"
    assert '<th scope="col">Roles</th>' in text  # a person holds several: not sortable


def test_the_people_list_keeps_its_filters_page_and_order_together(
    client, login_as, make_user, make_team
):
    admin = make_user(name="Zed Admin", email="zed@corp.test", roles=[Role.ADMIN])
    team = make_team(name="Search")
    staff = [
        make_user(name=f"Staff {i:02}", email=f"s{i:02}@corp.test", team=team, password=None)
        for i in range(60)
    ]
    client = login_as(admin)
    base = f"/admin/people?q=staff&team={team.id}&status=active"
    first = client.get(f"{base}&sort=-name").get_data(as_text=True)
    want = [p.name for p in reversed(staff)]
    assert PERSON.findall(first) == want[:50]
    nxt = re.search(r'<a href="([^"]+)">Next', first)
    assert nxt and html.unescape(nxt.group(1)) == (
        f"/admin/people?page=2&q=staff&status=active&team={team.id}&sort=-name"
    )
    second = client.get(html.unescape(nxt.group(1))).get_data(as_text=True)
    assert PERSON.findall(second) == want[50:]
    email = header_link(second, "Email")
    assert email == f"/admin/people?q=staff&status=active&team={team.id}&page=2&sort=email"
    assert '<input type="hidden" name="sort" value="-name">' in second
    assert 'value="staff"' in second


def test_an_unknown_people_sort_falls_back_to_names(client, login_as, people):
    client = login_as(people)
    for sort in ("roles", "password_hash", "--name", "-"):
        page = client.get("/admin/people", query_string={"sort": sort})
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert PERSON.findall(text) == ["Ann", "Bob", "Cat", "Dan", "Eve", "Zed Admin"]
        assert sorted_by(text)[::2] == ("ascending", "Name")


def test_a_sorted_people_page_costs_the_same_for_few_or_many_people(
    client, login_as, make_user, make_team, count_statements
):
    admin = make_user(roles=[Role.ADMIN])
    team = make_team(name="Search")
    client = login_as(admin)
    for sort in ("team", "-last_login", "account"):
        url = f"/admin/people?sort={sort}"
        client.get(url)
        with count_statements() as few:
            assert client.get(url).status_code == 200
        for _ in range(20):
            make_user(team=team, password=None)
        with count_statements() as many:
            assert client.get(url).status_code == 200
        assert few.count == many.count, sort


# --- the admin's teams -------------------------------------------------------------------

TEAM = re.compile(r'<td><a href="/admin/teams/\d+">([^<]+)</a></td>')


def test_the_admin_teams_list_sorts_by_name_or_people_both_ways(
    client, login_as, make_user, make_team
):
    admin = make_user(roles=[Role.ADMIN])
    for name, size in (("Beta", 2), ("Alpha", 1), ("Gamma", 2), ("Delta", 0)):
        make_team(name=name, members=[make_user(password=None) for _ in range(size)])
    inactive = make_user(active=False)
    inactive.team_id = db.session.scalar(db.select(User.team_id).where(User.team_id.is_not(None)))
    db.session.commit()  # a deactivated member does not count
    client = login_as(admin)

    def order(sort: str) -> tuple[list[str], tuple[str, str, str]]:
        page = client.get("/admin/teams", query_string={"sort": sort}).get_data(as_text=True)
        return TEAM.findall(page), sorted_by(page)

    assert order("name") == (
        ["Alpha", "Beta", "Delta", "Gamma"],
        ("ascending", "/admin/teams?sort=-name", "Team"),
    )
    assert order("-name")[0] == ["Gamma", "Delta", "Beta", "Alpha"]
    names, (aria, link, label) = order("people")
    assert names == ["Beta", "Gamma", "Alpha", "Delta"]  # ties by name
    assert (aria, link, label) == ("descending", "/admin/teams?sort=-people", "People")
    names, (aria, _, _) = order("-people")
    assert names == ["Delta", "Alpha", "Beta", "Gamma"] and aria == "ascending"
    assert order("managers")[0] == ["Alpha", "Beta", "Delta", "Gamma"]  # not a sort


# --- the team dashboard, through the same header -----------------------------------------


def test_a_dashboard_sort_click_keeps_the_role_and_date_and_opens_the_first_page(
    client, login_as, make_user, grid
):
    team = grid["team"]
    for i in range(50):
        make_user(name=f"More {i:02}", password=None, team=team)
    client = login_as(grid["lead"])
    url = f"/team/{team.id}/?role=ml-engineer&sort=name&page=2"
    page = client.get(url).get_data(as_text=True)
    as_of = clock.today().isoformat()
    aria, link, label = sorted_by(page)
    assert (aria, label) == ("ascending", "Engineer")
    assert link == f"/team/{team.id}/?role=ml-engineer&as_of={as_of}&sort=-name"
    assert header_link(page, "Readiness") == (
        f"/team/{team.id}/?role=ml-engineer&as_of={as_of}&sort=readiness"
    )
