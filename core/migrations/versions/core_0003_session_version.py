"""Login sessions end server-side: a session version on the account.

Revision ID: core_0003
Revises: core_0002
Created: 2026-12-03 13:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "core_0003"
down_revision = "core_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("core_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("core_user", schema=None) as batch_op:
        batch_op.drop_column("session_version")
