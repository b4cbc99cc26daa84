"""Generated plugins, installed with pip: their own tests pass and Rathaus offers them.

Runs in the session's layered virtual environment (see ``conftest.py``), so the
installed plugins never reach the environment of the rest of the suite. Two plugins
are generated: ``musterdienst`` as written, and ``altdienst`` declaring the next
major API version, which Rathaus must refuse while running on.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core import API_VERSION
from tests.conftest import BUILT_IN
from tests.plugin_kit.conftest import once

HERE = Path(__file__).resolve().parent
MAJOR = int(API_VERSION.split(".")[0])
FUTURE = f">={MAJOR + 1}.0,<{MAJOR + 2}"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def authors_folder(layered_env, shared_tmp):
    """``rathaus plugin new`` twice and one ``pip install -e`` of both, once per session."""

    def build(folder: Path) -> None:
        folder.mkdir()
        layered_env.run(
            "rathaus", "plugin", "new", "musterdienst", "--title", "Musterdienst", cwd=folder
        )
        layered_env.run("rathaus", "plugin", "new", "altdienst", cwd=folder)
        old = folder / "rathaus-altdienst" / "rathaus_altdienst" / "__init__.py"
        source = old.read_text(encoding="utf-8")
        old.write_text(
            source.replace("RATHAUS_API_VERSIONS = ", f'RATHAUS_API_VERSIONS = "{FUTURE}"  # ', 1)
        )
        shutil.copyfile(
            HERE / "fixture_probe.py",
            folder / "rathaus-musterdienst" / "tests" / "test_rathaus_fixtures.py",
        )
        layered_env.run(
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "-e",
            "rathaus-musterdienst",
            "-e",
            "rathaus-altdienst",
            cwd=folder,
        )

    return once(shared_tmp / "authors", build)


@pytest.fixture
def env(layered_env, tmp_path, request):
    return layered_env.for_test(tmp_path / "instance", request.node.name[:20])


@pytest.fixture
def project(authors_folder):
    return authors_folder / "rathaus-musterdienst"


@pytest.fixture(scope="session")
def listings(layered_env, authors_folder, tmp_path_factory):
    """``rathaus plugins list --json`` and ``rathaus services list --json``, run once."""
    env = layered_env.for_test(tmp_path_factory.mktemp("listings"), "listings")
    project = authors_folder / "rathaus-musterdienst"
    return {
        command: json.loads(env.run("rathaus", command, "list", "--json", cwd=project).stdout)
        for command in ("plugins", "services")
    }


def test_generated_plugin_passes_its_own_tests_and_uses_every_author_fixture(env, project):
    result = env.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project)
    assert result.stdout.splitlines()[-1].startswith("34 passed")


def test_services_list_shows_the_installed_plugin(listings):
    (service,) = [item for item in listings["services"] if item["key"] == "musterdienst"]
    assert (service["title"], service["plugin"], service["themenfeld"]) == (
        "Musterdienst",
        "musterdienst",
        "Querschnitt",
    )


def test_plugins_list_shows_distribution_and_api_range(listings):
    (info,) = [item for item in listings["plugins"] if item["name"] == "musterdienst"]
    assert {
        key: info[key] for key in ("distribution", "module", "state", "reason", "api_versions")
    } == {
        "distribution": "rathaus-musterdienst",
        "module": "rathaus_musterdienst",
        "state": "loaded",
        "reason": None,
        "api_versions": f">={API_VERSION},<{MAJOR + 1}",
    }


def test_generated_code_passes_ruff(env, authors_folder):
    ruff = shutil.which("ruff")
    assert ruff is not None, "ruff is part of Rathaus's dev extra"
    env.run(ruff, "check", "rathaus-musterdienst", "rathaus-altdienst", cwd=authors_folder)
    env.run(
        ruff, "format", "--check", "rathaus-musterdienst", "rathaus-altdienst", cwd=authors_folder
    )


def test_plugin_outside_the_api_range_is_refused_with_its_reason(listings):
    (info,) = [item for item in listings["plugins"] if item["name"] == "altdienst"]
    assert (info["state"], info["reason"]) == (
        "failed",
        f"supports core API {FUTURE}, but this core provides {API_VERSION}",
    )
    assert "altdienst" not in [service["key"] for service in listings["services"]]


def test_the_platform_runs_on_without_the_refused_plugin(listings):
    others = {
        item["name"]: item["state"] for item in listings["plugins"] if item["name"] != "altdienst"
    }
    assert set(BUILT_IN) | {"musterdienst"} <= set(others)
    assert set(others.values()) == {"loaded"}
