"""The operator's transitions of a tenant: onboard, activate, suspend, resume, offboard.

Allowed transitions (anything else is refused with a ``ConflictError`` naming the
current status; nothing changes):

============  ==============  ============  =================================
action        from            to            reason
============  ==============  ============  =================================
activate      requested       active        optional
suspend       active          suspended     required
resume        suspended       active        optional
offboard      requested,      offboarded    required (export, then deletion)
              active,
              suspended
============  ==============  ============  =================================

``offboarded`` is final: the registry row stays (its AGS and slug stay taken, so
links and invoices that name it stay unambiguous) while all the tenant's data is gone.
Every change is written to the audit log with actor, time and reason; the caller
commits.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select

from core import (
    AuditEntry,
    ConflictError,
    Tenant,
    TenantStatus,
    ValidationError,
    audit,
    catalogue,
    cross_tenant,
    end_subscription,
    session,
    subscriptions_of,
    tenant_context,
    utcnow,
)
from core import lifecycle as core_lifecycle
from plugins.tenants.describe import summary
from plugins.tenants.exports import ExportFile
from plugins.tenants.masterdata import check_email, check_text
from plugins.tenants.registry import target

REQUESTED, ACTIVE, SUSPENDED, OFFBOARDED = (
    TenantStatus.REQUESTED,
    TenantStatus.ACTIVE,
    TenantStatus.SUSPENDED,
    TenantStatus.OFFBOARDED,
)


class Action(enum.StrEnum):
    """What the operator can do to a tenant's status."""

    ACTIVATE = "activate"
    SUSPEND = "suspend"
    RESUME = "resume"
    OFFBOARD = "offboard"


@dataclass(frozen=True)
class Transition:
    """One row of the transition table."""

    action: Action
    sources: frozenset[TenantStatus]
    result: TenantStatus
    needs_reason: bool
    audit_action: str


TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        Transition(Action.ACTIVATE, frozenset({REQUESTED}), ACTIVE, False, "tenant.activated"),
        Transition(Action.SUSPEND, frozenset({ACTIVE}), SUSPENDED, True, "tenant.suspended"),
        Transition(Action.RESUME, frozenset({SUSPENDED}), ACTIVE, False, "tenant.resumed"),
        Transition(
            Action.OFFBOARD,
            frozenset({REQUESTED, ACTIVE, SUSPENDED}),
            OFFBOARDED,
            True,
            "tenant.offboarded",
        ),
    )
}

MAX_REASON_LENGTH = 2000


def check_transition(tenant: Tenant, action: Action | str, reason: str | None) -> Transition:
    """The transition for ``action`` if the tenant's status allows it and a required
    reason is given; ``ConflictError``/``ValidationError`` otherwise."""
    try:
        rule = TRANSITIONS[Action(action)]
    except ValueError:
        known = ", ".join(a.value for a in Action)
        raise ValidationError(
            "%(action)r is not one of %(known)s",
            field="action",
            code="tenants.lifecycle.action.unknown_choice",
            action=action,
            known=known,
        ) from None
    if tenant.status not in rule.sources:
        allowed = " or ".join(sorted(s.value for s in rule.sources))
        raise ConflictError(
            "tenant %(tenant_slug)r is %(status)s; %(action)s applies only to %(allowed)s tenants",
            field="status",
            code="tenants.lifecycle.status.not_allowed",
            tenant_slug=tenant.slug,
            status=tenant.status.value,
            action=rule.action.value,
            allowed=allowed,
        )
    if rule.needs_reason and not (reason or "").strip():
        raise ValidationError(
            "must not be empty: say why the tenant is to %(action)s",
            field="reason",
            code="tenants.lifecycle.reason.required",
            action=rule.action.value,
        )
    check_text(reason, "reason", MAX_REASON_LENGTH)
    return rule


def change_status(tenant: Tenant, action: Action | str, *, reason: str | None = None) -> Tenant:
    """Activate, suspend or resume a tenant (offboarding goes through :func:`offboard`)."""
    rule = check_transition(tenant, action, reason)
    if rule.action == Action.OFFBOARD:
        raise ValidationError(
            "offboarding needs an export first; use offboard",
            field="action",
            code="tenants.lifecycle.export_required",
        )
    before = tenant.status
    tenant.status = rule.result
    session.flush()
    audit.record(
        rule.audit_action,
        target(tenant),
        tenant=tenant,
        reason=_clean(reason),
        details={"from": before.value, "to": rule.result.value},
    )
    return tenant


def activate_many(tenants: list[Tenant], *, reason: str | None = None) -> list[Tenant]:
    """Activate several tenants (each once, in the order given); the caller commits.

    Every tenant is checked before the first changes, so a tenant that cannot be
    activated leaves all of them as they were. Written in bulk (one flush, one
    INSERT of the audit entries) so that hundreds take a second, not a minute.
    """
    unique = list({tenant.id: tenant for tenant in tenants}.values())
    rule = TRANSITIONS[Action.ACTIVATE]
    for tenant in unique:
        check_transition(tenant, Action.ACTIVATE, reason)
    for tenant in unique:
        tenant.status = rule.result
    session.flush()
    actor, now, why = audit.current_actor(), utcnow(), _clean(reason)
    entries = [
        {
            "tenant_id": tenant.id,
            "at": now,
            "actor": actor,
            "action": rule.audit_action,
            "target": target(tenant),
            "reason": why,
            "details": {"from": REQUESTED.value, "to": rule.result.value},
        }
        for tenant in unique
    ]
    with cross_tenant("bulk activation writes the audit entry of every tenant it activates"):
        for start in range(0, len(entries), 1000):
            session.execute(insert(AuditEntry), entries[start : start + 1000])
    return unique


def _clean(reason: str | None) -> str | None:
    return (reason or "").strip() or None


# ---------------------------------------------------------------------------------
# Onboarding one municipality
# ---------------------------------------------------------------------------------


def onboard(
    ags: str,
    *,
    slug: str | None = None,
    name: str | None = None,
    leitweg_id: str | None = None,
    email: str | None = None,
    invoice_email: str | None = None,
    reason: str | None = None,
) -> Tenant:
    """Register a municipality, Kreis or Land (status ``requested``) and audit it.

    Core validates the AGS (format and existence), slug, Leitweg-ID and uniqueness,
    derives name and kind from the gazetteer and links parent and children; nothing
    is written when anything is wrong. ``email`` is the portal's contact address.
    """
    check_text(name, "name", 200)
    check_text(reason, "reason", MAX_REASON_LENGTH)
    contact = check_email(email, "email")
    invoice = check_email(invoice_email, "invoice_email")
    tenant = core_lifecycle.register_tenant(
        ags,
        slug=slug,
        name=name,
        leitweg_id=leitweg_id,
        contact_email=contact,
        invoice_email=invoice,
    )
    audit.record(
        "tenant.onboarded",
        target(tenant),
        tenant=tenant,
        reason=_clean(reason),
        details=summary(tenant),
    )
    return tenant


# ---------------------------------------------------------------------------------
# Offboarding: end the subscriptions, export everything, then delete it
# ---------------------------------------------------------------------------------


@dataclass
class Offboarding:
    """What :func:`offboard` did."""

    tenant: Tenant
    export: ExportFile
    deleted: dict[str, int]
    ended: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    relinked: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data."""
        return {
            "tenant": summary(self.tenant),
            "export": self.export.as_dict(),
            "deleted_rows": dict(sorted(self.deleted.items())),
            "ended_subscriptions": self.ended,
            "withdrawn_subscriptions": self.withdrawn,
            "relinked_children": self.relinked,
        }


def offboard(
    tenant: Tenant,
    *,
    reason: str,
    write_export: Callable[[dict[str, Any]], ExportFile],
    today: dt.date | None = None,
) -> Offboarding:
    """Offboard a tenant without loss or leak; the caller commits.

    1. Running subscriptions end today (reason ``offboarding``, so billing and the
       services hear of it); subscriptions that have not started yet are withdrawn.
    2. Children (the Gemeinden of an offboarded Kreis) move up to its parent and lose
       the Kreis's delegated administration.
    3. The complete export (core's rows of every tenant-scoped table plus every
       plugin's contribution) is handed to ``write_export``, which must have stored
       it durably when it returns.
    4. Only then every row of the tenant is deleted (core's ``purge_tenant``) and a
       platform audit entry, which outlives the tenant's own log, records it all.

    If anything fails, the caller's rollback leaves the tenant as it was.
    """
    rule = check_transition(tenant, Action.OFFBOARD, reason)
    today = today or dt.date.today()
    before = tenant.status
    ended, withdrawn = _end_subscriptions(tenant, today)
    relinked = _release_children(tenant)
    tenant.status = rule.result
    details = {
        "from": before.value,
        "to": rule.result.value,
        "ended": ended,
        "withdrawn": withdrawn,
    }
    audit.record(
        rule.audit_action, target(tenant), tenant=tenant, reason=_clean(reason), details=details
    )
    session.flush()
    export = write_export(core_lifecycle.export_tenant(tenant))
    deleted = core_lifecycle.purge_tenant(tenant)
    audit.record(
        rule.audit_action,
        target(tenant),
        reason=_clean(reason),
        details={
            **details,
            "export": export.as_dict(),
            "deleted_rows": deleted,
            "relinked": relinked,
        },
    )
    return Offboarding(tenant, export, deleted, ended, withdrawn, relinked)


def _end_subscriptions(tenant: Tenant, today: dt.date) -> tuple[list[str], list[str]]:
    """End running subscriptions today, dependants before what they require."""
    running = [s for s in subscriptions_of(tenant) if s.ends_on is None or s.ends_on > today]
    withdrawn = []
    with tenant_context(tenant):
        for sub in [s for s in running if s.starts_on > today]:
            withdrawn.append(sub.service_key)
            session.delete(sub)
        session.flush()
    ended = []
    remaining = [s.service_key for s in running if s.starts_on <= today]
    while remaining:
        # A dependency cycle (which core only warns about) must not stall the loop.
        key = next(
            (k for k in remaining if not _required_by(k, [r for r in remaining if r != k])),
            remaining[0],
        )
        end_subscription(tenant, key, ends_on=today, reason="offboarding", today=today)
        ended.append(key)
        remaining.remove(key)
    return ended, withdrawn


def _required_by(key: str, others: list[str]) -> bool:
    services = catalogue().services
    return any(key in services[other].requires for other in others if other in services)


def _release_children(tenant: Tenant) -> list[str]:
    """Hand the children of a tenant that leaves to its own parent."""
    moved = []
    for child in session.scalars(
        select(Tenant).where(Tenant.parent_id == tenant.id).order_by(Tenant.ags)
    ):
        child.parent_id = tenant.parent_id
        child.parent_may_administer = False
        audit.record(
            "tenant.parent_changed",
            target(child),
            tenant=child,
            reason=f"parent {tenant.slug} offboarded",
            details={"from": tenant.slug, "to": tenant.parent.slug if tenant.parent else None},
        )
        moved.append(child.slug)
    session.flush()
    return moved
