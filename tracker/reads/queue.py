"""The verification queue: pending evidence, and for each piece who decides it (four eyes).

A manager sees the pending evidence of the teams they manage, their own and what they recorded
included, each marked with whether they may decide it and, if not, who does. L&D and admins
see every team's queue and decide where no manager of the team may.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Integer,
    Row,
    Select,
    bindparam,
    case,
    cast,
    func,
    select,
    union,
)

from tracker import policy
from tracker.extensions import db
from tracker.models import (
    Evidence,
    EvidenceStatus,
    Module,
    PendingTally,
    Role,
    Team,
    TeamManager,
    User,
    UserRole,
)
from tracker.query_args import Sort
from tracker.reads.evidence import recorder
from tracker.reads.paging import Page, clamp


@dataclass(frozen=True)
class QueueRow:
    """A piece of pending evidence as the queue shows it."""

    evidence: Evidence
    engineer: User
    module: Module
    team: str | None
    recorded_by: str | None
    may_decide: bool
    decided_by: str  # who decides, in words: "you", "another manager of Payments", "L&D"


QUEUE_PER_PAGE = 50
QUEUE_SORTS = {  # column -> (what it orders by, whether its first order is the largest first)
    "date": (Evidence.date, False),
    "engineer": (User.name, False),
    "module": (Module.title, False),
    "recorded": (Evidence.created_at, False),
}


def _visible(query: Select[Any], viewer: User) -> Select[Any]:
    teams = policy.visible_team_ids(viewer)
    return query if teams is None else query.where(User.team_id.in_(teams))


def _pending(viewer: User) -> Select[Evidence, User, Module, str | None, str | None]:
    recorder = db.aliased(User)
    query = (
        select(Evidence, User, Module, Team.name, recorder.name)
        .join(User, User.id == Evidence.user_id)
        .join(Module, Module.id == Evidence.module_id)
        .outerjoin(Team, Team.id == User.team_id)
        .outerjoin(recorder, recorder.id == Evidence.recorded_by_id)
        .where(Evidence.status == EvidenceStatus.PENDING)
    )
    return _visible(query, viewer)


def queue(viewer: User, only: Collection[int] | None = None) -> list[QueueRow]:
    """Return the pending evidence `viewer` may see, oldest first (three statements).

    `only` keeps the pieces with these ids (the ones a decision names).
    """
    query = _pending(viewer).order_by(Evidence.date, Evidence.id)
    if only is not None:
        query = query.where(Evidence.id.in_(list(only)))
    return _rows(viewer, db.session.execute(query).all())


def queue_page(viewer: User, sort: Sort, page: int) -> Page[QueueRow]:
    """Return one page of the queue in the order `sort` names (four statements, any size).

    A page past the end is the last page.
    """
    total = db.session.scalar(
        _visible(
            select(func.count())
            .select_from(Evidence)
            .join(User, User.id == Evidence.user_id)
            .where(Evidence.status == EvidenceStatus.PENDING),
            viewer,
        )
    )
    page, pages = clamp(page, total or 0, QUEUE_PER_PAGE)
    column, descending = QUEUE_SORTS[sort.column]
    query = (
        _pending(viewer)
        .order_by(*sort.order_by(column, descending=descending), Evidence.date, Evidence.id)
        .limit(QUEUE_PER_PAGE)
        .offset((page - 1) * QUEUE_PER_PAGE)
    )
    return Page(_rows(viewer, db.session.execute(query).all()), page, pages, total or 0)


def _rows(
    viewer: User, rows: Sequence[Row[Evidence, User, Module, str | None, str | None]]
) -> list[QueueRow]:
    managers = policy.team_managers({engineer.team_id for _, engineer, *_ in rows})
    out = []
    for evidence, engineer, module, team, recorded_by in rows:
        team_managers = managers.get(engineer.team_id or 0, set())
        who = policy.deciders(engineer.id, evidence.recorded_by_id, team_managers)
        mine = policy.may_decide(viewer, engineer.id, evidence.recorded_by_id, who)
        if mine:
            label = "you"
        elif who.managers:
            label = (
                f"another manager of {team}"
                if viewer.id in team_managers
                else f"a manager of {team}"
            )
        else:
            label = "L&D"
        by = recorder(recorded_by, evidence)
        out.append(QueueRow(evidence, engineer, module, team, by, mine, label))
    return out


def _waiting(parties: CompoundSelect[Any]) -> Select[Any]:
    """Pending evidence counted per team and per (subject, recorder) that can matter to the rule.

    `policy.is_party` compares a decider's id with the subject and the recorder, so only ids that
    can decide (`parties`) tell two pieces apart: every other id is counted as NULL. The groups
    are then about as many as the teams, not as the engineers, and every group holds pieces
    the rule answers alike for. The pieces are read from `pending_tallies` (a row per engineer
    and recorder of pending evidence, found by team from its index), never from the evidence.
    """
    tally = PendingTally

    def kept(column: Any) -> Any:
        return case((column.in_(parties), column), else_=None)

    subject, recorded_by = kept(tally.user_id), kept(tally.recorded_by_id)
    query = select(subject, recorded_by, tally.team_id, cast(func.sum(tally.pieces), Integer))
    return query.group_by(subject, recorded_by, tally.team_id)


def decidable_teams(viewer: User) -> Counter[int | None]:
    """Return, per team, how much pending evidence `viewer` may decide (one statement).

    The queue's rule as the policy writes it in SQL (`policy.may_decide_where`), applied by the
    database to `pending_tallies` (a row per engineer and recorder of pending evidence, with the
    engineer's team, found by team from its index): the teams the viewer sees, summed per team.
    """
    teams = policy.visible_team_ids(viewer)
    arguments: dict[str, Any] = {"viewer": viewer.id}
    if teams is not None:
        arguments["teams"] = list(teams)
    statement = _decidable(teams is None, policy.decides_as(viewer))
    return Counter({team: n for team, n in db.session.execute(statement, arguments) if n})


@cache
def _decidable(every_team: bool, ways: tuple[bool, bool]) -> Select[int | None, int]:
    """The statement `decidable_teams` runs for a viewer who decides in `ways`, built once
    (every page's navigation asks for it) and bound to the viewer and their teams.

    A manager's count reads their teams' pending evidence, not every team's.
    """
    tally = PendingTally
    viewer = bindparam("viewer", type_=Integer)
    decides = policy.may_decide_where(
        ways, viewer, tally.team_id, tally.user_id, tally.recorded_by_id
    )
    query = select(tally.team_id, cast(func.sum(tally.pieces), Integer)).where(decides)
    if not every_team:
        query = query.where(tally.team_id.in_(bindparam("teams", expanding=True)))
    return query.group_by(tally.team_id)


def decidable_count(viewer: User) -> int:
    """Return how much evidence waits for this person's decision."""
    if not policy.may_verify(viewer):
        return 0
    return sum(decidable_teams(viewer).values())


def decidable_by_person() -> dict[User, int]:
    """Return each active person who may decide pending evidence, with how much waits for them.

    The queue's rule, `policy.may_decide`, asked of each piece's eligible managers and, where
    the team has none, of every active L&D person and admin (three statements), once per group
    of pieces the rule answers alike for (`_waiting`).
    """
    ld_roles = UserRole.role.in_([Role.LD, Role.ADMIN])
    parties = union(select(TeamManager.user_id), select(UserRole.user_id).where(ld_roles))
    rows = db.session.execute(_waiting(parties)).all()
    managers = policy.team_managers({team_id for _, _, team_id, _ in rows})
    eligible = {m for ids in managers.values() for m in ids}
    people = {
        person.id: person
        for person in db.session.scalars(
            db.select(User).where(
                User.active.is_(True), User.id.in_(eligible) | User.role_links.any(ld_roles)
            )
        )
    }
    ld_people = [p for p in people.values() if policy.holds(p, Role.LD)]
    waiting: Counter[int] = Counter()
    for subject, recorded_by_id, team_id, pieces in rows:
        who = policy.deciders(subject, recorded_by_id, managers.get(team_id or 0, set()))
        candidates = [people[m] for m in who.managers if m in people]
        for person in candidates + (ld_people if who.ld else []):
            if policy.may_decide(person, subject, recorded_by_id, who):
                waiting[person.id] += pieces
    return {people[i]: waiting[i] for i in sorted(waiting)}
