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
import functools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import g
from flask_babel import get_locale, get_translations
from sqlalchemy import (
    ARRAY,
    Date,
    Float,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    case,
    func,
    literal,
    null,
    or_,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.selectable import Join

from core.db import get_db, session
from core.errors import NotFoundError, ValidationError
from core.models import Tenant
from core.tenancy import cross_tenant, tenant_context
from plugins.engagement import geo, search, vocabulary
from plugins.engagement.models import (
    Opportunity,
    OpportunityStatus,
    Reach,
    Schedule,
    VolunteerProfile,
)
from plugins.engagement.vocabulary import _l

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
        """Check the vocabularies and ranges; geocode ``place`` (``ValidationError``)."""
        vocabulary.field_mask(self.fields)
        vocabulary.slot_mask(self.time_slots)
        vocabulary.validate_skills(self.skills)
        self.languages = vocabulary.validate_languages(self.languages)
        self.radius_km = geo.validate_radius(self.radius_km)
        if self.age is not None and not 0 <= self.age <= 120:
            raise ValidationError("must be between 0 and 120", field="age")
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValidationError("lies before the start of the period", field="date_to")
        if self.point is None and self.place:
            self.point = geo.geocode(self.place, field="plz")
        return self

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


@dataclass(frozen=True)
class Reason:
    """One reason why an offer matches; ``text`` is in the current language."""

    code: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def text(self) -> str:
        return reason_texts([self])[0]


def reason_texts(reasons: list[Reason]) -> list[str]:
    """The sentences for ``reasons`` in the current language (translations looked up
    once for all of them: a results page shows about a hundred)."""
    translate, locale = _catalogue()
    return [_reason_text(r.code, dict(r.params), translate, locale) for r in reasons]


def _catalogue() -> tuple[Callable[[str], str], Locale]:
    """The current language's ``gettext`` and locale. Flask-Babel's look-up of the
    translations costs more than rendering a few reasons, and every result's reasons
    ask for it: it is kept for the rest of the request (``g``, which core clears at
    the end of each request), as long as the locale stays the same."""
    locale = get_locale()
    cached = g.get("_engagement_catalogue")
    if cached is None or cached[0] is not locale:
        cached = g._engagement_catalogue = (locale, get_translations().gettext)
    return cached[1], locale


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


_O = Opportunity.__table__.c
# Core columns: the candidates are plain rows (no ORM entities), which is most of the
# search's speed. Core statements are not tenant-scoped by the session, so the
# statements add the tenant condition themselves (see _Plan).
_COLUMNS = (
    _O.id,
    _O.tenant_id,
    _O.lat,
    _O.lon,
    _O.remote,
    _O.field_mask,
    _O.skills,
    _O.slot_mask,
    _O.languages,
    _O.schedule,
    _O.reach,
    and_(_O.places.is_not(None), _O.places_taken >= _O.places),
)


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
    with _search_scope(tenant, wide):
        ranked = _rank(query, limit, tenant, today, wide)
    return [Ranked(c.id, c.tenant_id, c.distance, c.score, c.reasons) for c in ranked]


def _validated(
    query: SearchQuery | VolunteerProfile,
    limit: int,
    statewide: bool | None,
    today: dt.date | None,
) -> tuple[SearchQuery, dt.date, bool]:
    today = today or dt.date.today()
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"must be between 1 and {MAX_LIMIT}", field="limit")
    if isinstance(query, VolunteerProfile):
        query = SearchQuery.from_profile(query, today)
    query = query.validate()
    return query, today, query.statewide if statewide is None else statewide


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
        raise NotFoundError(f"no offer {offer_id} here", field="offer")
    return offer  # type: ignore[return-value]


def _coverage_keys(tenant: Tenant) -> list[str]:
    """AGS prefixes whose offers address the tenant: its own area, its Kreis, its Land."""
    return sorted({tenant.ags, tenant.ags[:5], tenant.ags[:2]})


def _rank(
    query: SearchQuery, limit: int, tenant: Tenant, today: dt.date, wide: bool
) -> list[_Candidate]:
    """The best ``limit`` candidates, exactly ranked, with their reasons."""
    plan = _Plan.of(query, local=not wide)
    scorer = _Scorer(query, tenant.id)
    params = plan.parameters(query, tenant, today)
    ranked = sorted(_best(plan, params, scorer, limit), key=_rank_key)[:limit]
    for candidate in ranked:
        scorer.explain(candidate)
    return ranked


def _rank_key(c: _Candidate) -> tuple[int, int, float, int]:
    # Exact, then prefix, then compound text matches (tier), each by score.
    return (-c.tier, -c.score, c.distance if c.distance is not None else 1e9, -c.id)


#: The parts of a search: offers on site within the radius, and the rest (remote
#: offers; without a place, every offer).
SITE, REST = "site", "rest"


class _Plan:
    """The candidate statements of one kind of query, built once and reused.

    A query's *shape* (which filters it has, how many fields, whether it has a place,
    local or statewide, the database) decides the SQL; its values (place, cells,
    fields, day, words...) are bind parameters. Building SQLAlchemy expressions costs
    more than running the statement, so each shape's statements are built once per
    process and then only executed.
    """

    _cache: ClassVar[dict[tuple[Any, ...], _Plan]] = {}

    def __init__(self, shape: tuple[Any, ...]) -> None:
        (
            self.dialect,
            self.local,
            self.age,
            self.field_count,
            self.schedule,
            self.date_from,
            self.date_to,
            self.text,
            self.site,
            self.rest,
            self.math,
            self.skills,
            self.languages,
        ) = shape
        self.parts = tuple(part for part, on in ((SITE, self.site), (REST, self.rest)) if on)
        self._statements: dict[tuple[str, ...], Any] = {}

    @classmethod
    def of(cls, query: SearchQuery, *, local: bool) -> _Plan:
        """The plan for ``query``'s shape (cached)."""
        dialect = get_db().dialect
        point = query.point
        rest = None
        if point is None or query.remote is not False:
            # Which offers the rest reads and the distance points they get: remote
            # offers next to on-site ones get half; without a place, the remote filter
            # (none, True or False) picks the offers and distance gives no points.
            which = {None: "any", True: "remote", False: "on_site"}[query.remote]
            rest = ("remote", WEIGHTS["distance"] * 0.5) if point is not None else (which, 0.0)
        shape = (
            dialect,
            local,
            query.age is not None,
            bin(vocabulary.field_mask(query.fields)).count("1"),
            query.schedule is not None,
            query.date_from is not None,
            query.date_to is not None,
            search.fts_query(query.q, dialect) is not None,
            point is not None and query.remote is not True,
            rest,
            _has_math(),
            bool(query.skills),
            bool(query.languages),
        )
        plan = cls._cache.get(shape)
        if plan is None:
            plan = cls._cache[shape] = cls(shape)
        return plan

    def parameters(self, query: SearchQuery, tenant: Tenant, today: dt.date) -> dict[str, Any]:
        """The bind parameters of ``query`` for this plan's statements."""
        values: dict[str, Any] = {"today": today, "coverage": _coverage_keys(tenant)}
        if self.local:
            values["tenant_id"] = tenant.id
        if self.age:
            values["age"] = query.age
        mask = vocabulary.field_mask(query.fields)
        if self.field_count:
            values["mask"] = mask
            bits = [1 << i for i in range(mask.bit_length()) if mask & (1 << i)]
            values.update({f"bit{i}": bit for i, bit in enumerate(bits)})
        if self.schedule:
            values["schedule"] = query.schedule
        if self.date_from:
            values["date_from"] = query.date_from
        if self.date_to:
            values["date_to"] = query.date_to
        if self.text:
            values["fts_query"] = search.fts_query(query.q, self.dialect)
            for kind in (search.EXACT, search.PREFIX):
                values[f"fts_{kind}"] = search.fts_query(query.q, self.dialect, kind)
        if self.site:
            point = query.point
            box = geo.bounding_box(point.lat, point.lon, query.radius_km)  # type: ignore[union-attr]
            # A list (not ORed ranges) lets both databases answer from the covering
            # index ix_engagement_opportunity_search without reading the table.
            cells = [c for first, last in box.cell_ranges() for c in range(first, last + 1)]
            values["cells"] = json.dumps(cells) if self.dialect == "sqlite" else cells
            values.update(
                min_lat=box.min_lat,
                max_lat=box.max_lat,
                min_lon=box.min_lon,
                max_lon=box.max_lon,
                lat=point.lat,  # type: ignore[union-attr]
                lon=point.lon,  # type: ignore[union-attr]
                km_per_lon=geo.KM_PER_DEGREE_LAT * math.cos(math.radians(point.lat)),  # type: ignore[union-attr]
                radius=query.radius_km,
            )
        return values

    def margin(self, part: str, query: SearchQuery) -> float:
        """How far SQL's points of ``part`` may fall short of the exact ones."""
        return _flat_error(query.radius_km) if part == SITE else _ROUNDING

    def statement(self, parts: tuple[str, ...]) -> Any:
        """One statement answering ``parts``: the top ``k_<part>`` rows of each by
        SQL's points (bind parameters), with the columns the scorer reads and
        ``base``, best first."""
        stmt = self._statements.get(parts)
        if stmt is None:
            stmt = self._statements[parts] = self._build(parts)
        return stmt

    def _build(self, parts: tuple[str, ...]) -> Any:
        tops = [self._top(part) for part in parts]
        top = tops[0] if len(tops) == 1 else union_all(*(t.select() for t in tops)).subquery()
        columns = tuple(
            null()
            if (column is _O.skills and not self.skills)
            or (column is _O.languages and not self.languages)
            else column
            for column in _COLUMNS
        )
        stmt = select(*columns, top.c.tier, top.c.base).select_from(
            Opportunity.__table__.join(top, _O.id == top.c.id)
        )
        if not self.math:
            return stmt
        return stmt.order_by(top.c.base.desc(), _O.id.desc())

    def _top(self, part: str) -> Any:
        o = _O
        conditions = self._conditions()
        fields = self._shared_fields_points()
        if part == SITE:
            conditions += [
                o.remote.is_(False),
                o.lat.between(bindparam("min_lat"), bindparam("max_lat")),
                o.lon.between(bindparam("min_lon"), bindparam("max_lon")),
            ]
            stmt = self._in_cells(conditions)
            base = (
                WEIGHTS["distance"] * (1 - _flat_km() / bindparam("radius", type_=Integer)) + fields
            )
        else:
            stmt = select(o.id).where(*conditions)
            which, remote_points = self.rest
            if which == "remote":
                # Remote offers have no place, hence no grid cell (offers.locate): saying
                # so lets the index seek them instead of reading every offer in reach.
                stmt = stmt.where(o.remote.is_(True), o.geo_cell.is_(None))
            elif which == "on_site":
                stmt = stmt.where(o.remote.is_(False))
            # Remote rows have no distance: SQL computes their points exactly.
            base = literal(remote_points) + fields
        # Exact, then prefix text matches rank first: SQL's points carry the bonus too.
        tier = search.match_tier(self.dialect) if self.text else literal(0)
        base = base + tier * TIER_BONUS
        stmt = stmt.add_columns(tier.label("tier"))
        if not self.math:  # no sqrt in SQL: score a capped set of rows
            return stmt.add_columns(literal(0.0).label("base")).limit(CANDIDATE_CAP).subquery()
        return (
            stmt.add_columns(base.label("base"))
            .order_by(base.desc(), o.id.desc())
            .limit(bindparam(f"k_{part}", type_=Integer))
            .subquery()
        )

    def _in_cells(self, conditions: list[Any]) -> Any:
        """The offers in the grid cells ``cells`` meeting ``conditions``, so that the
        search index is read cell by cell: for each of the (few) coverage keys only the
        offers in the cells, not all offers the key reaches (a Land-wide key reaches
        thousands). PostgreSQL plans that from its statistics (and gets one array
        parameter). SQLite's statistics hold only averages per index prefix, which make
        reading whole coverage keys look cheaper; a CROSS JOIN from the list of cells
        fixes the order (its planner keeps CROSS JOIN order)."""
        o = _O
        if self.dialect != "sqlite":
            cells = o.geo_cell == any_(bindparam("cells", type_=ARRAY(Integer)))
            return select(o.id).where(cells, *conditions)
        cells = bindparam("cells", type_=String)  # a JSON array
        listed = func.json_each(cells).table_valued("value").alias("cells")
        return (
            select(o.id)
            .select_from(_CrossJoin(listed, Opportunity.__table__))
            .where(o.geo_cell == listed.c.value, *conditions)
        )

    def _conditions(self) -> list[Any]:
        o = _O
        conditions: list[Any] = [
            o.status == OpportunityStatus.PUBLISHED,
            o.hidden.is_(False),
            o.expires_on >= bindparam("today", type_=Date),
            or_(o.places.is_(None), o.places_taken < o.places, o.waitlist_open.is_(True)),
        ]
        coverage = o.coverage_prefix.in_(bindparam("coverage", expanding=True))
        if not self.local:
            conditions.append(coverage)
        if self.age:
            conditions.append(o.min_age <= bindparam("age", type_=Integer))
        if self.field_count:
            conditions.append(o.field_mask.op("&")(bindparam("mask", type_=Integer)) != 0)
        if self.schedule:
            conditions.append(o.schedule == bindparam("schedule", type_=o.schedule.type))
        if self.date_from or self.date_to:
            conditions.append(_dates_overlap(self.date_from, self.date_to))
        if self.text:
            conditions.append(search.text_match(self.dialect))
        if self.local:
            # Local search: the tenant's own offers. Their coverage is one of the tenant's
            # keys anyway; saying so lets the search index answer.
            conditions += [o.tenant_id == bindparam("tenant_id", type_=Integer), coverage]
        return conditions

    def _shared_fields_points(self) -> Any:
        """Points for shared fields as SQL: 30 x shared query fields / query fields."""
        if not self.field_count:
            return literal(0.0)
        shared = sum(
            (
                case((_O.field_mask.op("&")(bindparam(f"bit{i}", type_=Integer)) != 0, 1), else_=0)
                for i in range(self.field_count)
            ),
            literal(0),
        )
        return shared * (WEIGHTS["fields"] / self.field_count)


class _CrossJoin(Join):
    """``left CROSS JOIN right`` (the join condition goes into WHERE): SQLite's
    planner never puts the right table outside the left one."""

    inherit_cache = True

    def __init__(self, left: Any, right: Any) -> None:
        super().__init__(left, right, true())


@compiles(_CrossJoin)
def _compile_cross_join(join: _CrossJoin, compiler: Any, **kw: Any) -> str:
    kw["asfrom"] = True
    return f"{compiler.process(join.left, **kw)} CROSS JOIN {compiler.process(join.right, **kw)}"


def _dates_overlap(start: bool, end: bool) -> Any:
    """Regular offers always qualify; one-off offers when their dates meet the period
    (bind parameters ``date_from`` and ``date_to``, each when given)."""
    o = _O
    one_off = [o.schedule == Schedule.ONE_OFF]
    if end:
        one_off.append(o.starts_on <= bindparam("date_to", type_=Date))
    if start:
        date_from = bindparam("date_from", type_=Date)
        one_off.append(
            or_(o.ends_on >= date_from, and_(o.ends_on.is_(None), o.starts_on >= date_from))
        )
    return or_(o.schedule == Schedule.REGULAR, and_(*one_off))


def _flat_km() -> Any:
    """Distance in SQL from (``lat``, ``lon``) on a plane tangent there (``km_per_lon``:
    the km of one degree of longitude at ``lat``): only arithmetic and one sqrt, close
    to the great circle (see :func:`_flat_error`). It only orders rows; Python computes
    the exact distance."""
    o = _O
    dy = (o.lat - bindparam("lat", type_=Float)) * geo.KM_PER_DEGREE_LAT
    dx = (o.lon - bindparam("lon", type_=Float)) * bindparam("km_per_lon", type_=Float)
    return func.sqrt(dx * dx + dy * dy)


def _flat_error(radius_km: float) -> float:
    """Points the flat distance may be off within ``radius_km``: the tangent plane's
    longitude scale drifts by about tan(55°) x 1° per 111 km of latitude in Germany,
    so the distance by at most 2.5 % per 111 km of radius."""
    return WEIGHTS["distance"] * 0.025 * radius_km / geo.KM_PER_DEGREE_LAT + _ROUNDING


def _has_math() -> bool:
    """Whether SQL has sqrt: PostgreSQL does, SQLite when built with its math
    functions (Python's and Debian's are). Checked once per engine."""
    database = get_db()
    if not hasattr(database, "engagement_math"):
        try:
            with database.engine.connect() as connection:
                connection.execute(text("SELECT sqrt(2.0)"))
            database.engagement_math = True  # type: ignore[attr-defined]
        except SQLAlchemyError:
            database.engagement_math = False  # type: ignore[attr-defined]
    return database.engagement_math  # type: ignore[attr-defined]


#: Floating-point slack between SQL's and Python's arithmetic, in points.
_ROUNDING = 0.01
_FIRST_BATCH = 100


def _best(plan: _Plan, params: dict[str, Any], scorer: _Scorer, limit: int) -> list[_Candidate]:
    """The best candidates of each part of the plan — exactly, without scoring every row.

    SQL orders each part's matching rows by ``base`` (distance and field points) and
    hands out the first ``k``. A row not handed out scores at most the k-th row's base
    plus the points SQL cannot see (skills, availability, language) plus the part's
    margin (the flat distance's error); once the ``limit``-th best exact score of the
    part reaches that bound, no other row of it can enter the top ``limit``. Otherwise
    that part's ``k`` grows fourfold. All parts are asked in one statement.
    """
    connection = session.connection()
    if not plan.math:
        rows = connection.execute(plan.statement(plan.parts), params).all()
        return [c for c in (_Candidate(*row[:-1]) for row in rows) if scorer.earn(c)]
    k = dict.fromkeys(plan.parts, max(_FIRST_BATCH, 4 * limit))
    found: list[_Candidate] = []
    pending = plan.parts
    while pending:
        rows = connection.execute(
            plan.statement(pending), {**params, **{f"k_{part}": k[part] for part in pending}}
        ).all()
        by_part: dict[str, list[Any]] = {part: [] for part in pending}
        for row in rows:
            # With both parts, on-site rows are the ones not remote.
            part = pending[0] if len(pending) == 1 else (REST if row[4] else SITE)
            by_part[part].append(row)
        unfinished = []
        for part in pending:
            part_rows = by_part[part]
            kept = [c for c in (_Candidate(*row[:-1]) for row in part_rows) if scorer.earn(c)]
            if len(part_rows) < k[part]:
                found += kept
                continue
            kept.sort(key=lambda c: -c.earned)
            bound = part_rows[-1][-1] + scorer.hidden_points + plan.margin(part, scorer.query)
            if len(kept) >= limit and kept[limit - 1].earned >= bound:
                found += kept
                continue
            k[part] *= 4
            unfinished.append(part)
        pending = tuple(unfinished)
    return found


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


def _reason_text(code: str, params: dict[str, Any], translate: Any, locale: Any) -> str:
    """The sentence a citizen reads for a reason."""
    if code == "distance":
        km = _decimal_km(params["km"], locale)
        return translate("%(km)s km from %(place)s") % {"km": km, "place": params["place"]}
    if code in _LISTS:
        message, label, keys_of = _LISTS[code]
        keys = keys_of(params["mask"]) if "mask" in params else params["keys"]
        names = ", ".join(label(key, translate) for key in keys)
        return translate(message) % {"names": names}
    if code == "language":
        names = ", ".join(vocabulary.language_label(c, locale) for c in params["codes"])
        return translate("Possible in %(names)s") % {"names": names}
    if code == "text":
        return translate("Contains your search words: %(q)s") % {"q": params["q"]}
    return translate(_SENTENCES[code])


def _decimal_km(km: float, locale: Locale) -> str:
    """``km`` to one decimal in the locale's notation, as Babel's
    ``format_decimal(round(km, 1), "#,##0.0", locale=locale)`` writes it ("12,5"), but
    without parsing the pattern for each of a page's many distances."""
    decimal, group = _number_symbols(str(locale))
    text = f"{round(km, 1):,.1f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


@functools.cache
def _number_symbols(locale: str) -> tuple[str, str]:
    return get_decimal_symbol(locale), get_group_symbol(locale)


_LISTS = {
    "fields": (
        _l("Matches your interests: %(names)s"),
        vocabulary.field_label,
        vocabulary.fields_of,
    ),
    "skills": (_l("Wants your skills: %(names)s"), vocabulary.skill_label, None),
    "availability": (
        _l("Fits your free time: %(names)s"),
        vocabulary.slot_label,
        vocabulary.slots_of,
    ),
}
_SENTENCES = {
    "remote": _l("Can be done from home"),
    "own": _l("Offered in your municipality"),
    "reach_kreis": _l("Open to everyone in the Kreis"),
    "reach_land": _l("Open to everyone in the Land"),
    "reach_local": _l("Offered nearby"),
    "waitlist": _l("All places taken – the waiting list is open"),
}
# Only for the catalogue: the messages above with parameters, as gettext sees them.
_l("%(km)s km from %(place)s")
_l("Possible in %(names)s")
_l("Contains your search words: %(q)s")
