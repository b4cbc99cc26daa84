"""The guide "Write your first service" (docs/plugins.md) works as written.

The test turns the guide into one shell script – its ``sh`` blocks in order, and the
code changes it asks the reader to make, applied by ``guide_edit.py`` – and runs it in
an empty folder of a fresh layered environment (see ``conftest.py``). An HTML comment
before a block tells the test what to do with it:

- ``<!-- guide-test: skip (why) -->``: not run;
- ``<!-- guide-test: needs "rathaus tenants subscribe" -->``: run only where that
  command exists (the tenants and billing plugins bring theirs);
- ``<!-- guide-test: with the server running -->``: run while ``rathaus serve`` runs
  (on a free port instead of 5000);
- ``<!-- guide-test: insert into FILE after "TEXT" -->``, ``replace NAME in FILE``,
  ``append to FILE``, ``write to FILE``, ``translate in FILE``: a code change.
"""

from __future__ import annotations

import re
import shlex
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.plugin_kit.conftest import LayeredEnv, layer_environment, make_layered_env

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugins.md"
EDITOR = Path(__file__).resolve().parent / "guide_edit.py"

BLOCK = re.compile(
    r"(?:<!-- guide-test: (?P<directive>.+?) -->\n)?```(?P<language>\w*)\n(?P<code>.*?)```", re.S
)
INSERT = re.compile(r'^insert into (?P<file>\S+) after "(?P<after>.+)"$')
REPLACE = re.compile(r"^replace (?P<name>\w+) in (?P<file>\S+)$")
EDIT = re.compile(
    r"^(?P<action>append|write) to (?P<file>\S+)$|^(?P<translate>translate) in (?P<file2>\S+)$"
)
NEEDS = re.compile(r'^needs "(?P<command>[^"]+)"$')
SERVER = "with the server running"

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Step:
    """One block of the guide and what to do with it."""

    number: int
    language: str
    code: str
    directive: str | None


def steps(text: str) -> list[Step]:
    """The guide's fenced blocks in order, with their directives."""
    return [
        Step(number, match["language"], match["code"], match["directive"])
        for number, match in enumerate(BLOCK.finditer(text), start=1)
    ]


def shell_for(step: Step, blocks: Path) -> str | None:
    """The shell lines of one step (None: the step is not run)."""
    directive = step.directive or ""
    if directive.startswith("skip"):
        return None
    edit = _edit_command(step, directive, blocks)
    if edit is not None:
        return edit
    if step.language != "sh":
        return None
    if directive == SERVER:
        return with_server(step, free_port())
    needs = NEEDS.match(directive)
    if needs is None:
        return f"echo '::step {step.number}::'\n{step.code}"
    command = needs["command"]
    return (
        f"if {command} --help >/dev/null 2>&1; then\n"
        f"echo '::step {step.number}::'\n{step.code}"
        f"else echo '::skipped {step.number}: needs {command}::'; fi\n"
    )


def with_server(step: Step, port: int) -> str:
    """Start ``rathaus serve`` in the background, run the block against it, stop it."""
    code = step.code.replace("127.0.0.1:5000", f"127.0.0.1:{port}")
    return (
        f"rathaus serve --port {port} > server.log 2>&1 &\n"
        "SERVER=$!\n"
        f"for _ in $(seq 100); do curl -sf http://127.0.0.1:{port}/healthz >/dev/null && break; sleep 0.2; done\n"
        f"echo '::step {step.number}::'\n{code}"
        "kill $SERVER\n"
    )


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _edit_command(step: Step, directive: str, blocks: Path) -> str | None:
    block = blocks / f"{step.number}.txt"
    editor = f"python {shlex.quote(str(EDITOR))}"
    if match := INSERT.match(directive):
        args = f"insert {shlex.quote(match['file'])} {shlex.quote(match['after'])}"
    elif match := REPLACE.match(directive):
        args = f"replace {shlex.quote(match['file'])} {match['name']}"
    elif match := EDIT.match(directive):
        action = match["action"] or match["translate"]
        args = f"{action} {shlex.quote(match['file'] or match['file2'])}"
    else:
        return None
    block.write_text(step.code, encoding="utf-8")
    return f"echo '::edit {step.number}::'\n{editor} {args} {shlex.quote(str(block))}\n"


def test_every_directive_of_the_guide_is_understood(tmp_path):
    for step in steps(GUIDE.read_text(encoding="utf-8")):
        directive = step.directive or ""
        known = (
            not directive
            or directive.startswith("skip")
            or directive == SERVER
            or any(pattern.match(directive) for pattern in (INSERT, REPLACE, EDIT, NEEDS))
        )
        assert known, f"block {step.number}: unknown directive {directive!r}"


def test_guide_runs_from_an_empty_folder_to_a_tested_service(tmp_path):
    """Create, install, test, migrate, change and translate – every command works."""
    root = tmp_path / "venv"
    make_layered_env(root)
    env = LayeredEnv(root, layer_environment(root)).for_test(tmp_path / "unused-instance", "guide")
    blocks = tmp_path / "blocks"
    blocks.mkdir()
    parts = [shell_for(step, blocks) for step in steps(GUIDE.read_text(encoding="utf-8"))]
    script = "set -euo pipefail\n" + "\n".join(part for part in parts if part)
    (tmp_path / "guide.sh").write_text(script, encoding="utf-8")
    folder = tmp_path / "empty"
    folder.mkdir()
    result = env.run("bash", tmp_path / "guide.sh", cwd=folder)
    output = result.stdout
    # The plugin was created, installed and tested, then changed and tested again.
    assert (folder / "werkstatt" / "rathaus-fundbuero" / "pyproject.toml").exists()
    summaries = [line for line in output.splitlines() if re.match(r"^\d+ passed", line)]
    assert [summary.split(" in ")[0] for summary in summaries] == ["16 passed", "18 passed"]
    assert re.search(
        r"^fundbuero +Fundbüro +Recht & Ordnung ", output, re.M
    )  # rathaus services list
    assert re.search(
        r'"title": "Zweiter Eintrag"[^]]*"title": "Willkommen"', output
    )  # the demo data
    assert re.search(r'"title": ?"Schlüsselbund"', output)  # the entry added through the API
    versions = (
        folder / "werkstatt" / "rathaus-fundbuero" / "rathaus_fundbuero" / "migrations" / "versions"
    )
    assert len(list(versions.glob("*.py"))) == 2
