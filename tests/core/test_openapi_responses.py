"""Every operation of the API describes the body it answers with, so the OpenAPI
document tells a client what it gets, not only what it may send."""

from __future__ import annotations

METHODS = ("get", "post", "put", "patch", "delete")


def _success(responses: dict) -> tuple[str, dict] | None:
    for code in sorted(responses):
        if code.startswith("2"):
            return code, responses[code]
    return None


def test_every_operation_declares_its_success_body(client):
    spec = client.get("/api/v1/openapi.json").json

    undescribed = []
    for path, item in sorted(spec["paths"].items()):
        for method in METHODS:
            if method not in item:
                continue
            success = _success(item[method]["responses"])
            if success is None:
                undescribed.append(f"{method.upper()} {path}: no success response")
                continue
            code, response = success
            if code == "204":
                continue
            content = response.get("content") or {}
            if not any(media.get("schema") for media in content.values()):
                undescribed.append(f"{method.upper()} {path}: {code} without a schema")
    assert undescribed == []
