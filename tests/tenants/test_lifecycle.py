"""rathaus tenants list|show|activate|suspend|resume|audit: allowed transitions only, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import session
from core.models import AuditEntry, TenantStatus
from core.tenancy import tenant_context
from tests.tenants.conftest import invoke_json

REQUESTED, ACTIVE, SUSPENDED, OFFBOARDED = "requested", "active", "suspended", "offboarded"


@pytest.fixture
def coesfeld(make_tenant, request):
    """Stadt Coesfeld in the status given by the test's parameter."""
    return make_tenant(
        "coesfeld", "05558012", "Coesfeld, Stadt", status=TenantStatus(request.param)
    )


@pytest.mark.parametrize(
    ("coesfeld", "action", "reason", "expected"),
    [
        (REQUESTED, "activate", None, ACTIVE),
        (ACTIVE, "suspend", "Zahlungsverzug", SUSPENDED),
        (SUSPENDED, "resume", None, ACTIVE),
    ],
    indirect=["coesfeld"],
)
def test_allowed_transitions_change_the_status(runner, coesfeld, action, reason, expected):
    args = ["--reason", reason] if reason else []

    data = invoke_json(runner, "tenants", action, "coesfeld", *args)

    # activate takes several tenants and answers with a list
    assert (data[0] if action == "activate" else data)["status"] == expected


@pytest.mark.parametrize(
    ("coesfeld", "action", "message"),
    [
        (
            ACTIVE,
            "activate",
            "tenant 'coesfeld' is active; activate applies only to requested tenants",
        ),
        (
            SUSPENDED,
            "activate",
            "tenant 'coesfeld' is suspended; activate applies only to requested tenants",
        ),
        (
            OFFBOARDED,
            "activate",
            "tenant 'coesfeld' is offboarded; activate applies only to requested tenants",
        ),
        (
            REQUESTED,
            "suspend",
            "tenant 'coesfeld' is requested; suspend applies only to active tenants",
        ),
        (
            SUSPENDED,
            "suspend",
            "tenant 'coesfeld' is suspended; suspend applies only to active tenants",
        ),
        (
            OFFBOARDED,
            "suspend",
            "tenant 'coesfeld' is offboarded; suspend applies only to active tenants",
        ),
        (
            REQUESTED,
            "resume",
            "tenant 'coesfeld' is requested; resume applies only to suspended tenants",
        ),
        (ACTIVE, "resume", "tenant 'coesfeld' is active; resume applies only to suspended tenants"),
        (
            OFFBOARDED,
            "resume",
            "tenant 'coesfeld' is offboarded; resume applies only to suspended tenants",
        ),
    ],
    indirect=["coesfeld"],
)
def test_other_transitions_are_refused_and_change_nothing(runner, coesfeld, action, message):
    before = coesfeld.status

    result = runner.invoke("tenants", action, "coesfeld", "--reason", "test")

    assert (result.exit_code, result.stderr) == (2, f"Error: status: {message}\n")
    session.expire_all()
    assert coesfeld.status == before


@pytest.mark.parametrize("coesfeld", [ACTIVE], indirect=True)
def test_suspend_needs_a_reason(runner, coesfeld):
    result = runner.invoke("tenants", "suspend", "coesfeld")

    assert (result.exit_code, result.stderr) == (
        2,
        "Error: reason: must not be empty: say why the tenant is to suspend\n",
    )


@pytest.mark.parametrize("coesfeld", [ACTIVE], indirect=True)
def test_a_transition_is_audited_with_actor_time_reason_and_states(runner, coesfeld):
    invoke_json(runner, "tenants", "suspend", "coesfeld", "--reason", "Zahlungsverzug")

    with tenant_context(coesfeld):
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "tenant.suspended"))
    assert (entry.actor.startswith("cli:"), entry.at is not None, entry.reason, entry.details) == (
        True,
        True,
        "Zahlungsverzug",
        {"from": "active", "to": "suspended"},
    )


@pytest.mark.parametrize("coesfeld", [ACTIVE], indirect=True)
def test_audit_lists_the_tenants_log_newest_first(runner, coesfeld):
    invoke_json(runner, "tenants", "suspend", "coesfeld", "--reason", "Zahlungsverzug")
    invoke_json(runner, "tenants", "resume", "05558012", "--reason", "bezahlt")

    rows = invoke_json(runner, "tenants", "audit", "coesfeld")

    assert [(r["action"], r["reason"], r["target"]) for r in rows] == [
        ("tenant.resumed", "bezahlt", "tenant:coesfeld"),
        ("tenant.suspended", "Zahlungsverzug", "tenant:coesfeld"),
    ]


def test_audit_without_a_tenant_lists_every_tenants_entries(runner):
    invoke_json(runner, "tenants", "onboard", "--ags", "05558012")
    invoke_json(runner, "tenants", "onboard", "--ags", "05558016")

    rows = invoke_json(runner, "tenants", "audit")

    assert [r["target"] for r in rows] == ["tenant:duelmen", "tenant:coesfeld"]


@pytest.mark.parametrize("coesfeld", [ACTIVE], indirect=True)
def test_suspended_portal_shows_the_notice_and_the_data_stays(runner, client, coesfeld, make_admin):
    from core import accounts

    make_admin(coesfeld, "it@coesfeld.example")
    invoke_json(runner, "tenants", "suspend", "coesfeld", "--reason", "Wartung")

    page = client.get("/coesfeld/", headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert "The online services of Coesfeld, Stadt are currently suspended." in page
    assert accounts.find_user("it@coesfeld.example", coesfeld) is not None


@pytest.mark.parametrize("coesfeld", [ACTIVE], indirect=True)
def test_suspended_tenants_services_stop_serving_citizens(runner, client, coesfeld, subscribe):
    from flask import Blueprint

    from core.services import require_subscription

    subscribe(coesfeld, "tk_register")
    invoke_json(runner, "tenants", "suspend", "coesfeld", "--reason", "Wartung")
    page = Blueprint("probe", __name__)
    page.add_url_rule("/<tenant>/probe", "probe", lambda: "served")
    client.application.register_blueprint(require_subscription(page, "tk_register"))

    assert client.get("/coesfeld/probe").status_code == 503


def test_requested_tenants_portal_is_not_public(client, runner):
    invoke_json(runner, "tenants", "onboard", "--ags", "05558012")

    assert client.get("/coesfeld/").status_code == 404


def test_list_filters_by_status_kind_parent_and_search(runner):
    invoke_json(runner, "tenants", "onboard", "--ags", "05558")
    for ags in ("05558012", "05558016", "05558020"):
        invoke_json(runner, "tenants", "onboard", "--ags", ags)
    invoke_json(runner, "tenants", "activate", "duelmen")

    assert [r["slug"] for r in invoke_json(runner, "tenants", "list", "--status", "active")] == [
        "duelmen"
    ]
    assert [r["slug"] for r in invoke_json(runner, "tenants", "list", "--kind", "kreis")] == [
        "kreis-coesfeld"
    ]
    assert [r["slug"] for r in invoke_json(runner, "tenants", "list", "--parent", "05558")] == [
        "coesfeld",
        "duelmen",
        "havixbeck",
    ]
    assert [r["slug"] for r in invoke_json(runner, "tenants", "list", "--search", "dülm")] == [
        "duelmen"
    ]
    assert [r["slug"] for r in invoke_json(runner, "tenants", "list", "--search", "48329")] == [
        "havixbeck"
    ]


def test_list_prints_a_table(runner, tenant):
    result = runner.invoke("tenants", "list")

    assert result.stdout == (
        "slug      ags       kind      status  parent  name\n"
        "coesfeld  05558012  gemeinde  active  -       Coesfeld, Stadt\n"
    )


def test_show_of_an_unknown_tenant_exits_2(runner):
    result = runner.invoke("tenants", "show", "atlantis")

    assert (result.exit_code, result.stderr) == (
        2,
        "Error: tenant: no tenant with slug 'atlantis'\n",
    )


def test_show_prints_master_data_subscriptions_and_admins(runner, tenant, subscribe, make_admin):
    subscribe(tenant, "tk_register", contract_ref="EA-2024-001")
    make_admin(tenant, "it@coesfeld.example")

    data = invoke_json(runner, "tenants", "show", "05558012")

    assert (
        data["kreis"],
        data["land"],
        data["contact_email"],
        data["admins"],
        data["subscriptions"][0]["contract_ref"],
    ) == (
        "Coesfeld",
        "Nordrhein-Westfalen",
        "info@coesfeld.invalid",
        ["it@coesfeld.example"],
        "EA-2024-001",
    )
