"""Pools: a member's flat annual amount (Kostenpauschale) and a subsidy's status.

Existing subsidies were counted as granted, so they keep the status ``granted``;
new ones start as ``applied`` (seed 002: "Fördermittel ... werden beantragt").

Revision ID: billing_0003
Revises: billing_0002
Created: 2026-12-03 13:53:42.143499
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "billing_0003"
down_revision = "billing_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("billing_pool_member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("flat_rates", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table("billing_pool_subsidy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum(
                    "applied",
                    "granted",
                    "refused",
                    name="billing_subsidy_status",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=False,
                server_default="granted",
            )
        )
    # The defaults only filled existing rows; the application always sets both.
    with op.batch_alter_table("billing_pool_member", schema=None) as batch_op:
        batch_op.alter_column("flat_rates", server_default=None)
    with op.batch_alter_table("billing_pool_subsidy", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("billing_pool_subsidy", schema=None) as batch_op:
        batch_op.drop_column("status")
    with op.batch_alter_table("billing_pool_member", schema=None) as batch_op:
        batch_op.drop_column("flat_rates")
