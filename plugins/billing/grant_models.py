"""Grants (Zuwendungen): money a funder grants a recipient, passed on to partners.

A grant is not an invoice. The funder (e.g. the Land NRW) grants an amount to a
recipient (e.g. the coordinating Kreis); the recipient keeps its own part and passes
the rest on to the project partners as *payouts*, each recorded as a payment advice
(Auszahlungsanordnung) with its own number — money flows from the recipient to the
partners, never the other way (seed 004: "Die Fördersumme wurde zu gleichen Teilen
auf die vier Projektpartner ... aufgeteilt").

Money is stored as integer cents, percentages as hundredths (1000 = 10 %).

Ownership: like invoices, grants are the recipient's records that name their
partners (``recipient_tenant_id``, ``partner_tenant_id``); tenant pages read them only
through :func:`plugins.billing.grants.grants_of_tenant`, which returns the grants a
tenant receives or takes part in.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import Base, Tenant, utcnow


class Grant(Base):
    """A grant (Zuwendung): funder, recipient, purpose, requested and granted amount."""

    __tablename__ = "billing_grant"
    __table_args__ = (
        CheckConstraint("granted_cents <= requested_cents", name="granted_le_requested"),
        CheckConstraint("last_year >= first_year", name="year_span"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(200))
    funder: Mapped[str] = mapped_column(String(200))
    # The funder's reference (Zuwendungsbescheid, Aktenzeichen), if known.
    funder_ref: Mapped[str | None] = mapped_column(String(100))
    recipient_tenant_id: Mapped[int] = mapped_column(
        ForeignKey("core_tenant.id", ondelete="RESTRICT"), index=True
    )
    requested_cents: Mapped[int] = mapped_column(Integer)
    granted_cents: Mapped[int] = mapped_column(Integer)
    # Own share the funding rules require, in hundredths of a percent of the
    # requested (eligible) amount: 1000 = 10 %.
    own_share_bp: Mapped[int] = mapped_column(Integer, default=0)
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    # The recipient's budget position for the payouts (Produkt / Sachkonto).
    budget_position: Mapped[str | None] = mapped_column(String(100))
    # Prefix of the payment advice numbers, e.g. "AO-OZG".
    number_prefix: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    recipient: Mapped[Tenant] = relationship(lazy="joined")
    shares: Mapped[list[GrantShare]] = relationship(
        back_populates="grant",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="(GrantShare.position, GrantShare.year)",
    )
    payouts: Mapped[list[GrantPayout]] = relationship(
        back_populates="grant", lazy="selectin", order_by="GrantPayout.id"
    )


class GrantShare(Base):
    """One line of the disbursement plan: a partner's part of the grant in a year."""

    __tablename__ = "billing_grant_share"
    __table_args__ = (UniqueConstraint("grant_id", "partner_tenant_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("billing_grant.id", ondelete="CASCADE"))
    partner_tenant_id: Mapped[int] = mapped_column(
        ForeignKey("core_tenant.id", ondelete="RESTRICT"), index=True
    )
    # The partner's position in the grant (order of the split's remaining cents).
    position: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)

    grant: Mapped[Grant] = relationship(back_populates="shares")
    partner: Mapped[Tenant] = relationship(lazy="joined")


class GrantPayout(Base):
    """A payout to a partner, recorded as a payment advice (Auszahlungsanordnung)."""

    __tablename__ = "billing_grant_payout"
    __table_args__ = (
        UniqueConstraint("grant_id", "number"),
        CheckConstraint("amount_cents > 0", name="positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(
        ForeignKey("billing_grant.id", ondelete="RESTRICT"), index=True
    )
    partner_tenant_id: Mapped[int] = mapped_column(
        ForeignKey("core_tenant.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[str] = mapped_column(String(40))
    # The plan year the payout counts against.
    year: Mapped[int] = mapped_column(Integer)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(Integer)
    budget_position: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    grant: Mapped[Grant] = relationship(back_populates="payouts")
    partner: Mapped[Tenant] = relationship(lazy="joined")
