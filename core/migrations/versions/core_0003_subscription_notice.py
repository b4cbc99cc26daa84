"""A subscription keeps the day notice was given for its end.

Billing checks notice periods against it; before, the day rode a context variable
from billing through core and back.

Revision ID: core_0003
Revises: core_0002
Created: 2026-12-03 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "core_0003"
down_revision = "core_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("core_subscription", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notice_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("core_subscription", schema=None) as batch_op:
        batch_op.drop_column("notice_on")
