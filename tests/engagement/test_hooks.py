"""The core hooks the engagement plugin implements, seen from the plugin's side."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import session
from core.models import Tenant
from core.services import catalogue, is_subscribed
from core.tenancy import cross_tenant
from plugins.engagement.models import ContactRequest, Opportunity, Organisation, VolunteerProfile


def test_hook_register_services(app):
    manifest = catalogue().get("engagement")

    assert (manifest.plugin, manifest.themenfeld, manifest.title) == (
        "engagement",
        "Engagement & Hobby",
        "Engagement vermitteln",
    )


def test_hook_register_blueprints(app):
    rules = {
        rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("engagement.")
    }

    assert "/<tenant>/engagement/" in rules
    assert "/<tenant>/engagement/offers/<int:offer_id>" in rules
    assert "/<tenant>/engagement/admin/review" in rules


def test_hook_register_api(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]

    assert "/api/v1/tenants/{tenant}/engagement/opportunities" in paths
    assert "/api/v1/tenants/{tenant}/engagement/open-data/opportunities.csv" in paths
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert all(name.startswith(("Engagement", "Core")) for name in schemas if "Engagement" in name)


def test_hook_register_commands(runner):
    result = runner.invoke("engagement", "--help")

    assert result.exit_code == 0
    for command in ("expire", "send-notifications", "stats", "search"):
        assert command in result.stdout


def test_hook_portal_links(client, coesfeld):
    page = client.get("/coesfeld/", headers={"Accept-Language": "de"}).get_data(as_text=True)

    assert '<a href="/coesfeld/engagement/">Ehrenamt</a>' in page


def test_hook_demo_data(app, runner):
    def counts():
        with cross_tenant("test counts demo rows"):
            return [
                session.scalar(select(func.count()).select_from(model))
                for model in (Organisation, Opportunity, VolunteerProfile, ContactRequest)
            ] + [
                # Engagement's own tenants: Kreis Coesfeld, its Gemeinden and Münster
                # (other plugins' demo data may add more).
                session.scalar(
                    select(func.count(Tenant.id)).where(
                        Tenant.ags.startswith("05558") | (Tenant.ags == "05515000")
                    )
                )
            ]

    first = runner.invoke("demo", "--no-upgrade")
    after_first = counts()
    runner.invoke("demo", "--no-upgrade")

    assert first.exit_code == 0
    assert after_first == [16, 19, 3, 2, 13]
    assert counts() == after_first
    kreis = session.scalar(select(Tenant).where(Tenant.ags == "05558"))
    assert is_subscribed(kreis, "engagement")


@pytest.mark.parametrize(
    "slug",
    [
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
    ],
)
def test_demo_data_covers_every_gemeinde_of_kreis_coesfeld(app, runner, client, slug):
    runner.invoke("demo", "--no-upgrade")

    response = client.get(f"/api/v1/tenants/{slug}/engagement/open-data/opportunities.json")

    assert response.status_code == 200
    assert len(response.json) >= 1
