"""Tenants' subscriptions to the services of the catalogue (:mod:`core.manifests`).

A tenant subscribes to services one at a time (the Einzelabruf of the NRW re-use
model); a :class:`~core.models.Subscription` records the period. Subscribing and
ending validate everything first and emit ``subscription_started`` /
``subscription_ended``; nothing is written when a rule is broken.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, g
from sqlalchemy import bindparam, or_, select

from core import audit
from core.db import session
from core.errors import ConflictError, NotFoundError, ValidationError
from core.manifests import (  # noqa: F401 - plugins import the catalogue from here too
    EXTENSION_KEY,
    OZG_THEMENFELDER,
    RESERVED_SERVICE_KEYS,
    Catalogue,
    ServiceManifest,
    catalogue,
    check_requirements,
)
from core.models import Subscription, Tenant, TenantStatus
from core.plugins import current_host
from core.tenancy import tenant_context
from core.tenant_directory import directory_of

#: Reasons a subscription can end with.
END_REASONS = ("ordinary", "special", "offboarding")
#: The reasons a person may choose when ending a subscription; ``offboarding`` is
#: set by the offboarding itself.
NOTICE_REASONS = ("ordinary", "special")

# ---------------------------------------------------------------------------------
# Subscriptions
# ---------------------------------------------------------------------------------


def subscriptions_of(tenant: Tenant, service_key: str | None = None) -> list[Subscription]:
    """The tenant's subscriptions (optionally to one service), oldest first."""
    with tenant_context(tenant):
        stmt = select(Subscription).order_by(Subscription.starts_on, Subscription.id)
        if service_key is not None:
            stmt = stmt.where(Subscription.service_key == service_key)
        return list(session.scalars(stmt))


def active_subscription(
    tenant: Tenant, service_key: str, on: dt.date | None = None
) -> Subscription | None:
    """The tenant's subscription to the service that is active on ``on`` (default today)."""
    day = on or dt.date.today()
    for sub in subscriptions_of(tenant, service_key):
        if sub.covers(day):
            return sub
    return None


def is_subscribed(tenant: Tenant, service_key: str, on: dt.date | None = None) -> bool:
    """Whether the tenant has an active subscription to the service on ``on``."""
    # Asked on every request of a service's routes: one indexed existence test with the
    # tenant condition written out (the same as Subscription.covers), not entities.
    with tenant_context(tenant):
        if session.autoflush:
            session.flush()  # pending subscriptions count, as for an ORM query
        found = session.connection().execute(
            _ACTIVE,
            {"tenant_id": tenant.id, "service_key": service_key, "day": on or dt.date.today()},
        )
        return found.first() is not None


_SUBSCRIPTION = Subscription.__table__.c
_ACTIVE = (
    select(_SUBSCRIPTION.id)
    .where(
        _SUBSCRIPTION.tenant_id == bindparam("tenant_id"),
        _SUBSCRIPTION.service_key == bindparam("service_key"),
        _SUBSCRIPTION.starts_on <= bindparam("day"),
        or_(_SUBSCRIPTION.ends_on.is_(None), _SUBSCRIPTION.ends_on >= bindparam("day")),
    )
    .limit(1)
)


def subscribe(
    tenant: Tenant,
    service_key: str,
    *,
    starts_on: dt.date | None = None,
    contract_ref: str | None = None,
    settings: dict[str, Any] | None = None,
    allow_backdated: bool = False,
    today: dt.date | None = None,
) -> Subscription:
    """Connect a tenant to a service from ``starts_on`` (default today).

    :raises NotFoundError: unknown service.
    :raises ValidationError: a backdated start (unless ``allow_backdated``, for
        recording connections made before the platform), a tenant that is offboarded,
        invalid settings, or a required service not subscribed on the start day.
    :raises ConflictError: the period overlaps an existing subscription.
    """
    today = today or dt.date.today()
    starts_on = starts_on or today
    manifest = catalogue().get(service_key)
    contract_ref = _contract_ref(contract_ref)
    if tenant.status == TenantStatus.OFFBOARDED:
        raise ValidationError(
            "tenant %(tenant_slug)r is offboarded",
            field="tenant",
            code="subscription.tenant.offboarded",
            tenant_slug=tenant.slug,
        )
    if starts_on < today and not allow_backdated:
        raise ValidationError(
            "%(starts_on)s lies in the past; a subscription starts today or later",
            field="starts_on",
            code="subscription.starts_on.in_past",
            starts_on=starts_on.isoformat(),
        )
    settings = _validated_settings(manifest, settings)
    with tenant_context(tenant):
        for needed in manifest.requires:
            if not _covered_from(tenant, needed, starts_on):
                raise ValidationError(
                    "service %(service_key)r requires %(needed)r, which the tenant does not "
                    "subscribe to from %(starts_on)s on; subscribe to %(needed)r first",
                    field="service",
                    code="subscription.requires_other",
                    service_key=service_key,
                    needed=needed,
                    starts_on=starts_on.isoformat(),
                )
        for existing in subscriptions_of(tenant, service_key):
            if existing.ends_on is None or existing.ends_on >= starts_on:
                _raise_overlap(existing)
        sub = Subscription(
            tenant_id=tenant.id,
            service_key=service_key,
            starts_on=starts_on,
            contract_ref=contract_ref,
            settings=settings,
        )
        sub.tenant = tenant
        session.add(sub)
        session.flush()
        _hook().subscription_started(subscription=sub)
    audit.record(
        "subscription.started",
        _target(tenant),
        tenant=tenant,
        details={
            "service": service_key,
            "starts_on": starts_on.isoformat(),
            "contract_ref": contract_ref,
            "backdated": starts_on < today,
        },
    )
    return sub


def end_subscription(
    tenant: Tenant,
    service_key: str,
    *,
    ends_on: dt.date,
    reason: str = "ordinary",
    notice_on: dt.date | None = None,
    allow_backdated: bool = False,
    today: dt.date | None = None,
) -> Subscription:
    """Give the tenant's current subscription to a service its last day; audited.

    :param notice_on: the day notice was given, stored on the subscription for the
        ``subscription_ended`` hooks (e.g. billing checks notice periods against it);
        None when not known (a past end being recorded, or an offboarding).

    :raises NotFoundError: no subscription that is active or scheduled on ``ends_on``.
    :raises ValidationError: unknown reason, a last day before the start or in the
        past, or another subscribed service still requires this one.
    """
    today = today or dt.date.today()
    if reason not in END_REASONS:
        raise ValidationError(
            "must be one of %(end_reasons)s",
            field="reason",
            code="subscription.reason.unknown_choice",
            end_reasons=", ".join(END_REASONS),
        )
    if ends_on < today and not allow_backdated:
        raise ValidationError(
            "%(ends_on)s lies in the past",
            field="ends_on",
            code="subscription.ends_on.in_past",
            ends_on=ends_on.isoformat(),
        )
    with tenant_context(tenant):
        sub = _open_subscription(tenant, service_key, ends_on)
        if ends_on < sub.starts_on:
            raise ValidationError(
                "the last day %(ends_on)s lies before the start %(starts_on)s",
                field="ends_on",
                code="subscription.ends_on.before_start",
                ends_on=ends_on.isoformat(),
                starts_on=sub.starts_on.isoformat(),
            )
        _refuse_if_required(tenant, service_key, ends_on)
        sub.ends_on = ends_on
        sub.end_reason = reason
        sub.notice_on = notice_on
        session.flush()
        _hook().subscription_ended(subscription=sub, reason=reason)
    audit.record(
        "subscription.ended",
        _target(tenant),
        tenant=tenant,
        reason=f"{reason} termination",
        details={"service": service_key, "ends_on": ends_on.isoformat(), "end_reason": reason},
    )
    return sub


def _target(tenant: Tenant) -> str:
    return f"tenant:{tenant.slug}"


def _contract_ref(value: str | None) -> str | None:
    """The call-off reference trimmed, None when blank; at most 100 characters."""
    text = (value or "").strip()
    if len(text) > 100:
        raise ValidationError(
            "must have at most %(limit)s characters, not %(length)s",
            field="contract",
            code="text.too_long",
            limit=100,
            length=len(text),
        )
    return text or None


def _open_subscription(tenant: Tenant, service_key: str, ends_on: dt.date) -> Subscription:
    catalogue().get(service_key)
    for sub in subscriptions_of(tenant, service_key):
        if sub.ends_on is None or sub.ends_on >= ends_on:
            return sub
    raise NotFoundError(
        "tenant %(tenant_slug)r has no subscription to %(service_key)r running on %(ends_on)s",
        field="service",
        code="subscription.not_found",
        tenant_slug=tenant.slug,
        service_key=service_key,
        ends_on=ends_on.isoformat(),
    )


def _refuse_if_required(tenant: Tenant, service_key: str, ends_on: dt.date) -> None:
    for other in subscriptions_of(tenant):
        manifest = catalogue().services.get(other.service_key)
        if manifest is None or service_key not in manifest.requires:
            continue
        if other.ends_on is None or other.ends_on > ends_on:
            raise ValidationError(
                "service %(service_key)r requires %(service_key2)r beyond %(ends_on)s; end "
                "%(service_key)r first",
                field="service",
                code="subscription.still_required",
                service_key=other.service_key,
                service_key2=service_key,
                ends_on=ends_on.isoformat(),
            )


def _covered_from(tenant: Tenant, service_key: str, day: dt.date) -> bool:
    """Whether an open-ended subscription to the service runs from ``day`` on."""
    return any(
        sub.starts_on <= day and sub.ends_on is None
        for sub in subscriptions_of(tenant, service_key)
    )


def _raise_overlap(existing: Subscription) -> None:
    """Two raises, not a conditional message: Babel extracts each template."""
    if existing.ends_on is None:
        raise ConflictError(
            "overlaps the subscription from %(starts_on)s to open end; "
            "end it first or start after its last day",
            field="starts_on",
            code="subscription.overlap",
            starts_on=existing.starts_on.isoformat(),
        )
    raise ConflictError(
        "overlaps the subscription from %(starts_on)s to %(ends_on)s; "
        "end it first or start after its last day",
        field="starts_on",
        code="subscription.overlap",
        starts_on=existing.starts_on.isoformat(),
        ends_on=existing.ends_on.isoformat(),
    )


def _validated_settings(
    manifest: ServiceManifest, settings: dict[str, Any] | None
) -> dict[str, Any]:
    if manifest.settings_schema is None:
        if settings:
            raise ValidationError(
                "service %(manifest_key)r has no settings",
                field="settings",
                code="service.settings.none",
                manifest_key=manifest.key,
            )
        return {}
    import marshmallow

    schema = manifest.settings_schema
    if isinstance(schema, str):
        from pkgutil import resolve_name

        schema = resolve_name(schema)
    try:
        return schema().load(settings or {})
    except marshmallow.ValidationError as exc:
        raise ValidationError(
            "invalid settings: %(messages)s",
            field="settings",
            code="service.settings.invalid",
            messages=exc.messages,
        ) from None


def _hook() -> Any:
    return current_host().hook


# ---------------------------------------------------------------------------------
# Guarding a service's routes
# ---------------------------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])


def _check_service(service_key: str) -> None:
    tenant: Tenant | None = g.get("tenant")
    if tenant is None or not _subscribed_now(tenant, service_key):
        abort(404)
    if not tenant.serves_citizens:
        # Suspended: the data stays, but the service does not serve anyone.
        abort(503, description="suspended")


def _subscribed_now(tenant: Tenant, service_key: str) -> bool:
    # Asked on every request of a service's routes: the worker's tenant directory
    # remembers the answer for a moment (core.tenant_directory).
    directory = directory_of(current_app)
    if directory is None:
        return is_subscribed(tenant, service_key)
    return directory.subscribed(tenant, service_key, lambda: is_subscribed(tenant, service_key))


def require_subscription(blueprint: Blueprint, service_key: str) -> Blueprint:
    """Make every route of ``blueprint`` answer 404 on tenants not subscribed to the
    service (and 503 while the tenant is suspended). Returns the blueprint."""
    blueprint.before_request(functools.partial(_check_service, service_key))
    return blueprint


def requires_service(service_key: str) -> Callable[[F], F]:
    """Decorator form of :func:`require_subscription` for a single view."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            _check_service(service_key)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
