"""German full-text search: stemming, prefixes, and an index that follows every change."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, inspect, text

from core import migrate
from core.db import Base, get_db, session
from core.tenancy import tenant_context
from plugins.engagement import offers, organisations, search
from plugins.engagement.matching import SearchQuery, match_opportunities
from plugins.engagement.models import Opportunity
from tests.engagement.conftest import offer_input


@pytest.fixture
def tafel(coesfeld, make_organisation):
    return make_organisation(coesfeld)


def found(tenant, q):
    return [m.opportunity.title for m in match_opportunities(SearchQuery(q=q), tenant=tenant)]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("Hunde", "Hundebetreuung im Tierheim"),
        ("Senioren", "Besuche bei Seniorinnen"),
        ("Kindern", "Lesen mit Kindern"),
        ("kind", "Lesen mit Kindern"),
        ("sortieren", "Spenden sortiert und verteilt"),
    ],
)
def test_words_are_found_by_their_german_stem(tafel, make_offer, coesfeld, query, title):
    for each in (
        "Hundebetreuung im Tierheim",
        "Besuche bei Seniorinnen",
        "Lesen mit Kindern",
        "Spenden sortiert und verteilt",
    ):
        make_offer(tafel, title=each, description="Ehrenamt in Coesfeld.")

    assert found(coesfeld, query) == [title]


def test_every_word_of_the_query_must_match(tafel, make_offer, coesfeld):
    make_offer(tafel, title="Hunde ausführen", description="Im Tierheim.")
    make_offer(tafel, title="Katzen füttern", description="Im Tierheim.")

    assert found(coesfeld, "Tierheim Hunde") == ["Hunde ausführen"]


def test_stop_words_alone_filter_nothing(tafel, make_offer, coesfeld):
    make_offer(tafel, title="Hunde ausführen")

    assert found(coesfeld, "und die") == ["Hunde ausführen"]


def test_the_index_follows_a_changed_title(tafel, make_offer, coesfeld):
    offer = make_offer(tafel, title="Hunde ausführen")
    offers.update_offer(offer, offer_input(title="Katzen füttern"))
    session.commit()

    assert (found(coesfeld, "Hunde"), found(coesfeld, "Katzen")) == ([], ["Katzen füttern"])


def test_a_row_deleted_outside_the_orm_leaves_the_index(tafel, make_offer, coesfeld):
    offer = make_offer(tafel, title="Hunde ausführen")
    with tenant_context(coesfeld):
        session.execute(delete(Opportunity.__table__).where(Opportunity.__table__.c.id == offer.id))
        session.commit()
    table = search.FTS_TABLE
    column = "id" if get_db().dialect == "postgresql" else "rowid"

    assert (
        session.execute(
            text(f"SELECT count(*) FROM {table} WHERE {column} = :id"), {"id": offer.id}
        ).scalar()
        == 0
    )


def test_search_combines_with_the_radius(tafel, make_offer, coesfeld):
    make_offer(tafel, title="Hunde in Coesfeld", plz="48653")
    make_offer(tafel, title="Hunde in Lüdinghausen", plz="59348")

    matches = match_opportunities(
        SearchQuery(q="Hund", place="48653", radius_km=10), tenant=coesfeld
    )

    assert [m.opportunity.title for m in matches] == ["Hunde in Coesfeld"]


def test_migrated_schema_equals_the_models_and_the_index_stays_outside(app):
    with get_db().engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_object": migrate.include_object_for("engagement_"),
                "compare_type": True,
            },
        )
        assert compare_metadata(context, Base.metadata) == []
        assert search.FTS_TABLE in inspect(connection).get_table_names()
    assert search.FTS_TABLE not in Base.metadata.tables


def test_downgrade_removes_tables_and_index_and_upgrade_restores_them(app):
    migrate.downgrade(app, "engagement", "base")
    with get_db().engine.connect() as connection:
        names = inspect(connection).get_table_names()
    assert [n for n in names if n.startswith(("engagement_", "fts_"))] == []
    migrate.upgrade(app, only="engagement")
    with get_db().engine.connect() as connection:
        assert search.FTS_TABLE in inspect(connection).get_table_names()


# Issue 11 §5: German search that finds what people type.


def test_a_compound_is_found_by_its_pieces(make_organisation, make_offer, coesfeld):
    feuerwehr = make_organisation(coesfeld, "Förderverein Löschzug Lette")
    make_offer(
        feuerwehr,
        title="Betreuerin oder Betreuer in der Jugendfeuerwehr",
        description="Übungsabende mit Jugendlichen begleiten.",
        fields=["children_youth"],
    )
    make_offer(feuerwehr, title="Kuchen backen für das Sommerfest", fields=["culture"])

    assert found(coesfeld, "Feuerwehr") == ["Betreuerin oder Betreuer in der Jugendfeuerwehr"]
    assert found(coesfeld, "Jugend") == ["Betreuerin oder Betreuer in der Jugendfeuerwehr"]
    assert found(coesfeld, "Fest") == ["Kuchen backen für das Sommerfest"]


def test_the_organisation_name_is_searched(tafel, make_offer, coesfeld, make_organisation):
    make_offer(tafel, title="Lebensmittel sortieren", description="Dienstags im Lager.")
    make_offer(tafel, title="Fahrdienst", description="Spenden abholen.")
    other = make_organisation(coesfeld, "Heimatverein Coesfeld")
    make_offer(other, title="Kopfweiden pflegen", description="Im Winter.")

    assert sorted(found(coesfeld, "Tafel")) == ["Fahrdienst", "Lebensmittel sortieren"]
    assert found(coesfeld, "Heimatverein") == ["Kopfweiden pflegen"]


def test_fields_and_skills_are_searched_by_their_german_names(tafel, make_offer, coesfeld):
    make_offer(
        tafel, title="Sanitätsdienst beim Stadtlauf", skills=["first_aid"], fields=["health"]
    )
    make_offer(tafel, title="Bücher sortieren", skills=["organising"], fields=["education"])

    assert found(coesfeld, "Erste Hilfe") == ["Sanitätsdienst beim Stadtlauf"]
    assert found(coesfeld, "Bildung") == ["Bücher sortieren"]


def test_exact_then_prefix_matches_rank_before_matches_inside_compounds(
    tafel, make_offer, coesfeld
):
    make_offer(tafel, title="Feuerwehrhaus streichen", description="Malerarbeiten.")
    make_offer(tafel, title="Feuerwehr: Fahrzeuge pflegen", description="Am Gerätehaus.")
    make_offer(tafel, title="Helfen in der Jugendfeuerwehr", description="Übungen.")

    assert found(coesfeld, "Feuerwehr") == [
        "Feuerwehr: Fahrzeuge pflegen",
        "Feuerwehrhaus streichen",
        "Helfen in der Jugendfeuerwehr",
    ]


def test_a_renamed_organisation_is_found_by_its_new_name(tafel, make_offer, coesfeld):
    make_offer(tafel, title="Lebensmittel sortieren")
    with tenant_context(coesfeld):
        organisations.update_organisation(
            tafel,
            {
                "name": "Coesfelder Lebensmittelretter",
                "kind": "verein",
                "contact_email": "a@b.example",
            },
        )
        session.commit()

    assert (found(coesfeld, "Tafel"), found(coesfeld, "Lebensmittelretter")) == (
        [],
        ["Lebensmittel sortieren"],
    )


def test_a_compound_query_finds_its_pieces_written_apart(tafel, make_offer, coesfeld):
    make_offer(tafel, title="Betreuung für Kinder", description="Am Nachmittag.")

    assert found(coesfeld, "Kinderbetreuung") == ["Betreuung für Kinder"]
