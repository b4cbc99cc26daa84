"""A freshly built application knows every table of every enabled plugin.

Core's offboarding purge and export, row-level security and `rathaus db revision
--autogenerate` read the tables from the metadata; a plugin whose models are only
imported by a command or a view (imported when first used) would be missing from it
in a fresh process: the purge would leave its rows behind and autogenerate would
propose to drop its tables.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILT_IN = ("billing", "engagement", "tenants")


def declared_tables() -> set[str]:
    """Every ``__tablename__`` written in the built-in plugins' code."""
    names = set()
    for plugin in BUILT_IN:
        for path in (ROOT / "plugins" / plugin).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Assign)
                    and [getattr(t, "id", None) for t in node.targets] == ["__tablename__"]
                    and isinstance(node.value, ast.Constant)
                ):
                    names.add(node.value.value)
    return names


def test_a_fresh_application_has_every_plugin_table(tmp_path):
    script = (
        "import json; from core import create_app; from core.db import Base; "
        "create_app(); print(json.dumps(sorted(Base.metadata.tables)))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "RATHAUS_INSTANCE_PATH": str(tmp_path),
        "RATHAUS_PLUGINS": ",".join(BUILT_IN),
    }
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    ).stdout
    loaded = set(json.loads(out.strip().splitlines()[-1]))
    declared = declared_tables()
    assert len(declared) > 30
    assert sorted(declared - loaded) == []
