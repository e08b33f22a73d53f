"""xAPI statements: who and which module they name, and what waits for L&D to map."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func

from tracker.extensions import db
from tracker.models import (
    Module,
    Outcome,
    User,
    XapiActivityLink,
    XapiActorLink,
    XapiStatement,
)


@dataclass(frozen=True)
class Matches:
    """The people and modules a batch of statements names, found in a fixed number of queries.

    A module is found by an activity L&D mapped to it, else by its `xapi_activity`, else by its
    `url`; an id that several live modules share is `ambiguous` and matches none, until L&D
    map it. A person (by id) is found by an address L&D mapped, or by their email.
    """

    people: dict[str, int]
    modules: dict[str, Module]
    ambiguous: frozenset[str] = frozenset()


def matches(addresses: Collection[str], activities: Collection[str]) -> Matches:
    """Find the people and modules named by `addresses` and `activities`."""
    people: dict[str, int] = {}
    if addresses:
        email = func.lower(User.email)
        by_email = db.select(email, User.id).where(email.in_(addresses))
        people.update({address: user_id for address, user_id in db.session.execute(by_email)})
        linked = db.select(XapiActorLink.address, XapiActorLink.user_id).where(
            XapiActorLink.address.in_(addresses)
        )
        people.update({address: user_id for address, user_id in db.session.execute(linked)})
    if not activities:
        return Matches(people, {})
    live = db.session.scalars(
        db.select(Module).where(
            Module.archived_at.is_(None),
            Module.url.in_(activities) | Module.xapi_activity.in_(activities),
        )
    ).all()
    modules: dict[str, Module] = {}
    ambiguous: set[str] = set()
    for field in ("url", "xapi_activity"):  # an explicit xapi_activity outranks a link
        named: dict[str, list[Module]] = {}
        for module in live:
            if getattr(module, field) in activities:
                named.setdefault(getattr(module, field), []).append(module)
        for activity, found in named.items():
            if len(found) == 1:
                modules[activity] = found[0]
                ambiguous.discard(activity)
            else:
                modules.pop(activity, None)
                ambiguous.add(activity)
    linked_modules = db.session.execute(
        db.select(XapiActivityLink.activity, Module)
        .join(Module, Module.id == XapiActivityLink.module_id)
        .where(XapiActivityLink.activity.in_(activities))
    )
    for activity, module in linked_modules:
        modules[activity] = module
        ambiguous.discard(activity)
    return Matches(people, modules, frozenset(ambiguous))


@dataclass(frozen=True)
class Waiting:
    """Something statements name that the tracker does not know, and how many statements wait."""

    key: str  # the activity id, or the actor's address
    label: str  # the activity's name as the platform gave it, or the address
    count: int


@dataclass(frozen=True)
class Backlog:
    """What waits for a mapping: unknown activities and unknown people, most statements first."""

    total: int
    activities: list[Waiting]
    people: list[Waiting]


def backlog() -> Backlog:
    """The statements that matched nothing, grouped by what they need mapped."""
    unmatched = XapiStatement.outcome == Outcome.UNMATCHED
    total = waiting_count()
    by_activity = db.session.execute(
        db.select(XapiStatement.activity, func.count(), func.max(XapiStatement.id))
        .where(unmatched)
        .group_by(XapiStatement.activity)
    ).all()
    by_address = db.session.execute(
        db.select(XapiStatement.actor_email, func.count())
        .where(unmatched, XapiStatement.actor_email.is_not(None))
        .group_by(XapiStatement.actor_email)
    ).all()
    known = matches(
        [address for address, _ in by_address if address],
        [activity for activity, _, _ in by_activity],
    )
    names = _activity_names([last for activity, _, last in by_activity])
    activities = [
        Waiting(activity, names.get(last) or activity, count)
        for activity, count, last in by_activity
        if activity not in known.modules
    ]
    people = [
        Waiting(address, address, count)
        for address, count in by_address
        if address and address not in known.people
    ]
    activities.sort(key=lambda w: (-w.count, w.label.lower()))
    people.sort(key=lambda w: (-w.count, w.label))
    return Backlog(total, activities, people)


def _activity_names(statement_ids: list[str]) -> dict[str, str]:
    """The activity name (`object.definition.name`, English first) of each statement."""
    out = {}
    rows = db.session.execute(
        db.select(XapiStatement.id, XapiStatement.body).where(XapiStatement.id.in_(statement_ids))
    )
    for statement_id, body in rows:
        names = json.loads(body).get("object", {}).get("definition", {}).get("name", {})
        if isinstance(names, dict) and names:
            out[statement_id] = str(
                names.get("en-US") or names.get("en") or next(iter(names.values()))
            )
    return out


def waiting_count() -> int:
    """How many statements wait for a mapping."""
    unmatched = XapiStatement.outcome == Outcome.UNMATCHED
    return db.session.scalar(db.select(func.count()).where(unmatched)) or 0


def stored(statement_id: str) -> XapiStatement | None:
    """The statement with this id, as stored."""
    return db.session.get(XapiStatement, statement_id)


@dataclass(frozen=True)
class Problem:
    """A statement that matched but was not recorded, and why."""

    id: str
    received_at: str
    address: str
    activity: str
    reason: str


def outcome_counts() -> dict[Outcome, int]:
    """How many statements ended in each outcome."""
    rows = db.session.execute(
        db.select(XapiStatement.outcome, func.count()).group_by(XapiStatement.outcome)
    )
    counts = {outcome: 0 for outcome in Outcome}
    counts.update({outcome: count for outcome, count in rows})
    return counts


def recent_problems(limit: int = 20) -> list[Problem]:
    """The latest statements that matched a person and a module but broke a rule."""
    rows = db.session.execute(
        db.select(
            XapiStatement.id,
            XapiStatement.received_at,
            XapiStatement.actor_email,
            XapiStatement.activity,
            XapiStatement.reason,
        )
        .where(XapiStatement.outcome == Outcome.NOT_RECORDED)
        .order_by(XapiStatement.received_at.desc(), XapiStatement.id)
        .limit(limit)
    )
    return [
        Problem(i, at.strftime("%Y-%m-%d %H:%M"), address or "", activity, reason)
        for i, at, address, activity, reason in rows
    ]
