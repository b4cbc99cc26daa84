"""The OpenAPI document declares the problem+json errors and the real X-Pagination."""

from __future__ import annotations

PROBLEM = {"$ref": "#/components/schemas/Problem"}


def test_every_operation_declares_its_problem_responses(client):
    spec = client.get("/api/v1/openapi.json").json

    listing = spec["paths"]["/api/v1/tenants"]["get"]["responses"]
    assert sorted(listing) == ["200", "400", "401", "403", "404", "422", "500", "default"]
    assert listing["401"] == {"$ref": "#/components/responses/UNAUTHORIZED"}
    services = spec["paths"]["/api/v1/services"]["get"]["responses"]
    assert sorted(services) == ["200", "400", "404", "500", "default"]
    write = spec["paths"]["/api/v1/tenants/{tenant}/engagement/opportunities"]["post"]
    assert {"401", "403", "409", "422", "503"} <= set(write["responses"])


def test_error_responses_are_problem_json(client):
    components = client.get("/api/v1/openapi.json").json["components"]

    assert components["responses"]["NOT_FOUND"] == {
        "description": "Not Found",
        "content": {"application/problem+json": {"schema": PROBLEM}},
    }
    assert set(components["schemas"]["Problem"]["properties"]) == {
        "type",
        "title",
        "status",
        "detail",
        "code",
        "errors",
    }


def test_the_pagination_header_is_declared_as_a_json_object(client, operator_token):
    from core.testing import bearer

    header = client.get("/api/v1/openapi.json").json["components"]["headers"]["PAGINATION"]
    assert header["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/PaginationMetadata"}}
    }
    answer = client.get("/api/v1/tenants", headers=bearer(operator_token))
    import json

    assert set(json.loads(answer.headers["X-Pagination"])) <= {
        "total",
        "total_pages",
        "first_page",
        "last_page",
        "page",
        "previous_page",
        "next_page",
    }
