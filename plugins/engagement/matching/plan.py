"""The candidate statements of a search, built once per query shape, and the pruned
ranking that runs them (:func:`rank`)."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any, ClassVar

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
from sqlalchemy.sql.selectable import Join

from core import Tenant, get_db, session
from plugins.engagement import geo, search, vocabulary
from plugins.engagement.matching.query import (
    CANDIDATE_CAP,
    TIER_BONUS,
    WEIGHTS,
    SearchQuery,
    _coverage_keys,
)
from plugins.engagement.matching.scoring import _Candidate, _Scorer
from plugins.engagement.models import (
    Opportunity,
    OpportunityStatus,
    Schedule,
)

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


#: How many coverage keys a tenant has at most (its AGS, its Kreis's, its Land's).
COVERAGE_KEYS = 3

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
        keys = _coverage_keys(tenant)
        # Always three keys (repeated when the tenant's AGS is short): fixed bind
        # parameters, so the compiled statement is reused as it is.
        keys += keys[-1:] * (COVERAGE_KEYS - len(keys))
        values: dict[str, Any] = {"today": today}
        values.update({f"coverage{i}": key for i, key in enumerate(keys)})
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
        coverage = o.coverage_prefix.in_(
            [bindparam(f"coverage{i}", type_=String) for i in range(COVERAGE_KEYS)]
        )
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
            # "+ 0" keeps the planner off the moderation queue's index (tenant_id,
            # status): for a large tenant (Berlin: 4 % of all offers) SQLite read all
            # of its offers once per grid cell through it (0.6 s); the search index
            # answers tenant_id from its own columns.
            tenant = (o.tenant_id + 0) == bindparam("tenant_id", type_=Integer)
            conditions += [tenant, coverage]
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
