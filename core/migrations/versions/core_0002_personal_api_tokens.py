"""Personal API tokens: a token may belong to an account and act with its roles.

Revision ID: core_0002
Revises: core_0001
Created: 2026-11-21 13:47:19.358204
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "core_0002"
down_revision = "core_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("core_api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_core_api_token_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_core_api_token_user_id_core_user"),
            "core_user",
            ["user_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("core_api_token", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_core_api_token_user_id_core_user"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_core_api_token_user_id"))
        batch_op.drop_column("user_id")
