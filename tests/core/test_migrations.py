"""Migrations: the migrated schema equals the models, per component, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from core import create_app, migrate
from core.db import Base, get_db
from core.migrate import include_object_for


def test_migrated_schema_equals_the_models(app):
    """No autogenerate difference for core or any plugin (SQLite or PostgreSQL,
    whichever the suite runs on)."""
    differences = {}
    with get_db(app).engine.connect() as connection:
        for source in migrate.sources(app):
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_object": include_object_for(source.table_prefix),
                    "version_table": source.version_table,
                },
            )
            diff = compare_metadata(context, Base.metadata)
            if diff:
                differences[source.name] = diff
    assert differences == {}


def test_every_model_table_belongs_to_a_component(app):
    owners = {source.table_prefix for source in migrate.sources(app)}
    orphans = [
        table.name
        for table in Base.metadata.sorted_tables
        if not table.name.startswith("test_") and not any(table.name.startswith(p) for p in owners)
    ]
    assert orphans == []


def test_current_reports_every_component_up_to_date(app):
    state = migrate.current(app)
    assert state["core"] == {"current": ["core_0006"], "heads": ["core_0006"], "up_to_date": True}
    assert all(item["up_to_date"] for item in state.values())


def test_core_downgrades_to_nothing_and_upgrades_again(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "PLUGINS": [],
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )
    migrate.upgrade(app)
    engine = get_db(app).engine
    assert "core_tenant" in inspect(engine).get_table_names()
    migrate.downgrade(app, "core", "base")
    assert [t for t in inspect(engine).get_table_names() if t.startswith("core_")] == []
    migrate.upgrade(app)
    assert migrate.current(app)["core"]["up_to_date"] is True


def test_db_upgrade_command_applies_core_then_plugins(runner):
    result = runner.invoke("db", "upgrade")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "core: core_0006"


def test_db_current_json(runner):
    result = runner.invoke("db", "current", "--json")
    assert '"core": {' in result.output
    assert '"up_to_date": true' in result.output
