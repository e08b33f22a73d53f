"""One xAPI statement: validated against the Experience API 1.0.3 model, then read for what the
tracker needs (who, which verb, which activity, when, what score, how long).

Validation is the maintained statement model of `ralph-malph` (pydantic), imported on first
use so that the rest of the app starts without it. No Flask, no database.

One departure: ralph checks an `mbox` with email-validator, which refuses every address under
a special-use domain (`corp.test`, `mail.corp.local`, … RFC 6761) as not deliverable on the
internet. Company directories use such domains, and so do the people here. So ralph is shown
each such mbox with its last label (`test`, `local`) spelled as as many `x`: the same length
and the same syntax, checked by the same rules, but on no special-use name. The statement is
stored and read as sent; nothing else about validation changes, in the intake or elsewhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

VERBS = "http://adlnet.gov/expapi/verbs/"
COMPLETED = VERBS + "completed"
ATTEMPT_VERBS = frozenset({VERBS + "passed", VERBS + "failed", VERBS + "scored"})


class BadStatement(ValueError):
    """A statement the Experience API does not allow; the message says what and where."""


@dataclass(frozen=True)
class Statement:
    """What the tracker reads from a valid statement.

    `address` names the actor: an email for `mbox`, otherwise the identifier as written
    (`account:<homePage>#<name>`, `sha1:<sum>`, `openid:<url>`); None for a group.
    `score` is a percentage when the result carries a usable score; `score_problem` says why
    not when it carries an unusable one.
    """

    id: str | None
    body: dict[str, Any]
    canonical: str
    address: str | None
    verb: str
    activity: str | None
    timestamp: datetime | None
    score: int | None
    score_problem: str | None
    hours: Decimal | None


def canonical(body: dict[str, Any]) -> str:
    """The statement as one comparable string: same content, same string."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@cache
def _model() -> Any:
    from ralph.models.xapi.base.statements import BaseXapiStatement

    return BaseXapiStatement


@cache
def _special_use() -> frozenset[str]:
    from email_validator import SPECIAL_USE_DOMAIN_NAMES

    return frozenset(SPECIAL_USE_DOMAIN_NAMES)


def _as_ralph_sees_it(node: Any) -> Any:
    """`node` with each `mbox` under a special-use domain given a stand-in last label."""
    if isinstance(node, list):
        return [_as_ralph_sees_it(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: _stand_in(value) if key == "mbox" else _as_ralph_sees_it(value)
        for key, value in node.items()
    }


def _stand_in(mbox: Any) -> Any:
    """`mailto:a@corp.test` as `mailto:a@corp.xxxx`; any other value as it is."""
    if not isinstance(mbox, str) or not mbox.startswith("mailto:") or "@" not in mbox:
        return mbox
    local, domain = mbox.removeprefix("mailto:").rsplit("@", 1)
    name, dot, last = domain.rpartition(".")
    if not (name and dot) or last.lower() not in _special_use():
        return mbox  # a dotless domain stays refused: no address people have is on one
    return f"mailto:{local}@{name}.{'x' * len(last)}"


def _where(location: tuple[Any, ...]) -> str:
    # ralph's union members (BaseXapiAgentWithMbox, …) appear in the location: leave them out.
    parts = [str(p) for p in location if not (isinstance(p, str) and p.startswith("BaseXapi"))]
    return ".".join(parts) or "statement"


def parse(body: Any) -> Statement:
    """Validate `body` (a decoded JSON value) as one statement and read it; BadStatement if not."""
    from pydantic import ValidationError

    if not isinstance(body, dict):
        raise BadStatement("A statement must be a JSON object.")
    try:
        model = _model().model_validate(_as_ralph_sees_it(body))
    except ValidationError as error:
        first = error.errors()[0]
        raise BadStatement(f"{_where(first['loc'])}: {first['msg']}") from None
    score, problem = _score(body.get("result", {}).get("score"))
    return Statement(
        id=str(model.id) if model.id else None,
        body=body,
        canonical=canonical(body),
        address=_address(body["actor"]),
        verb=body["verb"]["id"],
        activity=_activity(body["object"]),
        timestamp=_in_utc(model.timestamp),
        score=score,
        score_problem=problem,
        hours=_hours(model),
    )


def _in_utc(moment: datetime | None) -> datetime | None:
    """The timestamp in UTC, whatever its offset; one without an offset is read as UTC."""
    if moment is None:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _address(actor: dict[str, Any]) -> str | None:
    if actor.get("objectType") == "Group":
        return None
    if "mbox" in actor:
        return str(actor["mbox"]).removeprefix("mailto:").strip().lower()
    if "account" in actor:
        return f"account:{actor['account']['homePage']}#{actor['account']['name']}"
    if "mbox_sha1sum" in actor:
        return f"sha1:{actor['mbox_sha1sum']}"
    return f"openid:{actor['openid']}"


def _activity(target: dict[str, Any]) -> str | None:
    if target.get("objectType", "Activity") != "Activity":
        return None
    return str(target["id"])


def _score(score: dict[str, Any] | None) -> tuple[int | None, str | None]:
    """A percentage from `scaled` (0 to 1) or from `raw` within `min`..`max`."""
    if not score:
        return None, None
    if "scaled" in score:
        scaled = Decimal(str(score["scaled"]))
        if scaled < 0:
            return None, "a negative scaled score cannot be read as a mark from 0 to 100"
        return _percent(scaled), None
    if "raw" in score and "max" in score:
        low, high = Decimal(str(score.get("min", 0))), Decimal(str(score["max"]))
        raw = Decimal(str(score["raw"]))
        if high <= low or not low <= raw <= high:
            return None, "the raw score must lie between min (default 0) and a greater max"
        return _percent((raw - low) / (high - low)), None
    return None, "the score needs scaled, or raw with max"


def _percent(share: Decimal) -> int:
    return int((share * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _hours(model: Any) -> Decimal | None:
    duration = model.result.duration if model.result is not None else None
    if duration is None:
        return None
    hours = Decimal(duration.total_seconds()) / 3600
    return hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
