"""The API tokens page: a person's own tokens, a new one shown once, revocation."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from tracker import shown_once
from tracker.extensions import db
from tracker.models import ApiToken
from tracker.operations.tokens import issue_token, revoke_token
from tracker.reads.tokens import tokens_of

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")


def _strip(value: str | None) -> str | None:
    """Return `value` without surrounding whitespace."""
    return value.strip() if isinstance(value, str) else value


class TokenForm(FlaskForm):
    """Name a new API token."""

    label = StringField(
        "Label",
        validators=[DataRequired("Give the token a label."), Length(max=80)],
        filters=[_strip],
        description="What the token is for, e.g. 'CI pipeline' or 'my laptop script'.",
    )


def _page(
    form: TokenForm, secret: str | None = None, gone: bool = False, status: int = 200
) -> Response:
    """Render the tokens page, never cached (it may carry a secret)."""
    tokens = db.session.scalars(tokens_of(current_user)).all()
    html = render_template("tokens/index.html", form=form, tokens=tokens, secret=secret, gone=gone)
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("")
@login_required
def index() -> Response:
    """List the person's own tokens, with a form for a new one."""
    return _page(TokenForm())


@bp.post("")
@login_required
def create() -> Response:
    """Create a token; the page the redirect leads to shows its secret, once."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    token, secret = issue_token(current_user, form.label.data or "")
    token_id = token.id
    db.session.commit()
    shown_once.keep("token", token_id, secret)
    return redirect(url_for("tokens.created"), 303)


@bp.get("/created")
@login_required
def created() -> Response:
    """Show the secret of the token just created, once; a reload says it is gone."""
    secret = shown_once.take("token")
    return _page(TokenForm(), secret=secret, gone=secret is None)


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response:
    """Revoke one of the person's own tokens; anyone else's is not found."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if revoke_token(token, current_user):
        db.session.commit()
        flash(f"Token {token.prefix}… revoked: it no longer works.", "success")
    else:
        flash(f"Token {token.prefix}… was already revoked.", "info")
    return redirect(url_for("tokens.index"))
