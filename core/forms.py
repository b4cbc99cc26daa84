"""The web forms of core (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from core.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )


class RegisterForm(FlaskForm):
    """A citizen's account at one municipality."""

    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
        description=_l("At least %(count)d characters.", count=MIN_PASSWORD_LENGTH),
    )
    password_repeat = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    accept_privacy = BooleanField(
        _l("I have read the privacy statement."),
        validators=[DataRequired(message=_l("Please confirm the privacy statement."))],
    )


class DeleteAccountForm(FlaskForm):
    """Deleting one's account needs the password again."""

    password = PasswordField(_l("Password"), validators=[DataRequired()])


class PasswordForm(FlaskForm):
    """A new password, confirmed by the current one."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
        description=_l("At least %(count)d characters.", count=MIN_PASSWORD_LENGTH),
    )
    password_repeat = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class TokenForm(FlaskForm):
    """A personal API token: only its name is asked for."""

    name = StringField(
        _l("Name of the access"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("What you use it for, e.g. the name of a program."),
    )


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token (logout, data export)."""
