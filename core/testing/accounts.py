"""Accounts, API tokens and logins: ``operator``, ``operator_token``, ``tenant_token``,
``make_token``, ``citizen``, ``tenant_admin``, ``login`` and the logged-in clients
``citizen_client`` and ``tenant_admin_client``. Every account's password is
``TEST_PASSWORD``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from core.testing.web import submit

TEST_PASSWORD = "correct horse battery staple"  # noqa: S105 - not a secret


@pytest.fixture
def operator(app: Any) -> Any:
    """A platform operator account (password: ``TEST_PASSWORD``)."""
    from core import accounts
    from core.db import session
    from core.models import Role

    user = accounts.create_user("operator@example.org", "Operator", TEST_PASSWORD, [Role.OPERATOR])
    session.commit()
    return user


@pytest.fixture
def operator_token(app: Any) -> str:
    """The secret of an operator API token."""
    from core import accounts
    from core.db import session

    _token, secret = accounts.create_token("test operator")
    session.commit()
    return secret


@pytest.fixture
def tenant_token(tenant: Any) -> str:
    """The secret of an API token scoped to ``tenant``."""
    from core import accounts
    from core.db import session

    _token, secret = accounts.create_token("test tenant admin", tenant)
    session.commit()
    return secret


@pytest.fixture
def make_token(app: Any) -> Callable[..., str]:
    """Create API tokens: ``make_token(other_tenant)``; ``make_token()`` for the operator."""
    from core import accounts
    from core.db import session

    def create(tenant: Any = None, name: str = "test token") -> str:
        _token, secret = accounts.create_token(name, tenant)
        session.commit()
        return secret

    return create


@pytest.fixture
def citizen(tenant: Any) -> Any:
    """A citizen account at ``tenant`` (password: ``TEST_PASSWORD``)."""
    from core import accounts
    from core.db import session
    from core.models import Role

    user = accounts.create_user(
        "citizen@example.org", "Clara Citizen", TEST_PASSWORD, [Role.CITIZEN], tenant
    )
    session.commit()
    return user


@pytest.fixture
def login(app: Any) -> Callable[..., Any]:
    """Log a client in through the login form: ``login(client, user)``."""

    def run(client: Any, user: Any, password: str = TEST_PASSWORD) -> Any:
        from core.db import session
        from core.models import Tenant

        if user.tenant_id is None:
            url = "/login"
        else:
            url = f"/{session.get(Tenant, user.tenant_id).slug}/login"
        response = submit(client, url, {"email": user.email, "password": password})
        if response.status_code != 302:
            raise AssertionError(f"login of {user.email} failed with {response.status_code}")
        return response

    return run


@pytest.fixture
def citizen_client(app: Any, citizen: Any, login: Callable[..., Any]) -> Any:
    """A test client logged in as ``citizen``."""
    client = app.test_client()
    login(client, citizen)
    return client


@pytest.fixture
def tenant_admin(tenant: Any) -> Any:
    """An admin account of ``tenant`` (password: ``TEST_PASSWORD``)."""
    from core import accounts
    from core.db import session
    from core.models import Role

    user = accounts.create_user(
        "admin@example.org", "Anna Admin", TEST_PASSWORD, [Role.TENANT_ADMIN], tenant
    )
    session.commit()
    return user


@pytest.fixture
def tenant_admin_client(app: Any, tenant_admin: Any, login: Callable[..., Any]) -> Any:
    """A test client logged in as ``tenant_admin``."""
    client = app.test_client()
    login(client, tenant_admin)
    return client
