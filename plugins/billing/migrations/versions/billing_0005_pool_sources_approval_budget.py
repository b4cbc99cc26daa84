"""Pools fed by staff cost lines and by real contracts, a pool's approval
(Sperrvermerk), and the payer's budget position (Produkt / Sachkonto).

Existing pools stay ``released`` (they were invoiced so far). Budget positions are
optional everywhere; invoice lines get a plain nullable column, so the triggers that
keep final lines immutable stay as they are (no table is rebuilt).

Revision ID: billing_0005
Revises: billing_0004
Created: 2026-12-03 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "billing_0005"
down_revision = "billing_0004"
branch_labels = None
depends_on = None

BUDGET_TABLES = ("billing_contract", "billing_pool_member")


def upgrade() -> None:
    with op.batch_alter_table("billing_cost_pool", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "approval",
                sa.Enum(
                    "released",
                    "approval_pending",
                    name="billing_pool_approval",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=False,
                server_default="released",
            )
        )
        batch_op.add_column(sa.Column("approval_note", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("released_on", sa.Date(), nullable=True))
    with op.batch_alter_table("billing_cost_pool", schema=None) as batch_op:
        batch_op.alter_column("approval", server_default=None)
    for table in BUDGET_TABLES:
        op.add_column(table, sa.Column("budget_product", sa.String(length=60), nullable=True))
        op.add_column(table, sa.Column("budget_account", sa.String(length=10), nullable=True))
    op.add_column(
        "billing_invoice_line", sa.Column("budget_position", sa.String(length=100), nullable=True)
    )
    _create_staff_costs()
    _create_contract_costs()


def _create_staff_costs() -> None:
    op.create_table(
        "billing_pool_staff_cost",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("module", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("grade", sa.String(length=40), nullable=False),
        sa.Column("fte_bp", sa.Integer(), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("annual_cost_cents", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "annual_cost_cents >= 0", name=op.f("ck_billing_pool_staff_cost_annual_cost")
        ),
        sa.CheckConstraint(
            "fte_bp > 0 AND fte_bp <= 10000", name=op.f("ck_billing_pool_staff_cost_fte_share")
        ),
        sa.CheckConstraint(
            "last_year >= first_year", name=op.f("ck_billing_pool_staff_cost_year_span")
        ),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["billing_cost_pool.id"],
            name=op.f("fk_billing_pool_staff_cost_pool_id_billing_cost_pool"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_pool_staff_cost")),
        sa.UniqueConstraint(
            "pool_id",
            "module",
            "first_year",
            name=op.f("uq_billing_pool_staff_cost_pool_id_module_first_year"),
        ),
    )


def _create_contract_costs() -> None:
    op.create_table(
        "billing_pool_contract_cost",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("holder_tenant_id", sa.Integer(), nullable=False),
        sa.Column("service_key", sa.String(length=64), nullable=False),
        sa.Column("module", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("share_bp", sa.Integer(), nullable=False),
        sa.Column("with_vat", sa.Boolean(), nullable=False),
        sa.Column("from_year", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "share_bp > 0 AND share_bp <= 10000", name=op.f("ck_billing_pool_contract_cost_share")
        ),
        sa.ForeignKeyConstraint(
            ["holder_tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_billing_pool_contract_cost_holder_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["billing_cost_pool.id"],
            name=op.f("fk_billing_pool_contract_cost_pool_id_billing_cost_pool"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_pool_contract_cost")),
        sa.UniqueConstraint(
            "pool_id",
            "holder_tenant_id",
            "service_key",
            name=op.f("uq_billing_pool_contract_cost_pool_id_holder_tenant_id_service_key"),
        ),
    )
    with op.batch_alter_table("billing_pool_contract_cost", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_pool_contract_cost_holder_tenant_id"),
            ["holder_tenant_id"],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table("billing_pool_contract_cost")
    op.drop_table("billing_pool_staff_cost")
    op.drop_column("billing_invoice_line", "budget_position")
    for table in BUDGET_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("budget_account")
            batch_op.drop_column("budget_product")
    with op.batch_alter_table("billing_cost_pool", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_billing_cost_pool_billing_pool_approval"), type_="check")
        batch_op.drop_column("released_on")
        batch_op.drop_column("approval_note")
        batch_op.drop_column("approval")
