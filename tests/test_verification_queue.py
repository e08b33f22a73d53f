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
    Team,
    User,
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


# A long queue: paged, sortable both ways, and the order and page kept after a decision.


@pytest.fixture
def long_queue(app, make_user, make_team, world):
    """65 pending pieces from five engineers of Payments, on 13 dates, logged in that order."""
    people = [make_user(name=f"{name} Person") for name in ("Ana", "Bo", "Cy", "Di", "Ed")]
    team = db.session.scalar(db.select(Team).where(Team.name == "Payments"))
    for person in people:
        person.team_id = team.id
    modules = list(db.session.scalars(db.select(Module).order_by(Module.title)))
    for n in range(65):
        db.session.add(
            Evidence(
                user_id=people[n % 5].id,
                module_id=modules[n % len(modules)].id,
                kind=EvidenceKind.COMPLETION,
                date=date(2026, 1, 1 + n % 13),
                status=EvidenceStatus.PENDING,
                recorded_by_id=people[n % 5].id,
            )
        )
    db.session.commit()
    return people


def _names_and_dates(page: str) -> list[tuple[str, str]]:
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    out = []
    for row in rows:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        out.append((re.sub(r"<[^>]+>.*", "", cells[1]).strip(), re.sub(r"<[^>]+>", "", cells[3])))
    return out


def test_a_long_queue_comes_in_pages_of_fifty_oldest_first(client, login_as, world, long_queue):
    login_as(world["lead"])
    first = client.get("/team/verify").get_data(as_text=True)
    second = client.get("/team/verify?page=2").get_data(as_text=True)
    assert len(_names_and_dates(first)) == 50 and len(_names_and_dates(second)) == 15
    dates = [d for _, d in _names_and_dates(first) + _names_and_dates(second)]
    assert dates == sorted(dates) and dates[0] == "2026-01-01" and dates[-1] == "2026-01-13"
    assert "Page 1 of 2 · 65 pieces waiting" in first
    assert 'aria-sort="ascending"' in first.split(">Date&nbsp;<span", 1)[0].rsplit("<th", 1)[1]
    assert client.get("/team/verify?page=9").get_data(as_text=True).count("<tr>") == 16


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [
        ("engineer", 0, False),
        ("-engineer", 0, True),
        ("date", 1, False),
        ("-date", 1, True),
    ],
)
def test_the_queue_sorts_each_way(client, login_as, world, long_queue, sort, key, reverse):
    login_as(world["lead"])
    page = client.get(f"/team/verify?sort={sort}").get_data(as_text=True)
    shown = [row[key] for row in _names_and_dates(page)]
    assert shown == sorted(shown, reverse=reverse) and len(set(shown)) > 1
    order = "descending" if reverse else "ascending"
    header = "Engineer" if key == 0 else "Date"
    cell = page.split(f">{header}&nbsp;<span", 1)[0].rsplit("<th", 1)[1]
    assert f'aria-sort="{order}"' in cell
    turned = ("" if reverse else "-") + sort.lstrip("-")
    assert f'href="/team/verify?sort={turned}"' in cell


def test_an_unknown_order_is_the_oldest_first(client, login_as, world, long_queue):
    login_as(world["lead"])
    page = client.get("/team/verify?sort=password_hash").get_data(as_text=True)
    assert [d for _, d in _names_and_dates(page)][:2] == ["2026-01-01", "2026-01-01"]


def test_deciding_from_a_page_returns_to_that_order_and_page(client, login_as, world, long_queue):
    login_as(world["lead"])
    page = client.get("/team/verify?sort=-date&page=2").get_data(as_text=True)
    chosen = re.search(r'name="evidence" value="(\d+)"', page).group(1)
    response = client.post(
        "/team/verify?sort=-date&page=2", data={"evidence": [chosen], "decision": "verified"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/team/verify?sort=-date&page=2"
    assert db.session.get(Evidence, int(chosen)).status is EvidenceStatus.VERIFIED


def test_a_page_of_the_queue_costs_the_same_statements_for_15_or_65_pieces(
    client, login_as, world, make_user, count_statements
):
    login_as(world["lead"])
    for _ in range(15):
        world["pending"](world["engineer"])
    with count_statements() as few:
        client.get("/team/verify")
    for _ in range(50):
        world["pending"](make_user())
    db.session.execute(
        db.update(User).where(User.team_id.is_(None)).values(team_id=world["engineer"].team_id)
    )
    db.session.commit()
    with count_statements() as many:
        assert "65 pieces waiting" in client.get("/team/verify").get_data(as_text=True)
    assert many.count == few.count
