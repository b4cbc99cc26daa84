"""Grants through the API and on the pages of the recipient and the partners."""

from __future__ import annotations

import datetime as dt

import pytest

from core import accounts
from core.db import session
from core.models import Role
from core.testing import TEST_PASSWORD, bearer
from plugins.billing.grants import record_payout


def _token(tenant):
    _token_row, secret = accounts.create_token(f"{tenant.slug} admin", tenant)
    session.commit()
    return secret


@pytest.fixture
def paid(ozg_grant):
    record_payout("ozg-koordination", "hamm", 2021, paid_on=dt.date(2021, 6, 30))
    return ozg_grant


def test_operator_lists_grants_and_records_a_payout(app, client, operator_token, paid):
    response = client.get("/api/v1/billing/grants", headers=bearer(operator_token))
    assert response.status_code == 200
    assert [(g["key"], g["paid_out"], g["left"]) for g in response.json] == [
        ("gesundheitsamt-modernisierung", "0.00", "147000.00"),
        ("ozg-koordination", "41666.67", "458333.33"),
    ]
    response = client.post(
        "/api/v1/billing/grants/ozg-koordination/payouts",
        json={"partner": "muenster", "year": 2021, "paid_on": "2021-07-01", "amount": "1000.00"},
        headers=bearer(operator_token),
    )
    assert response.status_code == 201
    assert (response.json["number"], response.json["amount"]) == ("AO-OZG-2021-00002", "1000.00")
    report = client.get(
        "/api/v1/billing/grants/ozg-koordination", headers=bearer(operator_token)
    ).json
    assert (report["paid_out"], report["left"]) == ("42666.67", "457333.33")


def test_payout_over_the_plan_answers_422_with_a_code(app, client, operator_token, paid):
    response = client.post(
        "/api/v1/billing/grants/ozg-koordination/payouts",
        json={"partner": "hamm", "year": 2021, "paid_on": "2021-07-01"},
        headers=bearer(operator_token),
    )
    assert response.status_code == 422
    assert response.json["code"] == "grant.nothing_left"


def test_partner_sees_the_grant_it_takes_part_in(app, client, paid):
    hamm = paid["05915000"]
    response = client.get("/api/v1/tenants/hamm/billing/grants", headers=bearer(_token(hamm)))
    assert response.status_code == 200
    assert [g["key"] for g in response.json] == ["ozg-koordination"]


def test_recipient_sees_both_grants_and_others_see_none(app, client, paid, other_tenant):
    coesfeld = paid["05558"]
    response = client.get(
        "/api/v1/tenants/kreis-coesfeld/billing/grants", headers=bearer(_token(coesfeld))
    )
    assert [g["key"] for g in response.json] == [
        "gesundheitsamt-modernisierung",
        "ozg-koordination",
    ]
    token = _token(other_tenant)
    slug = other_tenant.slug
    assert client.get(f"/api/v1/tenants/{slug}/billing/grants", headers=bearer(token)).json == []
    missing = client.get(
        f"/api/v1/tenants/{slug}/billing/grants/ozg-koordination", headers=bearer(token)
    )
    assert missing.status_code == 404


def test_partner_page_shows_plan_payouts_and_carry_over_in_german(app, login, paid):
    hamm = paid["05915000"]
    user = accounts.create_user(
        "kaemmerei@hamm.example", "Kämmerin", TEST_PASSWORD, [Role.TENANT_ADMIN], hamm
    )
    session.commit()
    web = app.test_client()
    login(web, user)
    listing = web.get("/hamm/billing/grants/").get_data(as_text=True)
    assert "<h1>Zuwendungen</h1>" in listing
    assert "Land Nordrhein-Westfalen" in listing
    html = web.get("/hamm/billing/grants/ozg-koordination").get_data(as_text=True)
    for expected in (
        "OZG-Koordination Münsterland: zusätzliches Personal",
        "500.000,00\xa0€",
        "AO-OZG-2021-00001",
        "41.666,67\xa0€",
        "Je Jahr: geplant, ausgezahlt, ins Folgejahr übertragen",
        "Auszahlungsanordnungen",
    ):
        assert expected in html, expected
    assert web.get("/hamm/billing/grants/gesundheitsamt-modernisierung").status_code == 404


def test_issuing_landkreis_sees_the_invoices_it_issues(app, client, kkd):
    from tests.billing.conftest import finalize_all, run

    run("2023-10")
    finalize_all(dt.date(2023, 10, 5))
    landkreis = kkd["06534"]
    response = client.get(
        f"/api/v1/tenants/{landkreis.slug}/billing/issued-invoices",
        headers=bearer(_token(landkreis)),
    )
    assert response.status_code == 200
    assert [(i["number"], i["payer"]["key"], i["gross"]) for i in response.json] == [
        ("KKD-2023-00001", "kirchhain", "21695.55")
    ]


def test_member_sees_the_pool_calculation_and_others_do_not(app, client, kkd, other_tenant):
    kirchhain = kkd["06534011"]
    response = client.get(
        "/api/v1/tenants/kirchhain/billing/pools/kkd/allocation",
        headers=bearer(_token(kirchhain)),
    )
    assert response.status_code == 200
    # 8,869.25 + 12,826.30 + 4 x 15,555.30 (2024-2027)
    assert response.json["totals"]["kirchhain"] == "83916.75"
    outsider = client.get(
        f"/api/v1/tenants/{other_tenant.slug}/billing/pools/kkd/allocation",
        headers=bearer(_token(other_tenant)),
    )
    assert outsider.status_code == 404
