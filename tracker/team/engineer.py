"""One engineer's progress as their manager or L&D sees it: read only, as of a date."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from tracker import policy
from tracker.policy import allowed_by
from tracker.query_args import as_of_arg
from tracker.reads.catalogue import load_catalogue
from tracker.reads.charts import engineer_levels
from tracker.reads.evidence import evidence_of
from tracker.reads.progress import progress_of
from tracker.team import bp
from tracker.team.dashboard import view_args


@bp.get("/engineers/<int:user_id>")
@allowed_by(policy.may_see_teams)
def engineer_progress(user_id: int) -> str:
    """One engineer's progress and evidence as of a date, read only, for their manager or L&D
    (or themselves)."""
    engineer = policy.visible_engineer(current_user, user_id=user_id)
    catalogue = load_catalogue()
    as_of = as_of_arg()
    progress = progress_of(engineer.id, as_of, catalogue)
    role = request.args.get("role", "")
    role = role if role in catalogue.roles else (progress.roles[0].role if progress.roles else "")
    levels = engineer_levels(progress, catalogue, role, engineer.name) if role else None
    back = view_args(request.args) | {"as_of": as_of.isoformat()}
    team_id = engineer.team_id
    back_team = team_id if team_id and policy.may_see_team(current_user, team_id) else None
    return render_template(
        "team/engineer.html",
        engineer=engineer,
        progress=progress,
        names=catalogue.names,
        urls=catalogue.urls,
        role=role,
        levels=levels,
        evidence=evidence_of(engineer.id, catalogue, as_of),
        back=back,
        back_team=back_team,
        is_self=engineer.id == current_user.id,
    )
