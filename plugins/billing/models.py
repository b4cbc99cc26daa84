"""Billing's tables: parties, tariffs, contracts, sponsorships, cost pools, invoices.

Money is stored as integer cents (``*_cents``), VAT rates as hundredths of a percent
(``vat_rate_bp``: 1900 = 19 %), so that SQLite and PostgreSQL agree to the cent.

Ownership: contracts and special termination rights belong to the tenant
(``TenantScoped``). Invoices are the *issuer's* business records, which the issuer
must keep for ten years (GoBD, § 147 AO); they name their payer
(``payer_tenant_id`` or ``sponsor_id``) and are not deleted with a tenant's data.
Tenant pages read them only through :func:`plugins.billing.invoices.invoices_of_tenant`.

Importing this module registers every billing table (``grant_models`` and
``pool_models`` with it): core imports a plugin's ``models`` when it needs the
complete schema (:meth:`core.plugins.PluginHost.import_models`).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
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

from core import Base, Tenant, TenantScoped, enum_column_type, utcnow
from plugins.billing import grant_models as _grant_models  # noqa: F401 - billing's tables too
from plugins.billing.budget import BudgetColumns
from plugins.billing.pool_models import PoolApproval, PoolContractCost, PoolStaffCost


class VatCategory(enum.StrEnum):
    """VAT category codes of EN 16931 (UNTDID 5305) used by municipal billing."""

    STANDARD = "S"  # taxed, 19 % or 7 %
    NOT_SUBJECT = "O"  # not subject to VAT: § 2b UStG cooperation of public bodies
    EXEMPT = "E"  # exempt (e.g. § 4 UStG)


class Interval(enum.StrEnum):
    """How often a recurring fee is due (always billed in advance)."""

    MONTHLY = "monthly"
    YEARLY = "yearly"


class Proration(enum.StrEnum):
    """How a period that is only partly covered is charged."""

    NONE = "none"  # a partial period is not charged
    WHOLE_PERIOD = "whole_period"  # a started period is charged in full
    BY_DAY = "by_day"  # charged for the days covered


class Allocation(enum.StrEnum):
    """Allocation key of a cost pool."""

    EQUAL = "equal"
    POPULATION = "population"
    FIXED = "fixed"  # fixed percentages per member
    WEIGHTS = "weights"


class SubsidyStatus(enum.StrEnum):
    """A subsidy is applied for; only a granted one reduces the cost (seed 002)."""

    APPLIED = "applied"
    GRANTED = "granted"
    REFUSED = "refused"


class InvoiceStatus(enum.StrEnum):
    """A draft can still change; a final document never does (GoBD)."""

    DRAFT = "draft"
    FINAL = "final"


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


class CostPool(Base):
    """A shared cost carried by several members (interkommunale Zusammenarbeit)."""

    __tablename__ = "billing_cost_pool"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer_id: Mapped[int] = mapped_column(
        ForeignKey("billing_issuer.id", ondelete="RESTRICT"), index=True
    )
    allocation: Mapped[Allocation] = mapped_column(
        enum_column_type(Allocation, "billing_allocation")
    )
    vat_category: Mapped[VatCategory] = mapped_column(
        enum_column_type(VatCategory, "billing_vat_category")
    )
    vat_rate_bp: Mapped[int] = mapped_column(Integer)
    # Month whose billing run invoices the pool's years (1-12).
    billing_month: Mapped[int] = mapped_column(Integer, default=1)
    # Sperrvermerk: a pool in approval pending is not invoiced until released.
    approval: Mapped[PoolApproval] = mapped_column(
        enum_column_type(PoolApproval, "billing_pool_approval"), default=PoolApproval.RELEASED
    )
    approval_note: Mapped[str | None] = mapped_column(String(500))
    released_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    issuer: Mapped[Issuer] = relationship(lazy="joined")
    costs: Mapped[list[PoolCost]] = relationship(
        back_populates="pool",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="(PoolCost.first_year, PoolCost.module, PoolCost.id)",
    )
    subsidies: Mapped[list[PoolSubsidy]] = relationship(
        back_populates="pool",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="(PoolSubsidy.first_year, PoolSubsidy.module, PoolSubsidy.id)",
    )
    members: Mapped[list[PoolMember]] = relationship(
        back_populates="pool",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="PoolMember.id",
    )
    staff_costs: Mapped[list[PoolStaffCost]] = relationship(
        back_populates="pool",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="(PoolStaffCost.first_year, PoolStaffCost.module, PoolStaffCost.id)",
    )
    contract_costs: Mapped[list[PoolContractCost]] = relationship(
        back_populates="pool",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="PoolContractCost.id",
    )


class PoolCost(Base):
    """The cost of one module of a pool for a year or a span of years."""

    __tablename__ = "billing_pool_cost"
    __table_args__ = (
        UniqueConstraint("pool_id", "module", "first_year"),
        CheckConstraint("last_year >= first_year", name="year_span"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("billing_cost_pool.id", ondelete="CASCADE"))
    module: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200))
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)

    pool: Mapped[CostPool] = relationship(back_populates="costs")


class PoolSubsidy(Base):
    """Funding that reduces a module's cost before it is shared."""

    __tablename__ = "billing_pool_subsidy"
    __table_args__ = (UniqueConstraint("pool_id", "module", "first_year", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("billing_cost_pool.id", ondelete="CASCADE"))
    module: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(200))
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[SubsidyStatus] = mapped_column(
        enum_column_type(SubsidyStatus, "billing_subsidy_status"), default=SubsidyStatus.APPLIED
    )

    pool: Mapped[CostPool] = relationship(back_populates="subsidies")


class PoolMember(BudgetColumns, Base):
    """A tenant sharing a pool's cost from its join date, in some or all modules."""

    __tablename__ = "billing_pool_member"
    __table_args__ = (UniqueConstraint("pool_id", "member_tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("billing_cost_pool.id", ondelete="CASCADE"))
    member_tenant_id: Mapped[int] = mapped_column(
        ForeignKey("core_tenant.id", ondelete="RESTRICT"), index=True
    )
    joins_on: Mapped[dt.date] = mapped_column(Date)
    # Modules taken part in; empty means every module.
    modules: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Weight (key ``weights``) or percentage in hundredths (key ``fixed``: 2500 = 25 %).
    weight: Mapped[int] = mapped_column(Integer, default=1)
    share_bp: Mapped[int] = mapped_column(Integer, default=0)
    # Jährliche Kostenpauschale: [{"first_year", "last_year", "cents"}] per year.
    flat_rates: Mapped[list[dict[str, int]]] = mapped_column(JSON, default=list)

    pool: Mapped[CostPool] = relationship(back_populates="members")


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
