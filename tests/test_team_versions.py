"""A team's figures token changes with what its figures show, and with nothing else.

`team_versions` (tracker/operations/team_versions.py) gives a team a new token in the
transaction of every change to its name, its engineers or their evidence, or its staffing
targets; the cache key of a team chart is made with it (tests/test_figure_keys.py checks each
input against the chart itself). These tests check what must not change a token, that one
team's change leaves other teams alone, and that the key costs the same for any team size.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from tests import factories
from tracker.clock import today, utcnow
from tracker.extensions import db
from tracker.models import (
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Module,
    Role,
    TeamVersion,
    User,
    UserRole,
)

TODAY = today()


def tokens() -> dict[int, str]:
    return dict(db.session.execute(db.select(TeamVersion.team_id, TeamVersion.token)).all())


@pytest.fixture
def two_teams(scored_team, make_user, make_team):
    """The scored team (Payments) and a second team, Search, of two engineers."""
    others = [make_user(email=f"s{i}@corp.test", name=f"S{i}") for i in range(2)]
    search = make_team(name="Search", members=others)
    return {**scored_team, "search": search, "others": others}


def _prove(person: User, days_ago: int = 3) -> None:
    module = db.session.scalar(db.select(Module.id).where(Module.key == "mlcc-classification"))
    db.session.add(
        Evidence(
            user_id=person.id,
            module_id=module,
            kind=EvidenceKind.ATTEMPT,
            date=TODAY - timedelta(days=days_ago),
            status=EvidenceStatus.VALID,
            score=90,
            passed=True,
        )
    )
    db.session.commit()


def test_evidence_changes_the_token_of_its_engineers_team_only(two_teams):
    payments, search = two_teams["team"].id, two_teams["search"].id
    before = tokens()
    _prove(two_teams["others"][0])
    after = tokens()
    assert after[search] != before[search]
    assert after[payments] == before[payments]


def test_a_move_changes_the_tokens_of_the_team_left_and_the_team_joined(two_teams):
    payments, search = two_teams["team"].id, two_teams["search"].id
    before = tokens()
    mover = db.session.get(User, two_teams["people"][2].id)
    db.session.expire(mover)  # as a request would hold it: nothing loaded yet
    mover.team_id = search
    db.session.commit()
    after = tokens()
    assert after[payments] != before[payments]
    assert after[search] != before[search]


def test_a_new_email_changes_the_token_of_the_persons_team(two_teams):
    payments, search = two_teams["team"].id, two_teams["search"].id
    before = tokens()
    two_teams["people"][0].email = "e0.new@corp.test"  # the dashboard shows it
    db.session.commit()
    after = tokens()
    assert after[payments] != before[payments]
    assert after[search] == before[search]


def test_a_login_or_a_lockout_changes_no_token(two_teams):
    before = tokens()
    person = two_teams["people"][0]
    person.last_login_at = utcnow()
    person.failed_logins = 3
    person.session_epoch += 1
    db.session.commit()
    assert tokens() == before


def test_a_new_role_link_changes_the_token_of_the_persons_team(two_teams):
    payments, search = two_teams["team"].id, two_teams["search"].id
    before = tokens()
    person = two_teams["others"][1]
    db.session.add(UserRole(user_id=person.id, role=Role.LD))
    db.session.commit()
    after = tokens()
    assert after[search] != before[search]
    assert after[payments] == before[payments]


def test_a_statement_on_people_changes_every_teams_token(two_teams):
    before = tokens()
    db.session.execute(
        update(User).where(User.id == two_teams["others"][0].id).values(name="Renamed")
    )
    db.session.commit()
    after = tokens()
    assert all(after[team] != token for team, token in before.items())


def test_a_rolled_back_change_leaves_the_tokens(two_teams):
    before = tokens()
    two_teams["people"][0].name = "Changed, then not"
    db.session.flush()
    db.session.rollback()
    two_teams["people"][1].last_login_at = utcnow()  # commits, marking nothing
    db.session.commit()
    assert tokens() == before


def test_a_cached_team_chart_costs_the_same_for_4_or_40_engineers(
    two_teams, client, login_as, count_statements
):
    team = two_teams["team"]
    login_as(two_teams["lead"])
    url = f"/team/{team.id}/charts/bands.png?role=ml-engineer"

    def cost() -> int:
        client.get(url)  # drawn and cached
        with count_statements() as counted:
            assert client.get(url).status_code == 200
        return counted.count

    small = cost()
    for i in range(36):
        person = factories.make_user(email=f"more{i}@corp.test", team=team)
        if i % 3 == 0:
            _prove(person, days_ago=i)
    assert cost() == small
