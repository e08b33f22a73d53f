"""The company view page for L&D, and every hire-or-train target as CSV."""

from __future__ import annotations

from flask import Response, render_template, request

from tracker import policy
from tracker.clock import today
from tracker.csv_export import csv_response
from tracker.policy import allowed_by
from tracker.query_args import page_arg, sort_arg
from tracker.reads.catalogue import load_catalogue
from tracker.reads.company import company_page, hire_or_train
from tracker.reads.module_insight import module_insight
from tracker.reads.team_grid import grid_columns
from tracker.team import bp


@bp.get("/company")
@allowed_by(policy.sees_everyone)
def company() -> str:
    """Bands per role across the company, a page of teams x roles, hire or train, modules."""
    catalogue = load_catalogue()
    search = request.args.get("q", "")[:120]
    sort = sort_arg(grid_columns(catalogue.roles, by_role=True), "name")
    return render_template(
        "team/company.html",
        view=company_page(today(), catalogue, search, page_arg(), sort),
        names=catalogue.names,
        insight=module_insight(),
    )


@bp.get("/company/targets.csv")
@allowed_by(policy.sees_everyone)
def company_targets() -> Response:
    """Every live staffing target with its projection and answer, the largest gap first."""
    catalogue = load_catalogue()
    as_of = today()
    return csv_response(
        f"hire-or-train-{as_of.isoformat()}.csv",
        ["team", "role", "wanted", "by", "projected_ready", "hire_or_move"],
        [
            (
                t.team,
                catalogue.names.get(t.role, t.role),
                t.count,
                t.by.isoformat(),
                t.projected,
                t.gap,
            )
            for t in hire_or_train(as_of, catalogue)
        ],
    )
