"""Web pages under ``/<tenant>/engagement``, one module per audience: citizens,
organisations' members, tenant admins.

Every page answers 404 on tenants without a subscription (``require_subscription``).
Everything works without JavaScript; forms post back and redirect (POST/redirect/GET).
Organisation pages are for the organisation's members, admin pages for those who may
administer the tenant; both only ever see the current tenant's rows (tenant scope).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _

from core import PortalLink, Tenant, can_administer, current_principal, require_subscription
from plugins.engagement import vocabulary
from plugins.engagement.views import admin, citizens, organisation_pages

SERVICE_KEY = "engagement"

#: Every page: (rule, view, methods).
ROUTES: list[tuple[str, Any, list[str]]] = (
    citizens.ROUTES + organisation_pages.ROUTES + admin.ROUTES
)


def blueprint() -> Blueprint:
    """A fresh blueprint (one per application)."""
    bp = Blueprint(
        "engagement",
        "plugins.engagement",  # templates and static files live beside the plugin's modules
        url_prefix="/<tenant>/engagement",
        template_folder="templates",
        static_folder="static",
        static_url_path="/static",
    )
    for rule, view, methods in ROUTES:
        bp.add_url_rule(rule, view_func=view, methods=methods)
    bp.context_processor(template_helpers)
    return require_subscription(bp, SERVICE_KEY)


_LABELS = {
    "field": vocabulary.field_label,
    "skill": vocabulary.skill_label,
    "slot": vocabulary.slot_label,
    "language": vocabulary.language_label,
}


def template_helpers() -> dict[str, Any]:
    """Helpers for the templates: vocabulary labels, kilometres, dates, admin rights."""

    def labels(keys: Any, kind: str) -> str:
        return ", ".join(_LABELS[kind](key) for key in keys)

    def km(value: float) -> str:
        return format_decimal(round(value, 1), "#,##0.0")

    tenant = g.get("tenant")
    return {
        "labels": labels,
        "km": km,
        "format_date": format_date,
        "can_administer_tenant": tenant is not None and can_administer(current_principal(), tenant),
    }


def portal_link(tenant: Tenant) -> PortalLink:
    """The link on the tenant's portal page."""
    return PortalLink(
        service=SERVICE_KEY,
        title=_("Volunteering"),
        url=f"/{tenant.slug}/engagement/",
        description=_("Find an honorary post near you – or volunteers for your association."),
    )
