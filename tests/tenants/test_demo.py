"""Demo data: Kreis Coesfeld and its eleven Gemeinden, active, with invoicing data; idempotent."""

from __future__ import annotations

from sqlalchemy import select
from stdnum.de import leitweg

from core.db import session
from core.lifecycle import register_tenant
from core.models import Tenant, TenantStatus

COESFELD = {
    "kreis-coesfeld",
    "ascheberg",
    "billerbeck",
    "coesfeld",
    "duelmen",
    "havixbeck",
    "luedinghausen",
    "nordkirchen",
    "nottuln",
    "olfen",
    "rosendahl",
    "senden",
}


def snapshot() -> dict[str, dict]:
    session.expire_all()
    return {
        t.slug: {c.key: getattr(t, c.key) for c in Tenant.__table__.columns}
        for t in session.scalars(select(Tenant))
    }


def test_hook_demo_data_onboards_kreis_coesfeld_and_its_gemeinden(runner):
    result = runner.invoke("demo", "--no-upgrade")

    assert result.exit_code == 0, result.output
    # Other plugins' demo data (billing's seed models) bring more tenants along.
    tenants = {t.slug: t for t in session.scalars(select(Tenant).where(Tenant.slug.in_(COESFELD)))}
    assert set(tenants) == COESFELD
    assert {t.status for t in tenants.values()} == {TenantStatus.ACTIVE}
    assert {t.parent.slug for slug, t in tenants.items() if slug != "kreis-coesfeld"} == {
        "kreis-coesfeld"
    }


def test_demo_tenants_have_valid_invoicing_data(runner):
    runner.invoke("demo", "--no-upgrade")

    for tenant in session.scalars(select(Tenant).where(Tenant.slug.in_(COESFELD))):
        assert leitweg.is_valid(tenant.leitweg_id), tenant.slug
        assert tenant.leitweg_id.startswith(tenant.ags.ljust(8, "0") + "-")
        assert all(
            (
                tenant.invoice_recipient,
                tenant.address_street,
                tenant.address_city,
                tenant.invoice_email,
            )
        )
        assert len(tenant.address_postcode) == 5


def test_demo_shows_delegated_administration(runner):
    runner.invoke("demo", "--no-upgrade")

    delegating = session.scalars(select(Tenant.slug).where(Tenant.parent_may_administer.is_(True)))
    assert sorted(delegating) == ["havixbeck", "nordkirchen", "rosendahl"]


def test_a_second_demo_run_changes_nothing(runner):
    runner.invoke("demo", "--no-upgrade")
    first = snapshot()

    runner.invoke("demo", "--no-upgrade")

    assert snapshot() == first


def test_demo_completes_tenants_another_plugin_created(runner):
    register_tenant("05558012", status=TenantStatus.REQUESTED)
    session.commit()

    runner.invoke("demo", "--no-upgrade")

    coesfeld = session.scalar(select(Tenant).where(Tenant.slug == "coesfeld"))
    assert (coesfeld.status, coesfeld.leitweg_id, coesfeld.parent.slug) == (
        TenantStatus.ACTIVE,
        "05558012-71",
        "kreis-coesfeld",
    )
