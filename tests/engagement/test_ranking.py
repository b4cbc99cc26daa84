"""The fast ranking path: pruned top-k equals scoring everything, statements reused
across searches, reasons rendered like Babel, the search index covering the search."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from babel.numbers import format_decimal
from flask_babel import force_locale
from sqlalchemy import event, text

from core.db import get_db, session
from core.tenancy import tenant_context
from plugins.engagement import geo, matching, offers, vocabulary
from plugins.engagement.matching import SearchQuery, match_opportunities
from plugins.engagement.models import (
    Opportunity,
    OpportunityStatus,
    Reach,
    Schedule,
)
from tests.engagement.conftest import offer_input

TODAY = dt.date.today()
# Coesfeld, Dülmen, Münster: offers spread around them, some remote.
CENTRES = {"coesfeld": (51.9435, 7.1681), "duelmen": (51.83, 7.28), "muenster": (51.96, 7.63)}


def add_offers(organisations, count, seed=5):
    """``count`` published offers of the given organisations, spread around their
    towns, with random fields, weeks, capacity and reach."""
    rng = random.Random(seed)
    for n in range(count):
        organisation, tenant = rng.choice(organisations)
        remote = rng.random() < 0.1
        lat, lon = CENTRES[tenant.slug]
        lat, lon = lat + rng.uniform(-0.3, 0.3), lon + rng.uniform(-0.45, 0.45)
        reach = rng.choice([Reach.LOCAL, Reach.LOCAL, Reach.KREIS, Reach.LAND])
        places = rng.choice([None, None, 2])
        with tenant_context(tenant):
            session.add(
                Opportunity(
                    organisation_id=organisation.id,
                    title=f"Angebot {n}",
                    description=rng.choice(["Mit Hunden.", "Mit Kindern spielen.", "Garten."]),
                    field_mask=rng.getrandbits(len(vocabulary.FIELDS)) & rng.getrandbits(16) or 1,
                    skills=rng.sample(sorted(vocabulary.SKILLS), rng.randint(0, 2)),
                    languages=rng.choice([[], ["de"], ["de", "tr"]]),
                    remote=remote,
                    plz="48653",
                    place=tenant.name,
                    lat=None if remote else lat,
                    lon=None if remote else lon,
                    geo_cell=None if remote else geo.cell_of(lat, lon),
                    reach=reach,
                    coverage_prefix={
                        Reach.LOCAL: tenant.ags,
                        Reach.KREIS: tenant.ags[:5],
                        Reach.LAND: tenant.ags[:2],
                    }[reach],
                    schedule=rng.choice([Schedule.REGULAR, Schedule.REGULAR, Schedule.ONE_OFF]),
                    starts_on=TODAY + dt.timedelta(days=rng.randint(0, 30)),
                    slot_mask=rng.getrandbits(21),
                    min_age=rng.choice([0, 0, 16]),
                    places=places,
                    places_taken=rng.choice([0, 2]) if places else 0,
                    waitlist_open=rng.random() < 0.5,
                    status=OpportunityStatus.PUBLISHED,
                    expires_on=TODAY + dt.timedelta(days=30),
                )
            )
            session.flush()
    session.commit()


@pytest.fixture
def many_offers(coesfeld, duelmen, muenster, make_organisation):
    organisations = [
        (make_organisation(tenant, f"Verein {tenant.slug}"), tenant)
        for tenant in (coesfeld, duelmen, muenster)
    ]
    add_offers(organisations, 600)


def ranking(found):
    return [(m.opportunity.id, m.score, m.distance_km, m.reasons) for m in found]


QUERIES = [
    {"place": "48653", "radius_km": 25, "fields": ["sport", "seniors"], "statewide": True},
    {"place": "48653", "radius_km": 50, "fields": ["social"]},
    {"place": "48653", "radius_km": 10, "statewide": True, "remote": False},
    {"place": "48249", "radius_km": 30, "skills": ["it", "care"], "languages": ["tr"]},
    {
        "place": "48653",
        "radius_km": 40,
        "time_slots": ["mon-morning", "tue-evening"],
        "fields": ["culture", "education", "health"],
        "statewide": True,
    },
    {"fields": ["sport"], "statewide": True},
    {"remote": True, "statewide": True},
    {"place": "48653", "q": "Hunde", "age": 15, "statewide": True},
    {"place": "48653", "schedule": Schedule.ONE_OFF, "date_from": TODAY, "statewide": True},
]


@pytest.mark.parametrize("limit", [1, 7, 20])
@pytest.mark.parametrize("query", QUERIES)
def test_pruned_ranking_equals_scoring_every_candidate(
    many_offers, coesfeld, monkeypatch, query, limit
):
    # Small first batches make the search prune and grow k on these 600 offers.
    monkeypatch.setattr(matching.plan, "_FIRST_BATCH", 1)
    pruned = ranking(match_opportunities(SearchQuery(**query), limit, tenant=coesfeld))
    monkeypatch.setattr(matching.plan, "_FIRST_BATCH", 100_000)

    everything = ranking(match_opportunities(SearchQuery(**query), limit, tenant=coesfeld))

    assert (pruned, len(pruned)) == (everything, min(limit, len(everything)))


def test_the_rest_is_scored_when_sql_has_no_square_root(many_offers, coesfeld, monkeypatch):
    query = {"place": "48653", "radius_km": 25, "fields": ["sport"], "statewide": True}
    with_sqrt = ranking(match_opportunities(SearchQuery(**query), 20, tenant=coesfeld))
    monkeypatch.setattr(get_db(), "engagement_math", False)

    assert ranking(match_opportunities(SearchQuery(**query), 20, tenant=coesfeld)) == with_sqrt


def test_a_statement_built_for_one_search_serves_the_next_with_its_own_values(
    coesfeld, duelmen, make_organisation, make_offer
):
    tafel = make_organisation(coesfeld, "Tafel")
    heimat = make_organisation(duelmen, "Heimatverein")
    make_offer(tafel, title="Sport Coesfeld", fields=["sport"], plz="48653")
    make_offer(heimat, title="Sport Dülmen", fields=["sport"], plz="48249")
    make_offer(heimat, title="Kultur Dülmen", fields=["culture"], plz="48249")

    def titles(tenant, plz, fields):
        query = SearchQuery(place=plz, radius_km=5, fields=fields)
        return [m.opportunity.title for m in match_opportunities(query, tenant=tenant)]

    assert (
        titles(coesfeld, "48653", ["sport"]),
        titles(duelmen, "48249", ["culture"]),
        titles(duelmen, "48249", ["sport"]),
    ) == (["Sport Coesfeld"], ["Kultur Dülmen"], ["Sport Dülmen"])


def test_an_offer_turned_remote_loses_its_grid_cell_and_is_found_as_remote(
    coesfeld, make_organisation, make_offer
):
    """The search seeks remote offers as those without a grid cell (matching.py)."""
    offer = make_offer(make_organisation(coesfeld, "Tafel"), title="Erst vor Ort", plz="48653")
    with tenant_context(coesfeld):
        offers.update_offer(offer, offer_input(title="Jetzt online", remote=True, plz=""))
        session.commit()

    (match,) = match_opportunities(SearchQuery(place="80331", radius_km=5), tenant=coesfeld)

    assert (offer.geo_cell, offer.lat, match.opportunity.title, match.distance_km) == (
        None,
        None,
        "Jetzt online",
        None,
    )


def test_sqlite_reads_the_index_cell_by_cell_whatever_its_statistics_say(many_offers, coesfeld):
    """With the statistics ANALYZE writes for a country-wide installation (few offers
    per coverage key on average), SQLite would read every offer a Land-wide key
    reaches; the CROSS JOIN from the cell list keeps it to the cells (matching.py)."""
    if get_db().dialect != "sqlite":
        pytest.skip("PostgreSQL plans from its own statistics; the CROSS JOIN is SQLite's")
    session.execute(text("ANALYZE"))
    session.execute(text("DELETE FROM sqlite_stat1"))
    session.execute(
        text(
            "INSERT INTO sqlite_stat1 VALUES ('engagement_opportunity', "
            "'ix_engagement_opportunity_search', '1000000 13 8 4 2 2 2 1 1 1 1 1 1 1 1')"
        )
    )
    session.execute(text("ANALYZE sqlite_schema"))  # reload the statistics
    session.commit()
    statements = []
    engine = get_db().engine
    listen = event.listens_for(engine, "before_cursor_execute")

    @listen
    def keep(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    try:
        query = SearchQuery(place="48653", fields=["sport"], statewide=True)
        match_opportunities(query, tenant=coesfeld)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    statement, parameters = next(s for s in statements if "geo_cell" in s[0])
    plan = session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)

    searches = [row[-1] for row in plan if "ix_engagement_opportunity_search" in row[-1]]
    assert (
        searches
        == [
            "SEARCH engagement_opportunity USING COVERING INDEX ix_engagement_opportunity_search "
            "(coverage_prefix=? AND status=? AND geo_cell=?)"
        ]
        * 2
    )  # on site (cell by cell) and remote (the offers without a cell)


@pytest.mark.parametrize("locale", ["de", "en"])
def test_kilometres_in_reasons_are_written_as_babel_writes_them(app, locale):
    values = [0.0, 0.04, 0.05, 0.15, 0.25, 1.449, 2.5, 12.345, 24.99, 199.96, 1234.56]

    with force_locale(locale):
        written = [matching._decimal_km(km, matching.get_locale()) for km in values]
        expected = [
            format_decimal(round(km, 1), "#,##0.0", locale=matching.get_locale()) for km in values
        ]

    assert written == expected


def test_reasons_follow_a_language_switch_within_one_request(app):
    reasons = [matching.Reason("distance", (("km", 12.25), ("place", "Coesfeld")))]

    with app.test_request_context("/"):
        with force_locale("de"):
            german = matching.reason_texts(reasons)
        with force_locale("en"):
            english = matching.reason_texts(reasons)

    assert (german, english) == (["12,2 km von Coesfeld entfernt"], ["12.2 km from Coesfeld"])


def test_the_search_index_holds_the_offer_id(app):
    """The search reads only the index (see matching.py): it must carry the id."""
    if get_db().dialect == "postgresql":
        definition = session.execute(
            text(
                "SELECT indexdef FROM pg_indexes "
                "WHERE indexname = 'ix_engagement_opportunity_search'"
            )
        ).scalar_one()
        assert definition.endswith("INCLUDE (id)")
    else:
        keys = session.execute(text("PRAGMA index_xinfo('ix_engagement_opportunity_search')")).all()
        # SQLite stores the rowid (column -1), which is the INTEGER PRIMARY KEY id.
        assert keys[-1].cid == -1
