"""What a tenant may see beyond the invoices it pays (issue 12 §4).

* A tenant that issues invoices itself (an issuer's ``own_tenant_id``, e.g. the
  Landkreis issuing the cost shares of a pool) sees the final invoices it issued.
* A pool member (or the issuing tenant) sees the pool's calculation behind its share.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core import NotFoundError, Tenant, session
from plugins.billing.describe import pool_allocation
from plugins.billing.invoice_models import Invoice, InvoiceStatus
from plugins.billing.party_models import Issuer
from plugins.billing.pool_models import CostPool


def issued_invoices(tenant: Tenant) -> list[Invoice]:
    """Final invoices and cancellations issued by issuers that are this tenant."""
    return list(
        session.scalars(
            select(Invoice)
            .join(Issuer, Issuer.id == Invoice.issuer_id)
            .where(Issuer.own_tenant_id == tenant.id, Invoice.status == InvoiceStatus.FINAL)
            .order_by(Invoice.id)
        ).unique()
    )


def pool_allocation_for(tenant: Tenant, key: str) -> dict[str, Any]:
    """The allocation of a pool the tenant is a member or the issuer of.

    :raises NotFoundError: no such pool, or the tenant takes no part in it.
    """
    pool = session.scalar(select(CostPool).where(CostPool.key == key))
    if pool is None or not (
        pool.issuer.own_tenant_id == tenant.id
        or any(member.member_tenant_id == tenant.id for member in pool.members)
    ):
        raise NotFoundError(
            "no cost pool %(key)s", field="pool", code="pool.unknown", key=repr(key)
        )
    return pool_allocation(key)
