"""Translation catalogues: one per package (core and each plugin), German first.

    python scripts/i18n.py update core            # extract messages, merge into de/messages.po
    python scripts/i18n.py compile core           # write messages.mo
    python scripts/i18n.py check                  # every message translated, .mo up to date

Domain errors (``raise ValidationError("template %(x)s", ...)``) are extracted too.
A plugin outside ``plugins/`` is named by its package folder, e.g.
``examples/rathaus-termin/rathaus_termin``.

Message ids are English; ``<package>/translations/de/LC_MESSAGES/messages.po`` holds
the German texts. A package is a folder path (``core``, ``plugins/engagement``).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from core.i18n import EXTRACT_KEYWORDS, compiled_is_current

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("de",)
KEYWORDS = EXTRACT_KEYWORDS  # gettext calls and domain error templates (core.errors)
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.do"}}


def packages() -> list[Path]:
    """Core and every built-in plugin that has templates or Python code."""
    return [ROOT / "core"] + sorted(
        p for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").exists()
    )


def extract(package: Path) -> Catalog:
    """All translatable messages of a package."""
    catalog = Catalog(project="rathaus", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        package, METHODS, keywords=KEYWORDS, options_map=OPTIONS, comment_tags=("TRANSLATORS:",)
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(package: Path, locale: str) -> Path:
    return package / "translations" / locale / "LC_MESSAGES" / "messages.po"


def read_catalog(path: Path, locale: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=locale, project="rathaus", charset="utf-8")
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def update(package: Path) -> None:
    """Merge the extracted messages into each locale's catalogue (keeps translations)."""
    template = extract(package)
    for locale in LOCALES:
        path = po_path(package, locale)
        catalog = read_catalog(path, locale)
        catalog.update(template, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(
                handle,
                catalog,
                width=100,
                omit_header=False,
                ignore_obsolete=True,
                sort_output=True,
            )
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages")


def compiled(package: Path, locale: str) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(po_path(package, locale), locale), use_fuzzy=False)
    return buffer.getvalue()


def compile_(package: Path) -> None:
    for locale in LOCALES:
        if po_path(package, locale).exists():
            target = po_path(package, locale).with_suffix(".mo")
            target.write_bytes(compiled(package, locale))
            print(f"{target.relative_to(ROOT)} written")


def problems(package: Path) -> list[str]:
    """Untranslated or fuzzy messages, messages missing from the catalogue, stale .mo."""
    found = []
    ids = {message.id for message in extract(package) if message.id}
    for locale in LOCALES:
        path = po_path(package, locale)
        catalog = read_catalog(path, locale)
        for message_id in sorted(ids, key=str):
            entry = catalog.get(message_id)
            if entry is None:
                found.append(f"{path.relative_to(ROOT)}: missing {message_id!r}")
            elif not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
                found.append(f"{path.relative_to(ROOT)}: untranslated {message_id!r}")
            elif entry.fuzzy:
                found.append(f"{path.relative_to(ROOT)}: fuzzy {message_id!r}")
        mo = path.with_suffix(".mo")
        if ids and not compiled_is_current(catalog, mo):
            found.append(f"{mo.relative_to(ROOT)}: out of date; run scripts/i18n.py compile")
    return found


def conflicts(chosen: list[Path]) -> list[str]:
    """Message ids translated differently by two packages. All catalogues share one
    domain at run time, so only one of the translations would ever be shown."""
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for package in chosen:
        for locale in LOCALES:
            for message in read_catalog(po_path(package, locale), locale):
                if message.id and isinstance(message.id, str) and message.string:
                    seen.setdefault((locale, message.id), {})[package.name] = message.string
    return [
        f"{locale}: {message_id!r} is translated differently: {translations}"
        for (locale, message_id), translations in sorted(seen.items())
        if len(set(translations.values())) > 1
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", choices=["update", "compile", "check"])
    parser.add_argument(
        "package", nargs="*", help="folders, e.g. core plugins/engagement (default: all)"
    )
    args = parser.parse_args()
    chosen = [ROOT / p for p in args.package] if args.package else packages()
    if args.action == "update":
        for package in chosen:
            update(package)
    elif args.action == "compile":
        for package in chosen:
            compile_(package)
    else:
        found = [problem for package in chosen for problem in problems(package)] + conflicts(chosen)
        print("\n".join(found) or "all catalogues complete")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
