"""Calendars, slots, bookings and the digests of booking link tokens.

Revision ID: termin_0001
Revises: -
Created: 2026-11-21 12:44:45.630995
"""

from __future__ import annotations

import core.db
import sqlalchemy as sa
from alembic import op

revision = "termin_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "termin_calendar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("archived_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_termin_calendar_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_termin_calendar")),
        sa.UniqueConstraint("tenant_id", "slug", name=op.f("uq_termin_calendar_tenant_id_slug")),
    )
    with op.batch_alter_table("termin_calendar", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_termin_calendar_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "termin_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("ends_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["termin_calendar.id"],
            name=op.f("fk_termin_slot_calendar_id_termin_calendar"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_termin_slot_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_termin_slot")),
        sa.UniqueConstraint(
            "calendar_id", "starts_at", name=op.f("uq_termin_slot_calendar_id_starts_at")
        ),
    )
    with op.batch_alter_table("termin_slot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_termin_slot_calendar_id"), ["calendar_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_termin_slot_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_termin_slot_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "termin_booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "confirmed",
                "cancelled",
                name="termin_booking_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("cancelled_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("cancelled_by", sa.String(length=20), nullable=True),
        sa.Column("reminded_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("anonymised_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["termin_slot.id"],
            name=op.f("fk_termin_booking_slot_id_termin_slot"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_termin_booking_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_termin_booking")),
        sa.UniqueConstraint(
            "tenant_id", "reference", name=op.f("uq_termin_booking_tenant_id_reference")
        ),
    )
    with op.batch_alter_table("termin_booking", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_termin_booking_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_termin_booking_slot_id"), ["slot_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_termin_booking_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "termin_booking_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "confirm",
                "cancel",
                name="termin_token_purpose",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["termin_booking.id"],
            name=op.f("fk_termin_booking_token_booking_id_termin_booking"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["core_tenant.id"],
            name=op.f("fk_termin_booking_token_tenant_id_core_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_termin_booking_token")),
        sa.UniqueConstraint("digest", name=op.f("uq_termin_booking_token_digest")),
    )
    with op.batch_alter_table("termin_booking_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_termin_booking_token_booking_id"), ["booking_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_termin_booking_token_tenant_id"), ["tenant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("termin_booking_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_termin_booking_token_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_termin_booking_token_booking_id"))

    op.drop_table("termin_booking_token")
    with op.batch_alter_table("termin_booking", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_termin_booking_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_termin_booking_slot_id"))
        batch_op.drop_index(batch_op.f("ix_termin_booking_email"))

    op.drop_table("termin_booking")
    with op.batch_alter_table("termin_slot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_termin_slot_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_termin_slot_starts_at"))
        batch_op.drop_index(batch_op.f("ix_termin_slot_calendar_id"))

    op.drop_table("termin_slot")
    with op.batch_alter_table("termin_calendar", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_termin_calendar_tenant_id"))

    op.drop_table("termin_calendar")
