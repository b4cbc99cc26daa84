"""Pytest fixtures for Rathaus and for plugin authors (loaded through ``pytest11``).

Override ``rathaus_plugins`` in your ``conftest.py`` to choose the plugins under test
(by default: every installed plugin; Rathaus's own suite lists its three built-ins so
that other installed plugins cannot leak in), and ``rathaus_config`` to add settings.

The database is SQLite unless ``RATHAUS_TEST_DATABASE_URL`` (or, failing that,
``RATHAUS_DATABASE_URL``) names a PostgreSQL server: then each pytest worker gets a
database of its own next to the one named (``<db>_rathaus[_<RATHAUS_TEST_DB_SUFFIX>]_<worker>``),
migrated once, emptied after each test and dropped when the run ends. The database
named in the URL must exist (it is only connected to, to create the workers' ones).
On SQLite the schema is migrated once into a template file that each test copies.

Fixtures: ``app`` (with an application context pushed), ``client``, ``runner``
(the ``rathaus`` command), ``db_session``, ``make_tenant``, ``tenant``,
``other_tenant``, ``subscribe``, ``subscribed_tenant``, ``operator``,
``operator_token``, ``tenant_token``, ``make_token``, ``tenant_admin``,
``tenant_admin_client``, ``citizen``, ``login``, ``citizen_client``;
helpers ``bearer(secret)``, ``csrf_token(client, url)``, ``submit(client, url, data)``,
``migration_differences(app)`` and ``translation_problems(package_folder)``.

The package's modules by subject: ``database`` (the test databases), ``application``
(the app and its client and command runner), ``tenants`` (tenants, subscriptions),
``accounts`` (accounts, tokens, logins), ``web`` (request helpers) and ``checks``
(schema and translation checks). Import the names from ``core.testing`` itself.
"""

from __future__ import annotations

import pytest

from core.testing.accounts import (
    TEST_PASSWORD,
    citizen,
    citizen_client,
    login,
    make_token,
    operator,
    operator_token,
    tenant_admin,
    tenant_admin_client,
    tenant_token,
)
from core.testing.application import (
    CommandRunner,
    app,
    client,
    db_session,
    rathaus_config,
    rathaus_plugins,
    runner,
)
from core.testing.checks import (
    BABEL_KEYWORDS,
    BABEL_METHODS,
    migration_differences,
    today,
    translation_problems,
)
from core.testing.database import TEST_APP_ROLE, TestDatabase, rathaus_database, worker_id
from core.testing.tenants import (
    make_tenant,
    other_tenant,
    subscribe,
    subscribed_tenant,
    tenant,
)
from core.testing.web import CSRF_INPUT, bearer, csrf_token, error_summary_of, submit

# pytest registers the fixtures it finds in this module (the ``pytest11`` entry point
# names it), imported ones included: each must be named here.
__all__ = [
    "BABEL_KEYWORDS",
    "BABEL_METHODS",
    "CSRF_INPUT",
    "TEST_APP_ROLE",
    "TEST_PASSWORD",
    "CommandRunner",
    "TestDatabase",
    "app",
    "bearer",
    "citizen",
    "citizen_client",
    "client",
    "csrf_token",
    "db_session",
    "error_summary_of",
    "login",
    "make_tenant",
    "make_token",
    "migration_differences",
    "operator",
    "operator_token",
    "other_tenant",
    "rathaus_config",
    "rathaus_database",
    "rathaus_plugins",
    "runner",
    "submit",
    "subscribe",
    "subscribed_tenant",
    "tenant",
    "tenant_admin",
    "tenant_admin_client",
    "tenant_token",
    "today",
    "translation_problems",
    "worker_id",
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "service(*keys): services for the subscribed_tenant fixture")
