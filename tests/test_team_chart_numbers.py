"""The team charts' numbers read from `readiness_steps` equal those computed from evidence.

The dashboard and the chart routes read bands by role, the weekly trend and the forecast from
the table while it holds the rules in force; with the table out of date they compute them from
evidence. For random evidence and dates both give the same page figures and chart tables. A
team too large for one heatmap row per engineer gets a heatmap counting engineers per level.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import re
from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.small_org import add_evidence, pieces_of_evidence, small_org
from tests.test_chart_layout import assert_all_text_inside
from tracker import level_charts
from tracker.clock import today
from tracker.extensions import db
from tracker.models import (
    Evidence,
    EvidenceStatus,
    Role,
    StaffingTarget,
    TargetRole,
    User,
)
from tracker.reads.catalogue import load_catalogue
from tracker.reads.charts import HEATMAP_ENGINEERS, LEVELS, TEAM_CHARTS, team_chart
from tracker.reads.dashboard import dashboard_figures
from tracker.reads.team import team_figures

TODAY = today()


@pytest.fixture
def org(app, make_user, make_team):
    """Two teams of engineers (one deactivated, one never proving anything) and a target."""
    gone = make_user(email="gone@corp.test", name="Gone", active=False)
    split = [("Payments", slice(0, 4)), ("Search", slice(4, 6))]
    made = small_org(make_user, make_team, split, more=[gone])
    role = db.session.scalar(db.select(TargetRole.id).where(TargetRole.key == "ml-engineer"))
    db.session.add(
        StaffingTarget(
            team_id=made["teams"][0].id, role_id=role, count=2, by=TODAY + timedelta(days=90)
        )
    )
    db.session.commit()
    return made | {"people": [*made["engineers"], gone]}


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    pieces=st.lists(pieces_of_evidence(7, 500), max_size=25),  # 6: the deactivated one
    days=st.lists(st.integers(0, 400), min_size=1, max_size=3),
)
def test_chart_numbers_from_the_table_equal_those_computed_from_evidence(org, pieces, days):
    try:
        # E5 never proves anything: no steps at all
        add_evidence(org["people"], org["modules"], [p for p in pieces if p[0] != 5], TODAY)
        db.session.commit()
        catalogue = load_catalogue()
        assert catalogue.steps_current  # so the reads below take the table
        from_evidence = dataclasses.replace(catalogue, steps_rules=None)
        for days_ago in days:
            as_of = TODAY - timedelta(days=days_ago)
            for team in org["teams"]:
                loaded = team_figures(team.id, catalogue, as_of)
                for role in catalogue.roles:
                    page = dashboard_figures(team, role, as_of, catalogue)
                    assert page == dashboard_figures(team, role, as_of, from_evidence)
                    for name in TEAM_CHARTS:
                        table = team_chart(name, team, role, as_of, catalogue).table()
                        computed = team_chart(name, team, role, as_of, catalogue, loaded)
                        assert table == computed.table(), f"{name} chart from the table"
                        assert page.charts[name] == table, f"page and {name} chart differ"
    finally:
        db.session.rollback()
        db.session.execute(db.delete(Evidence))
        db.session.commit()


def add_engineers(team, count: int) -> list[User]:  # type: ignore[no-untyped-def]
    people = []
    for i in range(count):
        person = User(email=f"p{i:03}@corp.test", name=f"P{i:03}", team_id=team.id)
        person.set_roles({Role.ENGINEER})
        people.append(person)
    db.session.add_all(people)
    db.session.commit()
    return people


def csv_of(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_a_large_teams_heatmap_counts_engineers_at_each_level(client, login_as, scored_team):
    team = scored_team["team"]
    more = add_engineers(team, HEATMAP_ENGINEERS + 1 - 4 + 5)  # 36 engineers in all
    # demonstrated levels (model-evaluation, ml-pipelines) by the SMALL catalogue's outcomes
    levels = {"E0": (3, 3), "E1": (2, 0), "E2": (2, 0), "E3": (0, 0)}
    for i, person in enumerate(more):
        if i % 3 == 0:
            scored_team["prove"](person, "mlcc-classification", i)
            levels[person.name] = (2, 0)
        elif i % 3 == 1:
            scored_team["prove"](person, "capstone", i, status=EvidenceStatus.VERIFIED)
            levels[person.name] = (3, 3)
        else:
            levels[person.name] = (0, 0)
    client = login_as(scored_team["lead"])
    url = f"/team/{team.id}/charts/heatmap"
    header, *rows = csv_of(client.get(f"{url}.csv?role=ml-engineer"))
    assert header == ["competency", "required", *LEVELS]
    competencies = {"Model evaluation": 0, "ML pipelines & CI/CD": 1}
    for name, required, *counts in rows:
        column = Counter(levels_of[competencies[name]] for levels_of in levels.values())
        assert [int(n) for n in counts] == [column[level] for level in range(5)]
        assert required == {"Model evaluation": "3", "ML pipelines & CI/CD": "2"}[name]
    assert sorted(row[0] for row in rows) == sorted(competencies)
    png = client.get(f"{url}.png?role=ml-engineer")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    page = client.get(f"/team/{team.id}/?role=ml-engineer").get_data(as_text=True)
    heatmap = page.split("charts/heatmap.png", 1)[1].split("</figure>", 1)[0]
    assert "how many engineers are at each level" in heatmap and "<table>" not in heatmap
    assert "charts/heatmap.csv" in heatmap
    asked = client.get(f"/team/{team.id}/?role=ml-engineer&numbers=heatmap").get_data(as_text=True)
    heatmap = asked.split("charts/heatmap.png", 1)[1].split("</figure>", 1)[0]
    assert '<details id="heatmap-numbers" open>' in heatmap
    body = heatmap.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    shown = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]
    assert shown == [[html.escape(name), *rest] for name, *rest in rows]


def test_a_team_at_the_limit_keeps_a_row_per_engineer(client, login_as, scored_team):
    team = scored_team["team"]
    add_engineers(team, HEATMAP_ENGINEERS - 4)
    client = login_as(scored_team["lead"])
    header, *rows = csv_of(client.get(f"/team/{team.id}/charts/heatmap.csv?role=ml-engineer"))
    assert header[0] == "engineer" and len(rows) == HEATMAP_ENGINEERS + 1  # and "required"
    page = client.get(f"/team/{team.id}/?role=ml-engineer").get_data(as_text=True)
    heatmap = page.split("charts/heatmap.png", 1)[1].split("</figure>", 1)[0]
    assert "<table>" in heatmap and ">P000</td>" in heatmap


def test_the_level_counts_drawing_outlines_the_required_level_and_keeps_its_text() -> None:
    long = ["Experiment tracking and model registry", "Statistics for ML"]
    figure = level_charts.level_counts(
        long, [[10, 5, 20, 1, 0], [0, 0, 3, 30, 3]], [3, 2], "Payments"
    )
    assert_all_text_inside(figure)
    axes = figure.axes[0]
    outlined = [(p.get_x() + 0.5, p.get_y() + 0.5) for p in axes.patches]
    assert outlined == [(3, 0), (2, 1)]  # (level, competency row) of each requirement
    cells = [t.get_text() for t in axes.texts]
    assert cells == ["10", "5", "20", "1", "0", "0", "0", "3", "30", "3"]
    assert [t.get_text() for t in axes.get_xticklabels()][0] == "0 none"
