"""Web forms of the engagement pages (Flask-WTF; every POST form carries a CSRF token).

The forms only collect input; the rules live in the domain modules, whose
``ValidationError`` is shown next to the field it names (:func:`show_error`), and
:func:`validate_whole_form` runs the form's checks and the domain's together so that
one submit reports every wrong field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from core import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from core import show_error as show_error
from core import validate_whole_form as validate_whole_form
from plugins.engagement import vocabulary
from plugins.engagement.models import CertificateOutcome, OrganisationKind

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def _c(pairs: Any) -> list[Any]:
    """Choices in the form the installed WTForms prefers."""
    return [
        SelectChoice(value, label) if SelectChoice else (value, label) for value, label in pairs
    ]


RADII = [(str(km), f"{km} km") for km in (5, 10, 15, 25, 50, 100)]


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes under one legend (rendered by the ``checkboxes`` macro)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _fields() -> list[tuple[str, Any]]:
    return _c((key, vocabulary.field_label(key)) for key in vocabulary.FIELDS)


def _skills() -> list[tuple[str, Any]]:
    return _c((key, vocabulary.skill_label(key)) for key in vocabulary.SKILLS)


def _slots() -> list[tuple[str, str]]:
    return _c((key, vocabulary.slot_label(key)) for key in vocabulary.SLOTS)


def _languages() -> list[tuple[str, str]]:
    return _c((code, vocabulary.language_label(code)) for code in vocabulary.COMMON_LANGUAGES)


class SearchForm(FlaskForm):
    """The public search (GET, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search words"), validators=[Optional(), Length(max=200)])
    plz = StringField(_l("Postcode or place"), validators=[Optional(), Length(max=100)])
    radius = SelectField(_l("Distance"), choices=_c(RADII), default="25")
    fields = MultiCheckboxField(_l("Fields of engagement"), choices=_fields)
    schedule = RadioField(
        _l("When"),
        choices=_c([("", _l("any")), ("regular", _l("regularly")), ("one_off", _l("one-off"))]),
        default="",
    )
    remote = RadioField(
        _l("Where"),
        choices=_c(
            [("", _l("on site and from home")), ("no", _l("on site")), ("yes", _l("from home"))]
        ),
        default="",
    )
    age = IntegerField(_l("Your age"), validators=[Optional(), NumberRange(min=0, max=120)])
    date_from = DateField(_l("Date from"), validators=[Optional()])
    date_to = DateField(_l("Date until"), validators=[Optional()])
    statewide = BooleanField(_l("Also offers from the whole Kreis and Land"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.choices = _fields()


class RegisterVolunteerForm(FlaskForm):
    """A citizen account with a volunteer profile."""

    display_name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("Organisations see only your first name until you agree to meet."),
    )
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
    birth_year = IntegerField(
        _l("Year of birth"),
        validators=[DataRequired()],
        description=_l("Some offers have a minimum age."),
    )
    plz = StringField(_l("Postcode"), validators=[Optional(), Length(max=5)])
    parent_name = StringField(
        _l("Name of a parent"),
        validators=[Optional(), Length(max=200)],
        description=_l("Only if you are younger than 16: a parent must agree."),
    )
    parent_email = EmailField(
        _l("E-mail address of the parent"), validators=[Optional(), Length(max=254)]
    )
    accept_privacy = BooleanField(
        _l("I have read the privacy statement."),
        validators=[DataRequired(message=_l("Please confirm the privacy statement."))],
    )


class ProfileForm(FlaskForm):
    """The volunteer profile."""

    birth_year = IntegerField(_l("Year of birth"), validators=[Optional()])
    plz = StringField(_l("Postcode"), validators=[Optional(), Length(max=5)])
    radius_km = SelectField(_l("How far would you travel?"), choices=_c(RADII), default="15")
    fields = MultiCheckboxField(_l("What interests you?"), choices=_fields)
    skills = MultiCheckboxField(_l("What can you do?"), choices=_skills)
    time_slots = MultiCheckboxField(_l("When do you have time?"), choices=_slots)
    languages = MultiCheckboxField(_l("Languages you speak"), choices=_languages)
    about = TextAreaField(
        _l("About you"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Organisations may read this if you let them find you."),
    )
    discoverable = BooleanField(
        _l("Organisations may find my profile (without my name or contact data) and invite me.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.choices = _fields()
        self.skills.choices = _skills()
        self.time_slots.choices = _slots()
        self.languages.choices = _languages()


class ContactForm(FlaskForm):
    """The first message to an organisation ("Kennenlernen")."""

    message = TextAreaField(
        _l("Your message"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("Say a few words about yourself. Your e-mail address is not passed on."),
    )


class MessageForm(FlaskForm):
    """A relayed message."""

    message = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=2000)])


class ReportForm(FlaskForm):
    """Report an offer."""

    reason = TextAreaField(
        _l("What is wrong with this offer?"), validators=[DataRequired(), Length(max=2000)]
    )


class OrganisationForm(FlaskForm):
    """An organisation's details."""

    name = StringField(_l("Name of the organisation"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"),
        choices=_c(
            [
                (OrganisationKind.VEREIN.value, _l("Association (Verein)")),
                (OrganisationKind.INITIATIVE.value, _l("Initiative")),
                (OrganisationKind.SCHULE.value, _l("School")),
                (OrganisationKind.KITA.value, _l("Day-care centre")),
                (OrganisationKind.HOCHSCHULE.value, _l("University")),
                (OrganisationKind.UNTERNEHMEN.value, _l("Company")),
                (OrganisationKind.KOMMUNE.value, _l("Local authority")),
                (OrganisationKind.PRIVATPERSON.value, _l("Private person")),
            ]
        ),
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)])
    contact_email = EmailField(
        _l("Contact e-mail address"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("Volunteers see it only after you accepted their request."),
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])
    plz = StringField(_l("Postcode"), validators=[Optional(), Length(max=5)])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=100)])


class MemberForm(FlaskForm):
    """Add a member by e-mail address."""

    email = EmailField(
        _l("E-mail address of the account"), validators=[DataRequired(), Length(max=254)]
    )


class OfferForm(FlaskForm):
    """An engagement offer."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=10000)])
    fields = MultiCheckboxField(_l("Fields of engagement"), choices=_fields)
    skills = MultiCheckboxField(_l("Skills wanted"), choices=_skills)
    remote = BooleanField(_l("Can be done from home (remote)"))
    street = StringField(_l("Street and number"), validators=[Optional(), Length(max=200)])
    plz = StringField(_l("Postcode"), validators=[Optional(), Length(max=5)])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=100)])
    reach = RadioField(
        _l("Who may apply?"),
        choices=_c(
            [
                ("local", _l("People from our municipality")),
                ("kreis", _l("Everyone in the Kreis")),
                ("land", _l("Everyone in the Land")),
            ]
        ),
        default="local",
    )
    schedule = RadioField(
        _l("When"),
        choices=_c([("regular", _l("regularly")), ("one_off", _l("one-off"))]),
        default="regular",
    )
    starts_on = DateField(_l("Date (one-off)"), validators=[Optional()])
    ends_on = DateField(_l("Last day (if several days)"), validators=[Optional()])
    time_slots = MultiCheckboxField(_l("Weekly time slots (regular)"), choices=_slots)
    hours_per_week = IntegerField(
        _l("Hours per week"), validators=[Optional(), NumberRange(min=1, max=60)]
    )
    min_age = IntegerField(
        _l("Minimum age"), validators=[Optional(), NumberRange(min=0, max=99)], default=0
    )
    languages = MultiCheckboxField(_l("Languages"), choices=_languages, default=["de"])
    accessibility_notes = TextAreaField(
        _l("Accessibility"),
        validators=[Optional(), Length(max=2000)],
        description=_l("For example: step-free access, sign language."),
    )
    with_children = BooleanField(
        _l("Work with children or young people (needs an extended police certificate)")
    )
    places = IntegerField(
        _l("Places"),
        validators=[Optional(), NumberRange(min=1, max=10000)],
        description=_l("Leave empty for no limit."),
    )
    waitlist_open = BooleanField(_l("Open a waiting list when all places are taken"))
    expires_on = DateField(_l("Show until"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.choices = _fields()
        self.skills.choices = _skills()
        self.time_slots.choices = _slots()
        self.languages.choices = _languages()


class DecisionForm(FlaskForm):
    """Accept or decline a contact request."""

    reason = TextAreaField(
        _l("Message to the volunteer (optional)"), validators=[Optional(), Length(max=2000)]
    )


class CertificateForm(FlaskForm):
    """Only the fact, date and outcome of an extended police certificate inspection."""

    inspected_on = DateField(_l("Inspected on"), validators=[DataRequired()], default=dt.date.today)
    outcome = RadioField(
        _l("Outcome"),
        choices=_c(
            [
                (CertificateOutcome.NO_RELEVANT_ENTRIES.value, _l("No relevant entries")),
                (CertificateOutcome.RELEVANT_ENTRIES.value, _l("Relevant entries")),
            ]
        ),
        validators=[DataRequired()],
    )


class InviteForm(FlaskForm):
    """Invite a suggested volunteer."""

    message = TextAreaField(_l("Message"), validators=[Optional(), Length(max=2000)])


class ReviewForm(FlaskForm):
    """Bulk approve or reject offers in the review queue (the page lists the offers as
    checkboxes named ``offers``; the domain checks the choice)."""

    offers = SelectMultipleField(_l("Offers to decide on"), choices=[], validate_choice=False)

    reason = TextAreaField(
        _l("Reason (needed to reject)"), validators=[Optional(), Length(max=2000)]
    )
