"""Billing's price lists and contracts: tariffs in versions, contracts, sponsorships.

A tariff prices one service; its versions (by valid-from date) hold the fees, the
interval, proration, VAT and terms, and the tracked quantities (``TariffMetric``) with
their unit prices. A contract is the priced side of one subscription and pins a
version. A sponsorship has a sponsor pay a service's fees for all tenants or some;
when it ends, the contracts it paid get a special termination right.

Money is stored as integer cents (``*_cents``), VAT rates as hundredths of a percent
(``vat_rate_bp``: 1900 = 19 %).

Ownership: contracts and special termination rights belong to the tenant
(``TenantScoped``); tariffs and sponsorships are platform data.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import Base, TenantScoped, enum_column_type, utcnow
from plugins.billing.budget import BudgetColumns
from plugins.billing.party_models import Issuer, Sponsor
from plugins.billing.vat import VatCategory


class Interval(enum.StrEnum):
    """How often a recurring fee is due (always billed in advance)."""

    MONTHLY = "monthly"
    YEARLY = "yearly"


class Proration(enum.StrEnum):
    """How a period that is only partly covered is charged."""

    NONE = "none"  # a partial period is not charged
    WHOLE_PERIOD = "whole_period"  # a started period is charged in full
    BY_DAY = "by_day"  # charged for the days covered


class Tariff(Base):
    """The price list of one service, in versions by valid-from date."""

    __tablename__ = "billing_tariff"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    service_key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer_id: Mapped[int] = mapped_column(
        ForeignKey("billing_issuer.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    issuer: Mapped[Issuer] = relationship()
    versions: Mapped[list[TariffVersion]] = relationship(
        back_populates="tariff", order_by="TariffVersion.valid_from", lazy="selectin"
    )


class TariffVersion(Base):
    """The prices of a tariff from ``valid_from`` on; contracts pin one version."""

    __tablename__ = "billing_tariff_version"
    __table_args__ = (UniqueConstraint("tariff_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tariff_id: Mapped[int] = mapped_column(ForeignKey("billing_tariff.id", ondelete="CASCADE"))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    one_time_fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    # Only connections on or after this day pay the one-time fee (None: all).
    one_time_fee_from: Mapped[dt.date | None] = mapped_column(Date)
    recurring_fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    interval: Mapped[Interval] = mapped_column(enum_column_type(Interval, "billing_interval"))
    proration: Mapped[Proration] = mapped_column(enum_column_type(Proration, "billing_proration"))
    vat_category: Mapped[VatCategory] = mapped_column(
        enum_column_type(VatCategory, "billing_vat_category")
    )
    vat_rate_bp: Mapped[int] = mapped_column(Integer)
    minimum_term_months: Mapped[int] = mapped_column(Integer, default=0)
    notice_period_months: Mapped[int] = mapped_column(Integer, default=0)
    framework_ref: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(200))

    tariff: Mapped[Tariff] = relationship(back_populates="versions")
    metrics: Mapped[list[TariffMetric]] = relationship(
        back_populates="version",
        order_by="TariffMetric.metric",
        lazy="selectin",
        cascade="all, delete-orphan",
    )


class TariffMetric(Base):
    """A tracked quantity (reported through ``billable_usage``) and its unit price."""

    __tablename__ = "billing_tariff_metric"
    __table_args__ = (UniqueConstraint("version_id", "metric"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("billing_tariff_version.id", ondelete="CASCADE")
    )
    metric: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200))
    unit_price_cents: Mapped[int] = mapped_column(Integer, default=0)
    included: Mapped[int] = mapped_column(Integer, default=0)

    version: Mapped[TariffVersion] = relationship(back_populates="metrics")


class Contract(TenantScoped, BudgetColumns, Base):
    """The priced side of one subscription: pinned tariff version, VAT, terms."""

    __tablename__ = "billing_contract"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("core_subscription.id", ondelete="CASCADE"), unique=True
    )
    tariff_version_id: Mapped[int] = mapped_column(
        ForeignKey("billing_tariff_version.id", ondelete="RESTRICT"), index=True
    )
    service_key: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    # First day charged: later than ``starts_on`` when the subscription predates the tariff.
    billable_from: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(20))
    one_time_fee_due: Mapped[bool] = mapped_column(Boolean, default=False)
    vat_category: Mapped[VatCategory] = mapped_column(
        enum_column_type(VatCategory, "billing_vat_category")
    )
    vat_rate_bp: Mapped[int] = mapped_column(Integer)
    framework_ref: Mapped[str | None] = mapped_column(String(100))
    call_off_ref: Mapped[str | None] = mapped_column(String(100))
    minimum_term_months: Mapped[int] = mapped_column(Integer, default=0)
    notice_period_months: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    version: Mapped[TariffVersion] = relationship(lazy="joined")


class Sponsorship(Base):
    """A sponsor pays a service's fees for all tenants (or a list) for a period."""

    __tablename__ = "billing_sponsorship"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    sponsor_id: Mapped[int] = mapped_column(
        ForeignKey("billing_sponsor.id", ondelete="RESTRICT"), index=True
    )
    service_key: Mapped[str] = mapped_column(String(64))
    # AGS of the tenants covered; None covers every tenant.
    tenant_ags: Mapped[list[str] | None] = mapped_column(JSON)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    covers_recurring: Mapped[bool] = mapped_column(Boolean, default=True)
    covers_one_time: Mapped[bool] = mapped_column(Boolean, default=True)
    termination_window_days: Mapped[int] = mapped_column(Integer, default=90)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    sponsor: Mapped[Sponsor] = relationship(lazy="joined")

    def covers(self, ags: str, day: dt.date) -> bool:
        """Whether the tenant with ``ags`` is covered on ``day``."""
        if day < self.starts_on or (self.ends_on is not None and day > self.ends_on):
            return False
        return self.tenant_ags is None or ags in self.tenant_ags


class TerminationRight(TenantScoped, Base):
    """A special termination right (Sonderkündigungsrecht) of one contract."""

    __tablename__ = "billing_termination_right"
    __table_args__ = (UniqueConstraint("contract_id", "sponsorship_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("billing_contract.id", ondelete="CASCADE"), index=True
    )
    sponsorship_id: Mapped[int] = mapped_column(
        ForeignKey("billing_sponsorship.id", ondelete="CASCADE")
    )
    opens_on: Mapped[dt.date] = mapped_column(Date)
    closes_on: Mapped[dt.date] = mapped_column(Date)
    used_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    contract: Mapped[Contract] = relationship(lazy="joined")
    sponsorship: Mapped[Sponsorship] = relationship(lazy="joined")

    def is_open(self, day: dt.date) -> bool:
        """Whether the right can be exercised on ``day``."""
        return self.used_on is None and self.opens_on <= day <= self.closes_on
