"""Every message of every package has a German translation and compiled catalogues
are up to date (German is the default language of every citizen page)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_i18n_script():
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_catalogue_is_complete_and_compiled():
    i18n = load_i18n_script()
    problems = [problem for package in i18n.packages() for problem in i18n.problems(package)]
    assert problems == []


def test_a_message_shared_by_two_packages_has_one_translation():
    i18n = load_i18n_script()
    assert i18n.conflicts(i18n.packages()) == []


def _catalogue(header_tool: str, **messages: str):
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale="de", project="rathaus", charset="utf-8")
    catalog.mime_headers = [*catalog.mime_headers, ("Generated-By", header_tool)]
    for message_id, text in messages.items():
        catalog.add(message_id, text)
    return catalog


def _write_mo(catalog, path: Path) -> Path:
    from babel.messages.mofile import write_mo

    with path.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)
    return path


def test_a_catalogue_compiled_by_another_babel_release_is_current(tmp_path):
    from core.i18n import compiled_is_current

    mo = _write_mo(_catalogue("Babel 2.18.0", Save="Speichern"), tmp_path / "messages.mo")
    assert compiled_is_current(_catalogue("Babel 2.19.0", Save="Speichern"), mo) is True


def test_a_changed_or_added_translation_makes_the_compiled_catalogue_stale(tmp_path):
    from core.i18n import compiled_is_current

    mo = _write_mo(_catalogue("Babel 2.19.0", Save="Speichern"), tmp_path / "messages.mo")
    assert compiled_is_current(_catalogue("Babel 2.19.0", Save="Sichern"), mo) is False
    assert (
        compiled_is_current(_catalogue("Babel 2.19.0", Save="Speichern", Back="Zurück"), mo)
        is False
    )
    assert compiled_is_current(_catalogue("Babel 2.19.0"), tmp_path / "missing.mo") is False
