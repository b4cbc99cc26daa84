"""Moderation of offers: the review queue of a tenant's admins and reports of
abusive content.

Offers of unverified organisations wait in review; a rejected offer goes back to
draft with the reason. Several reports hide an offer until a tenant admin has looked
at it. The caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from core import (
    ConflictError,
    ErrorCollector,
    NotFoundError,
    Tenant,
    User,
    ValidationError,
    audit,
    cross_tenant,
    session,
    tenant_context,
    utcnow,
)
from plugins.engagement import notifications
from plugins.engagement.models import (
    Opportunity,
    OpportunityStatus,
    Report,
    ReportStatus,
    ReviewDecision,
    ReviewDecisionKind,
)
from plugins.engagement.offers import setting

S = OpportunityStatus


def review_queue(tenant: Tenant) -> list[Opportunity]:
    """Offers waiting for review, longest waiting first."""
    with tenant_context(tenant):
        stmt = (
            select(Opportunity)
            .where(Opportunity.status == S.IN_REVIEW)
            .order_by(Opportunity.submitted_at, Opportunity.id)
        )
        return list(session.scalars(stmt))


def decide(
    tenant: Tenant, offer_ids: Iterable[int], approve: bool, reason: str | None, actor: str
) -> list[Opportunity]:
    """Approve (publish) or reject (back to draft, with the reason) offers in review.

    :raises ValidationErrors: no offers chosen, a rejection without a reason (both
        named when both are missing).
    :raises NotFoundError: an id that is not in the tenant's review queue — then
        nothing is changed.
    """
    ids = sorted(set(offer_ids))
    reason = (reason or "").strip() or None
    errors = ErrorCollector()
    if not ids:
        errors.errors.append(
            ValidationError(
                "choose at least one offer",
                field="offers",
                code="engagement.review.offers.required",
            )
        )
    if not approve and not reason:
        errors.errors.append(
            ValidationError(
                "say why the offers are rejected",
                field="reason",
                code="engagement.review.reason.required",
            )
        )
    errors.raise_any()
    with tenant_context(tenant):
        offers = list(session.scalars(select(Opportunity).where(Opportunity.id.in_(ids))))
        waiting = {o.id for o in offers if o.status == S.IN_REVIEW}
        missing = [i for i in ids if i not in waiting]
        if missing:
            raise NotFoundError(
                "offer %(missing)s is not waiting for review here",
                field="offers",
                code="engagement.review.not_waiting",
                missing=missing[0],
            )
        for offer in offers:
            _decide_one(offer, approve, reason, actor)
        session.flush()
    return offers


def _decide_one(offer: Opportunity, approve: bool, reason: str | None, actor: str) -> None:
    decision = ReviewDecision(
        opportunity_id=offer.id,
        decision=ReviewDecisionKind.APPROVED if approve else ReviewDecisionKind.REJECTED,
        reason=reason,
        decided_by=actor,
        submitted_at=offer.submitted_at or offer.created_at,
    )
    session.add(decision)
    if approve:
        offer.status = S.PUBLISHED
        offer.published_at = offer.published_at or utcnow()
        offer.review_note = None
    else:
        offer.status = S.DRAFT
        offer.review_note = reason
    session.flush()
    notifications.review_result(offer, decision.id, approve, reason)


# ---------------------------------------------------------------------------------
# Reports of abusive content
# ---------------------------------------------------------------------------------


def report_offer(offer: Opportunity, reporter: User, reason: str) -> Report:
    """Report an offer; from ``REPORT_THRESHOLD`` (default 3) open reports by different
    people on, the offer is hidden until a tenant admin has reviewed it.

    :raises ConflictError: the reporter reported this offer before.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            "say what is wrong with the offer",
            field="reason",
            code="engagement.report.reason.required",
        )
    if len(reason) > 2000:
        raise ValidationError(
            "must have at most 2000 characters",
            field="reason",
            code="engagement.report.reason.too_long",
        )
    with cross_tenant("a citizen reports another municipality's offer, stored with the offer"):
        exists = session.scalar(
            select(Report.id).where(
                Report.opportunity_id == offer.id,
                Report.reporter_tenant_id == reporter.tenant_id,
                Report.reporter_user_id == reporter.id,
            )
        )
        if exists:
            raise ConflictError(
                "you have reported this offer already",
                field="reason",
                code="engagement.report.duplicate",
            )
        report = Report(
            tenant_id=offer.tenant_id,
            opportunity_id=offer.id,
            reporter_tenant_id=reporter.tenant_id,
            reporter_user_id=reporter.id,
            reason=reason,
        )
        session.add(report)
        session.flush()
        open_count = session.scalar(
            select(func.count(Report.id)).where(
                Report.opportunity_id == offer.id, Report.status == ReportStatus.OPEN
            )
        )
        if open_count >= setting("REPORT_THRESHOLD", 3) and not offer.hidden:
            offer.hidden = True
            session.flush()
            notifications.content_hidden(offer, open_count)
    return report


def reported_offers(tenant: Tenant) -> list[tuple[Opportunity, list[Report]]]:
    """Offers with open reports, hidden ones first."""
    with tenant_context(tenant):
        reports = list(
            session.scalars(
                select(Report).where(Report.status == ReportStatus.OPEN).order_by(Report.created_at)
            )
        )
        grouped: dict[int, list[Report]] = {}
        for report in reports:
            grouped.setdefault(report.opportunity_id, []).append(report)
        offers = {
            o.id: o for o in session.scalars(select(Opportunity).where(Opportunity.id.in_(grouped)))
        }
    ordered = sorted(grouped, key=lambda i: (not offers[i].hidden, grouped[i][0].created_at))
    return [(offers[i], grouped[i]) for i in ordered]


def resolve_reports(tenant: Tenant, offer_id: int, uphold: bool) -> Opportunity:
    """Close an offer's open reports: upheld archives the offer, dismissed shows it again."""
    with tenant_context(tenant):
        offer = session.get(Opportunity, offer_id)
        if offer is None:
            raise NotFoundError(
                "no offer %(offer_id)s here",
                field="offer",
                code="engagement.offer.not_found",
                offer_id=offer_id,
            )
        reports = list(
            session.scalars(
                select(Report).where(
                    Report.opportunity_id == offer.id, Report.status == ReportStatus.OPEN
                )
            )
        )
        if not reports:
            raise ConflictError(
                "the offer has no open reports", field="offer", code="engagement.report.none_open"
            )
        for report in reports:
            report.status = ReportStatus.UPHELD if uphold else ReportStatus.DISMISSED
            report.resolved_at = utcnow()
        if uphold:
            offer.status = S.ARCHIVED
        offer.hidden = False if not uphold else offer.hidden
        session.flush()
        audit.record(
            "engagement.reports.upheld" if uphold else "engagement.reports.dismissed",
            f"engagement_opportunity:{offer.id}",
            tenant=tenant,
        )
    return offer
