"""rathaus tenants invite-admin and the invitation page: one-time, expiring, hashed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import socket

import pytest
from sqlalchemy import select

from core import accounts
from core.db import session
from core.models import OutboxMessage, OutboxStatus, Role, Tenant, TenantStatus
from core.tenancy import cross_tenant, tenant_context
from core.testing import TEST_PASSWORD, csrf_token
from plugins.tenants.models import TenantsInvitation
from tests.tenants.conftest import invoke_json

NEW_PASSWORD = "ein sehr langes Passwort"


def invite(runner, slug="coesfeld", email="it@coesfeld.example", *extra):
    return invoke_json(runner, "tenants", "invite-admin", slug, email, *extra)


def path_of(link: str) -> str:
    return link.removeprefix("http://localhost")


def accept(client, link, **data):
    path = path_of(link)
    form = {
        "display_name": "Ina Admin",
        "password": NEW_PASSWORD,
        "password_repeat": NEW_PASSWORD,
        **data,
    }
    return client.post(path, data={**form, "csrf_token": csrf_token(client, path)})


def test_invite_admin_prints_a_one_time_link(runner, tenant):
    result = runner.invoke("tenants", "invite-admin", "coesfeld", "IT@Coesfeld.example")

    assert result.exit_code == 0
    assert re.fullmatch(r"http://localhost/admin/invitation/[A-Za-z0-9_-]{43}\n", result.stdout)
    assert result.stderr.startswith(
        "Invitation for it@coesfeld.example to administer coesfeld, valid until "
    )
    assert result.stderr.endswith("UTC, single use (not mailed).\n")


def test_invite_admin_json_names_expiry_and_mail(runner, tenant):
    data = invite(runner, "coesfeld", "it@coesfeld.example", "--days", "3")

    expires = dt.datetime.fromisoformat(data["expires_at"])
    assert abs(expires - (dt.datetime.now(dt.UTC) + dt.timedelta(days=3))) < dt.timedelta(minutes=1)
    assert (data["tenant"], data["email"], data["mail_queued"], data["mail"]) == (
        "coesfeld",
        "it@coesfeld.example",
        False,
        None,
    )


def test_only_a_hash_of_the_link_is_stored(runner, tenant):
    secret = invite(runner)["link"].rsplit("/", 1)[1]

    with tenant_context(tenant):
        stored = session.scalar(select(TenantsInvitation))
    assert stored.token_digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps(
        {c.name: str(getattr(stored, c.key)) for c in TenantsInvitation.__table__.c}
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["coesfeld", "nobody"], "Error: email: 'nobody' is not an e-mail address\n"),
        (
            ["coesfeld", "it@coesfeld.example", "--days", "0"],
            "Error: days: must be between 1 and 90 days, not 0\n",
        ),
        (["atlantis", "it@coesfeld.example"], "Error: tenant: no tenant with slug 'atlantis'\n"),
    ],
)
def test_invite_admin_refuses_bad_input(runner, tenant, args, message):
    result = runner.invoke("tenants", "invite-admin", *args)

    assert (result.exit_code, result.stderr) == (2, message)


def test_invite_admin_refuses_an_existing_admin(runner, tenant, make_admin):
    make_admin(tenant, "it@coesfeld.example")

    result = runner.invoke("tenants", "invite-admin", "coesfeld", "it@coesfeld.example")

    assert (result.exit_code, result.stderr) == (
        2,
        "Error: email: it@coesfeld.example is already an admin of 'coesfeld'\n",
    )


def test_invite_admin_refuses_an_offboarded_tenant(runner, make_tenant):
    make_tenant("coesfeld", "05558012", "Coesfeld, Stadt", status=TenantStatus.OFFBOARDED)

    result = runner.invoke("tenants", "invite-admin", "coesfeld", "it@coesfeld.example")

    assert (result.exit_code, result.stderr) == (
        2,
        "Error: tenant: tenant 'coesfeld' is offboarded\n",
    )


def test_accepting_creates_a_tenant_admin_and_logs_in(runner, client, tenant):
    link = invite(runner)["link"]

    response = accept(client, link)

    assert (response.status_code, response.headers["Location"]) == (302, "/coesfeld/admin/")
    user = accounts.find_user("it@coesfeld.example", tenant)
    assert (user.display_name, user.roles) == ("Ina Admin", {Role.TENANT_ADMIN})
    assert client.get("/coesfeld/admin/").status_code == 200


def test_the_invitation_page_names_tenant_and_address(runner, client, tenant):
    link = invite(runner)["link"]

    page = client.get(path_of(link), headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert "<h1>Administer Coesfeld, Stadt</h1>" in page
    assert "Your login is it@coesfeld.example; choose your password." in page


def test_a_link_works_only_once(runner, client, tenant):
    link = invite(runner)["link"]
    accept(client, link)

    response = client.get(path_of(link), headers={"Accept-Language": "en"})

    assert response.status_code == 410
    assert "It has already been accepted. Please log in instead." in response.get_data(as_text=True)


def test_an_expired_link_cannot_be_used(runner, client, tenant):
    link = invite(runner)["link"]
    with tenant_context(tenant):
        session.scalar(select(TenantsInvitation)).expires_at = dt.datetime.now(
            dt.UTC
        ) - dt.timedelta(seconds=1)
        session.commit()

    response = client.get(path_of(link), headers={"Accept-Language": "en"})

    assert (response.status_code, "It has expired." in response.get_data(as_text=True)) == (
        410,
        True,
    )


def test_a_new_invitation_revokes_the_older_one(runner, client, tenant):
    old = invite(runner)["link"]
    invite(runner)

    response = client.get(path_of(old), headers={"Accept-Language": "en"})

    assert (
        response.status_code,
        "It has been replaced by a newer invitation." in response.get_data(as_text=True),
    ) == (
        410,
        True,
    )


def test_an_unknown_link_is_not_found(client):
    assert client.get("/admin/invitation/no-such-secret").status_code == 404


def test_accepting_needs_the_csrf_token(runner, client, tenant):
    link = invite(runner)["link"]

    response = client.post(
        path_of(link),
        data={"display_name": "X", "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
    )

    assert response.status_code == 400
    assert accounts.find_user("it@coesfeld.example", tenant) is None


def test_accepting_refuses_a_short_password(runner, client, tenant):
    link = invite(runner)["link"]

    response = accept(client, link, password="kurz", password_repeat="kurz")

    assert response.status_code == 422
    assert accounts.find_user("it@coesfeld.example", tenant) is None


def test_accepting_refuses_differing_passwords(runner, client, tenant):
    link = invite(runner)["link"]

    response = accept(client, link, password_repeat=NEW_PASSWORD + "!")

    assert response.status_code == 422
    assert accounts.find_user("it@coesfeld.example", tenant) is None


def test_an_existing_account_confirms_with_its_password_and_becomes_admin(
    runner, client, tenant, citizen
):
    link = invite(runner, "coesfeld", "citizen@example.org")

    wrong = client.post(
        path_of(link["link"]),
        data={
            "password": "falsch falsch falsch",
            "csrf_token": csrf_token(client, path_of(link["link"])),
        },
    )
    right = client.post(
        path_of(link["link"]),
        data={"password": TEST_PASSWORD, "csrf_token": csrf_token(client, path_of(link["link"]))},
    )

    assert (wrong.status_code, right.status_code) == (422, 302)
    session.expire_all()
    assert accounts.find_user("citizen@example.org", tenant).roles == {
        Role.CITIZEN,
        Role.TENANT_ADMIN,
    }


def test_an_invitation_to_a_requested_tenant_creates_the_account_without_login(
    runner, client, make_tenant
):
    make_tenant("coesfeld", "05558012", "Coesfeld, Stadt", status=TenantStatus.REQUESTED)
    link = invite(runner)["link"]

    client.set_cookie("lang", "en")

    response = accept(client, link)

    assert (response.status_code, "Your account is ready" in response.get_data(as_text=True)) == (
        200,
        True,
    )
    tenant = session.scalar(select(Tenant).where(Tenant.slug == "coesfeld"))
    assert accounts.find_user("it@coesfeld.example", tenant).roles == {Role.TENANT_ADMIN}


def test_accepting_is_audited(runner, client, tenant):
    link = invite(runner)["link"]
    accept(client, link)

    rows = invoke_json(runner, "tenants", "audit", "coesfeld")
    assert [(r["action"], r["actor"].split(":")[0]) for r in rows] == [
        ("tenant.admin_joined", "user"),
        ("tenant.admin_invited", "cli"),
    ]


# ---------------------------------------------------------------------------------
# Mail
# ---------------------------------------------------------------------------------


@pytest.fixture
def smtp_server():
    """A local SMTP server that keeps what it receives."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


@pytest.fixture
def mail_app_config(smtp_server):
    port, _received = smtp_server
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port}


@pytest.fixture
def rathaus_config(rathaus_config, request):
    """Mail configured for the tests that ask for ``mail_app_config``."""
    if "mail_app_config" in request.fixturenames:
        return {**rathaus_config, **request.getfixturevalue("mail_app_config")}
    return rathaus_config


def test_invite_admin_mails_the_link_when_mail_is_configured(
    runner, tenant, smtp_server, mail_app_config
):
    _port, received = smtp_server

    data = invite(runner)

    assert (data["mail_queued"], data["mail"]) == (True, {"sent": 1, "failed": 0, "deferred": 0})
    assert received[0]["To"] == "it@coesfeld.example"
    assert data["link"] in received[0].get_payload(decode=True).decode("utf-8")


def test_the_outbox_keeps_no_usable_link_after_sending(
    runner, tenant, smtp_server, mail_app_config
):
    link = invite(runner)["link"]

    with cross_tenant("test reads the outbox"):
        message = session.scalar(select(OutboxMessage))
    assert (
        message.status,
        link in message.body_text,
        "[link removed after sending]" in message.body_text,
    ) == (
        OutboxStatus.SENT,
        False,
        True,
    )
