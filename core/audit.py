"""The audit log: who did what, when and why.

Entries are append-only. An entry about a tenant belongs to that tenant (its admins
see it, and it leaves with the tenant's export); platform entries have no tenant.
"""

from __future__ import annotations

import getpass
from typing import Any

from flask import g, has_request_context
from sqlalchemy import select

from core.db import session
from core.models import AuditEntry, Tenant
from core.tenancy import cross_tenant, platform_context, tenant_context


def current_actor() -> str:
    """Who is acting: the logged-in user or token in a request, else the OS user (CLI)."""
    if has_request_context():
        principal = g.get("principal")
        if principal is not None and not principal.is_anonymous:
            return principal.describe()
        return "anonymous"
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def record(
    action: str,
    target: str,
    *,
    tenant: Tenant | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    actor: str | None = None,
) -> AuditEntry:
    """Append an entry (flushed, not committed: it commits with the change it records).

    :param action: a dotted verb, e.g. ``tenant.suspended``.
    :param target: what was acted on, e.g. ``tenant:coesfeld``.
    :param tenant: the tenant the entry belongs to, or None for the platform.
    """
    entry = AuditEntry(
        tenant_id=tenant.id if tenant else None,
        actor=actor or current_actor(),
        action=action,
        target=target,
        reason=reason,
        details=details or {},
    )
    with tenant_context(tenant) if tenant else platform_context():
        session.add(entry)
        session.flush()
    return entry


def entries(
    tenant: Tenant | None = None, *, everything: bool = False, limit: int = 200
) -> list[AuditEntry]:
    """Newest entries first: of one tenant, of the platform, or (``everything``) all."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if everything:
        with cross_tenant("operator reads the whole audit log"):
            return list(session.scalars(stmt))
    with tenant_context(tenant) if tenant else platform_context():
        return list(session.scalars(stmt))
