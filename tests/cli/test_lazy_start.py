"""What start-up does and does not do: asserted on imported modules, not on timings.

Each case runs in a fresh interpreter (this test process has imported everything).
The timings themselves are a benchmark: ``rathaus bench startup``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cli.lazy import LazyFlaskGroup, plugin_groups, plugin_summary

HEAVY = ("sqlalchemy", "core.app", "core.db", "flask_smorest", "marshmallow", "snowballstemmer")


def run_fresh(code: str, tmp_path, **env: str) -> dict:
    """Run ``code`` in a new interpreter; it prints one JSON document as last line."""
    environ = dict(os.environ)
    environ.update(
        # The built-in plugins, whatever else is installed (the example plugin in CI).
        RATHAUS_PLUGINS="billing,engagement,tenants",
        RATHAUS_INSTANCE_PATH=str(tmp_path / "instance"),
        RATHAUS_DATABASE_URL=f"sqlite:///{tmp_path / 'start.sqlite3'}",
        RATHAUS_SECRET_KEY="x",
    )
    environ.update(env)
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environ,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


HELP = """
    import contextlib, io, json, sys
    from cli.main import cli
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        cli.main(["--help"], prog_name="rathaus")
    print(json.dumps({"help": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def loaded(modules: list[str], prefix: str) -> list[str]:
    return [m for m in modules if m == prefix or m.startswith(prefix + ".")]


def test_help_builds_no_app_and_imports_no_plugin(tmp_path):
    result = run_fresh(HELP, tmp_path)
    for prefix in HEAVY:
        assert loaded(result["modules"], prefix) == [], prefix
    # The plugins package itself (to find the built-in plugins' files), none of them.
    assert [m for m in result["modules"] if m.startswith("plugins")] == ["plugins"]
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_help_lists_core_commands_plugin_groups_and_openapi(tmp_path):
    listing = run_fresh(HELP, tmp_path)["help"].split("Commands:\n")[1]
    names = [line.split()[0] for line in listing.splitlines() if line.strip()]
    assert names == [
        "bench",
        "billing",
        "db",
        "demo",
        "engagement",
        "mail",
        "openapi",
        "plugin",
        "plugins",
        "routes",
        "run",
        "serve",
        "services",
        "shell",
        "tenants",
        "tokens",
        "users",
    ]
    assert "  tenants     Tenants plugin: onboarding municipalities (Kommunen,...\n" in listing


def test_help_follows_the_plugins_setting(tmp_path):
    result = run_fresh(HELP, tmp_path, RATHAUS_PLUGINS="tenants")
    listing = result["help"].split("Commands:\n")[1]
    names = {line.split()[0] for line in listing.splitlines() if line.strip()}
    assert {"tenants"} <= names
    assert names.isdisjoint({"billing", "engagement"})


def test_plugin_groups_come_from_entry_points_and_docstrings():
    groups = plugin_groups()
    assert groups["billing"] == (
        "Billing plugin: tariffs, contracts, sponsors, shared cost pools, invoices, XRechnung."
    )
    assert groups["engagement"].startswith("Engagement plugin: volunteer matching")
    assert plugin_summary("no_such_module_here") == ""


def test_a_plugin_command_builds_the_app_but_not_its_pages(tmp_path):
    code = """
        import contextlib, io, json, sys
        from cli.main import cli
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            cli.main(["tenants", "list", "--json"], prog_name="rathaus")
        print(json.dumps({"out": out.getvalue(), "modules": sorted(sys.modules)}))
    """
    subprocess.run(  # noqa: S603
        [str(Path(sys.executable).with_name("rathaus")), "db", "upgrade"],
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "RATHAUS_PLUGINS": "billing,engagement,tenants",
            "RATHAUS_INSTANCE_PATH": str(tmp_path / "instance"),
            "RATHAUS_DATABASE_URL": f"sqlite:///{tmp_path / 'start.sqlite3'}",
            "RATHAUS_SECRET_KEY": "x",
        },
    )
    result = run_fresh(code, tmp_path)
    assert json.loads(result["out"]) == []
    modules = result["modules"]
    assert "core.app" in modules and "plugins.tenants.cli" in modules
    for page_module in ("core.api", "core.web", "plugins.tenants.views", "plugins.billing.api"):
        assert page_module not in modules, page_module
    for web_only in ("flask_smorest", "apispec", "marshmallow", "webargs", "wtforms", "flask_wtf"):
        assert loaded(modules, web_only) == [], web_only
    # Only the tenants group is imported; no settings schema is (core.lazycli).
    for other in ("plugins.billing.cli", "plugins.engagement.cli", "plugins.tenants.doctor"):
        assert other not in modules, other
    # Nor the other plugins' models (core.plugins: imported where used), nor the
    # PostgreSQL dialect that engagement's covering index would load on SQLite.
    for other in ("plugins.billing", "plugins.engagement"):
        assert [m for m in loaded(modules, other) if "models" in m] == [], other
    assert loaded(modules, "sqlalchemy.dialects.postgresql") == []
    assert loaded(modules, "snowballstemmer") == []


CREATE_APP = """
    import json, sys
    from core import create_app, gazetteer
    app = create_app()
    before = sorted(sys.modules)
    rest_before = "flask-smorest" in app.extensions
    gazetteer_before = gazetteer._index is not None
    status = app.test_client().get("/healthz").status_code
    api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    documented_before = not api._undocumented.pending
    paths = len(app.test_client().get("/api/v1/openapi.json").json["paths"])
    print(json.dumps({
        "before": before, "after": sorted(sys.modules), "rest_before": rest_before,
        "gazetteer_before": gazetteer_before, "status": status,
        "documented_before": documented_before,
        "documented_after": not api._undocumented.pending, "paths": paths,
    }))
"""


@pytest.fixture
def create_app_run(tmp_path):
    return run_fresh(CREATE_APP, tmp_path)


def test_create_app_leaves_pages_api_and_gazetteer_to_first_use(create_app_run):
    before = create_app_run["before"]
    for page_module in (
        "core.api",
        "core.web",
        "plugins.engagement.views",
        "plugins.engagement.matching",
        "plugins.billing.views",
        "plugins.tenants.api",
    ):
        assert page_module not in before, page_module
    assert loaded(before, "flask_smorest") == []
    assert create_app_run["rest_before"] is False
    assert create_app_run["gazetteer_before"] is False


def test_first_request_builds_the_pages_and_the_spec_waits_for_its_own(create_app_run):
    assert create_app_run["status"] == 200
    assert "plugins.engagement.views" in create_app_run["after"]
    assert create_app_run["documented_before"] is False
    assert create_app_run["documented_after"] is True
    assert create_app_run["paths"] > 30


def test_only_the_german_stemmer_is_loaded(tmp_path):
    code = """
        import json, sys
        from plugins.engagement.search import stem
        word = stem("hundebetreuung")
        print(json.dumps({"word": word, "modules": sorted(sys.modules)}))
    """
    result = run_fresh(code, tmp_path)
    assert result["word"] == "hundebetreu"
    stemmers = [m for m in result["modules"] if m.endswith("_stemmer")]
    assert stemmers == ["_rathaus_snowball_german.german_stemmer"]
    assert loaded(result["modules"], "snowballstemmer") == []


def test_unknown_command_is_looked_up_after_the_deferred_setup(runner):
    result = runner.invoke("openapi", "--help")
    assert result.exit_code == 0, result.output
    assert "print" in result.output


def test_the_lazy_group_is_the_rathaus_group():
    from cli.main import cli

    assert isinstance(cli, LazyFlaskGroup)
