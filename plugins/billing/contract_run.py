"""What the billing run charges for contracts.

* Recurring fees, billed in advance: a monthly fee in every month, a yearly fee in
  the first billable month of the year (January, or the connection month); a period
  only partly covered is charged as the tariff version's proration says.
* The one-time fee, once, from the connection month on.
* Tracked quantities (``billable_usage`` hook) for the fee period, above what the
  tariff includes; services are asked only when the period's fee is not billed yet.
* A sponsorship pays a fee when it covers the charged period's first day; the charge
  then goes to the sponsor, names the tenant and carries no budget position.

The cost pools' charges are :mod:`plugins.billing.pool_run`'s; the run
(:mod:`plugins.billing.run`) puts both together.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import Subscription, Tenant, cross_tenant, current_host, session, tenant_context
from plugins.billing import periods
from plugins.billing.budget import label as budget_label
from plugins.billing.charges import Charge
from plugins.billing.contract_models import (
    Contract,
    Interval,
    Proration,
    Sponsorship,
    Tariff,
    TariffVersion,
)
from plugins.billing.money import prorate_cents
from plugins.billing.periods import Period


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
