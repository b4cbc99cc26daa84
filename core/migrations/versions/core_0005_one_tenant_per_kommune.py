"""One tenant per Kommune: kinds kreisfreie Stadt and Stadtstaat, register aliases.

Existing tenants keep their rows; ``rathaus tenants doctor`` reports duplicates
(a kreisfreie Stadt registered as Kreis and Gemeinde) and ``--merge`` merges them.

Revision ID: core_0005
Revises: core_0004
Created: 2026-12-03 13:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "core_0005"
down_revision = "core_0004"
branch_labels = None
depends_on = None

OLD_KINDS = ("land", "kreis", "gemeinde")
NEW_KINDS = (*OLD_KINDS, "kreisfreie_stadt", "stadtstaat")


def _kind(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(
        *values, name="tenant_kind", native_enum=False, create_constraint=True, length=32
    )


def upgrade() -> None:
    with op.batch_alter_table("core_tenant", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_kind(OLD_KINDS), type_=_kind(NEW_KINDS), existing_nullable=False
        )
    op.create_table(
        "core_tenant_alias",
        sa.Column("ags", sa.String(length=8), nullable=False),
        sa.Column("alias_of_id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alias_of_id"],
            ["core_tenant.id"],
            name=op.f("fk_core_tenant_alias_alias_of_id_core_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ags", name=op.f("pk_core_tenant_alias")),
    )
    with op.batch_alter_table("core_tenant_alias", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_core_tenant_alias_alias_of_id"), ["alias_of_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("core_tenant_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_tenant_alias_alias_of_id"))
    op.drop_table("core_tenant_alias")
    op.execute(
        "UPDATE core_tenant SET kind = 'gemeinde' WHERE kind IN ('kreisfreie_stadt', 'stadtstaat')"
    )
    with op.batch_alter_table("core_tenant", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_kind(NEW_KINDS), type_=_kind(OLD_KINDS), existing_nullable=False
        )
