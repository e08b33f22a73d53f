"""Forms for people and teams."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.emails import is_email, normalise
from tracker.extensions import db
from tracker.models import Role, Scope, Team, User


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def team_choices() -> list[SelectChoice]:
    """Return the choices of the team select, with "no team" first."""
    teams = db.session.execute(db.select(Team.id, Team.name).order_by(Team.name))
    return [SelectChoice("", "— no team —")] + [SelectChoice(str(id), name) for id, name in teams]


def _optional_int(value: object) -> int | None:
    return int(value) if value not in (None, "") else None  # type: ignore[call-overload]


class PersonForm(FlaskForm):
    """A person's name, roles and team (the email is fixed once created)."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    roles = CheckboxesField(
        "Roles",
        choices=[SelectChoice(r.value, r.label) for r in Role],
        validators=[DataRequired(message="Choose at least one role.")],
    )
    team_id = SelectField("Team", choices=[], coerce=_optional_int)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.team_id.choices = team_choices()

    @property
    def chosen_roles(self) -> set[Role]:
        """Return the chosen roles."""
        return {Role(value) for value in self.roles.data or []}


class NewPersonForm(PersonForm):
    """A new person: their email too."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])

    def validate_email(self, field: EmailField) -> None:
        """Refuse a malformed email, or one that already has an account."""
        email = normalise(field.data or "")
        if not is_email(email):
            raise ValidationError("Enter an email address like name@company.com.")
        if db.session.scalar(db.select(User.id).where(User.email == email)):
            raise ValidationError("Someone already has an account with this email.")


class TeamForm(FlaskForm):
    """A team's name and managers."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    managers = CheckboxesField(
        "Managers",
        choices=[],
        coerce=int,
        description="Only people with the manager role can be chosen.",
    )

    def __init__(self, *args: object, team_id: int | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.team_id = team_id
        managers = db.session.execute(
            db.select(User.id, User.name, User.email)
            .where(User.active.is_(True), User.role_links.any(role=Role.MANAGER))
            .order_by(User.name)
        )
        self.managers.choices = [
            SelectChoice(str(id), f"{name} ({email})") for id, name, email in managers
        ]

    def validate_name(self, field: StringField) -> None:
        """Refuse a name another team already has."""
        name = (field.data or "").strip()
        other = db.session.scalar(db.select(Team.id).where(Team.name == name))
        if other is not None and other != self.team_id:
            raise ValidationError("Another team already has this name.")


SCOPE_LABELS = {
    Scope.XAPI: "xapi: send learning records (xAPI statements)",
    Scope.SCIM: "scim: keep people and teams in step with a directory (SCIM)",
}


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class IntegrationForm(FlaskForm):
    """A new integration account: its name and what its token may reach."""

    name = StringField(
        "Name",
        validators=[DataRequired("Give the integration a name."), Length(max=80)],
        filters=[_strip],
        description="The system that will use the token, e.g. 'Course platform'.",
    )
    scope = CheckboxesField(
        "Scopes",
        choices=[SelectChoice(s.value, SCOPE_LABELS[s]) for s in Scope],
        validators=[DataRequired(message="Choose at least one scope.")],
    )


class RosterForm(FlaskForm):
    """A roster CSV to import, or to check first."""

    file = FileField("Roster file (CSV)", validators=[FileRequired("Choose a CSV file.")])
    dry_run = BooleanField("Dry run: only show what would change", default=True)
