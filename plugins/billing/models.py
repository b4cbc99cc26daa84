"""Billing's tables, all in one place: importing this module registers every one.

The tables live in modules by subject; this module imports them all, so that the
metadata is complete when core needs the whole schema (the export, and
``rathaus db revision --autogenerate``: :meth:`core.plugins.PluginHost.import_models`
imports every plugin's ``models``; the plugin itself does not import it on loading, so
a command of another plugin loads no billing table), and
re-exports their classes, so that ``from plugins.billing.models import Invoice`` keeps
working (tests and third-party code use it). Code in the plugin imports from the
subject's module:

* :mod:`plugins.billing.vat` — ``VatCategory``;
* :mod:`plugins.billing.party_models` — issuers and sponsors;
* :mod:`plugins.billing.contract_models` — tariffs, contracts, sponsorships,
  special termination rights;
* :mod:`plugins.billing.pool_models` — cost pools, their costs, subsidies, members,
  staff cost lines and contract bases;
* :mod:`plugins.billing.invoice_models` — invoices, lines, billed items, number counters;
* :mod:`plugins.billing.grant_models` — grants, their disbursement plans and payouts.

Money is stored as integer cents (``*_cents``), VAT rates as hundredths of a percent
(``vat_rate_bp``: 1900 = 19 %), so that SQLite and PostgreSQL agree to the cent.
"""

from __future__ import annotations

from plugins.billing.contract_models import (
    Contract,
    Interval,
    Proration,
    Sponsorship,
    Tariff,
    TariffMetric,
    TariffVersion,
    TerminationRight,
)
from plugins.billing.grant_models import Grant, GrantPayout, GrantShare
from plugins.billing.invoice_models import (
    BilledItem,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    NumberCounter,
)
from plugins.billing.party_models import Issuer, PartyData, Sponsor
from plugins.billing.pool_models import (
    Allocation,
    CostPool,
    PoolApproval,
    PoolContractCost,
    PoolCost,
    PoolMember,
    PoolStaffCost,
    PoolSubsidy,
    SubsidyStatus,
)
from plugins.billing.vat import VatCategory

__all__ = [
    "Allocation",
    "BilledItem",
    "Contract",
    "CostPool",
    "Grant",
    "GrantPayout",
    "GrantShare",
    "Interval",
    "Invoice",
    "InvoiceLine",
    "InvoiceStatus",
    "Issuer",
    "NumberCounter",
    "PartyData",
    "PoolApproval",
    "PoolContractCost",
    "PoolCost",
    "PoolMember",
    "PoolStaffCost",
    "PoolSubsidy",
    "Proration",
    "Sponsor",
    "Sponsorship",
    "SubsidyStatus",
    "Tariff",
    "TariffMetric",
    "TariffVersion",
    "TerminationRight",
    "VatCategory",
]
