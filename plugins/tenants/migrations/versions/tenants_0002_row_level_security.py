"""Row-level security on the invitations (PostgreSQL; nothing on SQLite).

Revision ID: tenants_0002
Revises: tenants_0001
Created: 2026-12-03 14:00:00
"""

from __future__ import annotations

from core import rls

revision = "tenants_0002"
down_revision = "tenants_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    rls.enable("tenants_invitation")


def downgrade() -> None:
    rls.disable("tenants_invitation")
