"""The billing API: operator resources, a tenant's own resources, isolation."""

from __future__ import annotations

import pytest

from core import accounts
from core.db import session
from core.testing import bearer
from tests.billing.conftest import EXAMPLES, finalize_all, run


@pytest.fixture
def billed(app, connected_2023, connected_2024):
    from plugins.billing.invoices import list_invoices

    run("2024-03")
    finalize_all()
    return {invoice.payer_tenant.slug: invoice.number for invoice in list_invoices()}


@pytest.fixture
def duelmen_token(duelmen):
    _token, secret = accounts.create_token("duelmen admin", duelmen)
    session.commit()
    return secret


def test_operator_applies_configuration_through_the_api(app, client, operator_token):
    import tomllib

    data = tomllib.loads((EXAMPLES / "engagementdirekt.toml").read_text(encoding="utf-8"))
    payload = __import__("json").loads(
        __import__("core.output", fromlist=["to_json"]).to_json(data)
    )
    response = client.post("/api/v1/billing/config", json=payload, headers=bearer(operator_token))
    assert response.status_code == 200
    assert response.json["changed"]["tariffs"] == ["engagementdirekt"]


def test_invalid_configuration_through_the_api_is_a_problem_with_paths(app, client, operator_token):
    response = client.post(
        "/api/v1/billing/config", json={"tariffs": [{"key": "x"}]}, headers=bearer(operator_token)
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"]["json"]["tariffs[0].service"] == [
        "Missing data for required field."
    ]


def test_operator_runs_and_finalizes_through_the_api(app, client, operator_token, connected_2024):
    ran = client.post(
        "/api/v1/billing/runs", json={"period": "2024-03"}, headers=bearer(operator_token)
    )
    assert (ran.status_code, ran.json["lines_created"]) == (201, 2)
    again = client.post(
        "/api/v1/billing/runs", json={"period": "2024-03"}, headers=bearer(operator_token)
    )
    assert again.json["lines_created"] == 0
    done = client.post(
        "/api/v1/billing/finalize",
        json={"all": True, "issue_date": "2024-04-02"},
        headers=bearer(operator_token),
    )
    assert done.json == {"finalized": ["KIT-2024-00001"], "skipped": []}


def test_operator_lists_and_cancels_through_the_api(app, client, operator_token, billed):
    listed = client.get("/api/v1/billing/invoices?payer=duelmen", headers=bearer(operator_token))
    assert [i["gross"] for i in listed.json] == ["5939.64"]
    cancelled = client.post(
        "/api/v1/billing/invoices/KIT-2024-00002/cancel",
        json={"reason": "Falsches Datum"},
        headers=bearer(operator_token),
    )
    assert (cancelled.status_code, cancelled.json["type_code"]) == (201, "381")
    assert cancelled.json["preceding_invoice"] == {
        "number": "KIT-2024-00002",
        "issue_date": "2024-04-02",
    }


def test_operator_downloads_xrechnung_through_the_api(app, client, operator_token, billed):
    response = client.get(
        "/api/v1/billing/invoices/KIT-2024-00002/xrechnung", headers=bearer(operator_token)
    )
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert b"<ram:ID>KIT-2024-00002</ram:ID>" in response.data


def test_operator_report_and_rights_through_the_api(app, client, operator_token, billed):
    report = client.get("/api/v1/billing/report?year=2024", headers=bearer(operator_token))
    assert report.json["total"]["net"] == "5741.29"
    rights = client.get("/api/v1/billing/termination-rights", headers=bearer(operator_token))
    assert [(r["tenant"], r["opens_on"]) for r in rights.json] == [("coesfeld", "2024-01-01")]


def test_operator_terminates_through_the_api(app, client, operator_token, billed):
    import datetime as dt

    from plugins.billing.invoices import cancel

    request = {
        "json": {"last_day": "2024-02-15", "special": True, "notice_on": "2024-02-01"},
        "headers": bearer(operator_token),
    }
    url = "/api/v1/billing/tenants/coesfeld/engagement/terminate"
    # The final invoice already charges March: the end over it is refused (issue 12 §4).
    refused = client.post(url, **request)
    assert (refused.status_code, refused.json["code"]) == (
        422,
        "contract.end_over_final_invoices",
    )
    cancel(billed["coesfeld"], "Sonderkündigung zum 15.02.2024", today=dt.date(2024, 2, 20))
    response = client.post(url, **request)
    assert response.status_code == 200, response.json
    assert (response.json["ends_on"], response.json["end_reason"]) == ("2024-02-15", "special")


def test_tenant_token_cannot_use_operator_resources(app, client, tenant_token, billed):
    for method, url in (
        ("get", "/api/v1/billing/invoices"),
        ("post", "/api/v1/billing/runs"),
        ("post", "/api/v1/billing/config"),
        ("get", "/api/v1/billing/invoices/KIT-2024-00002/xrechnung"),
        ("get", "/api/v1/billing/contracts"),
    ):
        response = getattr(client, method)(
            url, json={"period": "2024-03"}, headers=bearer(tenant_token)
        )
        assert response.status_code == 403, url


def test_anonymous_caller_gets_401(app, client, billed):
    assert client.get("/api/v1/billing/invoices").status_code == 401
    assert client.get("/api/v1/tenants/coesfeld/billing/invoices").status_code == 401


def test_tenant_reads_its_own_invoices_and_contracts(app, client, tenant_token, billed):
    invoices = client.get("/api/v1/tenants/coesfeld/billing/invoices", headers=bearer(tenant_token))
    assert [i["number"] for i in invoices.json] == ["KIT-2024-00001"]
    contracts = client.get(
        "/api/v1/tenants/coesfeld/billing/contracts", headers=bearer(tenant_token)
    )
    assert [c["service"] for c in contracts.json] == ["engagement"]
    xml = client.get(
        "/api/v1/tenants/coesfeld/billing/invoices/KIT-2024-00001/xrechnung",
        headers=bearer(tenant_token),
    )
    assert xml.status_code == 200


def test_tenant_cannot_read_another_tenants_invoices(app, client, tenant_token, billed):
    assert (
        client.get(
            "/api/v1/tenants/duelmen/billing/invoices", headers=bearer(tenant_token)
        ).status_code
        == 403
    )
    assert (
        client.get(
            "/api/v1/tenants/duelmen/billing/contracts", headers=bearer(tenant_token)
        ).status_code
        == 403
    )
    own_url_other_number = "/api/v1/tenants/coesfeld/billing/invoices/KIT-2024-00002"
    assert client.get(own_url_other_number, headers=bearer(tenant_token)).status_code == 404
    assert (
        client.get(own_url_other_number + "/xrechnung", headers=bearer(tenant_token)).status_code
        == 404
    )


def test_other_tenant_token_sees_only_its_own(app, client, duelmen_token, billed):
    invoices = client.get("/api/v1/tenants/duelmen/billing/invoices", headers=bearer(duelmen_token))
    assert [i["number"] for i in invoices.json] == [billed["duelmen"]]
    assert (
        client.get(
            "/api/v1/tenants/coesfeld/billing/invoices", headers=bearer(duelmen_token)
        ).status_code
        == 403
    )


def test_openapi_document_lists_billing_schemas(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert "BillingInvoice" in spec["components"]["schemas"]
    assert "/api/v1/billing/runs" in spec["paths"]


def test_hook_register_api(app, client):
    assert (
        "/api/v1/tenants/{tenant}/billing/invoices"
        in client.get("/api/v1/openapi.json").json["paths"]
    )


def test_operator_exports_csv_through_the_api(app, client, operator_token, billed):
    response = client.get(
        "/api/v1/billing/export.csv?period=2024-03", headers=bearer(operator_token)
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.get_data(as_text=True).splitlines()[0].startswith("Rechnungsnummer;Belegart;")
    assert len(response.get_data(as_text=True).splitlines()) == 4  # header + 1 + 2 lines
