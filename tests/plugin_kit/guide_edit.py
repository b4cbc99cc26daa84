"""Apply one code change of the plugin guide, as its reader would by hand.

Called by the script ``test_guide.py`` builds from ``docs/plugins.md`` (standard
library only: it runs in the environment the guide's commands run in)::

    python guide_edit.py insert FILE AFTER BLOCK     # after the first line containing AFTER
    python guide_edit.py replace FILE NAME BLOCK     # the function or method NAME
    python guide_edit.py append FILE BLOCK
    python guide_edit.py write FILE BLOCK
    python guide_edit.py translate FILE BLOCK        # msgid/msgstr pairs into a .po file

BLOCK is a file holding the code block's text.
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from pathlib import Path


def insert(path: Path, after: str, block: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if after in line:
            lines[index + 1 : index + 1] = [block if block.endswith("\n") else block + "\n"]
            path.write_text("".join(lines), encoding="utf-8")
            return
    raise SystemExit(f"{path}: no line contains {after!r}")


def replace(path: Path, name: str, block: str) -> None:
    source = path.read_text(encoding="utf-8")
    found = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name
    ]
    if len(found) != 1:
        raise SystemExit(f"{path}: {len(found)} functions named {name!r}, expected one")
    node = found[0]
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    lines = source.splitlines(keepends=True)
    indented = textwrap.indent(textwrap.dedent(block), " " * node.col_offset)
    lines[first - 1 : node.end_lineno] = [indented if indented.endswith("\n") else indented + "\n"]
    path.write_text("".join(lines), encoding="utf-8")


def append(path: Path, block: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + block, encoding="utf-8")


def write(path: Path, block: str) -> None:
    path.write_text(block, encoding="utf-8")


def translate(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8")
    for msgid, msgstr in re.findall(r'msgid "(.*)"\nmsgstr "(.*)"', block):
        entry = re.compile(rf'(msgid "{re.escape(msgid)}"\n)msgstr ".*"')
        if not entry.search(text):
            raise SystemExit(f"{path}: no entry for {msgid!r} (run pybabel update first)")
        text = entry.sub(lambda match, value=msgstr: f'{match.group(1)}msgstr "{value}"', text)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> None:
    action, path, *rest = argv
    block = Path(rest[-1]).read_text(encoding="utf-8")
    target = Path(path)
    if action == "insert":
        insert(target, rest[0], block)
    elif action == "replace":
        replace(target, rest[0], block)
    elif action == "append":
        append(target, block)
    elif action == "write":
        write(target, block)
    elif action == "translate":
        translate(target, block)
    else:
        raise SystemExit(f"unknown action {action!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
