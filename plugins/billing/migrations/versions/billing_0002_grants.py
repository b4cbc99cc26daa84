"""Grants (Zuwendungen): the grant, its disbursement plan and its payouts (payment advices).

Revision ID: billing_0002
Revises: billing_0001
Created: 2026-12-03 13:44:55.234756
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "billing_0002"
down_revision = "billing_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "billing_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("funder", sa.String(length=200), nullable=False),
        sa.Column("funder_ref", sa.String(length=100), nullable=True),
        sa.Column("recipient_tenant_id", sa.Integer(), nullable=False),
        sa.Column("requested_cents", sa.Integer(), nullable=False),
        sa.Column("granted_cents", sa.Integer(), nullable=False),
        sa.Column("own_share_bp", sa.Integer(), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("budget_position", sa.String(length=100), nullable=True),
        sa.Column("number_prefix", sa.String(length=20), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "granted_cents <= requested_cents", name=op.f("ck_billing_grant_granted_le_requested")
        ),
        sa.CheckConstraint("last_year >= first_year", name=op.f("ck_billing_grant_year_span")),
        sa.ForeignKeyConstraint(
            ["recipient_tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_billing_grant_recipient_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_grant")),
        sa.UniqueConstraint("key", name=op.f("uq_billing_grant_key")),
    )
    with op.batch_alter_table("billing_grant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_grant_recipient_tenant_id"),
            ["recipient_tenant_id"],
            unique=False,
        )

    op.create_table(
        "billing_grant_payout",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("partner_tenant_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("budget_position", sa.String(length=100), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_billing_grant_payout_positive")),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["billing_grant.id"],
            name=op.f("fk_billing_grant_payout_grant_id_billing_grant"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["partner_tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_billing_grant_payout_partner_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_grant_payout")),
        sa.UniqueConstraint(
            "grant_id", "number", name=op.f("uq_billing_grant_payout_grant_id_number")
        ),
    )
    with op.batch_alter_table("billing_grant_payout", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_grant_payout_grant_id"), ["grant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_billing_grant_payout_partner_tenant_id"),
            ["partner_tenant_id"],
            unique=False,
        )

    op.create_table(
        "billing_grant_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("partner_tenant_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["billing_grant.id"],
            name=op.f("fk_billing_grant_share_grant_id_billing_grant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_billing_grant_share_partner_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_grant_share")),
        sa.UniqueConstraint(
            "grant_id",
            "partner_tenant_id",
            "year",
            name=op.f("uq_billing_grant_share_grant_id_partner_tenant_id_year"),
        ),
    )
    with op.batch_alter_table("billing_grant_share", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_grant_share_partner_tenant_id"),
            ["partner_tenant_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("billing_grant_share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_grant_share_partner_tenant_id"))

    op.drop_table("billing_grant_share")
    with op.batch_alter_table("billing_grant_payout", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_grant_payout_partner_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_billing_grant_payout_grant_id"))

    op.drop_table("billing_grant_payout")
    with op.batch_alter_table("billing_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_grant_recipient_tenant_id"))

    op.drop_table("billing_grant")
