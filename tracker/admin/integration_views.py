"""Admin page for integration accounts: list, make one (its token shown once), revoke."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker import shown_once
from tracker.admin import bp
from tracker.admin.forms import IntegrationForm
from tracker.extensions import db
from tracker.models import Integration
from tracker.operations.errors import RecordError
from tracker.operations.tokens import create_integration, revoke_integration
from tracker.policy import allowed_by, may_administer
from tracker.reads.integrations import integration_rows


def _page(
    form: IntegrationForm,
    created: Integration | None = None,
    secret: str | None = None,
    status: int = 200,
) -> Response:
    """Render the integrations page, never cached (it may carry a secret)."""
    html = render_template(
        "admin/integrations.html",
        form=form,
        rows=integration_rows(),
        created=created,
        secret=secret,
        xapi_endpoint=url_for("xapi.about", _external=True).removesuffix("about"),
    )
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/integrations")
@allowed_by(may_administer)
def integrations() -> Response:
    """List integration accounts, with a form for a new one."""
    return _page(IntegrationForm())


@bp.post("/integrations")
@allowed_by(may_administer)
def integration_create() -> Response:
    """Make an integration; the page the redirect leads to shows its token, once."""
    form = IntegrationForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        integration, secret = create_integration(
            form.name.data or "", form.scope.data or [], current_user
        )
    except RecordError as error:
        db.session.rollback()
        for name, message in error.fields.items():
            getattr(form, name).errors.append(message)
        return _page(form, status=422)
    integration_id = integration.id
    db.session.commit()
    shown_once.keep("integration", integration_id, secret)
    return redirect(url_for("admin.integration_token", integration_id=integration_id), 303)


@bp.get("/integrations/<int:integration_id>/token")
@allowed_by(may_administer)
def integration_token(integration_id: int) -> Response:
    """Show the token of the integration just made, once; a reload says it is gone."""
    integration = db.get_or_404(Integration, integration_id)
    secret = shown_once.take("integration", integration_id)
    return _page(IntegrationForm(), created=integration, secret=secret)


@bp.post("/integrations/<int:integration_id>/revoke")
@allowed_by(may_administer)
def integration_revoke(integration_id: int) -> Response:
    """Revoke an integration: every token it holds stops working at once."""
    integration = db.get_or_404(Integration, integration_id)
    if revoke_integration(integration, current_user):
        db.session.commit()
        flash(f"Revoked {integration.name}: its tokens no longer work.", "success")
    else:
        flash(f"{integration.name} was already revoked.", "info")
    return redirect(url_for("admin.integrations"))
