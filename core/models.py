"""Core's tables: tenants, subscriptions, accounts, API tokens, audit log, mail outbox.

Every tenant-owned row carries its tenant (``TenantScoped``). Rows that may belong
to the platform itself (operator accounts, operator tokens, platform audit entries,
platform mail) have ``__platform_rows__`` and a NULL tenant there.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, enum_column_type, utcnow
from core.tenancy import TenantScoped


class TenantKind(enum.StrEnum):
    """The kind of Kommune (or Land) a tenant is.

    A kreisfreie Stadt and a Stadtstaat are one tenant each, keyed by their Gemeinde
    AGS (8 digits); their Kreis (and Land) keys are aliases (:class:`TenantAlias`).
    """

    LAND = "land"
    KREIS = "kreis"
    GEMEINDE = "gemeinde"
    KREISFREIE_STADT = "kreisfreie_stadt"
    STADTSTAAT = "stadtstaat"

    @property
    def label(self) -> str:
        """The kind as pages show it ("Kreisfreie Stadt"), in the page's language."""
        return str(_KIND_LABELS[self])

    @property
    def is_municipality(self) -> bool:
        """Whether the tenant is a Gemeinde (kreisfrei or not, or a Stadtstaat)."""
        return self in (TenantKind.GEMEINDE, TenantKind.KREISFREIE_STADT, TenantKind.STADTSTAAT)


_KIND_LABELS = {
    TenantKind.LAND: _l("Land"),
    TenantKind.KREIS: _l("District"),
    TenantKind.GEMEINDE: _l("Municipality"),
    TenantKind.KREISFREIE_STADT: _l("Independent city"),
    TenantKind.STADTSTAAT: _l("City state"),
}


class TenantStatus(enum.StrEnum):
    """Where a tenant is in its life on the platform."""

    REQUESTED = "requested"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    OFFBOARDED = "offboarded"


class Tenant(Base):
    """A municipality (Gemeinde), Kreis or Land using the platform.

    The tenant row is the platform's registry entry, not tenant-owned data, so it is
    not itself scoped; everything the tenant owns points here with ``tenant_id``.
    """

    __tablename__ = "core_tenant"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    ags: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[TenantKind] = mapped_column(enum_column_type(TenantKind, "tenant_kind"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_tenant.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[TenantStatus] = mapped_column(
        enum_column_type(TenantStatus, "tenant_status"), default=TenantStatus.REQUESTED
    )
    hostname: Mapped[str | None] = mapped_column(String(253), unique=True)
    # Portal branding.
    display_name: Mapped[str | None] = mapped_column(String(200))
    brand_colour: Mapped[str | None] = mapped_column(String(7))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_mime: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # Invoicing master data (§ 14 UStG address; Leitweg-ID for XRechnung BT-10).
    invoice_recipient: Mapped[str | None] = mapped_column(String(200))
    address_street: Mapped[str | None] = mapped_column(String(200))
    address_postcode: Mapped[str | None] = mapped_column(String(10))
    address_city: Mapped[str | None] = mapped_column(String(100))
    leitweg_id: Mapped[str | None] = mapped_column(String(46))
    invoice_email: Mapped[str | None] = mapped_column(String(254))
    # A Gemeinde may let the admins of its Kreis administer it.
    parent_may_administer: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    parent: Mapped[Tenant | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Tenant]] = relationship(back_populates="parent")

    @property
    def title(self) -> str:
        """The name shown on the portal."""
        return self.display_name or self.name

    @property
    def serves_citizens(self) -> bool:
        """Whether the tenant's services answer citizens (not while suspended)."""
        return self.status == TenantStatus.ACTIVE

    def __repr__(self) -> str:
        return f"<Tenant {self.slug} {self.ags}>"


class TenantAlias(Base):
    """Another register key of a tenant's Kommune: the Kreis AGS of a kreisfreie
    Stadt (05515 for Münster, 05515000), the Land and Kreis AGS of a Stadtstaat.

    Registry data like :class:`Tenant`, so not tenant-scoped; the column is named
    ``alias_of_id`` so that tenant exports and purges leave it alone.
    """

    __tablename__ = "core_tenant_alias"

    ags: Mapped[str] = mapped_column(String(8), primary_key=True)
    alias_of_id: Mapped[int] = mapped_column(
        ForeignKey("core_tenant.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    tenant: Mapped[Tenant] = relationship()


class Subscription(TenantScoped, Base):
    """A tenant's connection (Anschluss) to one service for a period of days.

    ``ends_on`` is the last day of service (inclusive); None means open-ended. The
    status is derived from the dates, so it can never go stale.
    """

    __tablename__ = "core_subscription"
    __table_args__ = (Index("ix_core_subscription_tenant_service", "tenant_id", "service_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_key: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(20))
    # The day notice was given for the end (None: not known, e.g. a recorded past end).
    notice_on: Mapped[dt.date | None] = mapped_column(Date)
    # The call-off (Einzelabruf) or contract reference the connection rests on.
    contract_ref: Mapped[str | None] = mapped_column(String(100))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    tenant: Mapped[Tenant] = relationship()

    def status_on(self, day: dt.date) -> str:
        """``scheduled``, ``active`` or ``ended`` on the given day."""
        if day < self.starts_on:
            return "scheduled"
        if self.ends_on is not None and day > self.ends_on:
            return "ended"
        return "active"

    @property
    def status(self) -> str:
        """The status today."""
        return self.status_on(dt.date.today())

    def covers(self, day: dt.date) -> bool:
        """Whether the service is active on ``day``."""
        return self.status_on(day) == "active"

    def __repr__(self) -> str:
        return (
            f"<Subscription {self.tenant_id}:{self.service_key} {self.starts_on}..{self.ends_on}>"
        )


class Role(enum.StrEnum):
    """What a user may do. Least privilege: each role grants only its own pages."""

    OPERATOR = "operator"
    TENANT_ADMIN = "tenant_admin"
    ORGANISATION_MEMBER = "organisation_member"
    CITIZEN = "citizen"


def new_pseudonym() -> str:
    """A random pseudonym for an account (``u`` and 12 hex digits)."""
    return "u" + secrets.token_hex(6)


class User(TenantScoped, Base):
    """An account. Operators belong to the platform; everyone else to one tenant.

    Accounts are per tenant because the Kommune is the data controller of its
    citizens' data; the same e-mail address may hold accounts at two tenants.
    """

    __tablename__ = "core_user"
    __platform_rows__ = True
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200), info={"secret": True})
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]
    # Raised by logout, password change and erasure: a login session remembers the
    # version it started with and is void once the account's version moved on.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # How the audit log and other records name the person (``user:<id>:<pseudonym>``),
    # never by e-mail or name: random, so it says nothing once the account is erased.
    pseudonym: Mapped[str] = mapped_column(String(16), default=new_pseudonym)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[Role]:
        """The user's roles."""
        return {row.role for row in self.role_rows}

    def has_role(self, role: Role) -> bool:
        """Whether the user holds ``role``."""
        return role in self.roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(TenantScoped, Base):
    """One role held by one user (in the user's tenant)."""

    __tablename__ = "core_user_role"
    __platform_rows__ = True
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column_type(Role, "user_role"))

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(TenantScoped, Base):
    """A bearer token for the HTTP API, scoped to the operator or to one tenant.

    A *personal* token belongs to an account (``user_id``) and acts with exactly that
    account's roles at its tenant, so citizens and organisation members can use the
    API for what they may do on the pages. Only a SHA-256 digest is stored: tokens are
    256-bit random strings, so a slow password hash would add nothing but latency to
    every API call.
    """

    __tablename__ = "core_api_token"
    __platform_rows__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True, info={"secret": True})
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_user.id", ondelete="CASCADE"), index=True
    )

    user: Mapped[User | None] = relationship()

    @property
    def scope(self) -> str:
        """``personal`` (acts as its account), ``operator`` or ``tenant``."""
        if self.user_id is not None:
            return "personal"
        return "operator" if self.tenant_id is None else "tenant"

    def is_valid(self, now: dt.datetime) -> bool:
        """Neither revoked nor expired at ``now``."""
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or now < self.expires_at


class AuditEntry(TenantScoped, Base):
    """Who did what, when and why. Written by ``core.audit.record``; never updated."""

    __tablename__ = "core_audit_entry"
    __platform_rows__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OutboxStatus(enum.StrEnum):
    """Delivery state of a queued mail."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(TenantScoped, Base):
    """A mail waiting to be sent: a mail server outage loses nothing.

    ``dedup_key`` makes queueing idempotent: queueing the same notification twice
    (a re-run of a job) stores it once.
    """

    __tablename__ = "core_outbox_message"
    __platform_rows__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(64), index=True)
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(250))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column_type(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    send_after: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    # Set while one sender delivers the message (a lease: see core.mail).
    claimed_until: Mapped[dt.datetime | None]
