"""The HTTP API: OpenAPI document, offline docs, problem+json for every error."""

from __future__ import annotations

import re

import pytest

from core.testing import bearer
from tests.conftest import BUILT_IN
from tests.core.probe_plugin import ProbePlugin

PROBLEM = "application/problem+json"


@pytest.fixture
def rathaus_config():
    return {"PLUGINS": [*BUILT_IN, "probe"], "PLUGIN_OBJECTS": {"probe": ProbePlugin()}}


def test_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json
    assert (spec["openapi"], spec["info"]["title"], spec["info"]["version"]) == (
        "3.0.3",
        "Rathaus",
        "v1",
    )
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A Rathaus API token",
    }
    assert {"/api/v1/services", "/api/v1/me"} <= set(spec["paths"])


def test_api_docs_page_works_offline(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "<code>GET /api/v1/services</code>" in page
    assert "<script" not in page
    external = [
        url for url in re.findall(r'(?:src|href)="([^"]+)"', page) if re.match(r"https?:", url)
    ]
    assert external == []


def test_services_endpoint_is_public(client):
    keys = [item["key"] for item in client.get("/api/v1/services").json]
    assert keys == ["engagement", "probe"]


def test_unknown_path_is_problem_json(client):
    response = client.get("/api/v1/nothing-here")
    assert (response.status_code, response.content_type) == (404, PROBLEM)
    assert response.json == {"type": "about:blank", "title": "Not Found", "status": 404}


def test_unknown_tenant_is_problem_json(client, tenant_token):
    response = client.post(
        "/api/v1/tenants/atlantis/probe/echo", json={}, headers=bearer(tenant_token)
    )
    assert (response.status_code, response.content_type) == (404, PROBLEM)


def test_wrong_method_is_problem_json(client):
    response = client.delete("/api/v1/services")
    assert (response.status_code, response.content_type, response.json["title"]) == (
        405,
        PROBLEM,
        "Method Not Allowed",
    )


def test_missing_token_is_401_problem(client, tenant):
    response = client.post("/api/v1/tenants/coesfeld/probe/echo", json={"name": "Ada", "count": 1})
    assert (response.status_code, response.content_type) == (401, PROBLEM)
    assert response.json["detail"] == "This endpoint needs a bearer token."


def test_validation_errors_list_field_messages(client, tenant, tenant_token):
    response = client.post(
        "/api/v1/tenants/coesfeld/probe/echo",
        json={"name": "A", "extra": 1},
        headers=bearer(tenant_token),
    )
    assert (response.status_code, response.content_type) == (422, PROBLEM)
    assert response.json["errors"] == {
        "json": {
            "name": ["Shorter than minimum length 2."],
            "count": ["Missing data for required field."],
            "extra": ["Unknown field."],
        }
    }
    assert response.json["title"] == "Unprocessable Entity"


def test_malformed_json_is_400_problem(client, tenant, tenant_token):
    response = client.post(
        "/api/v1/tenants/coesfeld/probe/echo",
        data="{not json",
        headers={**bearer(tenant_token), "Content-Type": "application/json"},
    )
    assert (response.status_code, response.content_type) == (400, PROBLEM)


def test_unexpected_error_is_500_problem_without_details(client, tenant, caplog):
    response = client.get("/api/v1/tenants/coesfeld/probe/boom")
    assert (response.status_code, response.content_type) == (500, PROBLEM)
    assert response.json["detail"] == "An unexpected error occurred; it has been logged."
    assert "probe endpoint exploded" not in response.get_data(as_text=True)
    assert "probe endpoint exploded" in caplog.text


def test_domain_errors_become_problem_json(app, client, tenant, operator_token):
    from core.errors import ConflictError

    @app.get("/api/v1/conflict-probe")
    def conflict():
        raise ConflictError("slug 'coesfeld' is taken", field="slug")

    response = client.get("/api/v1/conflict-probe")
    assert response.status_code == 409
    assert response.json == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "slug: slug 'coesfeld' is taken",
        "code": "conflict",
        "errors": {"json": {"slug": ["slug 'coesfeld' is taken"]}},
    }


def test_a_domain_error_keeps_its_machine_code_and_english_text(app, client):
    from core.errors import ValidationError

    @app.get("/api/v1/postcode-probe")
    def postcode():
        raise ValidationError(
            "%(value)s is not a known German postcode",
            field="plz",
            code="postcode.unknown",
            value="'99999'",
        )

    response = client.get("/api/v1/postcode-probe", headers={"Accept-Language": "de"})
    assert response.status_code == 422
    assert response.json["code"] == "postcode.unknown"
    assert response.json["detail"] == "plz: '99999' is not a known German postcode"
