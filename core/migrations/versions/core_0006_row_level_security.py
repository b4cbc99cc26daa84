"""Row-level security on core's tenant-owned tables (PostgreSQL; nothing on SQLite).

Revision ID: core_0006
Revises: core_0005
Created: 2026-12-03 14:00:00
"""

from __future__ import annotations

from core import rls

revision = "core_0006"
down_revision = "core_0005"
branch_labels = None
depends_on = None

#: table -> whether it has platform rows (tenant_id NULL: operator accounts etc.)
TABLES = {
    "core_subscription": False,
    "core_user": True,
    "core_user_role": True,
    "core_api_token": True,
    "core_audit_entry": True,
    "core_outbox_message": True,
}


def upgrade() -> None:
    for table, platform_rows in TABLES.items():
        rls.enable(table, platform_rows=platform_rows)


def downgrade() -> None:
    for table in TABLES:
        rls.disable(table)
