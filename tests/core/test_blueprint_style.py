"""One blueprint style (issue 13 §2): every page and API blueprint is built by a factory.

A module holds its view functions and a ``ROUTES`` table; ``blueprint()`` builds a fresh
blueprint from them for each application. No module of core, the built-in plugins or
the example plugin, nor a module the scaffold writes, creates a ``Blueprint`` when it
is imported: such a blueprint is shared by every application in the process, and
whatever one application's set-up adds to it (a guard, a filter) the next one gets too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODE = [
    *sorted((ROOT / "core").rglob("*.py")),
    *sorted((ROOT / "plugins").rglob("*.py")),
    *sorted((ROOT / "examples" / "rathaus-termin" / "rathaus_termin").rglob("*.py")),
    *sorted((ROOT / "cli" / "scaffold" / "PACKAGE").rglob("*.py.tmpl")),
]


class _ImportTimeCalls(ast.NodeVisitor):
    """Collects ``Blueprint(...)`` calls that run when the module is imported.

    Function bodies run later and are skipped; decorators and default values run at
    definition time and are visited; class bodies run at import time too.
    """

    def __init__(self) -> None:
        self.found: list[int] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for expression in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
            if expression is not None:
                self.visit(expression)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for expression in [*node.args.defaults, *node.args.kw_defaults]:
            if expression is not None:
                self.visit(expression)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name == "Blueprint":
            self.found.append(node.lineno)
        self.generic_visit(node)


def blueprints_at_import(source: str) -> list[int]:
    """The lines of ``source`` that create a Blueprint at import time."""
    visitor = _ImportTimeCalls()
    visitor.visit(ast.parse(source))
    return visitor.found


def _source(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    # The scaffold's templates hold placeholders (``${package}``): make them names.
    return re.sub(r"\$\{(\w+)\}", r"\1", text) if path.suffix == ".tmpl" else text


def test_no_module_creates_a_blueprint_at_import_time() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in CODE
        for line in blueprints_at_import(_source(path))
    ]
    assert offenders == [], "build blueprints in a blueprint() factory: " + ", ".join(offenders)


@pytest.mark.parametrize(
    "source",
    [
        'bp = Blueprint("x", __name__)',
        'blp = flask_smorest.Blueprint("x", __name__)',
        'if True:\n    bp = Blueprint("x", __name__)',
        'class Views:\n    bp = Blueprint("x", __name__)',
        '@register(Blueprint("x", __name__))\ndef f():\n    pass',
    ],
)
def test_the_check_finds_a_blueprint_created_at_import_time(source: str) -> None:
    assert blueprints_at_import(source) != []


@pytest.mark.parametrize(
    "source",
    [
        'def blueprint():\n    return Blueprint("x", __name__)',
        'async def blueprint():\n    return Blueprint("x", __name__)',
        'factory = lambda: Blueprint("x", __name__)',
        "from flask import Blueprint\nBlueprintish = 1",
    ],
)
def test_the_check_leaves_factories_alone(source: str) -> None:
    assert blueprints_at_import(source) == []
