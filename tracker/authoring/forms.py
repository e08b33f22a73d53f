"""Authoring forms; each turns itself into an item of the catalogue file."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.form_fields import FiniteDecimalField
from tracker.models import Family

LEVELS = [
    SelectChoice("", "—"),
    SelectChoice("1", "1 Aware"),
    SelectChoice("2", "2 Working"),
    SelectChoice("3", "3 Practitioner"),
    SelectChoice("4", "4 Expert"),
]
FAMILIES = [SelectChoice(f.value, f.value.capitalize()) for f in Family]
KINDS = [
    SelectChoice("", "No assessment"),
    SelectChoice("quiz", "Quiz"),
    SelectChoice("project", "Project (needs verification)"),
    SelectChoice("review", "Review (needs verification)"),
]
BLANK_ROWS = 3


class KeyedForm(FlaskForm):
    """Every catalogue item has a key (fixed once created) and a family or title."""

    key = StringField(
        "Key",
        validators=[DataRequired(), Length(max=80)],
        description="Lower-case words joined by -, e.g. model-evaluation. "
        "Fixed once created: files and the API refer to it.",
    )


class CompetencyForm(KeyedForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=160)])
    family = SelectField("Family", choices=FAMILIES)
    description = TextAreaField("Description", validators=[Length(max=5000)])

    def item(self) -> dict[str, Any]:
        return {
            "key": self.key.data.strip(),
            "name": self.name.data,
            "family": self.family.data,
            "description": self.description.data or "",
        }


class LevelRow(Form):
    competency = SelectField("Competency", choices=[], validate_choice=False)
    level = SelectField("Level", choices=LEVELS, validate_choice=False)
    weight = IntegerField("Weight", default=1, validators=[Optional()])


def _rows(field: FieldList, weighted: bool) -> list[dict[str, Any]]:
    rows = []
    for entry in field:
        if not entry.competency.data:
            continue
        row: dict[str, Any] = {
            "competency": entry.competency.data,
            "level": int(entry.level.data) if entry.level.data else 0,
        }
        if weighted:
            row["weight"] = entry.weight.data if entry.weight.data is not None else 1
        rows.append(row)
    return rows


class RoleForm(KeyedForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=160)])
    family = SelectField("Family", choices=FAMILIES)
    description = TextAreaField("Description", validators=[Length(max=5000)])
    requires = FieldList(FormField(LevelRow), label="Requirements")

    def item(self) -> dict[str, Any]:
        return {
            "key": self.key.data.strip(),
            "name": self.name.data,
            "family": self.family.data,
            "description": self.description.data or "",
            "requires": _rows(self.requires, weighted=True),
        }


class ModuleForm(KeyedForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    url = StringField(
        "Link",
        validators=[Length(max=500)],
        description="http(s) link to the course, chapter or project brief.",
    )
    hours = FiniteDecimalField(
        "Estimated hours", places=1, default=0, validators=[NumberRange(min=0, max=10000)]
    )
    xapi_activity = StringField(
        "xAPI activity id",
        validators=[Length(max=500)],
        description="Optional: the object id a learning platform reports.",
    )
    requires_verification = BooleanField("A completion needs a manager's verification")
    assessment_kind = SelectField("Assessment", choices=KINDS)
    pass_mark = IntegerField("Pass mark (%)", validators=[Optional()])
    develops = FieldList(FormField(LevelRow), label="Outcomes: competencies it develops")

    def item(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "key": self.key.data.strip(),
            "title": self.title.data,
            "url": self.url.data or "",
            "hours": str(self.hours.data or 0),
            "requires_verification": bool(self.requires_verification.data),
            "develops": _rows(self.develops, weighted=False),
        }
        if self.xapi_activity.data:
            item["xapi_activity"] = self.xapi_activity.data.strip()
        if self.assessment_kind.data:
            item["assessment"] = {
                "kind": self.assessment_kind.data,
                "pass_mark": self.pass_mark.data,
            }
        return item


class StepRow(Form):
    module = SelectField("Module", choices=[], validate_choice=False)
    requires = SelectMultipleField("Needs first", choices=[], validate_choice=False)


class PathForm(KeyedForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role = SelectField("Target role", choices=[], validate_choice=False)
    description = TextAreaField("Description", validators=[Length(max=5000)])
    steps = FieldList(FormField(StepRow), label="Modules, in the recommended order")

    def item(self) -> dict[str, Any]:
        steps = [s for s in self.steps if s.module.data]
        return {
            "key": self.key.data.strip(),
            "name": self.name.data,
            "role": self.role.data,
            "description": self.description.data or "",
            "modules": [s.module.data for s in steps],
            "prerequisites": {
                s.module.data: list(s.requires.data) for s in steps if s.requires.data
            },
        }


class UploadForm(FlaskForm):
    file = FileField("Catalogue file (YAML or JSON)", validators=[FileRequired("Choose a file.")])
    dry_run = BooleanField("Dry run: only show what would change", default=True)


FORMS = {
    "competencies": CompetencyForm,
    "roles": RoleForm,
    "modules": ModuleForm,
    "paths": PathForm,
}
