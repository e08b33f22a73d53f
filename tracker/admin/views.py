"""Admin pages for people: list, add (with an invitation link), edit, deactivate."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, or_
from werkzeug.wrappers import Response

from tracker import audit, shown_once
from tracker.admin import bp
from tracker.admin.forms import NewPersonForm, PersonForm
from tracker.admin.people import AdminRuleError, create_person, set_active, update_person
from tracker.auth.links import send_link
from tracker.extensions import db
from tracker.models import LinkPurpose, Role, Team, User
from tracker.policy import allowed_by, may_administer
from tracker.query_args import Orderable, Sort, as_id, page_arg, sort_arg

PAGE_SIZE = 50
PEOPLE_SORTS = {  # each sortable column of the people list, with its first order
    "name": "ascending",
    "email": "ascending",
    "team": "ascending",
    "account": "ascending",  # active, then invited, then deactivated
    "last_login": "descending",
}


def _people_order(sort: Sort) -> list[Orderable]:
    """Return the ORDER BY of the people list: rows without a team or a login last; ties by name."""
    if sort.column == "email":
        return sort.order_by(User.email)
    if sort.column == "team":
        return [*sort.order_by(Team.name, missing=User.team_id.is_(None)), User.name, User.id]
    if sort.column == "account":
        account = case((User.active.is_(False), 2), (User.password_hash.is_(None), 1), else_=0)
        return [*sort.order_by(account), User.name, User.id]
    if sort.column == "last_login":
        seen = sort.order_by(
            User.last_login_at, descending=True, missing=User.last_login_at.is_(None)
        )
        return [*seen, User.name, User.id]
    return sort.order_by(User.name, User.id)


def _people_query(q: str, role: str, team: str, status: str, sort: Sort):  # type: ignore[no-untyped-def]
    query = db.select(User).order_by(*_people_order(sort))
    if sort.column == "team":
        query = query.outerjoin(Team, Team.id == User.team_id)
    if q:
        wanted = q.lower()  # matched as text: % and _ are not wildcards
        query = query.where(
            or_(
                db.func.lower(User.name).contains(wanted, autoescape=True),
                User.email.contains(wanted, autoescape=True),
            )
        )
    if role in {r.value for r in Role}:
        query = query.where(User.role_links.any(role=Role(role)))
    team_id = as_id(team)
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    if status in {"active", "inactive"}:
        query = query.where(User.active.is_(status == "active"))
    return query


@bp.get("/people")
@allowed_by(may_administer)
def people() -> str:
    """List people with search and filters, a page at a time."""
    args = {k: request.args.get(k, "").strip() for k in ("q", "role", "team", "status")}
    sort = sort_arg(PEOPLE_SORTS, "name")
    query = _people_query(**args, sort=sort)
    page = db.paginate(query, page=page_arg(), per_page=PAGE_SIZE, error_out=False)
    teams = dict(db.session.execute(db.select(Team.id, Team.name)).all())
    return render_template(
        "admin/people.html",
        page=page,
        teams=teams,
        args=args,
        Role=Role,
        sort=sort.arg,
        first_order=PEOPLE_SORTS,
    )


@bp.route("/people/new", methods=["GET", "POST"])
@allowed_by(may_administer)
def person_new() -> Response | str:
    """Add a person; the page the redirect leads to shows their invitation link once."""
    form = NewPersonForm()
    if form.validate_on_submit():
        user = create_person(form.email.data, form.name.data, form.chosen_roles, form.team_id.data)
        return _link_shown_once(user, send_link(user, LinkPurpose.INVITATION))
    return render_template("admin/person_form.html", form=form, user=None)


def _link_shown_once(user: User, link: str) -> Response:
    """Commit, keep `link` for the next page only, and redirect there."""
    user_id = user.id
    db.session.commit()
    shown_once.keep("link", user_id, link)
    return redirect(url_for("admin.person_link", user_id=user_id), 303)


@bp.get("/people/<int:user_id>/link")
@allowed_by(may_administer)
def person_link(user_id: int) -> Response:
    """Show the link just issued for the person, once; a reload says it is gone."""
    user = db.get_or_404(User, user_id)
    link = shown_once.take("link", user_id)
    response = make_response(render_template("admin/invited.html", user=user, link=link))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@allowed_by(may_administer)
def person_edit(user_id: int) -> Response | str | tuple[str, int]:
    """Change a person's name, roles and team."""
    user = db.get_or_404(User, user_id)
    form = PersonForm(obj=user)
    if request.method == "GET":
        form.roles.data = [r.value for r in user.roles]
    if form.validate_on_submit():
        try:
            update_person(user, current_user, form.name.data, form.chosen_roles, form.team_id.data)
        except AdminRuleError as error:
            db.session.rollback()
            flash(str(error), "error")
            return render_template("admin/person_form.html", form=form, user=user), 400
        db.session.commit()
        flash(f"Saved {user.name}.", "success")
        return redirect(url_for("admin.person_edit", user_id=user.id))
    return render_template("admin/person_form.html", form=form, user=user)


def _set_active(user_id: int, active: bool) -> Response:
    user = db.get_or_404(User, user_id)
    try:
        set_active(user, current_user, active)
    except AdminRuleError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("admin.person_edit", user_id=user_id))
    db.session.commit()
    flash(f"{user.name} is {'active again' if active else 'deactivated'}.", "success")
    return redirect(url_for("admin.person_edit", user_id=user_id))


@bp.post("/people/<int:user_id>/deactivate")
@allowed_by(may_administer)
def person_deactivate(user_id: int) -> Response:
    """Deactivate a person: every session ends; their records stay."""
    return _set_active(user_id, False)


@bp.post("/people/<int:user_id>/reactivate")
@allowed_by(may_administer)
def person_reactivate(user_id: int) -> Response:
    """Let a deactivated person log in again."""
    return _set_active(user_id, True)


@bp.post("/people/<int:user_id>/invite")
@allowed_by(may_administer)
def person_invite(user_id: int) -> Response:
    """Issue a fresh link for the person to set their password; the next page shows it once."""
    user = db.get_or_404(User, user_id)
    if not user.active:
        abort(409)
    purpose = LinkPurpose.RESET if user.password_hash else LinkPurpose.INVITATION
    link = send_link(user, purpose)
    audit.record("person.invited", user.email, purpose.value)
    return _link_shown_once(user, link)
