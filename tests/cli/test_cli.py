"""The rathaus command line: core's commands, JSON output, clean user errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from core import accounts
from core.db import session
from core.models import ApiToken, AuditEntry, User
from core.tenancy import cross_tenant

RATHAUS = str(Path(sys.executable).with_name("rathaus"))


def test_help_lists_core_and_plugin_groups(tmp_path):
    result = subprocess.run(
        [RATHAUS, "--help"],
        capture_output=True,
        text=True,
        env={"RATHAUS_INSTANCE_PATH": str(tmp_path), "PATH": ""},
    )
    assert result.returncode == 0, result.stderr
    for name in ("db", "demo", "plugins", "serve", "services", "tokens", "users", "mail", "bench"):
        assert f"\n  {name} " in result.stdout


def test_plugins_list_json(runner):
    data = json.loads(runner.invoke("plugins", "list", "--json").output)
    assert [(p["name"], p["state"]) for p in data] == [
        ("billing", "loaded"),
        ("engagement", "loaded"),
        ("tenants", "loaded"),
    ]


def test_create_operator(runner):
    result = runner.invoke(
        "users",
        "create-operator",
        "ops@example.org",
        "--password",
        "a long enough secret",
        "--json",
    )
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert (data["email"], data["roles"]) == ("ops@example.org", ["operator"])
    assert accounts.find_user("ops@example.org", None) is not None


def test_user_error_exits_2_with_the_field_and_no_traceback(runner):
    runner.invoke(
        "users", "create-operator", "ops@example.org", "--password", "a long enough secret"
    )
    result = runner.invoke(
        "users", "create-operator", "ops@example.org", "--password", "a long enough secret"
    )
    assert result.exit_code == 2
    assert result.output == "Error: email: ops@example.org already has an account at the platform\n"


def test_short_password_is_a_user_error(runner):
    result = runner.invoke("users", "create-operator", "ops@example.org", "--password", "short")
    assert (result.exit_code, result.output) == (
        2,
        "Error: password: must have at least 12 characters\n",
    )


def test_tokens_create_list_revoke(runner, tenant):
    created = json.loads(
        runner.invoke(
            "tokens", "create", "--name", "Fachverfahren", "--tenant", "coesfeld", "--json"
        ).output
    )
    assert (created["scope"], created["tenant"], created["name"]) == (
        "tenant",
        "coesfeld",
        "Fachverfahren",
    )
    assert created["token"].startswith("rth_")
    listed = json.loads(runner.invoke("tokens", "list", "--json").output)
    assert [(t["id"], t["scope"], t["revoked"]) for t in listed] == [
        (created["id"], "tenant", False)
    ]
    assert "token" not in listed[0] and created["token"] not in json.dumps(listed)
    assert (
        runner.invoke("tokens", "revoke", str(created["id"])).output
        == f"Revoked token {created['id']}.\n"
    )
    assert json.loads(runner.invoke("tokens", "list", "--json").output)[0]["revoked"] is True
    with cross_tenant("test reads the audit log"):
        actions = sorted(session.scalars(select(AuditEntry.action)))
    assert actions == ["token.created", "token.revoked"]


def test_token_for_unknown_tenant(runner):
    result = runner.invoke("tokens", "create", "--name", "x", "--tenant", "atlantis")
    assert (result.exit_code, result.output) == (
        2,
        "Error: tenant: no tenant with slug 'atlantis'\n",
    )


def test_revoking_an_unknown_token(runner):
    result = runner.invoke("tokens", "revoke", "999")
    assert (result.exit_code, result.output) == (2, "Error: token: no API token with id 999\n")


def test_demo_twice_changes_nothing_the_second_time(runner, app):
    def counts():
        with cross_tenant("test counts rows"):
            return (
                session.scalar(select(func.count(User.id))),
                session.scalar(select(func.count(ApiToken.id))),
            )

    assert runner.invoke("demo").exit_code == 0
    first = counts()
    credentials = (Path(app.instance_path) / "demo-credentials.txt").read_text()
    assert runner.invoke("demo").exit_code == 0
    assert counts() == first
    assert (Path(app.instance_path) / "demo-credentials.txt").read_text() == credentials
    assert credentials.startswith("operator: operator@demo.rathaus.invalid / ")


def test_db_current_table(runner):
    lines = runner.invoke("db", "current").output.splitlines()
    assert lines[0].split() == ["component", "current", "head", "state"]
    assert lines[1].split() == ["core", "core_0004", "core_0004", "ok"]
