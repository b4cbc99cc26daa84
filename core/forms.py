"""The web forms of core (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from core.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from core.errors import RathausError, ValidationError


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

    # Its own id: the account page shows this form next to the password change form.
    password = PasswordField(_l("Password"), validators=[DataRequired()], id="delete_password")


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


def show_error(
    form: FlaskForm, error: RathausError, *, message: Callable[[RathausError], str] | None = None
) -> None:
    """Put a domain error next to the field it names (or above the form when the form
    has no such field); each error of a ``ValidationErrors`` goes to its own field.

    A field that already shows an error (from the form's own validators) keeps just
    that one, so no field says the same thing twice. ``message`` turns an error into
    its text (default: the error's message in the page's language).
    """
    already_wrong = {name for name, field in form._fields.items() if field.errors}
    for single in getattr(error, "errors", None) or [error]:
        text = message(single) if message is not None else single.localized()
        target = getattr(form, single.field or "", None)
        if target is None or not hasattr(target, "errors") or single.field == "meta":
            form.form_errors.append(text)
        elif single.field not in already_wrong:
            target.errors = [*target.errors, text]


def validate_whole_form(
    form: FlaskForm,
    check: Callable[[], Any] | None = None,
    *,
    message: Callable[[RathausError], str] | None = None,
) -> bool:
    """True when ``form`` was submitted and both its own validators and ``check`` pass.

    ``check`` holds the domain rules (it must write nothing) and runs even when a
    field already failed its presence or length check, so that one submit reports
    every wrong field: its ``ValidationError`` (or ``ValidationErrors``) is shown next
    to the fields it names, and all of them appear in the error summary. ``message``
    as for :func:`show_error`.
    """
    if not form.is_submitted():
        return False
    valid = form.validate()
    if check is not None:
        try:
            check()
        except ValidationError as exc:
            show_error(form, exc, message=message)
            return False
    return valid
