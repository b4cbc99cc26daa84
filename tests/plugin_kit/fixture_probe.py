# ruff: noqa: I001 - imports sorted as in a plugin project, where core is third-party
"""Every fixture Rathaus ships to plugin authors, used from a separately installed plugin.

Not collected by Rathaus's own suite: ``tests/plugin_kit/test_scaffold_e2e.py`` copies
it into a freshly generated plugin project (as ``tests/test_rathaus_fixtures.py``) and
runs that project's test command, so each fixture is proven to work outside this
repository, through the ``pytest11`` entry point alone.
"""

from __future__ import annotations

import json

import pytest
from core.services import catalogue, is_subscribed
from core.testing import TEST_PASSWORD, bearer, csrf_token, migration_differences, submit


def test_app_loads_the_chosen_plugins_only(app):
    assert app.config["PLUGINS"] == ["musterdienst"]
    assert app.extensions["rathaus.plugins"].loaded() == ["musterdienst"]
    assert [manifest.key for manifest in catalogue()] == ["musterdienst"]


@pytest.mark.parametrize("rathaus_config", [{"BASE_URL": "https://rathaus.example.de"}])
def test_rathaus_config_adds_settings_per_test(app):
    assert app.config["BASE_URL"] == "https://rathaus.example.de"


def test_client_reaches_core_pages(client):
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}


def test_runner_runs_rathaus_commands(runner):
    result = runner.invoke("services", "list", "--json")
    assert result.exit_code == 0
    assert [service["key"] for service in json.loads(result.output)] == ["musterdienst"]


def test_db_session_is_the_contexts_session(db_session, tenant):
    from core.models import Tenant
    from sqlalchemy import select

    assert db_session.scalar(select(Tenant.slug)) == "coesfeld"


def test_make_tenant_creates_active_tenants(make_tenant):
    kreis = make_tenant("kreis-coesfeld", "05558", "Coesfeld, Kreis")
    gemeinde = make_tenant("nottuln", "05558036", "Nottuln", parent=kreis)
    assert (gemeinde.kind.value, gemeinde.parent_id) == ("gemeinde", kreis.id)
    assert gemeinde.status.value == "active"


def test_tenant_and_other_tenant(tenant, other_tenant):
    assert (tenant.slug, tenant.ags, other_tenant.slug, other_tenant.ags) == (
        "coesfeld",
        "05558012",
        "duelmen",
        "05558016",
    )


def test_subscribe_connects_a_tenant(tenant, subscribe):
    subscription = subscribe(tenant, "musterdienst")
    assert (subscription.service_key, subscription.status) == ("musterdienst", "active")


def test_subscribed_tenant_subscribes_to_every_service_by_default(subscribed_tenant):
    assert is_subscribed(subscribed_tenant, "musterdienst")


@pytest.mark.service("musterdienst")
def test_subscribed_tenant_takes_services_from_the_marker(subscribed_tenant, other_tenant):
    assert is_subscribed(subscribed_tenant, "musterdienst")
    assert not is_subscribed(other_tenant, "musterdienst")


def test_operator_logs_in_on_the_platform(client, operator, login):
    assert login(client, operator).headers["Location"] == "/operator/"


def test_operator_token(client, operator_token):
    me = client.get("/api/v1/me", headers=bearer(operator_token)).json
    assert (me["scope"], me["tenant"]) == ("operator", None)


def test_tenant_token(client, tenant_token):
    me = client.get("/api/v1/me", headers=bearer(tenant_token)).json
    assert (me["scope"], me["tenant"]) == ("tenant", "coesfeld")


def test_make_token_for_another_tenant(client, other_tenant, make_token):
    me = client.get("/api/v1/me", headers=bearer(make_token(other_tenant, name="Dülmen"))).json
    assert (me["tenant"], me["name"]) == ("duelmen", "Dülmen")


def test_tenant_admin_client_is_logged_in(tenant_admin_client):
    page = tenant_admin_client.get("/coesfeld/account").get_data(as_text=True)
    assert "<dd>Anna Admin</dd>" in page


def test_citizen_client_is_logged_in(citizen_client):
    page = citizen_client.get("/coesfeld/account").get_data(as_text=True)
    assert "<dd>Clara Citizen</dd>" in page


def test_login_and_submit_post_forms_with_csrf(client, citizen, login):
    login(client, citizen, TEST_PASSWORD)
    assert csrf_token(client, "/coesfeld/account")
    response = submit(client, "/coesfeld/account/export", {}, form_url="/coesfeld/account")
    assert json.loads(response.get_data(as_text=True))["account"]["email"] == "citizen@example.org"


def test_migration_differences_is_empty_for_a_migrated_plugin(app):
    assert migration_differences(app, "musterdienst") == {}
