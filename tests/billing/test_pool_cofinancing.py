"""Co-financing (seed 000): a pool whose cost is the Kreis's real Engagementdirekt
contract - its fees as billed - not a typed amount. The seed names no key, share or
members ("wäre die Beteiligung der Städte und Gemeinden ... sinnvoll"): the 50 % and
the equal key in ``data/cofinancing-pool.toml`` are invented test data."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.db import session
from plugins.billing.configuration import apply_toml
from plugins.billing.contracts import terminate
from plugins.billing.invoices import cancel, list_invoices
from plugins.billing.models import CostPool
from plugins.billing.pool_models import PoolContractCost
from tests.billing.conftest import (
    DATA,
    apply_example,
    demo_tenants,
    finalize_all,
    invoices_json,
    run,
)

MEMBERS = ("05558", "05558004", "05558008", "05558012")
LABEL = (
    "Engagementdirekt im Kreis Coesfeld: Beteiligung {year} an Engagementdirekt-Vertrag des "
    "Kreises (Kosten {cost} EUR) (Vorjahr, periodenfremd)"
)


def _setup(subscribe):
    tenants = demo_tenants(*MEMBERS)
    apply_example("engagementdirekt.toml")
    subscribe(tenants["05558"], "engagement", starts_on=dt.date(2024, 10, 1), allow_backdated=True)
    apply_toml((DATA / "cofinancing-pool.toml").read_text(encoding="utf-8"))
    for period in ("2024-10", "2024-11", "2024-12"):
        run(period)
    finalize_all(dt.date(2025, 1, 2))
    return tenants


def _shares(runner, period):
    return [
        (invoice["payer"]["key"], line["net"], line["description"], line["service_period"])
        for invoice in invoices_json(runner, "--issuer", "kreis-coesfeld", "--period", period)
        for line in invoice["lines"]
    ]


def test_shares_of_the_kreis_fees_as_billed_for_the_completed_year(app, runner, subscribe):
    _setup(subscribe)
    # The Kreis paid 4,580.00 + 3 x 750.00 = 6,830.00 net + 1,297.70 VAT = 8,127.70
    # for 2024; half of it, 4,063.85, is shared by four: 1,015.97 (the Kreis, which
    # carries its own) and 1,015.96 for each Gemeinde.
    kreis = invoices_json(runner, "--payer", "kreis-coesfeld")
    assert [i["gross"] for i in kreis] == ["6342.70", "892.50", "892.50"]
    run("2025-01")
    period = {"start": "2024-01-01", "end": "2024-12-31"}
    label = LABEL.format(year=2024, cost="4.063,85")
    assert _shares(runner, "2025-01") == [
        ("ascheberg", "1015.96", label, period),
        ("billerbeck", "1015.96", label, period),
        ("coesfeld", "1015.96", label, period),
    ]
    assert run("2025-01").lines_created == 0  # billed once


def test_a_change_of_the_contract_flows_into_the_next_allocation(app, runner, subscribe):
    tenants = _setup(subscribe)
    run("2025-01")
    terminate(
        tenants["05558"], "engagement", ends_on=dt.date(2025, 4, 30), notice_on=dt.date(2025, 1, 15)
    )
    session.commit()
    for period in ("2025-02", "2025-03", "2025-04", "2025-05"):
        run(period)
    finalize_all(dt.date(2025, 5, 2))
    # 2025: four months, 3,000.00 net + 570.00 VAT = 3,570.00; half is 1,785.00 = 4 x 446.25.
    run("2026-01")
    label = LABEL.format(year=2025, cost="1.785,00")
    assert [(payer, net, text) for payer, net, text, _p in _shares(runner, "2026-01")] == [
        ("ascheberg", "446.25", label),
        ("billerbeck", "446.25", label),
        ("coesfeld", "446.25", label),
    ]
    finalize_all(dt.date(2026, 1, 5))
    run("2027-01")  # the contract ended in 2025: nothing left to share
    assert _shares(runner, "2027-01") == []


def test_a_cancelled_invoice_of_the_kreis_does_not_count(app, runner, subscribe):
    _setup(subscribe)
    november = next(i for i in list_invoices() if i.period == "2024-11")
    cancel(november.number, "Doppelt berechnet (Testdaten)", today=dt.date(2025, 1, 3))
    # 8,127.70 - 892.50 = 7,235.20; half 3,617.60 = 4 x 904.40.
    run("2025-01")
    assert [net for _payer, net, _t, _p in _shares(runner, "2025-01")] == [
        "904.40",
        "904.40",
        "904.40",
    ]


def test_fees_changed_after_the_shares_were_invoiced_are_named_not_rebilled(app, runner, subscribe):
    _setup(subscribe)
    run("2025-01")
    november = next(i for i in list_invoices() if i.period == "2024-11")
    cancel(november.number, "Doppelt berechnet (Testdaten)", today=dt.date(2025, 1, 3))
    again = run("2025-01")
    assert again.lines_created == 0
    pool_id = session.scalar(select(CostPool.id).where(CostPool.key == "engagementdirekt-kreis"))
    basis = session.scalar(select(PoolContractCost.id))
    ids = {t.slug: t.id for t in demo_tenants(*MEMBERS).values()}
    assert [w for w in again.warnings if w.startswith("pool:")] == [
        f"pool:{pool_id}:{ids[slug]}:c{basis}:2024 ({slug}): invoiced 1.015,96 EUR, the "
        "contract's fees now give 904,40 EUR; cancel the invoice to bill the share anew"
        for slug in ("ascheberg", "billerbeck", "coesfeld")
    ]


def test_unknown_contract_in_the_file_names_the_key_path(app, runner):
    demo_tenants(*MEMBERS)
    apply_example("engagementdirekt.toml")
    result = runner.invoke("billing", "apply", str(DATA / "cofinancing-pool.toml"))
    assert result.exit_code == 2
    assert (
        "pools[0].contract_costs[0]: no contract of AGS 05558 for service 'engagement'; "
        "connect the tenant first" in result.stderr
    )


def test_members_see_the_contract_shares_in_the_pool_calculation(app, runner, subscribe):
    """The allocation behind a member's share names the co-financed contract (issue 12
    §4): the same cents as the invoice lines, the Kreis's own share included."""
    from plugins.billing.describe import pool_allocation

    _setup(subscribe)
    allocation = pool_allocation("engagementdirekt-kreis", today=dt.date(2025, 1, 15))
    assert [
        (share["year"], share["member"], share["amount"], share["basis"])
        for share in allocation["shares"]
        if share["basis"] is not None
    ] == [
        (2024, "kreis-coesfeld", "1015.97", "Engagementdirekt-Vertrag des Kreises"),
        (2024, "ascheberg", "1015.96", "Engagementdirekt-Vertrag des Kreises"),
        (2024, "billerbeck", "1015.96", "Engagementdirekt-Vertrag des Kreises"),
        (2024, "coesfeld", "1015.96", "Engagementdirekt-Vertrag des Kreises"),
    ]
    # In 2024 itself the year is not complete: nothing of the contract is shared yet.
    early = pool_allocation("engagementdirekt-kreis", today=dt.date(2024, 12, 31))
    assert [share for share in early["shares"] if share["basis"] is not None] == []
