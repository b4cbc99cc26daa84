"""Finding contracts, and a pool's allocation as JSON-ready data (CLI, API and pages)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from core import NotFoundError, Tenant, ValidationError, cross_tenant, session, tenant_context
from plugins.billing.contract_models import Contract
from plugins.billing.invoice_models import Invoice
from plugins.billing.money import format_amount
from plugins.billing.pool_models import CostPool
from plugins.billing.pools import allocate, contract_shares


def rate_to_bp(text: str) -> int:
    """``"19.00"`` -> 1900."""
    try:
        rate = Decimal(str(text))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            "%(value)s is not a rate in percent (e.g. 19.00)",
            field="rate",
            code="rate.invalid",
            value=repr(text),
        ) from None
    if rate != rate.quantize(Decimal("0.01")) or rate < 0:
        raise ValidationError(
            "%(value)s is not a rate in percent (e.g. 19.00)",
            field="rate",
            code="rate.invalid",
            value=repr(text),
        )
    return int(rate * 100)


def contracts_of(tenant: Tenant | None = None) -> list[Contract]:
    """Contracts of one tenant, or of all (operator)."""
    stmt = select(Contract).order_by(Contract.id)
    if tenant is not None:
        with tenant_context(tenant):
            return list(session.scalars(stmt).unique())
    with cross_tenant("operator lists every tenant's contracts"):
        return list(session.scalars(stmt).unique())


def contract_by_id(contract_id: int) -> Contract:
    """A contract of any tenant (operator)."""
    with cross_tenant("operator addresses a contract by id"):
        contract = session.get(Contract, contract_id)
    if contract is None:
        raise NotFoundError(
            "no contract with id %(id)s", field="contract", code="contract.unknown", id=contract_id
        )
    return contract


def contract_as_dict(contract: Contract) -> dict[str, Any]:
    """A contract as JSON-ready data, for pages: the dump of
    :class:`~plugins.billing.output_schemas.BillingContractSchema` (as the API's)."""
    from plugins.billing.output_schemas import BillingContractSchema

    return BillingContractSchema().dump(contract)


def pool_allocation(key: str, today: dt.date | None = None) -> dict[str, Any]:
    """Every member's share of a pool per year, with totals per member.

    Shares of typed costs, staff costs and flat amounts have ``basis`` None; shares of
    a contract's billed fees (co-financing) name the contract basis and count the
    completed years only (before ``today``'s year), as the billing run does.
    """
    pool = session.scalar(select(CostPool).where(CostPool.key == key))
    if pool is None:
        raise NotFoundError(
            "no cost pool %(key)s", field="pool", code="pool.unknown", key=repr(key)
        )
    tenants = {
        t.id: t
        for t in session.scalars(
            select(Tenant).where(Tenant.id.in_([m.member_tenant_id for m in pool.members]))
        )
    }
    ags_of = {tenant_id: tenant.ags for tenant_id, tenant in tenants.items()}
    shares = [(share, None) for share in allocate(pool, ags_of)]
    this_year = (today or dt.date.today()).year
    for basis in pool.contract_costs:
        shares += [
            (share, basis.description)
            for _entry, year_shares in contract_shares(pool, basis, ags_of, this_year)
            for share in year_shares
            if share.cents > 0
        ]
    totals: dict[str, int] = {}
    for share, _basis in shares:
        slug = tenants[share.member.member_tenant_id].slug
        totals[slug] = totals.get(slug, 0) + share.cents
    return {
        "pool": pool.key,
        "name": pool.name,
        "allocation": pool.allocation.value,
        "shares": [
            {
                "year": s.year,
                "member": tenants[s.member.member_tenant_id].slug,
                "ags": s.ags,
                "amount": format_amount(s.cents),
                "basis": basis,
            }
            for s, basis in shares
        ],
        "totals": {slug: format_amount(cents) for slug, cents in sorted(totals.items())},
    }


def invoices_as_dicts(invoices: list[Invoice]) -> list[dict[str, Any]]:
    """Invoices as JSON-ready data, for pages and the personal data export: the dump of
    :class:`~plugins.billing.output_schemas.BillingInvoiceSchema` (as the API's)."""
    from plugins.billing.output_schemas import BillingInvoiceSchema

    return BillingInvoiceSchema(many=True).dump(invoices)
