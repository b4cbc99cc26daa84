"""Which tenant a request is for: the ``/<tenant>/...`` path prefix, or the host name.

Every route with a ``<tenant>`` URL variable (web pages under ``/<tenant>/`` and API
resources under ``/api/v1/tenants/<tenant>/``) gets ``flask.g.tenant`` set and runs in
that tenant's scope; ``url_for`` fills the variable in from the current request.
With ``TENANT_FROM_HOST`` a request to a tenant's own host name (``Tenant.hostname``)
is routed as if its path carried the tenant's prefix.
"""

from __future__ import annotations

import re
import time
from typing import Any

from flask import Flask, abort, current_app, g
from sqlalchemy import bindparam, select

from core.db import get_db, session
from core.errors import NotFoundError, ValidationError
from core.models import Tenant, TenantStatus
from core.tenancy import enter_tenant, leave
from core.tenant_directory import directory_of

SLUG = re.compile(r"^[a-z][a-z0-9-]{0,61}[a-z0-9]$")

#: Path segments the platform uses itself; no tenant may take them as its slug.
RESERVED_SLUGS = frozenset(
    {
        "about", "account", "admin", "api", "assets", "auth", "barrierefreiheit",
        "accessibility", "datenschutz", "docs", "export", "healthz", "help", "import", "impressum",
        "imprint", "language", "login", "logout", "metrics", "operator", "privacy",
        "register", "search", "sprache", "static", "status", "suche", "tenants", "www",
    }
)  # fmt: skip

#: Tenants whose pages exist (suspended ones show a notice; their services stop).
VISIBLE_STATUSES = (TenantStatus.ACTIVE, TenantStatus.SUSPENDED)


def validate_slug(slug: str) -> str:
    """Return ``slug`` when it can name a tenant; ``ValidationError`` saying why not."""
    if not SLUG.match(slug or ""):
        raise ValidationError(
            "%(slug)r is not a valid slug: 2-63 lowercase letters, digits and hyphens, "
            "starting with a letter and not ending with a hyphen",
            field="slug",
            code="tenant.slug.invalid",
            slug=slug,
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError(
            "%(slug)r is reserved for the platform's own pages",
            field="slug",
            code="tenant.slug.reserved",
            slug=slug,
        )
    return slug


def tenant_by_slug(slug: str) -> Tenant | None:
    """The tenant with this slug, whatever its status."""
    return session.scalar(_BY_SLUG, {"slug": slug})


def tenant_or_fail(slug: str) -> Tenant:
    """The tenant with this slug, whatever its status; ``NotFoundError`` naming the
    field ``tenant`` otherwise (for commands that take a slug)."""
    tenant = tenant_by_slug(slug)
    if tenant is None:
        raise NotFoundError(
            "no tenant with slug %(slug)r", field="tenant", code="tenant.not_found", slug=slug
        )
    return tenant


# Every tenant-scoped request runs it: built once.
_BY_SLUG = select(Tenant).where(Tenant.slug == bindparam("slug"))


def init_app(app: Flask) -> None:
    """Install tenant resolution on ``app``."""
    from core.tenant_directory import watch

    watch(get_db(app).engine)
    app.url_value_preprocessor(_resolve_tenant)
    app.url_defaults(_add_tenant_default)
    app.teardown_request(_end_request)
    if app.config.get("TENANT_FROM_HOST"):
        app.wsgi_app = HostTenantMiddleware(app.wsgi_app, app)  # type: ignore[method-assign]


def _resolve_tenant(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if not values or "tenant" not in values:
        return
    slug = values.pop("tenant")
    directory = directory_of(current_app)
    tenant = (
        tenant_by_slug(slug)
        if directory is None
        else directory.tenant(session, slug, tenant_by_slug)
    )
    if tenant is None or tenant.status not in VISIBLE_STATUSES:
        abort(404)
    g.tenant = tenant
    g._tenant_scope_token = enter_tenant(tenant.id)


def _end_request(_exc: BaseException | None) -> None:
    token = g.pop("_tenant_scope_token", None)
    if token is not None:
        leave(token)
    # The application context (and its ``g``) can outlive a request, in tests or
    # when a command dispatches requests: forget everything that belonged to this
    # one (tenant, principal, CSRF token, Babel's locale), keeping only the
    # context's database session.
    for name in [name for name in g if name != "_rathaus_session"]:
        g.pop(name, None)


def _add_tenant_default(endpoint: str, values: dict[str, Any]) -> None:
    tenant = g.get("tenant")
    if tenant is None or "tenant" in values:
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, "tenant"):
        values["tenant"] = tenant.slug


class HostTenantMiddleware:
    """Route ``coesfeld.example.de/engagement/`` to ``/coesfeld/engagement/``.

    Paths that already carry the tenant's prefix (the links ``url_for`` builds) and
    the platform's own paths (``/static``, ``/api``) are left alone.
    """

    def __init__(self, wsgi_app: Any, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        # host -> (slug, looked up at); a host name change shows after the TTL.
        self._cache: dict[str, tuple[str | None, float]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        host = (environ.get("HTTP_HOST") or "").split(":")[0].lower()
        slug = self._slug_for(host) if host else None
        path = environ.get("PATH_INFO", "") or "/"
        first = path.lstrip("/").split("/", 1)[0]
        if slug and first != slug and first not in ("static", "api", "healthz"):
            environ["PATH_INFO"] = f"/{slug}{path}"
        return self.wsgi_app(environ, start_response)

    CACHE_SECONDS = 60.0

    def _slug_for(self, host: str) -> str | None:
        cached = self._cache.get(host)
        now = time.monotonic()
        if cached is not None and now - cached[1] < self.CACHE_SECONDS:
            return cached[0]
        with get_db(self.app).session() as db_session:
            slug = db_session.scalar(select(Tenant.slug).where(Tenant.hostname == host))
        self._cache[host] = (slug, now)
        return slug
