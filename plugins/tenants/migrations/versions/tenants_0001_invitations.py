"""Tenants plugin: invitations that hand a tenant's administration over.

Revision ID: tenants_0001
Revises: -
Created: 2026-11-21 12:31:27.544790
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "tenants_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenants_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("invited_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("accepted_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_tenants_invitation_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["core_user.id"],
            name=op.f("fk_tenants_invitation_user_id_core_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants_invitation")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_tenants_invitation_token_digest")),
    )
    with op.batch_alter_table("tenants_invitation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tenants_invitation_tenant_id"), ["tenant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tenants_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenants_invitation_tenant_id"))

    op.drop_table("tenants_invitation")
