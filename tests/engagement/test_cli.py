"""``rathaus engagement ...`` commands."""

from __future__ import annotations

import datetime as dt
import json

from core.db import session
from core.testing import bearer
from tests.engagement.conftest import change

TODAY = dt.date.today()


def test_expire_reports_what_it_did_as_json(runner, coesfeld, make_organisation, make_offer):
    offer = make_offer(make_organisation(coesfeld))
    change(offer, expires_on=TODAY - dt.timedelta(days=1))

    result = runner.invoke("engagement", "expire", "--json")

    assert (result.exit_code, json.loads(result.stdout)) == (0, {"expired": 1, "reminded": 0})


def test_expire_can_run_as_of_another_day(runner, coesfeld, make_organisation, make_offer):
    offer = make_offer(make_organisation(coesfeld))
    later = offer.expires_on + dt.timedelta(days=1)

    result = runner.invoke("engagement", "expire", "--today", later.isoformat())

    assert result.stdout == "expired 1, reminded 0\n"


def test_stats_of_an_unknown_tenant_is_a_clean_error(runner, coesfeld):
    result = runner.invoke("engagement", "stats", "--tenant", "atlantis")

    assert result.exit_code == 2
    assert "Error: tenant: no tenant with slug 'atlantis'" in result.stderr


def test_stats_as_json(runner, coesfeld, make_organisation, make_offer):
    make_offer(make_organisation(coesfeld))
    session.commit()

    data = json.loads(runner.invoke("engagement", "stats", "--tenant", "coesfeld", "--json").stdout)

    assert (data["organisations"], data["offers"]["published"], data["requests_total"]) == (1, 1, 0)


def test_stats_as_json_are_the_figures_the_api_answers(
    runner, client, coesfeld, make_organisation, make_offer, tenant_token
):
    """One description of the figures: the API's schema dump equals the CLI's JSON."""
    make_offer(make_organisation(coesfeld))
    session.commit()

    printed = json.loads(
        runner.invoke("engagement", "stats", "--tenant", "coesfeld", "--json").stdout
    )
    answered = client.get(
        "/api/v1/tenants/coesfeld/engagement/statistics", headers=bearer(tenant_token)
    )

    assert printed == answered.json


def test_search_prints_ranked_offers_with_reasons(runner, coesfeld, make_organisation, make_offer):
    offer = make_offer(make_organisation(coesfeld))

    rows = json.loads(
        runner.invoke(
            "engagement", "search", "--tenant", "coesfeld", "--plz", "48653", "--json"
        ).stdout
    )

    assert rows == [
        {
            "id": offer.id,
            "title": "Lebensmittel sortieren",
            "tenant": "coesfeld",
            "distance_km": 0.0,
            "score": 100,
            "reasons": ["0,0 km von Coesfeld entfernt", "Angebot aus Ihrer Kommune"],
        }
    ]


def test_search_names_every_wrong_option_one_per_line(runner, coesfeld):
    result = runner.invoke(
        "engagement", "search", "--tenant", "coesfeld", "--plz", "99999", "--radius", "500"
    )

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: radius_km: must be between 1 and 200 km",
        "Error: plz: '99999' is not a known German postcode or place",
    ]
