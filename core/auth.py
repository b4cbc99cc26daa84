"""Who is asking, and may they? Principals, permission checks, login sessions.

Web pages authenticate with a session cookie (set by the login form); the API only
with ``Authorization: Bearer <token>``, never with the cookie, so API calls need no
CSRF token and a browser cannot be tricked into making them.

Least privilege: an account belongs to one tenant and is a principal only on that
tenant's pages (an operator account on every page). A tenant token acts only on its
tenant. Tenant admins administer their own tenant and, where a Gemeinde allows it
(``parent_may_administer``), the Gemeinden directly under their Kreis.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from core.accounts import load_user, resolve_token
from core.models import ApiToken, Role, Tenant, User


@dataclass(frozen=True)
class Principal:
    """The caller of the current request: a user, a token, both, or nobody.

    A personal token carries its account as ``user`` and acts with that account's
    roles; other tokens act as the operator or as an admin of their one tenant.
    """

    user: User | None = None
    token: ApiToken | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.user is None and self.token is None

    @property
    def _tenant_token(self) -> bool:
        """A token that is not personal: its scope alone decides."""
        return self.token is not None and self.token.user_id is None

    @property
    def is_operator(self) -> bool:
        if self._tenant_token:
            return self.token.tenant_id is None  # type: ignore[union-attr]
        return self.user is not None and self.user.has_role(Role.OPERATOR)

    @property
    def tenant_id(self) -> int | None:
        """The tenant the principal belongs to (None for operators and anonymous)."""
        if self.token is not None:
            return self.token.tenant_id
        return self.user.tenant_id if self.user is not None else None

    def has_role(self, role: Role) -> bool:
        """Whether the principal holds ``role`` (a tenant token counts as tenant admin)."""
        if self._tenant_token:
            return role == (Role.OPERATOR if self.token.tenant_id is None else Role.TENANT_ADMIN)  # type: ignore[union-attr]
        return self.user is not None and self.user.has_role(role)

    def describe(self) -> str:
        """A short, stable description for the audit log, naming people only by
        pseudonym: ``user:<id>:<pseudonym>``, ``token:<id>:user:<id>:<pseudonym>``
        (a personal token, whose name is the person's), ``token:<id>:<name>``."""
        if self.token is not None and self.user is not None:
            return f"token:{self.token.id}:{describe_user(self.user)}"
        if self.token is not None:
            return f"token:{self.token.id}:{self.token.name}"
        if self.user is not None:
            return describe_user(self.user)
        return "anonymous"


def describe_user(user: User) -> str:
    """How records name a person: ``user:<id>:<pseudonym>`` (no e-mail, no name)."""
    return f"user:{user.id}:{user.pseudonym}"


ANONYMOUS = Principal()


def can_administer(principal: Principal, tenant: Tenant) -> bool:
    """Whether the principal may administer ``tenant``."""
    if principal.is_operator:
        return True
    if not principal.has_role(Role.TENANT_ADMIN):
        return False
    if principal.tenant_id == tenant.id:
        return True
    # A Kreis admin, for a Gemeinde under that Kreis that opted in. Tokens are for
    # exactly one tenant and do not extend.
    return (
        principal.token is None
        and tenant.parent_may_administer
        and tenant.parent_id is not None
        and tenant.parent_id == principal.tenant_id
    )


def is_api_request() -> bool:
    """Whether the current request addresses the HTTP API."""
    return request.path.startswith("/api/")


def current_principal() -> Principal:
    """The principal of the current request (computed once per request)."""
    if "principal" not in g:
        g.principal = _principal_from_token() if is_api_request() else _principal_from_session()
    return g.principal


def _principal_from_token() -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret:
        return ANONYMOUS
    token = resolve_token(secret.strip())
    if token is None or (token.user_id is not None and not token.user.is_active):
        abort(401, description="The bearer token is unknown, revoked or expired.")
    return Principal(user=token.user, token=token)


def _principal_from_session() -> Principal:
    user_id = session.get("user_id")
    if user_id is None:
        return ANONYMOUS
    user = load_user(user_id)
    if user is None or not user.is_active or session.get("auth_epoch") != _epoch(user):
        session.clear()
        return ANONYMOUS
    tenant: Tenant | None = g.get("tenant")
    # An account is a principal only at its own tenant; operators everywhere.
    if user.tenant_id is not None and (tenant is None or tenant.id != user.tenant_id):
        return ANONYMOUS
    return Principal(user=user)


def _epoch(user: User) -> str:
    """Changes on logout, password change and erasure, which ends every login session
    of the account that started before (checked on every request, server-side)."""
    return f"{user.session_version}:{(user.password_hash or '')[-16:]}"


def log_in(user: User) -> None:
    """Start a login session for ``user`` (a fresh session: no fixation)."""
    session.clear()
    session["user_id"] = user.id
    session["auth_epoch"] = _epoch(user)
    session.permanent = True
    g.principal = Principal(user=user)


def log_out() -> None:
    """End the login session, server-side too: a copy of the cookie kept from before
    is void afterwards (the caller commits)."""
    principal = current_principal()
    if principal.user is not None and principal.token is None:
        end_all_sessions(principal.user)
    session.clear()
    g.principal = ANONYMOUS


def end_all_sessions(user: User) -> None:
    """Void every login session of ``user`` (logout, password change, erasure)."""
    from core.accounts import bump_session_version

    bump_session_version(user)


F = TypeVar("F", bound=Callable[..., Any])


def _deny(principal: Principal) -> Response:
    if principal.is_anonymous:
        if is_api_request():
            abort(401, description="This endpoint needs a bearer token.")
        tenant = g.get("tenant")
        endpoint = "auth.tenant_login" if tenant is not None else "auth.login"
        return redirect(url_for(endpoint, next=request.full_path.rstrip("?")))
    abort(403)


def require(check: Callable[[Principal], bool]) -> Callable[[F], F]:
    """Decorate a view so that it runs only when ``check(principal)`` holds.

    Anonymous callers are sent to the login page (web) or get 401 (API); logged-in
    callers who fail the check get 403.
    """

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if not check(principal):
                return _deny(principal)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def _logged_in(principal: Principal) -> bool:
    return not principal.is_anonymous


def _operator(principal: Principal) -> bool:
    return principal.is_operator


def _tenant_admin(principal: Principal) -> bool:
    tenant = g.get("tenant")
    return tenant is not None and can_administer(principal, tenant)


#: The view needs a logged-in user or token.
login_required = require(_logged_in)
#: The view is for platform operators only.
operator_required = require(_operator)
#: The view is for those who may administer the current tenant (``g.tenant``).
tenant_admin_required = require(_tenant_admin)


def managed_municipality(slug: str) -> Tenant:
    """The Gemeinde ``slug`` under the current Kreis (``g.tenant``) that the caller
    administers on the Kreis's pages (``/<kreis>/admin/municipalities/<slug>/...``).

    404 when it is not a visible Gemeinde directly under the Kreis; 403 when the
    caller may not administer it — saying so when the Gemeinde has not opted in
    (``parent_may_administer``), so the Kreis admin knows whom to ask.
    """
    from flask_babel import gettext

    from core.tenant_routing import VISIBLE_STATUSES, tenant_by_slug

    kreis: Tenant = g.tenant
    gemeinde = tenant_by_slug(slug)
    if (
        gemeinde is None
        or gemeinde.parent_id != kreis.id
        or gemeinde.status not in VISIBLE_STATUSES
    ):
        abort(404)
    principal = current_principal()
    if can_administer(principal, gemeinde):
        return gemeinde
    if can_administer(principal, kreis) and not gemeinde.parent_may_administer:
        abort(
            403,
            description=gettext(
                "%(name)s has not allowed the district to administer it.", name=gemeinde.title
            ),
        )
    abort(403)
