"""The company view: teams x roles, hire or train over every team, and module insight."""

import csv
import html
import io
import re
from collections import Counter, defaultdict
from datetime import date, timedelta

from tracker import clock
from tracker.extensions import db
from tracker.models import (
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Module,
    Role,
    StaffingTarget,
    TargetRole,
    utcnow,
)
from tracker.reads import company
from tracker.reads.catalogue import load_catalogue
from tracker.reads.company import TargetLine, _totals
from tracker.reads.module_insight import module_insight


def test_ld_sees_ready_and_nearly_ready_by_team_and_role(client, login_as, make_user, scored_team):
    html = login_as(make_user(roles=[Role.LD])).get("/team/company").get_data(as_text=True)
    assert '<th scope="row">Payments</th>' in html
    # one ready for ML Engineer, none nearly ready
    assert 'data-role="ml-engineer" data-ready="1" data-nearly="0">1 / 0</td>' in html
    assert "hire or move 1" in html


def test_module_insight_counts_pass_rate_hours_and_rejections(app, make_user, scored_team):
    engineer = make_user()
    module = db.session.scalar(db.select(Module).where(Module.key == "pipelines-101"))
    day = clock.today() - timedelta(days=3)
    for hours, status in (
        (2, EvidenceStatus.VERIFIED),
        (4, EvidenceStatus.REJECTED),
        (9, EvidenceStatus.WITHDRAWN),
    ):
        db.session.add(
            Evidence(
                user_id=engineer.id,
                module_id=module.id,
                date=day,
                kind=EvidenceKind.COMPLETION,
                hours=hours,
                status=status,
                decided_at=None if status is EvidenceStatus.WITHDRAWN else utcnow(),
            )
        )
    db.session.commit()
    insight = {m.key: m for m in module_insight()}
    pipelines = insight["pipelines-101"]
    assert pipelines.completions == 2 and pipelines.rejection_rate == 0.5
    assert pipelines.estimate == 4.5 and pipelines.median_hours == 3.0
    quiz = insight["mlcc-classification"]
    assert quiz.attempts == 2 and quiz.pass_rate == 1.0


def test_two_targets_that_tie_give_the_same_total_whatever_order_they_come_in():
    by = date(2027, 3, 1)
    small = TargetLine("Payments", "ml-engineer", 1, by, 2, 0)
    large = TargetLine("Payments", "ml-engineer", 2, by, 2, 0)
    assert _totals([small, large]) == _totals([large, small])
    assert _totals([small, large])["ml-engineer"].count == 2  # the target that asks most


BAND_CELL = re.compile(r'<td data-band="([^"]*)">(\d+)</td>')
GRID_ROW = re.compile(r'<tr><th scope="row">([^<]*)</th>')
TARGET_ROW = re.compile(
    r"<tr><td>([^<]*)</td><td>[^<]*</td><td>(\d+)</td><td>[^<]*</td><td>\d+</td>"
    r"\s*<td><span[^>]*>(?:hire or move (\d+)|train: on track)"
)


def test_company_bands_per_role_are_every_teams_bands_added_up(
    client, login_as, make_user, make_team, scored_team
):
    others = [make_user(email=f"o{i}@corp.test") for i in range(3)]
    make_team(name="Search", members=others)
    scored_team["prove"](others[0], "capstone", 5, status=EvidenceStatus.VERIFIED)
    html = login_as(make_user(roles=[Role.LD])).get("/team/company").get_data(as_text=True)
    shown = {
        role: {band: int(n) for band, n in BAND_CELL.findall(row.group(0))}
        for role in load_catalogue().roles
        for row in [re.search(rf'<tr data-company-role="{role}">.*?</tr>', html, re.S)]
        if row
    }
    from_evidence, _ = company._standings(load_catalogue(), clock.today())  # team by team
    want: dict[str, Counter[str]] = defaultdict(Counter)
    for (_, role), bands in from_evidence.items():
        want[role].update(bands)
    assert shown == {role: {b: want[role][b] for b in bands} for role, bands in shown.items()}
    assert set(shown) == set(load_catalogue().roles)
    assert shown["ml-engineer"]["ready"] == 2 and sum(shown["ml-engineer"].values()) == 7


def test_the_team_grid_shows_50_teams_a_page_by_name(
    client, login_as, make_user, make_team, scored_team
):
    names = [f"Team {i:02}" for i in range(54)]
    for name in reversed(names):
        make_team(name=name, members=[make_user()])
    make_team(name="Team without engineers")  # not listed: no engineers, no target
    names = ["Payments", *names]
    ld = login_as(make_user(roles=[Role.LD]))
    first = ld.get("/team/company").get_data(as_text=True)
    assert GRID_ROW.findall(first) == names[:50]
    assert "Page 1 of 2" in first and 'rel="next"' in first and 'rel="prev"' not in first
    second = ld.get("/team/company?page=2").get_data(as_text=True)
    assert GRID_ROW.findall(second) == names[50:]
    assert "Page 2 of 2" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert GRID_ROW.findall(ld.get("/team/company?page=9").get_data(as_text=True)) == []


def test_the_team_search_takes_part_of_a_name_in_any_case_and_wildcards_as_text(
    client, login_as, make_user, make_team, scored_team
):
    for name in ("Pay_ments", "Pay%ments", "Search"):
        make_team(name=name, members=[make_user()])
    ld = login_as(make_user(roles=[Role.LD]))

    def found(q: str) -> list[str]:
        page = ld.get("/team/company", query_string={"q": q}).get_data(as_text=True)
        return [html.unescape(n) for n in GRID_ROW.findall(page)]

    assert found("PAY") == ["Pay%ments", "Pay_ments", "Payments"]
    assert found("_") == ["Pay_ments"]
    assert found("%") == ["Pay%ments"]
    assert found("arc") == ["Search"]
    assert found("nobody") == []


def test_hire_or_train_shows_the_largest_gaps_first_says_how_many_more_and_totals_all(
    client, login_as, make_user, make_team, scored_team, monkeypatch
):
    monkeypatch.setattr(company, "TARGETS_SHOWN", 2)
    role_id = db.session.scalar(db.select(TargetRole.id).where(TargetRole.key == "ml-engineer"))
    by = clock.today() + timedelta(days=30)
    for name, count in (("Alpha", 2), ("Beta", 5)):  # no engineers: gaps of 2 and 5
        team = make_team(name=name)
        db.session.add(StaffingTarget(team_id=team.id, role_id=role_id, count=count, by=by))
    db.session.commit()
    view = company.company_view(clock.today())
    want = sorted(((t.team, t.count, t.gap) for t in view.targets), key=lambda t: -t[2])
    assert [gap for *_, gap in want] == [5, 2, 1]  # Payments: 3 wanted, 2 projected
    page = login_as(make_user(roles=[Role.LD])).get("/team/company").get_data(as_text=True)
    shown = [(team, int(count), int(gap or 0)) for team, count, gap in TARGET_ROW.findall(page)]
    assert shown == want[:2]
    assert 'data-more="1"' in page and "download all 3 as CSV" in page
    total = re.search(r'<tr data-total="ml-engineer">.*?<td>(\d+)</td>', page)
    assert total and int(total.group(1)) == sum(count for _, count, _ in want) == 10
    rows = list(
        csv.reader(io.StringIO(client.get("/team/company/targets.csv").get_data(as_text=True)))
    )
    assert [(r[0], int(r[2]), int(r[5])) for r in rows[1:]] == want


def test_the_page_read_agrees_with_the_whole_company_read_today_and_on_a_past_day(
    app, make_user, make_team, scored_team
):
    others = [make_user(email=f"o{i}@corp.test") for i in range(2)]
    make_team(name="Search", members=others)
    scored_team["prove"](others[1], "capstone", 1, status=EvidenceStatus.VERIFIED)
    catalogue = load_catalogue()
    ready = []
    for day in (clock.today(), clock.today() - timedelta(days=15)):  # the table; steps on a day
        whole = company.company_view(day, catalogue)
        page = company.company_page(day, catalogue, search="sea")
        summed: dict[str, Counter[str]] = defaultdict(Counter)
        for (_, role), bands in whole.bands.items():
            summed[role].update(bands)
        assert page.company == {role: dict(n) for role, n in summed.items()}
        assert [t.name for t in page.teams.items] == ["Search"]
        assert page.bands == {k: v for k, v in whole.bands.items() if k[0] == "Search"}
        assert page.targets == whole.targets and page.totals == whole.totals
        ready.append(page.company["ml-engineer"]["ready"])
    assert ready == [2, 0]  # both capstones came after the past day
