"""A charge: one item a billing run found due, before it becomes an invoice line.

Contracts, sponsorships and cost pools all produce charges
(:mod:`plugins.billing.contract_run`, :mod:`plugins.billing.pool_run`); the run groups
them into invoices per issuer and payer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from plugins.billing.vat import VatCategory


@dataclass(frozen=True)
class Charge:
    """One item due: becomes one invoice line."""

    item_key: str
    issuer_id: int
    payer_tenant_id: int | None
    sponsor_id: int | None
    vat_category: VatCategory
    vat_rate_bp: int
    description: str
    quantity: int
    unit_price_cents: int
    period_start: dt.date
    period_end: dt.date
    for_tenant_id: int | None = None
    service_key: str | None = None
    unit_code: str = "C62"
    budget_position: str | None = None

    @property
    def net_cents(self) -> int:
        """Line net = quantity × unit price, exactly."""
        return self.quantity * self.unit_price_cents

    @property
    def payer(self) -> str:
        """``t<id>`` for a tenant, ``s<id>`` for a sponsor."""
        return (
            f"t{self.payer_tenant_id}"
            if self.payer_tenant_id is not None
            else f"s{self.sponsor_id}"
        )
