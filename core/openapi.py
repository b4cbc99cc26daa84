"""The OpenAPI document as the API really answers.

Every error is ``application/problem+json`` (RFC 9457), so the error responses are
declared with that media type and a ``Problem`` schema, and each operation lists the
statuses it can answer with: 400, 404 and 500 always; 401 and 403 when it needs a
token; 409 and 422 when it writes; 503 under a tenant (a suspended tenant). The
``X-Pagination`` header is a JSON object in a string, declared as such.
"""

from __future__ import annotations

import copy
from http import HTTPStatus
from typing import Any

import marshmallow as ma

PROBLEM_MIMETYPE = "application/problem+json"
WRITES = {"post", "put", "patch", "delete"}
DECLARED = {
    HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND,
    HTTPStatus.CONFLICT, HTTPStatus.UNPROCESSABLE_ENTITY, HTTPStatus.INTERNAL_SERVER_ERROR,
    HTTPStatus.SERVICE_UNAVAILABLE,
}  # fmt: skip
METHODS = WRITES | {"get", "head", "options"}


class ProblemSchema(ma.Schema):
    """An error (RFC 9457 problem details)."""

    type = ma.fields.String(metadata={"description": "always about:blank"})
    title = ma.fields.String(metadata={"description": "the HTTP status phrase"})
    status = ma.fields.Integer()
    detail = ma.fields.String(metadata={"description": "what went wrong, for people"})
    code = ma.fields.String(metadata={"description": "stable machine-readable code"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        metadata={"description": "messages per location and field (validation errors)"},
    )


def error_responses(spec: Any) -> None:
    """Register a problem+json response component per HTTP error status."""
    spec.components.schema("Problem", schema=ProblemSchema)
    ref = {"$ref": "#/components/schemas/Problem"}
    for status in HTTPStatus:
        if status < 400:
            continue
        spec.components.response(
            status.name,
            {"description": status.phrase, "content": {PROBLEM_MIMETYPE: {"schema": ref}}},
            lazy=status not in DECLARED,  # the ones document() refers to are always there
        )
    spec.components.response(
        "DEFAULT_ERROR",
        {"description": "Any other error", "content": {PROBLEM_MIMETYPE: {"schema": ref}}},
        lazy=True,
    )


def document(spec_dict: dict[str, Any]) -> dict[str, Any]:
    """The finished OpenAPI document: every operation's errors, the real header."""
    doc = copy.deepcopy(spec_dict)
    secured_by_default = bool(doc.get("security"))
    for path, item in doc.get("paths", {}).items():
        for method, operation in item.items():
            if method in METHODS:
                _declare_errors(path, method, operation, secured_by_default)
    headers = doc.get("components", {}).get("headers", {})
    if "PAGINATION" in headers:
        headers["PAGINATION"] = {
            "description": (
                "Pagination metadata, a JSON object: total, total_pages, first_page, "
                "last_page, page, previous_page, next_page"
            ),
            "content": {"application/json": {"schema": headers["PAGINATION"]["schema"]}},
        }
    return doc


def _declare_errors(path: str, method: str, operation: dict[str, Any], secured: bool) -> None:
    statuses = [HTTPStatus.BAD_REQUEST, HTTPStatus.NOT_FOUND, HTTPStatus.INTERNAL_SERVER_ERROR]
    if operation.get("security", [{}] if secured else []) not in ([], None):
        statuses += [HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN]
    if method in WRITES:
        statuses += [HTTPStatus.CONFLICT, HTTPStatus.UNPROCESSABLE_ENTITY]
    if "/tenants/{tenant}/" in path:
        statuses.append(HTTPStatus.SERVICE_UNAVAILABLE)
    responses = operation.setdefault("responses", {})
    for status in statuses:
        responses.setdefault(str(status.value), {"$ref": f"#/components/responses/{status.name}"})
