"""What a tenant's portal shows: links contributed by plugins (hook ``portal_links``)."""

from __future__ import annotations

from core.links import AdminLink, PortalLink
from core.models import Tenant
from core.plugins import current_host
from core.services import is_subscribed


def admin_links_for(tenant: Tenant | None) -> list[AdminLink]:
    """The administration links of ``tenant`` for the current principal (none for
    those who may not administer it)."""
    from core.auth import can_administer, current_principal

    if tenant is None or not can_administer(current_principal(), tenant):
        return []
    host = current_host()
    results = host.call_each("admin_links", tenant=tenant)
    return [link for _plugin, items in results for link in items]


def links_for(tenant: Tenant) -> list[PortalLink]:
    """The portal links of the tenant's active services, in plugin order."""
    host = current_host()
    links = [
        link for _plugin, items in host.call_each("portal_links", tenant=tenant) for link in items
    ]
    subscribed = {key: is_subscribed(tenant, key) for key in {link.service for link in links}}
    return [link for link in links if subscribed[link.service]]
