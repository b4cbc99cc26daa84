"""The web shell: platform home, tenant portals, statements, health, error pages."""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import or_, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from core import gazetteer
from core.api import problem
from core.auth import current_principal, is_api_request
from core.db import get_db, session
from core.errors import RathausError
from core.i18n import LOCALE_COOKIE
from core.legal import LegalDetails, legal_details
from core.models import Tenant, TenantStatus
from core.portal import admin_links_for, links_for
from core.security import safe_next

log = logging.getLogger(__name__)

HOME_LIMIT = 100
#: The home page without a query lists every tenant, grouped by Land and Kreis.
HOME_LIST_LIMIT = 2000


def init_app(app: Flask) -> None:
    """Register the shell's pages, the error handlers and the template context."""
    from core import auth_views, operator

    app.register_blueprint(blueprint())
    app.register_blueprint(auth_views.blueprint())
    operator.init_app(app)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(RathausError, _handle_rathaus_error)
    app.register_error_handler(Exception, _handle_unexpected)
    app.context_processor(_template_context)


def blueprint() -> Blueprint:
    """A fresh blueprint of the shell's pages (one per application)."""
    bp = Blueprint("core", __name__)
    for rule, view, methods in ROUTES:
        bp.add_url_rule(rule, view_func=view, methods=methods)
    for path, view, tenant_endpoint in STATEMENTS:
        bp.add_url_rule(path, view_func=view, methods=["GET"])
        bp.add_url_rule("/<tenant>" + path, tenant_endpoint, view, methods=["GET"])
    return bp


def _template_context() -> dict[str, Any]:
    tenant = g.get("tenant")
    return {
        "principal": current_principal(),
        "tenant": tenant,
        "get_locale": get_locale,
        "admin_links": admin_links_for(tenant) if tenant is not None else [],
    }


# ---------------------------------------------------------------------------------
# Platform pages
# ---------------------------------------------------------------------------------


def home() -> str:
    """The platform home: find your municipality by name, AGS or postcode."""
    query = request.args.get("q", "").strip()[:100]
    tenants = search_tenants(query) if query else _public_tenants()
    return render_template(
        "core/home.html", query=query, tenants=tenants, regions=group_by_region(tenants)
    )


def group_by_region(tenants: list[Tenant]) -> list[tuple[str, list[tuple[str, list[Tenant]]]]]:
    """Tenants grouped by Land, then by Kreis (names from the gazetteer), sorted by name:
    ``[(land, [(kreis, [tenant, ...]), ...]), ...]``. A Land's own tenant and a
    Kreis-level tenant sit in the group named after themselves."""
    lands: dict[str, dict[str, list[Tenant]]] = {}
    for tenant in tenants:
        land = _place_name(tenant.ags[:2])
        kreis = _place_name(tenant.ags[:5]) if len(tenant.ags) >= 5 else land
        lands.setdefault(land, {}).setdefault(kreis, []).append(tenant)
    return [
        (
            land,
            [
                (kreis, sorted(group, key=lambda t: t.title))
                for kreis, group in sorted(kreise.items())
            ],
        )
        for land, kreise in sorted(lands.items())
    ]


def _place_name(ags: str) -> str:
    place = gazetteer.lookup(ags)
    return place.name if place is not None else ags


def _public_tenants() -> list[Tenant]:
    stmt = (
        select(Tenant)
        .where(Tenant.status.in_([TenantStatus.ACTIVE, TenantStatus.SUSPENDED]))
        .order_by(Tenant.name)
        .limit(HOME_LIST_LIMIT)
    )
    return list(session.scalars(stmt))


def search_tenants(query: str, limit: int = HOME_LIMIT) -> list[Tenant]:
    """Visible tenants matching a name, an AGS (prefix) or a postcode.

    A postcode finds the municipalities it lies in and the Kreis and Land above them,
    so that a citizen finds whichever level runs the service.
    """
    visible = Tenant.status.in_([TenantStatus.ACTIVE, TenantStatus.SUSPENDED])
    stmt = select(Tenant).where(visible).order_by(Tenant.kind.desc(), Tenant.name).limit(limit)
    if query.isdigit() and len(query) == 5 and gazetteer.postcode(query) is not None:
        keys = set()
        for place in gazetteer.places_for_postcode(query):
            keys.update({place.ags, place.kreis_ags, place.land_ags})
        postcode = gazetteer.postcode(query)
        if postcode is not None:
            keys.update({postcode.kreis_ags, postcode.land_ags})
        return list(session.scalars(stmt.where(Tenant.ags.in_(k for k in keys if k))))
    if query.isdigit():
        return list(session.scalars(stmt.where(Tenant.ags.startswith(query))))
    pattern = f"%{query.lower()}%"
    return list(
        session.scalars(
            stmt.where(
                or_(
                    Tenant.name.ilike(pattern),
                    Tenant.display_name.ilike(pattern),
                    Tenant.slug.ilike(pattern),
                )
            )
        )
    )


def accessibility() -> str:
    """The accessibility statement (Erklärung zur Barrierefreiheit, BITV 2.0); under a
    tenant's address with the tenant's own contact."""
    return render_template("core/accessibility.html", legal=_legal())


def privacy() -> str:
    """The privacy statement (DSGVO Art. 13), naming the controller from ``[legal]``."""
    return render_template("core/privacy.html", legal=_legal())


def imprint() -> str:
    """The imprint (§ 5 DDG) from ``[legal]`` in ``rathaus.toml``."""
    return render_template("core/imprint.html", legal=_legal())


def _legal() -> LegalDetails:
    tenant = g.get("tenant")
    return legal_details(tenant.slug if tenant is not None else None)


def healthz() -> tuple[dict[str, Any], int]:
    """Liveness and database reachability, for load balancers: 200 or 503."""
    try:
        get_db().ping()
    except SQLAlchemyError as exc:
        log.error("health check: database unreachable: %s", exc)
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200


def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page says; point them at the icon."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


def set_language(code: str) -> Response:
    """Remember the visitor's language choice and go back where they came from."""
    if code not in current_app.config["LOCALES"]:
        abort(404)
    response = redirect(safe_next(request.args.get("next")) or url_for("core.home"))
    response.set_cookie(
        LOCALE_COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure,
    )
    return response


# ---------------------------------------------------------------------------------
# Tenant portal
# ---------------------------------------------------------------------------------


def portal() -> str:
    """A tenant's portal: its name, branding and the services it offers."""
    tenant: Tenant = g.tenant
    links = links_for(tenant) if tenant.serves_citizens else []
    return render_template("core/portal.html", links=links)


def theme() -> Response:
    """The tenant's colours as CSS custom properties (no inline styles: CSP)."""
    colour = g.tenant.brand_colour or "#004b87"
    css = f":root {{ --brand: {colour}; }}\n"
    response = Response(css, mimetype="text/css")
    response.cache_control.max_age = 300
    return response


def logo() -> Response:
    """The tenant's logo image."""
    tenant: Tenant = g.tenant
    if not tenant.logo:
        abort(404)
    response = Response(tenant.logo, mimetype=tenant.logo_mime or "image/png")
    response.cache_control.max_age = 300
    return response


#: Every page but the statements: (rule, view, methods).
ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/", home, ["GET"]),
    ("/healthz", healthz, ["GET"]),
    ("/favicon.ico", favicon, ["GET"]),
    ("/sprache/<code>", set_language, ["GET"]),
    ("/<tenant>/", portal, ["GET"]),
    ("/<tenant>/theme.css", theme, ["GET"]),
    ("/<tenant>/logo", logo, ["GET"]),
]

#: The statements, on the platform and again under each tenant's address (there with
#: the tenant's own contact, as another endpoint): (path, view, tenant endpoint).
STATEMENTS: list[tuple[str, Any, str]] = [
    ("/barrierefreiheit", accessibility, "tenant_accessibility"),
    ("/datenschutz", privacy, "tenant_privacy"),
    ("/impressum", imprint, "tenant_imprint"),
]


# ---------------------------------------------------------------------------------
# Errors: problem+json on the API, pages elsewhere
# ---------------------------------------------------------------------------------


def _handle_http_exception(error: HTTPException) -> Any:
    if isinstance(error, CSRFError):
        detail = _("The form has expired. Please reload the page and send it again.")
        return _error_page(400, detail)
    code = error.code or 500
    if is_api_request():
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or data.get("messages")
        detail = data.get("message") or (error.description if _own_description(error) else None)
        headers = dict(data.get("headers") or {})
        if code == 401:
            headers.setdefault("WWW-Authenticate", "Bearer")
        return problem(code, detail, errors=errors, headers=headers)
    if code == 503 and error.description == "suspended":
        return render_template("core/suspended.html"), 503
    return _error_page(code, error.description if _own_description(error) else None)


def _own_description(error: HTTPException) -> bool:
    """Whether the description was written by us rather than Werkzeug's default."""
    return error.description != type(error).description


def _handle_rathaus_error(error: RathausError) -> Any:
    if is_api_request():
        return problem(
            error.status, str(error), errors={"json": error.as_field_errors()}, code=error.code
        )
    return _error_page(error.status, error.localized())


def _handle_unexpected(error: Exception) -> Any:
    if isinstance(error, HTTPException):  # pragma: no cover - handled above
        return _handle_http_exception(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    session.rollback()
    if is_api_request():
        return problem(500, "An unexpected error occurred; it has been logged.")
    return _error_page(500, None)


def _error_page(code: int, detail: str | None) -> tuple[str, int]:
    titles = {
        400: _("The request could not be processed"),
        401: _("Please log in"),
        403: _("Access denied"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        422: _("Invalid input"),
        429: _("Too many attempts"),
        500: _("Something went wrong"),
        503: _("Temporarily unavailable"),
    }
    title = titles.get(code, InternalServerError.name if code >= 500 else _("Error"))
    try:
        return render_template("core/error.html", code=code, title=title, detail=detail), code
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        log.exception("could not render the error page")
        return f"{code} {title}", code
