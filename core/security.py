"""Browser-facing protections: CSRF on every form, security headers on every answer.

Behind a reverse proxy (``TRUSTED_PROXIES`` = the number of proxies in front of the
application) the client address, scheme and host come from the proxy's
``X-Forwarded-*`` headers (Werkzeug's ``ProxyFix``); without it those headers are
ignored, since anybody can send them. A request that arrived over HTTPS, directly or
as the proxy says, gets ``Secure`` cookies and HSTS even without
``SESSION_COOKIE_SECURE``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

#: Two years, the value HSTS preload lists ask for.
HSTS = "max-age=63072000"

# No inline scripts or styles anywhere: tenant colours come from /<tenant>/theme.css.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def trust_proxies(app: Flask) -> None:
    """Read client address and scheme from the configured proxies, and make cookies
    ``Secure`` whenever the request was. Done when the application is built: the
    very first request must already pass through it."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    app.session_interface = _SessionInterface()


def init_app(app: Flask) -> None:
    """CSRF for every state-changing web request; the API authenticates by bearer
    token only, never by cookie, so it needs none."""
    from flask_wtf.csrf import CSRFProtect  # with the pages, not for every command

    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)
    csrf = CSRFProtect(app)

    @app.before_request
    def _protect_forms() -> None:
        if request.method in UNSAFE_METHODS and not request.path.startswith("/api/"):
            csrf.protect()

    app.after_request(_security_headers)


class _SessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions whose cookie is ``Secure`` whenever the request was."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def _security_headers(response: Response) -> Response:
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
    return response


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (no open redirects), else None."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
