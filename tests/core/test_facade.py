"""The plugin API is one surface: ``from core import ...`` (issue 13 §5).

The built-in plugins and the example plugin import nothing of core but the names of
the facade; every facade name resolves to what its module defines; the plugin guide
lists exactly these names; and ``import core`` stays cheap.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import core

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_CODE = [
    *sorted((ROOT / "plugins").rglob("*.py")),
    *sorted((ROOT / "examples" / "rathaus-termin" / "rathaus_termin").rglob("*.py")),
    *sorted((ROOT / "cli" / "scaffold" / "PACKAGE").rglob("*.py.tmpl")),
]


def _is_migration(path: Path) -> bool:
    # Alembic writes a migration's column types by their module path (core.db.UTCDateTime):
    # migrations are frozen snapshots and may keep it.
    return "migrations" in path.parts


def core_imports_outside_the_facade(path: Path) -> list[str]:
    """Every import of a core module or of a name core does not export, as 'line: text'."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".tmpl":  # scaffold templates hold placeholders: read them line by line
        return [
            f"{number}: {line.strip()}"
            for number, line in enumerate(text.splitlines(), start=1)
            if re.match(r"\s*(from|import) core\.", line)
        ]
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("core."):
                found.append(f"{node.lineno}: from {node.module} import ...")
            elif node.module == "core":
                found += [
                    f"{node.lineno}: from core import {alias.name}"
                    for alias in node.names
                    if alias.name not in core.__all__
                ]
        elif isinstance(node, ast.Import):
            found += [
                f"{node.lineno}: import {alias.name}"
                for alias in node.names
                if alias.name.startswith("core.")
            ]
    return found


def test_plugins_import_core_only_through_the_facade():
    offenders = {
        str(path.relative_to(ROOT)): core_imports_outside_the_facade(path)
        for path in PLUGIN_CODE
        if not _is_migration(path)
    }
    assert {path: lines for path, lines in offenders.items() if lines} == {}


def test_the_check_finds_a_module_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from core import session, hookimpl\n"
        "from core.db import utcnow\n"
        "import core.models\n"
        "from core import not_exported\n",
        encoding="utf-8",
    )
    assert core_imports_outside_the_facade(sample) == [
        "2: from core.db import ...",
        "3: import core.models",
        "4: from core import not_exported",
    ]


def test_every_facade_name_is_the_object_of_its_module():
    for name, module in core.EXPORTS.items():
        assert getattr(core, name) is getattr(importlib.import_module(module), name), name
    for name in core.NAMESPACES:
        assert getattr(core, name) is importlib.import_module(f"core.{name}")


def test_no_facade_name_is_also_a_module_of_core():
    # Importing core.<name> would set the package attribute to the module, so that
    # ``from core import <name>`` would give the module instead of the object.
    modules = {path.stem for path in (ROOT / "core").glob("*.py")}
    assert sorted(modules & set(core.EXPORTS)) == []


def test_an_unknown_name_is_an_attribute_error():
    try:
        core.parse_everything  # noqa: B018
    except AttributeError as exc:
        assert str(exc) == "module 'core' has no attribute 'parse_everything'"
    else:
        raise AssertionError("core.parse_everything resolved")


def test_the_plugin_guide_lists_exactly_the_facade():
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    section = guide.split("### What a plugin may import", 1)[1].split("\n## ", 1)[0]
    the_list = section.split("\n- ", 1)[1]  # the bullet list after the explanation
    listed = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", the_list))
    assert set(core.__all__) - listed == set()
    assert listed - set(core.__all__) == set()


def test_importing_core_loads_neither_sqlalchemy_nor_flask():
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, core; print(sorted(m for m in ('flask', 'sqlalchemy') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert loaded == "[]"


def test_the_type_checking_imports_are_the_facade():
    """core/__init__.py names every export twice: in EXPORTS (resolved at run time)
    and under TYPE_CHECKING (for editors and type checkers); both must agree."""
    tree = ast.parse((ROOT / "core" / "__init__.py").read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
    )
    imported = {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    namespaces = {name for name, module in imported.items() if module == "core"}
    assert {n: m for n, m in imported.items() if m != "core"} == core.EXPORTS
    assert namespaces == set(core.NAMESPACES)
