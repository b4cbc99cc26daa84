"""Demo data with the seed models; billing's implementations of core's setup hooks."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from core.db import session
from core.lifecycle import count_tenant_rows
from core.models import Tenant
from plugins.billing.demo import CONNECTIONS
from plugins.billing.models import Contract, CostPool, Issuer, PoolMember, Sponsorship, Tariff
from tests.billing.conftest import finalize_all, invoices_json, run


def _counts():
    with __import__("core.tenancy", fromlist=["cross_tenant"]).cross_tenant(
        "test counts every tenant's rows"
    ):
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Issuer, Tariff, Sponsorship, CostPool, PoolMember, Contract)
        )


def test_hook_demo_data(app, runner):
    result = runner.invoke("demo", "--no-upgrade")
    assert result.exit_code == 0, result.output
    # Issuers (with the Kreis Coesfeld of seed 001), tariffs, the sponsorship, the KKD
    # pool and its members, the Digitalagentur COE pool and the Kreis as its member
    # are billing's (the OZG coordination is a grant, not a pool);
    # contracts follow every subscription, also those other plugins' demo data makes
    # (engagement connects all of Kreis Coesfeld).
    assert _counts()[:5] == (3, 2, 1, 2, 21)
    seed_contracts = session.scalars(
        select(Contract.service_key)
        .join(Tenant, Tenant.id == Contract.tenant_id)
        .where(Tenant.ags.in_([ags for ags, _day in CONNECTIONS]))
        .execution_options(cross_tenant=True)
    )
    assert sorted(seed_contracts) == ["engagement", "engagement"]


def test_demo_is_idempotent(app, runner):
    runner.invoke("demo", "--no-upgrade")
    first = _counts()
    runner.invoke("demo", "--no-upgrade")
    assert _counts() == first


def test_billing_runs_after_the_demo_show_the_seed_models(app, runner):
    runner.invoke("demo", "--no-upgrade")
    for period in ("2023-10", "2024-01", "2024-03"):
        run(period)
    finalize_all()
    # The demo bills the seed months and recent ones; the pool's first share is 2023's.
    kirchhain = invoices_json(runner, "--payer", "kirchhain", "--period", "2023-10")
    assert [i["gross"] for i in kirchhain] == ["21695.55"]
    coesfeld = invoices_json(runner, "--payer", "coesfeld", "--period", "2024-01")
    assert [i["gross"] for i in coesfeld] == ["892.50"]
    sponsor = invoices_json(runner, "--payer", "staatskanzlei-nrw")
    assert [i["gross"] for i in sponsor] == ["892.50"]
    duelmen = invoices_json(runner, "--payer", "duelmen", "--period", "2024-03")
    assert [i["net"] for i in duelmen] == ["4991.29"]
    # The OZG grant is paid out to the partners, never invoiced to them (seed 004).
    assert invoices_json(runner, "--payer", "muenster", "--issuer", "kreis-coesfeld") == []


def test_demo_holds_the_ozg_grant_with_its_2021_payouts(app, runner):
    runner.invoke("demo", "--no-upgrade")
    result = runner.invoke("billing", "grants", "show", "ozg-koordination", "--json")
    data = json.loads(result.stdout)
    assert (data["granted"], data["paid_out"], data["left"]) == (
        "500000.00",
        "125000.01",
        "374999.99",
    )
    assert [p["number"] for p in data["payouts"]] == [
        "AO-OZG-2021-00001",
        "AO-OZG-2021-00002",
        "AO-OZG-2021-00003",
    ]


def test_hook_register_commands(app, runner):
    result = runner.invoke("billing", "--help")
    assert result.exit_code == 0
    for verb in (
        "run",
        "finalize",
        "cancel",
        "invoices",
        "xrechnung",
        "export-csv",
        "report",
        "apply",
        "termination-rights",
    ):
        assert verb in result.stdout


def test_hook_add_hookspecs(app):
    hook = app.extensions["rathaus.plugins"].hook
    assert hook.billable_usage.spec is not None
    assert hook.special_termination_right_opened.spec is not None


def test_hook_export_tenant_data(app, connected_2024):
    from core.lifecycle import export_tenant

    run("2024-03")
    finalize_all()
    exported = export_tenant(connected_2024)
    assert [i["number"] for i in exported["plugins"]["billing"]["invoices"]] == ["KIT-2024-00001"]
    assert len(exported["tables"]["billing_contract"]) == 1


def test_tenant_rows_count_only_contracts_and_rights(app, connected_2023):
    run("2024-01")
    counts = count_tenant_rows(connected_2023)
    assert (counts["billing_contract"], counts["billing_termination_right"]) == (1, 1)
