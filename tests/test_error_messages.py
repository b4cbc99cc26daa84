"""Every domain error a person can read has a literal English template, a machine code
and a German translation in its package's catalogue.

The test reads the source (AST), so a new raise site is checked the moment it is
written: an f-string, a concatenation or a conditional expression as the message
would never be found in the catalogue, and a page would show English.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from core.i18n import ERROR_KEYWORDS

ROOT = Path(__file__).resolve().parent.parent
#: Source folder → its catalogue (None: English only, the command line's own errors).
PACKAGES = {
    "core": ROOT / "core",
    "plugins/engagement": ROOT / "plugins" / "engagement",
    "plugins/tenants": ROOT / "plugins" / "tenants",
    "examples/rathaus-termin/rathaus_termin": ROOT
    / "examples"
    / "rathaus-termin"
    / "rathaus_termin",
    "cli": None,
}
# plugins/billing is converted on its own branch; it joins PACKAGES at the merge.


def error_calls(folder: Path) -> list[tuple[str, ast.Call]]:
    """Every call of a domain error class in ``folder`` (tests excluded)."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        if "tests" in path.relative_to(folder).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func) in ERROR_KEYWORDS:
                found.append((f"{path.relative_to(folder)}:{node.lineno}", node))
    return found


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def problem(call: ast.Call) -> str | None:
    """What is wrong with a raise site, or None."""
    if not call.args:
        return "no message"
    message = call.args[0]
    if not (isinstance(message, ast.Constant) and isinstance(message.value, str)):
        return f"message is {type(message).__name__}, not a literal template"
    if not any(keyword.arg == "code" for keyword in call.keywords):
        return "no code="
    return None


def german(catalogue: Path) -> dict[str, str]:
    path = catalogue / "translations" / "de" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle, locale="de") if m.id and not m.fuzzy}


@pytest.mark.parametrize("folder", sorted(PACKAGES))
def test_every_error_is_a_literal_template_with_a_code(folder):
    calls = error_calls(ROOT / folder)
    assert calls, f"no raise sites found in {folder}"
    assert [(site, problem(call)) for site, call in calls if problem(call)] == []


@pytest.mark.parametrize("folder", sorted(f for f, c in PACKAGES.items() if c is not None))
def test_every_error_template_has_a_german_translation(folder):
    translations = german(PACKAGES[folder])
    untranslated = [
        (site, call.args[0].value)
        for site, call in error_calls(ROOT / folder)
        if problem(call) is None and not translations.get(call.args[0].value)
    ]
    assert untranslated == []


def test_the_walk_sees_f_strings_conditionals_and_concatenation(tmp_path):
    (tmp_path / "bad.py").write_text(
        "raise ValidationError(f'{x} is bad', code='a')\n"
        "raise ValidationError('a' if x else 'b', code='a')\n"
        "raise NotFoundError('no ' + x, code='a')\n"
        "raise ConflictError('taken')\n"
        "raise PermissionDenied('%(who)s may not', code='a.b', who=x)\n"
    )
    assert [problem(call) for _site, call in error_calls(tmp_path)] == [
        "message is JoinedStr, not a literal template",
        "message is IfExp, not a literal template",
        "message is BinOp, not a literal template",
        "no code=",
        None,
    ]
