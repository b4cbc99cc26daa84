"""Alembic environment shared by core and every plugin (see ``core.migrate``)."""

from __future__ import annotations

from alembic import context

from core.db import Base
from core.migrate import include_object_for

config = context.config
source = config.attributes["source"]
connection = config.attributes["connection"]

if connection is None:  # pragma: no cover - core.migrate always passes a connection
    raise RuntimeError("run migrations through `rathaus db ...`, not the alembic command")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=source.version_table,
    include_object=include_object_for(source.table_prefix),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)

with context.begin_transaction():
    context.run_migrations()
