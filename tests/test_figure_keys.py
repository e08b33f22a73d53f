"""A chart's cache key comes from every input it shows (tracker/reads/versions.py: figure_key).

Each test changes one input of a chart, then asks for the chart again with the ETag it had:
the ETag must change (a new key, so a cached PNG is never served stale), and where the input is
shown, the numbers behind the chart (its CSV, computed fresh) must change too. An unchanged
request keeps its ETag and answers 304.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from tests import factories
from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.clock import today
from tracker.extensions import db
from tracker.models import (
    Competency,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Module,
    Role,
    StaffingTarget,
    User,
)

TODAY = today()

# SMALL with a second role, so the role viewed can change.
TWO_ROLES = SMALL.replace(
    "modules:\n",
    """\
  - key: ml-platform-engineer
    name: ML Platform Engineer
    family: platform
    requires:
      - {competency: ml-pipelines, level: 3}
modules:
""",
    1,
)


@dataclass
class Look:
    """What a request shows: the PNG's ETag and the numbers of the same chart."""

    etag: str
    numbers: list[list[str]]


@dataclass
class View:
    """Who asks for which chart, for which role and date."""

    chart: str  # "bands", "trend", "heatmap", "forecast" or "levels"
    viewer: str = "lead"  # "lead", "ld" or "self" (the engineer of the levels chart)
    role: str = "ml-engineer"
    as_of: date = field(default_factory=lambda: TODAY)
    size: str = "wide"  # or "narrow", a phone's drawing; the numbers (CSV) have no size


@pytest.fixture
def org(app, make_user, scored_team):
    """The scored team of four (E0 ready ... E3 not started), a second role, and L&D.

    "self" is E2, the engineer of the levels chart.
    """
    import_text(TWO_ROLES, "two-roles.yaml")
    db.session.commit()
    ld = make_user(email="ld@corp.test", roles=[Role.LD])
    return {**scored_team, "ld": ld, "self": scored_team["people"][2]}


def chart_url(org, view: View, fmt: str) -> str:
    query = f"role={view.role}&as_of={view.as_of.isoformat()}"
    if view.size != "wide":
        query += f"&size={view.size}"
    if view.chart == "levels":
        return f"/progress/{org['people'][2].id}/levels.{fmt}?{query}"
    return f"/team/{org['team'].id}/charts/{view.chart}.{fmt}?{query}"


def look(client, login_as, org, view: View, etag: str | None = None) -> Look:
    """Ask for the chart (with `etag` as If-None-Match when given) and for its numbers."""
    login_as(org[view.viewer])
    headers = {"If-None-Match": etag} if etag else {}
    png = client.get(chart_url(org, view, "png"), headers=headers)
    assert png.status_code == 200, f"{view} answered {png.status_code}"
    assert png.data.startswith(b"\x89PNG")
    numbers = client.get(chart_url(org, view, "csv"))
    assert numbers.status_code == 200
    rows = list(csv.reader(io.StringIO(numbers.get_data(as_text=True))))
    return Look(png.headers["ETag"], rows)


def module_id(key: str) -> int:
    return db.session.scalar(db.select(Module.id).where(Module.key == key))


def pending_completion(person: User) -> Evidence:
    """A completion of a module that requires verification: it waits, and does not count yet."""
    item = Evidence(
        user_id=person.id,
        module_id=module_id("pipelines-101"),
        kind=EvidenceKind.COMPLETION,
        date=TODAY - timedelta(days=2),
        status=EvidenceStatus.PENDING,
        recorded_by_id=person.id,
    )
    db.session.add(item)
    db.session.commit()
    return item


# --- the changes: each takes (org, client, login_as) and returns the view to ask for after ------


def add_engineer(org, client, login_as, make_user):
    newcomer = make_user(email="new@corp.test", name="Newcomer")
    newcomer.team_id = org["team"].id
    db.session.commit()


def rename_engineer(org, client, login_as, make_user):
    org["people"][3].name = "E3 Renamed"
    db.session.commit()


def remove_engineer(org, client, login_as, make_user):
    """E0, the ready one, leaves the team for no team."""
    org["people"][0].team_id = None
    db.session.commit()


def deactivate_engineer(org, client, login_as, make_user):
    """E1 (in progress) is deactivated: still in the team, counted nowhere."""
    org["people"][1].active = False
    db.session.commit()


def move_engineer(org, client, login_as, make_user):
    """E2 (rising) moves to another team."""
    factories.make_team(name="Search", members=[org["people"][2]])


def rename_team(org, client, login_as, make_user):
    """The team's name is in every team chart's title, not in its numbers."""
    org["team"].name = "Payments and Billing"
    db.session.commit()


def add_evidence(org, client, login_as, make_user):
    """E2 passes the capstone project, verified: ready for ML Engineer."""
    org["prove"](org["people"][2], "capstone", 3, status=EvidenceStatus.VERIFIED)


def verify_pending(org, client, login_as, make_user):
    item = org["pending"]
    login_as(org["lead"])
    response = client.post(
        "/team/verify", data={"evidence": [str(item.id)], "decision": "verified"}
    )
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.status is EvidenceStatus.VERIFIED


def withdraw_pending(org, client, login_as, make_user):
    item = org["pending"]
    login_as(org["people"][3])
    assert client.post(f"/progress/evidence/{item.id}/withdraw").status_code == 302
    db.session.refresh(item)
    assert item.status is EvidenceStatus.WITHDRAWN


def add_target(org, client, login_as, make_user):
    login_as(org["lead"])
    by = (TODAY + timedelta(days=200)).isoformat()
    response = client.post(
        f"/team/{org['team'].id}/targets", data={"role": "ml-engineer", "count": "6", "by": by}
    )
    assert response.status_code == 302
    assert db.session.scalar(db.select(StaffingTarget).where(StaffingTarget.count == 6))


def retire_target(org, client, login_as, make_user):
    target = db.session.scalar(db.select(StaffingTarget).where(StaffingTarget.count == 3))
    login_as(org["lead"])
    assert client.post(f"/team/{org['team'].id}/targets/{target.id}/archive").status_code == 302
    db.session.refresh(target)
    assert target.archived_at is not None


def change_module_outcome(org, client, login_as, make_user):
    """The classification module now develops model evaluation to level 3, not 2."""
    changed = TWO_ROLES.replace(
        "      - {competency: model-evaluation, level: 2}\n",
        "      - {competency: model-evaluation, level: 3}\n",
        1,
    )
    assert changed != TWO_ROLES
    import_text(changed, "changed.yaml")
    db.session.commit()


def rename_role(org, client, login_as, make_user):
    import_text(TWO_ROLES.replace("name: ML Engineer\n", "name: Machine learning engineer\n"))
    db.session.commit()


def change_required_level(org, client, login_as, make_user):
    """ML Engineer now needs ML pipelines at level 3."""
    changed = TWO_ROLES.replace(
        "      - {competency: ml-pipelines, level: 2}\n",
        "      - {competency: ml-pipelines, level: 3}\n",
        1,
    )
    assert changed != TWO_ROLES
    import_text(changed, "changed.yaml")
    db.session.commit()


def claim_levels(org, client, login_as, make_user):
    ids = dict(db.session.execute(db.select(Competency.key, Competency.id)).all())
    login_as(org["people"][2])
    response = client.post(
        "/progress/self-assessment",
        data={f"level-{ids['model-evaluation']}": "4", f"level-{ids['ml-pipelines']}": "3"},
    )
    assert response.status_code == 302


Change = Callable[..., None]

# (what changes, the chart that shows it, does the chart's numbers show it?)
STATE_CHANGES: list[tuple[Change, str, bool]] = [
    (add_engineer, "bands", True),  # one more engineer not started
    (add_engineer, "heatmap", True),
    (rename_engineer, "heatmap", True),  # the heatmap names each engineer
    (remove_engineer, "bands", True),  # one fewer ready
    (remove_engineer, "forecast", True),  # one fewer ready now, so by every month's end
    (deactivate_engineer, "heatmap", True),
    (deactivate_engineer, "trend", True),
    (move_engineer, "bands", True),
    (move_engineer, "heatmap", True),
    (rename_team, "bands", False),  # the title changes: same numbers, new key
    (rename_team, "forecast", False),
    (add_evidence, "bands", True),
    (add_evidence, "heatmap", True),
    (add_evidence, "trend", True),
    (add_evidence, "levels", True),
    (verify_pending, "heatmap", True),  # the verified completion now counts
    (verify_pending, "forecast", True),  # E3 starts to move: projected ready within the year
    (withdraw_pending, "heatmap", False),  # pending never counted: same numbers, new key
    (add_target, "forecast", True),
    (retire_target, "forecast", True),
    (change_module_outcome, "heatmap", True),
    (change_module_outcome, "levels", True),
    (rename_role, "bands", True),  # the bands list roles by name
    (change_required_level, "heatmap", True),  # the required row
    (change_required_level, "levels", True),
    (claim_levels, "levels", True),
]


@pytest.mark.parametrize(
    "change,chart,shown",
    STATE_CHANGES,
    ids=[f"{change.__name__}-{chart}" for change, chart, _ in STATE_CHANGES],
)
def test_changing_what_a_chart_shows_changes_its_key(
    client, login_as, make_user, org, change, chart, shown
):
    if change in (verify_pending, withdraw_pending):
        org["pending"] = pending_completion(org["people"][3])
    view = View(chart)
    before = look(client, login_as, org, view)
    change(org, client, login_as, make_user)
    after = look(client, login_as, org, view, etag=before.etag)
    assert after.etag != before.etag
    if shown:
        assert after.numbers != before.numbers
    else:
        assert after.numbers == before.numbers


# --- what is asked for: role, date, who is looking ---------------------------------------------


def what_differs(a: View, b: View) -> str:
    """Name the one thing two views differ in, for a test id."""
    return next(k for k in ("role", "as_of", "size", "viewer") if getattr(a, k) != getattr(b, k))


VIEW_CHANGES: list[tuple[View, View, bool]] = [
    (View("heatmap"), View("heatmap", role="ml-platform-engineer"), True),
    (View("forecast"), View("forecast", role="ml-platform-engineer"), True),
    (View("levels"), View("levels", role="ml-platform-engineer"), True),
    (View("trend"), View("trend", as_of=TODAY - timedelta(days=7)), True),
    (View("bands"), View("bands", as_of=TODAY - timedelta(days=30)), True),
    (View("heatmap"), View("heatmap", as_of=TODAY - timedelta(days=30)), True),
    (View("levels"), View("levels", as_of=TODAY - timedelta(days=30)), True),
    # L&D sees the same numbers as the manager, under a key of its own
    (View("bands"), View("bands", viewer="ld"), False),
    (View("forecast"), View("forecast", viewer="ld"), False),
    # the engineer's own levels chart, and a manager's or L&D's view of it
    (View("levels"), View("levels", viewer="self"), False),
    (View("levels", viewer="ld"), View("levels", viewer="self"), False),
    # a phone's drawing of the same numbers, under a key of its own
    *[(View(c), View(c, size="narrow"), False) for c in ("bands", "trend", "forecast", "levels")],
    (View("heatmap", viewer="ld"), View("heatmap", viewer="ld", size="narrow"), False),
]


@pytest.mark.parametrize(
    "first,second,shown",
    VIEW_CHANGES,
    ids=[f"{a.chart}-{what_differs(a, b)}" for a, b, _ in VIEW_CHANGES],
)
def test_asking_for_another_role_date_audience_or_size_changes_the_key(
    client, login_as, org, first, second, shown
):
    before = look(client, login_as, org, first)
    after = look(client, login_as, org, second, etag=before.etag)
    assert after.etag != before.etag
    if shown:
        assert after.numbers != before.numbers
    else:
        assert after.numbers == before.numbers


# --- nothing changed: the same key, and 304 ---------------------------------------------------


@pytest.mark.parametrize("chart", ["bands", "trend", "heatmap", "forecast", "levels"])
@pytest.mark.parametrize("viewer", ["lead", "ld"])
@pytest.mark.parametrize("size", ["wide", "narrow"])
def test_an_unchanged_chart_keeps_its_key_and_answers_304(
    client, login_as, org, chart, viewer, size
):
    view = View(chart, viewer=viewer, size=size)
    first = look(client, login_as, org, view)
    again = client.get(chart_url(org, view, "png"), headers={"If-None-Match": first.etag})
    assert again.status_code == 304 and again.headers["ETag"] == first.etag and not again.data
    assert look(client, login_as, org, view).etag == first.etag


def test_every_input_gives_a_key_of_its_own(client, login_as, make_user, org):
    """All the keys seen along a run of changes are different: none comes back by accident."""
    view = View("heatmap")
    seen = [look(client, login_as, org, view).etag]
    org["pending"] = pending_completion(org["people"][3])
    seen.append(look(client, login_as, org, view).etag)
    for change in (
        add_engineer,
        rename_engineer,
        add_evidence,
        verify_pending,
        add_target,
        retire_target,
        change_module_outcome,
        rename_role,
        rename_team,
        move_engineer,
        deactivate_engineer,
        remove_engineer,
    ):
        change(org, client, login_as, make_user)
        seen.append(look(client, login_as, org, view).etag)
    assert len(set(seen)) == len(seen)


@pytest.mark.parametrize("chart", ["heatmap", "levels"])
def test_a_change_redraws_the_phones_picture_too(client, login_as, make_user, org, chart):
    view = View(chart, size="narrow")
    before = look(client, login_as, org, view)
    add_evidence(org, client, login_as, make_user)
    after = look(client, login_as, org, view, etag=before.etag)
    assert after.etag != before.etag and after.numbers != before.numbers
