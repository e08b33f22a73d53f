"""Writes: record, decide, withdraw, enrol, assign, claim, target, tokens.

Each function validates what makes a record valid (raising RecordError naming the field), adds
and flushes, and never commits: the surface that called it asks the policy first and commits
once. Operations never import a blueprint.
"""

from tracker.operations.claims import set_claims
from tracker.operations.enrolments import AlreadyEnrolled, Assigned, assign, enrol, leave
from tracker.operations.errors import RecordError
from tracker.operations.evidence import (
    AttemptInput,
    CompletionInput,
    FourEyes,
    decide,
    record_attempt,
    record_completion,
    withdraw,
)
from tracker.operations.targets import retire_target, set_target

__all__ = [
    "AlreadyEnrolled",
    "Assigned",
    "AttemptInput",
    "CompletionInput",
    "FourEyes",
    "RecordError",
    "assign",
    "decide",
    "enrol",
    "leave",
    "record_attempt",
    "record_completion",
    "retire_target",
    "set_claims",
    "set_target",
    "withdraw",
]
