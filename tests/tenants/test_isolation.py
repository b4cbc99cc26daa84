"""Tenant isolation: one tenant's admins, tokens and links never reach another tenant's data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core import accounts
from core.db import session
from core.models import Tenant
from core.testing import TEST_PASSWORD, csrf_token
from tests.tenants.conftest import invoke_json

ADMIN_PAGES = [
    "/duelmen/admin/",
    "/duelmen/admin/settings",
    "/duelmen/admin/services",
    "/duelmen/admin/audit",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_an_admin_of_one_tenant_cannot_open_another_tenants_admin_pages(
    admin_client, tenant, other_tenant, path
):
    response = admin_client(tenant).get(path)

    assert (response.status_code, response.headers["Location"].split("?")[0]) == (
        302,
        "/duelmen/login",
    )


def test_an_admin_of_one_tenant_cannot_change_another_tenants_settings(
    admin_client, tenant, other_tenant
):
    client = admin_client(tenant)
    token = csrf_token(client, "/coesfeld/admin/settings")

    response = client.post(
        "/duelmen/admin/settings", data={"display_name": "Gekapert", "csrf_token": token}
    )

    assert response.status_code == 302
    session.expire_all()
    assert session.get(Tenant, other_tenant.id).display_name is None


def test_an_admin_of_one_tenant_cannot_administer_it_through_a_managed_path(
    admin_client, tenant, other_tenant
):
    other_tenant.parent_may_administer = True
    session.commit()

    assert (
        admin_client(tenant).get("/coesfeld/admin/municipalities/duelmen/settings").status_code
        == 404
    )


def test_a_login_of_one_tenant_does_not_log_in_at_another(
    app, login, make_admin, tenant, other_tenant
):
    client = app.test_client()
    login(client, make_admin(tenant, "it@coesfeld.example"))

    response = client.post(
        "/duelmen/login",
        data={
            "email": "it@coesfeld.example",
            "password": TEST_PASSWORD,
            "csrf_token": csrf_token(client, "/duelmen/login"),
        },
    )

    assert response.status_code == 401


def test_an_invitation_makes_an_admin_of_its_own_tenant_only(runner, client, tenant, other_tenant):
    link = invoke_json(runner, "tenants", "invite-admin", "coesfeld", "it@example.org")["link"]
    path = link.removeprefix("http://localhost")
    client.post(
        path,
        data={
            "display_name": "Ina",
            "password": "ein sehr langes Passwort",
            "password_repeat": "ein sehr langes Passwort",
            "csrf_token": csrf_token(client, path),
        },
    )

    assert (
        accounts.find_user("it@example.org", tenant) is not None,
        accounts.find_user("it@example.org", other_tenant),
    ) == (True, None)
    assert client.get("/duelmen/admin/").status_code == 302


def test_the_audit_page_shows_only_the_tenants_own_entries(
    admin_client, runner, tenant, other_tenant
):
    invoke_json(runner, "tenants", "suspend", "duelmen", "--reason", "Geheimer Grund")

    page = admin_client(tenant).get("/coesfeld/admin/audit").get_data(as_text=True)

    assert "Geheimer Grund" not in page


def test_the_services_page_shows_only_the_tenants_own_subscriptions(
    admin_client, tenant, other_tenant, subscribe
):
    subscribe(other_tenant, "tk_register")

    page = (
        admin_client(tenant)
        .get("/coesfeld/admin/services", headers={"Accept-Language": "en"})
        .get_data(as_text=True)
    )

    assert "Melderegister" not in page


def test_offboarding_one_tenant_keeps_the_other_tenants_accounts(
    runner, make_admin, tenant, other_tenant, tmp_path_factory
):
    make_admin(tenant, "it@coesfeld.example")
    make_admin(other_tenant, "it@duelmen.example")
    folder = tmp_path_factory.mktemp("exports")

    runner.invoke(
        "tenants",
        "offboard",
        "coesfeld",
        "--export",
        str(folder / "c.json"),
        "--reason",
        "x",
        "--yes",
    )

    assert (
        accounts.find_user("it@coesfeld.example", tenant),
        accounts.find_user("it@duelmen.example", other_tenant) is not None,
    ) == (None, True)
    assert session.scalar(select(Tenant.status).where(Tenant.slug == "duelmen")).value == "active"
