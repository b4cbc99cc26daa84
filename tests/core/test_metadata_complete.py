"""Every table of every enabled plugin is in the metadata where the whole schema counts.

Building the application imports no plugin's models (a command of one plugin needs
none of the others': ``core.plugins``); what reads every table from the metadata –
``rathaus db revision --autogenerate``, ``core.testing.migration_differences``, the
tenant export's secret columns – asks the plugin host to import them first. Checked in
fresh processes: this test process has imported everything long ago.
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


def run_fresh(code: str, tmp_path: Path) -> str:
    """Run ``code`` in a new interpreter with the built-in plugins; its last line."""
    env = {
        "PATH": "/usr/bin:/bin",
        "RATHAUS_INSTANCE_PATH": str(tmp_path),
        "RATHAUS_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "RATHAUS_PLUGINS": ",".join(BUILT_IN),
    }
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    return out.strip().splitlines()[-1]


def test_the_plugin_host_imports_every_plugin_table(tmp_path):
    code = (
        "import json; from core import create_app, current_host; from core.db import Base; "
        "app = create_app(); built = sorted(Base.metadata.tables); "
        "current_host(app).import_models(); "
        "print(json.dumps([built, sorted(Base.metadata.tables)]))"
    )
    built, complete = json.loads(run_fresh(code, tmp_path))
    declared = declared_tables()
    assert len(declared) > 30
    assert sorted(declared - set(complete)) == []
    # Building the application left them to first use.
    assert [name for name in built if name.startswith(BUILT_IN)] == []


def test_migration_differences_in_a_fresh_process_see_every_plugin_table(tmp_path):
    code = (
        "import json; from core import create_app, migrate; "
        "from core.testing import migration_differences; "
        "app = create_app(); migrate.upgrade(app); "
        "print(json.dumps(sorted(migration_differences(app))))"
    )
    assert json.loads(run_fresh(code, tmp_path)) == []
