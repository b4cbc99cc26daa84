"""Rathaus's own suite: the three built-in plugins only, whatever else is installed."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.browser"]

# The default order (sorted by entry-point name), as in production.
BUILT_IN = ["billing", "engagement", "tenants"]


@pytest.fixture(scope="session")
def rathaus_plugins() -> list[str]:
    return BUILT_IN
