"""rathaus tenants subscribe|unsubscribe|services: core's rules, the operator's view, audited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.db import session
from core.models import AuditEntry
from core.tenancy import tenant_context
from tests.tenants.conftest import invoke_json

TODAY = dt.date.today()


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def test_subscribe_from_today_prints_the_subscription(runner, tenant):
    data = invoke_json(
        runner, "tenants", "subscribe", "coesfeld", "tk_register", "--contract", "EA-2024-017"
    )

    assert data == {
        "service": "tk_register",
        "title": "Melderegister",
        "starts_on": TODAY.isoformat(),
        "ends_on": None,
        "end_reason": None,
        "contract_ref": "EA-2024-017",
        "status": "active",
    }


def test_subscribe_from_a_future_date_is_scheduled(runner, tenant):
    data = invoke_json(runner, "tenants", "subscribe", "coesfeld", "tk_register", "--from", day(30))

    assert (data["starts_on"], data["status"]) == (day(30), "scheduled")


def test_hook_subscription_started_hears_of_a_new_subscription(runner, tenant, hook_calls):
    invoke_json(runner, "tenants", "subscribe", "coesfeld", "tk_register")

    assert hook_calls == [("subscription_started", ("coesfeld", "tk_register"))]


def test_subscribe_is_audited_with_the_contract(runner, tenant):
    invoke_json(runner, "tenants", "subscribe", "coesfeld", "tk_register", "--contract", "EA-1")

    with tenant_context(tenant):
        entry = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "subscription.started")
        )
    assert entry.details == {
        "service": "tk_register",
        "starts_on": TODAY.isoformat(),
        "contract_ref": "EA-1",
        "backdated": False,
    }


def test_subscribe_to_an_unknown_service_exits_2(runner, tenant):
    result = runner.invoke("tenants", "subscribe", "coesfeld", "parking")

    assert (result.exit_code, result.stderr) == (
        2,
        "Error: service: unknown service 'parking' (known: engagement, tk_permits, tk_register)\n",
    )


def test_subscribe_needs_the_required_service_first(runner, tenant):
    result = runner.invoke("tenants", "subscribe", "coesfeld", "tk_permits")

    assert (result.exit_code, result.stderr) == (
        2,
        "Error: service: service 'tk_permits' requires 'tk_register', which the tenant does not "
        "subscribe to "
        f"from {TODAY.isoformat()} on; subscribe to 'tk_register' first\n",
    )


def test_subscribe_refuses_a_backdated_start(runner, tenant):
    result = runner.invoke("tenants", "subscribe", "coesfeld", "tk_register", "--from", day(-1))

    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: starts_on: {day(-1)} lies in the past; a subscription starts today or later\n",
    )


def test_subscribe_records_a_backdated_start_when_allowed(runner, tenant):
    data = invoke_json(
        runner,
        "tenants",
        "subscribe",
        "coesfeld",
        "tk_register",
        "--from",
        "2023-01-01",
        "--allow-backdated",
    )

    assert data["starts_on"] == "2023-01-01"


def test_subscribe_refuses_an_overlap(runner, tenant):
    invoke_json(runner, "tenants", "subscribe", "coesfeld", "tk_register")

    result = runner.invoke("tenants", "subscribe", "coesfeld", "tk_register", "--from", day(10))

    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: starts_on: overlaps the subscription from {TODAY.isoformat()} to open end; end "
        "it first or "
        "start after its last day\n",
    )


def test_subscribe_refuses_a_malformed_date(runner, tenant):
    result = runner.invoke("tenants", "subscribe", "coesfeld", "tk_register", "--from", "1.2.2025")

    assert result.exit_code == 2
    assert "Invalid value for '--from'" in result.stderr


def test_subscribe_to_an_offboarded_tenant_is_refused(runner, make_tenant):
    from core.models import TenantStatus

    make_tenant("coesfeld", "05558012", "Coesfeld, Stadt", status=TenantStatus.OFFBOARDED)

    result = runner.invoke("tenants", "subscribe", "coesfeld", "tk_register")

    assert (result.exit_code, result.stderr) == (
        2,
        "Error: tenant: tenant 'coesfeld' is offboarded\n",
    )


def test_hook_subscription_ended_hears_of_the_last_day_and_reason(runner, tenant, hook_calls):
    invoke_json(runner, "tenants", "subscribe", "coesfeld", "tk_register")

    data = invoke_json(
        runner,
        "tenants",
        "unsubscribe",
        "coesfeld",
        "tk_register",
        "--at",
        day(90),
        "--reason",
        "special",
    )

    assert (data["ends_on"], data["end_reason"], data["status"]) == (day(90), "special", "active")
    assert hook_calls[-1] == ("subscription_ended", ("coesfeld", "tk_register", "special"))


def test_unsubscribe_is_audited(runner, tenant):
    invoke_json(runner, "tenants", "subscribe", "coesfeld", "tk_register")
    invoke_json(runner, "tenants", "unsubscribe", "coesfeld", "tk_register", "--at", day(5))

    with tenant_context(tenant):
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "subscription.ended"))
    assert (entry.reason, entry.details) == (
        "ordinary termination",
        {"service": "tk_register", "ends_on": day(5), "end_reason": "ordinary"},
    )


def test_unsubscribe_needs_the_last_day(runner, tenant):
    result = runner.invoke("tenants", "unsubscribe", "coesfeld", "tk_register")

    assert result.exit_code == 2
    assert "Missing option '--at'" in result.stderr


def test_unsubscribe_refuses_an_unknown_reason(runner, tenant):
    result = runner.invoke(
        "tenants", "unsubscribe", "coesfeld", "tk_register", "--at", day(1), "--reason", "angry"
    )

    assert result.exit_code == 2
    assert "Invalid value for '--reason'" in result.stderr


def test_unsubscribe_without_a_subscription_exits_2(runner, tenant):
    result = runner.invoke("tenants", "unsubscribe", "coesfeld", "tk_register", "--at", day(1))

    assert (result.exit_code, result.stderr) == (
        2,
        "Error: service: tenant 'coesfeld' has no subscription to 'tk_register' running on "
        f"{day(1)}\n",
    )


def test_unsubscribe_refuses_a_service_another_one_still_requires(runner, tenant):
    invoke_json(runner, "tenants", "subscribe", "coesfeld", "tk_register")
    invoke_json(runner, "tenants", "subscribe", "coesfeld", "tk_permits")

    result = runner.invoke("tenants", "unsubscribe", "coesfeld", "tk_register", "--at", day(1))

    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: service: service 'tk_permits' requires 'tk_register' beyond {day(1)}; end "
        "'tk_permits' first\n",
    )


def test_services_lists_subscriptions_with_dates_and_status(runner, tenant):
    invoke_json(
        runner,
        "tenants",
        "subscribe",
        "coesfeld",
        "tk_register",
        "--from",
        "2023-01-01",
        "--allow-backdated",
    )
    invoke_json(runner, "tenants", "unsubscribe", "coesfeld", "tk_register", "--at", day(0))
    invoke_json(runner, "tenants", "subscribe", "coesfeld", "engagement", "--from", day(7))

    rows = invoke_json(runner, "tenants", "services", "coesfeld")

    assert [(r["service"], r["starts_on"], r["ends_on"], r["status"]) for r in rows] == [
        ("tk_register", "2023-01-01", day(0), "active"),
        ("engagement", day(7), None, "scheduled"),
    ]


def test_services_prints_a_table(runner, tenant):
    invoke_json(runner, "tenants", "subscribe", "coesfeld", "tk_register", "--contract", "EA-1")

    result = runner.invoke("tenants", "services", "coesfeld")

    assert result.stdout.splitlines() == [
        "service      from        until  status  contract  end",
        f"tk_register  {TODAY.isoformat()}  -      active  EA-1      -",
    ]
