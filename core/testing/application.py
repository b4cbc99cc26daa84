"""The test application and its handles: the plugins and settings it is built with
(fixtures to override), ``app``, ``client``, ``runner`` (the ``rathaus`` command) and
``db_session``.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from core.testing.database import TEST_APP_ROLE, TestDatabase

# The choice of plugins and settings: a plugin's conftest.py overrides these two.


@pytest.fixture(scope="session")
def rathaus_plugins() -> list[str] | None:
    """Plugins to load, in order; None loads every installed plugin."""
    return None


@pytest.fixture
def rathaus_config() -> dict[str, Any]:
    """Extra settings for the test application."""
    return {}


@pytest.fixture
def app(
    tmp_path: Path,
    rathaus_database: TestDatabase,
    rathaus_plugins: list[str] | None,
    rathaus_config: dict[str, Any],
) -> Iterator[Any]:
    """A Rathaus application on a clean, migrated database, with its context pushed."""
    from core import create_app

    config = {
        "TESTING": True,
        "DATABASE_URL": rathaus_database.url_for_test(tmp_path),
        "SECRET_KEY": "test-secret",
        "PLUGINS": rathaus_plugins,
        "PLUGINS_STRICT": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": None,
        "BASE_URL": "http://localhost",
        "DATABASE_ROLE": None if rathaus_database.is_sqlite else TEST_APP_ROLE,
        # Cheap password hashing: the tests check behaviour, not hashing strength.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
        **rathaus_config,
    }
    application = create_app(config)
    context = application.app_context()
    context.push()
    try:
        yield application
    finally:
        from core.db import get_db, session

        session.rollback()
        context.pop()
        get_db(application).dispose()
        rathaus_database.empty()


@pytest.fixture
def client(app: Any) -> Any:
    """A test client for ``app``."""
    return app.test_client()


@pytest.fixture
def db_session(app: Any) -> Any:
    """The application context's database session."""
    from core.db import session

    return session


class CommandRunner:
    """Runs ``rathaus`` commands against the test application."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._runner = app.test_cli_runner()
        (entry,) = metadata.entry_points(group="console_scripts", name="rathaus")
        # Found through its entry point, as installed: core does not import cli.
        self.group = _load_group(entry)

    def invoke(self, *args: str, input: str | None = None) -> Any:  # noqa: A002 - click's name
        """Run ``rathaus ARGS...``; returns click's ``Result`` (exit_code, stdout, stderr)."""
        return self._runner.invoke(self.group, list(args), input=input, catch_exceptions=False)


def _load_group(entry: metadata.EntryPoint) -> Any:
    module = __import__(entry.module, fromlist=["cli"])
    return module.cli


@pytest.fixture
def runner(app: Any) -> CommandRunner:
    """The ``rathaus`` command line, bound to ``app``."""
    return CommandRunner(app)
