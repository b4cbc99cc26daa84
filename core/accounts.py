"""Accounts and API tokens: creating, authenticating, exporting, erasing.

Passwords are hashed with argon2id (``argon2-cffi`` defaults, rehashed on login when
the parameters change). API tokens are shown once and stored as SHA-256 digests.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from collections.abc import Iterable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload

from core.db import session, utcnow
from core.errors import ConflictError, NotFoundError, ValidationError
from core.identifiers import refuse_control_characters
from core.models import ApiToken, Role, Tenant, User, UserRole
from core.plugins import current_host
from core.tenancy import cross_tenant, platform_context, tenant_context

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
TOKEN_PREFIX = "rth_"  # noqa: S105 - not a secret
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@functools.cache
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    # Verified against when the account does not exist, so that a wrong e-mail address
    # costs as much time as a wrong password and does not reveal which accounts exist.
    return hasher, hasher.hash("rathaus-no-such-account")


def _hasher() -> tuple[PasswordHasher, str]:
    """The hasher with the application's ``ARGON2_*`` parameters, and its dummy hash."""
    config = current_app.config
    return _hasher_for(
        config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"], config["ARGON2_PARALLELISM"]
    )


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``."""
    return _hasher()[0].hash(password)


def validate_password(password: str) -> None:
    """Refuse passwords that are too short or too long (field ``password``)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            "must have at least %(min_password_length)s characters",
            field="password",
            code="account.password.too_short",
            min_password_length=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(
            "must have at most %(max_password_length)s characters",
            field="password",
            code="account.password.too_long",
            max_password_length=MAX_PASSWORD_LENGTH,
        )


def normalise_email(email: str) -> str:
    """Trim and lower-case an e-mail address; ``ValidationError`` when malformed."""
    email = (email or "").strip().lower()
    if not EMAIL.match(email) or len(email) > 254:
        raise ValidationError(
            "%(email)r is not an e-mail address",
            field="email",
            code="account.email.invalid",
            email=email,
        )
    return email


def create_user(
    email: str,
    display_name: str,
    password: str | None,
    roles: Iterable[Role] = (Role.CITIZEN,),
    tenant: Tenant | None = None,
) -> User:
    """Create an account at ``tenant`` (or an operator account when ``tenant`` is None).

    :param password: None creates an account that cannot log in until a password is
        set (invitations).
    :raises ValidationError: malformed e-mail or password, an operator role at a
        tenant, a tenant role on the platform.
    :raises ConflictError: the e-mail address already has an account there.
    """
    email = normalise_email(email)
    roles = set(roles)
    if tenant is None and roles != {Role.OPERATOR}:
        raise ValidationError(
            "platform accounts are operator accounts",
            field="roles",
            code="account.roles.platform_needs_operator",
        )
    if tenant is not None and Role.OPERATOR in roles:
        raise ValidationError(
            "operators belong to the platform, not to a tenant",
            field="roles",
            code="account.roles.operator_in_tenant",
        )
    if not display_name.strip():
        raise ValidationError(
            "must not be empty", field="display_name", code="account.display_name.required"
        )
    refuse_control_characters(display_name.strip(), "display_name")
    if password is not None:
        validate_password(password)
    with _scope_of(tenant):
        if find_user(email, tenant) is not None:
            where = f"tenant {tenant.slug!r}" if tenant else "the platform"
            raise ConflictError(
                "%(email)s already has an account at %(where)s",
                field="email",
                code="account.email.exists",
                email=email,
                where=where,
            )
        user = User(
            tenant_id=tenant.id if tenant else None,
            email=email,
            display_name=display_name.strip(),
            password_hash=hash_password(password) if password is not None else None,
        )
        user.role_rows = [UserRole(tenant_id=user.tenant_id, role=role) for role in sorted(roles)]
        session.add(user)
        session.flush()
    return user


def grant_role(user: User, role: Role) -> None:
    """Give ``user`` a role (no-op when held)."""
    if role not in user.roles:
        with _scope_of_user(user):
            user.role_rows.append(UserRole(tenant_id=user.tenant_id, role=role))
            session.flush()


def revoke_role(user: User, role: Role) -> None:
    """Take a role from ``user`` (no-op when not held)."""
    with _scope_of_user(user):
        for row in list(user.role_rows):
            if row.role == role:
                user.role_rows.remove(row)
        session.flush()


def find_user(email: str, tenant: Tenant | None) -> User | None:
    """The account with this e-mail at ``tenant`` (or the platform)."""
    email = email.strip().lower()
    with _scope_of(tenant):
        return session.scalar(select(User).where(User.email == email))


def set_password(user: User, password: str) -> None:
    """Validate and store a new password; every login session of the account ends."""
    validate_password(password)
    with _scope_of_user(user):
        user.password_hash = hash_password(password)
        user.session_version = (user.session_version or 0) + 1
        session.flush()


def bump_session_version(user: User) -> None:
    """Void the account's login sessions: they carry the version they started with."""
    state = inspect(user)
    if state.deleted or state.detached or state.was_deleted:
        return  # an erased account has no sessions left to end
    with _scope_of_user(user):
        user.session_version = (user.session_version or 0) + 1
        session.flush()


def authenticate(email: str, password: str, tenant: Tenant | None) -> User | None:
    """The active account matching the credentials, or None.

    Takes the same time whether or not the account exists.
    """
    try:
        user = find_user(normalise_email(email), tenant)
    except ValidationError:
        user = None
    hasher, dummy = _hasher()
    stored = user.password_hash if user is not None and user.password_hash else dummy
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active or stored is dummy:
        return None
    with _scope_of_user(user):
        if hasher.check_needs_rehash(stored):
            user.password_hash = hash_password(password)
        user.last_login_at = utcnow()
        session.flush()
    return user


def load_user(user_id: int) -> User | None:
    """The account with this id wherever it lives (used to resolve a login session)."""
    with cross_tenant("resolve the logged-in account from its session"):
        return session.get(User, user_id)


def erase_user(user: User) -> None:
    """Delete an account after every plugin erased its data about it (Art. 17)."""
    from core.erasure import erase_core_records

    hook = current_host().hook
    with _scope_of_user(user):
        hook.erase_personal_data(user=user)
    erase_core_records(user)
    with _scope_of_user(user):
        session.delete(user)
        session.flush()


def export_user(user: User) -> dict[str, Any]:
    """Everything the platform stores about a user (Art. 15/20), by plugin."""
    host = current_host()
    data: dict[str, Any] = {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "roles": sorted(user.roles),
            "tenant_id": user.tenant_id,
            "created_at": user.created_at.isoformat(),
            "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
            "locale": user.locale,
        }
    }
    with _scope_of_user(user):
        for plugin_name, result in host.call_each("export_personal_data", user=user):
            data[plugin_name] = result
    return data


# ---------------------------------------------------------------------------------
# API tokens
# ---------------------------------------------------------------------------------


def token_digest(secret: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(
    name: str, tenant: Tenant | None = None, days: int | None = None, user: User | None = None
) -> tuple[ApiToken, str]:
    """Create an API token; returns the row and the secret, which is shown only once.

    :param tenant: None for an operator token, else the one tenant it may act on.
    :param days: validity; default ``API_TOKEN_DEFAULT_DAYS``; 0 means no expiry.
    :param user: makes a personal token acting with this account's roles; its tenant
        is the account's.
    """
    if user is not None and tenant is not None and tenant.id != user.tenant_id:
        raise ValidationError(
            "a personal token belongs to the account's own tenant",
            field="tenant",
            code="token.tenant.not_own",
        )
    if not name.strip():
        raise ValidationError("must not be empty", field="name", code="token.name.required")
    days = current_app.config["API_TOKEN_DEFAULT_DAYS"] if days is None else days
    if days < 0:
        raise ValidationError("must not be negative", field="days", code="token.days.negative")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    tenant_id = user.tenant_id if user is not None else (tenant.id if tenant else None)
    token = ApiToken(
        tenant_id=tenant_id,
        user_id=user.id if user is not None else None,
        name=name.strip(),
        token_digest=token_digest(secret),
        prefix=secret[:12],
        expires_at=utcnow() + dt.timedelta(days=days) if days else None,
    )
    with tenant_context(tenant_id) if tenant_id is not None else platform_context():
        session.add(token)
        session.flush()
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    """The personal tokens of an account, newest first."""
    with _scope_of_user(user):
        stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        return list(session.scalars(stmt))


def resolve_token(secret: str) -> ApiToken | None:
    """The valid token with this secret, or None (unknown, revoked or expired)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    with cross_tenant("find the API token presented in a request, before its tenant is known"):
        # The account of a personal token is loaded here, in the cross-tenant block:
        # a request without a tenant (/api/v1/me) could not see it afterwards.
        token = session.scalar(
            select(ApiToken)
            .options(joinedload(ApiToken.user))
            .where(ApiToken.token_digest == token_digest(secret))
        )
        now = utcnow()
        if token is None or not token.is_valid(now):
            return None
        # Write the last use at most once a minute: not a write on every request.
        if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
            token.last_used_at = now
            session.commit()
    return token


def list_tokens() -> list[ApiToken]:
    """Every token of every tenant and the platform (for the operator)."""
    with cross_tenant("operator lists all API tokens"):
        return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke_token(token_id: int) -> ApiToken:
    """Revoke a token by id (the operator's CLI)."""
    with cross_tenant("operator revokes an API token"):
        token = session.get(ApiToken, token_id)
        if token is None:
            raise NotFoundError(
                "no API token with id %(token_id)s",
                field="token",
                code="token.not_found",
                token_id=token_id,
            )
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            session.flush()
    return token


def _scope_of(tenant: Tenant | None) -> Any:
    return tenant_context(tenant) if tenant is not None else platform_context()


def _scope_of_user(user: User) -> Any:
    return tenant_context(user.tenant_id) if user.tenant_id is not None else platform_context()
