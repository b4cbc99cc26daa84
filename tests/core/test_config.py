"""Settings: defaults, instance file, RATHAUS_* variables, explicit mapping."""

from __future__ import annotations

import stat

import pytest

from core import create_app
from core.config import DEFAULTS, parse_env_value
from core.errors import ValidationError


@pytest.fixture
def clean_env(monkeypatch):
    for key in [k for k in __import__("os").environ if k.startswith("RATHAUS_")]:
        monkeypatch.delenv(key)
    return monkeypatch


def build(tmp_path, **config):
    return create_app({"INSTANCE_PATH": str(tmp_path), "PLUGINS": [], **config})


def test_without_any_configuration_it_runs_on_sqlite_in_the_instance_folder(tmp_path, clean_env):
    app = build(tmp_path)
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'rathaus.sqlite3'}"
    assert app.instance_path == str(tmp_path)


def test_secret_key_is_generated_once_kept_private_and_reused(tmp_path, clean_env):
    first = build(tmp_path).config["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert build(tmp_path).config["SECRET_KEY"] == first


def test_instance_file_overrides_defaults(tmp_path, clean_env):
    (tmp_path / "rathaus.toml").write_text(
        'base_url = "https://rathaus.example.de"\nMAIL_PORT = 2525\n'
    )
    app = build(tmp_path)
    assert (app.config["BASE_URL"], app.config["MAIL_PORT"]) == ("https://rathaus.example.de", 2525)


def test_environment_overrides_instance_file(tmp_path, clean_env):
    (tmp_path / "rathaus.toml").write_text("MAIL_PORT = 2525\n")
    clean_env.setenv("RATHAUS_MAIL_PORT", "587")
    clean_env.setenv("RATHAUS_MAIL_USE_TLS", "yes")
    clean_env.setenv("RATHAUS_PLUGINS", "tenants, billing")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert (app.config["MAIL_PORT"], app.config["MAIL_USE_TLS"]) == (587, True)
    assert app.extensions["rathaus.plugins"].loaded() == ["tenants", "billing"]


def test_explicit_config_overrides_environment(tmp_path, clean_env):
    clean_env.setenv("RATHAUS_BASE_URL", "https://env.example.de")
    assert (
        build(tmp_path, BASE_URL="https://explicit.example.de").config["BASE_URL"]
        == "https://explicit.example.de"
    )


def test_instance_path_from_environment(tmp_path, clean_env):
    clean_env.setenv("RATHAUS_INSTANCE_PATH", str(tmp_path / "elsewhere"))
    app = create_app({"PLUGINS": []})
    assert app.instance_path == str(tmp_path / "elsewhere")


def test_unknown_rathaus_variables_become_settings_too(tmp_path, clean_env):
    clean_env.setenv("RATHAUS_BILLING_ISSUER", "kommunal-it")
    assert build(tmp_path).config["BILLING_ISSUER"] == "kommunal-it"


def test_bad_boolean_names_the_variable():
    with pytest.raises(ValidationError) as err:
        parse_env_value("MAIL_USE_TLS", "maybe")
    assert (
        str(err.value) == "RATHAUS_MAIL_USE_TLS: expected a boolean (1/0, true/false), got 'maybe'"
    )


def test_bad_number_names_the_variable():
    with pytest.raises(ValidationError) as err:
        parse_env_value("MAIL_PORT", "twenty-five")
    assert str(err.value) == "RATHAUS_MAIL_PORT: expected a whole number, got 'twenty-five'"


def test_broken_instance_file_names_the_file(tmp_path, clean_env):
    (tmp_path / "rathaus.toml").write_text("MAIL_PORT = \n")
    with pytest.raises(ValidationError, match="rathaus.toml: is not valid TOML"):
        build(tmp_path)


def test_every_default_is_documented_in_the_readme():
    readme = (__import__("pathlib").Path(__file__).parents[2] / "README.md").read_text(
        encoding="utf-8"
    )
    missing = [key for key in DEFAULTS if f"RATHAUS_{key}" not in readme]
    assert missing == []
