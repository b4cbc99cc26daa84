"""The billing run: draft invoices for everything due in a month.

``run_billing(period)`` prices every contract active in the month (recurring fees in
advance, one-time fees, metered usage reported through ``billable_usage``) and every
cost pool billed in that month, leaves out what was billed before, and adds the rest
as lines to draft invoices — one per issuer, payer and VAT category (O and S never
share an invoice).

Idempotent and safe to run twice at once: every billed item has a natural key
(``contract:12:recurring:2024-03``, ``pool:3:45:2022``...) stored in
``billing_billed_item`` under a unique constraint, and each payer's draft has a
unique ``open_key``. A run that collides with another one rolls back the group it
was writing and retries it with what is still unbilled, so no item is billed twice
and no payer gets two drafts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core import Subscription, Tenant, cross_tenant, current_host, session, tenant_context
from plugins.billing import periods
from plugins.billing.budget import label as budget_label
from plugins.billing.charges import Charge
from plugins.billing.contracts import open_termination_rights, reconcile_contracts
from plugins.billing.models import (
    BilledItem,
    Contract,
    Interval,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Issuer,
    Proration,
    Sponsorship,
    Tariff,
    TariffVersion,
    VatCategory,
)
from plugins.billing.money import format_amount, prorate_cents, vat_cents
from plugins.billing.periods import Period
from plugins.billing.pool_run import changed_shares, pool_charges, pool_warnings
from plugins.billing.run_checks import unbilled_subscriptions

#: Groups written per transaction.
BATCH_SIZE = 500
#: How often a group that collided with a concurrent run is retried.
RETRIES = 3

#: Exemption reasons printed (and sent as BT-120/BT-121) per VAT category.
EXEMPTION_REASONS = {
    VatCategory.NOT_SUBJECT: (
        "Nicht steuerbar nach § 2b UStG (Zusammenarbeit juristischer Personen "
        "des öffentlichen Rechts)"
    ),
    VatCategory.EXEMPT: "Steuerfrei nach § 4 UStG",
}


@dataclass
class RunResult:
    """What a billing run did (or, dry, would do)."""

    period: str
    dry_run: bool = False
    contracts_reconciled: int = 0
    rights_opened: int = 0
    items_due: int = 0
    items_already_billed: int = 0
    lines_created: int = 0
    invoices_created: int = 0
    invoices_extended: int = 0
    net_cents: int = 0
    groups: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The summary for pages: the dump of
        :class:`~plugins.billing.output_schemas.BillingRunSchema` (what the API and
        ``--json`` answer), but the warnings as
        :class:`~plugins.billing.run_checks.RunWarning` objects, whose parts
        let a page say them in its language."""
        from plugins.billing.output_schemas import BillingRunSchema

        return {**BillingRunSchema().dump(self), "warnings": self.warnings}


# ---------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------


def run_billing(
    period: Period,
    *,
    issuer_key: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Create draft invoices for everything due in ``period`` (a month).

    :param issuer_key: only items of this issuer.
    :param dry_run: compute and report, write nothing (and roll back reconciling).
    :param progress: called with (invoice groups written, total groups) after each batch.
    """
    result = RunResult(period=period.label, dry_run=dry_run)
    result.contracts_reconciled = len(reconcile_contracts())
    result.rights_opened = len(open_termination_rights(period.end))
    result.warnings = unbilled_subscriptions(period) + pool_warnings(period, _issuer_id(issuer_key))
    if not dry_run:
        session.commit()
    # Items this period's runs billed before: known without asking services again.
    billed_now = set(
        session.scalars(select(BilledItem.item_key).where(BilledItem.period == period.label))
    )
    charges, skipped = due_charges(period, issuer_key, billed=billed_now)
    result.warnings += changed_shares(charges)
    if dry_run:
        session.rollback()
    unknown = [charge.item_key for charge in charges if charge.item_key not in billed_now]
    claimed = billed_now | claimed_keys(unknown)
    fresh = [charge for charge in charges if charge.item_key not in claimed]
    result.items_due = len(charges) + skipped
    result.items_already_billed = len(charges) - len(fresh) + skipped
    groups = group_charges(fresh)
    if dry_run:
        result.groups = [_group_summary(key, items) for key, items in groups.items()]
        result.net_cents = sum(charge.net_cents for charge in fresh)
        _count_preview(period, groups, result)
        return result
    keys = list(groups)
    for start in range(0, len(keys), BATCH_SIZE):
        batch = {key: groups[key] for key in keys[start : start + BATCH_SIZE]}
        _write_batch(period, batch, result)
        if progress is not None:
            progress(start + len(batch), len(keys))
    return result


def _issuer_id(issuer_key: str | None) -> int | None:
    if issuer_key is None:
        return None
    from plugins.billing.parties import issuer_by_key

    return issuer_by_key(issuer_key).id


def _count_preview(
    period: Period, groups: dict[tuple[int, str, VatCategory], list[Charge]], result: RunResult
) -> None:
    """The counts the real run would report: new drafts, extended drafts, lines."""
    keys = [open_key(period, key) for key in groups]
    existing = set(session.scalars(select(Invoice.open_key).where(Invoice.open_key.in_(keys))))
    result.invoices_extended = len(existing)
    result.invoices_created = len(keys) - len(existing)
    result.lines_created = sum(len(charges) for charges in groups.values())


def _group_summary(key: tuple[int, str, VatCategory], charges: list[Charge]) -> dict[str, Any]:
    issuer_id, payer, category = key
    return {
        "issuer_id": issuer_id,
        "payer": payer,
        "vat_category": category.value,
        "lines": len(charges),
        "net": format_amount(sum(charge.net_cents for charge in charges)),
    }


def group_charges(charges: Iterable[Charge]) -> dict[tuple[int, str, VatCategory], list[Charge]]:
    """Charges by (issuer, payer, VAT category): one invoice each, in a stable order."""
    groups: dict[tuple[int, str, VatCategory], list[Charge]] = defaultdict(list)
    for charge in charges:
        groups[(charge.issuer_id, charge.payer, charge.vat_category)].append(charge)
    return dict(sorted(groups.items(), key=lambda item: (item[0][0], item[0][1], item[0][2].value)))


def claimed_keys(keys: list[str]) -> set[str]:
    """Which of ``keys`` are billed already."""
    claimed: set[str] = set()
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        claimed.update(
            session.scalars(select(BilledItem.item_key).where(BilledItem.item_key.in_(chunk)))
        )
    return claimed


# ---------------------------------------------------------------------------------
# What is due
# ---------------------------------------------------------------------------------


def due_charges(
    period: Period, issuer_key: str | None = None, billed: set[str] | None = None
) -> tuple[list[Charge], int]:
    """Every item due in ``period`` (the run leaves out billed ones), and how many
    metered items were skipped because ``billed`` holds them already (their services
    are not asked for quantities again)."""
    contract_items, skipped = contract_charges(period, billed or set())
    charges = contract_items + pool_charges(period)
    if issuer_key is not None:
        from plugins.billing.parties import issuer_by_key

        issuer_id = issuer_by_key(issuer_key).id
        charges = [charge for charge in charges if charge.issuer_id == issuer_id]
    return charges, skipped


@dataclass
class _Pricing:
    """What pricing one period needs, loaded once."""

    period: Period
    issuer_of_version: dict[int, int]
    tariff_names: dict[int, str]
    sponsorships: dict[str, list[Sponsorship]]
    billed: set[str]
    skipped: int = 0
    subscriptions: dict[int, Subscription] = field(default_factory=dict)
    versions: dict[int, TariffVersion] = field(default_factory=dict)


def contract_charges(period: Period, billed: set[str] | None = None) -> tuple[list[Charge], int]:
    """Fees and usage of every contract active in ``period``; usage items in
    ``billed`` are skipped (counted in the second value)."""
    pricing = _Pricing(
        period=period,
        issuer_of_version=dict(
            session.execute(select(TariffVersion.id, Tariff.issuer_id).join(Tariff)).all()
        ),
        tariff_names=dict(
            session.execute(select(TariffVersion.id, Tariff.name).join(Tariff)).all()
        ),
        sponsorships=defaultdict(list),
        billed=billed or set(),
    )
    for sponsorship in session.scalars(
        select(Sponsorship).order_by(Sponsorship.starts_on, Sponsorship.id)
    ):
        pricing.sponsorships[sponsorship.service_key].append(sponsorship)
    pricing.versions = {version.id: version for version in session.scalars(select(TariffVersion))}
    charges: list[Charge] = []
    with cross_tenant("the billing run prices every tenant's contracts"):
        # Plain rows, not ORM objects: a run reads every contract, and building
        # tens of thousands of instances would cost more than the pricing itself.
        rows = session.execute(
            select(
                *Contract.__table__.columns,
                Tenant.ags,
                Tenant.display_name,
                Tenant.name.label("tenant_name"),
            )
            .join(Tenant, Tenant.id == Contract.tenant_id)
            .where(Contract.billable_from <= period.end)
            .where((Contract.ends_on.is_(None)) | (Contract.ends_on >= period.start))
            .order_by(Contract.id)
        ).all()
        metered = [
            row
            for row in rows
            if pricing.versions[row.tariff_version_id].metrics and _needs_usage(pricing, row)
        ]
        pricing.subscriptions = _metered_subscriptions(metered)
        for row in rows:
            charges.extend(
                _contract_charges(pricing, row, row.ags, row.display_name or row.tenant_name)
            )
    return charges, pricing.skipped


def _needs_usage(pricing: _Pricing, contract: Any) -> bool:
    """Whether services must be asked for the contract's quantities in this run:
    not when its fee for the period was billed already (quantities are read once,
    when the period is first billed)."""
    version = pricing.versions[contract.tariff_version_id]
    billed = _billed_period(version, contract, pricing.period)
    return (
        billed is not None
        and f"contract:{contract.id}:recurring:{billed.label}" not in pricing.billed
    )


def _metered_subscriptions(contracts: list[Any]) -> dict[int, Subscription]:
    """The subscriptions (with tenants) the usage hook gets, loaded in a few queries,
    so that asking services for quantities costs no query per contract."""
    ids = [contract.subscription_id for contract in contracts]
    found: dict[int, Subscription] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        stmt = (
            select(Subscription)
            .options(selectinload(Subscription.tenant))
            .where(Subscription.id.in_(chunk))
        )
        found.update({subscription.id: subscription for subscription in session.scalars(stmt)})
    return found


def _contract_charges(
    pricing: _Pricing, contract: Any, ags: str, tenant_title: str
) -> list[Charge]:
    """The charges of one contract (a row of ``billing_contract``)."""
    version = pricing.versions[contract.tariff_version_id]
    title = pricing.tariff_names[contract.tariff_version_id]
    charges = []
    billed = _billed_period(version, contract, pricing.period)
    if contract.one_time_fee_due and contract.billable_from <= pricing.period.end:
        charges.append(
            _charge(
                pricing,
                contract,
                ags,
                tenant_title,
                "one_time",
                item_key=f"contract:{contract.id}:one-time",
                description=f"{title}: einmalige Anschlussgebühr",
                unit_price=version.one_time_fee_cents,
                start=contract.billable_from,
                end=contract.billable_from,
            )
        )
    if billed is None:
        return charges
    fee = _recurring_fee(version, contract, billed)
    if fee is not None:
        cents, note = fee
        charges.append(
            _charge(
                pricing,
                contract,
                ags,
                tenant_title,
                "recurring",
                item_key=f"contract:{contract.id}:recurring:{billed.label}",
                description=f"{version.description} {billed.label}{note}",
                unit_price=cents,
                start=max(billed.start, contract.billable_from),
                end=min(billed.end, contract.ends_on or billed.end),
            )
        )
    charges.extend(_usage_charges(pricing, contract, ags, tenant_title, billed))
    return charges


def _billed_period(version: TariffVersion, contract: Any, period: Period) -> Period | None:
    """The fee period billed in ``period``: the month, or a year in its first billable month."""
    if version.interval == Interval.MONTHLY:
        return period
    year = periods.year(period.start.year)
    first_day = max(year.start, contract.billable_from)
    if not period.contains(first_day):
        return None
    if contract.ends_on is not None and contract.ends_on < first_day:
        return None
    return year


def _recurring_fee(version: TariffVersion, contract: Any, billed: Period) -> tuple[int, str] | None:
    """The fee for ``billed`` and a note on proration; None when nothing is charged."""
    if version.recurring_fee_cents <= 0:
        return None
    covered = billed.overlap_days(contract.billable_from, contract.ends_on)
    if covered == 0:
        return None
    if covered == billed.days or version.proration == Proration.WHOLE_PERIOD:
        return version.recurring_fee_cents, ""
    if version.proration == Proration.NONE:
        return None
    cents = prorate_cents(version.recurring_fee_cents, covered, billed.days)
    return cents, f" (anteilig {covered}/{billed.days} Tage)"


def _usage_charges(
    pricing: _Pricing, contract: Any, ags: str, tenant_title: str, billed: Period
) -> list[Charge]:
    metrics = pricing.versions[contract.tariff_version_id].metrics
    if not metrics:
        return []
    if contract.subscription_id not in pricing.subscriptions:
        pricing.skipped += len(metrics)
        return []
    reported = billable_usage(contract, billed, pricing.subscriptions.get(contract.subscription_id))
    charges = []
    for metric in metrics:
        quantity = reported.get(metric.metric, 0)
        if metric.unit_price_cents > 0:
            quantity = max(0, quantity - metric.included)
        if quantity <= 0:
            continue
        note = (
            f", {metric.included} inklusive"
            if metric.unit_price_cents > 0 and metric.included
            else ""
        )
        charges.append(
            _charge(
                pricing,
                contract,
                ags,
                tenant_title,
                "recurring",
                item_key=f"contract:{contract.id}:usage:{metric.metric}:{billed.label}",
                description=f"{metric.description} {billed.label}{note}",
                unit_price=metric.unit_price_cents,
                quantity=quantity,
                start=max(billed.start, contract.billable_from),
                end=min(billed.end, contract.ends_on or billed.end),
            )
        )
    return charges


def billable_usage(
    contract: Any, billed: Period, subscription: Subscription | None = None
) -> dict[str, int]:
    """Quantities the service plugins report for the contract's subscription (hook)."""
    hook = current_host().hook
    with tenant_context(contract.tenant_id):
        subscription = subscription or session.get(Subscription, contract.subscription_id)
        totals: dict[str, int] = defaultdict(int)
        for answer in hook.billable_usage(subscription=subscription, period=billed):
            for metric, quantity in (answer or {}).items():
                totals[metric] += int(quantity)
    return dict(totals)


def _charge(
    pricing: _Pricing,
    contract: Any,
    ags: str,
    tenant_title: str,
    kind: str,
    *,
    item_key: str,
    description: str,
    unit_price: int,
    start: dt.date,
    end: dt.date,
    quantity: int = 1,
) -> Charge:
    sponsorship = _sponsor_for(pricing, contract, ags, kind, start)
    if sponsorship is not None:
        description = f"{description} – für {tenant_title}"
    return Charge(
        item_key=item_key,
        issuer_id=pricing.issuer_of_version[contract.tariff_version_id],
        payer_tenant_id=None if sponsorship else contract.tenant_id,
        sponsor_id=sponsorship.sponsor_id if sponsorship else None,
        vat_category=contract.vat_category,
        vat_rate_bp=contract.vat_rate_bp,
        description=description,
        quantity=quantity,
        unit_price_cents=unit_price,
        period_start=start,
        period_end=end,
        for_tenant_id=contract.tenant_id,
        service_key=contract.service_key,
        # The budget is the tenant's: a sponsor's invoice carries none.
        budget_position=None
        if sponsorship
        else budget_label(contract.budget_product, contract.budget_account),
    )


def _sponsor_for(
    pricing: _Pricing, contract: Any, ags: str, kind: str, day: dt.date
) -> Sponsorship | None:
    """The sponsorship paying this kind of fee; it must cover the charged period's first day."""
    for sponsorship in pricing.sponsorships.get(contract.service_key, ()):
        pays = sponsorship.covers_one_time if kind == "one_time" else sponsorship.covers_recurring
        if pays and sponsorship.covers(ags, day):
            return sponsorship
    return None


# ---------------------------------------------------------------------------------
# Writing drafts
# ---------------------------------------------------------------------------------


def open_key(period: Period, key: tuple[int, str, VatCategory]) -> str:
    """The unique key of a payer's open draft for the period."""
    issuer_id, payer, category = key
    return f"{issuer_id}:{payer}:{period.label}:{category.value}"


def _write_batch(
    period: Period, batch: dict[tuple[int, str, VatCategory], list[Charge]], result: RunResult
) -> None:
    """Write a batch in one transaction; on a collision, group by group with retries."""
    try:
        counts = _write_groups(period, batch)
        session.commit()
        written = [charges for charges in batch.values()]
    except IntegrityError:
        session.rollback()
        written = []
        counts = (0, 0, 0)
        for key, charges in batch.items():
            group_counts, fresh = _write_group_retrying(period, key, charges)
            counts = tuple(a + b for a, b in zip(counts, group_counts, strict=True))  # type: ignore[assignment]
            written.append(fresh)
    result.invoices_created += counts[0]
    result.invoices_extended += counts[1]
    result.lines_created += counts[2]
    result.net_cents += sum(charge.net_cents for charges in written for charge in charges)


def _write_group_retrying(
    period: Period, key: tuple[int, str, VatCategory], charges: list[Charge]
) -> tuple[tuple[int, int, int], list[Charge]]:
    """Write one group with what a concurrent run has not billed meanwhile."""
    for _attempt in range(RETRIES):
        claimed = claimed_keys([charge.item_key for charge in charges])
        fresh = [charge for charge in charges if charge.item_key not in claimed]
        if not fresh:
            return (0, 0, 0), []
        try:
            counts = _write_groups(period, {key: fresh})
            session.commit()
            return counts, fresh
        except IntegrityError:
            session.rollback()
    raise RuntimeError(f"could not write the invoice group {key} after {RETRIES} attempts")


def _write_groups(
    period: Period, groups: dict[tuple[int, str, VatCategory], list[Charge]]
) -> tuple[int, int, int]:
    """Insert drafts (or extend open ones), lines and claims; returns the counts."""
    keys = {open_key(period, key): key for key in groups}
    existing = {
        invoice.open_key: invoice
        for invoice in session.scalars(select(Invoice).where(Invoice.open_key.in_(list(keys))))
    }
    new_rows = [
        _draft_row(period, group_key, groups[group_key], okey)
        for okey, group_key in keys.items()
        if okey not in existing
    ]
    ids: dict[str, int] = {okey: invoice.id for okey, invoice in existing.items()}
    if new_rows:
        returned = session.execute(
            insert(Invoice).returning(Invoice.id, Invoice.open_key, sort_by_parameter_order=True),
            new_rows,
        ).all()
        ids.update({row.open_key: row.id for row in returned})
    first_position = _next_positions([existing[k].id for k in existing])
    line_rows, claim_rows = [], []
    for okey, group_key in keys.items():
        invoice_id = ids[okey]
        position = first_position.get(invoice_id, 1)
        for offset, charge in enumerate(groups[group_key]):
            line_rows.append(_line_row(invoice_id, position + offset, charge))
            claim_rows.append(
                {"item_key": charge.item_key, "period": period.label, "invoice_id": invoice_id}
            )
    session.execute(insert(BilledItem), claim_rows)
    session.execute(insert(InvoiceLine), line_rows)
    for okey in existing:
        refresh_totals(existing[okey])
    session.flush()
    return len(new_rows), len(existing), len(line_rows)


def _next_positions(invoice_ids: list[int]) -> dict[int, int]:
    if not invoice_ids:
        return {}
    rows = session.execute(
        select(InvoiceLine.invoice_id, func.max(InvoiceLine.position))
        .where(InvoiceLine.invoice_id.in_(invoice_ids))
        .group_by(InvoiceLine.invoice_id)
    ).all()
    return {invoice_id: (last or 0) + 1 for invoice_id, last in rows}


def _draft_row(
    period: Period, key: tuple[int, str, VatCategory], charges: list[Charge], okey: str
) -> dict[str, Any]:
    issuer_id, _payer, category = key
    net, vat = totals_of(
        (charge.vat_category, charge.vat_rate_bp, charge.net_cents) for charge in charges
    )
    first = charges[0]
    return {
        "issuer_id": issuer_id,
        "payer_tenant_id": first.payer_tenant_id,
        "sponsor_id": first.sponsor_id,
        "status": InvoiceStatus.DRAFT,
        "type_code": "380",
        "open_key": okey,
        "period": period.label,
        "vat_category": category,
        "exemption_reason": EXEMPTION_REASONS.get(category),
        "service_start": min(charge.period_start for charge in charges),
        "service_end": max(charge.period_end for charge in charges),
        "net_cents": net,
        "vat_cents": vat,
        "gross_cents": net + vat,
        "seller": {},
        "buyer": {},
    }


def _line_row(invoice_id: int, position: int, charge: Charge) -> dict[str, Any]:
    return {
        "invoice_id": invoice_id,
        "position": position,
        "item_key": charge.item_key,
        "description": charge.description[:300],
        "for_tenant_id": charge.for_tenant_id,
        "service_key": charge.service_key,
        "quantity": charge.quantity,
        "unit_code": charge.unit_code,
        "unit_price_cents": charge.unit_price_cents,
        "net_cents": charge.net_cents,
        "vat_category": charge.vat_category,
        "vat_rate_bp": charge.vat_rate_bp,
        "period_start": charge.period_start,
        "period_end": charge.period_end,
        "budget_position": charge.budget_position,
    }


def totals_of(lines: Iterable[tuple[VatCategory, int, int]]) -> tuple[int, int]:
    """Net and VAT of lines given as (category, rate, net): VAT per category and rate
    on the category total (never summed per line)."""
    by_rate: dict[tuple[VatCategory, int], int] = defaultdict(int)
    for category, rate, net in lines:
        by_rate[(category, rate)] += net
    net = sum(by_rate.values())
    vat = sum(vat_cents(amount, rate) for (_category, rate), amount in by_rate.items())
    return net, vat


def refresh_totals(invoice: Invoice) -> None:
    """Recompute a draft's totals and service period from its lines."""
    session.refresh(invoice, ["lines"])
    lines = invoice.lines
    invoice.net_cents, invoice.vat_cents = totals_of(
        (line.vat_category, line.vat_rate_bp, line.net_cents) for line in lines
    )
    invoice.gross_cents = invoice.net_cents + invoice.vat_cents
    invoice.service_start = min(line.period_start for line in lines)
    invoice.service_end = max(line.period_end for line in lines)


def issuer_of(invoice: Invoice) -> Issuer:
    """The invoice's issuer (loaded with it)."""
    return invoice.issuer
