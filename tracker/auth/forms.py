"""Forms for logging in, passwords and the second factor."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from tracker.passwords import MAX_LENGTH, policy_error


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class CodeForm(FlaskForm):
    """A 6-digit code from an authenticator app."""

    code = StringField(
        "Code from your authenticator app",
        validators=[DataRequired(), Regexp(r"^\s*\d{6}\s*$", message="Enter the 6 digits.")],
    )


class NewPasswordForm(FlaskForm):
    """A new password, typed twice, checked against the policy."""

    email_for_policy = ""
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description="8 to 128 characters. Any characters; a passphrase is best.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )

    def validate_password(self, field: PasswordField) -> None:
        """Refuse short, long and common passwords."""
        error = policy_error(field.data or "", self.email_for_policy)
        if error:
            raise ValidationError(error)


class ChangePasswordForm(NewPasswordForm):
    """The current password, then a new one."""

    current = PasswordField("Current password", validators=[DataRequired()])


class ResetRequestForm(FlaskForm):
    """The email to send a reset link to."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
