"""The company view page for L&D."""

from __future__ import annotations

from flask import render_template

from tracker import policy
from tracker.clock import today
from tracker.policy import allowed_by
from tracker.reads.catalogue import load_catalogue
from tracker.reads.company import company_view, module_insight
from tracker.team import bp


@bp.get("/company")
@allowed_by(policy.sees_everyone)
def company() -> str:
    """Teams x roles (ready / nearly ready), staffing targets summed, and which modules work."""
    catalogue = load_catalogue()
    return render_template(
        "team/company.html",
        view=company_view(today(), catalogue),
        names=catalogue.names,
        insight=module_insight(),
    )
