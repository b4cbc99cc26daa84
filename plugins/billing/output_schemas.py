"""What billing answers: one marshmallow schema per shape of output.

The API's ``@blp.response`` and the commands' ``--json`` both emit ``Schema().dump(obj)``,
so each shape is described once and the OpenAPI document says what a client gets.
Schemas of domain objects (invoices, contracts, rights, a run's result) dump the objects
themselves; schemas of computed reports (a year's totals, a pool's allocation) describe
the plain data their functions build. Amounts are strings with two decimals
(``"750.00"``), rates percentages as strings (``"19.00"``), days ISO 8601.

Pool and grant answers live beside their input schemas (:mod:`~plugins.billing.pool_schemas`,
:mod:`~plugins.billing.grant_schemas`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from sqlalchemy import select

from core import Tenant, session
from plugins.billing.money import format_amount, rate_from_basis_points

# ---------------------------------------------------------------------------------
# Field types
# ---------------------------------------------------------------------------------


class Cents(ma.fields.String):
    """Integer cents dumped as an amount string: ``75000`` -> ``"750.00"``."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else format_amount(value)


class BasisPoints(ma.fields.String):
    """A rate in hundredths of a percent dumped as a percentage: ``1900`` -> ``"19.00"``."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{rate_from_basis_points(value):.2f}"


def text(function: Callable[[Any], Any], **kwargs: Any) -> ma.fields.Function:
    """A string computed from the dumped object (typed as a string in OpenAPI)."""
    return ma.fields.Function(function, metadata={"type": "string"}, **kwargs)


class Derived(ma.fields.Nested):
    """A nested object computed from the dumped object by ``function``, e.g. an
    invoice's service period from its two date columns."""

    def __init__(self, nested: Any, function: Callable[[Any], Any], **kwargs: Any) -> None:
        super().__init__(nested, **kwargs)
        self.function = function

    def get_value(
        self, obj: Any, attr: str, accessor: Any = None, default: Any = ma.missing
    ) -> Any:
        return self.function(obj)


def tenant_slug(tenant_id: int) -> str:
    """The slug of a tenant by id (tenants are not scoped: any tenant's)."""
    return session.scalar(select(Tenant.slug).where(Tenant.id == tenant_id))


# ---------------------------------------------------------------------------------
# Invoices
# ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceLookups:
    """What an invoice's description needs beyond the invoice, read once per dump:
    which invoices a cancellation references, and tenants' slugs by id."""

    cancelled: set[int]
    slugs: dict[int, str]

    @classmethod
    def of(cls, invoices: Iterable[Any]) -> InvoiceLookups:
        from plugins.billing.invoices import cancelled_ids

        invoices = list(invoices)
        named = {line.for_tenant_id for invoice in invoices for line in invoice.lines} - {None}
        # Only the tenants the lines name (a pool invoice names its members), not all.
        slugs = (
            dict(session.execute(select(Tenant.id, Tenant.slug).where(Tenant.id.in_(named))).all())
            if named
            else {}
        )
        return cls(cancelled_ids() if invoices else set(), slugs)


# Set at the start of every dump of invoices (per thread and task, as a context variable,
# because flask-smorest shares one schema instance between requests).
_LOOKUPS: ContextVar[InvoiceLookups] = ContextVar("billing_invoice_lookups")


def _status(invoice: Any) -> str:
    from plugins.billing.invoices import status_of

    return status_of(invoice, _LOOKUPS.get().cancelled)


def _for_tenant(line: Any) -> str | None:
    return _LOOKUPS.get().slugs.get(line.for_tenant_id) if line.for_tenant_id else None


def _payer(invoice: Any) -> dict[str, Any]:
    from plugins.billing.invoices import payer_of

    return payer_of(invoice)


class BillingPeriodSchema(ma.Schema):
    """A span of days."""

    start = ma.fields.Date()
    end = ma.fields.Date()


class BillingInvoiceLineSchema(ma.Schema):
    """An invoice line."""

    position = ma.fields.Integer()
    description = ma.fields.String()
    for_tenant = text(_for_tenant, allow_none=True)
    quantity = ma.fields.Integer()
    unit_price = Cents(attribute="unit_price_cents")
    net = Cents(attribute="net_cents")
    vat_category = ma.fields.String(attribute="vat_category.value")
    vat_rate = BasisPoints(attribute="vat_rate_bp")
    service_period = Derived(
        BillingPeriodSchema, lambda line: {"start": line.period_start, "end": line.period_end}
    )
    budget_position = ma.fields.String(allow_none=True)


class BillingPayerSchema(ma.Schema):
    """Who pays."""

    kind = ma.fields.String()
    key = ma.fields.String()
    name = ma.fields.String()


class BillingPrecedingSchema(ma.Schema):
    """The invoice a cancellation refers to."""

    number = ma.fields.String()
    issue_date = ma.fields.Date()


class BillingInvoiceSchema(ma.Schema):
    """An invoice or cancellation document (amounts as strings with two decimals).

    Dumps :class:`~plugins.billing.models.Invoice` objects.
    """

    id = ma.fields.Integer()
    number = ma.fields.String(allow_none=True)
    type = text(lambda invoice: "cancellation" if invoice.type_code == "381" else "invoice")
    type_code = ma.fields.String()
    issuer = ma.fields.String(attribute="issuer.key")
    payer = Derived(BillingPayerSchema, _payer)
    issue_date = ma.fields.Date(allow_none=True)
    due_date = ma.fields.Date(allow_none=True)
    period = ma.fields.String()
    service_period = Derived(
        BillingPeriodSchema,
        lambda invoice: {"start": invoice.service_start, "end": invoice.service_end},
    )
    vat_category = ma.fields.String(attribute="vat_category.value")
    net = Cents(attribute="net_cents")
    vat = Cents(attribute="vat_cents")
    gross = Cents(attribute="gross_cents")
    status = text(_status)
    preceding_invoice = ma.fields.Nested(
        BillingPrecedingSchema, attribute="cancels", allow_none=True
    )
    cancel_reason = ma.fields.String(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(BillingInvoiceLineSchema))

    @ma.pre_dump(pass_collection=True)
    def _look_up(self, data: Any, many: bool, **kwargs: Any) -> Any:
        _LOOKUPS.set(InvoiceLookups.of(data if many else [data]))
        return data


# ---------------------------------------------------------------------------------
# Contracts and termination rights
# ---------------------------------------------------------------------------------


class BillingContractSchema(ma.Schema):
    """A contract: pinned tariff version, VAT treatment, references and terms.

    Dumps :class:`~plugins.billing.models.Contract` objects.
    """

    id = ma.fields.Integer()
    tenant = text(lambda contract: tenant_slug(contract.tenant_id))
    service = ma.fields.String(attribute="service_key")
    tariff = ma.fields.String(attribute="version.tariff.key")
    tariff_version = ma.fields.Date(attribute="version.valid_from")
    starts_on = ma.fields.Date()
    billable_from = ma.fields.Date()
    ends_on = ma.fields.Date(allow_none=True)
    end_reason = ma.fields.String(allow_none=True)
    vat_category = ma.fields.String(attribute="vat_category.value")
    vat_rate = BasisPoints(attribute="vat_rate_bp")
    framework_ref = ma.fields.String(allow_none=True)
    call_off_ref = ma.fields.String(allow_none=True)
    minimum_term_months = ma.fields.Integer()
    notice_period_months = ma.fields.Integer()
    budget_position = ma.fields.String(allow_none=True)


class BillingTerminationRightSchema(ma.Schema):
    """A special termination right (dumps
    :class:`~plugins.billing.models.TerminationRight` objects)."""

    id = ma.fields.Integer()
    contract_id = ma.fields.Integer()
    tenant = text(lambda right: tenant_slug(right.tenant_id))
    service = ma.fields.String(attribute="contract.service_key")
    sponsorship = ma.fields.String(attribute="sponsorship.key")
    opens_on = ma.fields.Date()
    closes_on = ma.fields.Date()
    used_on = ma.fields.Date(allow_none=True)


class BillingReconciledSchema(ma.Schema):
    """A contract created for a subscription made before its tariff existed."""

    id = ma.fields.Integer()
    tenant_id = ma.fields.Integer()
    service = ma.fields.String(attribute="service_key")


class BillingReconcileResultSchema(ma.Schema):
    """What reconciling created."""

    created = ma.fields.List(ma.fields.Nested(BillingReconciledSchema))


# ---------------------------------------------------------------------------------
# Configuration, runs, finalisation, reports
# ---------------------------------------------------------------------------------


class BillingConfigChangesSchema(ma.Schema):
    """The keys a configuration changed (or, dry, would change), per kind."""

    issuers = ma.fields.List(ma.fields.String())
    sponsors = ma.fields.List(ma.fields.String())
    tariffs = ma.fields.List(ma.fields.String())
    sponsorships = ma.fields.List(ma.fields.String())
    pools = ma.fields.List(ma.fields.String())
    grants = ma.fields.List(ma.fields.String())


class BillingConfigResultSchema(ma.Schema):
    """What applying a configuration changed."""

    changed = ma.fields.Nested(BillingConfigChangesSchema)
    warnings = ma.fields.List(ma.fields.String())
    dry_run = ma.fields.Boolean()


class BillingRunGroupSchema(ma.Schema):
    """The charges of one invoice a run writes (issuer, payer, VAT category)."""

    issuer_id = ma.fields.Integer()
    payer = ma.fields.String()
    vat_category = ma.fields.String()
    lines = ma.fields.Integer()
    net = ma.fields.String()


class BillingRunSchema(ma.Schema):
    """What a billing run did (or, dry, would do); dumps a
    :class:`~plugins.billing.run.RunResult` (``groups``: a dry run's invoices)."""

    period = ma.fields.String()
    dry_run = ma.fields.Boolean()
    contracts_reconciled = ma.fields.Integer()
    rights_opened = ma.fields.Integer()
    items_due = ma.fields.Integer()
    items_already_billed = ma.fields.Integer()
    lines_created = ma.fields.Integer()
    invoices_created = ma.fields.Integer()
    invoices_extended = ma.fields.Integer()
    net = Cents(attribute="net_cents")
    groups = ma.fields.List(ma.fields.Nested(BillingRunGroupSchema))
    warnings = ma.fields.List(ma.fields.String())


class BillingSkippedDraftSchema(ma.Schema):
    """A draft finalisation skipped, and why."""

    id = ma.fields.Integer()
    reason = ma.fields.String()


class BillingFinalizeResultSchema(ma.Schema):
    """The numbers drafts were given, and the drafts skipped."""

    finalized = ma.fields.List(ma.fields.String())
    skipped = ma.fields.List(ma.fields.Nested(BillingSkippedDraftSchema))


class BillingAmountsSchema(ma.Schema):
    """Net, VAT and gross."""

    net = ma.fields.String()
    vat = ma.fields.String()
    gross = ma.fields.String()


class BillingPayerTotalSchema(ma.Schema):
    """A payer's billed amounts of a year."""

    payer = ma.fields.String()
    net = ma.fields.String()
    vat = ma.fields.String()
    gross = ma.fields.String()


class BillingServiceTotalSchema(ma.Schema):
    """A service's billed net amount of a year."""

    service = ma.fields.String()
    net = ma.fields.String()


class BillingYearReportSchema(ma.Schema):
    """Billed amounts of a year per payer and per service
    (:func:`~plugins.billing.reports.yearly_report`)."""

    year = ma.fields.Integer()
    payers = ma.fields.List(ma.fields.Nested(BillingPayerTotalSchema))
    services = ma.fields.List(ma.fields.Nested(BillingServiceTotalSchema))
    total = ma.fields.Nested(BillingAmountsSchema)


class BillingPoolShareSchema(ma.Schema):
    """A member's share of a pool in a year; ``basis`` names the contract whose billed
    fees are shared (co-financing), else null."""

    year = ma.fields.Integer()
    member = ma.fields.String()
    ags = ma.fields.String()
    amount = ma.fields.String()
    basis = ma.fields.String(allow_none=True)


class BillingPoolAllocationSchema(ma.Schema):
    """Every member's share of a pool per year, with totals per member slug
    (:func:`~plugins.billing.describe.pool_allocation`)."""

    pool = ma.fields.String()
    name = ma.fields.String()
    allocation = ma.fields.String()
    shares = ma.fields.List(ma.fields.Nested(BillingPoolShareSchema))
    totals = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
