"""The search index carries the offer id on PostgreSQL too: index-only scans.

``ix_engagement_opportunity_search`` holds every column the search filters and
ranks by, but the search also reads the offer's ``id``. SQLite keeps the rowid
(which is ``id``) in every index; PostgreSQL had to visit the table for each
candidate row — at 1,000,000 offers most of a search's time. On PostgreSQL the
index is rebuilt with ``INCLUDE (id)``; on SQLite nothing changes.

Revision ID: engagement_0002
Revises: engagement_0001
Created: 2026-11-21 14:00:00
"""

from __future__ import annotations

from alembic import op

revision = "engagement_0002"
down_revision = "engagement_0001"
branch_labels = None
depends_on = None

INDEX = "ix_engagement_opportunity_search"
TABLE = "engagement_opportunity"
COLUMNS = [
    "coverage_prefix",
    "status",
    "geo_cell",
    "field_mask",
    "expires_on",
    "hidden",
    "lat",
    "lon",
    "min_age",
    "places",
    "places_taken",
    "waitlist_open",
    "remote",
    "tenant_id",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(INDEX, table_name=TABLE)
    op.create_index(INDEX, TABLE, COLUMNS, unique=False, postgresql_include=["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(INDEX, table_name=TABLE)
    op.create_index(INDEX, TABLE, COLUMNS, unique=False)
