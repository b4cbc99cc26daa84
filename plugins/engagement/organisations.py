"""Organisations that offer engagement: register, edit, members, verification.

An organisation is registered unverified; its offers wait for review until a tenant
admin verifies it. Every function validates all input before writing anything; the
caller commits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from core import (
    ConflictError,
    ErrorCollector,
    NotFoundError,
    PermissionDenied,
    Role,
    Tenant,
    User,
    ValidationError,
    accounts,
    audit,
    refuse_control_characters,
    session,
    tenant_context,
    utcnow,
)
from plugins.engagement.models import (
    Membership,
    Organisation,
    OrganisationKind,
)
from plugins.engagement.offers import PLZ, text_value

URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.IGNORECASE)


def organisation_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate an organisation's details and return column values (nothing is written).

    :raises ValidationErrors: naming every field that breaks a rule.
    """
    errors = ErrorCollector()
    kind = errors.run(_organisation_kind, data.get("kind"))
    name = errors.run(text_value, data, "name", 200, required=True)
    if name:
        errors.run(refuse_control_characters, name, "name")
    website = errors.run(_website, data)
    plz = errors.run(text_value, data, "plz", 5) or None
    if plz and not PLZ.match(plz):
        errors.errors.append(
            ValidationError(
                "must be a postcode of 5 digits",
                field="plz",
                code="engagement.organisation.plz.invalid",
            )
        )
    values = {
        "name": name,
        "kind": kind,
        "description": errors.run(text_value, data, "description", 5000),
        "website": website,
        "contact_email": errors.run(_contact_email, data),
        "phone": errors.run(text_value, data, "phone", 50) or None,
        "plz": plz,
        "place": errors.run(text_value, data, "place", 100) or None,
    }
    errors.raise_any()
    return values


def _organisation_kind(raw: Any) -> OrganisationKind:
    try:
        return OrganisationKind(raw)
    except ValueError:
        raise ValidationError(
            "%(kind)r is not one of: %(kinds)s",
            field="kind",
            code="engagement.organisation.kind.unknown_choice",
            kind=raw,
            kinds=", ".join(k.value for k in OrganisationKind),
        ) from None


def _website(data: Mapping[str, Any]) -> str | None:
    website = text_value(data, "website", 300) or None
    if website and not URL.match(website):
        raise ValidationError(
            "must be a web address starting with https:// or http://",
            field="website",
            code="engagement.organisation.website.invalid",
        )
    return website


def _contact_email(data: Mapping[str, Any]) -> str:
    try:
        return accounts.normalise_email(str(data.get("contact_email") or ""))
    except ValidationError as exc:
        raise exc.with_field("contact_email") from None


def create_organisation(
    tenant: Tenant, data: Mapping[str, Any], founder: User | None = None
) -> Organisation:
    """Register an organisation at ``tenant``; the founder becomes its first member.

    :raises ValidationError: a field breaks a rule (named).
    :raises ConflictError: the tenant has an organisation of that name.
    """
    values = organisation_values(data)
    with tenant_context(tenant):
        if session.scalar(select(Organisation.id).where(Organisation.name == values["name"])):
            raise ConflictError(
                "an organisation named %(name)r exists here",
                field="name",
                code="engagement.organisation.name.exists",
                name=values["name"],
            )
        organisation = Organisation(**values)
        session.add(organisation)
        session.flush()
        if founder is not None:
            add_member(organisation, founder)
    return organisation


def update_organisation(organisation: Organisation, data: Mapping[str, Any]) -> Organisation:
    """Change an organisation's details (the name stays unique within the tenant)."""
    values = organisation_values(data)
    with tenant_context(organisation.tenant_id):
        clash = session.scalar(
            select(Organisation.id).where(
                Organisation.name == values["name"], Organisation.id != organisation.id
            )
        )
        if clash:
            raise ConflictError(
                "an organisation named %(name)r exists here",
                field="name",
                code="engagement.organisation.name.exists",
                name=values["name"],
            )
        for key, value in values.items():
            setattr(organisation, key, value)
        session.flush()
    return organisation


def add_member(organisation: Organisation, user: User) -> Membership:
    """Let an account of the same tenant manage the organisation."""
    if user.tenant_id != organisation.tenant_id:
        raise ValidationError(
            "the account belongs to another municipality",
            field="email",
            code="engagement.member.other_tenant",
        )
    with tenant_context(organisation.tenant_id):
        existing = session.scalar(
            select(Membership).where(
                Membership.organisation_id == organisation.id, Membership.user_id == user.id
            )
        )
        if existing is not None:
            return existing
        membership = Membership(organisation_id=organisation.id, user_id=user.id)
        session.add(membership)
        session.flush()
    accounts.grant_role(user, Role.ORGANISATION_MEMBER)
    return membership


def add_member_by_email(organisation: Organisation, email: str) -> Membership:
    """Add the account with this e-mail address at the organisation's tenant."""
    tenant = session.get(Tenant, organisation.tenant_id)
    user = accounts.find_user(accounts.normalise_email(email), tenant)
    if user is None:
        raise NotFoundError(
            "no account with this e-mail address here; ask the person to register first",
            field="email",
            code="engagement.member.not_found",
        )
    return add_member(organisation, user)


def is_member(user: User | None, organisation: Organisation) -> bool:
    """Whether ``user`` manages the organisation."""
    if user is None or user.tenant_id != organisation.tenant_id:
        return False
    with tenant_context(organisation.tenant_id):
        return (
            session.scalar(
                select(Membership.id).where(
                    Membership.organisation_id == organisation.id, Membership.user_id == user.id
                )
            )
            is not None
        )


def organisations_of(user: User) -> list[Organisation]:
    """The organisations ``user`` manages."""
    with tenant_context(user.tenant_id):
        stmt = (
            select(Organisation)
            .join(Membership)
            .where(Membership.user_id == user.id)
            .order_by(Organisation.name)
        )
        return list(session.scalars(stmt))


def set_verified(organisation: Organisation, verified: bool) -> None:
    """Mark an organisation as verified (its offers publish without review) or not."""
    with tenant_context(organisation.tenant_id):
        organisation.verified = verified
        organisation.verified_at = utcnow() if verified else None
        session.flush()
        audit.record(
            "engagement.organisation.verified"
            if verified
            else "engagement.organisation.unverified",
            f"engagement_organisation:{organisation.id}",
            tenant=session.get(Tenant, organisation.tenant_id),
        )


def require_member(user: User | None, organisation: Organisation) -> None:
    """Refuse anyone who does not manage the organisation."""
    if not is_member(user, organisation):
        raise PermissionDenied(
            "you do not manage this organisation",
            field="organisation",
            code="engagement.organisation.not_member",
        )
