"""What a billing run cannot bill, said aloud instead of silently creating nothing."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import or_, select

from core import Subscription, Tenant, TenantStatus, cross_tenant, session
from plugins.billing.contract_models import Contract, Tariff
from plugins.billing.periods import Period

#: Slugs named per warning before "and N more".
SHOWN = 5


class RunWarning(str):
    """A run's warning: English text for the command line and the API, and its parts
    (count, service, the tenants named, how many more, priced) for pages to say it in
    their language."""

    count: int
    service: str
    tenants: list[str]
    more: int
    priced: bool


def unbilled_subscriptions(period: Period) -> list[RunWarning]:
    """One warning per service whose subscriptions, running in ``period`` at active
    tenants, have no contract (and so are not billed): with the reason and the
    tenants. Call it after reconciling contracts."""
    priced = set(session.scalars(select(Tariff.service_key)))
    with cross_tenant("billing lists subscriptions without contracts for the run's warnings"):
        rows = session.execute(
            select(Subscription.service_key, Tenant.slug)
            .join(Tenant, Tenant.id == Subscription.tenant_id)
            .outerjoin(Contract, Contract.subscription_id == Subscription.id)
            .where(
                Contract.id.is_(None),
                Tenant.status == TenantStatus.ACTIVE,
                Subscription.starts_on <= period.end,
                or_(Subscription.ends_on.is_(None), Subscription.ends_on >= period.start),
            )
            .order_by(Subscription.service_key, Tenant.slug)
        ).all()
    by_service: dict[str, list[str]] = defaultdict(list)
    for service, slug in rows:
        by_service[service].append(slug)
    return [_warning(service, slugs, service in priced) for service, slugs in by_service.items()]


def _warning(service: str, slugs: list[str], priced: bool) -> RunWarning:
    named = ", ".join(slugs[:SHOWN])
    if len(slugs) > SHOWN:
        named += f" and {len(slugs) - SHOWN} more"
    why = "no contract" if priced else "no tariff (add one with rathaus billing apply)"
    warning = RunWarning(
        f"{len(slugs)} active subscription(s) to {service} are not billed: {why}; tenants {named}"
    )
    warning.count, warning.service, warning.priced = len(slugs), service, priced
    warning.tenants, warning.more = slugs[:SHOWN], max(len(slugs) - SHOWN, 0)
    return warning
