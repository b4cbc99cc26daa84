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
