"""Oversized numbers in paths, query strings and bodies: 404 or 400, never 500."""

from __future__ import annotations

from core.testing import bearer, csrf_token
from tests.engagement.test_api import offer_body

HUGE = "52779216675000000000000000"
API = "/api/v1/tenants/coesfeld/engagement"


def test_a_huge_id_in_an_api_path_is_not_found(client, coesfeld):
    response = client.get(f"{API}/opportunities/{HUGE}")
    assert (response.status_code, response.mimetype) == (404, "application/problem+json")


def test_a_huge_id_in_a_page_path_is_not_found(client, coesfeld):
    assert client.get(f"/coesfeld/engagement/offers/{HUGE}").status_code == 404


def test_ids_beyond_an_integer_column_are_simply_not_there(client, coesfeld):
    # 2**31 - 1 is the largest id PostgreSQL's integer holds; beyond it nothing matches.
    codes = [client.get(f"{API}/opportunities/{n}").status_code for n in (2**31 - 1, 2**31, 2**63)]
    assert codes == [404, 404, 404]


def test_a_huge_page_number_is_a_bad_request(client, operator_token):
    response = client.get(f"/api/v1/tenants?page={HUGE}", headers=bearer(operator_token))
    assert (response.status_code, response.mimetype) == (400, "application/problem+json")
    assert response.json["detail"] == "Eine Zahl in der Anfrage ist zu groß."


def test_a_huge_id_in_a_body_is_a_bad_request(client, coesfeld, tenant_token):
    response = client.post(
        f"{API}/opportunities", json=offer_body(int(HUGE)), headers=bearer(tenant_token)
    )
    assert (response.status_code, response.mimetype) == (400, "application/problem+json")


def test_a_huge_id_in_a_form_is_a_bad_request_page(tenant_admin_client, coesfeld):
    url = "/coesfeld/engagement/admin/organisations"
    token = csrf_token(tenant_admin_client, url)
    response = tenant_admin_client.post(
        url, data={"organisation": HUGE, "verified": "1", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "Eine Zahl in der Anfrage ist zu groß." in response.get_data(as_text=True)
