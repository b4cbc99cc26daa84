"""Accounts, login, CSRF, rate limits, API tokens and least privilege."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from core import accounts
from core.auth import Principal, can_administer
from core.db import session, utcnow
from core.errors import ConflictError, ValidationError
from core.models import ApiToken, Role
from core.tenancy import cross_tenant, tenant_context
from core.testing import TEST_PASSWORD, bearer, csrf_token, submit
from tests.conftest import BUILT_IN
from tests.core.probe_plugin import ProbePlugin


@pytest.fixture
def rathaus_config():
    return {"PLUGINS": [*BUILT_IN, "probe"], "PLUGIN_OBJECTS": {"probe": ProbePlugin()}}


# --- accounts ------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes(citizen):
    assert citizen.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in citizen.password_hash


def test_short_password_is_refused(tenant):
    with pytest.raises(ValidationError) as err:
        accounts.create_user("a@example.org", "A", "short", [Role.CITIZEN], tenant)
    assert str(err.value) == "password: must have at least 12 characters"


def test_malformed_email_is_refused(tenant):
    with pytest.raises(ValidationError) as err:
        accounts.create_user("not-an-address", "A", TEST_PASSWORD, [Role.CITIZEN], tenant)
    assert str(err.value) == "email: 'not-an-address' is not an e-mail address"


def test_same_email_twice_at_one_tenant_is_a_conflict(citizen, tenant):
    with pytest.raises(ConflictError) as err:
        accounts.create_user("Citizen@Example.org", "B", TEST_PASSWORD, [Role.CITIZEN], tenant)
    assert (
        str(err.value) == "email: citizen@example.org already has an account at tenant 'coesfeld'"
    )


def test_same_email_may_have_accounts_at_two_tenants(citizen, other_tenant):
    other = accounts.create_user(
        "citizen@example.org", "C", TEST_PASSWORD, [Role.CITIZEN], other_tenant
    )
    assert other.tenant_id == other_tenant.id


def test_operators_belong_to_the_platform(tenant):
    with pytest.raises(ValidationError, match="operators belong to the platform, not to a tenant"):
        accounts.create_user("op@example.org", "Op", TEST_PASSWORD, [Role.OPERATOR], tenant)
    with pytest.raises(ValidationError, match="platform accounts are operator accounts"):
        accounts.create_user("op@example.org", "Op", TEST_PASSWORD, [Role.CITIZEN], None)


def test_authenticate(citizen, tenant, other_tenant):
    assert accounts.authenticate("CITIZEN@example.org ", TEST_PASSWORD, tenant).id == citizen.id
    assert accounts.authenticate("citizen@example.org", "wrong password", tenant) is None
    assert accounts.authenticate("citizen@example.org", TEST_PASSWORD, other_tenant) is None
    assert accounts.authenticate("nobody@example.org", TEST_PASSWORD, tenant) is None


def test_inactive_accounts_cannot_log_in(citizen, tenant):
    with tenant_context(tenant):
        citizen.is_active = False
        session.commit()
    assert accounts.authenticate("citizen@example.org", TEST_PASSWORD, tenant) is None


def test_weaker_hashes_are_upgraded_on_login(app, citizen, tenant):
    app.config["ARGON2_TIME_COST"] = 2
    accounts.authenticate("citizen@example.org", TEST_PASSWORD, tenant)
    assert "t=2," in citizen.password_hash


# --- web login ------------------------------------------------------------------


def test_login_and_logout(client, citizen):
    response = submit(
        client, "/coesfeld/login", {"email": "citizen@example.org", "password": TEST_PASSWORD}
    )
    assert (response.status_code, response.headers["Location"]) == (302, "/coesfeld/")
    assert client.get("/coesfeld/account").status_code == 200
    response = submit(client, "/coesfeld/logout", {}, form_url="/coesfeld/account")
    assert response.status_code == 302
    assert (
        client.get("/coesfeld/account").headers["Location"]
        == "/coesfeld/login?next=/coesfeld/account"
    )


def test_wrong_password_says_so_without_telling_which_part(client, citizen):
    response = submit(
        client, "/coesfeld/login", {"email": "citizen@example.org", "password": "not the password"}
    )
    assert response.status_code == 401
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.get_data(as_text=True)


def test_login_redirects_only_to_local_paths(client, citizen):
    response = submit(
        client,
        "/coesfeld/login?next=https://evil.example.com/",
        {"email": "citizen@example.org", "password": TEST_PASSWORD},
    )
    assert response.headers["Location"] == "/coesfeld/"


def test_forms_without_csrf_token_are_refused(client, citizen):
    response = client.post(
        "/coesfeld/login", data={"email": "citizen@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 400
    assert "Das Formular ist abgelaufen" in response.get_data(as_text=True)


def test_login_is_rate_limited_per_account(client, citizen):
    token = csrf_token(client, "/coesfeld/login")
    codes = [
        client.post(
            "/coesfeld/login",
            data={
                "email": "citizen@example.org",
                "password": "wrong-" + str(i),
                "csrf_token": token,
            },
        ).status_code
        for i in range(6)
    ]
    assert codes == [401, 401, 401, 401, 401, 429]
    # Even the right password is refused while the limit holds.
    response = client.post(
        "/coesfeld/login",
        data={"email": "citizen@example.org", "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 429
    assert "Zu viele Versuche" in response.get_data(as_text=True)


def test_login_rate_limit_per_address_covers_many_accounts(client, tenant):
    token = csrf_token(client, "/coesfeld/login")
    codes = [
        client.post(
            "/coesfeld/login",
            data={"email": f"user{i}@example.org", "password": "x" * 12, "csrf_token": token},
        ).status_code
        for i in range(6)
    ]
    assert codes[-1] == 429


def test_an_account_is_anonymous_at_another_tenant(citizen_client, other_tenant):
    response = citizen_client.get("/duelmen/account")
    assert response.headers["Location"] == "/duelmen/login?next=/duelmen/account"


def test_changing_the_password_ends_other_sessions(citizen_client, citizen, tenant):
    accounts.set_password(citizen, "another long password")
    session.commit()
    assert citizen_client.get("/coesfeld/account").status_code == 302


def test_operator_login_at_platform(client, operator, login):
    login(client, operator)
    page = client.get("/").get_data(as_text=True)
    assert "Abmelden" in page


def test_registration_creates_a_citizen_and_logs_in(client, tenant):
    response = submit(
        client,
        "/coesfeld/register",
        {
            "display_name": "Berta Beispiel",
            "email": "berta@example.org",
            "password": TEST_PASSWORD,
            "password_repeat": TEST_PASSWORD,
            "accept_privacy": "y",
        },
    )
    assert response.status_code == 302
    user = accounts.find_user("berta@example.org", tenant)
    assert (user.display_name, user.roles) == ("Berta Beispiel", {Role.CITIZEN})
    assert client.get("/coesfeld/account").status_code == 200


def test_registration_errors_are_shown_per_field(client, tenant):
    response = submit(
        client,
        "/coesfeld/register",
        {
            "display_name": "",
            "email": "berta@example.org",
            "password": "short",
            "password_repeat": "other",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'role="alert"' in page and 'aria-invalid="true"' in page
    assert 'href="#password_repeat"' in page


def test_registration_with_taken_address(client, citizen):
    response = submit(
        client,
        "/coesfeld/register",
        {
            "display_name": "Again",
            "email": "citizen@example.org",
            "password": TEST_PASSWORD,
            "password_repeat": TEST_PASSWORD,
            "accept_privacy": "y",
        },
    )
    assert response.status_code == 422
    assert "Für diese E-Mail-Adresse gibt es hier bereits ein Konto." in response.get_data(
        as_text=True
    )


# --- API tokens --------------------------------------------------------------------


def test_token_is_shown_once_and_stored_as_digest(tenant):
    token, secret = accounts.create_token("integration", tenant)
    assert secret.startswith("rth_") and len(secret) == 47
    with cross_tenant("test inspects the stored token"):
        stored = session.scalar(select(ApiToken).where(ApiToken.id == token.id))
    assert stored.token_digest == accounts.token_digest(secret)
    assert secret not in (stored.token_digest, stored.prefix)
    assert stored.prefix == secret[:12]


def test_token_defaults_to_the_configured_validity(app, tenant):
    token, _ = accounts.create_token("x", tenant)
    assert abs(token.expires_at - (utcnow() + dt.timedelta(days=365))) < dt.timedelta(minutes=1)


def test_revoked_token_is_refused(client, operator_token):
    (token,) = accounts.list_tokens()
    accounts.revoke_token(token.id)
    session.commit()
    response = client.get("/api/v1/me", headers=bearer(operator_token))
    assert (response.status_code, response.json["detail"]) == (
        401,
        "The bearer token is unknown, revoked or expired.",
    )
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_expired_token_is_refused(client, tenant):
    token, secret = accounts.create_token("short-lived", tenant)
    with tenant_context(tenant):
        token.expires_at = utcnow() - dt.timedelta(seconds=1)
        session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_unknown_token_is_refused(client, app):
    assert client.get("/api/v1/me", headers=bearer("rth_made-up")).status_code == 401


def test_session_cookie_does_not_authenticate_the_api(citizen_client):
    assert citizen_client.get("/api/v1/me").status_code == 401


def test_operator_token_identifies_itself(client, operator_token):
    assert client.get("/api/v1/me", headers=bearer(operator_token)).json == {
        "kind": "token",
        "scope": "operator",
        "tenant": None,
        "name": "test operator",
        "user": None,
        "roles": ["operator"],
    }


def test_tenant_token_acts_on_its_tenant_only(client, tenant, other_tenant, tenant_token):
    body = {"name": "Ada", "count": 1}
    own = client.post(
        "/api/v1/tenants/coesfeld/probe/echo", json=body, headers=bearer(tenant_token)
    )
    other = client.post(
        "/api/v1/tenants/duelmen/probe/echo", json=body, headers=bearer(tenant_token)
    )
    assert (own.status_code, other.status_code) == (200, 403)
    assert other.content_type == "application/problem+json"


def test_operator_token_acts_on_every_tenant(client, tenant, other_tenant, operator_token):
    response = client.post(
        "/api/v1/tenants/duelmen/probe/echo",
        json={"name": "Ada", "count": 1},
        headers=bearer(operator_token),
    )
    assert response.status_code == 200


def test_token_last_use_is_recorded(client, tenant, tenant_token):
    client.get("/api/v1/me", headers=bearer(tenant_token))
    (token,) = accounts.list_tokens()
    assert token.last_used_at is not None


# --- who may administer whom ----------------------------------------------------


@pytest.fixture
def kreis_and_gemeinden(make_tenant):
    kreis = make_tenant("kreis-coesfeld", "05558", "Coesfeld")
    opted_in = make_tenant(
        "nottuln", "05558040", "Nottuln", parent=kreis, parent_may_administer=True
    )
    not_opted_in = make_tenant("havixbeck", "05558024", "Havixbeck", parent=kreis)
    elsewhere = make_tenant("muenster", "05515000", "Münster, Stadt")
    return kreis, opted_in, not_opted_in, elsewhere


def test_kreis_admin_administers_opted_in_gemeinden_only(kreis_and_gemeinden):
    kreis, opted_in, not_opted_in, elsewhere = kreis_and_gemeinden
    admin = accounts.create_user(
        "admin@kreis-coesfeld.de", "Admin", TEST_PASSWORD, [Role.TENANT_ADMIN], kreis
    )
    principal = Principal(user=admin)
    assert [can_administer(principal, t) for t in (kreis, opted_in, not_opted_in, elsewhere)] == [
        True,
        True,
        False,
        False,
    ]


def test_gemeinde_admin_does_not_administer_its_kreis(kreis_and_gemeinden):
    kreis, opted_in, _, _ = kreis_and_gemeinden
    admin = accounts.create_user(
        "admin@nottuln.de", "Admin", TEST_PASSWORD, [Role.TENANT_ADMIN], opted_in
    )
    assert can_administer(Principal(user=admin), kreis) is False


def test_kreis_token_does_not_extend_to_gemeinden(kreis_and_gemeinden):
    kreis, opted_in, _, _ = kreis_and_gemeinden
    token, _ = accounts.create_token("kreis", kreis)
    assert can_administer(Principal(token=token), opted_in) is False


def test_citizens_administer_nothing(citizen, tenant):
    assert can_administer(Principal(user=citizen), tenant) is False


# --- personal tokens -----------------------------------------------------------------


def test_personal_token_acts_with_its_accounts_roles(client, tenant, citizen):
    _token, secret = accounts.create_token("my script", user=citizen)
    session.commit()
    me = client.get("/api/v1/me", headers=bearer(secret)).json
    assert me == {
        "kind": "token",
        "scope": "personal",
        "tenant": "coesfeld",
        "name": "my script",
        "user": "citizen@example.org",
        "roles": ["citizen"],
    }
    # A citizen administers nothing, so neither does their token.
    response = client.post(
        "/api/v1/tenants/coesfeld/probe/echo",
        json={"name": "Ada", "count": 1},
        headers=bearer(secret),
    )
    assert response.status_code == 403


def test_personal_token_of_a_tenant_admin_may_administer(client, tenant):
    admin = accounts.create_user(
        "admin@coesfeld.de", "Admin", TEST_PASSWORD, [Role.TENANT_ADMIN], tenant
    )
    _token, secret = accounts.create_token("admin script", user=admin)
    session.commit()
    response = client.post(
        "/api/v1/tenants/coesfeld/probe/echo",
        json={"name": "Ada", "count": 1},
        headers=bearer(secret),
    )
    assert response.status_code == 200


def test_personal_token_of_a_deactivated_account_is_refused(client, tenant, citizen):
    _token, secret = accounts.create_token("my script", user=citizen)
    with tenant_context(tenant):
        citizen.is_active = False
        session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_personal_token_belongs_to_the_accounts_tenant(citizen, other_tenant):
    with pytest.raises(ValidationError) as err:
        accounts.create_token("x", other_tenant, user=citizen)
    assert str(err.value) == "tenant: a personal token belongs to the account's own tenant"


def test_account_page_creates_shows_once_and_revokes_personal_tokens(citizen_client, citizen):
    response = submit(
        citizen_client,
        "/coesfeld/account/tokens",
        {"name": "Kalender-Sync"},
        form_url="/coesfeld/account",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 201
    (secret,) = re.findall(r"<code>(rth_[A-Za-z0-9_-]{43})</code>", page)
    assert "Kopieren Sie ihn jetzt: Er wird nur einmal angezeigt." in page
    again = citizen_client.get("/coesfeld/account").get_data(as_text=True)
    assert secret not in again and f"<code>{secret[:12]}…</code>" in again
    (token,) = accounts.tokens_of(citizen)
    response = submit(
        citizen_client,
        f"/coesfeld/account/tokens/{token.id}/revoke",
        {},
        form_url="/coesfeld/account",
    )
    assert response.status_code == 302
    assert accounts.tokens_of(citizen)[0].revoked_at is not None


def test_nobody_revokes_another_accounts_token(citizen_client, tenant):
    other = accounts.create_user(
        "other@example.org", "Other", TEST_PASSWORD, [Role.CITIZEN], tenant
    )
    token, _secret = accounts.create_token("theirs", user=other)
    session.commit()
    response = submit(
        citizen_client,
        f"/coesfeld/account/tokens/{token.id}/revoke",
        {},
        form_url="/coesfeld/account",
    )
    assert response.status_code == 404
    assert accounts.tokens_of(other)[0].revoked_at is None


def test_personal_token_from_the_command_line(runner, citizen):
    import json

    result = runner.invoke(
        "tokens",
        "create",
        "--name",
        "import",
        "--tenant",
        "coesfeld",
        "--user",
        "citizen@example.org",
        "--json",
    )
    data = json.loads(result.output)
    assert (data["scope"], data["user"], data["tenant"]) == (
        "personal",
        "citizen@example.org",
        "coesfeld",
    )


def test_personal_token_for_an_unknown_account(runner, tenant):
    result = runner.invoke(
        "tokens", "create", "--name", "x", "--tenant", "coesfeld", "--user", "nobody@example.org"
    )
    assert (result.exit_code, result.output) == (
        2,
        "Error: user: no account nobody@example.org at tenant 'coesfeld'\n",
    )
