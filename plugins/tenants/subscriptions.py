"""Connecting a tenant to services (Einzelabruf) and ending connections, audited.

Core's ``subscribe``/``end_subscription`` hold every rule (unknown service, required
services, no backdating unless allowed, no overlaps) and call the subscription
hooks; this module adds the audit entry and the operator's view of the result.
"""

from __future__ import annotations

import datetime as dt

from core import audit
from core.errors import ValidationError
from core.models import Subscription, Tenant
from core.services import end_subscription
from core.services import subscribe as subscribe_service
from plugins.tenants.masterdata import check_text
from plugins.tenants.registry import target

END_REASONS = ("ordinary", "special")


def subscribe(
    tenant: Tenant,
    service: str,
    *,
    starts_on: dt.date | None = None,
    contract_ref: str | None = None,
    allow_backdated: bool = False,
) -> Subscription:
    """Subscribe ``tenant`` to ``service`` from ``starts_on`` (default today) under the
    call-off ``contract_ref``; audited. The caller commits."""
    contract_ref = check_text(contract_ref, "contract", 100)
    subscription = subscribe_service(
        tenant,
        service,
        starts_on=starts_on,
        contract_ref=contract_ref,
        allow_backdated=allow_backdated,
    )
    audit.record(
        "subscription.started",
        target(tenant),
        tenant=tenant,
        details={
            "service": service,
            "starts_on": subscription.starts_on.isoformat(),
            "contract_ref": contract_ref,
            "backdated": subscription.starts_on < dt.date.today(),
        },
    )
    return subscription


def unsubscribe(
    tenant: Tenant, service: str, *, ends_on: dt.date, reason: str = "ordinary"
) -> Subscription:
    """Give the tenant's subscription its last day ``ends_on``: an ``ordinary`` notice
    or a ``special`` termination (Sonderkündigung); audited. The caller commits."""
    if reason not in END_REASONS:
        raise ValidationError(
            "must be one of %(end_reasons)s",
            field="reason",
            code="subscription.reason.unknown_choice",
            end_reasons=", ".join(END_REASONS),
        )
    subscription = end_subscription(tenant, service, ends_on=ends_on, reason=reason)
    audit.record(
        "subscription.ended",
        target(tenant),
        tenant=tenant,
        reason=f"{reason} termination",
        details={"service": service, "ends_on": ends_on.isoformat(), "end_reason": reason},
    )
    return subscription
