"""Statements from learning platforms that matched nothing: L&D map an activity to a module or
an address to a person, and the statements that waited become evidence at once."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, HiddenField, SelectField
from wtforms.validators import DataRequired, Length, ValidationError

from tracker import policy
from tracker.authoring import bp
from tracker.clock import today
from tracker.emails import is_email, normalise
from tracker.extensions import db
from tracker.models import Module, Role, User
from tracker.operations.statements import map_activity, map_actor
from tracker.reads.statements import backlog, outcome_counts, recent_problems


class ActivityForm(FlaskForm):
    """Map one activity id to a live module."""

    activity = HiddenField(validators=[DataRequired(), Length(max=500)])
    module = SelectField("Module", validators=[DataRequired(message="Choose a module.")])


class PersonForm(FlaskForm):
    """Map one address to a person, by the email they sign in with."""

    address = HiddenField(validators=[DataRequired(), Length(max=254)])
    email = EmailField(
        "Their email here",
        validators=[DataRequired(message="Give the person's email."), Length(max=254)],
    )

    def validate_email(self, field: EmailField) -> None:
        """The shape every email has here (`corp.test` and `.local` domains too)."""
        if not is_email(normalise(field.data or "")):
            raise ValidationError("Enter an email address like name@company.com.")


def _module_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(
        db.select(Module.key, Module.title)
        .where(Module.archived_at.is_(None))
        .order_by(Module.title)
    )
    return [("", "Choose a module…"), *((key, title) for key, title in rows)]


def _page(
    activity_form: ActivityForm | None = None,
    person_form: PersonForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return (
        render_template(
            "authoring/statements.html",
            backlog=backlog(),
            counts=outcome_counts(),
            problems=recent_problems(),
            modules=_module_choices(),
            failed_activity=activity_form,
            failed_person=person_form,
            blank_activity=ActivityForm(formdata=None),
            blank_person=PersonForm(formdata=None),
        ),
        status,
    )


@bp.get("/statements")
@policy.allowed_by(policy.may_map_statements)
def statements() -> tuple[str, int]:
    """What learning platforms sent that waits for a mapping, and what broke a rule."""
    return _page()


@bp.post("/statements/activities")
@policy.allowed_by(policy.may_map_statements)
def map_statement_activity() -> Response | tuple[str, int]:
    """Map an activity id to a module; its waiting statements are applied at once."""
    form = ActivityForm()
    form.module.choices = _module_choices()
    if not form.validate_on_submit():
        return _page(activity_form=form, status=422)
    module = db.session.scalar(db.select(Module).where(Module.key == form.module.data))
    if module is None or module.archived_at is not None:
        form.module.errors = ["Choose a module that is in the catalogue."]
        return _page(activity_form=form, status=422)
    applied = map_activity(form.activity.data, module, current_user, today())
    db.session.commit()
    flash(f"{form.activity.data} now means {module.title}: {_applied(applied)}", "success")
    return redirect(url_for("authoring.statements"))


@bp.post("/statements/people")
@policy.allowed_by(policy.may_map_statements)
def map_statement_person() -> Response | tuple[str, int]:
    """Map an address to a person; their waiting statements are applied at once."""
    form = PersonForm()
    if not form.validate_on_submit():
        return _page(person_form=form, status=422)
    email = form.email.data.strip().lower()
    person = db.session.scalar(db.select(User).where(db.func.lower(User.email) == email))
    if person is None or not person.active or not person.has_role(Role.ENGINEER):
        form.email.errors = [f"No active engineer signs in as {email}."]
        return _page(person_form=form, status=422)
    applied = map_actor(form.address.data, person, current_user, today())
    db.session.commit()
    flash(f"{form.address.data} is now {person.name}: {_applied(applied)}", "success")
    return redirect(url_for("authoring.statements"))


def _applied(count: int) -> str:
    if count == 0:
        return (
            "no waiting statement became evidence yet (each also needs a known person and module)."
        )
    return f"{count} waiting statement{'s' if count != 1 else ''} became evidence."
