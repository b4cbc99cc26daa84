"""Scores and reasons of candidate offers against one query (Python, per row)."""

from __future__ import annotations

from dataclasses import dataclass, field

from core import Tenant
from plugins.engagement import geo, vocabulary
from plugins.engagement.matching.query import TIER_BONUS, WEIGHTS, SearchQuery
from plugins.engagement.matching.reasons import Reason, reason_texts
from plugins.engagement.models import (
    Opportunity,
    Reach,
    Schedule,
)


@dataclass
class Match:
    """A ranked result: the offer, its distance (None when remote or no place given),
    the score (0-100) and the reasons."""

    opportunity: Opportunity
    tenant: Tenant | None
    distance_km: float | None
    score: int
    reasons: list[Reason]

    @property
    def reason_texts(self) -> list[str]:
        """The reasons as sentences in the current language."""
        return reason_texts(self.reasons)


@dataclass
class _Candidate:
    id: int
    tenant_id: int
    lat: float | None
    lon: float | None
    remote: bool
    field_mask: int
    skills: list[str]
    slot_mask: int
    languages: list[str]
    schedule: Schedule
    reach: Reach
    is_full: bool
    tier: int = 0
    distance: float | None = None
    earned: float = 0.0
    score: int = 0
    reasons: list[Reason] = field(default_factory=list)


@dataclass(frozen=True)
class Ranked:
    """A ranked offer before anything but its ranking columns is loaded (see
    :func:`rank_opportunities`)."""

    id: int
    tenant_id: int
    distance_km: float | None
    score: int
    reasons: list[Reason]


class _Scorer:
    """Scores candidates against one query (the query's masks are computed once)."""

    def __init__(self, query: SearchQuery, tenant_id: int) -> None:
        self.query = query
        self.tenant_id = tenant_id
        self.fields = vocabulary.field_mask(query.fields)
        self.field_count = bin(self.fields).count("1")
        self.slots = vocabulary.slot_mask(query.time_slots)
        self.skills = set(query.skills)
        self.languages = set(query.languages)
        self.words = query.q.strip()
        # Points SQL cannot compute (see _best).
        self.hidden_points = (
            WEIGHTS["skills"] * bool(self.skills)
            + WEIGHTS["availability"] * bool(self.slots)
            + WEIGHTS["language"] * bool(self.languages)
        )
        self.possible = sum(
            weight
            for name, weight in WEIGHTS.items()
            if {
                "distance": query.point is not None,
                "fields": bool(self.fields),
                "skills": bool(self.skills),
                "availability": bool(self.slots),
                "language": bool(self.languages),
            }[name]
        )

    def score(self, c: _Candidate) -> bool:
        """Fill in distance, score and reasons; False when outside the radius."""
        if not self.earn(c):
            return False
        self.explain(c)
        return True

    def earn(self, c: _Candidate) -> bool:
        """Fill in distance, points and score (not the reasons, which only the few
        results need); False when outside the radius."""
        earned = 0.0
        point = self.query.point
        if point is not None:
            if c.remote:
                earned += WEIGHTS["distance"] * 0.5
            else:
                c.distance = geo.distance_km(point.lat, point.lon, c.lat, c.lon)  # type: ignore[arg-type]
                if c.distance > self.query.radius_km:
                    return False
                earned += WEIGHTS["distance"] * (1 - c.distance / self.query.radius_km)
        earned += self._fields(c) + self._skills(c)
        earned += self._availability(c) + self._language(c)
        c.earned = earned + TIER_BONUS * c.tier
        c.score = round(100 * earned / self.possible) if self.possible else 0
        return True

    def explain(self, c: _Candidate) -> None:
        """Fill in the reasons of a candidate :meth:`earn` kept."""
        reasons: list[Reason] = []
        point = self.query.point
        if c.remote:
            reasons.append(_REMOTE)
        elif point is not None:
            reasons.append(Reason("distance", (("km", c.distance), ("place", point.label))))
        shared = c.field_mask & self.fields
        if shared:
            reasons.append(Reason("fields", (("mask", shared),)))
        skills = self.skills.intersection(c.skills or ())
        if skills:
            keys = tuple(key for key in vocabulary.SKILLS if key in skills)
            reasons.append(Reason("skills", (("keys", keys),)))
        if self.slots and c.schedule != Schedule.ONE_OFF and c.slot_mask:
            slots = c.slot_mask & self.slots
            if slots:
                reasons.append(Reason("availability", (("mask", slots),)))
        if self.languages:
            languages = self.languages.intersection(c.languages or ("de",))
            if languages:
                reasons.append(Reason("language", (("codes", tuple(sorted(languages))),)))
        if self.words:
            reasons.append(Reason("text", (("q", self.words),)))
        reasons.append(_OWN if c.tenant_id == self.tenant_id else _REACH[c.reach])
        if c.is_full:
            reasons.append(_WAITLIST)
        c.reasons = reasons

    def _fields(self, c: _Candidate) -> float:
        shared = c.field_mask & self.fields
        if not shared:
            return 0.0
        return WEIGHTS["fields"] * bin(shared).count("1") / self.field_count

    def _skills(self, c: _Candidate) -> float:
        if not self.skills:
            return 0.0
        shared = self.skills.intersection(c.skills or ())
        if not shared:
            return 0.0
        return WEIGHTS["skills"] * len(shared) / max(len(c.skills), 1)

    def _availability(self, c: _Candidate) -> float:
        if not self.slots:
            return 0.0
        if c.schedule == Schedule.ONE_OFF or not c.slot_mask:
            return WEIGHTS["availability"] * 0.5
        shared = c.slot_mask & self.slots
        if not shared:
            return 0.0
        return WEIGHTS["availability"] * bin(shared).count("1") / bin(c.slot_mask).count("1")

    def _language(self, c: _Candidate) -> float:
        if not self.languages:
            return 0.0
        shared = self.languages.intersection(c.languages or ("de",))
        if not shared:
            return 0.0
        return float(WEIGHTS["language"])


_REMOTE = Reason("remote")
_OWN = Reason("own")
_WAITLIST = Reason("waitlist")
_REACH = {reach: Reason(f"reach_{reach.value}") for reach in Reach}


def rate(query: SearchQuery, offer: Opportunity, searcher_tenant_id: int) -> Match | None:
    """Score one offer against a query (None when it lies outside the radius); used
    for the reverse match, where an organisation looks for volunteers."""
    candidate = _Candidate(
        offer.id,
        offer.tenant_id,
        offer.lat,
        offer.lon,
        offer.remote,
        offer.field_mask,
        list(offer.skills or []),
        offer.slot_mask,
        list(offer.languages or []),
        offer.schedule,
        offer.reach,
        offer.is_full,
    )
    scorer = _Scorer(query, searcher_tenant_id)
    if not scorer.score(candidate):
        return None
    return Match(offer, None, candidate.distance, candidate.score, candidate.reasons)  # type: ignore[arg-type]
