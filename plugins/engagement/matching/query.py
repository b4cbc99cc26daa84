"""What a citizen searches for: :class:`SearchQuery`, its validation and limits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from core import ErrorCollector, Tenant, ValidationError
from plugins.engagement import geo, vocabulary
from plugins.engagement.models import (
    Schedule,
    VolunteerProfile,
)

MAX_LIMIT = 100
#: Without math functions in SQL (an unusual SQLite build) at most this many rows are scored.
CANDIDATE_CAP = 5000

WEIGHTS = {"distance": 35, "fields": 30, "skills": 15, "availability": 15, "language": 5}
#: Points per text match tier (search.match_tier: exact words, word prefixes, inside
#: compounds) that order the tiers above any score; only the order sees them, not
#: the score shown.
TIER_BONUS = 1000


@dataclass
class SearchQuery:
    """What a citizen searches for (all optional)."""

    place: str | None = None
    point: geo.Point | None = None
    radius_km: int = 25
    q: str = ""
    fields: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    time_slots: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    age: int | None = None
    schedule: Schedule | None = None
    remote: bool | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    statewide: bool = False

    def validate(self) -> SearchQuery:
        """Check the vocabularies and ranges; geocode ``place`` (``ValidationErrors``
        naming every wrong input)."""
        errors = ErrorCollector()
        errors.run(vocabulary.field_mask, self.fields)
        errors.run(vocabulary.slot_mask, self.time_slots)
        errors.run(vocabulary.validate_skills, self.skills)
        self.languages = errors.run(vocabulary.validate_languages, self.languages) or []
        self.radius_km = errors.run(geo.validate_radius, self.radius_km) or self.radius_km
        if self.age is not None and not 0 <= self.age <= 120:
            errors.errors.append(
                ValidationError(
                    "must be between 0 and 120", field="age", code="engagement.age_out_of_range"
                )
            )
        if self.date_from and self.date_to and self.date_to < self.date_from:
            errors.errors.append(
                ValidationError(
                    "lies before the start of the period",
                    field="date_to",
                    code="engagement.period_reversed",
                )
            )
        self.q = " ".join(self.q.split())
        if self.point is None and self.place:
            self.point = errors.run(geo.geocode, self.place, field="plz")
        errors.raise_any()
        return self

    def cache_key(self) -> tuple[Any, ...]:
        """The normalised query (after :meth:`validate`): equal for searches that
        must give the same results — lists as sets, the place as its point."""
        point = self.point
        return (
            None if point is None else (point.lat, point.lon, point.label),
            self.radius_km,
            " ".join(self.q.split()),
            *(
                tuple(sorted(values))
                for values in (self.fields, self.skills, self.time_slots, self.languages)
            ),
            self.age,
            self.schedule,
            self.remote,
            self.date_from,
            self.date_to,
        )

    @classmethod
    def from_profile(
        cls, profile: VolunteerProfile, today: dt.date, **overrides: Any
    ) -> SearchQuery:
        """A search with the volunteer's interests, skills, week, languages and place."""
        point = None
        if profile.lat is not None and profile.lon is not None:
            point = geo.Point(profile.lat, profile.lon, profile.plz or "", profile.plz)
        query = cls(
            place=profile.plz,
            point=point,
            radius_km=profile.radius_km,
            fields=profile.fields,
            skills=list(profile.skills or []),
            time_slots=profile.time_slots,
            languages=list(profile.languages or []),
            age=profile.age_on(today),
        )
        return replace(query, **overrides)


def _validated(
    query: SearchQuery | VolunteerProfile,
    limit: int,
    statewide: bool | None,
    today: dt.date | None,
) -> tuple[SearchQuery, dt.date, bool]:
    today = today or dt.date.today()
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(
            "must be between 1 and %(max)s",
            field="limit",
            code="engagement.limit_out_of_range",
            max=MAX_LIMIT,
        )
    if isinstance(query, VolunteerProfile):
        query = SearchQuery.from_profile(query, today)
    query = query.validate()
    return query, today, query.statewide if statewide is None else statewide


def _coverage_keys(tenant: Tenant) -> list[str]:
    """AGS prefixes whose offers address the tenant: its own area, its Kreis, its Land."""
    return sorted({tenant.ags, tenant.ags[:5], tenant.ags[:2]})
