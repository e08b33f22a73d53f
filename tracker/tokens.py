"""The API tokens page: a person's own tokens, a new one shown once, revocation.

Admins manage everyone's tokens: `?person=<id>` lists that person's, and they may revoke them.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from tracker import policy, shown_once
from tracker.extensions import db
from tracker.models import ApiToken, User
from tracker.operations.tokens import issue_token, revoke_token
from tracker.query_args import as_id
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


def _owner() -> User:
    """The person whose tokens the page shows: the caller, or (admins) the `?person=` named."""
    me: User = current_user._get_current_object()
    wanted = as_id(request.args.get("person", ""))
    if "person" not in request.args or wanted == me.id:
        return me
    owner = db.session.get(User, wanted) if wanted is not None else None
    if owner is None or not policy.may_manage_tokens(me, owner.id):
        raise policy.NotVisible("There is no one by that id whose tokens you may see.")
    return owner


def _page(
    form: TokenForm,
    secret: str | None = None,
    gone: bool = False,
    status: int = 200,
    owner: User | None = None,
) -> Response:
    """Render the tokens page, never cached (it may carry a secret)."""
    owner = owner or current_user._get_current_object()
    tokens = db.session.scalars(tokens_of(owner)).all()
    html = render_template(
        "tokens/index.html",
        form=form,
        tokens=tokens,
        secret=secret,
        gone=gone,
        owner=owner,
        own=owner.id == current_user.id,
    )
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("")
@login_required
def index() -> Response:
    """List the person's own tokens, with a form for a new one; admins, anyone's (`?person=`)."""
    return _page(TokenForm(), owner=_owner())


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
    """Revoke one of the person's own tokens (admins: anyone's); any other is not found."""
    me: User = current_user._get_current_object()
    token = db.session.get(ApiToken, token_id)
    owner = db.session.get(User, token.user_id) if token and token.user_id else None
    if token is None or owner is None or not policy.may_manage_tokens(me, owner.id):
        abort(404)
    whose = "" if owner.id == me.id else f" of {owner.name}"
    if revoke_token(token, owner, actor=me):
        db.session.commit()
        flash(f"Token {token.prefix}…{whose} revoked: it no longer works.", "success")
    else:
        flash(f"Token {token.prefix}…{whose} was already revoked.", "info")
    if owner.id == me.id:
        return redirect(url_for("tokens.index"))
    return redirect(url_for("tokens.index", person=owner.id))
