"""A counter of writes to offers and organisations, for the search result cache.

``engagement_search_version`` holds one row; triggers add one to it after every
insert, update or delete on ``engagement_opportunity`` and ``engagement_organisation``
(per statement on PostgreSQL, per row on SQLite, which has no statement triggers), also
for writes made outside the ORM. Each process's cache of search results compares it
(see ``plugins.engagement.cache``).

Revision ID: engagement_0004
Revises: engagement_0003
Created: 2026-12-03 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "engagement_0004"
down_revision = "engagement_0003"
branch_labels = None
depends_on = None

TABLES = ("engagement_opportunity", "engagement_organisation")
OPERATIONS = ("insert", "update", "delete")
# The row is put back first if it was deleted (a test database's clean-up, a restore).
ENSURE = "INSERT INTO engagement_search_version (id, version) VALUES (1, 0)"
BUMP = "UPDATE engagement_search_version SET version = version + 1"


def upgrade() -> None:
    op.create_table(
        "engagement_search_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_search_version")),
    )
    op.execute("INSERT INTO engagement_search_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION engagement_search_version_bump() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {ENSURE} ON CONFLICT (id) DO NOTHING; {BUMP}; "
            "RETURN NULL; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_search_version AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION engagement_search_version_bump()"
            )
        return
    for table in TABLES:
        for operation in OPERATIONS:
            op.execute(
                f"CREATE TRIGGER {table}_search_version_{operation} AFTER {operation.upper()} "
                f"ON {table} BEGIN {ENSURE} ON CONFLICT (id) DO NOTHING; {BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_search_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS engagement_search_version_bump()")
    else:
        for table in TABLES:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_search_version_{operation}")
    op.drop_table("engagement_search_version")
