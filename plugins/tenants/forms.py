"""Forms of the tenant admin pages and the invitation page (Flask-WTF: CSRF on each).

The forms check only presence and length; the rules (Leitweg-ID check digits, colour
contrast, logo type...) live in ``masterdata`` so that every front end applies the
same ones. :data:`FIELD_HELP` turns a rule's error into a message in the visitor's
language.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from core import MAX_PASSWORD_LENGTH, RegisterForm
from plugins.tenants.describe import MASTER_DATA_FIELDS

#: Status words of tenants and subscriptions, lowercase: they stand inside sentences.
STATUS_LABELS = {
    "requested": _l("requested"),
    "active": _l("active"),
    "suspended": _l("suspended"),
    "offboarded": _l("offboarded"),
    "scheduled": _l("scheduled"),
    "ended": _l("ended"),
}


class SettingsForm(FlaskForm):
    """A tenant's portal branding, contact and invoicing master data."""

    display_name = StringField(
        _l("Name on the portal"),
        validators=[Optional(), Length(max=200)],
        description=_l("Leave empty to use the official name."),
    )
    contact_email = EmailField(
        _l("Contact e-mail address"), validators=[Optional(), Length(max=254)]
    )
    brand_colour = StringField(
        _l("Colour of the portal"),
        validators=[Optional(), Length(max=7)],
        description=_l(
            "As #rrggbb, e.g. #004b87. White text must stay readable on it (contrast at least "
            "4.5:1)."
        ),
    )
    logo = FileField(_l("Logo"), description=_l("PNG or JPEG image."))
    remove_logo = BooleanField(_l("Remove the logo"))
    invoice_recipient = StringField(
        _l("Invoice recipient"), validators=[Optional(), Length(max=200)]
    )
    address_street = StringField(_l("Street and number"), validators=[Optional(), Length(max=200)])
    address_postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    address_city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    leitweg_id = StringField(
        _l("Leitweg-ID"),
        validators=[Optional(), Length(max=46)],
        description=_l("Routing ID for e-invoices (XRechnung), e.g. 04011000-1234512345-06."),
    )
    invoice_email = EmailField(
        _l("E-mail address for invoices"), validators=[Optional(), Length(max=254)]
    )
    parent_may_administer = BooleanField(
        _l("The admins of our district may administer this municipality")
    )


#: Fields of :class:`SettingsForm` that map one-to-one to master data (the Kreis
#: delegation is a field of its own: only the Gemeinde itself may change it).
MASTER_DATA_FORM_FIELDS = tuple(f for f in MASTER_DATA_FIELDS if f != "parent_may_administer")

#: What to tell the visitor when a rule of ``masterdata`` rejects a field.
FIELD_HELP = {
    "display_name": _l("Please enter at most 200 characters."),
    "contact_email": _l("Please enter a valid e-mail address."),
    "invoice_email": _l("Please enter a valid e-mail address."),
    "brand_colour": _l(
        "Please enter a colour as #rrggbb that is dark enough for white text (contrast at least "
        "4.5:1)."
    ),
    "invoice_recipient": _l("Please enter at most 200 characters."),
    "address_street": _l("Please enter at most 200 characters."),
    "address_city": _l("Please enter at most 100 characters."),
    "address_postcode": _l("Please enter a postcode of 5 digits."),
    "leitweg_id": _l(
        "Please enter a valid Leitweg-ID, e.g. 04011000-1234512345-06, and check its check digits."
    ),
    "parent_may_administer": _l("Only a municipality under a registered district can allow this."),
}


def _copy(unbound: Any) -> Any:
    """A field declared like ``unbound``, created now."""
    return unbound.field_class(*unbound.args, **unbound.kwargs)


class NewAdminForm(FlaskForm):
    """Accepting an invitation: a name and a new password."""

    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    # The same rules as for every other new account (fresh copies: fields are ordered by
    # creation, and the error summary follows the page's order).
    password = _copy(RegisterForm.password)
    password_repeat = _copy(RegisterForm.password_repeat)


class ExistingAccountForm(FlaskForm):
    """Accepting an invitation with an account the person already has at the tenant."""

    password = PasswordField(
        _l("Your current password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
