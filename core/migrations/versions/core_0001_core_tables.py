"""Core tables: tenants, subscriptions, accounts, roles, API tokens, audit log, outbox.

Revision ID: core_0001
Revises: -
Created: 2026-11-21 12:20:57.541584
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "core_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "core_tenant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("ags", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "land",
                "kreis",
                "gemeinde",
                name="tenant_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "active",
                "suspended",
                "offboarded",
                name="tenant_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("hostname", sa.String(length=253), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("brand_colour", sa.String(length=7), nullable=True),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_mime", sa.String(length=40), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("invoice_recipient", sa.String(length=200), nullable=True),
        sa.Column("address_street", sa.String(length=200), nullable=True),
        sa.Column("address_postcode", sa.String(length=10), nullable=True),
        sa.Column("address_city", sa.String(length=100), nullable=True),
        sa.Column("leitweg_id", sa.String(length=46), nullable=True),
        sa.Column("invoice_email", sa.String(length=254), nullable=True),
        sa.Column("parent_may_administer", sa.Boolean(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["core_tenant.id"],
            name=op.f("fk_core_tenant_parent_id_core_tenant"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_tenant")),
        sa.UniqueConstraint("ags", name=op.f("uq_core_tenant_ags")),
        sa.UniqueConstraint("hostname", name=op.f("uq_core_tenant_hostname")),
        sa.UniqueConstraint("slug", name=op.f("uq_core_tenant_slug")),
    )
    with op.batch_alter_table("core_tenant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_tenant_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "core_api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("last_used_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_core_api_token_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_api_token")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_core_api_token_token_digest")),
    )
    with op.batch_alter_table("core_api_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_core_api_token_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "core_audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", core.db.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_core_audit_entry_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_audit_entry")),
    )
    with op.batch_alter_table("core_audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_core_audit_entry_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "core_outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=250), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "failed",
                name="outbox_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("send_after", core.db.UTCDateTime(), nullable=True),
        sa.Column("sent_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_core_outbox_message_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_outbox_message")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_core_outbox_message_dedup_key")),
    )
    with op.batch_alter_table("core_outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_core_outbox_message_category"), ["category"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_core_outbox_message_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_core_outbox_message_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "core_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_key", sa.String(length=64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.Column("contract_ref", sa.String(length=100), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_core_subscription_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_subscription")),
    )
    with op.batch_alter_table("core_subscription", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_core_subscription_tenant_id"), ["tenant_id"], unique=False
        )
        batch_op.create_index(
            "ix_core_subscription_tenant_service", ["tenant_id", "service_key"], unique=False
        )

    op.create_table(
        "core_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("last_login_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_core_user_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_user")),
        sa.UniqueConstraint("tenant_id", "email", name=op.f("uq_core_user_tenant_id_email")),
    )
    with op.batch_alter_table("core_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_user_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "core_user_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "operator",
                "tenant_admin",
                "organisation_member",
                "citizen",
                name="user_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("tenant_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_core_user_role_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["core_user.id"],
            name=op.f("fk_core_user_role_user_id_core_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_user_role")),
        sa.UniqueConstraint("user_id", "role", name=op.f("uq_core_user_role_user_id_role")),
    )
    with op.batch_alter_table("core_user_role", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_core_user_role_tenant_id"), ["tenant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_core_user_role_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("core_user_role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_user_role_user_id"))
        batch_op.drop_index(batch_op.f("ix_core_user_role_tenant_id"))

    op.drop_table("core_user_role")
    with op.batch_alter_table("core_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_user_tenant_id"))

    op.drop_table("core_user")
    with op.batch_alter_table("core_subscription", schema=None) as batch_op:
        batch_op.drop_index("ix_core_subscription_tenant_service")
        batch_op.drop_index(batch_op.f("ix_core_subscription_tenant_id"))

    op.drop_table("core_subscription")
    with op.batch_alter_table("core_outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_outbox_message_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_core_outbox_message_status"))
        batch_op.drop_index(batch_op.f("ix_core_outbox_message_category"))

    op.drop_table("core_outbox_message")
    with op.batch_alter_table("core_audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_audit_entry_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_core_audit_entry_at"))

    op.drop_table("core_audit_entry")
    with op.batch_alter_table("core_api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_api_token_tenant_id"))

    op.drop_table("core_api_token")
    with op.batch_alter_table("core_tenant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_tenant_parent_id"))

    op.drop_table("core_tenant")
