"""The HTTP API: flask-smorest under ``/api/v1``, errors as RFC 9457 problem details.

The OpenAPI document is served at ``/api/v1/openapi.json`` and rendered as a plain,
server-side HTML reference at ``/api/v1/docs`` (no JavaScript, no CDN: it works
offline and with assistive technology). Tenant-scoped resources live under
``/api/v1/tenants/<tenant>/<service>/...``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Flask, Response, json, render_template
from flask.views import MethodView

from core import openapi
from core.auth import current_principal, login_required
from core.db import session
from core.deferred import DeferredSetup
from core.manifests import catalogue
from core.models import Role, Tenant

API_PREFIX = "/api/v1"
PROBLEM_MIMETYPE = "application/problem+json"


def tenant_api_prefix(service: str) -> str:
    """URL prefix of a service's tenant-scoped API resources."""
    return f"{API_PREFIX}/tenants/<tenant>/{service}"


class RathausApi(flask_smorest.Api):
    """flask-smorest's Api, minus its error handler: core answers every error itself
    (problem+json on API paths, HTML pages elsewhere).

    Blueprints' routes are registered at once, their OpenAPI documentation when the
    document is first read (``spec``: ``/api/v1/openapi.json``, ``/api/v1/docs``,
    ``rathaus openapi``): turning every schema into OpenAPI is a good part of
    start-up, and most processes never serve the document.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._undocumented = DeferredSetup()
        super().__init__(*args, **kwargs)

    @property
    def spec(self) -> Any:
        """The OpenAPI document, with every registered blueprint documented."""
        self._undocumented.run()
        return self.__dict__.get("_spec")

    @spec.setter
    def spec(self, value: Any) -> None:
        self.__dict__["_spec"] = value

    def register_blueprint(
        self, blp: flask_smorest.Blueprint, *, parameters: Any = None, **options: Any
    ) -> None:
        """Register the blueprint's routes now, its documentation on first read."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)

        def document() -> None:
            spec = self.__dict__["_spec"]
            blp.register_views_in_doc(self, self._app, spec, name=name, parameters=parameters)
            spec.tag({"name": name, "description": blp.description})

        self._undocumented.add(document)

    def _register_error_handlers(self) -> None:
        return None

    def _register_responses(self) -> None:
        openapi.error_responses(self.spec)

    def document(self) -> dict[str, Any]:
        """The OpenAPI document, with every operation's problem+json errors."""
        return openapi.document(self.spec.to_dict())

    def _openapi_json(self) -> Response:
        return Response(json.dumps(self.document(), indent=2), mimetype="application/json")


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: dict[str, Any] | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    code: str | None = None,
) -> Response:
    """An ``application/problem+json`` response (RFC 9457).

    :param errors: field-level messages in marshmallow's shape, e.g.
        ``{"json": {"slug": ["Not a valid slug."]}}``.
    :param code: stable machine-readable error code (e.g. ``postcode.unknown``).
    """
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if code:
        body["code"] = code
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def init_app(app: Flask) -> RathausApi:
    """Create the application's API with core's own endpoints."""
    app.config.setdefault("API_TITLE", "Rathaus")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", _spec_options())
    rest = RathausApi(app)
    rest.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "A Rathaus API token"}
    )
    rest.register_blueprint(_core_blueprint())
    app.add_url_rule(f"{API_PREFIX}/docs", "api_docs", lambda: _docs_page(rest))
    return rest


def _spec_options() -> dict[str, Any]:
    return {
        "info": {
            "description": (
                "API of the Rathaus municipal service platform. Authenticate with "
                "`Authorization: Bearer <token>` (create one with `rathaus tokens create`). "
                "Errors are `application/problem+json` (RFC 9457); validation errors list "
                "the messages per field under `errors`."
            )
        },
        "security": [{"bearerAuth": []}],
    }


def _docs_page(rest: RathausApi) -> str:
    spec = rest.document()
    return render_template("core/api_docs.html", spec=spec, operations=_operations(spec))


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Flatten paths and methods, sorted by path, for the reference page."""
    rows = []
    for path, item in sorted(spec.get("paths", {}).items()):
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                rows.append({"path": path, "method": method.upper(), **operation})
    return rows


# ---------------------------------------------------------------------------------
# Core's own endpoints
# ---------------------------------------------------------------------------------


class CoreServiceSchema(ma.Schema):
    """A service of the catalogue."""

    key = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String()
    themenfeld = ma.fields.String(metadata={"description": "OZG Themenfeld"})
    leika_keys = ma.fields.List(ma.fields.String())
    version = ma.fields.String()
    requires = ma.fields.List(ma.fields.String())
    plugin = ma.fields.String(allow_none=True)


class CorePrincipalSchema(ma.Schema):
    """Who the bearer token belongs to."""

    kind = ma.fields.String(metadata={"description": "token"})
    scope = ma.fields.String(metadata={"description": "personal, operator or tenant"})
    tenant = ma.fields.String(allow_none=True, metadata={"description": "slug of the tenant"})
    name = ma.fields.String()
    user = ma.fields.String(
        allow_none=True, metadata={"description": "e-mail of the account of a personal token"}
    )
    roles = ma.fields.List(ma.fields.String(), metadata={"description": "roles it acts with"})


def _core_blueprint() -> flask_smorest.Blueprint:
    blp = flask_smorest.Blueprint(
        "core_api", __name__, url_prefix=API_PREFIX, description="The platform itself."
    )

    @blp.route("/services")
    class Services(MethodView):
        @blp.response(200, CoreServiceSchema(many=True))
        @blp.doc(security=[])
        def get(self) -> Any:
            """The service catalogue: every service a tenant can subscribe to."""
            return [manifest.as_dict() for manifest in catalogue()]

    @blp.route("/me")
    class Me(MethodView):
        @blp.response(200, CorePrincipalSchema)
        @login_required
        def get(self) -> Any:
            """The token the request was made with: its scope and tenant."""
            token = current_principal().token
            tenant = session.get(Tenant, token.tenant_id) if token.tenant_id else None
            principal = current_principal()
            roles = [role.value for role in Role if principal.has_role(role)]
            return {
                "kind": "token",
                "scope": token.scope,
                "tenant": tenant.slug if tenant else None,
                "name": token.name,
                "user": principal.user.email if principal.user else None,
                "roles": roles,
            }

    return blp
