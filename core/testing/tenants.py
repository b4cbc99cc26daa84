"""Tenants and subscriptions: ``make_tenant``, ``tenant`` (Coesfeld), ``other_tenant``
(Dülmen), ``subscribe`` and ``subscribed_tenant`` (with ``@pytest.mark.service``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def make_tenant(app: Any) -> Callable[..., Any]:
    """Create an active tenant: ``make_tenant("coesfeld", "05558012", "Coesfeld")``."""
    from core.db import session
    from core.models import Tenant, TenantKind, TenantStatus

    kinds = {2: TenantKind.LAND, 5: TenantKind.KREIS, 8: TenantKind.GEMEINDE}

    def create(
        slug: str,
        ags: str,
        name: str,
        *,
        parent: Any = None,
        status: Any = None,
        kind: Any = None,
        **fields: Any,
    ) -> Any:
        tenant = Tenant(
            slug=slug,
            ags=ags,
            name=name,
            kind=kind or kinds[len(ags)],
            parent_id=parent.id if parent is not None else None,
            status=status or TenantStatus.ACTIVE,
            **fields,
        )
        session.add(tenant)
        session.commit()
        return tenant

    return create


@pytest.fixture
def tenant(make_tenant: Callable[..., Any]) -> Any:
    """Stadt Coesfeld, active."""
    return make_tenant(
        "coesfeld", "05558012", "Coesfeld, Stadt", contact_email="info@coesfeld.invalid"
    )


@pytest.fixture
def other_tenant(make_tenant: Callable[..., Any]) -> Any:
    """Stadt Dülmen, active: the tenant whose data ``tenant`` must never see."""
    return make_tenant("duelmen", "05558016", "Dülmen, Stadt")


@pytest.fixture
def subscribe(app: Any) -> Callable[..., Any]:
    """Subscribe a tenant to a service from today: ``subscribe(tenant, "engagement")``."""
    from core.db import session
    from core.services import subscribe as subscribe_service

    def run(tenant: Any, service: str, **kwargs: Any) -> Any:
        subscription = subscribe_service(tenant, service, **kwargs)
        session.commit()
        return subscription

    return run


@pytest.fixture
def subscribed_tenant(
    request: pytest.FixtureRequest, tenant: Any, subscribe: Callable[..., Any]
) -> Any:
    """``tenant``, subscribed to the service named by ``@pytest.mark.service("key")``
    (default: every service in the catalogue, in dependency order)."""
    from core.manifests import catalogue

    marker = request.node.get_closest_marker("service")
    keys = list(marker.args) if marker else _dependency_order(catalogue())
    for key in keys:
        subscribe(tenant, key)
    return tenant


def _dependency_order(cat: Any) -> list[str]:
    ordered: list[str] = []

    def visit(key: str) -> None:
        if key in ordered:
            return
        for needed in cat.get(key).requires:
            visit(needed)
        ordered.append(key)

    for manifest in cat:
        visit(manifest.key)
    return ordered
