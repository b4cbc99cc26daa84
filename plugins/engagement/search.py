"""German full-text search over offers, the same on SQLite FTS5 and PostgreSQL.

An offer is found by the words of its title, description, organisation name, and the
German names of its fields and skills, with German (Snowball) stemming, prefix
matching and German compound splitting: "Hunde" finds "Hundebetreuung", "Senioren"
finds "Seniorin", "Feuerwehr" finds "Jugendfeuerwehr", "Tafel" finds the offers of
"Tafel Coesfeld e. V.".

Python builds two documents per offer (the ORM on every change, see
:func:`_fill_search_document`): ``search_document``, the stems of the words, and
``search_parts``, the stems of the pieces of compound words
(:mod:`plugins.engagement.decompound`). The database indexes both:

* **SQLite**: the external-content FTS5 table ``fts_engagement_opportunity`` with the
  two columns, kept in sync by triggers — also for deletions made outside the ORM
  (core's tenant purge).
* **PostgreSQL**: ``fts_engagement_opportunity(id, document tsvector)`` with a GIN
  index, filled by a trigger with ``to_tsvector('simple', ...)`` of the two documents
  (weights A and B): the stems come from Python, so both databases match alike.

A word matches as a prefix of a stem in either document; a query word that is itself a
compound also matches when all its pieces do. Whole-word matches (in
``search_document``) rank before matches inside compounds, and the query's words
exactly before words that start with them (:func:`match_tier`).

The index tables are named ``fts_...`` and live outside the ORM metadata: they are
created by the migration, and the schema comparison of core (tables prefixed
``engagement_``) does not see them. A future SQLite migration that rebuilds
``engagement_opportunity`` (Alembic batch mode) must re-create the triggers with
:data:`SQLITE_DDL`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from babel.support import Translations
from sqlalchemy import Integer, case, column, event, inspect, select, text
from sqlalchemy.sql.elements import ColumnElement

from plugins.engagement import decompound, vocabulary
from plugins.engagement.models import Opportunity, Organisation

FTS_TABLE = "fts_engagement_opportunity"
_WORD = re.compile(r"\w+", re.UNICODE)

#: Words too common to search for (a short form of PostgreSQL's German stop list).
STOPWORDS = frozenset(
    """aber alle als am an auch auf aus bei bin bis da damit das dass dem den der des die
    doch du ein eine einem einen einer eines er es für hat habe ich ihr im in ist ja
    kann kein man mit nach nicht noch nur oder sich sie sind so um und uns von vor war
    was wir wird wo zu zum zur über""".split()  # noqa: SIM905 - a word list reads best as text
)

# The DDL names the tables literally. SQLITE_DDL/POSTGRES_DDL are frozen as of
# migration engagement_0001 (which creates them); engagement_0003 replaces them with
# the *_V3 statements further down. A later change needs new statements again.
SQLITE_DDL = [
    "CREATE VIRTUAL TABLE fts_engagement_opportunity USING fts5(search_document, "
    "content='engagement_opportunity', content_rowid='id', tokenize='unicode61')",
    """CREATE TRIGGER fts_engagement_opportunity_insert AFTER INSERT ON engagement_opportunity
    BEGIN
        INSERT INTO fts_engagement_opportunity(rowid, search_document)
        VALUES (new.id, new.search_document);
    END""",
    """CREATE TRIGGER fts_engagement_opportunity_delete AFTER DELETE ON engagement_opportunity
    BEGIN
        INSERT INTO fts_engagement_opportunity(fts_engagement_opportunity, rowid, search_document)
        VALUES ('delete', old.id, old.search_document);
    END""",
    """CREATE TRIGGER fts_engagement_opportunity_update
    AFTER UPDATE OF search_document ON engagement_opportunity
    BEGIN
        INSERT INTO fts_engagement_opportunity(fts_engagement_opportunity, rowid, search_document)
        VALUES ('delete', old.id, old.search_document);
        INSERT INTO fts_engagement_opportunity(rowid, search_document)
        VALUES (new.id, new.search_document);
    END""",
]
SQLITE_REBUILD = (
    "INSERT INTO fts_engagement_opportunity(fts_engagement_opportunity) VALUES ('rebuild')"
)
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS fts_engagement_opportunity_update",
    "DROP TRIGGER IF EXISTS fts_engagement_opportunity_delete",
    "DROP TRIGGER IF EXISTS fts_engagement_opportunity_insert",
    "DROP TABLE IF EXISTS fts_engagement_opportunity",
]

POSTGRES_DDL = [
    """CREATE TABLE fts_engagement_opportunity (
        id integer PRIMARY KEY REFERENCES engagement_opportunity (id) ON DELETE CASCADE,
        document tsvector NOT NULL
    )""",
    "CREATE INDEX fts_engagement_opportunity_document ON fts_engagement_opportunity "
    "USING gin (document)",
    """CREATE FUNCTION fts_engagement_opportunity_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO fts_engagement_opportunity (id, document) VALUES (
            NEW.id,
            setweight(to_tsvector('german', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('german', coalesce(NEW.description, '')), 'B')
        )
        ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document;
        RETURN NEW;
    END
    $$""",
    """CREATE TRIGGER fts_engagement_opportunity_sync AFTER INSERT OR UPDATE OF title, description
    ON engagement_opportunity FOR EACH ROW EXECUTE FUNCTION fts_engagement_opportunity_sync()""",
]
POSTGRES_REINDEX = """INSERT INTO fts_engagement_opportunity (id, document)
    SELECT o.id, setweight(to_tsvector('german', coalesce(o.title, '')), 'A')
        || setweight(to_tsvector('german', coalesce(o.description, '')), 'B')
    FROM engagement_opportunity o"""
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS fts_engagement_opportunity_sync ON engagement_opportunity",
    "DROP FUNCTION IF EXISTS fts_engagement_opportunity_sync()",
    "DROP TABLE IF EXISTS fts_engagement_opportunity",
]
# engagement_0003: both documents come from Python (stems and compound pieces).
SQLITE_DDL_V3 = [
    "CREATE VIRTUAL TABLE fts_engagement_opportunity USING fts5(search_document, "
    "search_parts, content='engagement_opportunity', content_rowid='id', "
    "tokenize='unicode61')",
    """CREATE TRIGGER fts_engagement_opportunity_insert AFTER INSERT ON engagement_opportunity
    BEGIN
        INSERT INTO fts_engagement_opportunity(rowid, search_document, search_parts)
        VALUES (new.id, new.search_document, new.search_parts);
    END""",
    """CREATE TRIGGER fts_engagement_opportunity_delete AFTER DELETE ON engagement_opportunity
    BEGIN
        INSERT INTO fts_engagement_opportunity(
            fts_engagement_opportunity, rowid, search_document, search_parts)
        VALUES ('delete', old.id, old.search_document, old.search_parts);
    END""",
    """CREATE TRIGGER fts_engagement_opportunity_update
    AFTER UPDATE OF search_document, search_parts ON engagement_opportunity
    BEGIN
        INSERT INTO fts_engagement_opportunity(
            fts_engagement_opportunity, rowid, search_document, search_parts)
        VALUES ('delete', old.id, old.search_document, old.search_parts);
        INSERT INTO fts_engagement_opportunity(rowid, search_document, search_parts)
        VALUES (new.id, new.search_document, new.search_parts);
    END""",
]
POSTGRES_DDL_V3 = [
    POSTGRES_DDL[0],
    POSTGRES_DDL[1],
    """CREATE FUNCTION fts_engagement_opportunity_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO fts_engagement_opportunity (id, document) VALUES (
            NEW.id,
            setweight(to_tsvector('simple', coalesce(NEW.search_document, '')), 'A')
            || setweight(to_tsvector('simple', coalesce(NEW.search_parts, '')), 'B')
        )
        ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document;
        RETURN NEW;
    END
    $$""",
    """CREATE TRIGGER fts_engagement_opportunity_sync
    AFTER INSERT OR UPDATE OF search_document, search_parts
    ON engagement_opportunity FOR EACH ROW EXECUTE FUNCTION fts_engagement_opportunity_sync()""",
]
POSTGRES_REINDEX_V3 = """INSERT INTO fts_engagement_opportunity (id, document)
    SELECT o.id, setweight(to_tsvector('simple', coalesce(o.search_document, '')), 'A')
        || setweight(to_tsvector('simple', coalesce(o.search_parts, '')), 'B')
    FROM engagement_opportunity o"""

POSTGRES_MATCH = (
    "SELECT id FROM fts_engagement_opportunity WHERE document @@ to_tsquery('simple', :fts_query)"
)
SQLITE_MATCH = (
    "SELECT rowid FROM fts_engagement_opportunity WHERE fts_engagement_opportunity MATCH :fts_query"
)
POSTGRES_KIND = (
    "SELECT id FROM fts_engagement_opportunity WHERE document @@ to_tsquery('simple', :fts_{kind})"
)
SQLITE_KIND = (
    "SELECT rowid FROM fts_engagement_opportunity "
    "WHERE fts_engagement_opportunity MATCH :fts_{kind}"
)


def create_index(connection: Any) -> None:
    """Create the full-text index as of migration engagement_0001 (title and
    description only), its triggers, and index existing rows."""
    if connection.dialect.name == "postgresql":
        for statement in POSTGRES_DDL:
            connection.execute(text(statement))
        connection.execute(text(POSTGRES_REINDEX))
    else:
        for statement in SQLITE_DDL:
            connection.execute(text(statement))
        connection.execute(text(SQLITE_REBUILD))


def create_index_v3(connection: Any) -> None:
    """Create the full-text index of both documents (migration engagement_0003 on),
    its triggers, and index existing rows."""
    if connection.dialect.name == "postgresql":
        for statement in POSTGRES_DDL_V3:
            connection.execute(text(statement))
        connection.execute(text(POSTGRES_REINDEX_V3))
    else:
        for statement in SQLITE_DDL_V3:
            connection.execute(text(statement))
        connection.execute(text(SQLITE_REBUILD))


def drop_index(connection: Any) -> None:
    """Remove the full-text index and its triggers (any version: the names stay)."""
    for statement in POSTGRES_DROP if connection.dialect.name == "postgresql" else SQLITE_DROP:
        connection.execute(text(statement))


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The German Snowball stem of a lower-case word (cached: vocabularies repeat)."""
    return german_stemmer().stemWord(word)


@functools.cache
def german_stemmer() -> Any:
    """Snowball's German stemmer, and no other: ``import snowballstemmer`` loads all
    its 30 languages (a tenth of a second at start-up), so the German module is
    loaded on first use from the same folder under a package name of its own."""
    import importlib
    import importlib.util
    import sys
    import types

    name = "_rathaus_snowball_german"
    if name not in sys.modules:
        found = importlib.util.find_spec("snowballstemmer")
        package = types.ModuleType(name)
        package.__path__ = list(found.submodule_search_locations or [])  # type: ignore[union-attr]
        sys.modules[name] = package
    return importlib.import_module(f"{name}.german_stemmer").GermanStemmer()


def words(text_: str) -> list[str]:
    """Lower-case words of ``text_`` without stop words."""
    return [w for w in _WORD.findall(text_.lower()) if w not in STOPWORDS and not w.isdigit()]


def stems(text_: str) -> str:
    """The stemmed document of ``text_``."""
    return " ".join(stem(w) for w in words(text_))


def part_stems(text_: str) -> str:
    """The stems of the pieces of the compound words in ``text_``
    ("Jugendfeuerwehr" -> "jugend feuerwehr")."""
    return " ".join(stem(piece) for w in words(text_) for piece in decompound.split(w))


def searchable_text(
    title: str,
    description: str,
    *,
    organisation: str = "",
    skills: Iterable[str] = (),
    field_mask: int = 0,
) -> str:
    """Everything a citizen may search an offer by, as one text: title, description,
    the organisation's name, and the German names of its fields and skills."""
    labels = vocabulary_labels_de()
    names = [labels.get(k, "") for k in (*vocabulary.fields_of(field_mask), *skills)]
    return " ".join((title, description, organisation, *names))


def documents_for(
    title: str,
    description: str,
    *,
    organisation: str = "",
    skills: Iterable[str] = (),
    field_mask: int = 0,
) -> tuple[str, str]:
    """``(search_document, search_parts)`` of an offer (see the module docstring)."""
    text_ = searchable_text(
        title, description, organisation=organisation, skills=skills, field_mask=field_mask
    )
    return stems(text_), part_stems(text_)


def document_for(title: str, description: str) -> str:
    """``search_document`` of an offer with only a title and description."""
    return stems(f"{title} {description}")


@functools.cache
def vocabulary_labels_de() -> dict[str, str]:
    """German names of the fields and skills (key -> label), from the plugin's
    catalogue: offers are indexed in German whatever language the editor used."""
    catalogue = Translations.load(str(Path(__file__).parent / "translations"), ["de"])
    return {
        key: catalogue.gettext(label)
        for key, label in (*vocabulary.FIELDS.items(), *vocabulary.SKILLS.items())
    }


#: The three kinds of match, best last: anywhere (also inside compounds), a whole
#: word starting with the query word, the query word exactly (stemmed).
ANY, PREFIX, EXACT = "any", "prefix", "exact"


def fts_query(query: str, dialect: str, kind: str = ANY) -> str | None:
    """The database's full-text query for ``query`` (``tsquery`` on PostgreSQL, an
    FTS5 expression on SQLite), or None when it has no searchable word. Every word
    must match, stemmed: for ``ANY`` as a prefix in either document (a compound word
    also when all its pieces do), for ``PREFIX`` as a prefix of a whole word
    (``search_document``), for ``EXACT`` as a whole word."""
    terms = words(query)[:12]
    if not terms:
        return None
    postgres = dialect == "postgresql"
    star = "" if kind == EXACT else "*"
    weight = "" if kind == ANY else "A"
    clauses = []
    for term in terms:
        clause = f"{stem(term)}:{star}{weight}" if postgres else f'"{stem(term)}"{star}'
        pieces = [stem(piece) for piece in decompound.split(term)]
        if pieces and kind == ANY:
            joined = (
                " & ".join(f"{p}:*" for p in pieces)
                if postgres
                else " AND ".join(f'"{p}"*' for p in pieces)
            )
            clause = f"({clause} | ({joined}))" if postgres else f"({clause} OR ({joined}))"
        clauses.append(clause)
    if postgres:
        return " & ".join(clauses)
    expression = " AND ".join(clauses)
    return expression if kind == ANY else f"search_document : ({expression})"


def text_match(dialect: str) -> ColumnElement[bool]:
    """``engagement_opportunity.id IN (<matches>)`` with the full-text query left as
    the bind parameter ``fts_query`` (see :func:`fts_query`), so that the statement
    can be built once and run with any words."""
    subquery = text(POSTGRES_MATCH if dialect == "postgresql" else SQLITE_MATCH)
    return Opportunity.__table__.c.id.in_(subquery.columns(column("id", Integer)))


def match_tier(dialect: str) -> ColumnElement[int]:
    """2 for an offer that has the query's words exactly, 1 for one with whole words
    starting with them, else 0 (found inside compounds): the order of the results.
    Bind parameters ``fts_exact`` and ``fts_prefix`` (:func:`fts_query` of that kind)."""
    statement = POSTGRES_KIND if dialect == "postgresql" else SQLITE_KIND
    c = Opportunity.__table__.c

    def found(kind: str) -> ColumnElement[bool]:
        subquery = text(statement.format(kind=kind)).columns(column("id", Integer))
        return c.id.in_(subquery)

    return case((found(EXACT), 2), (found(PREFIX), 1), else_=0)


_INDEXED = ("title", "description", "skills", "field_mask", "organisation_id")


@event.listens_for(Opportunity, "before_insert")
@event.listens_for(Opportunity, "before_update")
def _fill_search_document(_mapper: Any, connection: Any, target: Opportunity) -> None:
    """Keep both documents current when anything they are made of changed."""
    state = inspect(target)
    if state.persistent and not any(state.attrs[name].history.has_changes() for name in _INDEXED):
        return
    organisation = state.dict.get("organisation")  # loaded or assigned, else read it
    if organisation is not None and organisation.id in (None, target.organisation_id):
        name = organisation.name
    else:
        o = Organisation.__table__.c
        name = connection.execute(select(o.name).where(o.id == target.organisation_id)).scalar()
    target.search_document, target.search_parts = documents_for(
        target.title or "",
        target.description or "",
        organisation=name or "",
        skills=target.skills or (),
        field_mask=target.field_mask or 0,
    )


@event.listens_for(Organisation, "after_update")
def _organisation_renamed(_mapper: Any, connection: Any, target: Organisation) -> None:
    """An organisation's new name is searched in its offers at once."""
    if not inspect(target).attrs.name.history.has_changes():
        return
    o = Opportunity.__table__.c
    rows = connection.execute(
        select(o.id, o.title, o.description, o.skills, o.field_mask).where(
            o.organisation_id == target.id
        )
    ).all()
    for row in rows:
        document, parts = documents_for(
            row.title,
            row.description,
            organisation=target.name,
            skills=row.skills or (),
            field_mask=row.field_mask,
        )
        connection.execute(
            Opportunity.__table__.update()
            .where(o.id == row.id)
            .values(search_document=document, search_parts=parts)
        )
