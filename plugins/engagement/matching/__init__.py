"""Matching: ranked offers for a search or a volunteer profile, with readable reasons.

``match_opportunities(query, limit)`` applies the hard filters in SQL (published, not
hidden, not expired, a place left or the waitlist open, minimum age, fields, schedule,
dates, full text, the radius as grid-cell ranges plus a bounding box, and the reach
when searching statewide), then computes the exact distance and a score from 0 to
100 in Python for the few candidates, and explains every result: distance, shared
interests, skills, availability, language, and where the offer comes from.

Local first: by default only the searcher's municipality's offers are searched. With
``statewide`` the search reads other tenants' offers whose reach covers the searcher's
municipality — an explicit cross-tenant read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import get_locale
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from core import NotFoundError, Tenant, cross_tenant, session, tenant_context
from plugins.engagement.matching.plan import _rank
from plugins.engagement.matching.query import (
    CANDIDATE_CAP,
    MAX_LIMIT,
    TIER_BONUS,
    WEIGHTS,
    SearchQuery,
    _coverage_keys,
    _validated,
)
from plugins.engagement.matching.reasons import Reason, _decimal_km, reason_texts
from plugins.engagement.matching.scoring import Match, Ranked, _Candidate, rate
from plugins.engagement.models import Opportunity, VolunteerProfile

__all__ = [
    "CANDIDATE_CAP",
    "MAX_LIMIT",
    "TIER_BONUS",
    "WEIGHTS",
    "Match",
    "Ranked",
    "Reason",
    "SearchQuery",
    "get_locale",
    "match_opportunities",
    "prepare",
    "rank_opportunities",
    "rank_validated",
    "rate",
    "reason_texts",
    "visible_offer",
    "_decimal_km",
]


def match_opportunities(
    query: SearchQuery | VolunteerProfile,
    limit: int = 20,
    *,
    tenant: Tenant,
    statewide: bool | None = None,
    today: dt.date | None = None,
) -> list[Match]:
    """Ranked offers for a search or a volunteer profile, with the offers (and their
    organisations and tenants) loaded.

    :param query: a :class:`SearchQuery` or a profile (its interests, place, radius...).
    :param limit: how many results (1-100).
    :param tenant: the searcher's municipality (whose portal they use).
    :param statewide: include other tenants' offers whose reach covers ``tenant``
        (default: the query's own ``statewide``).
    :raises ValidationError: a bad limit, radius, vocabulary key or unknown place.
    """
    query, today, wide = _validated(query, limit, statewide, today)
    with _search_scope(tenant, wide):
        return _load(_rank(query, limit, tenant, today, wide))


def rank_opportunities(
    query: SearchQuery | VolunteerProfile,
    limit: int = 20,
    *,
    tenant: Tenant,
    statewide: bool | None = None,
    today: dt.date | None = None,
) -> list[Ranked]:
    """The ranking of :func:`match_opportunities` (same arguments, same order, scores
    and reasons) without loading the offers: for callers that read the columns they
    need themselves, such as the search API."""
    query, today, wide = _validated(query, limit, statewide, today)
    return rank_validated(query, limit, tenant=tenant, wide=wide, today=today)


def prepare(
    query: SearchQuery | VolunteerProfile,
    limit: int,
    statewide: bool | None = None,
    today: dt.date | None = None,
) -> tuple[SearchQuery, dt.date, bool]:
    """``(query, today, statewide)`` checked and completed (the place geocoded, a
    profile turned into its search) for :func:`rank_validated`.

    :raises ValidationError: as :func:`match_opportunities`."""
    return _validated(query, limit, statewide, today)


def rank_validated(
    query: SearchQuery, limit: int, *, tenant: Tenant, wide: bool, today: dt.date
) -> list[Ranked]:
    """:func:`rank_opportunities` for a query :func:`prepare` returned."""
    with _search_scope(tenant, wide):
        ranked = _rank(query, limit, tenant, today, wide)
    return [Ranked(c.id, c.tenant_id, c.distance, c.score, c.reasons) for c in ranked]


def _search_scope(tenant: Tenant, wide: bool) -> Any:
    """Statewide, a search reads other tenants' offers whose reach covers the searcher
    (the statements' coverage condition): the explicit cross-tenant read of this
    module. Otherwise only the searcher's own (the tenant condition)."""
    if wide:
        return cross_tenant(f"statewide search: offers whose reach covers tenant {tenant.slug}")
    return tenant_context(tenant)


def visible_offer(tenant: Tenant, offer_id: int, today: dt.date | None = None) -> Opportunity:
    """A published offer a citizen at ``tenant``'s portal may see: the tenant's own,
    or another municipality's whose reach covers ``tenant``.

    :raises NotFoundError: no such offer, not published, hidden, expired or out of reach.
    """
    today = today or dt.date.today()
    with cross_tenant(f"statewide: show an offer whose reach may cover tenant {tenant.slug}"):
        offer = session.get(Opportunity, offer_id)
        if offer is not None:
            offer.organisation  # noqa: B018 - load it inside the cross-tenant block
    reachable = offer is not None and (
        offer.tenant_id == tenant.id or offer.coverage_prefix in _coverage_keys(tenant)
    )
    if not reachable or not offer.is_visible_on(today):  # type: ignore[union-attr]
        raise NotFoundError(
            "no offer %(offer_id)s here",
            field="offer",
            code="engagement.offer_not_found",
            offer_id=offer_id,
        )
    return offer  # type: ignore[return-value]


_OFFERS = (
    select(Opportunity)
    .where(Opportunity.id.in_(bindparam("ids", expanding=True)))
    .options(joinedload(Opportunity.organisation))
)
_TENANTS = select(Tenant).where(Tenant.id.in_(bindparam("ids", expanding=True)))


def _load(ranked: list[_Candidate]) -> list[Match]:
    """The offers, organisations and tenants of the ranked candidates, in order."""
    if not ranked:
        return []
    offers = {
        offer.id: offer for offer in session.scalars(_OFFERS, {"ids": [c.id for c in ranked]})
    }
    tenant_ids = sorted({c.tenant_id for c in ranked})
    tenants = {t.id: t for t in session.scalars(_TENANTS, {"ids": tenant_ids})}
    return [
        Match(offers[c.id], tenants[c.tenant_id], c.distance, c.score, c.reasons)
        for c in ranked
        if c.id in offers
    ]
