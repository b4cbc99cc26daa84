"""German full-text search over offers: SQLite FTS5 and PostgreSQL ``german``.

Both databases search title and description with German (Snowball) stemming and
prefix matching, so "Hunde" finds "Hundebetreuung" and "Senioren" finds "Seniorin":

* **PostgreSQL**: ``fts_engagement_opportunity(id, document tsvector)`` with a GIN
  index, filled by a trigger with ``to_tsvector('german', title || description)``.
* **SQLite**: FTS5 has no German stemmer, so the ORM stores the Snowball stems of
  title and description in ``Opportunity.search_document`` (the same algorithm
  PostgreSQL's ``german`` configuration uses), and triggers keep the external-content
  FTS5 table ``fts_engagement_opportunity`` in sync with it — also for deletions
  made outside the ORM (core's tenant purge).

The index tables are named ``fts_...`` and live outside the ORM metadata: they are
created by the migration, and the schema comparison of core (tables prefixed
``engagement_``) does not see them. A future SQLite migration that rebuilds
``engagement_opportunity`` (Alembic batch mode) must re-create the triggers with
:data:`SQLITE_DDL`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from sqlalchemy import Integer, column, event, text
from sqlalchemy.sql.elements import ColumnElement

from plugins.engagement.models import Opportunity

FTS_TABLE = "fts_engagement_opportunity"
_WORD = re.compile(r"\w+", re.UNICODE)

#: Words too common to search for (a short form of PostgreSQL's German stop list).
STOPWORDS = frozenset(
    """aber alle als am an auch auf aus bei bin bis da damit das dass dem den der des die
    doch du ein eine einem einen einer eines er es für hat habe ich ihr im in ist ja
    kann kein man mit nach nicht noch nur oder sich sie sind so um und uns von vor war
    was wir wird wo zu zum zur über""".split()  # noqa: SIM905 - a word list reads best as text
)

# The DDL names the tables literally (it is frozen as of migration engagement_0001;
# a later change needs a new migration with new statements).
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
POSTGRES_MATCH = (
    "SELECT id FROM fts_engagement_opportunity WHERE document @@ to_tsquery('german', :fts_query)"
)
SQLITE_MATCH = (
    "SELECT rowid FROM fts_engagement_opportunity WHERE fts_engagement_opportunity MATCH :fts_query"
)


def create_index(connection: Any) -> None:
    """Create the full-text index, its triggers, and index existing rows."""
    if connection.dialect.name == "postgresql":
        for statement in POSTGRES_DDL:
            connection.execute(text(statement))
        connection.execute(text(POSTGRES_REINDEX))
    else:
        for statement in SQLITE_DDL:
            connection.execute(text(statement))
        connection.execute(text(SQLITE_REBUILD))


def drop_index(connection: Any) -> None:
    """Remove the full-text index and its triggers."""
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
    """The stemmed document of ``text_`` (what SQLite's FTS5 index holds)."""
    return " ".join(stem(w) for w in words(text_))


def document_for(title: str, description: str) -> str:
    """``search_document`` of an offer."""
    return stems(f"{title} {description}")


def fts_query(query: str, dialect: str) -> str | None:
    """The database's full-text query for ``query`` (``tsquery`` on PostgreSQL, an
    FTS5 expression on SQLite), or None when it has no searchable word. Every word
    must match (as a prefix, stemmed)."""
    terms = words(query)[:12]
    if not terms:
        return None
    if dialect == "postgresql":
        return " & ".join(f"{term}:*" for term in terms)
    return " AND ".join(f'"{stem(term)}"*' for term in terms)


def text_match(dialect: str) -> ColumnElement[bool]:
    """``engagement_opportunity.id IN (<matches>)`` with the full-text query left as
    the bind parameter ``fts_query`` (see :func:`fts_query`), so that the statement
    can be built once and run with any words."""
    subquery = text(POSTGRES_MATCH if dialect == "postgresql" else SQLITE_MATCH)
    return Opportunity.__table__.c.id.in_(subquery.columns(column("id", Integer)))


@event.listens_for(Opportunity, "before_insert")
@event.listens_for(Opportunity, "before_update")
def _fill_search_document(_mapper: Any, connection: Any, target: Opportunity) -> None:
    """Keep the stems current; only SQLite needs them (PostgreSQL stems itself)."""
    if connection.dialect.name == "sqlite":
        target.search_document = document_for(target.title or "", target.description or "")
    else:
        target.search_document = ""
