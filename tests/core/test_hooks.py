"""One test per hook of core (and a meta-test that keeps it that way).

The probe plugin implements every hook and records its calls; each test triggers the
hook through the public path a real plugin relies on.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path

import pytest

from core import hookspecs, lifecycle
from core.db import session
from core.errors import PermissionDenied
from core.gazetteer import GeoPoint
from core.services import catalogue, end_subscription, subscribe
from core.testing import TEST_PASSWORD, bearer, submit
from tests.conftest import BUILT_IN
from tests.core.probe_plugin import PingResponder, ProbePlugin

TESTS = Path(__file__).resolve().parent.parent


@pytest.fixture
def probe() -> ProbePlugin:
    return ProbePlugin()


@pytest.fixture
def rathaus_config(probe):
    return {
        "PLUGINS": [*BUILT_IN, "probe", "ping"],
        "PLUGIN_OBJECTS": {"probe": probe, "ping": PingResponder()},
    }


def hook_relay(app):
    return app.extensions["rathaus.plugins"].hook


# ---------------------------------------------------------------------------------
# Setup hooks
# ---------------------------------------------------------------------------------


def test_hook_add_hookspecs(app, probe):
    assert probe.called("add_hookspecs") == [{}]
    assert hook_relay(app).probe_ping(value=21) == [42]


def test_hook_register_services(app, probe):
    manifest = catalogue().get("probe")
    assert manifest.plugin == "probe"
    assert manifest.as_dict() == {
        "key": "probe",
        "title": "Probe",
        "description": "A service for tests.",
        "themenfeld": "Querschnitt",
        "leika_keys": ["99001003000000"],
        "version": "2.1",
        "requires": [],
        "plugin": "probe",
        "settings_schema": None,
    }
    assert probe.called("register_services") == [{"app": app}]


def test_hook_register_blueprints(app, client, tenant, subscribe):
    subscribe(tenant, "probe")
    response = client.get("/coesfeld/probe/")
    assert (response.status_code, response.get_data(as_text=True)) == (
        200,
        "probe page of coesfeld",
    )


def test_hook_register_api(app, client, tenant, tenant_token):
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/tenants/{tenant}/probe/echo" in spec["paths"]
    response = client.post(
        "/api/v1/tenants/coesfeld/probe/echo",
        json={"name": "Ada", "count": 3},
        headers=bearer(tenant_token),
    )
    assert (response.status_code, response.json) == (200, {"name": "Ada", "count": 3})


def test_hook_register_template_dirs(client):
    page = client.get("/impressum").get_data(as_text=True)
    assert "<h1>Impressum des Probe-Betreibers</h1>" in page


def test_hook_register_commands(runner):
    result = runner.invoke("probe", "hello", "Coesfeld")
    assert (result.exit_code, result.output) == (0, "hello Coesfeld\n")


def test_hook_demo_data(app, runner, probe):
    result = runner.invoke("demo", "--no-upgrade")
    assert result.exit_code == 0, result.output
    (call,) = probe.called("demo_data")
    assert call["app"] is app


# ---------------------------------------------------------------------------------
# Tenant lifecycle
# ---------------------------------------------------------------------------------


def test_hook_tenant_onboarded(app, probe):
    tenant = lifecycle.register_tenant("05558012")
    assert [call["tenant"].slug for call in probe.called("tenant_onboarded")] == ["coesfeld"]
    assert tenant.id is not None


def test_hook_export_tenant_data(app, tenant, probe):
    export = lifecycle.export_tenant(tenant)
    assert export["plugins"]["probe"] == {"greeting": "export of coesfeld"}
    assert export["tenant"]["slug"] == "coesfeld"


def test_export_leaves_out_password_hashes_and_token_digests(app, tenant, citizen, tenant_token):
    export = lifecycle.export_tenant(tenant)
    (user,) = export["tables"]["core_user"]
    (token,) = export["tables"]["core_api_token"]
    assert (user["email"], "password_hash" in user, "token_digest" in token) == (
        "citizen@example.org",
        False,
        False,
    )
    assert {"core_user.password_hash", "core_api_token.token_digest"} <= set(export["redacted"])


def test_hook_tenant_offboarding(app, tenant, citizen, probe):
    deleted = lifecycle.purge_tenant(tenant)
    assert [call["tenant"].slug for call in probe.called("tenant_offboarding")] == ["coesfeld"]
    assert deleted == {"core_user": 1, "core_user_role": 1}


def test_tenant_offboarding_failure_deletes_nothing(app, tenant, citizen, probe):
    probe.fail_in.add("tenant_offboarding")
    with pytest.raises(RuntimeError, match="probe fails in tenant_offboarding"):
        lifecycle.purge_tenant(tenant)
    session.rollback()
    assert lifecycle.count_tenant_rows(tenant)["core_user"] == 1


# ---------------------------------------------------------------------------------
# Subscriptions
# ---------------------------------------------------------------------------------


def test_hook_subscription_started(app, tenant, probe):
    sub = subscribe(tenant, "probe", starts_on=dt.date.today() + dt.timedelta(days=3))
    (call,) = probe.called("subscription_started")
    assert call["subscription"] is sub
    assert (sub.tenant.slug, sub.service_key, sub.status) == ("coesfeld", "probe", "scheduled")


def test_hook_subscription_ended(app, tenant, probe):
    subscribe(tenant, "probe")
    last_day = dt.date.today() + dt.timedelta(days=30)
    end_subscription(tenant, "probe", ends_on=last_day, reason="special")
    (call,) = probe.called("subscription_ended")
    assert (call["subscription"].ends_on, call["reason"]) == (last_day, "special")


def test_subscription_hook_failure_writes_nothing(app, tenant, probe):
    probe.fail_in.add("subscription_started")
    with pytest.raises(RuntimeError):
        subscribe(tenant, "probe")
    session.rollback()
    assert lifecycle.count_tenant_rows(tenant)["core_subscription"] == 0


# ---------------------------------------------------------------------------------
# Citizens
# ---------------------------------------------------------------------------------


def test_hook_portal_links(client, tenant, subscribe, probe):
    subscribe(tenant, "probe")
    page = client.get("/coesfeld/").get_data(as_text=True)
    assert '<a href="/coesfeld/probe/">Probe service</a>' in page
    # The engagement link is dropped: Coesfeld does not subscribe to engagement.
    assert "Engagement link" not in page
    assert [call["tenant"].slug for call in probe.called("portal_links")] == ["coesfeld"]


def test_hook_export_personal_data(citizen_client, citizen, probe):
    response = submit(citizen_client, "/coesfeld/account/export", {}, form_url="/coesfeld/account")
    data = json.loads(response.get_data(as_text=True))
    assert data["probe"] == {"favourite": "probe data"}
    assert data["account"]["email"] == "citizen@example.org"
    assert response.headers["Content-Disposition"] == 'attachment; filename="meine-daten.json"'


def test_hook_erase_personal_data(citizen_client, citizen, probe):
    response = submit(
        citizen_client,
        "/coesfeld/account/delete",
        {"password": TEST_PASSWORD},
        form_url="/coesfeld/account",
    )
    assert response.status_code == 302
    assert [call["user"].email for call in probe.called("erase_personal_data")] == [
        "citizen@example.org"
    ]


def test_erase_failure_keeps_the_account(citizen_client, citizen, tenant, probe):
    probe.fail_in.add("erase_personal_data")
    response = submit(
        citizen_client,
        "/coesfeld/account/delete",
        {"password": TEST_PASSWORD},
        form_url="/coesfeld/account",
    )
    assert response.status_code == 500
    assert lifecycle.count_tenant_rows(tenant)["core_user"] == 1


def test_hook_admin_links(app, tenant, make_tenant, login):
    from core import accounts
    from core.models import Role

    admin = accounts.create_user(
        "admin@coesfeld.de", "Admin", TEST_PASSWORD, [Role.TENANT_ADMIN], tenant
    )
    session.commit()
    client = app.test_client()
    assert "Probe settings" not in client.get("/coesfeld/").get_data(as_text=True)
    login(client, admin)
    page = client.get("/coesfeld/").get_data(as_text=True)
    assert '<nav aria-label="Verwaltung" class="sub-nav admin-nav">' in page
    assert '<li><a href="/coesfeld/probe/settings">Probe settings</a></li>' in page


def test_hook_operator_sections(app, operator, login, probe):
    client = app.test_client()
    login(client, operator)
    page = client.get("/operator/").get_data(as_text=True)
    assert '<li><a href="/operator/probe">Probe desk</a></li>' in page
    cards = page.split('<ul class="card-list">')[1]
    assert '<a href="/operator/probe">Probe desk</a>\n        <p>Probes.</p>' in cards


def test_operator_sections_are_not_asked_for_others(citizen_client, probe):
    citizen_client.get("/operator/")
    assert probe.called("operator_sections") == []


def test_admin_links_are_not_shown_to_citizens(citizen_client, probe):
    page = citizen_client.get("/coesfeld/").get_data(as_text=True)
    assert "Probe settings" not in page
    assert probe.called("admin_links") == []


# ---------------------------------------------------------------------------------
# Resolvers
# ---------------------------------------------------------------------------------


def test_hook_geocode(app, probe):
    relay = hook_relay(app)
    assert relay.geocode(query="Rathausplatz 1, Probe") == GeoPoint(
        51.0, 7.0, "Rathausplatz 1", None, None
    )
    # The probe does not know postcodes: core's gazetteer answers as the last resort.
    point = relay.geocode(query="48653")
    assert (point.plz, point.label) == ("48653", "Coesfeld")
    assert [call["query"] for call in probe.called("geocode")] == ["Rathausplatz 1, Probe", "48653"]


# ---------------------------------------------------------------------------------
# The meta-test
# ---------------------------------------------------------------------------------


def _test_function_names() -> set[str]:
    names = set()
    for path in TESTS.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test_hook_"
            ):
                names.add(node.name.removeprefix("test_hook_"))
    return names


def test_every_hook_has_a_test(app):
    """Every hook of core and every hook a plugin publishes has a ``test_hook_<name>``."""
    pm = app.extensions["rathaus.plugins"].pm
    published = {name for name, caller in vars(pm.hook).items() if getattr(caller, "spec", None)}
    declared = {
        name for name in dir(hookspecs) if hasattr(getattr(hookspecs, name), "rathaus_spec")
    }
    assert declared <= published
    # The probe's own test hook is for this file only.
    untested = sorted(published - {"probe_ping"} - _test_function_names())
    assert untested == []


def test_hooks_are_called_with_keyword_arguments_only(app):
    with pytest.raises(TypeError):
        hook_relay(app).portal_links(object())


def test_permission_denied_is_a_rathaus_error():
    assert PermissionDenied("no").status == 403
