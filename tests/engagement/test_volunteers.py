"""Volunteer registration, parental consent under 16, profile, reverse match and invitations."""

from __future__ import annotations

import datetime as dt

import pytest

from core.db import session
from core.errors import ConflictError, NotFoundError, ValidationError
from core.mail import outbox
from core.testing import TEST_PASSWORD
from plugins.engagement import contacts, volunteers
from plugins.engagement.models import ConsentStatus

TODAY = dt.date.today()


def registration(**overrides):
    return {
        "email": "kim@example.org",
        "display_name": "Kim Kaya",
        "password": TEST_PASSWORD,
        "birth_year": 1990,
        "plz": "48653",
        **overrides,
    }


def test_registration_creates_an_account_and_a_profile_at_the_home_municipality(coesfeld):
    user = volunteers.register_volunteer(coesfeld, registration())
    profile = volunteers.profile_of(user)

    assert (user.tenant_id, profile.tenant_id, profile.home_ags) == (
        coesfeld.id,
        coesfeld.id,
        "05558012",
    )
    assert (profile.birth_year, profile.plz, profile.consent_status) == (
        1990,
        "48653",
        ConsentStatus.NOT_NEEDED,
    )


def test_under_16_a_parent_must_be_named(coesfeld):
    with pytest.raises(ValidationError) as error:
        volunteers.register_volunteer(coesfeld, registration(birth_year=TODAY.year - 15))

    assert (error.value.field, error.value.message) == (
        "parent_name",
        "under 16 a parent must consent: give their name",
    )


def test_under_16_the_parent_is_mailed_a_consent_link_and_contact_waits(
    coesfeld, make_organisation, make_offer
):
    offer = make_offer(make_organisation(coesfeld))
    user = volunteers.register_volunteer(
        coesfeld,
        registration(
            birth_year=TODAY.year - 14, parent_name="Petra Kaya", parent_email="petra@example.org"
        ),
    )
    session.commit()
    profile = volunteers.profile_of(user)

    (mail,) = outbox(coesfeld)
    assert (mail.to_address, mail.category) == ("petra@example.org", "engagement.consent")
    assert profile.consent_status == ConsentStatus.PENDING
    with pytest.raises(ValidationError) as error:
        contacts.request_contact(coesfeld, offer.id, user, "Hallo")
    assert error.value.message == "a parent has not consented yet"


def test_the_consent_link_records_consent(coesfeld):
    user = volunteers.register_volunteer(
        coesfeld,
        registration(
            birth_year=TODAY.year - 14, parent_name="Petra Kaya", parent_email="petra@example.org"
        ),
    )
    profile = volunteers.profile_of(user)
    token = volunteers.consent_url(coesfeld, profile).rsplit("/", 1)[1]

    volunteers.give_consent(volunteers.profile_for_consent(coesfeld, token))

    assert profile.consent_status == ConsentStatus.GIVEN
    assert profile.may_make_contact is True


def test_a_consent_link_is_not_valid_at_another_municipality(coesfeld, duelmen):
    user = volunteers.register_volunteer(
        coesfeld,
        registration(
            birth_year=TODAY.year - 14, parent_name="Petra Kaya", parent_email="petra@example.org"
        ),
    )
    token = volunteers.consent_url(coesfeld, volunteers.profile_of(user)).rsplit("/", 1)[1]

    with pytest.raises(ValidationError) as error:
        volunteers.profile_for_consent(duelmen, token)

    assert error.value.message == "the link is not valid"


def test_a_tampered_consent_link_is_refused(coesfeld):
    with pytest.raises(ValidationError) as error:
        volunteers.profile_for_consent(coesfeld, "abc.def.ghi")

    assert error.value.message == "the link is not valid"


def test_the_same_email_cannot_register_twice_at_one_municipality(coesfeld):
    volunteers.register_volunteer(coesfeld, registration())

    with pytest.raises(ConflictError):
        volunteers.register_volunteer(coesfeld, registration())


@pytest.mark.parametrize(
    ("year", "message"),
    [
        (TODAY.year - 11, "volunteers must be at least 12 years old"),
        ("neunzehn", "must be a year such as 1990, got 'neunzehn'"),
    ],
)
def test_implausible_birth_years_are_refused(coesfeld, year, message):
    with pytest.raises(ValidationError) as error:
        volunteers.register_volunteer(coesfeld, registration(birth_year=year))

    assert (error.value.field, error.value.message) == ("birth_year", message)


def test_organisations_see_only_opted_in_volunteers_without_names(
    coesfeld, duelmen, make_volunteer, make_organisation, make_offer
):
    offer = make_offer(make_organisation(coesfeld), fields=["social"], reach="kreis")
    shown = make_volunteer(
        duelmen,
        "shown@example.org",
        plz="48249",
        fields=["social"],
        discoverable=True,
        radius_km=25,
        about="Ich fahre gern Auto.",
    )
    make_volunteer(coesfeld, "hidden@example.org", fields=["social"], discoverable=False)

    (suggestion,) = volunteers.suggest_volunteers(offer)

    assert (suggestion.profile_id, suggestion.tenant_id) == (
        volunteers.profile_of(shown).id,
        duelmen.id,
    )
    assert suggestion.about == "Ich fahre gern Auto."
    assert not hasattr(suggestion, "email")


def test_volunteers_outside_the_offers_reach_are_not_suggested(
    coesfeld, duelmen, make_volunteer, make_organisation, make_offer
):
    offer = make_offer(make_organisation(coesfeld), fields=["social"])
    make_volunteer(
        duelmen, "elsewhere@example.org", plz="48249", fields=["social"], discoverable=True
    )

    assert volunteers.suggest_volunteers(offer) == []


def test_an_invitation_is_mailed_by_the_platform_and_listed_for_the_volunteer(
    coesfeld, make_volunteer, make_organisation, make_offer
):
    offer = make_offer(make_organisation(coesfeld), fields=["social"])
    user = make_volunteer(coesfeld, "kim@example.org", fields=["social"], discoverable=True)

    volunteers.invite(offer, volunteers.profile_of(user).id, "Komm vorbei!")
    session.commit()

    assert [i.message for i in contacts.my_invitations(user)] == ["Komm vorbei!"]
    assert [m.to_address for m in outbox(coesfeld) if m.category == "engagement.invitation"] == [
        "kim@example.org"
    ]
    assert volunteers.suggest_volunteers(offer) == []


def test_only_suggested_volunteers_can_be_invited(
    coesfeld, make_volunteer, make_organisation, make_offer
):
    offer = make_offer(make_organisation(coesfeld), fields=["social"])
    user = make_volunteer(coesfeld, "kim@example.org", fields=["social"], discoverable=False)

    with pytest.raises(NotFoundError):
        volunteers.invite(offer, volunteers.profile_of(user).id, "")


def test_a_minor_without_consent_cannot_opt_in_to_be_found(coesfeld):
    user = volunteers.register_volunteer(
        coesfeld,
        registration(
            birth_year=TODAY.year - 14, parent_name="Petra Kaya", parent_email="petra@example.org"
        ),
    )

    with pytest.raises(ValidationError) as error:
        volunteers.update_profile(volunteers.profile_of(user), {"discoverable": True})

    assert (error.value.field, error.value.message) == (
        "discoverable",
        "possible once a parent has consented",
    )
