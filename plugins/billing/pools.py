"""Shared cost pools: who pays how much of a pool's cost, per year, to the cent.

A pool has cost entries per module, each for one year or a span of years, subsidies
that reduce an entry before it is shared, and members with a join date and the
modules they take part in (none listed: all). Each cost entry is allocated on its
own, so shares can be staggered as modules are folded in:

1. net = cost − subsidies of the same module and years;
2. split net among the entry's participants by the pool's key (equal, population
   from the gazetteer, fixed percentages, weights) — largest remainder, ties to the
   lower AGS;
3. split each participant's part equally over the entry's years — ties to the
   earlier year (so a multi-year amount is split by partner first, then by year and
   every partner's total is exact).

A member takes part in an entry when it joined on or before the entry's first year
ends; its share of every year from there is due, including years before it was
recorded (billed as prior-period amounts).

Seed 002 finances the pool differently: "über die Beteiligung der teilnehmenden
Kommunen mit einer jährlichen Kostenpauschale", staggered as cooperations are folded
in. A member's ``flat_rates`` are those fixed annual amounts. "Sofern die Bewilligung
einer IKZ-Förderung erfolgt, reduziert dies die Gesamtkosten": only a *granted*
subsidy counts (status ``applied`` or ``refused`` changes nothing). A subsidy without
a module reduces the flat amounts of its year in proportion to each member's amount
(largest remainder, ties to the lower AGS) — the seed gives no rule, so this
proportional one is the documented assumption.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from core import ValidationError, gazetteer
from plugins.billing.money import split_cents, split_equally
from plugins.billing.pool_models import (
    Allocation,
    CostPool,
    PoolContractCost,
    PoolCost,
    PoolMember,
    SubsidyStatus,
)
from plugins.billing.pool_sources import CostEntry, contract_entries, staff_entries


@dataclass(frozen=True)
class Share:
    """One member's share of a pool for one year."""

    member: PoolMember
    ags: str
    year: int
    cents: int


def all_costs(pool: CostPool) -> list[PoolCost | CostEntry]:
    """The typed cost entries and those derived from staff cost lines."""
    return [*pool.costs, *staff_entries(pool)]


def net_cost(pool: CostPool, cost: PoolCost | CostEntry) -> int:
    """A cost entry's amount less the subsidies of the same module and years."""
    subsidies = sum(
        subsidy.amount_cents
        for subsidy in granted(pool)
        if subsidy.module == cost.module
        and subsidy.first_year == cost.first_year
        and subsidy.last_year == cost.last_year
    )
    net = cost.amount_cents - subsidies
    if net < 0:
        raise ValidationError(
            "subsidies of module %(module)s %(year)s exceed its cost",
            field="subsidies",
            code="pool.subsidy_exceeds_cost",
            module=cost.module,
            year=cost.first_year,
        )
    return net


def granted(pool: CostPool) -> list:
    """The pool's granted subsidies (applied or refused ones reduce nothing)."""
    return [s for s in pool.subsidies if s.status == SubsidyStatus.GRANTED]


def flat_shares(pool: CostPool, ags_of: dict[int, str]) -> dict[tuple[int, int], int]:
    """(member id, year) -> the member's flat annual amount less its part of the
    year's granted subsidies without a module."""
    by_year: dict[int, list[tuple[PoolMember, int]]] = defaultdict(list)
    for member in sorted(pool.members, key=lambda m: ags_of[m.member_tenant_id]):
        for rate in member.flat_rates or []:
            for year in range(rate["first_year"], rate["last_year"] + 1):
                by_year[year].append((member, rate["cents"]))
    result: dict[tuple[int, int], int] = {}
    for year, rows in by_year.items():
        relief = sum(s.amount_cents for s in granted(pool) if not s.module and s.first_year == year)
        total = sum(cents for _member, cents in rows)
        if relief > total:
            raise ValidationError(
                "subsidies of %(year)s exceed the flat amounts of that year",
                field="subsidies",
                code="pool.subsidy_exceeds_flat",
                year=year,
            )
        parts = split_cents(relief, [cents for _m, cents in rows]) if relief else [0] * len(rows)
        for (member, cents), part in zip(rows, parts, strict=True):
            result[(member.id, year)] = result.get((member.id, year), 0) + cents - part
    return result


def participants(
    pool: CostPool, cost: PoolCost | CostEntry, ags_of: dict[int, str]
) -> list[PoolMember]:
    """Members taking part in a cost entry, sorted by AGS (the tie order)."""
    year_end = dt.date(cost.first_year, 12, 31)
    taking_part = [
        member
        for member in pool.members
        if member.joins_on <= year_end and (not member.modules or cost.module in member.modules)
    ]
    return sorted(taking_part, key=lambda member: ags_of[member.member_tenant_id])


def weight_of(pool: CostPool, member: PoolMember, ags: str) -> int:
    """The member's weight under the pool's allocation key."""
    if pool.allocation == Allocation.EQUAL:
        return 1
    if pool.allocation == Allocation.WEIGHTS:
        return member.weight
    if pool.allocation == Allocation.FIXED:
        return member.share_bp
    place = gazetteer.lookup(ags)
    if place is None or not place.population:
        raise ValidationError(
            "no population for AGS %(ags)s in the gazetteer",
            field="allocation",
            code="pool.no_population",
            ags=ags,
        )
    return place.population


def allocate(
    pool: CostPool,
    ags_of: dict[int, str],
    costs: list[PoolCost | CostEntry] | None = None,
    *,
    flat: bool = True,
) -> list[Share]:
    """Every member's share of every year, cent-exact (see the module docs).

    :param ags_of: tenant id -> AGS of every member.
    :param costs: the cost entries to share (default: typed and staff entries).
    :param flat: include the members' flat annual amounts.
    """
    totals: dict[tuple[int, int], int] = defaultdict(int)
    members: dict[int, PoolMember] = {}
    for cost in all_costs(pool) if costs is None else costs:
        net = net_cost(pool, cost)
        people = participants(pool, cost, ags_of)
        if not people or net == 0:
            continue
        weights = [weight_of(pool, member, ags_of[member.member_tenant_id]) for member in people]
        years = list(range(cost.first_year, cost.last_year + 1))
        for member, part in zip(people, split_cents(net, weights), strict=True):
            members[member.id] = member
            for year, cents in zip(years, split_equally(part, len(years)), strict=True):
                totals[(member.id, year)] += cents
    for (member_id, year), cents in (flat_shares(pool, ags_of) if flat else {}).items():
        members[member_id] = next(m for m in pool.members if m.id == member_id)
        totals[(member_id, year)] += cents
    shares = [
        Share(members[member_id], ags_of[members[member_id].member_tenant_id], year, cents)
        for (member_id, year), cents in totals.items()
    ]
    return sorted(shares, key=lambda share: (share.year, share.ags))


def contract_shares(
    pool: CostPool, basis: PoolContractCost, ags_of: dict[int, str], before_year: int
) -> list[tuple[CostEntry, list[Share]]]:
    """The members' shares of a co-financed contract's billed fees (``basis``), per
    completed year before ``before_year`` that cost anything: what the billing run
    invoices and what the pool calculation shows."""
    return [
        (entry, allocate(pool, ags_of, [entry], flat=False))
        for entry in contract_entries(basis, before_year=before_year)
        if entry.amount_cents > 0
    ]


def validate_pool(pool: CostPool, ags_of: dict[int, str]) -> None:
    """Refuse a pool whose allocation cannot be computed (checked before saving)."""
    if pool.allocation == Allocation.FIXED and pool.members:
        total = sum(member.share_bp for member in pool.members)
        if total != 10000:
            raise ValidationError(
                "fixed shares must add up to 100.00 %%, they add up to %(total)s %%",
                field="members",
                code="pool.fixed_shares_sum",
                total=f"{total / 100:.2f}",
            )
    modules = {cost.module for cost in all_costs(pool)}
    modules |= {basis.module for basis in pool.contract_costs}
    for member in pool.members:
        unknown = sorted(set(member.modules) - modules)
        if unknown:
            raise ValidationError(
                "member %(ags)s takes part in unknown module(s) %(modules)s",
                field="members",
                code="pool.unknown_module",
                ags=ags_of[member.member_tenant_id],
                modules=", ".join(unknown),
            )
    spans = {(cost.module, cost.first_year, cost.last_year) for cost in all_costs(pool)}
    spans |= {
        ("", year, year)
        for member in pool.members
        for rate in member.flat_rates or []
        for year in range(rate["first_year"], rate["last_year"] + 1)
    }
    for subsidy in pool.subsidies:
        if (subsidy.module, subsidy.first_year, subsidy.last_year) not in spans:
            raise ValidationError(
                "subsidy %(source)s matches no cost of module %(module)s for %(first)s-%(last)s",
                field="subsidies",
                code="pool.subsidy_unmatched",
                source=repr(subsidy.source),
                module=repr(subsidy.module),
                first=subsidy.first_year,
                last=subsidy.last_year,
            )
    allocate(pool, ags_of)
