"""Schema migrations with Alembic: core's own, then one history per plugin.

Each component (core, every loaded plugin that has a ``migrations/versions`` folder)
keeps its own version table (``alembic_version_<name>``), as CKAN does, so plugins
can be installed, upgraded and removed independently. ``upgrade`` applies core first,
then the plugins in plugin order. A component's migrations cover only tables whose
names start with its prefix (``core_``, ``engagement_``...).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

from core.db import get_db
from core.errors import NotFoundError
from core.plugins import current_host

ENVIRONMENT = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class MigrationSource:
    """One component's migration history."""

    name: str
    versions: Path

    @property
    def version_table(self) -> str:
        return f"alembic_version_{self.name}"

    @property
    def table_prefix(self) -> str:
        return f"{self.name}_"


def sources(app: Flask) -> list[MigrationSource]:
    """Core and every loaded plugin with migrations, in upgrade order."""
    host = current_host(app)
    found = [MigrationSource("core", ENVIRONMENT / "versions")]
    for name in host.loaded():
        path = host.infos[name].path
        if path is not None and (path / "migrations" / "versions").is_dir():
            found.append(MigrationSource(name, path / "migrations" / "versions"))
    return found


def source(app: Flask, name: str) -> MigrationSource:
    """The migration source called ``name``."""
    for item in sources(app):
        if item.name == name:
            return item
    known = ", ".join(item.name for item in sources(app))
    raise NotFoundError(
        "no migrations for %(name)r (known: %(known)s)",
        field="plugin",
        code="migration.plugin.not_found",
        name=name,
        known=known,
    )


def alembic_config(item: MigrationSource, connection: Any = None) -> Config:
    """An Alembic config for one component, sharing core's ``env.py``."""
    config = Config()
    config.set_main_option("script_location", str(ENVIRONMENT))
    config.set_main_option("version_locations", str(item.versions))
    config.set_main_option("path_separator", "os")
    config.attributes["source"] = item
    config.attributes["connection"] = connection
    return config


def upgrade(app: Flask, revision: str = "heads", only: str | None = None) -> None:
    """Bring core and the plugins (or only one) up to ``revision``."""
    for item in sources(app) if only is None else [source(app, only)]:
        with get_db(app).engine.begin() as connection:
            command.upgrade(alembic_config(item, connection), revision)


def downgrade(app: Flask, name: str, revision: str) -> None:
    """Take one component down to ``revision`` (``base`` removes its tables)."""
    with get_db(app).engine.begin() as connection:
        command.downgrade(alembic_config(source(app, name), connection), revision)


def current(app: Flask) -> dict[str, dict[str, Any]]:
    """Per component: the applied revision(s) and the head(s) of its scripts."""
    result = {}
    with get_db(app).engine.connect() as connection:
        for item in sources(app):
            context = MigrationContext.configure(
                connection, opts={"version_table": item.version_table}
            )
            script = ScriptDirectory.from_config(alembic_config(item))
            applied = sorted(context.get_current_heads())
            heads = sorted(script.get_heads())
            result[item.name] = {"current": applied, "heads": heads, "up_to_date": applied == heads}
    return result


def revision(app: Flask, name: str, message: str, autogenerate: bool = True) -> None:
    """Write a new migration script for one component (for plugin authors)."""
    item = source(app, name)
    item.versions.mkdir(parents=True, exist_ok=True)
    current_host(app).import_models()  # autogenerate compares every table with the models
    with get_db(app).engine.begin() as connection:
        config = alembic_config(item, connection)
        command.revision(config, message=message, autogenerate=autogenerate, head="head")


def include_object_for(prefix: str):  # type: ignore[no-untyped-def]
    """An Alembic ``include_object`` keeping only the tables of one component."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        table = obj if type_ == "table" else getattr(obj, "table", None)
        table_name = getattr(table, "name", name) or ""
        return table_name.startswith(prefix)

    return include
