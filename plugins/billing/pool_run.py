"""What the billing run charges for cost pools, and what it holds back.

* Shares of typed cost entries, staff cost lines and flat amounts: every year up to
  the billing year, in the pool's billing month (earlier years as prior-period lines).
* Shares of a contract basis (co-financing): every *completed* year — the fees of a
  year are known once it is billed — so the billing month of year Y bills the
  shares of the fees billed for Y−1 (and earlier years not billed yet).
* A pool in approval pending (Sperrvermerk) is not charged at all; the run names it
  in its warnings, also in a dry run (the preview).

Each line carries the member's budget position (Produkt / Sachkonto), if recorded.
"""

from __future__ import annotations

from sqlalchemy import select

from core import Tenant, session
from plugins.billing import periods
from plugins.billing.charges import Charge
from plugins.billing.money import format_german
from plugins.billing.periods import Period
from plugins.billing.pool_models import CostPool, PoolApproval, PoolContractCost, PoolMember
from plugins.billing.pools import Share, allocate, contract_shares


def pools_of_month(period: Period) -> list[CostPool]:
    """The pools billed in the period's month."""
    return list(
        session.scalars(
            select(CostPool)
            .where(CostPool.billing_month == period.start.month)
            .order_by(CostPool.key)
        )
    )


def pool_warnings(period: Period, issuer_id: int | None = None) -> list[str]:
    """Warnings for the pools of the month: held back by a pending approval, or
    with staff cost lines whose annual cost is not entered yet."""
    warnings = []
    for pool in pools_of_month(period):
        if issuer_id is not None and pool.issuer_id != issuer_id:
            continue
        if pool.approval == PoolApproval.PENDING:
            note = f": {pool.approval_note}" if pool.approval_note else ""
            warnings.append(
                f"pool {pool.key} is not invoiced: approval pending (Sperrvermerk){note}; "
                f"release it with rathaus billing pools release {pool.key}"
            )
        for line in pool.staff_costs:
            if line.annual_cost_cents is None:
                warnings.append(
                    f"pool {pool.key}: staff cost line {line.grade} "
                    f"{line.first_year}-{line.last_year} has no annual cost; enter it with "
                    f"rathaus billing pools staff {pool.key} --annual-cost"
                )
    return warnings


def pool_charges(period: Period) -> list:
    """Members' shares of the released pools billed in this month."""
    charges = []
    for pool in pools_of_month(period):
        if pool.approval == PoolApproval.PENDING:
            continue
        tenant_ids = [member.member_tenant_id for member in pool.members]
        ags_of = dict(
            session.execute(select(Tenant.id, Tenant.ags).where(Tenant.id.in_(tenant_ids))).all()
        )
        for share in allocate(pool, ags_of):
            if share.year <= period.start.year:
                charges.extend(_share_charges(pool, share, period, "", "Kostenbeteiligung {year}"))
        for basis in pool.contract_costs:
            charges.extend(_contract_charges(pool, basis, ags_of, period))
    return charges


def _contract_charges(
    pool: CostPool, basis: PoolContractCost, ags_of: dict[int, str], period: Period
) -> list:
    """Shares of the fees billed under the basis's contract, per completed year."""
    charges = []
    for entry, shares in contract_shares(pool, basis, ags_of, period.start.year):
        cost = format_german(entry.amount_cents)
        label = f"Beteiligung {{year}} an {basis.description} (Kosten {cost} EUR)"
        for share in shares:
            charges.extend(_share_charges(pool, share, period, f"c{basis.id}:", label))
    return charges


def _share_charges(pool: CostPool, share: Share, period: Period, key_part: str, label: str) -> list:
    """The charge of one member's share of one year (none for the issuer's own);
    ``label`` names the share, ``{year}`` standing for its year."""

    member: PoolMember = share.member
    if share.cents <= 0 or member.member_tenant_id == pool.issuer.own_tenant_id:
        return []  # the issuer carries its own share
    prior = " (Vorjahr, periodenfremd)" if share.year < period.start.year else ""
    year = periods.year(share.year)
    return [
        Charge(
            item_key=f"pool:{pool.id}:{member.member_tenant_id}:{key_part}{share.year}",
            issuer_id=pool.issuer_id,
            payer_tenant_id=member.member_tenant_id,
            sponsor_id=None,
            vat_category=pool.vat_category,
            vat_rate_bp=pool.vat_rate_bp,
            description=f"{pool.name}: {label.replace('{year}', str(share.year))}{prior}",
            quantity=1,
            unit_price_cents=share.cents,
            period_start=year.start,
            period_end=year.end,
            for_tenant_id=member.member_tenant_id,
            service_key=f"pool:{pool.key}",
            budget_position=member.budget_position,
        )
    ]


def changed_shares(charges: list) -> list[str]:
    """Warnings for co-financing shares already invoiced whose amount the contract's
    fees no longer give (e.g. a cancelled fee invoice): the invoice stays (GoBD);
    cancel it and the next run bills the share anew."""
    from plugins.billing.invoice_models import BilledItem, InvoiceLine

    due = {c.item_key: c for c in charges if c.item_key.startswith("pool:") and ":c" in c.item_key}
    if not due:
        return []
    billed = session.execute(
        select(InvoiceLine.item_key, InvoiceLine.net_cents)
        .join(BilledItem, BilledItem.invoice_id == InvoiceLine.invoice_id)
        .where(BilledItem.item_key == InvoiceLine.item_key, InvoiceLine.item_key.in_(list(due)))
    ).all()
    slugs = dict(session.execute(select(Tenant.id, Tenant.slug)).all())
    return [
        f"{key} ({slugs[due[key].payer_tenant_id]}): invoiced {format_german(net)} EUR, the "
        f"contract's fees now give {format_german(due[key].unit_price_cents)} EUR; cancel the "
        "invoice to bill the share anew"
        for key, net in billed
        if net != due[key].unit_price_cents
    ]
