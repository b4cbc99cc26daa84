"""Billing's parties: who issues invoices (``Issuer``) and who pays for tenants (``Sponsor``).

Both are platform data, not a tenant's: an issuer is the platform operator or, for
cost shares, e.g. a Landkreis; a sponsor is a payer that is not a tenant, e.g. the
Staatskanzlei NRW. Invoices take a snapshot of the parties' data when a draft is made
(:mod:`plugins.billing.invoice_models`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core import Base, utcnow


class PartyData:
    """Columns every party has: name, address, electronic address, tax identifiers."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), default="DE")
    electronic_address: Mapped[str] = mapped_column(String(254))
    vat_id: Mapped[str | None] = mapped_column(String(20))
    tax_number: Mapped[str | None] = mapped_column(String(30))
    registration_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Issuer(PartyData, Base):
    """Who issues invoices: the platform operator, or e.g. a Landkreis for cost shares."""

    __tablename__ = "billing_issuer"

    contact_name: Mapped[str] = mapped_column(String(200))
    contact_phone: Mapped[str] = mapped_column(String(50))
    contact_email: Mapped[str] = mapped_column(String(254))
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    number_prefix: Mapped[str] = mapped_column(String(20))
    payment_days: Mapped[int] = mapped_column(Integer, default=30)
    # The tenant the issuer is (a Landkreis issuing cost shares): it is not billed
    # its own share. Not named tenant_id: an issuer is platform data, not the tenant's.
    own_tenant_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_tenant.id", ondelete="SET NULL")
    )


class Sponsor(PartyData, Base):
    """A payer that is not a tenant, e.g. the Staatskanzlei NRW."""

    __tablename__ = "billing_sponsor"

    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    leitweg_id: Mapped[str | None] = mapped_column(String(46))
    iban: Mapped[str | None] = mapped_column(String(34))
