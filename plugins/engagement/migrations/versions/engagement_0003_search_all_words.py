"""Search finds offers by organisation, fields, skills and compound pieces.

Adds ``engagement_opportunity.search_parts`` (stems of the pieces of compound words),
fills both search documents from Python for every offer (title, description,
organisation name, German field and skill names), and replaces the full-text index:
FTS5 over both documents on SQLite, a ``simple`` tsvector of both on PostgreSQL (the
stems come from Python on both databases now; see ``plugins.engagement.search``).

Revision ID: engagement_0003
Revises: engagement_0002
Created: 2026-12-03 13:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from plugins.engagement import search

revision = "engagement_0003"
down_revision = "engagement_0002"
branch_labels = None
depends_on = None

_OFFERS = sa.table(
    "engagement_opportunity",
    sa.column("id", sa.Integer),
    sa.column("organisation_id", sa.Integer),
    sa.column("title", sa.String),
    sa.column("description", sa.Text),
    sa.column("skills", sa.JSON),
    sa.column("field_mask", sa.Integer),
    sa.column("search_document", sa.Text),
    sa.column("search_parts", sa.Text),
)
_ORGANISATIONS = sa.table(
    "engagement_organisation", sa.column("id", sa.Integer), sa.column("name", sa.String)
)


def upgrade() -> None:
    connection = op.get_bind()
    search.drop_index(connection)
    with op.batch_alter_table("engagement_opportunity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_parts", sa.Text(), nullable=False, server_default=""))
    _fill_documents(connection)
    search.create_index_v3(connection)


def downgrade() -> None:
    connection = op.get_bind()
    search.drop_index(connection)
    with op.batch_alter_table("engagement_opportunity", schema=None) as batch_op:
        batch_op.drop_column("search_parts")
    o = _OFFERS.c
    rows = connection.execute(sa.select(o.id, o.title, o.description)).all()
    for row in rows:
        connection.execute(
            _OFFERS.update()
            .where(o.id == row.id)
            .values(search_document=search.document_for(row.title, row.description))
        )
    search.create_index(connection)


def _fill_documents(connection: sa.Connection) -> None:
    """Both documents of every offer, in batches of updates."""
    o = _OFFERS.c
    names = dict(connection.execute(sa.select(_ORGANISATIONS.c.id, _ORGANISATIONS.c.name)).all())
    rows = connection.execute(
        sa.select(o.id, o.organisation_id, o.title, o.description, o.skills, o.field_mask)
    ).all()
    values = []
    for row in rows:
        document, parts = search.documents_for(
            row.title,
            row.description,
            organisation=names.get(row.organisation_id, ""),
            skills=row.skills or (),
            field_mask=row.field_mask or 0,
        )
        values.append({"row_id": row.id, "document": document, "parts": parts})
    if values:
        connection.execute(
            _OFFERS.update()
            .where(o.id == sa.bindparam("row_id"))
            .values(search_document=sa.bindparam("document"), search_parts=sa.bindparam("parts")),
            values,
        )
