"""One tenant per Kommune: kreisfreie Städte and Stadtstaaten, onboarded alone or
imported, and the doctor that repairs installations with duplicates."""

from __future__ import annotations

import json

from flask_babel import force_locale
from sqlalchemy import select

from core.db import session
from core.models import AuditEntry, Tenant, TenantAlias, TenantKind, User
from core.tenancy import cross_tenant
from tests.tenants.conftest import EXTRACT, invoke_json


def registry() -> dict[str, tuple[str, str, str | None]]:
    """slug -> (AGS, kind, parent slug) of every tenant."""
    session.expire_all()
    rows = session.scalars(select(Tenant)).all()
    return {t.slug: (t.ags, t.kind.value, t.parent.slug if t.parent else None) for t in rows}


def aliases() -> dict[str, str]:
    """alias AGS -> slug of the tenant it names."""
    rows = session.execute(
        select(TenantAlias.ags, Tenant.slug).join(Tenant, Tenant.id == TenantAlias.alias_of_id)
    )
    return dict(rows.all())


def test_a_kreisfreie_stadt_onboarded_by_its_kreis_key_is_one_tenant_under_the_land(runner):
    invoke_json(runner, "tenants", "onboard", "--ags", "05")

    data = invoke_json(runner, "tenants", "onboard", "--ags", "05515")

    assert (data["ags"], data["kind"], data["parent"], data["slug"]) == (
        "05515000",
        "kreisfreie_stadt",
        "nordrhein-westfalen",
        "muenster",
    )
    assert aliases() == {"05515": "muenster"}


def test_the_gemeinde_key_of_a_registered_kreisfreie_stadt_is_taken(runner):
    invoke_json(runner, "tenants", "onboard", "--ags", "05515000")

    result = runner.invoke("tenants", "onboard", "--ags", "05515")

    assert (result.exit_code, result.stderr) == (
        2,
        "Error: ags: AGS 05515000 (Münster, Stadt) is already a tenant\n",
    )


def test_a_stadtstaat_is_one_tenant_whichever_key_onboards_it(runner):
    data = invoke_json(runner, "tenants", "onboard", "--ags", "11")

    assert (data["ags"], data["kind"], data["parent"], data["display_name"]) == (
        "11000000",
        "stadtstaat",
        None,
        "Stadt Berlin",
    )
    assert aliases() == {"11": "berlin", "11000": "berlin"}
    assert runner.invoke("tenants", "onboard", "--ags", "11000").exit_code == 2


def test_show_finds_a_kreisfreie_stadt_by_its_alias(runner):
    invoke_json(runner, "tenants", "onboard", "--ags", "05515000")

    data = invoke_json(runner, "tenants", "show", "05515")

    assert (data["slug"], data["aliases"], data["kind_label"]) == (
        "muenster",
        ["05515"],
        "Kreisfreie Stadt",
    )


def test_the_import_makes_one_tenant_per_kommune_with_the_same_parent(runner):
    data = invoke_json(runner, "tenants", "import", str(EXTRACT))

    assert (data["created"], data["ignored"]) == (17, 16)
    found = registry()
    assert found["muenster"] == ("05515000", "kreisfreie_stadt", "nordrhein-westfalen")
    assert "kreis-muenster" not in found
    assert aliases() == {"05515": "muenster"}


def test_onboarding_alone_and_importing_give_the_same_parent(runner):
    invoke_json(runner, "tenants", "onboard", "--ags", "05515")
    invoke_json(runner, "tenants", "import", str(EXTRACT))

    assert registry()["muenster"] == ("05515000", "kreisfreie_stadt", "nordrhein-westfalen")
    assert len(registry()) == 17


def test_the_kind_carries_its_label_in_the_page_language(app):
    with app.test_request_context(), force_locale("de"):
        german = [kind.label for kind in TenantKind]
    with app.test_request_context(), force_locale("en"):
        english = [kind.label for kind in TenantKind]

    assert german == ["Land", "Kreis", "Gemeinde", "Kreisfreie Stadt", "Stadtstaat"]
    assert english == ["Land", "District", "Municipality", "Independent city", "City state"]


# ---------------------------------------------------------------------------------
# The doctor
# ---------------------------------------------------------------------------------


def old_duplicates(make_tenant):
    """What the old import left: kreis-muenster (05515) above muenster (05515000)."""
    land = make_tenant("nordrhein-westfalen", "05", "Nordrhein-Westfalen")
    kreis = make_tenant("kreis-muenster", "05515", "Münster, Stadt", parent=land)
    stadt = make_tenant("muenster", "05515000", "Münster, Stadt", parent=kreis)
    return land, kreis, stadt


def add_user(tenant, email):
    with cross_tenant("test data"):
        session.add(User(tenant_id=tenant.id, email=email, display_name="Test"))
        session.commit()


def test_doctor_reports_duplicates_and_changes_nothing(runner, make_tenant):
    old_duplicates(make_tenant)

    result = runner.invoke("tenants", "doctor")

    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [
            "05515000 duplicate: muenster, kreis-muenster: 2 tenants for Münster, Stadt",
            "05515000 kind: muenster: kind gemeinde should be kreisfreie_stadt",
            "05515000 aliases: muenster: aliases ['05515'] not recorded",
            "05515000 parent: muenster: parent kreis-muenster should be nordrhein-westfalen",
        ],
    )
    assert len(registry()) == 3


def test_doctor_merge_moves_rows_keeps_the_audit_and_relinks(runner, make_tenant):
    _land, kreis, stadt = old_duplicates(make_tenant)
    add_user(kreis, "kaemmerei@muenster.invalid")
    add_user(stadt, "buergerbuero@muenster.invalid")
    with cross_tenant("test data"):
        session.add(
            AuditEntry(tenant_id=kreis.id, actor="t", action="tenant.activated", target="x")
        )
        session.commit()

    result = runner.invoke("tenants", "doctor", "--merge", "--json")

    assert result.exit_code == 0, result.output
    assert [(f["problem"], f["fixed"]) for f in json.loads(result.stdout)] == [
        ("duplicate", True),
        ("kind", True),
        ("aliases", True),
        ("parent", True),
    ]
    assert registry() == {
        "nordrhein-westfalen": ("05", "land", None),
        "muenster": ("05515000", "kreisfreie_stadt", "nordrhein-westfalen"),
    }
    assert aliases() == {"05515": "muenster"}
    with cross_tenant("test check"):
        users = session.scalars(select(User.email).where(User.tenant_id == stadt.id)).all()
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.tenant_id == stadt.id)
            .order_by(AuditEntry.id)
        ).all()
        merged = session.scalar(select(AuditEntry).where(AuditEntry.action == "tenant.merged"))
    assert sorted(users) == ["buergerbuero@muenster.invalid", "kaemmerei@muenster.invalid"]
    assert actions == ["tenant.activated", "tenant.merged"]
    assert (merged.details["merged"], merged.details["moved"]) == (
        "kreis-muenster",
        {"core_audit_entry.tenant_id": 1, "core_tenant.parent_id": 1, "core_user.tenant_id": 1},
    )
    assert runner.invoke("tenants", "doctor").stdout == (
        "One tenant per Kommune: nothing to repair.\n"
    )


def test_doctor_rekeys_a_kreisfreie_stadt_registered_only_by_its_kreis_key(runner, make_tenant):
    make_tenant("kreis-hamm", "05915", "Hamm, Stadt")

    assert runner.invoke("tenants", "doctor", "--merge").exit_code == 0

    assert registry() == {"kreis-hamm": ("05915000", "kreisfreie_stadt", None)}
    assert aliases() == {"05915": "kreis-hamm"}


def test_doctor_merges_the_three_tenants_of_a_stadtstaat(runner, make_tenant):
    land = make_tenant("hamburg", "02", "Hamburg")
    kreis = make_tenant("kreis-hamburg", "02000", "Hamburg", parent=land)
    make_tenant("hamburg-02000000", "02000000", "Hamburg, Freie und Hansestadt", parent=kreis)

    assert runner.invoke("tenants", "doctor", "--merge").exit_code == 0

    assert registry() == {"hamburg-02000000": ("02000000", "stadtstaat", None)}
    assert aliases() == {"02": "hamburg-02000000", "02000": "hamburg-02000000"}


def test_doctor_leaves_duplicates_whose_rows_collide(runner, make_tenant):
    _land, kreis, stadt = old_duplicates(make_tenant)
    add_user(kreis, "info@muenster.invalid")
    add_user(stadt, "info@muenster.invalid")

    result = runner.invoke("tenants", "doctor", "--merge")

    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "05515000 duplicate: muenster, kreis-muenster: 2 tenants for Münster, Stadt (not "
        "merged: kreis-muenster and muenster both have rows in core_user(tenant_id, email))"
    )
    assert set(registry()) == {"nordrhein-westfalen", "kreis-muenster", "muenster"}
