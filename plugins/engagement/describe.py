"""Offers as the API shows them, and the search results list of the API.

:func:`offer_data` shapes one loaded offer (ORM) for ``EngagementOpportunitySchema``.
:func:`search_listing` is the search as the API answers it — the hot path of the
plugin: the ranking of :func:`matching.rank_opportunities`, then one Core query for
exactly the columns the listed offers show (offer, organisation, tenant slug; no ORM
entities), and the reasons rendered with one catalogue look-up for all results. Its
items are already in the schema's dumped, JSON-ready form (dates as ISO strings), so
the API sends them without a marshmallow pass; a test holds them equal to the
schema's dump of :func:`offer_data`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app
from flask_babel import get_locale
from sqlalchemy import ARRAY, Integer, String, any_, bindparam, cast, func, select

from core import Tenant, cross_tenant, get_db, session
from plugins.engagement import cache, matching, vocabulary
from plugins.engagement.models import Opportunity, Organisation, VolunteerProfile

#: The offer columns the API shows (some through derived values: fields, time slots,
#: places left, the enums' values).
OFFER_COLUMNS = (
    "id", "title", "description", "field_mask", "skills", "languages", "remote", "plz",
    "place", "lat", "lon", "starts_on", "ends_on", "slot_mask", "hours_per_week", "min_age",
    "accessibility_notes", "with_children", "places", "places_taken", "waitlist_open",
    "expires_on", "reach", "schedule", "status",
)  # fmt: skip
#: The organisation's public columns (no contact data).
ORGANISATION_COLUMNS = ("id", "name", "kind", "verified")

_AS_IS = (
    "id", "title", "description", "skills", "languages", "remote", "plz", "place", "lat",
    "lon", "starts_on", "ends_on", "hours_per_week", "min_age", "accessibility_notes",
    "with_children", "places", "waitlist_open", "expires_on",
)  # fmt: skip
_DATES = ("starts_on", "ends_on", "expires_on")


def offer_data(offer: Opportunity, tenant_slug: str) -> dict[str, Any]:
    """An offer in the shape of ``EngagementOpportunitySchema``."""
    return _offer(
        {name: getattr(offer, name) for name in OFFER_COLUMNS},
        {name: getattr(offer.organisation, name) for name in ORGANISATION_COLUMNS},
        tenant_slug,
    )


def _offer(
    values: Mapping[str, Any], organisation: Mapping[str, Any], tenant_slug: str
) -> dict[str, Any]:
    data = {name: values[name] for name in _AS_IS}
    places = values["places"]
    data.update(
        fields=vocabulary.fields_of(values["field_mask"]),
        time_slots=vocabulary.slots_of(values["slot_mask"]),
        places_left=None if places is None else max(0, places - values["places_taken"]),
        reach=values["reach"].value,
        schedule=values["schedule"].value,
        status=values["status"].value,
        tenant=tenant_slug,
        organisation={
            "id": organisation["id"],
            "name": organisation["name"],
            "kind": organisation["kind"].value,
            "verified": organisation["verified"],
        },
    )
    return data


_O = Opportunity.__table__.c
_ORG = Organisation.__table__.c
# Plain Core: the ids come from the ranking, which applied the tenant and reach
# conditions (statewide, they include other tenants' offers whose reach covers the
# searcher); this only reads their columns.
_LISTED = select(
    *(_O[name] for name in OFFER_COLUMNS),
    *(_ORG[name].label(f"organisation_{name}") for name in ORGANISATION_COLUMNS),
    Tenant.__table__.c.slug.label("tenant_slug"),
).select_from(
    Opportunity.__table__.join(Organisation.__table__, _ORG.id == _O.organisation_id).join(
        Tenant.__table__, Tenant.__table__.c.id == _O.tenant_id
    )
)
_LISTED_BY_DIALECT = {
    # A JSON array in one parameter: the statement is compiled once, not per number of
    # ids (an expanding IN renders the SQL anew for every execution).
    "sqlite": _LISTED.where(
        _O.id.in_(select(func.json_each(bindparam("ids", type_=String)).table_valued("value")))
    ),
    # psycopg sends each int as the smallest type that holds it (ids below 32,768 as
    # int2), so a list of ids gives another parameter signature nearly every time and
    # the statement is never prepared (planning it costs as much as running it). One
    # text parameter cast to an array keeps the signature.
    "postgresql": _LISTED.where(
        _O.id == any_(cast(bindparam("ids", type_=String), ARRAY(Integer)))
    ),
}


def _ids(ids: list[int], dialect: str) -> str:
    text = ",".join(map(str, ids))
    return "{" + text + "}" if dialect == "postgresql" else "[" + text + "]"


def search_listing(
    query: matching.SearchQuery | VolunteerProfile,
    limit: int = 20,
    *,
    tenant: Tenant,
    statewide: bool | None = None,
    today: dt.date | None = None,
) -> list[dict[str, Any]]:
    """The search API's ``items``: for each ranked offer (arguments and order as
    :func:`matching.match_opportunities`) the offer as the API shows it,
    ``distance_km`` (2 decimals), ``score`` and ``reasons`` (code and text in the
    current language) — in dumped, JSON-ready form. Answered from the result cache
    while no offer changed (``cache.py``, keyed by the normalised query); the items
    are shared between the answers: do not change them.

    :raises ValidationError: as :func:`matching.match_opportunities`.
    """
    return _answered("items", query, limit, tenant, statewide, today, lambda items: items)


def search_answer(query: matching.SearchQuery, limit: int = 20, *, tenant: Tenant) -> bytes:
    """The search API's whole answer ``{"items": search_listing(...)}`` as encoded JSON:
    kept in the result cache as bytes, so a repeated search is not encoded again (for
    an answer of 20 offers the encoding costs more than the cache look-up).

    :raises ValidationError: as :func:`matching.match_opportunities`.
    """
    return _answered("json", query, limit, tenant, None, None, _encoded)


def _encoded(items: list[dict[str, Any]]) -> bytes:
    return current_app.json.response({"items": items}).get_data()


def _answered(
    form: str,
    query: matching.SearchQuery | VolunteerProfile,
    limit: int,
    tenant: Tenant,
    statewide: bool | None,
    today: dt.date | None,
    render: Callable[[list[dict[str, Any]]], Any],
) -> Any:
    """The listing in ``form`` (``render`` of the items), from the result cache keyed by
    the form, the tenant, the language and the normalised query."""
    query, day, wide = matching.prepare(query, limit, statewide, today)
    key = (form, tenant.id, str(get_locale()), limit, day, wide, query.cache_key())
    return cache.cached(key, lambda: render(_listing(query, limit, tenant, day, wide)))


def _listing(
    query: matching.SearchQuery, limit: int, tenant: Tenant, today: dt.date, wide: bool
) -> list[dict[str, Any]]:
    ranked = matching.rank_validated(query, limit, tenant=tenant, wide=wide, today=today)
    if not ranked:
        return []
    dialect = get_db().dialect
    with cross_tenant(f"search listing: ranked offers within reach of tenant {tenant.slug}"):
        listed = session.connection().execute(
            _LISTED_BY_DIALECT[dialect], {"ids": _ids([r.id for r in ranked], dialect)}
        )
        rows = {row.id: row._mapping for row in listed}
    ranked = [r for r in ranked if r.id in rows]  # an offer deleted meanwhile is left out
    texts = iter(matching.reason_texts([reason for r in ranked for reason in r.reasons]))
    return [
        {
            "opportunity": _listed_offer(rows[r.id]),
            "distance_km": round(r.distance_km, 2) if r.distance_km is not None else None,
            "score": r.score,
            "reasons": [{"code": reason.code, "text": next(texts)} for reason in r.reasons],
        }
        for r in ranked
    ]


def _listed_offer(row: Mapping[str, Any]) -> dict[str, Any]:
    organisation = {name: row[f"organisation_{name}"] for name in ORGANISATION_COLUMNS}
    data = _offer(row, organisation, row["tenant_slug"])
    for name in _DATES:
        if data[name] is not None:
            data[name] = data[name].isoformat()
    return data
