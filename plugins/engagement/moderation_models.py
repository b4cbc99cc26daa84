"""The engagement plugin's moderation tables: reports of abusive content and the
review decisions a tenant admin takes on offers (kept for statistics).

Both live in the offer's tenant (see ``models.py``, which imports this module so that
the metadata is complete).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import Base, TenantScoped, enum_column_type, utcnow
from plugins.engagement.offer_models import Opportunity


class ReviewDecisionKind(enum.StrEnum):
    """What a tenant admin decided about an offer in the review queue."""

    APPROVED = "approved"
    REJECTED = "rejected"


class ReportStatus(enum.StrEnum):
    """A report of abusive content: open until an admin resolves it."""

    OPEN = "open"
    DISMISSED = "dismissed"
    UPHELD = "upheld"


class Report(TenantScoped, Base):
    """A report of abusive content on an offer (in the offer's tenant)."""

    __tablename__ = "engagement_report"
    __table_args__ = (UniqueConstraint("opportunity_id", "reporter_tenant_id", "reporter_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("engagement_opportunity.id", ondelete="CASCADE"), index=True
    )
    reporter_tenant_id: Mapped[int] = mapped_column(
        ForeignKey("core_tenant.id", ondelete="RESTRICT")
    )
    reporter_user_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ReportStatus] = mapped_column(
        enum_column_type(ReportStatus, "engagement_report_status"), default=ReportStatus.OPEN
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[dt.datetime | None]

    opportunity: Mapped[Opportunity] = relationship()


class ReviewDecision(TenantScoped, Base):
    """A tenant admin's decision on an offer in the review queue (kept for statistics)."""

    __tablename__ = "engagement_review_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("engagement_opportunity.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[ReviewDecisionKind] = mapped_column(
        enum_column_type(ReviewDecisionKind, "engagement_review_decision_kind")
    )
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
