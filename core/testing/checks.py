"""Checks for plugin authors: ``migration_differences`` (the migrated schema against
the models) and ``translation_problems`` (untranslated texts, stale catalogues).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from core.i18n import EXTRACT_KEYWORDS


def migration_differences(app: Any, component: str | None = None) -> dict[str, list[Any]]:
    """What Alembic would still change after the migrations ran, per component.

    Empty when the migrated schema equals the models of core and every loaded plugin
    (or only of ``component``): ``assert migration_differences(app) == {}``.
    """
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from core import migrate
    from core.db import Base, get_db
    from core.plugins import current_host

    current_host(app).import_models()
    differences = {}
    with get_db(app).engine.connect() as connection:
        for source in migrate.sources(app):
            if component is not None and source.name != component:
                continue
            options = {
                "compare_type": True,
                "include_object": migrate.include_object_for(source.table_prefix),
                "version_table": source.version_table,
            }
            diff = compare_metadata(
                MigrationContext.configure(connection, opts=options), Base.metadata
            )
            if diff:
                differences[source.name] = diff
    return differences


#: How translatable messages are found in a plugin package (as ``pybabel extract``).
BABEL_METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
BABEL_KEYWORDS = EXTRACT_KEYWORDS


def translation_problems(package: Path, locales: tuple[str, ...] = ("de",)) -> list[str]:
    """Messages of a package without a translation, and compiled catalogues out of date.

    :param package: the folder of the plugin package (with ``translations/``).
    :return: one line per problem; empty when every catalogue is complete.
    """
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    from core.i18n import compiled_is_current

    package = Path(package)
    found = []
    ids = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            package, BABEL_METHODS, keywords=BABEL_KEYWORDS
        )
    }
    for locale in locales:
        po = package / "translations" / locale / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            found.append(f"{locale}: {po.name} is missing")
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for message_id in sorted(ids, key=str):
            entry = catalog.get(message_id)
            if entry is None or entry.fuzzy or not _translated(entry.string):
                found.append(f"{locale}: untranslated {message_id!r}")
        mo = po.with_suffix(".mo")
        if not compiled_is_current(catalog, mo):
            found.append(f"{locale}: {mo.name} is out of date (pybabel compile)")
    return found


def today() -> dt.date:
    """Today's date (one place to read it, for readability in tests)."""
    return dt.date.today()


def _translated(string: str | tuple[str, ...]) -> bool:
    """Whether a catalogue entry has its text (every plural form, for plurals)."""
    return all(string) if isinstance(string, tuple) else bool(string)
