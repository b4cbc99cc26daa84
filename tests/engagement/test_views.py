"""Web pages: the citizen flow, organisation and admin pages, and tenant isolation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.db import session
from core.models import Role
from core.tenancy import tenant_context
from core.testing import TEST_PASSWORD, csrf_token, submit
from plugins.engagement import contacts
from plugins.engagement.models import Opportunity, OpportunityStatus, RequestStatus

TODAY = dt.date.today()
EN = {"Accept-Language": "en"}


@pytest.fixture
def tafel(coesfeld, make_organisation, make_user):
    member = make_user(coesfeld, "member@example.org", "Maria Member")
    organisation = make_organisation(coesfeld, "Tafel", founder=member)
    return organisation


def _member(tafel):
    from core import accounts
    from core.models import Tenant

    return accounts.find_user("member@example.org", session.get(Tenant, tafel.tenant_id))


@pytest.fixture
def offer(tafel, make_offer):
    return make_offer(tafel, title="Lebensmittel sortieren")


@pytest.fixture
def vera(coesfeld, make_volunteer):
    return make_volunteer(coesfeld, "vera@example.org", "Vera Voss")


def logged_in(app, login, user):
    client = app.test_client()
    login(client, user)
    return client


def test_pages_answer_404_where_the_tenant_does_not_subscribe(client, tenant):
    assert client.get("/coesfeld/engagement/").status_code == 404


def test_the_portal_links_to_the_search(client, coesfeld):
    page = client.get("/coesfeld/", headers=EN).get_data(as_text=True)

    assert 'href="/coesfeld/engagement/"' in page


def test_search_by_plz_lists_offers_with_distance_and_reasons(client, offer):
    response = client.get("/coesfeld/engagement/?plz=48653&radius=25", headers=EN)
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "1 offer found" in page
    assert f'href="/coesfeld/engagement/offers/{offer.id}"' in page
    assert "0.0 km away" in page
    assert "<li>0.0 km from Coesfeld</li>" in page


def test_search_with_an_unknown_postcode_shows_the_error_at_the_field(client, coesfeld):
    response = client.get("/coesfeld/engagement/?plz=00000", headers=EN)

    assert response.status_code == 422
    assert "&#39;00000&#39; is not a known German postcode or place" in response.get_data(
        as_text=True
    )


def test_an_offer_page_shows_no_contact_data_of_the_organisation(client, offer):
    page = client.get(f"/coesfeld/engagement/offers/{offer.id}", headers=EN).get_data(as_text=True)

    assert "Lebensmittel sortieren" in page
    assert "kontakt@tafel.example.org" not in page


def test_a_draft_is_not_shown_to_citizens(client, tafel, make_offer):
    draft = make_offer(tafel, submit=False)

    assert client.get(f"/coesfeld/engagement/offers/{draft.id}").status_code == 404


def test_registration_logs_in_and_leads_to_the_profile(client, coesfeld):
    url = "/coesfeld/engagement/register"
    response = submit(
        client,
        url,
        {
            "display_name": "Kim Kaya",
            "email": "kim@example.org",
            "password": TEST_PASSWORD,
            "password_repeat": TEST_PASSWORD,
            "birth_year": "1990",
            "plz": "48653",
            "accept_privacy": "y",
        },
    )

    assert (response.status_code, response.headers["Location"]) == (
        302,
        "/coesfeld/engagement/profile",
    )
    assert client.get("/coesfeld/engagement/profile").status_code == 200


def test_registration_under_16_without_a_parent_is_refused(client, coesfeld):
    response = submit(
        client,
        "/coesfeld/engagement/register",
        {
            "display_name": "Kim",
            "email": "kim@example.org",
            "password": TEST_PASSWORD,
            "password_repeat": TEST_PASSWORD,
            "birth_year": str(TODAY.year - 14),
            "accept_privacy": "y",
        },
        headers=EN,
    )

    assert response.status_code == 422
    assert "under 16 a parent must consent: give their name" in response.get_data(as_text=True)


def test_the_contact_form_sends_a_request_and_shows_it_under_my_requests(app, login, offer, vera):
    client = logged_in(app, login, vera)

    response = submit(
        client,
        f"/coesfeld/engagement/offers/{offer.id}/contact",
        {"message": "Ich helfe gern."},
        form_url=f"/coesfeld/engagement/offers/{offer.id}",
    )

    (request,) = contacts.my_requests(vera)
    assert response.headers["Location"] == f"/coesfeld/engagement/my-requests/{request.id}"
    page = client.get(f"/coesfeld/engagement/my-requests/{request.id}", headers=EN).get_data(
        as_text=True
    )
    assert "Ich helfe gern." in page
    assert "kontakt@tafel.example.org" not in page


def test_after_acceptance_the_volunteer_sees_the_organisations_contact(
    app, login, offer, vera, coesfeld
):
    request = contacts.request_contact(coesfeld, offer.id, vera, "Hallo")
    contacts.decide_request(request, True)
    session.commit()
    client = logged_in(app, login, vera)

    page = client.get(f"/coesfeld/engagement/my-requests/{request.id}", headers=EN).get_data(
        as_text=True
    )

    assert "accepted" in page
    assert "kontakt@tafel.example.org" in page


def test_the_organisation_accepts_a_request_on_its_page(app, login, offer, vera, tafel, coesfeld):
    request = contacts.request_contact(coesfeld, offer.id, vera, "Hallo")
    session.commit()
    client = logged_in(app, login, _member(tafel))
    url = f"/coesfeld/engagement/organisations/{tafel.id}/requests/{request.id}"

    before = client.get(url, headers=EN).get_data(as_text=True)
    response = submit(client, url + "/decision", {"decision": "accept", "reason": ""}, form_url=url)
    after = client.get(url, headers=EN).get_data(as_text=True)

    assert "vera@example.org" not in before
    assert response.status_code == 302
    assert request.status == RequestStatus.ACCEPTED
    assert "vera@example.org" in after


def test_a_member_writes_and_submits_an_offer(app, login, tafel, coesfeld):
    client = logged_in(app, login, _member(tafel))
    url = f"/coesfeld/engagement/organisations/{tafel.id}/offers/new"

    response = submit(
        client,
        url,
        {
            "title": "Hunde ausführen",
            "description": "Im Tierheim.",
            "fields": ["animals"],
            "plz": "48653",
            "reach": "local",
            "schedule": "regular",
            "time_slots": ["sat-morning"],
            "min_age": "0",
            "languages": ["de"],
        },
    )
    edit = response.headers["Location"]
    submit(client, edit.replace("/edit", "/status"), {"action": "submit"}, form_url=edit)

    with tenant_context(coesfeld):
        (created,) = session.scalars(select(Opportunity)).all()
    assert (created.title, created.status, edit) == (
        "Hunde ausführen",
        OpportunityStatus.PUBLISHED,
        f"/coesfeld/engagement/organisations/{tafel.id}/offers/{created.id}/edit",
    )


def test_a_tenant_admin_approves_offers_in_bulk(
    app, login, coesfeld, make_organisation, make_offer, make_user
):
    unverified = make_organisation(coesfeld, "Lernpaten", verified=False)
    first, second = make_offer(unverified, title="A"), make_offer(unverified, title="B")
    admin = make_user(coesfeld, "admin@example.org", "Anna Admin", Role.TENANT_ADMIN)
    client = logged_in(app, login, admin)

    response = submit(
        client,
        "/coesfeld/engagement/admin/review",
        {"offers": [str(first.id), str(second.id)], "decision": "approve", "reason": ""},
    )

    assert response.status_code == 302
    assert (first.status, second.status) == (
        OpportunityStatus.PUBLISHED,
        OpportunityStatus.PUBLISHED,
    )


def test_rejecting_without_a_reason_shows_the_error(
    app, login, coesfeld, make_organisation, make_offer, make_user
):
    offer = make_offer(make_organisation(coesfeld, "Lernpaten", verified=False))
    client = logged_in(
        app, login, make_user(coesfeld, "admin@example.org", "Anna", Role.TENANT_ADMIN)
    )

    response = submit(
        client,
        "/coesfeld/engagement/admin/review",
        {"offers": [str(offer.id)], "decision": "reject", "reason": ""},
        headers=EN,
    )

    assert response.status_code == 422
    assert "say why the offers are rejected" in response.get_data(as_text=True)


def test_admin_statistics_page_shows_the_acceptance_rate(
    app, login, offer, vera, coesfeld, make_user
):
    contacts.decide_request(contacts.request_contact(coesfeld, offer.id, vera, "Hallo"), True)
    session.commit()
    client = logged_in(
        app, login, make_user(coesfeld, "admin@example.org", "Anna", Role.TENANT_ADMIN)
    )

    page = client.get("/coesfeld/engagement/admin/stats", headers=EN).get_data(as_text=True)

    assert "<dd>100 %</dd>" in page
    assert '<th scope="row">Published</th>' in page
    german = client.get("/coesfeld/engagement/admin/stats", headers={"Accept-Language": "de"})
    assert '<th scope="row">Veröffentlicht</th>' in german.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/admin/review", "/admin/reports", "/admin/organisations", "/admin/stats"]
)
def test_admin_pages_refuse_citizens(app, login, vera, coesfeld, path):
    client = logged_in(app, login, vera)

    assert client.get(f"/coesfeld/engagement{path}").status_code == 403


# ---------------------------------------------------------------------------------
# Tenant isolation: Dülmen's people can neither read nor change Coesfeld's data
# ---------------------------------------------------------------------------------


@pytest.fixture
def duelmen_people(duelmen, make_user, make_volunteer, make_organisation):
    admin = make_user(duelmen, "admin@duelmen.example.org", "Dora Admin", Role.TENANT_ADMIN)
    member = make_user(duelmen, "member@duelmen.example.org", "Doris Member")
    make_organisation(duelmen, "Heimatverein", founder=member)
    volunteer = make_volunteer(duelmen, "vol@duelmen.example.org", plz="48249")
    return {"admin": admin, "member": member, "volunteer": volunteer}


@pytest.mark.parametrize("who", ["admin", "member", "volunteer"])
def test_people_of_another_tenant_cannot_read_its_organisation_pages(
    app, login, duelmen_people, tafel, offer, vera, coesfeld, who
):
    request = contacts.request_contact(coesfeld, offer.id, vera, "Hallo")
    session.commit()
    client = logged_in(app, login, duelmen_people[who])
    base = f"/coesfeld/engagement/organisations/{tafel.id}"

    # At Coesfeld they are nobody (accounts are per tenant): sent to log in there.
    for path in (
        "",
        "/requests",
        f"/requests/{request.id}",
        f"/offers/{offer.id}/edit",
        "/offers/new",
    ):
        assert client.get(base + path).status_code == 302, path
    # At their own tenant, Coesfeld's ids do not exist.
    other = f"/duelmen/engagement/organisations/{tafel.id}"
    for path in ("", "/requests", f"/requests/{request.id}", f"/offers/{offer.id}/edit"):
        assert client.get(other + path).status_code == 404, path
    assert client.get(f"/duelmen/engagement/my-requests/{request.id}").status_code == 404


@pytest.mark.parametrize("who", ["admin", "member", "volunteer"])
def test_people_of_another_tenant_cannot_change_its_data(
    app, login, duelmen_people, tafel, offer, vera, coesfeld, who
):
    request = contacts.request_contact(coesfeld, offer.id, vera, "Hallo")
    session.commit()
    client = logged_in(app, login, duelmen_people[who])
    token = csrf_token(client, "/duelmen/engagement/")
    posts = [
        f"/duelmen/engagement/organisations/{tafel.id}/requests/{request.id}/decision",
        f"/duelmen/engagement/organisations/{tafel.id}/offers/{offer.id}/status",
        f"/duelmen/engagement/my-requests/{request.id}/withdraw",
        f"/coesfeld/engagement/organisations/{tafel.id}/requests/{request.id}/decision",
    ]
    for url in posts:
        response = client.post(
            url, data={"csrf_token": token, "decision": "accept", "action": "pause"}
        )
        assert response.status_code in (302, 404), url
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], url
    assert (request.status, offer.status) == (RequestStatus.REQUESTED, OpportunityStatus.PUBLISHED)


def test_an_admin_of_another_tenant_cannot_use_its_review_queue(
    app, login, duelmen_people, coesfeld, make_organisation, make_offer
):
    offer = make_offer(make_organisation(coesfeld, "Lernpaten", verified=False))
    client = logged_in(app, login, duelmen_people["admin"])

    assert client.get("/coesfeld/engagement/admin/review").status_code == 302
    response = submit(
        client,
        "/duelmen/engagement/admin/review",
        {"offers": [str(offer.id)], "decision": "approve", "reason": ""},
    )
    assert response.status_code == 404
    assert offer.status == OpportunityStatus.IN_REVIEW
