"""A team's bands week by week, read from `readiness_steps`, at the edges of the weeks.

`weekly_role_bands` counts each step on the days from the first it reaches to the first it no
longer holds on. Steps beginning or ending exactly on one of the days, beginning before the
first, holding on none of them, never ending, and engineers without any step all count as the
as-of rule says: on a day, the step whose `from_on <= day < until_on`, and for an engineer
without steps the readiness of no evidence.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.small_org import small_org
from tracker.extensions import db
from tracker.models import ReadinessStep, TargetRole, User
from tracker.models.readiness import LAST_STEP_UNTIL as END
from tracker.readiness import band, readiness
from tracker.reads.catalogue import load_catalogue
from tracker.reads.team_charts import weekly_role_bands

FIRST = date(2026, 3, 2)
DAYS = [FIRST + timedelta(weeks=i) for i in range(4)]
D0, D1, D2, D3 = DAYS


def on(day: date, plus: int) -> date:
    """The day `plus` days after `day` (before it when negative)."""
    return day + timedelta(days=plus)


# (engineer, from_on, until_on, readiness in tenths) for ml-engineer: as the table holds them,
# each engineer's steps run from date.min to END without a gap
STEPS = [
    (0, date.min, on(D0, -30), 0),
    (0, on(D0, -30), D1, 800),  # begins before the first day, ends exactly on a day
    (0, D1, END, 1000),  # begins exactly on a day, never ends
    (1, date.min, on(D0, 2), 0),
    (1, on(D0, 2), on(D0, 5), 300),  # between two days: holds on none
    (1, on(D0, 5), D3, 500),  # ends exactly on the last day
    (1, D3, END, 750),
    (2, date.min, on(D0, -200), 0),
    (2, on(D0, -200), on(D0, -100), 100),  # over before the first day
    (2, on(D0, -100), on(D3, 1), 500),  # holds on every day
    (2, on(D3, 1), END, 1000),  # begins after the last day
    # E3: no step at all (no counting evidence)
]


@pytest.fixture
def team(app, make_user, make_team):
    """Payments (E0..E3) with the steps above written straight into the table, removed after.

    The table is derived: the steps stand for no evidence, so they go before the test ends.
    """
    made = small_org(make_user, make_team, [("Payments", slice(0, 4)), ("Search", slice(4, 6))])
    roles = {key: id_ for key, id_ in db.session.execute(db.select(TargetRole.key, TargetRole.id))}
    people = made["engineers"]
    rows = [
        ReadinessStep(
            user_id=people[who].id,
            role_id=roles["ml-engineer"],
            from_on=start,
            until_on=until,
            tenths=tenths,
        )
        for who, start, until, tenths in STEPS
    ]
    db.session.add_all(rows)
    db.session.commit()
    yield made["teams"][0]
    mine = ReadinessStep.user_id.in_([p.id for p in people])
    db.session.execute(db.delete(ReadinessStep).where(mine))
    db.session.commit()


def expected(people: list[User], days: list[date]) -> list[dict[str, int]]:
    """Engineers per band on each day, by the as-of rule applied to STEPS one day at a time."""
    role = load_catalogue().roles["ml-engineer"]
    out = []
    for day in days:
        counts = {"ready": 0, "nearly_ready": 0, "in_progress": 0, "not_started": 0}
        for who in range(len(people)):
            held = [t for w, start, until, t in STEPS if w == who and start <= day < until]
            value = held[0] / 10 if held else readiness({}, role)
            counts[band(value).value] += 1
        out.append(counts)
    return out


def test_steps_count_from_the_day_they_begin_until_the_day_they_end(team):
    role = load_catalogue().roles["ml-engineer"]
    people = list(
        db.session.scalars(db.select(User).where(User.team_id == team.id).order_by(User.name))
    )
    assert [p.name for p in people] == ["E0", "E1", "E2", "E3"]
    assert weekly_role_bands(team.id, role, DAYS) == expected(people, DAYS)
    assert weekly_role_bands(team.id, role, DAYS) == [
        {"ready": 0, "nearly_ready": 1, "in_progress": 1, "not_started": 2},  # D0
        {"ready": 1, "nearly_ready": 0, "in_progress": 2, "not_started": 1},  # D1: E0, E1 on
        {"ready": 1, "nearly_ready": 0, "in_progress": 2, "not_started": 1},  # D2
        {"ready": 1, "nearly_ready": 1, "in_progress": 1, "not_started": 1},  # D3: E1 on
    ]


@pytest.mark.parametrize(
    "days",
    [
        [D0],
        [D3],
        [on(D0, 2)],  # a day inside the step that holds on no weekly day
        [on(D0, -150), D0],  # the first day reaches the step over before the old first day
        [on(D3, 1), on(D3, 8)],  # both days after E2's last change
        [D0, on(D0, 3), on(D0, 5), D1, D3, on(D3, 1)],  # days not a week apart
    ],
)
def test_any_ascending_days_give_the_as_of_rule(team, days):
    role = load_catalogue().roles["ml-engineer"]
    people = list(db.session.scalars(db.select(User).where(User.team_id == team.id)))
    assert weekly_role_bands(team.id, role, days) == expected(people, days)


def test_no_days_no_bands(team):
    assert weekly_role_bands(team.id, load_catalogue().roles["ml-engineer"], []) == []
