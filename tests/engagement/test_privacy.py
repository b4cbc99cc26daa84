"""DSGVO hooks: export and erasure of a volunteer's data, and tenant offboarding."""

from __future__ import annotations

import pytest

from core import accounts, lifecycle
from core.db import session
from core.tenancy import cross_tenant
from plugins.engagement import contacts, volunteers
from plugins.engagement.models import (
    ContactRequest,
    Message,
    Party,
    RequestStatus,
    VolunteerProfile,
)
from plugins.engagement.stats import tenant_statistics


@pytest.fixture
def vera_at_duelmen(coesfeld, duelmen, make_organisation, make_offer, make_volunteer):
    """Vera of Coesfeld contacted a Kreis-wide offer of Dülmen, which accepted."""
    offer = make_offer(
        make_organisation(duelmen, "Heimatverein"), plz="48249", reach="kreis", places=3
    )
    vera = make_volunteer(coesfeld, "vera@example.org", "Vera Voss", fields=["social"])
    request = contacts.request_contact(coesfeld, offer.id, vera, "Ich komme gern.")
    contacts.decide_request(request, True, "Willkommen")
    session.commit()
    return vera, request, offer


def test_hook_export_personal_data(app, vera_at_duelmen):
    vera, request, _offer = vera_at_duelmen

    data = accounts.export_user(vera)["engagement"]

    assert data["profile"]["birth_year"] == 1990
    assert data["profile"]["fields"] == ["social"]
    assert data["organisations"] == []
    (exported,) = data["requests"]
    assert (exported["offer"], exported["organisation"], exported["status"]) == (
        "Lebensmittel sortieren",
        "Heimatverein",
        "accepted",
    )
    assert [(m["from"], m["body"]) for m in exported["messages"]] == [
        ("volunteer", "Ich komme gern."),
        ("organisation", "Willkommen"),
    ]


def test_hook_erase_personal_data(app, vera_at_duelmen, duelmen):
    vera, request, offer = vera_at_duelmen

    accounts.erase_user(vera)
    session.commit()

    with cross_tenant("test reads what is left"):
        kept = session.get(ContactRequest, request.id)
        assert (kept.volunteer_user_id, kept.volunteer_name, kept.status) == (
            None,
            "–",
            RequestStatus.WITHDRAWN,
        )
        assert [m.sender for m in session.query(Message).filter_by(request_id=request.id)] == [
            Party.ORGANISATION
        ]
        assert session.query(VolunteerProfile).count() == 0
        assert session.get(type(offer), offer.id).places_taken == 0
    figures = tenant_statistics(duelmen)
    assert (figures["requests_total"], figures["requests"]["withdrawn"]) == (1, 1)


def test_hook_tenant_offboarding(app, vera_at_duelmen, coesfeld):
    _vera, request, _offer = vera_at_duelmen

    lifecycle.purge_tenant(coesfeld)
    session.commit()

    with cross_tenant("test reads what is left"):
        kept = session.get(ContactRequest, request.id)
        assert (kept.volunteer_user_id, kept.volunteer_name) == (None, "–")


def test_export_of_someone_without_engagement_data(app, coesfeld, make_user):
    user = make_user(coesfeld, "nobody@example.org")

    assert accounts.export_user(user)["engagement"] == {
        "profile": None,
        "organisations": [],
        "requests": [],
        "invitations": [],
        "reports": [],
    }


def test_erasing_a_volunteer_keeps_nothing_of_their_profile(app, coesfeld, make_volunteer):
    user = make_volunteer(coesfeld, "kim@example.org")

    accounts.erase_user(user)
    session.commit()

    assert volunteers.profile_of(user) is None
