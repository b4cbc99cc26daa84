"""A plugin used only by the tenants tests: two services and a listener on every
hook the tenants plugin triggers, recording what it was told."""

from __future__ import annotations

from typing import Any

from core import hookimpl

RATHAUS_API_VERSIONS = ">=1.0,<2"

#: (hook, details) in call order; cleared before each test.
CALLS: list[tuple[str, Any]] = []

BASE = "tk_register"
ADDON = "tk_permits"


@hookimpl
def register_services(app: Any) -> list[Any]:
    from core.services import ServiceManifest

    return [
        ServiceManifest(
            key=BASE, title="Melderegister", description="Test service.", themenfeld="Querschnitt"
        ),
        ServiceManifest(
            key=ADDON,
            title="Genehmigungen",
            description="Needs the register.",
            themenfeld="Querschnitt",
            requires=(BASE,),
        ),
    ]


@hookimpl
def tenant_onboarded(tenant: Any) -> None:
    CALLS.append(("tenant_onboarded", tenant.slug))


@hookimpl
def subscription_started(subscription: Any) -> None:
    CALLS.append(("subscription_started", (subscription.tenant.slug, subscription.service_key)))


@hookimpl
def subscription_ended(subscription: Any, reason: str) -> None:
    CALLS.append(
        ("subscription_ended", (subscription.tenant.slug, subscription.service_key, reason))
    )


@hookimpl
def tenant_offboarding(tenant: Any) -> None:
    CALLS.append(("tenant_offboarding", tenant.slug))


@hookimpl
def export_tenant_data(tenant: Any) -> dict[str, Any]:
    return {"marker": f"exported {tenant.slug}"}


@hookimpl
def portal_links(tenant: Any) -> list[Any]:
    from core import PortalLink

    return [
        PortalLink(BASE, "Melderegister", f"/{tenant.slug}/melderegister/"),
        PortalLink(ADDON, "Genehmigungen", f"/{tenant.slug}/genehmigungen/"),
    ]
