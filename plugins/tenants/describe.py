"""Tenants as JSON-ready data, described the same way for the CLI, the API, the
operator's pages and the export.

What is found (``registry.py``) is described here: a tenant in brief
(:func:`summary`) or in full (:func:`detail`), its subscriptions, its audit entries
and what the plugin adds to a tenant's export. The API sends these dicts through its
schemas (``schemas.py``: ``TenantsTenantSchema``, ``TenantsTenantDetailSchema``,
``TenantsSubscriptionSchema``, ``TenantsAuditEntrySchema``), the one description of
the fields in the OpenAPI document. The command line prints the same dicts with
``--json`` but without a marshmallow pass, because a command must not import
marshmallow (``tests/cli/test_lazy_start.py``); ``tests/tenants/test_describe.py``
holds its JSON equal to the API's answer (``show`` adds ``kind_label`` and
``aliases``, which the detail schema does not list, so the API leaves them out).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from core import AuditEntry, Tenant, TenantKind, catalogue, gazetteer, session, subscriptions_of
from plugins.tenants.registry import admin_emails, aliases_of, pending_invitations

#: Fields of the tenant's master data, in the order they are shown.
MASTER_DATA_FIELDS = (
    "display_name",
    "contact_email",
    "brand_colour",
    "invoice_recipient",
    "address_street",
    "address_postcode",
    "address_city",
    "leitweg_id",
    "invoice_email",
    "parent_may_administer",
)


def _parent_slugs(tenants: list[Tenant]) -> dict[int, str]:
    ids = {t.parent_id for t in tenants if t.parent_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Tenant.id, Tenant.slug).where(Tenant.id.in_(ids))).all())


def summary(tenant: Tenant, parent_slug: str | None = None) -> dict[str, Any]:
    """The tenant in a few fields: what ``onboard --json`` and ``list --json`` print."""
    if parent_slug is None and tenant.parent_id is not None:
        parent_slug = tenant.parent.slug if tenant.parent else None
    return {
        "slug": tenant.slug,
        "ags": tenant.ags,
        "name": tenant.name,
        "display_name": tenant.title,
        "kind": tenant.kind.value,
        "parent": parent_slug,
        "status": tenant.status.value,
    }


def summaries(tenants: list[Tenant]) -> list[dict[str, Any]]:
    """Summaries of many tenants with one query for their parents."""
    parents = _parent_slugs(tenants)
    return [summary(t, parents.get(t.parent_id) if t.parent_id else None) for t in tenants]


def detail(tenant: Tenant) -> dict[str, Any]:
    """Everything the operator sees about one tenant (``show --json``, the API)."""
    place = gazetteer.lookup(tenant.ags)
    data = summary(tenant)
    data.update({field: getattr(tenant, field) for field in MASTER_DATA_FIELDS})
    data["display_name"] = tenant.title
    data.update(
        {
            "kreis": _place_name(place.kreis_ags)
            if place and tenant.kind == TenantKind.GEMEINDE
            else None,
            "kind_label": tenant.kind.label,
            "aliases": aliases_of(tenant),
            "land": _place_name(place.land_ags) if place else None,
            "population": place.population if place else None,
            "has_logo": tenant.logo is not None,
            "hostname": tenant.hostname,
            "children": len(tenant.children),
            "created_at": tenant.created_at,
            "updated_at": tenant.updated_at,
            "subscriptions": [subscription_data(sub) for sub in subscriptions_of(tenant)],
            "admins": admin_emails(tenant),
            "pending_invitations": len(pending_invitations(tenant)),
        }
    )
    return data


def _place_name(ags: str | None) -> str | None:
    place = gazetteer.lookup(ags) if ags else None
    return place.name if place else None


def subscription_data(sub: Any, today: dt.date | None = None) -> dict[str, Any]:
    """One subscription as the operator reads it."""
    manifest = catalogue().services.get(sub.service_key)
    return {
        "service": sub.service_key,
        "title": manifest.title if manifest else None,
        "starts_on": sub.starts_on,
        "ends_on": sub.ends_on,
        "end_reason": sub.end_reason,
        "contract_ref": sub.contract_ref,
        "status": sub.status_on(today or dt.date.today()),
    }


# ---------------------------------------------------------------------------------
# Export contribution
# ---------------------------------------------------------------------------------


def export_summary(tenant: Tenant) -> dict[str, Any]:
    """What the tenants plugin adds to a tenant's export (hook ``export_tenant_data``).

    The raw rows name the parent by its database id only, which means nothing once
    the data has left the platform; this names it by AGS and slug and lists the
    subscriptions, admins and invitations readably.
    """
    parent = tenant.parent
    return {
        "tenant": summary(tenant),
        "parent": {"slug": parent.slug, "ags": parent.ags, "name": parent.name} if parent else None,
        "subscriptions": [
            {**data, "starts_on": _iso(data["starts_on"]), "ends_on": _iso(data["ends_on"])}
            for data in map(subscription_data, subscriptions_of(tenant))
        ],
        "admins": admin_emails(tenant),
        "pending_invitations": [
            {"email": inv.email, "expires_at": inv.expires_at.isoformat()}
            for inv in pending_invitations(tenant)
        ],
    }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


# ---------------------------------------------------------------------------------
# The audit log
# ---------------------------------------------------------------------------------


def audit_data(entry: AuditEntry) -> dict[str, Any]:
    """One audit entry as JSON-ready data."""
    return {
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "reason": entry.reason,
        "details": entry.details,
        "platform": entry.tenant_id is None,
    }
