"""rathaus tenants offboard: export everything durably, then delete it; others untouched."""

from __future__ import annotations

import json
import os
import stat

import pytest
from sqlalchemy import select

from core import accounts, audit, mail
from core.db import session
from core.lifecycle import count_tenant_rows
from core.models import AuditEntry, Role, Tenant, TenantStatus
from core.tenancy import cross_tenant
from plugins.tenants import invitations
from tests.tenants.conftest import invoke_json


def fill(tenant, subscribe, make_admin):
    """A row in each of core's and the plugin's tenant-scoped tables."""
    subscribe(tenant, "tk_register")
    subscribe(tenant, "tk_permits")
    make_admin(tenant, f"admin@{tenant.slug}.example")
    accounts.create_user(f"citizen@{tenant.slug}.example", "Bürger", None, [Role.CITIZEN], tenant)
    accounts.create_token("fachverfahren", tenant)
    audit.record("test.event", f"tenant:{tenant.slug}", tenant=tenant)
    mail.queue_mail(
        f"citizen@{tenant.slug}.example", "Hallo", "Text", category="test", tenant=tenant
    )
    invitations.invite_admin(tenant, f"new@{tenant.slug}.example")
    session.commit()


@pytest.fixture
def two_tenants(tenant, other_tenant, subscribe, make_admin):
    fill(tenant, subscribe, make_admin)
    fill(other_tenant, subscribe, make_admin)
    return tenant, other_tenant


@pytest.fixture
def exports(tmp_path_factory):
    """An empty folder for the export (the test database lives in pytest's own tmp_path)."""
    return tmp_path_factory.mktemp("exports")


def offboard(runner, folder, *extra, name="coesfeld.json", input=None):
    return runner.invoke(
        "tenants",
        "offboard",
        "coesfeld",
        "--export",
        str(folder / name),
        "--reason",
        "Kündigung zum Jahresende",
        *extra,
        input=input,
    )


def test_offboarding_leaves_no_row_of_the_tenant_in_any_tenant_scoped_table(
    runner, exports, two_tenants
):
    tenant, _other = two_tenants
    before = count_tenant_rows(tenant)
    assert all(
        before[table] > 0
        for table in (
            "core_subscription",
            "core_user",
            "core_user_role",
            "core_api_token",
            "core_audit_entry",
            "core_outbox_message",
            "tenants_invitation",
        )
    )

    result = offboard(runner, exports, "--yes")

    assert result.exit_code == 0, result.output
    assert set(count_tenant_rows(tenant).values()) == {0}


def test_offboarding_leaves_the_other_tenants_untouched(runner, exports, two_tenants):
    _tenant, other = two_tenants
    before = count_tenant_rows(other)

    offboard(runner, exports, "--yes")

    assert count_tenant_rows(other) == before
    session.expire_all()
    assert other.status == TenantStatus.ACTIVE


def test_offboarding_writes_every_row_to_the_export_first(runner, exports, two_tenants):
    tenant, _other = two_tenants
    before = count_tenant_rows(tenant)

    offboard(runner, exports, "--yes")

    export = json.loads((exports / "coesfeld.json").read_text(encoding="utf-8"))
    assert {table: len(rows) for table, rows in export["tables"].items()} == {
        **before,
        # "tenant.offboarded" and one "subscription.ended" per running subscription
        "core_audit_entry": before["core_audit_entry"] + 1 + 2,
    }
    assert (export["format"], export["tenant"]["slug"], export["tenant"]["status"]) == (
        "rathaus-tenant-export/1",
        "coesfeld",
        "offboarded",
    )


def test_the_export_is_readable_by_its_owner_only(runner, exports, two_tenants):
    offboard(runner, exports, "--yes")

    assert stat.S_IMODE(os.stat(exports / "coesfeld.json").st_mode) == 0o600


def test_hook_export_tenant_data_adds_a_readable_summary(runner, exports, two_tenants):
    offboard(runner, exports, "--yes")

    plugins = json.loads((exports / "coesfeld.json").read_text(encoding="utf-8"))["plugins"]
    assert plugins["tenants_testkit"] == {"marker": "exported coesfeld"}
    summary = plugins["tenants"]
    assert (
        summary["tenant"]["slug"],
        summary["admins"],
        [s["service"] for s in summary["subscriptions"]],
        summary["pending_invitations"][0]["email"],
    ) == (
        "coesfeld",
        ["admin@coesfeld.example"],
        ["tk_register", "tk_permits"],
        "new@coesfeld.example",
    )


def test_offboarding_ends_running_subscriptions_dependants_first(
    runner, exports, two_tenants, hook_calls
):
    offboard(runner, exports, "--yes")

    ended = [call for call in hook_calls if call[0] == "subscription_ended"]
    assert ended == [
        ("subscription_ended", ("coesfeld", "tk_permits", "offboarding")),
        ("subscription_ended", ("coesfeld", "tk_register", "offboarding")),
    ]


def test_hook_tenant_offboarding_is_called_after_the_export(
    runner, exports, two_tenants, hook_calls
):
    offboard(runner, exports, "--yes")

    assert ("tenant_offboarding", "coesfeld") in hook_calls


def test_offboarding_keeps_the_registry_row_and_sets_the_status(runner, exports, two_tenants):
    data = json.loads(offboard(runner, exports, "--yes", "--json").stdout)

    tenant = session.scalar(select(Tenant).where(Tenant.slug == "coesfeld"))
    assert (tenant.status, data["tenant"]["status"], data["ended_subscriptions"]) == (
        TenantStatus.OFFBOARDED,
        "offboarded",
        ["tk_permits", "tk_register"],
    )
    assert (
        data["export"]["sha256"]
        and data["export"]["bytes"] == (exports / "coesfeld.json").stat().st_size
    )


def test_offboarding_is_recorded_in_the_platform_log_that_outlives_the_tenant(
    runner, exports, two_tenants
):
    offboard(runner, exports, "--yes")

    rows = invoke_json(runner, "tenants", "audit", "coesfeld")
    assert [(r["action"], r["platform"], r["reason"]) for r in rows] == [
        ("tenant.offboarded", True, "Kündigung zum Jahresende"),
    ]
    assert rows[0]["details"]["export"]["file"] == str(exports / "coesfeld.json")


def test_offboarding_asks_for_confirmation_and_stops_on_no(runner, exports, two_tenants):
    tenant, _other = two_tenants
    before = count_tenant_rows(tenant)

    result = offboard(runner, exports, input="n\n")

    assert result.exit_code == 1
    assert "Offboard Coesfeld, Stadt (coesfeld): write the export to" in result.stderr
    assert (count_tenant_rows(tenant), (exports / "coesfeld.json").exists()) == (before, False)


def test_offboarding_goes_ahead_on_yes(runner, exports, two_tenants):
    result = offboard(runner, exports, input="y\n")

    assert result.exit_code == 0
    assert result.stdout.startswith(f"Offboarded coesfeld: export {exports / 'coesfeld.json'} (")


def test_offboarding_never_overwrites_an_existing_file(runner, exports, two_tenants):
    (exports / "coesfeld.json").write_text("keep me")

    result = offboard(runner, exports, "--yes")

    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: export: {exports / 'coesfeld.json'} exists; choose a new file name (an export "
        "is never overwritten)\n",
    )
    assert (exports / "coesfeld.json").read_text() == "keep me"


def test_offboarding_needs_an_existing_folder(runner, exports, two_tenants):
    result = offboard(runner, exports, "--yes", name="missing/coesfeld.json")

    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: export: folder {exports / 'missing'} does not exist\n",
    )


def test_offboarding_needs_a_reason(runner, exports, two_tenants):
    result = runner.invoke(
        "tenants", "offboard", "coesfeld", "--export", str(exports / "x.json"), "--yes"
    )

    assert (result.exit_code, result.stderr) == (
        2,
        "Error: reason: must not be empty: say why the tenant is to offboard\n",
    )


def test_offboarding_twice_is_refused(runner, exports, two_tenants):
    offboard(runner, exports, "--yes")

    result = offboard(runner, exports, "--yes", name="again.json")

    assert (result.exit_code, result.stderr) == (
        2,
        "Error: status: tenant 'coesfeld' is offboarded; offboard applies only to active or "
        "requested or "
        "suspended tenants\n",
    )


def test_a_failure_after_the_export_deletes_nothing(runner, exports, two_tenants, monkeypatch):
    tenant, _other = two_tenants
    before = count_tenant_rows(tenant)

    def broken(_tenant):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("core.lifecycle.purge_tenant", broken)
    with pytest.raises(RuntimeError):
        offboard(runner, exports, "--yes")

    session.rollback()
    assert count_tenant_rows(tenant) == before
    assert session.get(Tenant, tenant.id).status == TenantStatus.ACTIVE


def test_a_failed_export_deletes_nothing(runner, exports, two_tenants, monkeypatch):
    tenant, _other = two_tenants
    before = count_tenant_rows(tenant)

    def broken(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", broken)
    with pytest.raises(OSError):
        offboard(runner, exports, "--yes")

    session.rollback()
    assert (count_tenant_rows(tenant), sorted(os.listdir(exports))) == (before, [])


def test_offboarding_a_kreis_hands_its_gemeinden_to_the_land(runner, exports, make_tenant):
    land = make_tenant("nordrhein-westfalen", "05", "Nordrhein-Westfalen")
    kreis = make_tenant("kreis-coesfeld", "05558", "Coesfeld", parent=land)
    make_tenant("havixbeck", "05558020", "Havixbeck", parent=kreis, parent_may_administer=True)

    result = runner.invoke(
        "tenants",
        "offboard",
        "kreis-coesfeld",
        "--export",
        str(exports / "k.json"),
        "--reason",
        "Fusion",
        "--yes",
        "--json",
    )

    assert json.loads(result.stdout)["relinked_children"] == ["havixbeck"]
    havixbeck = session.scalar(select(Tenant).where(Tenant.slug == "havixbeck"))
    assert (havixbeck.parent.slug, havixbeck.parent_may_administer) == (
        "nordrhein-westfalen",
        False,
    )
    with cross_tenant("test reads the audit log"):
        entry = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "tenant.parent_changed")
        )
    assert (entry.tenant_id, entry.details) == (
        havixbeck.id,
        {"from": "kreis-coesfeld", "to": "nordrhein-westfalen"},
    )


def test_offboarding_withdraws_subscriptions_that_have_not_started(
    runner, exports, tenant, subscribe
):
    import datetime as dt

    subscribe(tenant, "tk_register", starts_on=dt.date.today() + dt.timedelta(days=30))

    data = json.loads(offboard(runner, exports, "--yes", "--json").stdout)

    assert (data["ended_subscriptions"], data["withdrawn_subscriptions"]) == ([], ["tk_register"])
