"""Form fields the blueprints share."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, TextAreaField
from wtforms.validators import DataRequired


class FiniteDecimalField(DecimalField):
    """A DecimalField that refuses NaN and infinities as "not a valid decimal value".

    Python's Decimal reads "NaN", "sNaN" and "Infinity"; a signalling NaN even breaks range
    validators, so such input is refused where it is read.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


class ApplyForm(FlaskForm):
    """A file a dry run checked, sent back as text to be applied (it is checked again)."""

    content = TextAreaField(validators=[DataRequired()])
    filename = HiddenField()
