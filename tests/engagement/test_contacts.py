"""Contact requests across municipalities, relayed messages, acceptance, certificates."""

from __future__ import annotations

import datetime as dt

import pytest

from core.db import session
from core.errors import ConflictError, NotFoundError, ValidationError
from core.mail import outbox
from plugins.engagement import contacts
from plugins.engagement.models import CertificateOutcome, Party, RequestStatus
from tests.engagement.conftest import change

TODAY = dt.date.today()


@pytest.fixture
def tafel(coesfeld, make_organisation):
    return make_organisation(coesfeld, "Tafel")


@pytest.fixture
def offer(tafel, make_offer):
    return make_offer(tafel, places=1)


@pytest.fixture
def vera(coesfeld, make_volunteer):
    return make_volunteer(coesfeld, "vera@example.org", "Vera Voss")


def test_a_request_is_stored_with_the_offer_and_shows_only_the_first_name(offer, vera, coesfeld):
    request = contacts.request_contact(coesfeld, offer.id, vera, "Ich helfe gern dienstags.")
    session.commit()

    assert (request.tenant_id, request.volunteer_tenant_id, request.volunteer_user_id) == (
        coesfeld.id,
        coesfeld.id,
        vera.id,
    )
    assert (request.volunteer_name, request.status) == ("Vera", RequestStatus.REQUESTED)
    assert [(m.sender, m.body) for m in request.messages] == [
        (Party.VOLUNTEER, "Ich helfe gern dienstags.")
    ]
    assert contacts.volunteer_contact(request) is None


def test_the_organisation_is_told_by_mail_without_the_volunteers_address(offer, vera, coesfeld):
    contacts.request_contact(coesfeld, offer.id, vera, "Hallo")
    session.commit()

    (mail,) = outbox(coesfeld)
    assert (mail.to_address, mail.category) == (
        "kontakt@tafel.example.org",
        "engagement.request.new",
    )
    assert "vera@example.org" not in mail.body_text


def test_a_kreis_wide_offer_of_another_municipality_can_be_contacted_from_home(
    duelmen, make_organisation, make_offer, vera, coesfeld
):
    heimat = make_organisation(duelmen, "Heimatverein")
    remote_offer = make_offer(heimat, plz="48249", reach="kreis")

    request = contacts.request_contact(coesfeld, remote_offer.id, vera, "Hallo")
    session.commit()

    assert (request.tenant_id, request.volunteer_tenant_id) == (duelmen.id, coesfeld.id)
    assert [r.id for r in contacts.my_requests(vera)] == [request.id]


def test_a_local_offer_of_another_municipality_cannot_be_contacted(
    duelmen, make_organisation, make_offer, vera, coesfeld
):
    heimat = make_organisation(duelmen, "Heimatverein")
    local = make_offer(heimat, plz="48249")

    with pytest.raises(NotFoundError):
        contacts.request_contact(coesfeld, local.id, vera, "Hallo")


def test_a_second_open_request_for_the_same_offer_is_refused(offer, vera, coesfeld):
    contacts.request_contact(coesfeld, offer.id, vera, "Hallo")

    with pytest.raises(ConflictError) as error:
        contacts.request_contact(coesfeld, offer.id, vera, "Nochmal")

    assert error.value.message == "you have already contacted this organisation about the offer"


def test_age_below_the_minimum_is_refused_naming_it(tafel, make_offer, coesfeld, make_volunteer):
    offer = make_offer(tafel, min_age=18)
    young = make_volunteer(coesfeld, "young@example.org", birth_year=TODAY.year - 17)

    with pytest.raises(ValidationError) as error:
        contacts.request_contact(coesfeld, offer.id, young, "Hallo")

    assert (error.value.field, error.value.message) == (
        "age",
        "the offer is for people aged 18 and over",
    )


def test_accepting_shares_contact_data_and_takes_a_place(offer, vera, coesfeld):
    request = contacts.request_contact(coesfeld, offer.id, vera, "Hallo")

    contacts.decide_request(request, True, "Willkommen!")
    session.commit()

    assert (request.status, offer.places_taken, offer.is_full) == (RequestStatus.ACCEPTED, 1, True)
    assert contacts.volunteer_contact(request) == {"name": "Vera Voss", "email": "vera@example.org"}
    assert request.messages[-1].body == "Willkommen!"
    mine = contacts.my_request(vera, request.id)
    assert mine.contact_shared is True


def test_a_full_offer_with_waitlist_takes_requests_onto_the_waiting_list(
    offer, vera, coesfeld, make_volunteer
):
    first = contacts.request_contact(coesfeld, offer.id, vera, "Hallo")
    contacts.decide_request(first, True)
    change(offer, waitlist_open=True)
    other = make_volunteer(coesfeld, "otto@example.org", "Otto")

    second = contacts.request_contact(coesfeld, offer.id, other, "Hallo")

    assert second.on_waitlist is True
    with pytest.raises(ConflictError) as error:
        contacts.decide_request(second, True)
    assert error.value.message == "no place is free; raise the number of places first"


def test_a_full_offer_without_waitlist_refuses_requests(offer, vera, coesfeld, make_volunteer):
    contacts.decide_request(contacts.request_contact(coesfeld, offer.id, vera, "Hallo"), True)
    session.commit()

    with pytest.raises(ConflictError) as error:
        contacts.request_contact(
            coesfeld, offer.id, make_volunteer(coesfeld, "otto@example.org"), "Hallo"
        )

    assert error.value.message == "every place is taken and there is no waiting list"


def test_withdrawing_an_accepted_request_frees_the_place(offer, vera, coesfeld):
    request = contacts.request_contact(coesfeld, offer.id, vera, "Hallo")
    contacts.decide_request(request, True)

    contacts.withdraw(request)

    assert (request.status, offer.places_taken) == (RequestStatus.WITHDRAWN, 0)


def test_messages_are_relayed_and_the_first_answer_is_timed(offer, vera, coesfeld):
    request = contacts.request_contact(coesfeld, offer.id, vera, "Hallo")

    contacts.post_message(request, Party.ORGANISATION, "Wann hast du Zeit?")
    session.commit()

    assert request.first_answer_at is not None
    assert [m.category for m in outbox(coesfeld)] == [
        "engagement.message",
        "engagement.request.new",
    ]


def test_a_closed_conversation_takes_no_messages(offer, vera, coesfeld):
    request = contacts.request_contact(coesfeld, offer.id, vera, "Hallo")
    contacts.decide_request(request, False)

    with pytest.raises(ConflictError) as error:
        contacts.post_message(request, Party.VOLUNTEER, "Schade")

    assert error.value.message == "the conversation is closed (declined)"


def test_others_cannot_read_a_volunteers_request(offer, vera, coesfeld, make_volunteer):
    request = contacts.request_contact(coesfeld, offer.id, vera, "Hallo")
    other = make_volunteer(coesfeld, "otto@example.org")

    with pytest.raises(NotFoundError):
        contacts.my_request(other, request.id)


def test_only_the_fact_date_and_outcome_of_a_police_certificate_are_stored(
    tafel, make_offer, vera, coesfeld
):
    offer = make_offer(tafel, with_children=True)
    request = contacts.request_contact(coesfeld, offer.id, vera, "Hallo")
    contacts.decide_request(request, True)

    contacts.record_certificate(
        request, {"inspected_on": TODAY.isoformat(), "outcome": "no_relevant_entries"}
    )

    assert (request.certificate_inspected_on, request.certificate_outcome) == (
        TODAY,
        CertificateOutcome.NO_RELEVANT_ENTRIES,
    )


def test_a_certificate_is_only_recorded_for_work_with_children(offer, vera, coesfeld):
    request = contacts.request_contact(coesfeld, offer.id, vera, "Hallo")
    contacts.decide_request(request, True)

    with pytest.raises(ConflictError) as error:
        contacts.record_certificate(
            request, {"inspected_on": TODAY.isoformat(), "outcome": "no_relevant_entries"}
        )

    assert error.value.message == "only offers for work with children need a police certificate"
