"""Demo data: the seed cost models, so that ``rathaus demo`` and a billing run show them.

Tenants are got or created with ``core.lifecycle.ensure_tenant`` (whichever plugin
runs first creates them); missing invoicing master data is filled in. Then the
example configuration files are applied (idempotent) and the Engagementdirekt
connections recorded: Stadt Coesfeld on 01.09.2023 (sponsored until 31.12.2023),
Stadt Dülmen on 15.03.2024 (pays the connection fee and a prorated first month).
The OZG coordination grant (seed 004) gets its 2021 payouts to three partners. The
Digitalagentur COE staff pool (seed 001) starts in approval pending; Stadt
Coesfeld's Engagementdirekt contract gets an invented budget position.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from core import Tenant, catalogue, ensure_tenant, leitweg_id_from_ags, subscribe, subscriptions_of
from plugins.billing.configuration import apply_toml
from plugins.billing.contracts import reconcile_contracts

EXAMPLES = Path(__file__).parent / "examples"
EXAMPLE_FILES = (
    "engagementdirekt.toml",
    "kompetenzcenter.toml",
    "ozg-koordination.toml",
    "etermin.toml",
    "digitalagentur.toml",
)

#: Kreis Coesfeld and its Gemeinden (Engagementdirekt), the Landkreis
#: Marburg-Biedenkopf and its Gemeinden (Kompetenzcenter), the OZG partners.
DEMO_AGS = (
    [
        "05558",
        "05558004",
        "05558008",
        "05558012",
        "05558016",
        "05558020",
        "05558024",
        "05558028",
        "05558032",
        "05558036",
        "05558040",
        "05558044",
        "06534",
    ]
    + [f"06534{n:03d}" for n in range(1, 23)]
    + ["05515000", "05915000", "05570"]
)

#: Engagementdirekt connections: (AGS, first day).
CONNECTIONS = (("05558012", dt.date(2023, 9, 1)), ("05558016", dt.date(2024, 3, 15)))


def demo_tenant(ags: str) -> Tenant:
    """Get or create the tenant and fill in missing invoicing master data."""
    tenant = ensure_tenant(ags)
    defaults = {
        "invoice_recipient": tenant.title,
        "address_street": "Rathausplatz 1",
        "address_postcode": "48653" if ags.startswith("05558") else "35037",
        "address_city": tenant.name.split(",")[0],
        "leitweg_id": leitweg_id_from_ags(ags),
        "invoice_email": f"rechnung@{tenant.slug}.example",
    }
    for name, value in defaults.items():
        if getattr(tenant, name) is None:
            setattr(tenant, name, value)
    return tenant


def load_demo(app: Any) -> None:
    """Tenants, the example configurations and the Engagementdirekt connections."""
    tenants = {ags: demo_tenant(ags) for ags in DEMO_AGS}
    for name in EXAMPLE_FILES:
        apply_toml((EXAMPLES / name).read_text(encoding="utf-8"), commit=False)
    if "engagement" in catalogue(app):
        for ags, starts_on in CONNECTIONS:
            tenant = tenants[ags]
            if not subscriptions_of(tenant, "engagement"):
                subscribe(
                    tenant,
                    "engagement",
                    starts_on=starts_on,
                    allow_backdated=True,
                    contract_ref="Einzelabruf Engagementdirekt",
                )
    if "termin" in catalogue(app) and not subscriptions_of(tenants["05558"], "termin"):
        subscribe(tenants["05558"], "termin", starts_on=dt.date(2021, 1, 1), allow_backdated=True)
    reconcile_contracts()
    _grant_payouts()
    _demo_budget_position(tenants["05558012"])


#: An invented budget position (the seed names none for Engagementdirekt) on Stadt
#: Coesfeld's contract, so its invoices show BT-19 / BT-133.
DEMO_BUDGET = ("01.11.99", "543199")


def _demo_budget_position(tenant: Tenant) -> None:
    from sqlalchemy import select

    from core import session, tenant_context
    from plugins.billing.contract_models import Contract

    with tenant_context(tenant):
        contract = session.scalar(
            select(Contract).where(
                Contract.tenant_id == tenant.id, Contract.service_key == "engagement"
            )
        )
        if contract is not None and contract.budget_product is None:
            contract.budget_product, contract.budget_account = DEMO_BUDGET
            session.flush()


#: Payouts of the OZG grant the demo records: 2021 to the three partners the Kreis
#: Coesfeld passes money on to (invented payment days; the seed gives none).
DEMO_PAYOUTS = (
    ("muenster", "2021-06-30"),
    ("hamm", "2021-06-30"),
    ("kreis-warendorf", "2021-07-15"),
)


def _grant_payouts() -> None:
    """Record the demo payouts once (running the demo again changes nothing)."""
    from plugins.billing.grants import grant_by_key, record_payout

    grant = grant_by_key("ozg-koordination")
    if grant.payouts:
        return
    for slug, day in DEMO_PAYOUTS:
        record_payout(grant.key, slug, 2021, paid_on=dt.date.fromisoformat(day), commit=False)


#: Months of the seed models billed and finalised by the demo (then the two months
#: before this one, and this one as drafts).
SEED_PERIODS = ("2023-10", "2024-01", "2024-03")


def bill_recent_months(today: dt.date | None = None) -> None:
    """Bill the seed models' months and the two months before this one, finalising
    their invoices (issued on the first of the following month), and this month as
    drafts: the billing pages, charts and the operator console have something to
    show. A second demo run in the same month bills nothing new."""
    from plugins.billing.periods import add_months, month, parse_month

    today = today or dt.date.today()
    this_month = today.replace(day=1)
    periods = [parse_month(label) for label in SEED_PERIODS]
    periods += [
        month(first.year, first.month)
        for first in (add_months(this_month, -2), add_months(this_month, -1))
    ]
    for period in periods:
        _bill(period, finalise_on=add_months(period.start, 1))
    _bill(month(this_month.year, this_month.month), finalise_on=None)


def _bill(period: Any, finalise_on: dt.date | None) -> None:
    from sqlalchemy import select

    from core import session
    from plugins.billing.invoice_models import Invoice, InvoiceStatus
    from plugins.billing.invoices import finalize
    from plugins.billing.run import run_billing

    session.commit()  # the run and finalize() work in transactions of their own
    run_billing(period)
    if finalise_on is None:
        return
    drafts = session.scalars(
        select(Invoice.id).where(
            Invoice.status == InvoiceStatus.DRAFT, Invoice.period == period.label
        )
    ).all()
    if drafts:
        finalize([str(i) for i in drafts], today=finalise_on)
