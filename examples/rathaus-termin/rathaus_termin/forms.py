"""The citizen's booking form (Flask-WTF: every POST carries a CSRF token).

The form only collects input; the rules live in ``bookings``, whose errors are shown
next to the field they name.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class BookingForm(FlaskForm):
    """Who books; no account needed."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("We send the link to confirm the appointment to this address."),
    )
    phone = TelField(_l("Telephone (optional)"), validators=[Optional(), Length(max=50)])
    note = TextAreaField(
        _l("Your concern (optional)"),
        validators=[Optional(), Length(max=1000)],
        description=_l("For example: passport application for two people."),
    )
    consent = BooleanField(
        _l("I agree that my details are stored to handle this appointment."),
        validators=[DataRequired(message=_l("Please agree, or we cannot book the appointment."))],
    )
