"""Billing's invoices: documents, their lines, the claims on billed items, numbering.

An invoice (type 380) or cancellation document (type 381) is written as a draft by
the billing run and made final, with a gapless number from ``NumberCounter``, by
finalisation; a final document never changes (GoBD). ``BilledItem`` is the claim that
an item was billed, unique per item, so no item is billed twice.

Money is stored as integer cents (``*_cents``), VAT rates as hundredths of a percent
(``vat_rate_bp``: 1900 = 19 %), so that SQLite and PostgreSQL agree to the cent.

Ownership: invoices are the *issuer's* business records, which the issuer must keep
for ten years (GoBD, § 147 AO); they name their payer (``payer_tenant_id`` or
``sponsor_id``) and are not deleted with a tenant's data. Tenant pages read them only
through :func:`plugins.billing.invoices.invoices_of_tenant`.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import Base, Tenant, enum_column_type, utcnow
from plugins.billing.party_models import Issuer, Sponsor
from plugins.billing.vat import VatCategory


class InvoiceStatus(enum.StrEnum):
    """A draft can still change; a final document never does (GoBD)."""

    DRAFT = "draft"
    FINAL = "final"


class Invoice(Base):
    """An invoice (type 380) or cancellation document (type 381) of one issuer.

    The parties' data is a snapshot taken when the draft is made (``seller`` and
    ``buyer``): a finalised document must show what was true when it was issued.
    While a draft, ``open_key`` (issuer, payer, period, VAT category) is set and
    unique, so two billing runs cannot open two drafts for the same payer.
    """

    __tablename__ = "billing_invoice"
    __table_args__ = (
        UniqueConstraint("issuer_id", "number"),
        Index("ix_billing_invoice_period", "period"),
        CheckConstraint("type_code IN ('380', '381')", name="type_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(
        ForeignKey("billing_issuer.id", ondelete="RESTRICT"), index=True
    )
    payer_tenant_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_tenant.id", ondelete="RESTRICT"), index=True
    )
    sponsor_id: Mapped[int | None] = mapped_column(
        ForeignKey("billing_sponsor.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[InvoiceStatus] = mapped_column(
        enum_column_type(InvoiceStatus, "billing_invoice_status"), default=InvoiceStatus.DRAFT
    )
    type_code: Mapped[str] = mapped_column(String(3), default="380")
    open_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    number: Mapped[str | None] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(7))
    vat_category: Mapped[VatCategory] = mapped_column(
        enum_column_type(VatCategory, "billing_vat_category")
    )
    exemption_reason: Mapped[str | None] = mapped_column(String(200))
    issue_date: Mapped[dt.date | None] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    service_start: Mapped[dt.date] = mapped_column(Date)
    service_end: Mapped[dt.date] = mapped_column(Date)
    net_cents: Mapped[int] = mapped_column(Integer, default=0)
    vat_cents: Mapped[int] = mapped_column(Integer, default=0)
    gross_cents: Mapped[int] = mapped_column(Integer, default=0)
    seller: Mapped[dict[str, Any]] = mapped_column(JSON)
    buyer: Mapped[dict[str, Any]] = mapped_column(JSON)
    cancels_id: Mapped[int | None] = mapped_column(
        ForeignKey("billing_invoice.id", ondelete="RESTRICT"), unique=True
    )
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finalized_at: Mapped[dt.datetime | None]

    issuer: Mapped[Issuer] = relationship(lazy="joined")
    payer_tenant: Mapped[Tenant | None] = relationship(lazy="joined")
    sponsor: Mapped[Sponsor | None] = relationship(lazy="joined")
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", lazy="selectin"
    )
    cancels: Mapped[Invoice | None] = relationship(remote_side=[id], foreign_keys=[cancels_id])


class InvoiceLine(Base):
    """One line of an invoice: what, how many, at what price, for which period."""

    __tablename__ = "billing_invoice_line"
    __table_args__ = (UniqueConstraint("invoice_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("billing_invoice.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    item_key: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(300))
    # The municipality the line is for (a sponsor's invoice names it on every line).
    for_tenant_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_tenant.id", ondelete="RESTRICT")
    )
    service_key: Mapped[str | None] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(String(3), default="C62")
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    net_cents: Mapped[int] = mapped_column(Integer)
    vat_category: Mapped[VatCategory] = mapped_column(
        enum_column_type(VatCategory, "billing_vat_category")
    )
    vat_rate_bp: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    # The payer's budget position (BT-133), copied from the contract or pool member.
    budget_position: Mapped[str | None] = mapped_column(String(100))

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class BilledItem(Base):
    """The claim that an item (a month's fee, a pool year...) has been billed.

    ``item_key`` is the item's natural key and unique: the database, not only the
    application, refuses a second bill for the same item, also from a concurrent run.
    A cancellation deletes its original's claims so the items can be billed anew.
    """

    __tablename__ = "billing_billed_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_key: Mapped[str] = mapped_column(String(120), unique=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("billing_invoice.id", ondelete="CASCADE"), index=True
    )


class NumberCounter(Base):
    """The last number used in an issuer's series for a year (gapless numbering)."""

    __tablename__ = "billing_number_counter"
    __table_args__ = (UniqueConstraint("issuer_id", "series", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("billing_issuer.id", ondelete="RESTRICT"))
    series: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
