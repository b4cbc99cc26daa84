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
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from core.i18n import EXTRACT_KEYWORDS

TEST_PASSWORD = "correct horse battery staple"  # noqa: S105 - not a secret
CSRF_INPUT = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def _configured_url() -> str | None:
    return os.environ.get("RATHAUS_TEST_DATABASE_URL") or os.environ.get("RATHAUS_DATABASE_URL")


# ---------------------------------------------------------------------------------
# Choice of plugins and settings (override these)
# ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def rathaus_plugins() -> list[str] | None:
    """Plugins to load, in order; None loads every installed plugin."""
    return None


@pytest.fixture
def rathaus_config() -> dict[str, Any]:
    """Extra settings for the test application."""
    return {}


# ---------------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------------


@dataclass
class TestDatabase:
    """Where the tests' data lives and how to give each test a clean one."""

    url: str
    template: Path | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def url_for_test(self, tmp_path: Path) -> str:
        if not self.is_sqlite:
            return self.url
        target = tmp_path / "rathaus.sqlite3"
        shutil.copyfile(self.template, target)  # type: ignore[arg-type]
        return f"sqlite:///{target}"

    def empty(self) -> None:
        """Delete every row (PostgreSQL; SQLite tests get a fresh copy instead)."""
        if self.is_sqlite:
            return
        engine = create_engine(self.url)
        try:
            with engine.begin() as conn:
                tables = [
                    name
                    for name in inspect(conn).get_table_names()
                    if not name.startswith("alembic_version")
                ]
                if tables:
                    quoted = ", ".join(f'"{name}"' for name in tables)
                    conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        finally:
            engine.dispose()


#: The role the tests' sessions run as on PostgreSQL: neither superuser nor owner, so
#: row-level security binds it as it binds production (``DATABASE_ROLE``).
TEST_APP_ROLE = "rathaus_test_app"


def _grant_app_role(url: str) -> None:
    """Create the test role (once per server) and let it use every table."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    grants = (
        "SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public",
        "USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public",
    )
    try:
        with engine.connect() as conn:
            conn.execute(
                text(
                    "DO $$ BEGIN CREATE ROLE "
                    + TEST_APP_ROLE
                    + " NOLOGIN NOSUPERUSER NOBYPASSRLS; "
                    "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
                )
            )
            for grant in grants:
                conn.execute(text(f"GRANT {grant} TO {TEST_APP_ROLE}"))
            conn.execute(
                text(
                    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, "
                    f"DELETE, TRUNCATE ON TABLES TO {TEST_APP_ROLE}"
                )
            )
            conn.execute(
                text(
                    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE "
                    f"ON SEQUENCES TO {TEST_APP_ROLE}"
                )
            )
    finally:
        engine.dispose()


def _drop_worker_database(base_url: str, worker_url: str) -> None:
    """Drop a worker's database at the end of the run: nothing is left behind."""
    admin = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            name = make_url(worker_url).database
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _worker_database(base_url: str, worker: str) -> str:
    """Create (fresh) a PostgreSQL database for one pytest worker; return its URL."""
    url = make_url(base_url)
    # RATHAUS_TEST_DB_SUFFIX keeps two checkouts testing at once apart.
    suffix = os.environ.get("RATHAUS_TEST_DB_SUFFIX", "")
    name = f"{url.database}_rathaus{'_' + suffix if suffix else ''}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def rathaus_database(
    tmp_path_factory: pytest.TempPathFactory, rathaus_plugins: list[str] | None, worker_id: str
) -> Iterator[TestDatabase]:
    """The migrated test database of this pytest worker (on PostgreSQL dropped again
    when the run ends)."""
    from core import create_app, migrate

    configured = _configured_url()
    if configured and not configured.startswith("sqlite"):
        database = TestDatabase(_worker_database(configured, worker_id))
        url = database.url
    else:
        template = tmp_path_factory.mktemp("rathaus-db") / "template.sqlite3"
        database = TestDatabase(f"sqlite:///{template}", template)
        url = database.url
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "test",
            "PLUGINS": rathaus_plugins,
            "PLUGINS_STRICT": True,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("rathaus-instance")),
        }
    )
    migrate.upgrade(app)
    app.extensions["rathaus.db"].dispose()
    if not database.is_sqlite:
        _grant_app_role(database.url)
    yield database
    if not database.is_sqlite:
        _drop_worker_database(configured, database.url)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    """The xdist worker name (``master`` without xdist)."""
    workerinput = getattr(request.config, "workerinput", None)
    return workerinput["workerid"] if workerinput else "master"


# ---------------------------------------------------------------------------------
# Application
# ---------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------
# Tenants and subscriptions
# ---------------------------------------------------------------------------------


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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "service(*keys): services for the subscribed_tenant fixture")


# ---------------------------------------------------------------------------------
# Accounts, tokens, logins
# ---------------------------------------------------------------------------------


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


def bearer(secret: str) -> dict[str, str]:
    """Request headers carrying an API token."""
    return {"Authorization": f"Bearer {secret}"}


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


def csrf_token(client: Any, url: str) -> str:
    """The CSRF token of the form on the page at ``url``."""
    page = client.get(url).get_data(as_text=True)
    match = CSRF_INPUT.search(page)
    if match is None:
        raise AssertionError(f"no CSRF token in the page at {url}")
    return match.group(1) or match.group(2)


def error_summary_of(response: Any) -> list[str]:
    """The entries of a page's error summary as ``"#field-id text"`` (linked entries)
    or ``"text"`` (entries about the form as a whole), in page order."""
    page = response.get_data(as_text=True)
    if 'class="error-summary"' not in page:
        return []
    block = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    entries = []
    for item in re.findall(r"<li>(.*?)</li>", block, re.S):
        linked = re.fullmatch(r'\s*<a href="(#[\w-]+)">(.*?)</a>\s*', item, re.S)
        if linked:
            entries.append(f"{linked.group(1)} {html.unescape(linked.group(2)).strip()}")
        else:
            entries.append(html.unescape(item).strip())
    return entries


def submit(
    client: Any, url: str, data: dict[str, Any], *, form_url: str | None = None, **kwargs: Any
) -> Any:
    """POST a form the way a browser does: with the CSRF token of its page."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


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


# ---------------------------------------------------------------------------------
# Checks for plugin authors
# ---------------------------------------------------------------------------------


def migration_differences(app: Any, component: str | None = None) -> dict[str, list[Any]]:
    """What Alembic would still change after the migrations ran, per component.

    Empty when the migrated schema equals the models of core and every loaded plugin
    (or only of ``component``): ``assert migration_differences(app) == {}``.
    """
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from core import migrate
    from core.db import Base, get_db
    from core.plugins import current_host

    current_host(app).import_models()
    differences = {}
    with get_db(app).engine.connect() as connection:
        for source in migrate.sources(app):
            if component is not None and source.name != component:
                continue
            options = {
                "compare_type": True,
                "include_object": migrate.include_object_for(source.table_prefix),
                "version_table": source.version_table,
            }
            diff = compare_metadata(
                MigrationContext.configure(connection, opts=options), Base.metadata
            )
            if diff:
                differences[source.name] = diff
    return differences


#: How translatable messages are found in a plugin package (as ``pybabel extract``).
BABEL_METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
BABEL_KEYWORDS = EXTRACT_KEYWORDS


def translation_problems(package: Path, locales: tuple[str, ...] = ("de",)) -> list[str]:
    """Messages of a package without a translation, and compiled catalogues out of date.

    :param package: the folder of the plugin package (with ``translations/``).
    :return: one line per problem; empty when every catalogue is complete.
    """
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    from core.i18n import compiled_is_current

    package = Path(package)
    found = []
    ids = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            package, BABEL_METHODS, keywords=BABEL_KEYWORDS
        )
    }
    for locale in locales:
        po = package / "translations" / locale / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            found.append(f"{locale}: {po.name} is missing")
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for message_id in sorted(ids, key=str):
            entry = catalog.get(message_id)
            if entry is None or entry.fuzzy or not _translated(entry.string):
                found.append(f"{locale}: untranslated {message_id!r}")
        mo = po.with_suffix(".mo")
        if not compiled_is_current(catalog, mo):
            found.append(f"{locale}: {mo.name} is out of date (pybabel compile)")
    return found


def today() -> dt.date:
    """Today's date (one place to read it, for readability in tests)."""
    return dt.date.today()


def _translated(string: str | tuple[str, ...]) -> bool:
    """Whether a catalogue entry has its text (every plural form, for plurals)."""
    return all(string) if isinstance(string, tuple) else bool(string)
