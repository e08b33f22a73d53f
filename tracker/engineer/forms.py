"""The form an engineer logs a completion or an assessment attempt with."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.clock import today
from tracker.extensions import db
from tracker.form_fields import FiniteDecimalField
from tracker.models import Evidence, Module


def module_choices() -> list[SelectChoice]:
    """Live modules, by title; those with an assessment say which kind."""
    rows = db.session.execute(
        db.select(Module.key, Module.title, Module.assessment_kind)
        .where(Module.archived_at.is_(None))
        .order_by(Module.title)
    )
    return [SelectChoice("", "— choose a module —")] + [
        SelectChoice(key, f"{title} ({kind.value})" if kind else title) for key, title, kind in rows
    ]


class LogForm(FlaskForm):
    """A completion, or an attempt at the module's assessment."""

    module = SelectField("Module", choices=[], validators=[DataRequired("Choose a module.")])
    kind = RadioField(
        "What happened",
        default="completion",
        choices=[
            SelectChoice("completion", "I completed it"),
            SelectChoice("attempt", "I took its assessment"),
        ],
    )
    on = DateField(
        "Date", default=today, validators=[DataRequired("Enter the date (not in the future).")]
    )
    hours = FiniteDecimalField(
        "Hours spent", places=1, validators=[Optional(), NumberRange(0, 1000)]
    )
    score = IntegerField(
        "Score (%)",
        validators=[Optional(), NumberRange(0, 100)],
        description="For an assessment attempt: 0 to 100.",
    )
    evidence_url = StringField(
        "Evidence link",
        validators=[Length(max=500)],
        description="A repository, notebook, certificate or report (http or https).",
    )
    notes = TextAreaField("Notes", validators=[Length(max=5000)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.module.choices = module_choices()

    def choose(self, key: str) -> None:
        """Choose module `key` when it is one of the live modules; ignore any other key."""
        if any(choice.value == key for choice in self.module.choices if key):
            self.module.data = key

    def copy(self, item: Evidence, module_key: str) -> None:
        """Fill the form with a piece of evidence, to send it again corrected."""
        self.choose(module_key)
        self.kind.data = item.kind.value
        self.on.data, self.score.data, self.hours.data = item.date, item.score, item.hours
        self.evidence_url.data, self.notes.data = item.evidence_url, item.notes

    def validate(self, extra_validators: dict | None = None) -> bool:  # type: ignore[type-arg]
        """Check every field; an attempt also needs its score."""
        valid = super().validate(extra_validators)
        if self.kind.data == "attempt" and self.score.data is None and not self.score.errors:
            self.score.errors = [*self.score.errors, "Enter the score of the attempt."]
            return False
        return valid
