"""A Kreis admin moderates the offers of a Gemeinde that opted in (and only then)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core import accounts
from core.db import session
from core.models import Role, Tenant, User
from core.tenancy import cross_tenant, tenant_context
from core.testing import TEST_PASSWORD, submit
from plugins.engagement.models import Opportunity, ReviewDecision

REVIEW = "/kreis-coesfeld/admin/municipalities/coesfeld/engagement/review"
EN = {"Accept-Language": "en"}


@pytest.fixture
def kreis(make_tenant, coesfeld):
    """Kreis Coesfeld above Stadt Coesfeld."""
    kreis = make_tenant("kreis-coesfeld", "05558", "Coesfeld")
    coesfeld.parent_id = kreis.id
    coesfeld.display_name = "Stadt Coesfeld"
    session.commit()
    return kreis


@pytest.fixture
def kreis_admin(app, kreis, login):
    user = accounts.create_user(
        "admin@kreis-coesfeld.example", "Kreisadmin", TEST_PASSWORD, [Role.TENANT_ADMIN], kreis
    )
    session.commit()
    client = app.test_client()
    login(client, user)
    return client


@pytest.fixture
def waiting_offer(coesfeld, make_organisation, make_offer):
    """An offer of an unverified organisation in Coesfeld, waiting for review."""
    organisation = make_organisation(coesfeld, "Heimatverein Coesfeld", verified=False)
    return make_offer(organisation, title="Heimatmuseum betreuen")


def opt_in(tenant):
    session.get(Tenant, tenant.id).parent_may_administer = True
    session.commit()


def status_of(offer):
    with tenant_context(offer.tenant_id):
        session.expire_all()
        return session.get(Opportunity, offer.id).status.value


def test_a_kreis_admin_moderates_the_offers_of_a_gemeinde_that_opted_in(
    kreis_admin, coesfeld, waiting_offer
):
    opt_in(coesfeld)

    page = kreis_admin.get(REVIEW, headers=EN).get_data(as_text=True)
    response = submit(kreis_admin, REVIEW, {"offers": str(waiting_offer.id), "decision": "approve"})

    assert "Heimatmuseum betreuen" in page
    assert "Offers of Stadt Coesfeld, which lets the district administer it." in page
    assert (response.status_code, response.headers["Location"]) == (302, REVIEW)
    assert status_of(waiting_offer) == "published"
    with tenant_context(coesfeld):
        decision = session.scalar(
            select(ReviewDecision).where(ReviewDecision.opportunity_id == waiting_offer.id)
        )
    with cross_tenant("test reads the Kreis admin's account"):
        admin = session.scalar(select(User).where(User.email == "admin@kreis-coesfeld.example"))
    assert (decision.tenant_id, decision.decided_by) == (
        coesfeld.id,
        f"user:{admin.id}:{admin.pseudonym}",
    )


def test_a_gemeinde_that_did_not_opt_in_refuses_the_kreis_and_says_why(
    kreis_admin, coesfeld, waiting_offer
):
    german = kreis_admin.get(REVIEW)
    english = kreis_admin.get(REVIEW, headers=EN)
    post = submit(
        kreis_admin,
        REVIEW,
        {"offers": str(waiting_offer.id), "decision": "approve"},
        form_url="/kreis-coesfeld/admin/settings",
    )

    assert (german.status_code, english.status_code, post.status_code) == (403, 403, 403)
    assert "Stadt Coesfeld hat dem Kreis die Verwaltung nicht erlaubt." in german.get_data(
        as_text=True
    )
    assert "Stadt Coesfeld has not allowed the district to administer it." in english.get_data(
        as_text=True
    )
    assert status_of(waiting_offer) == "in_review"


def test_the_admin_of_the_gemeinde_itself_gets_no_delegated_pages(app, coesfeld, login, kreis):
    opt_in(coesfeld)
    user = accounts.create_user(
        "admin@coesfeld.example", "Admin", TEST_PASSWORD, [Role.TENANT_ADMIN], coesfeld
    )
    session.commit()
    client = app.test_client()
    login(client, user)

    assert client.get(REVIEW).status_code == 302  # not a principal at the Kreis: to login
