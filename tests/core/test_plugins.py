"""Plugin loading: discovery, order, isolation of failures, strict mode, third parties."""

from __future__ import annotations

import importlib
import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from core import create_app, hookimpl
from core.plugins import PluginHost, PluginLoadError, api_version_supported, installed_plugins
from core.services import ServiceManifest, catalogue
from tests.conftest import BUILT_IN


@pytest.fixture
def make_app(tmp_path, rathaus_database):
    """Build an app with a chosen plugin set on this test's database."""
    url = rathaus_database.url_for_test(tmp_path)

    def build(plugins, objects=None, strict=False, **config):
        return create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "x",
                "INSTANCE_PATH": str(tmp_path / "instance"),
                "PLUGINS": plugins,
                "PLUGIN_OBJECTS": objects or {},
                "PLUGINS_STRICT": strict,
                **config,
            }
        )

    return build


def service(key: str) -> ServiceManifest:
    return ServiceManifest(key=key, title=key.title(), description="", themenfeld="Querschnitt")


class ServicePlugin:
    def __init__(self, *keys: str) -> None:
        self.keys = keys

    @hookimpl
    def register_services(self):
        return [service(key) for key in self.keys]


class TypoPlugin:
    @hookimpl
    def regster_services(self):  # misspelt on purpose
        return []


class WrongArgumentPlugin:
    @hookimpl
    def portal_links(self, tenant, colour):
        return []


class OldPlugin:
    RATHAUS_API_VERSIONS = ">=0.1,<1"

    @hookimpl
    def register_services(self):
        return [service("old")]


class BrokenBlueprintPlugin:
    @hookimpl
    def register_services(self):
        return [service("broken")]

    @hookimpl
    def register_blueprints(self, app):
        raise RuntimeError("cannot build pages")


class BrokenCommandsPlugin:
    @hookimpl
    def register_commands(self, cli):
        import click

        cli.add_command(click.Command("half-added"))
        raise RuntimeError("cannot finish commands")


def states(app) -> dict[str, tuple[str, str | None]]:
    host = app.extensions["rathaus.plugins"]
    return {name: (host.infos[name].state, host.infos[name].reason) for name in host.order}


def test_unset_plugins_loads_every_installed_plugin_sorted_by_name():
    host = PluginHost()
    host.load(None)
    assert host.order == sorted(installed_plugins())
    assert set(BUILT_IN) <= set(host.loaded())


def test_built_in_plugins_are_found_through_entry_points():
    found = installed_plugins()
    assert {name: found[name].value for name in BUILT_IN} == {
        "billing": "plugins.billing",
        "engagement": "plugins.engagement",
        "tenants": "plugins.tenants",
    }


def test_allow_list_decides_what_loads_and_in_which_order(make_app):
    objects = {"zeta": ServicePlugin("zeta"), "alpha": ServicePlugin("alpha")}
    app = make_app(["zeta", "tenants", "alpha"], objects)
    assert app.extensions["rathaus.plugins"].loaded() == ["zeta", "tenants", "alpha"]
    with app.app_context():
        assert [m.key for m in catalogue()] == ["zeta", "alpha"]


def test_empty_allow_list_loads_no_plugin(make_app):
    app = make_app([])
    assert app.extensions["rathaus.plugins"].loaded() == []


def test_plugin_that_is_not_installed_is_reported(make_app, caplog):
    app = make_app(["tenants", "nonexistent"])
    assert states(app)["nonexistent"] == (
        "not-installed",
        "is not installed (no entry point in 'rathaus.plugins')",
    )
    assert "plugin 'nonexistent' disabled" in caplog.text


def test_strict_mode_raises_instead_of_skipping(make_app):
    with pytest.raises(PluginLoadError, match="plugin 'nonexistent': is not installed"):
        make_app(["nonexistent"], strict=True)


def test_misspelt_hook_disables_the_plugin(make_app):
    app = make_app(["typo", "tenants"], {"typo": TypoPlugin()})
    assert states(app)["typo"] == (
        "failed",
        "implements unknown hook 'regster_services' (misspelt?)",
    )
    assert states(app)["tenants"] == ("loaded", None)


def test_implementation_with_unknown_argument_fails_to_register(make_app):
    app = make_app(["wrong"], {"wrong": WrongArgumentPlugin()})
    state, reason = states(app)["wrong"]
    assert state == "failed"
    assert reason.startswith("failed to register: Plugin 'wrong' for hook 'portal_links'")
    assert "colour" in reason


def test_incompatible_api_version_is_refused_with_reason(make_app):
    app = make_app(["old", "tenants"], {"old": OldPlugin()})
    assert states(app)["old"] == (
        "failed",
        "supports core API >=0.1,<1, but this core provides 1.0",
    )
    with app.app_context():
        assert "old" not in catalogue()


def test_plugin_failing_in_a_setup_hook_is_left_out_entirely(make_app, caplog):
    caplog.set_level(logging.ERROR)
    app = make_app(["broken", "tenants"], {"broken": BrokenBlueprintPlugin()})
    # Pages are built on first use of the routing: the first request fails the plugin.
    assert states(app)["broken"] == ("loaded", None)
    assert app.test_client().get("/healthz").status_code == 200
    assert states(app)["broken"] == (
        "failed",
        "register_blueprints raised RuntimeError: cannot build pages",
    )
    with app.app_context():
        # Its service was declared before it failed: the catalogue must not offer it.
        assert "broken" not in catalogue()


def test_commands_of_a_plugin_failing_in_register_commands_are_removed(make_app):
    app = make_app(["halfcli"], {"halfcli": BrokenCommandsPlugin()})
    assert "half-added" not in app.cli.commands
    assert states(app)["halfcli"][0] == "failed"


def test_two_plugins_declaring_the_same_service_fail_the_second(make_app):
    app = make_app(
        ["first", "second"],
        {"first": ServicePlugin("shared"), "second": ServicePlugin("shared", "own")},
    )
    assert states(app)["second"] == (
        "failed",
        "register_services: key: service 'shared' is already provided by 'first'",
    )
    with app.app_context():
        assert [m.key for m in catalogue()] == ["shared"]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (None, True),
        (">=1.0,<2", True),
        (">=1.1", False),
        ("==1.0", True),
        ("<1", False),
        ("!=1.0", False),
    ],
)
def test_api_version_ranges(spec, expected):
    assert api_version_supported(spec, "1.0") is expected


def test_unreadable_api_version_clause_is_an_error():
    with pytest.raises(ValueError, match="cannot read the version clause '~1.0'"):
        api_version_supported("~1.0", "1.0")


# ---------------------------------------------------------------------------------
# A third-party plugin, installed as a distribution outside the repository
# ---------------------------------------------------------------------------------

THIRD_PARTY_PLUGIN = '''
"""A throwaway third-party Rathaus plugin."""
import click
from flask import Blueprint, g

from core import hookimpl
from core.services import ServiceManifest, require_subscription

RATHAUS_API_VERSIONS = ">=1.0,<2"


@hookimpl
def register_services(app):
    return [ServiceManifest(key="fundbuero", title="Fundbüro", description="Lost and found.",
                            themenfeld="Recht & Ordnung", version="0.3")]


@hookimpl
def register_blueprints(app):
    bp = Blueprint("fundbuero", __name__, url_prefix="/<tenant>/fundbuero")

    @bp.get("/")
    def index():
        return f"Fundbüro {g.tenant.slug}"

    return [require_subscription(bp, "fundbuero")]


@hookimpl
def register_commands(cli):
    @cli.group("fundbuero")
    def group():
        """Lost and found."""

    @group.command("count")
    def count():
        click.echo("0 items")
'''


@pytest.fixture
def third_party(tmp_path, monkeypatch):
    """Install ``rathaus-fundbuero`` (module + dist-info with an entry point) on sys.path."""
    site = tmp_path / "site-packages"
    (site / "rathaus_fundbuero").mkdir(parents=True)
    (site / "rathaus_fundbuero" / "__init__.py").write_text(
        textwrap.dedent(THIRD_PARTY_PLUGIN), encoding="utf-8"
    )
    dist = site / "rathaus_fundbuero-0.3.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: rathaus-fundbuero\nVersion: 0.3.0\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text(
        "[rathaus.plugins]\nfundbuero = rathaus_fundbuero\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    yield site
    sys.modules.pop("rathaus_fundbuero", None)


def test_third_party_distribution_adds_service_route_and_command(
    third_party, make_app, runner, subscribe
):
    app = make_app([*BUILT_IN, "fundbuero"], strict=True)
    info = app.extensions["rathaus.plugins"].infos["fundbuero"]
    assert (info.distribution, info.version, info.module, info.state) == (
        "rathaus-fundbuero",
        "0.3.0",
        "rathaus_fundbuero",
        "loaded",
    )
    with app.app_context():
        assert catalogue().get("fundbuero").plugin == "fundbuero"
        from core import lifecycle
        from core.db import session
        from core.models import TenantStatus

        tenant = lifecycle.register_tenant("05558012", status=TenantStatus.ACTIVE)
        session.commit()
        client = app.test_client()
        assert client.get("/coesfeld/fundbuero/").status_code == 404  # not subscribed yet
        from core.services import subscribe as subscribe_service

        subscribe_service(tenant, "fundbuero")
        session.commit()
        response = client.get("/coesfeld/fundbuero/")
        assert (response.status_code, response.get_data(as_text=True)) == (200, "Fundbüro coesfeld")
    result = app.test_cli_runner().invoke(
        runner.group, ["fundbuero", "count"], catch_exceptions=False
    )
    assert (result.exit_code, result.output) == (0, "0 items\n")


def test_third_party_plugin_that_fails_to_import_is_skipped(third_party, make_app):
    (third_party / "rathaus_fundbuero" / "__init__.py").write_text(
        "import does_not_exist\n", encoding="utf-8"
    )
    app = make_app([*BUILT_IN, "fundbuero"])
    assert states(app)["fundbuero"] == (
        "failed",
        "failed to import: ModuleNotFoundError: No module named 'does_not_exist'",
    )
    assert app.extensions["rathaus.plugins"].loaded() == BUILT_IN


def test_plugins_list_json_shows_state_and_reason(third_party, runner):
    (third_party / "rathaus_fundbuero" / "__init__.py").write_text(
        "raise SystemError('boom')\n", encoding="utf-8"
    )
    app = create_app(
        {**runner.app.config, "PLUGINS": [*BUILT_IN, "fundbuero"], "PLUGINS_STRICT": False}
    )
    with app.app_context():
        result = app.test_cli_runner().invoke(
            runner.group, ["plugins", "list", "--json"], catch_exceptions=False
        )
    data = {item["name"]: item for item in json.loads(result.output)}
    assert data["fundbuero"]["state"] == "failed"
    assert data["fundbuero"]["reason"] == "failed to import: SystemError: boom"
    assert data["engagement"]["state"] == "loaded"
    assert "register_services" in data["engagement"]["hooks"]
    assert data["engagement"]["distribution"] == "rathaus"


def test_plugin_modules_are_not_imported_when_not_enabled(tmp_path):
    code = (
        "import sys; from core import create_app; "
        f"create_app({{'PLUGINS': ['tenants'], 'INSTANCE_PATH': {str(tmp_path)!r}}}); "
        "print(sorted({m.split('.')[1] for m in sys.modules if m.startswith('plugins.')}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output == "['tenants']\n"


def test_plugin_path_points_at_its_package(make_app):
    app = make_app(["tenants"])
    assert (
        app.extensions["rathaus.plugins"].infos["tenants"].path
        == Path(__file__).resolve().parents[2] / "plugins" / "tenants"
    )
