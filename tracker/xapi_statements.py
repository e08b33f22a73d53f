"""One xAPI statement: validated against the Experience API 1.0.3 model, then read for what the
tracker needs (who, which verb, which activity, when, what score, how long).

Validation is the maintained statement model of `ralph-malph` (pydantic), imported on first
use so that the rest of the app starts without it. No Flask, no database.
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
        model = _model().model_validate(body)
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
