"""Fixtures of the tenants plugin's tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.testing import TEST_PASSWORD
from tests.conftest import BUILT_IN
from tests.reference import shared_file  # noqa: F401 - re-exported for the tenants tests
from tests.tenants import testkit

DATA = Path(__file__).parent / "data"
EXTRACT = DATA / "gv100ad_extract.txt"

#: Stadt Coesfeld just onboarded, as ``onboard --json`` and the API show it.
COESFELD_ONBOARDED = {
    "slug": "coesfeld",
    "ags": "05558012",
    "name": "Coesfeld, Stadt",
    "display_name": "Stadt Coesfeld",
    "kind": "gemeinde",
    "parent": None,
    "status": "requested",
}


@pytest.fixture
def rathaus_config() -> dict[str, Any]:
    """The built-in plugins plus the test kit (services and hook listeners)."""
    return {
        "PLUGINS": [*BUILT_IN, "tenants_testkit"],
        "PLUGIN_OBJECTS": {"tenants_testkit": testkit},
    }


@pytest.fixture(autouse=True)
def hook_calls() -> list[tuple[str, Any]]:
    """What the test kit's hook implementations were told during the test."""
    testkit.CALLS.clear()
    return testkit.CALLS


@pytest.fixture
def kreis(make_tenant: Any) -> Any:
    """Kreis Coesfeld, active."""
    return make_tenant("kreis-coesfeld", "05558", "Coesfeld")


@pytest.fixture
def gemeinde(make_tenant: Any, kreis: Any) -> Any:
    """Havixbeck under Kreis Coesfeld, active, not (yet) administered by the Kreis."""
    return make_tenant("havixbeck", "05558020", "Havixbeck", parent=kreis)


@pytest.fixture
def make_admin(app: Any) -> Any:
    """Create a tenant admin: ``make_admin(tenant, "a@example.org")``."""
    from core import accounts
    from core.db import session
    from core.models import Role

    def create(tenant: Any, email: str) -> Any:
        user = accounts.create_user(
            email, email.split("@")[0], TEST_PASSWORD, [Role.TENANT_ADMIN], tenant
        )
        session.commit()
        return user

    return create


@pytest.fixture
def admin_client(app: Any, login: Any, make_admin: Any) -> Any:
    """``admin_client(tenant)``: a test client logged in as a new admin of ``tenant``."""

    def create(tenant: Any, email: str | None = None) -> Any:
        client = app.test_client()
        login(client, make_admin(tenant, email or f"admin@{tenant.slug}.example.org"))
        return client

    return create


def invoke_json(runner: Any, *args: str) -> Any:
    """Run a command with --json; assert success and return the parsed output."""
    import json

    result = runner.invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
