"""``rathaus plugin new``: what it writes, and every name and file it refuses."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from cli import scaffolding
from core import API_VERSION, hookimpl
from core.plugins import api_version_supported
from core.services import ServiceManifest
from core.testing import translation_problems
from tests.conftest import BUILT_IN

ROOT = Path(__file__).resolve().parents[2]

EXPECTED_FILES = [
    ".gitignore",
    "README.md",
    "babel.cfg",
    "pyproject.toml",
    "rathaus_fundbuero/__init__.py",
    "rathaus_fundbuero/api.py",
    "rathaus_fundbuero/cli.py",
    "rathaus_fundbuero/demo.py",
    "rathaus_fundbuero/entries.py",
    "rathaus_fundbuero/migrations/versions/fundbuero_0001_initial.py",
    "rathaus_fundbuero/models.py",
    "rathaus_fundbuero/schemas.py",
    "rathaus_fundbuero/templates/fundbuero/index.html",
    "rathaus_fundbuero/translations/de/LC_MESSAGES/messages.mo",
    "rathaus_fundbuero/translations/de/LC_MESSAGES/messages.po",
    "rathaus_fundbuero/views.py",
    "tests/conftest.py",
    "tests/test_fundbuero.py",
]


def new(runner, directory: Path, name: str = "fundbuero", *extra: str):
    return runner.invoke("plugin", "new", name, "--directory", str(directory), *extra)


def files_in(directory: Path) -> list[str]:
    return sorted(
        str(path.relative_to(directory)) for path in directory.rglob("*") if path.is_file()
    )


@pytest.fixture
def project(runner, tmp_path) -> Path:
    directory = tmp_path / "rathaus-fundbuero"
    result = new(
        runner, directory, "fundbuero", "--title", "Fundbüro", "--themenfeld", "Recht & Ordnung"
    )
    assert result.exit_code == 0, result.output
    return directory


# ---------------------------------------------------------------------------------
# What it writes
# ---------------------------------------------------------------------------------


def test_new_writes_an_installable_project(runner, tmp_path):
    directory = tmp_path / "rathaus-fundbuero"
    result = new(runner, directory)
    assert result.exit_code == 0
    assert files_in(directory) == EXPECTED_FILES
    assert result.output == (
        f"Created the plugin 'fundbuero' (package rathaus_fundbuero) in {directory}/ with 18 files.\n"
        "Next:\n"
        f"  cd {directory}\n"
        "  pip install -e '.[test]'\n"
        "  python -m pytest\n"
        "  rathaus services list\n"
    )


def test_new_defaults_to_a_folder_named_after_the_distribution(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke("plugin", "new", "fundbuero").exit_code == 0
    assert files_in(tmp_path / "rathaus-fundbuero") == EXPECTED_FILES


def test_new_json_lists_the_files(runner, tmp_path):
    data = json.loads(new(runner, tmp_path / "p", "fundbuero", "--json").output)
    assert data == {
        "name": "fundbuero",
        "package": "rathaus_fundbuero",
        "distribution": "rathaus-fundbuero",
        "directory": str(tmp_path / "p"),
        "files": EXPECTED_FILES,
    }


def test_pyproject_registers_the_entry_point_and_requires_rathaus(project):
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["name"] == "rathaus-fundbuero"
    assert pyproject["project"]["entry-points"] == {
        "rathaus.plugins": {"fundbuero": "rathaus_fundbuero"}
    }
    assert pyproject["project"]["dependencies"] == ["rathaus>=0.1.0"]
    assert (
        pyproject["project"]["description"]
        == "Fundbüro: ein Online-Dienst für die Kommunen der Plattform."
    )


def test_plugin_declares_the_current_api_major_version(project):
    source = (project / "rathaus_fundbuero" / "__init__.py").read_text(encoding="utf-8")
    major = int(API_VERSION.split(".")[0])
    declared = f">={API_VERSION},<{major + 1}"
    assert f'RATHAUS_API_VERSIONS = "{declared}"' in source
    assert api_version_supported(declared)


def test_manifest_carries_title_and_themenfeld(project):
    source = (project / "rathaus_fundbuero" / "__init__.py").read_text(encoding="utf-8")
    assert '            title="Fundbüro",\n' in source
    assert '            themenfeld="Recht & Ordnung",\n' in source


def test_every_generated_python_file_compiles_and_no_placeholder_is_left(project):
    for path in project.rglob("*"):
        if path.suffix == ".py":
            compile(path.read_text(encoding="utf-8"), str(path), "exec")
        if path.suffix in {".py", ".toml", ".md", ".html", ".po", ".cfg"}:
            assert "${" not in path.read_text(encoding="utf-8"), path


def test_model_is_tenant_scoped_with_the_plugin_prefix(project):
    source = (project / "rathaus_fundbuero" / "models.py").read_text(encoding="utf-8")
    assert "class FundbueroEntry(TenantScoped, Base):" in source
    assert '__tablename__ = "fundbuero_entry"' in source


def test_german_catalogue_is_complete_and_compiled(project):
    assert translation_problems(project / "rathaus_fundbuero") == []


def test_readme_keeps_literal_dollar_signs(project):
    assert "export RATHAUS_INSTANCE_PATH=$PWD/instance" in (project / "README.md").read_text(
        encoding="utf-8"
    )


def test_every_template_is_shipped_as_package_data():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["cli"]
    shipped = {
        path.relative_to(ROOT / "cli" / "scaffold")
        for pattern in globs
        for path in (ROOT / "cli").glob(pattern)
    }
    assert set(scaffolding.template_files()) <= shipped


# ---------------------------------------------------------------------------------
# What it refuses
# ---------------------------------------------------------------------------------


def test_new_refuses_to_overwrite_and_writes_nothing(runner, tmp_path):
    directory = tmp_path / "rathaus-fundbuero"
    (directory / "tests").mkdir(parents=True)
    (directory / "README.md").write_text("mine\n", encoding="utf-8")
    (directory / "tests" / "conftest.py").write_text("# mine\n", encoding="utf-8")
    result = new(runner, directory)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: directory: 2 of the files exist already in {directory}, nothing was written: "
        "README.md, tests/conftest.py\n"
    )
    assert files_in(directory) == ["README.md", "tests/conftest.py"]
    assert (directory / "README.md").read_text(encoding="utf-8") == "mine\n"


def test_new_writes_into_an_existing_empty_folder(runner, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    assert new(runner, folder).exit_code == 0
    assert files_in(folder) == EXPECTED_FILES


INVALID_NAME = (
    "Error: name: {name!r} is not a valid plugin name: use 2-40 lowercase letters, digits and "
    "single underscores, starting with a letter (it becomes the package rathaus_<name>, the "
    "service key, the URL segment and the table prefix)\n"
)


@pytest.mark.parametrize(
    "name",
    [
        "Fundbuero",
        "fund-buero",
        "1fund",
        "_fund",
        "fund_",
        "fund__buero",
        "f",
        "a" * 41,
        "class",
        "fundbüro",
    ],
)
def test_new_rejects_names_that_are_not_package_names(runner, tmp_path, name):
    result = new(runner, tmp_path / "p", name)
    assert (result.exit_code, result.stderr) == (2, INVALID_NAME.format(name=name))
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("name", ["api", "login", "static", "core", "cli", "rathaus"])
def test_new_rejects_reserved_names(runner, tmp_path, name):
    result = new(runner, tmp_path / "p", name)
    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: name: {name!r} is reserved for the platform's own pages or packages\n",
    )


@pytest.mark.parametrize("name", ["db", "serve", "mail", "routes", "openapi"])
def test_new_rejects_names_of_rathaus_commands(runner, tmp_path, name):
    result = new(runner, tmp_path / "p", name)
    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: name: {name!r} is a rathaus command already (rathaus {name})\n",
    )


def test_new_rejects_the_name_of_an_installed_plugin(runner, tmp_path):
    result = new(runner, tmp_path / "p", "billing")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: name: 'billing' is taken by an installed plugin or service\n",
    )


def test_new_rejects_a_name_sharing_a_plugins_table_prefix(runner, tmp_path):
    result = new(runner, tmp_path / "p", "billing_extra")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: name: 'billing_extra' clashes with the installed plugin 'billing': table names start "
        "with the plugin name and an underscore, so neither name may begin with the other's\n"
    )


class BikePlugin:
    @hookimpl
    def register_services(self):
        return [
            ServiceManifest(
                key="fahrrad", title="Fahrrad", description="", themenfeld="Mobilität & Reisen"
            )
        ]


@pytest.mark.parametrize(
    "rathaus_config", [{"PLUGINS": [*BUILT_IN, "bikes"], "PLUGIN_OBJECTS": {"bikes": BikePlugin()}}]
)
def test_new_rejects_the_key_of_a_service_in_the_catalogue(runner, tmp_path):
    result = new(runner, tmp_path / "p", "fahrrad")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: name: 'fahrrad' is taken by an installed plugin or service\n",
    )


def test_new_rejects_an_unknown_themenfeld(runner, tmp_path):
    result = new(runner, tmp_path / "p", "fundbuero", "--themenfeld", "Sport")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: themenfeld: 'Sport' is not an OZG Themenfeld (one of: Arbeit & Ruhestand; "
    )


@pytest.mark.parametrize(
    ("option", "value"), [("--title", 'Fund"büro'), ("--description", "zwei\nZeilen")]
)
def test_new_rejects_texts_that_would_need_escaping(runner, tmp_path, option, value):
    result = new(runner, tmp_path / "p", "fundbuero", option, value)
    field = option.removeprefix("--")
    assert (result.exit_code, result.stderr) == (
        2,
        f'Error: {field}: must be one line without " or \\\n',
    )
