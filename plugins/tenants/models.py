"""The tenants plugin's own table: invitations that hand a tenant's administration over.

Everything else the plugin works with is core data (``core_tenant``,
``core_subscription``, ``core_user``, ``core_audit_entry``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import Base, Tenant, TenantScoped, utcnow


class TenantsInvitation(TenantScoped, Base):
    """A one-time link that lets a person become an admin of one tenant.

    Only the SHA-256 digest of the link's secret is stored (the secret is 256 bits of
    randomness, so a slow hash would add nothing). The invitation is single-use
    (``accepted_at``), expires (``expires_at``) and is revoked when the operator
    invites the same address again (``revoked_at``).
    """

    __tablename__ = "tenants_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    accepted_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id", ondelete="SET NULL"))

    tenant: Mapped[Tenant] = relationship()

    def state(self, now: dt.datetime) -> str:
        """``pending``, ``accepted``, ``revoked`` or ``expired`` at ``now``."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if now >= self.expires_at:
            return "expired"
        return "pending"

    def __repr__(self) -> str:
        return f"<TenantsInvitation {self.id} {self.email} tenant={self.tenant_id}>"
