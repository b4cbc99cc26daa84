"""Finding tenants: by slug, AGS or alias, in filtered lists, with their admins,
pending invitations and audit entries.

Commands and API paths name a tenant by its slug (``coesfeld``) or its AGS
(``05558012``); a slug always starts with a letter, so the two never clash.
Describing what is found as JSON-ready data is ``describe.py``'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from core import (
    AuditEntry,
    NotFoundError,
    Role,
    Tenant,
    TenantAlias,
    TenantKind,
    TenantStatus,
    User,
    UserRole,
    ValidationError,
    cross_tenant,
    gazetteer,
    session,
    tenant_context,
    utcnow,
)
from plugins.tenants.models import TenantsInvitation


def find_tenant(key: str) -> Tenant:
    """The tenant named by slug, AGS or alias AGS (05515 finds Münster, 05515000);
    ``NotFoundError`` (field ``tenant``) otherwise."""
    key = (key or "").strip()
    column = Tenant.ags if key.isdigit() else Tenant.slug
    tenant = session.scalar(select(Tenant).where(column == key)) if key else None
    if tenant is None and key.isdigit():
        tenant = session.scalar(
            select(Tenant)
            .join(TenantAlias, TenantAlias.alias_of_id == Tenant.id)
            .where(TenantAlias.ags == key)
        )
    if tenant is None:
        what = "AGS" if key.isdigit() else "slug"
        raise NotFoundError(
            "no tenant with %(what)s %(key)r",
            field="tenant",
            code="tenant.not_found",
            what=what,
            key=key,
        )
    return tenant


def aliases_of(tenant: Tenant) -> list[str]:
    """The other register keys of the tenant's Kommune, shortest first."""
    keys = session.scalars(select(TenantAlias.ags).where(TenantAlias.alias_of_id == tenant.id))
    return sorted(keys, key=lambda key: (len(key), key))


def target(tenant: Tenant) -> str:
    """How audit entries name a tenant."""
    return f"tenant:{tenant.slug}"


def admin_emails(tenant: Tenant) -> list[str]:
    """E-mail addresses of the tenant's admin accounts, sorted."""
    with tenant_context(tenant):
        stmt = (
            select(User.email)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.TENANT_ADMIN)
            .order_by(User.email)
        )
        return list(session.scalars(stmt))


def pending_invitations(tenant: Tenant) -> list[TenantsInvitation]:
    """Invitations of the tenant that can still be accepted."""
    now = utcnow()
    with tenant_context(tenant):
        stmt = select(TenantsInvitation).where(
            TenantsInvitation.accepted_at.is_(None),
            TenantsInvitation.revoked_at.is_(None),
            TenantsInvitation.expires_at > now,
        )
        return list(session.scalars(stmt.order_by(TenantsInvitation.id)))


# ---------------------------------------------------------------------------------
# Listing and searching
# ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TenantQuery:
    """What the operator filters the tenant list by (every part optional)."""

    search: str | None = None
    status: str | None = None
    kind: str | None = None
    parent: str | None = None


def _choice(value: str | None, allowed: type, field: str) -> Any:
    if value is None:
        return None
    try:
        return allowed(value)
    except ValueError:
        known = ", ".join(member.value for member in allowed)
        raise ValidationError(
            "%(value)r is not one of %(known)s",
            field=field,
            code="tenants.unknown_choice",
            value=value,
            known=known,
        ) from None


def tenant_select(query: TenantQuery) -> Select:
    """The SELECT for a tenant list, ordered by AGS (Land, its Kreise, their Gemeinden)."""
    stmt = select(Tenant).order_by(Tenant.ags)
    status = _choice(query.status, TenantStatus, "status")
    kind = _choice(query.kind, TenantKind, "kind")
    if status is not None:
        stmt = stmt.where(Tenant.status == status)
    if kind is not None:
        stmt = stmt.where(Tenant.kind == kind)
    if query.parent:
        parent = aliased(Tenant)
        stmt = stmt.join(parent, Tenant.parent_id == parent.id).where(
            parent.id == find_tenant(query.parent).id
        )
    if query.search and query.search.strip():
        stmt = stmt.where(_matches(query.search.strip()))
    return stmt


def _matches(text: str) -> Any:
    """Name, slug, AGS prefix, or a postcode (the places it lies in)."""
    if text.isdigit():
        conditions = [Tenant.ags.startswith(text)]
        if len(text) == 5:
            keys = {place.ags for place in gazetteer.places_for_postcode(text)}
            if keys:
                conditions.append(Tenant.ags.in_(keys))
        return or_(*conditions)
    pattern = f"%{text.lower()}%"
    return or_(
        func.lower(Tenant.name).like(pattern),
        func.lower(Tenant.display_name).like(pattern),
        Tenant.slug.like(pattern),
    )


def list_tenants(query: TenantQuery, *, limit: int | None = None, offset: int = 0) -> list[Tenant]:
    """Tenants matching ``query`` in AGS order."""
    stmt = tenant_select(query).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def requested_below(tenant: Tenant) -> list[Tenant]:
    """The requested tenants below ``tenant`` (its AGS is their prefix), in AGS order:
    a Kreis's Gemeinden, a Land's Kreise and Gemeinden."""
    stmt = (
        select(Tenant)
        .where(
            Tenant.ags.startswith(tenant.ags),
            Tenant.id != tenant.id,
            Tenant.status == TenantStatus.REQUESTED,
        )
        .order_by(Tenant.ags)
    )
    return list(session.scalars(stmt))


def count_tenants(query: TenantQuery) -> int:
    """How many tenants match ``query``."""
    return count_select(tenant_select(query))


def count_select(stmt: Select) -> int:
    """How many tenants a :func:`tenant_select` statement (further filtered) yields."""
    counted = stmt.order_by(None).with_only_columns(func.count(Tenant.id))
    return session.scalar(counted) or 0


# ---------------------------------------------------------------------------------
# The audit log of tenants
# ---------------------------------------------------------------------------------

#: Audit actions about tenants (the tenants plugin's and core's subscription ones).
AUDIT_PREFIXES = ("tenant.", "tenants.", "subscription.")


def audit_entries(tenant: Tenant | None = None, *, limit: int = 200) -> list[AuditEntry]:
    """Newest first: one tenant's log plus the platform's entries about it (they
    outlive the tenant's own log when it is offboarded), or, without a tenant, every
    tenant-related entry of the platform."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if tenant is None:
        with cross_tenant("the operator lists the audit log of all tenants"):
            stmt = stmt.where(or_(*(AuditEntry.action.startswith(p) for p in AUDIT_PREFIXES)))
            return list(session.scalars(stmt))
    with cross_tenant("a tenant's own log and the platform's entries about it"):
        stmt = stmt.where(
            or_(
                AuditEntry.tenant_id == tenant.id,
                and_(AuditEntry.tenant_id.is_(None), AuditEntry.target == target(tenant)),
            )
        )
        return list(session.scalars(stmt))
