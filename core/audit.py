"""The audit log: who did what, when and why.

Entries are append-only. An entry about a tenant belongs to that tenant (its admins
see it, and it leaves with the tenant's export); platform entries have no tenant.
"""

from __future__ import annotations

import getpass
from typing import Any

from flask import g, has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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


# ---------------------------------------------------------------------------------
# Display: entries in words, for the audit pages
# ---------------------------------------------------------------------------------

#: Readable names of the recorded actions (others are shown as recorded).
ACTION_LABELS = {
    "tenant.onboarded": _l("Registered on the platform"),
    "tenants.imported": _l("Registered by an import"),
    "tenant.activated": _l("Activated"),
    "tenant.suspended": _l("Suspended"),
    "tenant.resumed": _l("Resumed"),
    "tenant.offboarded": _l("Offboarded"),
    "tenant.updated": _l("Settings changed"),
    "tenant.parent_changed": _l("Parent changed"),
    "tenant.admin_invited": _l("Admin invited"),
    "tenant.admin_joined": _l("Admin joined"),
    "subscription.started": _l("Service subscribed"),
    "subscription.ended": _l("Subscription ended"),
    "token.created": _l("API token created"),
    "token.revoked": _l("API token revoked"),
    "account.erased": _l("Account deleted"),
    "billing.invoice.cancelled": _l("Invoice cancelled"),
    "engagement.consent.given": _l("Consent given"),
    "engagement.volunteer.registered": _l("Volunteer registered"),
    "engagement.organisation.verified": _l("Organisation verified"),
    "engagement.organisation.unverified": _l("Organisation verification withdrawn"),
    "engagement.reports.upheld": _l("Report upheld"),
    "engagement.reports.dismissed": _l("Report dismissed"),
}


def action_label(action: str) -> str:
    """An action in words in the current language (unknown ones as recorded)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def actor_label(actor: str) -> str:
    """Who acted, in words: ``user:6:<pseudonym>`` -> the account's e-mail address
    while it exists, else ``deleted account (<pseudonym>)``,
    ``cli:root`` -> ``Command line (root)``, ``token:3:billing`` -> ``API token
    "billing"``."""
    kind, _sep, rest = actor.partition(":")
    if kind == "user" and rest:
        user_id, _sep, pseudonym = rest.partition(":")
        return _account_label(user_id, pseudonym or user_id)
    if kind == "cli":
        return _("Command line (%(user)s)", user=rest or "?")
    if kind == "token" and rest:
        name = rest.split(":user:")[0].partition(":")[2]
        return _("API token “%(name)s”", name=name or rest)
    if actor == "anonymous":
        return _("anonymous")
    return actor


def _account_label(user_id: str, pseudonym: str) -> str:
    """The e-mail address of the account behind a pseudonymous actor (entries keep
    only the pseudonym, so an erased account leaves nothing personal in the log)."""
    from core.models import User

    cache: dict[str, str | None] = (
        g.setdefault("audit_accounts", {}) if has_request_context() else {}
    )
    if user_id not in cache:
        email = None
        if user_id.isdigit() and int(user_id) < 2**31:
            with cross_tenant("audit pages name the account that acted"):
                email = session.scalar(
                    select(User.email).where(User.id == int(user_id), User.pseudonym == pseudonym)
                )
        cache[user_id] = email
    return cache[user_id] or _("deleted account (%(pseudonym)s)", pseudonym=pseudonym)
