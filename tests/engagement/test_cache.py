"""The search result cache: hits for repeated searches, emptied when offers change."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from core.db import session
from core.tenancy import tenant_context
from plugins.engagement import cache
from plugins.engagement.models import Opportunity, SearchVersion
from tests.engagement.conftest import change

BASE = "/api/v1/tenants/coesfeld/engagement"
SEARCH = f"{BASE}/opportunities?plz=48653&radius_km=25"


@pytest.fixture
def tafel(coesfeld, make_organisation):
    return make_organisation(coesfeld, "Tafel Coesfeld e. V.")


def titles(client, path=SEARCH):
    response = client.get(path)
    assert response.status_code == 200
    return [item["opportunity"]["title"] for item in response.json["items"]]


def counts():
    return cache.stats()["hits"], cache.stats()["misses"]


def test_the_same_normalised_search_is_answered_from_the_cache(client, tafel, make_offer):
    make_offer(tafel, title="Lebensmittel sortieren", fields=["social"])
    titles(client, f"{SEARCH}&fields=social,seniors&q=Lebensmittel")
    before = counts()

    again = titles(client, f"{SEARCH}&fields=seniors,social&q=%20Lebensmittel%20")

    assert (again, counts()) == (["Lebensmittel sortieren"], (before[0] + 1, before[1]))


def test_an_offer_changed_through_the_orm_is_searched_afresh(client, tafel, make_offer):
    offer = make_offer(tafel, title="Lebensmittel sortieren")
    assert titles(client) == ["Lebensmittel sortieren"]

    change(offer, title="Spenden abholen")

    assert titles(client) == ["Spenden abholen"]


def test_a_write_outside_the_orm_raises_the_version_the_cache_compares(
    app, client, tafel, make_offer
):
    offer = make_offer(tafel, title="Lebensmittel sortieren")
    assert titles(client) == ["Lebensmittel sortieren"]
    version = session.scalar(select(SearchVersion.version))
    cache.result_cache().check_seconds = 0  # as another process would see it after 1 s
    with tenant_context(offer.tenant_id):
        session.execute(
            update(Opportunity.__table__)
            .where(Opportunity.__table__.c.id == offer.id)
            .values(title="Spenden abholen")
        )
        session.commit()

    assert session.scalar(select(SearchVersion.version)) > version
    assert titles(client) == ["Spenden abholen"]


def test_the_cache_keeps_only_the_configured_number_of_answers(app):
    small = cache.ResultCache(size=2, check_seconds=3600)
    small._checked = float("inf")  # no counter to read here
    for key in ("a", "b", "c"):
        small.get(key, lambda key=key: key.upper())

    assert (small.get("a", lambda: "new"), small.get("c", lambda: "new")) == ("new", "C")
    assert (small.hits, small.misses) == (1, 4)


def test_a_repeated_search_sends_the_answer_encoded_once_per_language(client, tafel, make_offer):
    make_offer(tafel, title="Lebensmittel sortieren", fields=["social"])
    path = f"{SEARCH}&fields=social"
    english = {"Accept-Language": "en"}
    german_first, english_first = client.get(path).data, client.get(path, headers=english).data
    before = counts()

    german_again, english_again = client.get(path).data, client.get(path, headers=english).data

    assert (german_again, english_again) == (german_first, english_first)
    assert counts() == (before[0] + 2, before[1])
    reasons = [
        [reason["text"] for reason in item["reasons"]]
        for answer in (german_first, english_first)
        for item in json.loads(answer)["items"]
    ]
    assert reasons == [
        [
            "0,0 km von Coesfeld entfernt",
            "Passt zu Ihren Interessen: Soziales und Nachbarschaft",
            "Angebot aus Ihrer Kommune",
        ],
        [
            "0.0 km from Coesfeld",
            "Matches your interests: Social work and neighbourhood",
            "Offered in your municipality",
        ],
    ]


def test_search_arguments_parse_alike_the_first_time_and_from_memory(client, tafel, make_offer):
    make_offer(tafel, title="Lebensmittel sortieren", fields=["social"])
    path = f"{SEARCH}&fields=social&limit=5"
    first, again = client.get(path), client.get(path)
    bad = [client.get(f"{BASE}/opportunities?plz=48653&radius_km=500") for _ in range(2)]

    assert (first.status_code, again.status_code, first.data == again.data) == (200, 200, True)
    assert [(r.status_code, r.json["errors"]["query"]) for r in bad] == [
        (422, {"radius_km": ["Must be greater than or equal to 1 and less than or equal to 200."]})
    ] * 2
