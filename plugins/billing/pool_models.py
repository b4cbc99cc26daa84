"""Billing's cost pools: a shared cost carried by several members (interkommunale
Zusammenarbeit), and what feeds it.

A pool (``CostPool``) has typed **cost entries** per module and year or span of years
(``PoolCost``), **subsidies** that reduce a module's cost once granted
(``PoolSubsidy``), and **members** with join dates, modules, weights or fixed shares,
flat amounts and a budget position (``PoolMember``); its allocation key shares the
cost among them. The issuer bills the shares in the pool's billing month.

Besides typed amounts:

* A **staff cost line** (seed 001: "eine auf fünf Jahre befristete Vollzeitstelle
  bis zu EG 13 TVöD") gives a pay grade, the share of a full-time post
  (``fte_bp``: ten-thousandths, 10000 = 1.0 = one full-time post), the years and the
  annual cost of a full-time post in that grade *as the operator enters it* (the
  seed names no euro figure; until it is entered the line costs nothing and every
  billing run of the pool's month warns). Each year costs annual cost × share, rounded half-up
  to cents, and is shared like a typed cost entry of the line's module.
* A **contract basis** (seed 000: "Zur Finanzierung dieser Plattform wäre die
  Beteiligung der Städte und Gemeinden des Kreises Coesfeld sinnvoll") puts a
  tenant's real contract into the pool: the fees billed to that tenant under the
  contract in a year (final, not cancelled invoices; gross or net) are the year's
  cost, shared among the members after the year has ended. A change of the contract
  (new tariff version, end, cancelled invoices billed anew) therefore flows into the
  next allocation by itself.

Also the pool's **approval** (Sperrvermerk): a pool whose funds are not yet released
is not invoiced; the run names it among its warnings.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import Base, enum_column_type, utcnow
from plugins.billing.budget import BudgetColumns
from plugins.billing.party_models import Issuer
from plugins.billing.vat import VatCategory


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


class PoolApproval(enum.StrEnum):
    """Whether a pool's funds are released (a Sperrvermerk holds them back)."""

    RELEASED = "released"
    PENDING = "approval_pending"


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


class PoolStaffCost(Base):
    """A post (or part of one) whose cost a pool carries for a span of years."""

    __tablename__ = "billing_pool_staff_cost"
    __table_args__ = (
        UniqueConstraint("pool_id", "module", "first_year"),
        CheckConstraint("last_year >= first_year", name="year_span"),
        CheckConstraint("fte_bp > 0 AND fte_bp <= 10000", name="fte_share"),
        CheckConstraint("annual_cost_cents >= 0", name="annual_cost"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("billing_cost_pool.id", ondelete="CASCADE"))
    module: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(String(200))
    # Pay grade as the decision names it, e.g. "EG 13 TVöD".
    grade: Mapped[str] = mapped_column(String(40))
    # Share of a full-time post in ten-thousandths: 10000 = 1.0, 5000 = 0.5.
    fte_bp: Mapped[int] = mapped_column(Integer)
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    # Annual cost of one full-time post in the grade, as the operator enters it
    # (None: not entered yet; the line then costs nothing and the run says so).
    annual_cost_cents: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    pool: Mapped[CostPool] = relationship(back_populates="staff_costs")


class PoolContractCost(Base):
    """A tenant's contract for a service whose billed fees are (a share of) a pool's cost.

    Named by holder and service, not by contract id: the pool is platform data and
    holds no reference into a tenant's rows, and a later contract of the holder for
    the same service (after a new subscription) keeps feeding the pool.
    """

    __tablename__ = "billing_pool_contract_cost"
    __table_args__ = (
        UniqueConstraint("pool_id", "holder_tenant_id", "service_key"),
        CheckConstraint("share_bp > 0 AND share_bp <= 10000", name="share"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("billing_cost_pool.id", ondelete="CASCADE"))
    holder_tenant_id: Mapped[int] = mapped_column(
        ForeignKey("core_tenant.id", ondelete="RESTRICT"), index=True
    )
    service_key: Mapped[str] = mapped_column(String(64))
    module: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(String(200))
    # Part of the billed fees put into the pool, in hundredths of a percent.
    share_bp: Mapped[int] = mapped_column(Integer, default=10000)
    # Gross (what the tenant pays, VAT included) or net fees.
    with_vat: Mapped[bool] = mapped_column(Boolean, default=True)
    # First year whose fees are shared (None: every year with fees billed).
    from_year: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    pool: Mapped[CostPool] = relationship(back_populates="contract_costs")
