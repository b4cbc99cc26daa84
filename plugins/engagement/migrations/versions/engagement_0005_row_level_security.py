"""Row-level security on every engagement table (PostgreSQL; nothing on SQLite).

The full-text index ``fts_engagement_opportunity`` has no tenant column: a row is
visible when its offer is (the offer's own policy applies inside the condition).

Revision ID: engagement_0005
Revises: engagement_0004
Created: 2026-12-03 14:00:00
"""

from __future__ import annotations

from core import rls

revision = "engagement_0005"
down_revision = "engagement_0004"
branch_labels = None
depends_on = None

TABLES = (
    "engagement_organisation",
    "engagement_membership",
    "engagement_opportunity",
    "engagement_volunteer_profile",
    "engagement_contact_request",
    "engagement_message",
    "engagement_invitation",
    "engagement_report",
    "engagement_review_decision",
)
FTS_CONDITION = (
    f"{rls.CROSS_TENANT} OR EXISTS (SELECT 1 FROM engagement_opportunity o "  # noqa: S608
    "WHERE o.id = fts_engagement_opportunity.id)"
)


def upgrade() -> None:
    for table in TABLES:
        rls.enable(table)
    rls.enable("fts_engagement_opportunity", using=FTS_CONDITION)


def downgrade() -> None:
    rls.disable("fts_engagement_opportunity")
    for table in TABLES:
        rls.disable(table)
