"""Every role explained: its requirements beside the engineer's levels, and what closes each gap."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from tracker import policy
from tracker.clock import today
from tracker.engineer import bp
from tracker.policy import allowed_by
from tracker.reads.catalogue import load_catalogue
from tracker.reads.charts import engineer_levels
from tracker.reads.progress import progress_of
from tracker.reads.role_explained import level_name, role_explained


@bp.get("/roles", defaults={"key": None})
@bp.get("/roles/<key>")
@allowed_by(policy.may_keep_records)
def role(key: str | None) -> str:
    """One live role (the closest when none is named) explained to the engineer reading it."""
    catalogue = load_catalogue()
    progress = progress_of(current_user.id, today(), catalogue)
    if key is None and not progress.roles:
        return render_template("engineer/role.html", explained=None, names=catalogue.names)
    explained = role_explained(progress, catalogue, key or progress.roles[0].role)
    if explained is None:
        abort(404)
    levels = engineer_levels(progress, catalogue, explained.role.role, current_user.name)
    return render_template(
        "engineer/role.html",
        explained=explained,
        progress=progress,
        alt=levels.alt,
        names=catalogue.names,
        urls=catalogue.urls,
        level_name=level_name,
    )
