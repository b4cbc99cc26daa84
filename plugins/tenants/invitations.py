"""Handing a tenant's administration over: one-time, expiring invitation links.

The operator invites an e-mail address; the link (``<BASE_URL>/admin/invitation/<secret>``)
is printed and, when mail is configured, sent through the outbox. Only the SHA-256
digest of the secret is stored. Whoever opens the link sets a password and gets a
tenant-admin account at the tenant (an existing account there confirms with its
password instead and is given the role). A link works once, until it expires
(``TENANTS_INVITATION_DAYS``, default 7) or until the same address is invited again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from core import (
    ConflictError,
    OutboxMessage,
    OutboxStatus,
    Role,
    Tenant,
    TenantStatus,
    User,
    ValidationError,
    accounts,
    audit,
    cross_tenant,
    describe_user,
    queue_mail,
    send_pending,
    session,
    tenant_context,
    utcnow,
)
from plugins.tenants.masterdata import check_email
from plugins.tenants.models import TenantsInvitation
from plugins.tenants.registry import target

LINK_PATH = "/admin/invitation/"
MAIL_CATEGORY = "tenants.invitation"
DEFAULT_DAYS = 7
MAX_DAYS = 90
REDACTED = "[link removed after sending]"


def digest(secret: str) -> str:
    """The stored form of an invitation secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def invitation_link(secret: str) -> str:
    """The absolute link for a secret (``BASE_URL`` + path)."""
    return current_app.config["BASE_URL"].rstrip("/") + LINK_PATH + secret


@dataclass
class IssuedInvitation:
    """A new invitation and its secret link (shown once)."""

    invitation: TenantsInvitation
    link: str
    mail_queued: bool = False

    def as_dict(self, tenant: Tenant) -> dict[str, Any]:
        """What ``invite-admin --json`` prints."""
        return {
            "tenant": tenant.slug,
            "email": self.invitation.email,
            "link": self.link,
            "expires_at": self.invitation.expires_at,
            "mail_queued": self.mail_queued,
        }


def invite_admin(tenant: Tenant, email: str, *, days: int | None = None) -> IssuedInvitation:
    """Create an invitation for ``email`` to administer ``tenant``; earlier pending
    invitations of the same address are revoked. Audited; the caller commits."""
    if tenant.status == TenantStatus.OFFBOARDED:
        raise ValidationError(
            "tenant %(tenant_slug)r is offboarded",
            field="tenant",
            code="tenants.invitation.tenant.offboarded",
            tenant_slug=tenant.slug,
        )
    address = check_email(email, "email")
    if address is None:
        raise ValidationError(
            "must not be empty", field="email", code="tenants.invitation.email.required"
        )
    if days is None:  # an environment variable arrives as text
        days = int(current_app.config.get("TENANTS_INVITATION_DAYS", DEFAULT_DAYS))
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(
            "must be between 1 and %(max_days)s days, not %(days)s",
            field="days",
            code="tenants.invitation.days.out_of_range",
            max_days=MAX_DAYS,
            days=days,
        )
    existing = accounts.find_user(address, tenant)
    if existing is not None and existing.has_role(Role.TENANT_ADMIN):
        raise ConflictError(
            "%(address)s is already an admin of %(tenant_slug)r",
            field="email",
            code="tenants.invitation.email.exists",
            address=address,
            tenant_slug=tenant.slug,
        )
    now = utcnow()
    secret = secrets.token_urlsafe(32)
    with tenant_context(tenant):
        session.execute(
            update(TenantsInvitation)
            .where(TenantsInvitation.email == address, TenantsInvitation.accepted_at.is_(None))
            .where(TenantsInvitation.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        invitation = TenantsInvitation(
            tenant_id=tenant.id,
            email=address,
            token_digest=digest(secret),
            invited_by=audit.current_actor(),
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        session.add(invitation)
        session.flush()
    audit.record(
        "tenant.admin_invited",
        target(tenant),
        tenant=tenant,
        details={
            "email": address,
            "invitation": invitation.id,
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    return IssuedInvitation(invitation, invitation_link(secret))


def mail_configured() -> bool:
    """Whether invitations are sent by mail (``MAIL_SERVER`` is set)."""
    return bool(current_app.config.get("MAIL_SERVER"))


def queue_invitation_mail(issued: IssuedInvitation, tenant: Tenant) -> bool:
    """Put the invitation mail into the outbox when mail is configured."""
    if not mail_configured():
        return False
    expires = issued.invitation.expires_at.strftime("%d.%m.%Y %H:%M UTC")
    body = (
        f"Guten Tag,\n\nSie sind eingeladen, {tenant.title} auf der Plattform Rathaus zu "
        "verwalten.\n"
        f"Öffnen Sie diesen Link, um Ihr Passwort festzulegen (einmalig gültig bis {expires}):\n\n"
        f"{issued.link}\n\nWenn Sie diese Einladung nicht erwartet haben, ignorieren Sie diese "
        "E-Mail.\n\n"
        f"---\n\nHello,\n\nYou are invited to administer {tenant.title} on the Rathaus platform.\n"
        f"Open this link to set your password (valid once, until {expires}):\n\n{issued.link}\n\n"
        "If you did not expect this invitation, please ignore this e-mail.\n"
    )
    queued = queue_mail(
        issued.invitation.email,
        f"Einladung: {tenant.title} verwalten / Invitation to administer {tenant.title}",
        body,
        category=MAIL_CATEGORY,
        tenant=tenant,
        dedup_key=f"{MAIL_CATEGORY}:{tenant.id}:{issued.invitation.id}",
    )
    issued.mail_queued = queued is not None
    return issued.mail_queued


def deliver_invitation_mail() -> dict[str, int]:
    """Send queued invitation mail now and remove the links from sent messages, so
    that the outbox does not keep usable secrets. Commits (as the sender does)."""
    report = send_pending(category_prefix=MAIL_CATEGORY)
    with cross_tenant("remove secret invitation links from every tenant's sent mail"):
        sent = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.category == MAIL_CATEGORY,
                OutboxMessage.status == OutboxStatus.SENT,
                OutboxMessage.body_text.contains(LINK_PATH),
            )
        )
        for message in sent:
            message.body_text = _redact(message.body_text)
        session.commit()
    return report.as_dict()


def _redact(text: str) -> str:
    return "\n".join(REDACTED if LINK_PATH in line else line for line in text.split("\n"))


# ---------------------------------------------------------------------------------
# Accepting
# ---------------------------------------------------------------------------------


def find_invitation(secret: str) -> TenantsInvitation | None:
    """The invitation a link's secret belongs to, whatever its state."""
    if not secret or len(secret) > 200:
        return None
    with cross_tenant("resolve an invitation link before its tenant is known"):
        return session.scalar(
            select(TenantsInvitation).where(TenantsInvitation.token_digest == digest(secret))
        )


def state(invitation: TenantsInvitation) -> str:
    """``pending``, ``accepted``, ``revoked``, ``expired``, or ``void`` (tenant offboarded)."""
    if invitation.tenant.status == TenantStatus.OFFBOARDED:
        return "void"
    return invitation.state(utcnow())


def existing_account(invitation: TenantsInvitation) -> User | None:
    """The account the invited address already has at the tenant, if any."""
    return accounts.find_user(invitation.email, invitation.tenant)


def accept(
    invitation: TenantsInvitation,
    *,
    display_name: str | None = None,
    password: str | None = None,
    user: User | None = None,
) -> User:
    """Use the invitation: create a tenant-admin account (``display_name``,
    ``password``) or give an existing, authenticated account (``user``) the role.

    The invitation is claimed with a conditional UPDATE first, so that two requests
    with the same link cannot both succeed. The caller commits.
    """
    tenant = invitation.tenant
    if state(invitation) != "pending":
        raise ConflictError(
            "the invitation is %(invitation)s",
            field="invitation",
            code="tenants.invitation.not_open",
            invitation=state(invitation),
        )
    if user is None and password is not None:
        accounts.validate_password(password)
    with tenant_context(tenant):
        claimed = session.execute(
            update(TenantsInvitation)
            .where(TenantsInvitation.id == invitation.id, TenantsInvitation.accepted_at.is_(None))
            .values(accepted_at=utcnow())
        )
        if claimed.rowcount != 1:
            raise ConflictError(
                "the invitation has already been used",
                field="invitation",
                code="tenants.invitation.used",
            )
        if user is None:
            user = accounts.create_user(
                invitation.email, display_name or "", password, [Role.TENANT_ADMIN], tenant
            )
        else:
            accounts.grant_role(user, Role.TENANT_ADMIN)
        session.execute(
            update(TenantsInvitation)
            .where(TenantsInvitation.id == invitation.id)
            .values(user_id=user.id)
        )
    audit.record(
        "tenant.admin_joined",
        target(tenant),
        tenant=tenant,
        actor=describe_user(user),
        details={"invitation": invitation.id},
    )
    session.expire(invitation)
    return user


def erase_invitations(user: User) -> None:
    """Erasure (Art. 17): invitations to the person's address go; where the person
    invited others under an old-style actor (with the e-mail), the actor is scrubbed."""
    from core import personal_values, scrub_text

    values = personal_values(user)
    with cross_tenant("erasure finds invitations a person sent or received at any tenant"):
        for invitation in session.scalars(select(TenantsInvitation)):
            if invitation.email == user.email and invitation.tenant_id == user.tenant_id:
                session.delete(invitation)
            else:
                invitation.invited_by = scrub_text(invitation.invited_by, values) or ""
        session.flush()
