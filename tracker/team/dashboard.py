"""The team dashboard: a team's readiness for a role as of a date, engineers, targets."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func
from werkzeug.wrappers import Response

from tracker import policy
from tracker.clock import today
from tracker.extensions import cache, db
from tracker.models import StaffingTarget, TargetRole, Team, User
from tracker.operations import RecordError, retire_target, set_target
from tracker.policy import allowed_by
from tracker.query_args import as_of_arg, page_arg, sort_arg
from tracker.reads.catalogue import load_catalogue
from tracker.reads.charts import TEAM_CHARTS, ChartTable, team_chart
from tracker.reads.dashboard import DashboardFigures, dashboard_figures
from tracker.reads.paging import Page, clamp, page_of
from tracker.reads.team import EngineerRow
from tracker.reads.versions import team_state
from tracker.team import bp
from tracker.team.kept import Kept

SORTS = {  # each column's first order; "-" before its name turns it round
    "name": lambda r: (r.name.lower(),),
    "readiness": lambda r: (-r.readiness, r.name.lower()),
    "projected": lambda r: (r.projected_ready_on is None, r.projected_ready_on or date.max),
    "activity": lambda r: (r.last_activity is None, -(r.last_activity or date.min).toordinal()),
}
FIRST_ORDER = {  # what a column's first order is, as aria-sort says it
    "name": "ascending",
    "readiness": "descending",
    "projected": "ascending",
    "activity": "descending",
}
MISSING = {  # rows without a value stay last, whichever way a column is turned
    "projected": lambda r: r.projected_ready_on is None,
    "activity": lambda r: r.last_activity is None,
}


def sorted_rows(rows: list[EngineerRow], sort: str) -> list[EngineerRow]:
    """Return the rows in the order `sort` names ("readiness", or "-readiness" turned round)."""
    column, turned = sort.lstrip("-"), sort.startswith("-")
    missing = MISSING.get(column, lambda _: False)
    known = sorted((r for r in rows if not missing(r)), key=SORTS[column], reverse=turned)
    return known + sorted((r for r in rows if missing(r)), key=SORTS["name"])


TEAMS_LISTED = 30  # beyond this many teams, the dashboard asks for a name instead of listing
ENGINEERS_PER_PAGE = 50


def visible_teams(
    viewer: User, name: str | None = None, limit: int | None = None, containing: bool = False
) -> list[Team]:
    """Teams the viewer may open: the ones they manage; every team for L&D and admins.

    `name` keeps only the team of that name (any case), or with `containing` the teams whose
    name contains it; `limit` reads no more than that many.
    """
    query = db.select(Team).order_by(Team.name)
    teams = policy.visible_team_ids(viewer)
    if teams is not None:
        query = query.where(Team.id.in_(teams))
    if name is not None:
        wanted = name.strip().lower()
        if containing:
            query = query.where(func.lower(Team.name).contains(wanted, autoescape=True))
        else:
            query = query.where(func.lower(Team.name) == wanted)
    return list(db.session.scalars(query.limit(limit)))


def default_role(team_id: int, roles: list[str]) -> str:
    """The role of the team's earliest live staffing target, else the first role."""
    key = db.session.scalar(
        db.select(TargetRole.key)
        .join(StaffingTarget, StaffingTarget.role_id == TargetRole.id)
        .where(
            StaffingTarget.team_id == team_id,
            StaffingTarget.archived_at.is_(None),
            TargetRole.archived_at.is_(None),
        )
        .order_by(StaffingTarget.by)
        .limit(1)
    )
    return key if key in roles else roles[0]


def view_args(source: dict[str, str]) -> dict[str, str]:
    """Return the role, date and sort being viewed, to carry through links and redirects."""
    return {k: source[k] for k in ("role", "as_of", "sort") if source.get(k)}


@bp.get("/")
@allowed_by(policy.may_see_teams)
def dashboard_home() -> Response | str:
    """Open the team named in `?name=`, or the first team the viewer may see."""
    name = request.args.get("name")
    if name is not None and name.strip():
        named = visible_teams(current_user, name=name, limit=1)
        if not named:
            named = visible_teams(current_user, name=name, limit=TEAMS_LISTED + 1, containing=True)
        if len(named) == 1:
            return redirect(
                url_for("team.dashboard", team_id=named[0].id, **view_args(request.args))
            )
        if named:
            return render_template(
                "team/matching_teams.html",
                name=name.strip(),
                teams=named[:TEAMS_LISTED],
                more=len(named) > TEAMS_LISTED,
                args=view_args(request.args),
            )
        flash(f"No team you can see has {name.strip()!r} in its name.", "error")
    teams = visible_teams(current_user, limit=1)
    if not teams:
        return render_template("team/no_team.html")
    return redirect(url_for("team.dashboard", team_id=teams[0].id, **view_args(request.args)))


@bp.get("/<int:team_id>/")
@allowed_by(policy.may_see_teams)
def dashboard(team_id: int) -> str:
    """Engineers per band, and each engineer's readiness, projection and last activity.

    What the page shows of the team is kept in the cache (`Kept`): its figures, their summary,
    and (by the template) its charts and engineers sections as HTML per order, page and open
    table, under keys that change with anything they show. A repeated view reads none of the
    figures back and renders no row; only the page around them (the viewer's teams, targets
    form and navigation) is made for each request. A large team's heatmap counts are computed
    (from every engineer's evidence) only when asked for with `?numbers=heatmap`.
    """
    state = team_state(team_id)
    audience = policy.team_audience(current_user, team_id)
    if state is None or audience is None:
        abort(404)
    catalogue = load_catalogue(state.catalogue)
    if not catalogue.roles:
        return render_template("team/no_roles.html", team=state)
    role = request.args.get("role", "")
    role = role if role in catalogue.roles else default_role(team_id, sorted(catalogue.roles))
    kept = Kept(cache, state, catalogue, role, as_of_arg(), audience)
    sort = sort_arg(SORTS, "readiness").arg
    summary = kept.get("dashboard-summary", lambda: _figures(kept).summary())
    page, _ = clamp(page_arg(), summary.engineers, ENGINEERS_PER_PAGE)
    numbers = request.args.get("numbers")
    numbers = numbers if numbers in TEAM_CHARTS else None
    # what the kept charts and engineers show besides the figures; their links begin with the
    # script root
    shown = (sort, page, numbers, request.script_root)
    return render_template(
        "team/dashboard.html",
        team=state,
        result=summary,
        sort=sort,
        names=catalogue.names,
        roles=sorted(catalogue.roles, key=lambda k: catalogue.names.get(k, k)),
        teams=visible_teams(current_user, limit=TEAMS_LISTED + 1),
        teams_listed=TEAMS_LISTED,
        may_set_targets=policy.may_set_targets(current_user, team_id),
        sections_key=kept.key("dashboard-sections", *shown),
        shown=lambda: _shown(kept, sort, page, numbers),
        first_order=FIRST_ORDER,
        numbers=numbers,
    )


def _figures(kept: Kept) -> DashboardFigures:
    """Return the team's dashboard figures, computed only when the cache holds none."""
    team_id = kept.team.id
    return kept.get(
        "dashboard",
        lambda: dashboard_figures(
            db.session.get_one(Team, team_id), kept.role, kept.as_of, kept.catalogue
        ),
    )


def _shown(
    kept: Kept, sort: str, page: int, numbers: str | None
) -> tuple[dict[str, ChartTable], Page[EngineerRow]]:
    """Return the charts' numbers and a page of engineers in the order `sort` names."""
    figures = _figures(kept)
    charts = figures.charts
    if numbers == "heatmap" and charts["heatmap"].rows is None:
        team = db.session.get_one(Team, kept.team.id)

        def heatmap() -> ChartTable:
            return team_chart("heatmap", team, kept.role, kept.as_of, kept.catalogue).table()

        charts = {**charts, "heatmap": kept.get("heatmap-table", heatmap)}
    return charts, page_of(sorted_rows(figures.engineers, sort), page, ENGINEERS_PER_PAGE)


def _back(team_id: int) -> Response:
    return redirect(url_for("team.dashboard", team_id=team_id, **view_args(request.form)))


def _may_set_targets(team_id: int) -> None:
    """404 for who may not see the team; 403 for who may see it but not set its targets."""
    if db.session.get(Team, team_id) is None or not policy.may_see_team(current_user, team_id):
        abort(404)
    policy.require(
        policy.may_set_targets(current_user, team_id),
        "Only the team's managers (and admins) set its staffing targets.",
    )


@bp.post("/<int:team_id>/targets")
@allowed_by(policy.may_see_teams)
def add_target(team_id: int) -> Response:
    """Set a staffing target: N people ready for a role by a date (the team's managers)."""
    _may_set_targets(team_id)
    form = request.form
    try:
        set_target(
            team_id,
            form.get("role", ""),
            form.get("count", ""),
            form.get("by", ""),
            current_user._get_current_object(),
            today(),
        )
    except RecordError as error:
        db.session.rollback()
        flash(f"The target was not saved. {error}", "error")
        return _back(team_id)
    db.session.commit()
    flash("Staffing target saved.", "success")
    return _back(team_id)


@bp.post("/<int:team_id>/targets/<int:target_id>/archive")
@allowed_by(policy.may_see_teams)
def archive_target(team_id: int, target_id: int) -> Response:
    """Retire a staffing target; it stays on record."""
    _may_set_targets(team_id)
    target = db.session.get(StaffingTarget, target_id)
    if target is None or target.team_id != team_id:
        abort(404)
    retire_target(target, current_user._get_current_object())
    db.session.commit()
    flash("Staffing target retired.", "success")
    return _back(team_id)
