"""The tenant admin's pages: settings, services, audit log; Kreis admins for opted-in Gemeinden."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import select

from core.db import session
from core.models import AuditEntry, Tenant, User
from core.tenancy import tenant_context
from core.testing import csrf_token

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64
EN = {"Accept-Language": "en"}

SETTINGS = {
    "display_name": "Stadt Coesfeld",
    "contact_email": "Buergerbuero@Coesfeld.example",
    "brand_colour": "#004B87",
    "invoice_recipient": "Stadt Coesfeld, Kämmerei",
    "address_street": "Markt 8",
    "address_postcode": "48653",
    "address_city": "Coesfeld",
    "leitweg_id": "05558012-71",
    "invoice_email": "rechnung@coesfeld.example",
}


def post_settings(client, url, **changes):
    data = {**SETTINGS, **changes, "csrf_token": csrf_token(client, url)}
    return client.post(url, data=data, content_type="multipart/form-data", headers=EN)


def reload(tenant):
    session.expire_all()
    return session.get(Tenant, tenant.id)


def test_settings_page_shows_the_current_master_data(admin_client, tenant):
    page = admin_client(tenant).get("/coesfeld/admin/settings", headers=EN).get_data(as_text=True)

    assert "<h1>Settings of Coesfeld, Stadt</h1>" in page
    assert 'value="info@coesfeld.invalid"' in page


def test_optional_settings_fields_are_not_marked_required(admin_client, tenant):
    page = admin_client(tenant).get("/coesfeld/admin/settings").get_data(as_text=True)

    field = re.search(r"<input [^>]*id=\"display_name\"[^>]*>", page).group(0)
    assert field == (
        '<input aria-describedby="display_name-hint" autocomplete="organization" '
        'id="display_name" maxlength="200" name="display_name" type="text" value="">'
    )


def test_saving_settings_updates_the_tenant(admin_client, tenant):
    response = post_settings(admin_client(tenant), "/coesfeld/admin/settings")

    assert (response.status_code, response.headers["Location"]) == (302, "/coesfeld/admin/settings")
    saved = reload(tenant)
    assert (
        saved.display_name,
        saved.contact_email,
        saved.brand_colour,
        saved.leitweg_id,
        saved.address_postcode,
    ) == (
        "Stadt Coesfeld",
        "buergerbuero@coesfeld.example",
        "#004b87",
        "05558012-71",
        "48653",
    )


def test_saving_settings_is_audited_with_old_and_new_values(admin_client, tenant):
    post_settings(admin_client(tenant), "/coesfeld/admin/settings")

    with tenant_context(tenant):
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "tenant.updated"))
    with tenant_context(tenant):
        admin = session.scalar(select(User).where(User.email == "admin@coesfeld.example.org"))
    # People are named by pseudonym, never by e-mail.
    assert (entry.actor, entry.details["changes"]["leitweg_id"]) == (
        f"user:{admin.id}:{admin.pseudonym}",
        [None, "05558012-71"],
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "leitweg_id",
            "05558012-72",
            "Please enter a valid Leitweg-ID, e.g. 04011000-1234512345-06, and check its check "
            "digits.",
        ),
        (
            "brand_colour",
            "#ffcc00",
            "Please enter a colour as #rrggbb that is dark enough for white text (contrast at "
            "least 4.5:1).",
        ),
        (
            "brand_colour",
            "blue",
            "Please enter a colour as #rrggbb that is dark enough for white text (contrast at "
            "least 4.5:1).",
        ),
        ("address_postcode", "4865", "Please enter a postcode of 5 digits."),
        ("contact_email", "nobody", "Please enter a valid e-mail address."),
    ],
)
def test_bad_settings_are_refused_with_a_message_and_nothing_changes(
    admin_client, tenant, field, value, message
):
    response = post_settings(admin_client(tenant), "/coesfeld/admin/settings", **{field: value})

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert reload(tenant).display_name is None


def test_settings_messages_are_german_by_default(admin_client, tenant):
    client = admin_client(tenant)
    url = "/coesfeld/admin/settings"
    data = {**SETTINGS, "address_postcode": "4865", "csrf_token": csrf_token(client, url)}

    page = client.post(url, data=data, content_type="multipart/form-data").get_data(as_text=True)

    assert "Bitte geben Sie eine Postleitzahl mit 5 Ziffern ein." in page
    assert "<h1>Einstellungen von Coesfeld, Stadt</h1>" in page


def test_a_png_logo_is_stored_and_served(admin_client, client, tenant):
    post_settings(
        admin_client(tenant), "/coesfeld/admin/settings", logo=(io.BytesIO(PNG), "logo.png")
    )

    response = client.get("/coesfeld/logo")
    assert (response.status_code, response.mimetype, response.data) == (200, "image/png", PNG)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (GIF, "logo.gif"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.png"),
        (PNG + b"\x00" * 600_000, "big.png"),
    ],
)
def test_a_logo_that_is_not_png_or_jpeg_or_too_large_is_refused(
    admin_client, tenant, content, name
):
    response = post_settings(
        admin_client(tenant), "/coesfeld/admin/settings", logo=(io.BytesIO(content), name)
    )

    assert response.status_code == 422
    assert "Please upload a PNG or JPEG image of at most 512 KB." in response.get_data(as_text=True)
    assert reload(tenant).logo is None


def test_the_logo_can_be_removed(admin_client, tenant):
    client = admin_client(tenant)
    post_settings(client, "/coesfeld/admin/settings", logo=(io.BytesIO(PNG), "logo.png"))

    post_settings(client, "/coesfeld/admin/settings", remove_logo="y")

    assert (reload(tenant).logo, reload(tenant).logo_mime) == (None, None)


def test_the_portal_uses_the_saved_colour(admin_client, client, tenant):
    post_settings(admin_client(tenant), "/coesfeld/admin/settings")

    assert (
        client.get("/coesfeld/theme.css").get_data(as_text=True) == ":root { --brand: #004b87; }\n"
    )


def test_services_page_lists_the_subscriptions(admin_client, tenant, subscribe):
    subscribe(tenant, "tk_register", contract_ref="EA-2024-017")

    page = admin_client(tenant).get("/coesfeld/admin/services", headers=EN).get_data(as_text=True)

    assert (
        "<td>Melderegister</td>" in page
        and "<td>EA-2024-017</td>" in page
        and "<td>Active</td>" in page
    )


def test_audit_page_lists_who_changed_what_and_why(admin_client, tenant):
    client = admin_client(tenant)
    post_settings(client, "/coesfeld/admin/settings")

    page = client.get("/coesfeld/admin/audit", headers=EN).get_data(as_text=True)

    with tenant_context(tenant):
        admin = session.scalar(select(User).where(User.email == "admin@coesfeld.example.org"))
    # The log stores a pseudonym, never the e-mail address (erasure leaves nothing
    # behind); the page names the account that acted while it exists.
    with tenant_context(tenant):
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.actor == f"user:{admin.id}:{admin.pseudonym}"
    assert "<td>Settings changed</td>" in page
    assert "<td>admin@coesfeld.example.org</td>" in page


def test_admin_pages_send_anonymous_visitors_to_the_login(client, tenant):
    response = client.get("/coesfeld/admin/settings")

    assert (response.status_code, response.headers["Location"]) == (
        302,
        "/coesfeld/login?next=/coesfeld/admin/settings",
    )


def test_admin_pages_are_forbidden_to_citizens(citizen_client, tenant):
    assert citizen_client.get("/coesfeld/admin/settings").status_code == 403


def test_the_operator_may_use_every_tenants_admin_pages(app, login, operator, tenant):
    client = app.test_client()
    login(client, operator)

    assert client.get("/coesfeld/admin/settings").status_code == 200


def test_admin_pages_of_a_requested_tenant_do_not_exist(client, make_tenant):
    from core.models import TenantStatus

    make_tenant("coesfeld", "05558012", "Coesfeld, Stadt", status=TenantStatus.REQUESTED)

    assert client.get("/coesfeld/admin/").status_code == 404


# ---------------------------------------------------------------------------------
# Delegated administration: a Kreis and its Gemeinden
# ---------------------------------------------------------------------------------


def opt_in(gemeinde):
    gemeinde.parent_may_administer = True
    session.commit()


def test_a_kreis_admin_sees_its_gemeinden_and_which_opted_in(
    admin_client, kreis, gemeinde, make_tenant
):
    make_tenant("duelmen", "05558016", "Dülmen, Stadt", parent=kreis)
    opt_in(gemeinde)

    page = (
        admin_client(kreis)
        .get("/kreis-coesfeld/admin/municipalities", headers=EN)
        .get_data(as_text=True)
    )

    assert (
        '<a href="/kreis-coesfeld/admin/municipalities/havixbeck/">Administer Havixbeck</a>' in page
    )
    assert "<td>Dülmen, Stadt</td>" in page and "not allowed" in page


def test_a_kreis_admin_administers_a_gemeinde_that_opted_in(admin_client, kreis, gemeinde):
    opt_in(gemeinde)
    client = admin_client(kreis)

    response = post_settings(
        client,
        "/kreis-coesfeld/admin/municipalities/havixbeck/settings",
        leitweg_id="05558020-47",
        display_name="Gemeinde Havixbeck",
    )

    assert response.status_code == 302
    assert (reload(gemeinde).leitweg_id, reload(gemeinde).display_name) == (
        "05558020-47",
        "Gemeinde Havixbeck",
    )
    assert reload(kreis).leitweg_id is None


def test_a_kreis_admin_may_not_administer_a_gemeinde_that_did_not_opt_in(
    admin_client, kreis, gemeinde
):
    client = admin_client(kreis)

    assert client.get("/kreis-coesfeld/admin/municipalities/havixbeck/settings").status_code == 403
    assert (
        post_settings(client, "/kreis-coesfeld/admin/municipalities/havixbeck/settings").status_code
        == 403
    )


def test_a_kreis_admin_may_not_administer_a_gemeinde_of_another_kreis(
    admin_client, kreis, make_tenant
):
    other_kreis = make_tenant("kreis-borken", "05554", "Borken")
    make_tenant(
        "gescher", "05554020", "Gescher, Stadt", parent=other_kreis, parent_may_administer=True
    )

    assert (
        admin_client(kreis).get("/kreis-coesfeld/admin/municipalities/gescher/").status_code == 404
    )


def test_a_kreis_admin_is_not_logged_in_at_the_gemeinde_itself(admin_client, kreis, gemeinde):
    opt_in(gemeinde)

    response = admin_client(kreis).get("/havixbeck/admin/")

    assert (response.status_code, response.headers["Location"]) == (
        302,
        "/havixbeck/login?next=/havixbeck/admin/",
    )


def test_only_the_gemeinde_itself_decides_the_opt_in(admin_client, kreis, gemeinde):
    opt_in(gemeinde)
    kreis_client = admin_client(kreis)

    page = kreis_client.get(
        "/kreis-coesfeld/admin/municipalities/havixbeck/settings", headers=EN
    ).get_data(as_text=True)
    post_settings(kreis_client, "/kreis-coesfeld/admin/municipalities/havixbeck/settings")

    assert 'name="parent_may_administer"' not in page
    assert reload(gemeinde).parent_may_administer is True


def test_a_gemeinde_admin_opts_in_on_its_settings_page(admin_client, gemeinde):
    client = admin_client(gemeinde)

    post_settings(client, "/havixbeck/admin/settings", parent_may_administer="y")

    assert reload(gemeinde).parent_may_administer is True


def test_a_gemeinde_admin_cannot_reach_the_kreis_pages(admin_client, kreis, gemeinde):
    response = admin_client(gemeinde).get("/kreis-coesfeld/admin/municipalities")

    assert response.status_code == 302


def test_municipalities_page_exists_only_for_a_kreis(admin_client, tenant):
    assert admin_client(tenant).get("/coesfeld/admin/municipalities").status_code == 404


def test_the_kreis_admin_reads_an_opted_in_gemeindes_audit_log(
    admin_client, kreis, gemeinde, subscribe
):
    opt_in(gemeinde)
    subscribe(gemeinde, "tk_register")
    client = admin_client(kreis)

    services = client.get("/kreis-coesfeld/admin/municipalities/havixbeck/services", headers=EN)
    audit = client.get("/kreis-coesfeld/admin/municipalities/havixbeck/audit", headers=EN)

    assert (services.status_code, "<td>Melderegister</td>" in services.get_data(as_text=True)) == (
        200,
        True,
    )
    assert (
        audit.status_code,
        "You administer Havixbeck on behalf of Coesfeld." in audit.get_data(as_text=True),
    ) == (200, True)


def test_the_403_for_a_gemeinde_that_did_not_opt_in_says_why(admin_client, kreis, gemeinde):
    page = (
        admin_client(kreis)
        .get("/kreis-coesfeld/admin/municipalities/havixbeck/", headers={"Accept-Language": "de"})
        .get_data(as_text=True)
    )

    assert f"{gemeinde.title} hat dem Kreis die Verwaltung nicht erlaubt." in html.unescape(page)


def test_the_start_page_links_to_contracts_and_invoices(admin_client, tenant):
    page = admin_client(tenant).get("/coesfeld/admin/", headers={"Accept-Language": "de"})

    assert '<a href="/coesfeld/billing/">Verträge und Rechnungen</a>' in page.get_data(as_text=True)
