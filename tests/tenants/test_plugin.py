"""The plugin's setup hooks and its migration."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from core.db import Base, get_db
from core.migrate import include_object_for


def test_hook_register_commands_adds_the_tenants_group(runner):
    result = runner.invoke("tenants", "--help")

    commands = {
        line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()
    }
    assert commands == {
        "activate",
        "audit",
        "doctor",
        "import",
        "invite-admin",
        "list",
        "offboard",
        "onboard",
        "resume",
        "services",
        "show",
        "subscribe",
        "suspend",
        "unsubscribe",
        "update",
    }


def test_hook_register_blueprints_serves_the_admin_and_invitation_pages(app):
    rules = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("tenants_")}

    assert {
        "/<tenant>/admin/",
        "/<tenant>/admin/settings",
        "/<tenant>/admin/services",
        "/<tenant>/admin/audit",
        "/<tenant>/admin/municipalities",
        "/<tenant>/admin/municipalities/<managed>/settings",
        "/admin/invitation/<secret>",
    } <= rules


def test_the_migration_matches_the_models(app):
    with get_db().engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_object": include_object_for("tenants_"), "compare_type": True},
        )
        assert compare_metadata(context, Base.metadata) == []
