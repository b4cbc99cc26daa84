"""The CLI's ``--json`` and the API answer with the same data, described once.

The API sends ``describe.py``'s dicts through its marshmallow schemas; the command line
prints the same dicts without a marshmallow pass (a command must not import it:
``tests/cli/test_lazy_start.py``). These tests hold the two equal, so that the schema
stays the one description of each answer's fields.
"""

from __future__ import annotations

import pytest

from core import subscribe
from core.db import session
from core.testing import bearer
from tests.tenants.conftest import invoke_json

API = "/api/v1/tenants"
#: What ``show --json`` prints beyond the detail schema (the API leaves them out).
SHOWN_BEYOND_THE_API = {"kind_label", "aliases"}


@pytest.fixture
def api(client, operator_token):
    """GET an API path as the operator and return the JSON."""

    def get(path):
        response = client.get(f"{API}{path}", headers=bearer(operator_token))
        assert response.status_code == 200, response.json
        return response.json

    return get


@pytest.fixture
def subscribed(gemeinde):
    """Havixbeck, subscribed to the register service under a contract reference."""
    subscribe(gemeinde, "tk_register", contract_ref="EA-2024-017")
    session.commit()
    return gemeinde


def test_list_prints_what_the_api_lists(runner, api, subscribed):
    assert invoke_json(runner, "tenants", "list") == api("")


def test_show_prints_what_the_api_shows_plus_the_label_and_aliases(runner, api, subscribed):
    printed = invoke_json(runner, "tenants", "show", "havixbeck")
    answered = api("/havixbeck")

    assert set(printed) - set(answered) == SHOWN_BEYOND_THE_API
    assert {k: v for k, v in printed.items() if k not in SHOWN_BEYOND_THE_API} == answered


def test_services_prints_what_the_api_lists(runner, api, subscribed):
    printed = invoke_json(runner, "tenants", "services", "havixbeck")

    assert printed == api("/havixbeck/subscriptions")
    assert [s["contract_ref"] for s in printed] == ["EA-2024-017"]


def test_audit_prints_what_the_api_lists(runner, api, subscribed):
    invoke_json(runner, "tenants", "suspend", "havixbeck", "--reason", "Test")
    printed = invoke_json(runner, "tenants", "audit", "havixbeck")

    assert printed == api("/havixbeck/audit")
    assert "tenant.suspended" in [entry["action"] for entry in printed]
