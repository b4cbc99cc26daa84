"""Row-level security: the database itself keeps tenants apart on PostgreSQL.

The suite runs its sessions as the plain role ``rathaus_test_app`` there
(``DATABASE_ROLE``), which the policies bind; on SQLite there is no such wall and
raw SQL sees every row (the ORM's scoping is the only one).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from core.db import get_db, session
from core.tenancy import cross_tenant, platform_context, tenant_context

#: Every table a tenant owns, under row-level security on PostgreSQL.
TABLES_UNDER_RLS = [
    "billing_contract",
    "billing_invoice",
    "billing_invoice_line",
    "billing_termination_right",
    "core_api_token",
    "core_audit_entry",
    "core_outbox_message",
    "core_subscription",
    "core_user",
    "core_user_role",
    "engagement_contact_request",
    "engagement_invitation",
    "engagement_membership",
    "engagement_message",
    "engagement_opportunity",
    "engagement_organisation",
    "engagement_report",
    "engagement_review_decision",
    "engagement_volunteer_profile",
    "fts_engagement_opportunity",
    "tenants_invitation",
]


def on_postgres() -> bool:
    return get_db().dialect == "postgresql"


def raw_subscription_tenants() -> list[int]:
    rows = session.execute(text("SELECT tenant_id FROM core_subscription ORDER BY tenant_id"))
    return [row.tenant_id for row in rows]


@pytest.fixture
def two_tenants(tenant, other_tenant, subscribe):
    subscribe(tenant, "engagement")
    subscribe(other_tenant, "engagement")
    return tenant, other_tenant


def test_raw_sql_in_a_tenant_context_sees_only_that_tenants_rows(two_tenants):
    coesfeld, duelmen = two_tenants

    with tenant_context(coesfeld):
        seen = raw_subscription_tenants()
    session.rollback()

    expected = [coesfeld.id] if on_postgres() else [coesfeld.id, duelmen.id]
    assert seen == expected


def test_the_scope_follows_the_code_within_one_transaction(two_tenants):
    coesfeld, duelmen = two_tenants

    with tenant_context(duelmen):
        first = raw_subscription_tenants()
    with cross_tenant("test compares every tenant's rows"):
        everyone = raw_subscription_tenants()
    with platform_context():
        platform = raw_subscription_tenants()
    session.rollback()

    everybody = [coesfeld.id, duelmen.id]
    if on_postgres():
        assert (first, everyone, platform) == ([duelmen.id], everybody, [])
    else:
        assert (first, everyone, platform) == (everybody, everybody, everybody)


def test_raw_sql_cannot_write_into_another_tenant(two_tenants):
    coesfeld, duelmen = two_tenants
    insert = text(
        "INSERT INTO core_subscription (tenant_id, service_key, starts_on, settings, created_at) "
        "VALUES (:tenant, 'engagement', '2026-01-01', '{}', '2026-01-01')"
    )

    with tenant_context(coesfeld):
        if on_postgres():
            with pytest.raises(ProgrammingError, match="row-level security policy"):
                session.execute(insert, {"tenant": duelmen.id})
        else:
            session.execute(insert, {"tenant": duelmen.id})
    session.rollback()


def test_platform_rows_are_seen_only_in_the_platform_scope(tenant, operator, citizen):
    citizen_email = citizen.email

    def emails():
        return session.scalars(text("SELECT email FROM core_user ORDER BY email")).all()

    with platform_context():
        platform = emails()
    with tenant_context(tenant):
        own = emails()
    session.rollback()

    if on_postgres():
        assert (platform, own) == (["operator@example.org"], [citizen_email])
    else:
        assert platform == own == sorted(["operator@example.org", citizen_email])


def test_sessions_run_as_a_role_the_policies_bind(app):
    if not on_postgres():
        assert app.config["DATABASE_ROLE"] is None
        return
    row = session.execute(
        text(
            "SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles "
            "WHERE rolname = current_user"
        )
    ).one()
    session.rollback()

    assert (row.name, row.rolsuper, row.rolbypassrls) == ("rathaus_test_app", False, False)


def test_db_rls_lists_every_tenant_table_enabled_and_forced(runner):
    result = runner.invoke("db", "rls", "--json")

    if not on_postgres():
        assert (result.exit_code, result.output) == (
            1,
            "Error: row-level security needs PostgreSQL; this is SQLite\n",
        )
        return
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["table"] for r in rows] == TABLES_UNDER_RLS
    assert all(r["enabled"] and r["forced"] for r in rows)
    assert {p for r in rows for p in r["policies"]} == {"rathaus_tenant_isolation"}
