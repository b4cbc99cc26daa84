# ruff: noqa: S608 - the trigger statements interpolate only a constant message
"""Billing tables, and triggers that keep finalised invoices immutable (GoBD).

The triggers refuse, below the ORM, any UPDATE or DELETE of a final invoice and any
INSERT, UPDATE or DELETE of a final invoice's lines, on SQLite and PostgreSQL.

Revision ID: billing_0001
Revises: -
Created: 2026-11-21 12:32:33.558424
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "billing_0001"
down_revision = None
branch_labels = None
depends_on = None


IMMUTABLE = "finalised invoices are immutable (GoBD): issue a cancellation instead"

# The statements interpolate only the constant message above.
SQLITE_TRIGGERS = [  # noqa: S608
    f"""CREATE TRIGGER billing_invoice_final_no_update BEFORE UPDATE ON billing_invoice
    WHEN OLD.status = 'final' BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END""",
    f"""CREATE TRIGGER billing_invoice_final_no_delete BEFORE DELETE ON billing_invoice
    WHEN OLD.status = 'final' BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END""",
    f"""CREATE TRIGGER billing_line_final_no_insert BEFORE INSERT ON billing_invoice_line
    WHEN (SELECT status FROM billing_invoice WHERE id = NEW.invoice_id) = 'final'
    BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END""",
    f"""CREATE TRIGGER billing_line_final_no_update BEFORE UPDATE ON billing_invoice_line
    WHEN (SELECT status FROM billing_invoice WHERE id = OLD.invoice_id) = 'final'
    BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END""",
    f"""CREATE TRIGGER billing_line_final_no_delete BEFORE DELETE ON billing_invoice_line
    WHEN (SELECT status FROM billing_invoice WHERE id = OLD.invoice_id) = 'final'
    BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END""",
]

POSTGRES_TRIGGERS = [  # noqa: S608
    f"""CREATE FUNCTION billing_invoice_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status = 'final' THEN
        RAISE EXCEPTION '{IMMUTABLE}' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER billing_invoice_final_immutable BEFORE UPDATE OR DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_immutable()""",
    f"""CREATE FUNCTION billing_line_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE parent_status TEXT;
    BEGIN
      SELECT status INTO parent_status FROM billing_invoice
        WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.invoice_id ELSE OLD.invoice_id END;
      IF parent_status = 'final' THEN
        RAISE EXCEPTION '{IMMUTABLE}' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER billing_line_final_immutable BEFORE INSERT OR UPDATE OR DELETE ON billing_invoice_line
    FOR EACH ROW EXECUTE FUNCTION billing_line_immutable()""",
]


def _create_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRES_TRIGGERS:
        op.execute(statement)


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in (
            "billing_invoice_final_no_update",
            "billing_invoice_final_no_delete",
            "billing_line_final_no_insert",
            "billing_line_final_no_update",
            "billing_line_final_no_delete",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS billing_line_final_immutable ON billing_invoice_line")
        op.execute("DROP TRIGGER IF EXISTS billing_invoice_final_immutable ON billing_invoice")
        op.execute("DROP FUNCTION IF EXISTS billing_line_immutable()")
        op.execute("DROP FUNCTION IF EXISTS billing_invoice_immutable()")


def upgrade() -> None:
    op.create_table(
        "billing_sponsor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_phone", sa.String(length=50), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("electronic_address", sa.String(length=254), nullable=False),
        sa.Column("leitweg_id", sa.String(length=46), nullable=True),
        sa.Column("vat_id", sa.String(length=20), nullable=True),
        sa.Column("tax_number", sa.String(length=30), nullable=True),
        sa.Column("registration_id", sa.String(length=100), nullable=True),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_sponsor")),
        sa.UniqueConstraint("key", name=op.f("uq_billing_sponsor_key")),
    )
    op.create_table(
        "billing_issuer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_phone", sa.String(length=50), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("electronic_address", sa.String(length=254), nullable=False),
        sa.Column("vat_id", sa.String(length=20), nullable=True),
        sa.Column("tax_number", sa.String(length=30), nullable=True),
        sa.Column("registration_id", sa.String(length=100), nullable=True),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("number_prefix", sa.String(length=20), nullable=False),
        sa.Column("payment_days", sa.Integer(), nullable=False),
        sa.Column("own_tenant_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["own_tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_billing_issuer_own_tenant_id_core_tenant"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_issuer")),
        sa.UniqueConstraint("key", name=op.f("uq_billing_issuer_key")),
    )
    op.create_table(
        "billing_sponsorship",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=False),
        sa.Column("service_key", sa.String(length=64), nullable=False),
        sa.Column("tenant_ags", sa.JSON(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("covers_recurring", sa.Boolean(), nullable=False),
        sa.Column("covers_one_time", sa.Boolean(), nullable=False),
        sa.Column("termination_window_days", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sponsor_id"],
            ["billing_sponsor.id"],
            name=op.f("fk_billing_sponsorship_sponsor_id_billing_sponsor"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_sponsorship")),
        sa.UniqueConstraint("key", name=op.f("uq_billing_sponsorship_key")),
    )
    with op.batch_alter_table("billing_sponsorship", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_sponsorship_sponsor_id"), ["sponsor_id"], unique=False
        )

    op.create_table(
        "billing_cost_pool",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column(
            "allocation",
            sa.Enum(
                "equal",
                "population",
                "fixed",
                "weights",
                name="billing_allocation",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "vat_category",
            sa.Enum(
                "S",
                "O",
                "E",
                name="billing_vat_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("vat_rate_bp", sa.Integer(), nullable=False),
        sa.Column("billing_month", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["billing_issuer.id"],
            name=op.f("fk_billing_cost_pool_issuer_id_billing_issuer"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_cost_pool")),
        sa.UniqueConstraint("key", name=op.f("uq_billing_cost_pool_key")),
    )
    with op.batch_alter_table("billing_cost_pool", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_cost_pool_issuer_id"), ["issuer_id"], unique=False
        )

    op.create_table(
        "billing_invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("payer_tenant_id", sa.Integer(), nullable=True),
        sa.Column("sponsor_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "final",
                name="billing_invoice_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("type_code", sa.String(length=3), nullable=False),
        sa.Column("open_key", sa.String(length=120), nullable=True),
        sa.Column("number", sa.String(length=40), nullable=True),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column(
            "vat_category",
            sa.Enum(
                "S",
                "O",
                "E",
                name="billing_vat_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("exemption_reason", sa.String(length=200), nullable=True),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("service_start", sa.Date(), nullable=False),
        sa.Column("service_end", sa.Date(), nullable=False),
        sa.Column("net_cents", sa.Integer(), nullable=False),
        sa.Column("vat_cents", sa.Integer(), nullable=False),
        sa.Column("gross_cents", sa.Integer(), nullable=False),
        sa.Column("seller", sa.JSON(), nullable=False),
        sa.Column("buyer", sa.JSON(), nullable=False),
        sa.Column("cancels_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("finalized_at", core.db.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "type_code IN ('380', '381')", name=op.f("ck_billing_invoice_type_code")
        ),
        sa.ForeignKeyConstraint(
            ["cancels_id"],
            ["billing_invoice.id"],
            name=op.f("fk_billing_invoice_cancels_id_billing_invoice"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["billing_issuer.id"],
            name=op.f("fk_billing_invoice_issuer_id_billing_issuer"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payer_tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_billing_invoice_payer_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"],
            ["billing_sponsor.id"],
            name=op.f("fk_billing_invoice_sponsor_id_billing_sponsor"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_invoice")),
        sa.UniqueConstraint("cancels_id", name=op.f("uq_billing_invoice_cancels_id")),
        sa.UniqueConstraint(
            "issuer_id", "number", name=op.f("uq_billing_invoice_issuer_id_number")
        ),
        sa.UniqueConstraint("open_key", name=op.f("uq_billing_invoice_open_key")),
    )
    with op.batch_alter_table("billing_invoice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_invoice_issuer_id"), ["issuer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_billing_invoice_payer_tenant_id"), ["payer_tenant_id"], unique=False
        )
        batch_op.create_index("ix_billing_invoice_period", ["period"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_billing_invoice_sponsor_id"), ["sponsor_id"], unique=False
        )

    op.create_table(
        "billing_number_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["billing_issuer.id"],
            name=op.f("fk_billing_number_counter_issuer_id_billing_issuer"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_number_counter")),
        sa.UniqueConstraint(
            "issuer_id",
            "series",
            "year",
            name=op.f("uq_billing_number_counter_issuer_id_series_year"),
        ),
    )
    op.create_table(
        "billing_tariff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("service_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["billing_issuer.id"],
            name=op.f("fk_billing_tariff_issuer_id_billing_issuer"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_tariff")),
        sa.UniqueConstraint("key", name=op.f("uq_billing_tariff_key")),
        sa.UniqueConstraint("service_key", name=op.f("uq_billing_tariff_service_key")),
    )
    with op.batch_alter_table("billing_tariff", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_tariff_issuer_id"), ["issuer_id"], unique=False
        )

    op.create_table(
        "billing_billed_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=120), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["billing_invoice.id"],
            name=op.f("fk_billing_billed_item_invoice_id_billing_invoice"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_billed_item")),
        sa.UniqueConstraint("item_key", name=op.f("uq_billing_billed_item_item_key")),
    )
    with op.batch_alter_table("billing_billed_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_billed_item_invoice_id"), ["invoice_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_billing_billed_item_period"), ["period"], unique=False)

    op.create_table(
        "billing_invoice_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=120), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("for_tenant_id", sa.Integer(), nullable=True),
        sa.Column("service_key", sa.String(length=64), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=3), nullable=False),
        sa.Column("unit_price_cents", sa.Integer(), nullable=False),
        sa.Column("net_cents", sa.Integer(), nullable=False),
        sa.Column(
            "vat_category",
            sa.Enum(
                "S",
                "O",
                "E",
                name="billing_vat_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("vat_rate_bp", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["for_tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_billing_invoice_line_for_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["billing_invoice.id"],
            name=op.f("fk_billing_invoice_line_invoice_id_billing_invoice"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_invoice_line")),
        sa.UniqueConstraint(
            "invoice_id", "position", name=op.f("uq_billing_invoice_line_invoice_id_position")
        ),
    )
    with op.batch_alter_table("billing_invoice_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_invoice_line_invoice_id"), ["invoice_id"], unique=False
        )

    op.create_table(
        "billing_pool_cost",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("module", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint("last_year >= first_year", name=op.f("ck_billing_pool_cost_year_span")),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["billing_cost_pool.id"],
            name=op.f("fk_billing_pool_cost_pool_id_billing_cost_pool"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_pool_cost")),
        sa.UniqueConstraint(
            "pool_id",
            "module",
            "first_year",
            name=op.f("uq_billing_pool_cost_pool_id_module_first_year"),
        ),
    )
    op.create_table(
        "billing_pool_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("member_tenant_id", sa.Integer(), nullable=False),
        sa.Column("joins_on", sa.Date(), nullable=False),
        sa.Column("modules", sa.JSON(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("share_bp", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_billing_pool_member_member_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["billing_cost_pool.id"],
            name=op.f("fk_billing_pool_member_pool_id_billing_cost_pool"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_pool_member")),
        sa.UniqueConstraint(
            "pool_id",
            "member_tenant_id",
            name=op.f("uq_billing_pool_member_pool_id_member_tenant_id"),
        ),
    )
    with op.batch_alter_table("billing_pool_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_pool_member_member_tenant_id"),
            ["member_tenant_id"],
            unique=False,
        )

    op.create_table(
        "billing_pool_subsidy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("module", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["billing_cost_pool.id"],
            name=op.f("fk_billing_pool_subsidy_pool_id_billing_cost_pool"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_pool_subsidy")),
        sa.UniqueConstraint(
            "pool_id",
            "module",
            "first_year",
            "source",
            name=op.f("uq_billing_pool_subsidy_pool_id_module_first_year_source"),
        ),
    )
    op.create_table(
        "billing_tariff_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tariff_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("one_time_fee_cents", sa.Integer(), nullable=False),
        sa.Column("one_time_fee_from", sa.Date(), nullable=True),
        sa.Column("recurring_fee_cents", sa.Integer(), nullable=False),
        sa.Column(
            "interval",
            sa.Enum(
                "monthly",
                "yearly",
                name="billing_interval",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "proration",
            sa.Enum(
                "none",
                "whole_period",
                "by_day",
                name="billing_proration",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "vat_category",
            sa.Enum(
                "S",
                "O",
                "E",
                name="billing_vat_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("vat_rate_bp", sa.Integer(), nullable=False),
        sa.Column("minimum_term_months", sa.Integer(), nullable=False),
        sa.Column("notice_period_months", sa.Integer(), nullable=False),
        sa.Column("framework_ref", sa.String(length=100), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["tariff_id"],
            ["billing_tariff.id"],
            name=op.f("fk_billing_tariff_version_tariff_id_billing_tariff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_tariff_version")),
        sa.UniqueConstraint(
            "tariff_id", "valid_from", name=op.f("uq_billing_tariff_version_tariff_id_valid_from")
        ),
    )
    op.create_table(
        "billing_contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("tariff_version_id", sa.Integer(), nullable=False),
        sa.Column("service_key", sa.String(length=64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("billable_from", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.Column("one_time_fee_due", sa.Boolean(), nullable=False),
        sa.Column(
            "vat_category",
            sa.Enum(
                "S",
                "O",
                "E",
                name="billing_vat_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("vat_rate_bp", sa.Integer(), nullable=False),
        sa.Column("framework_ref", sa.String(length=100), nullable=True),
        sa.Column("call_off_ref", sa.String(length=100), nullable=True),
        sa.Column("minimum_term_months", sa.Integer(), nullable=False),
        sa.Column("notice_period_months", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["core_subscription.id"],
            name=op.f("fk_billing_contract_subscription_id_core_subscription"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tariff_version_id"],
            ["billing_tariff_version.id"],
            name=op.f("fk_billing_contract_tariff_version_id_billing_tariff_version"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_billing_contract_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_contract")),
        sa.UniqueConstraint("subscription_id", name=op.f("uq_billing_contract_subscription_id")),
    )
    with op.batch_alter_table("billing_contract", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_contract_tariff_version_id"), ["tariff_version_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_billing_contract_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "billing_tariff_metric",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("unit_price_cents", sa.Integer(), nullable=False),
        sa.Column("included", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["billing_tariff_version.id"],
            name=op.f("fk_billing_tariff_metric_version_id_billing_tariff_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_tariff_metric")),
        sa.UniqueConstraint(
            "version_id", "metric", name=op.f("uq_billing_tariff_metric_version_id_metric")
        ),
    )
    op.create_table(
        "billing_termination_right",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("sponsorship_id", sa.Integer(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("used_on", sa.Date(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["billing_contract.id"],
            name=op.f("fk_billing_termination_right_contract_id_billing_contract"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sponsorship_id"],
            ["billing_sponsorship.id"],
            name=op.f("fk_billing_termination_right_sponsorship_id_billing_sponsorship"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_billing_termination_right_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_termination_right")),
        sa.UniqueConstraint(
            "contract_id",
            "sponsorship_id",
            name=op.f("uq_billing_termination_right_contract_id_sponsorship_id"),
        ),
    )
    with op.batch_alter_table("billing_termination_right", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_termination_right_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_billing_termination_right_tenant_id"), ["tenant_id"], unique=False
        )

    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    with op.batch_alter_table("billing_termination_right", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_termination_right_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_billing_termination_right_contract_id"))

    op.drop_table("billing_termination_right")
    op.drop_table("billing_tariff_metric")
    with op.batch_alter_table("billing_contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_contract_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_billing_contract_tariff_version_id"))

    op.drop_table("billing_contract")
    op.drop_table("billing_tariff_version")
    op.drop_table("billing_pool_subsidy")
    with op.batch_alter_table("billing_pool_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_pool_member_member_tenant_id"))

    op.drop_table("billing_pool_member")
    op.drop_table("billing_pool_cost")
    with op.batch_alter_table("billing_invoice_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_invoice_line_invoice_id"))

    op.drop_table("billing_invoice_line")
    with op.batch_alter_table("billing_billed_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_billed_item_period"))
        batch_op.drop_index(batch_op.f("ix_billing_billed_item_invoice_id"))

    op.drop_table("billing_billed_item")
    with op.batch_alter_table("billing_tariff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_tariff_issuer_id"))

    op.drop_table("billing_tariff")
    op.drop_table("billing_number_counter")
    with op.batch_alter_table("billing_invoice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_invoice_sponsor_id"))
        batch_op.drop_index("ix_billing_invoice_period")
        batch_op.drop_index(batch_op.f("ix_billing_invoice_payer_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_billing_invoice_issuer_id"))

    op.drop_table("billing_invoice")
    with op.batch_alter_table("billing_cost_pool", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_cost_pool_issuer_id"))

    op.drop_table("billing_cost_pool")
    with op.batch_alter_table("billing_sponsorship", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_sponsorship_sponsor_id"))

    op.drop_table("billing_sponsorship")
    op.drop_table("billing_issuer")
    op.drop_table("billing_sponsor")
