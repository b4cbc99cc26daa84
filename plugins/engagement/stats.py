"""Statistics for tenant admins: offers, requests, acceptance, answer and review times."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from core import Tenant, session, tenant_context, utcnow
from plugins.engagement.models import (
    ContactRequest,
    Opportunity,
    OpportunityStatus,
    Organisation,
    Report,
    ReportStatus,
    RequestStatus,
    ReviewDecision,
)


def _hours(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 3600, 1)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def tenant_statistics(tenant: Tenant, now: dt.datetime | None = None) -> dict[str, Any]:
    """Figures for one tenant (all durations in hours).

    ``acceptance_rate`` is accepted (incl. completed) over all answered requests;
    ``first_answer_hours`` the median time from request to the organisation's first
    answer; ``review_wait_hours`` the median wait of decided reviews, and the queue's
    current length and oldest wait.
    """
    now = now or utcnow()
    with tenant_context(tenant):
        offers = Counter(
            dict(
                session.execute(
                    select(Opportunity.status, func.count()).group_by(Opportunity.status)
                ).all()
            )
        )
        requests = list(
            session.execute(
                select(
                    ContactRequest.status, ContactRequest.created_at, ContactRequest.first_answer_at
                )
            )
        )
        decisions = list(
            session.execute(select(ReviewDecision.submitted_at, ReviewDecision.decided_at))
        )
        queue = list(
            session.scalars(
                select(Opportunity.submitted_at).where(
                    Opportunity.status == OpportunityStatus.IN_REVIEW
                )
            )
        )
        open_reports = session.scalar(
            select(func.count(Report.id)).where(Report.status == ReportStatus.OPEN)
        )
        organisations = session.scalar(select(func.count(Organisation.id)))
    by_status = Counter(status for status, _created, _answered in requests)
    accepted = by_status[RequestStatus.ACCEPTED] + by_status[RequestStatus.COMPLETED]
    answered = accepted + by_status[RequestStatus.DECLINED]
    waits = [_hours(now - submitted) for submitted in queue if submitted is not None]
    return {
        "organisations": organisations,
        "offers": {status.value: offers.get(status, 0) for status in OpportunityStatus},
        "requests": {status.value: by_status.get(status, 0) for status in RequestStatus},
        "requests_total": len(requests),
        "acceptance_rate": round(accepted / answered, 3) if answered else None,
        "first_answer_hours": _median([_hours(a - c) for _s, c, a in requests if a is not None]),
        "unanswered_requests": by_status[RequestStatus.REQUESTED],
        "review_wait_hours": _median([_hours(d - s) for s, d in decisions]),
        "review_queue": len(queue),
        "review_queue_oldest_hours": max(waits) if waits else None,
        "open_reports": open_reports,
    }
