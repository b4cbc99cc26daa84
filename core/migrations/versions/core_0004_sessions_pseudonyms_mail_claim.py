"""Sessions end server-side (a version); pseudonyms for records; outbox claims.

Revision ID: core_0004
Revises: core_0003
Created: 2026-12-03 13:40:00
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

import core.db

revision = "core_0004"
down_revision = "core_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("core_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("pseudonym", sa.String(length=16), nullable=True))
    users = sa.table("core_user", sa.column("id", sa.Integer), sa.column("pseudonym", sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(
            users.update().where(users.c.id == user_id).values(pseudonym="u" + secrets.token_hex(6))
        )
    with op.batch_alter_table("core_user", schema=None) as batch_op:
        batch_op.alter_column("pseudonym", existing_type=sa.String(length=16), nullable=False)

    with op.batch_alter_table("core_outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_until", core.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("core_outbox_message", schema=None) as batch_op:
        batch_op.drop_column("claimed_until")
    with op.batch_alter_table("core_user", schema=None) as batch_op:
        batch_op.drop_column("pseudonym")
        batch_op.drop_column("session_version")
