"""The billing migration creates exactly the tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from core.db import Base, get_db
from core.migrate import include_object_for


def test_migrated_schema_matches_the_models(app):
    with get_db().engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_object": include_object_for("billing_"), "compare_type": True},
        )
        assert compare_metadata(context, Base.metadata) == []


def test_migration_creates_the_immutability_triggers(app):
    engine = get_db().engine
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            names = (
                connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                .scalars()
                .all()
            )
            assert {n for n in names if n.startswith("billing_")} == {
                "billing_invoice_final_no_update",
                "billing_invoice_final_no_delete",
                "billing_line_final_no_insert",
                "billing_line_final_no_update",
                "billing_line_final_no_delete",
            }
        else:
            names = (
                connection.execute(
                    text(
                        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname "
                        "LIKE :prefix"
                    ),
                    {"prefix": "billing_%"},
                )
                .scalars()
                .all()
            )
            assert set(names) == {"billing_invoice_final_immutable", "billing_line_final_immutable"}
    assert "billing_invoice" in inspect(engine).get_table_names()
