"""Grants (Zuwendungen): configuration, disbursement plan, payouts and the report.

Seed 004 (Kreis Coesfeld, 06.12.2021) gives two grants:

* "Das Projekt OZG-Koordination wurde vom Land NRW mit einer Zuweisung i.H.v.
  500.000 € gefördert für einen Zeitraum von drei Jahren ... Die Fördersumme wurde zu
  gleichen Teilen auf die vier Projektpartner ... aufgeteilt." The Kreis receives the
  grant and pays each partner its part: split by partner first (125,000.00 each),
  then by year (41,666.67 / 41,666.67 / 41,666.66), so every partner's total is exact.
* "... Mittel i.H.v. rd. 147.000 € bewilligt ... Insgesamt wurden Maßnahmen im
  Umfang von rd. 190.000 € gemeldet": requested 190,000, granted 147,000, so the
  recipient carries 43,000 from own funds.

Payouts are payment advices (Auszahlungsanordnung) numbered per grant
(``<prefix>-<year>-00001``), never invoices. What a year's plan does not pay out is
carried over into the next year ("Die Gelder sollen daher in das Jahr 2022
übertragen werden").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import func, or_, select

from core import NotFoundError, Tenant, ValidationError, session
from plugins.billing.grant_models import Grant, GrantPayout, GrantShare
from plugins.billing.grant_schemas import GrantAmountsSchema, GrantPayoutSchema
from plugins.billing.money import format_amount, prorate_cents, split_cents, split_equally


def grant_by_key(key: str) -> Grant:
    """The grant with ``key``.

    :raises NotFoundError: no such grant.
    """
    grant = session.scalar(select(Grant).where(Grant.key == key))
    if grant is None:
        raise NotFoundError(
            "no grant with key %(key)s", field="grant", code="grant.unknown", key=key
        )
    return grant


def list_grants() -> list[Grant]:
    """Every grant, by key."""
    return list(session.scalars(select(Grant).order_by(Grant.key)))


def grants_of_tenant(tenant: Tenant) -> list[Grant]:
    """The grants a tenant receives or takes part in as a partner."""
    partner_of = select(GrantShare.grant_id).where(GrantShare.partner_tenant_id == tenant.id)
    return list(
        session.scalars(
            select(Grant)
            .where(or_(Grant.recipient_tenant_id == tenant.id, Grant.id.in_(partner_of)))
            .order_by(Grant.key)
        )
    )


def grant_of_tenant(tenant: Tenant, key: str) -> Grant:
    """A grant the tenant receives or takes part in; others answer "not found"."""
    for grant in grants_of_tenant(tenant):
        if grant.key == key:
            return grant
    raise NotFoundError("no grant with key %(key)s", field="grant", code="grant.unknown", key=key)


# ---------------------------------------------------------------------------------
# Configuration and plan
# ---------------------------------------------------------------------------------


def plan_cents(granted: int, weights: list[int], years: int) -> list[list[int]]:
    """The disbursement plan: per partner (by weight), then per year (equally).

    Splitting by partner first keeps every partner's total exact; the remaining
    cents go by largest remainder, ties to the earlier partner or year.
    """
    return [split_equally(part, years) for part in split_cents(granted, weights)]


def apply_grant(item: dict[str, Any], tenant_by_ags: Any, changed: list[str]) -> None:
    """Create or update a grant from its configuration (see ``GrantConfigSchema``).

    The plan is computed anew while no payout is recorded; afterwards the amounts
    and partners are fixed.

    :raises ValidationError: granted exceeds requested, or an unknown partner.
    :raises ValidationError: also when the plan would change after payouts.
    """
    granted, requested = item["granted"], item["requested"]
    if granted > requested:
        raise ValidationError(
            "the granted amount must not exceed the requested amount",
            field="granted",
            code="grant.granted_exceeds_requested",
        )
    grant = session.scalar(select(Grant).where(Grant.key == item["key"]))
    new = grant is None
    if new:
        grant = Grant(key=item["key"])
        session.add(grant)
    values = {
        "purpose": item["purpose"],
        "funder": item["funder"],
        "funder_ref": item.get("funder_ref"),
        "recipient_tenant_id": tenant_by_ags(item["recipient"]).id,
        "requested_cents": requested,
        "granted_cents": granted,
        "own_share_bp": item["own_share"],
        "first_year": item["first_year"],
        "last_year": item["last_year"],
        "budget_position": item.get("budget_position"),
        "number_prefix": item["number_prefix"],
    }
    shares = _planned_shares(item, granted, tenant_by_ags)
    same_plan = [(s.partner_tenant_id, s.year, s.amount_cents) for s in grant.shares] == [
        (s.partner_tenant_id, s.year, s.amount_cents) for s in shares
    ]
    differs = any(getattr(grant, name) != value for name, value in values.items())
    if not (new or differs or not same_plan):
        return
    if grant.payouts and (not same_plan or values["granted_cents"] != grant.granted_cents):
        raise ValidationError(
            "payouts are recorded; the plan of grant %(key)s cannot change",
            field="partners",
            code="grant.plan_fixed",
            key=grant.key,
        )
    for name, value in values.items():
        setattr(grant, name, value)
    if not same_plan:
        grant.shares.clear()
        session.flush()
        grant.shares.extend(shares)
    session.flush()
    changed.append(grant.key)


def _planned_shares(item: dict[str, Any], granted: int, tenant_by_ags: Any) -> list[GrantShare]:
    partners = item["partners"] or [{"ags": item["recipient"], "weight": 1}]
    years = list(range(item["first_year"], item["last_year"] + 1))
    plan = plan_cents(granted, [p["weight"] for p in partners], len(years))
    shares = []
    for position, (partner, amounts) in enumerate(zip(partners, plan, strict=True)):
        tenant = tenant_by_ags(partner["ags"])
        for year, cents in zip(years, amounts, strict=True):
            shares.append(
                GrantShare(
                    partner_tenant_id=tenant.id, position=position, year=year, amount_cents=cents
                )
            )
    return shares


# ---------------------------------------------------------------------------------
# Payouts
# ---------------------------------------------------------------------------------


def record_payout(
    key: str,
    partner_slug: str,
    year: int,
    *,
    paid_on: dt.date,
    amount_cents: int | None = None,
    budget_position: str | None = None,
    commit: bool = True,
) -> GrantPayout:
    """Record a payout to a partner as a payment advice; commits unless ``commit``
    is false (the caller's transaction, as in the demo data).

    Without an amount the partner's planned part of ``year`` still open is paid out.
    A payout may exceed the year's plan only by what earlier years carried over.

    :raises NotFoundError: no such grant or partner.
    :raises ValidationError: nothing left to pay, or more than is left.
    """
    grant = grant_by_key(key)
    partner = _partner(grant, partner_slug)
    open_cents = _open_through(grant, partner.id, year)
    if amount_cents is None:
        amount_cents = open_cents
    if amount_cents <= 0:
        raise ValidationError(
            "nothing is left to pay out to %(partner)s for %(year)s",
            field="amount",
            code="grant.nothing_left",
            partner=partner_slug,
            year=year,
        )
    if amount_cents > open_cents:
        raise ValidationError(
            "only %(left)s EUR are left for %(partner)s up to %(year)s",
            field="amount",
            code="grant.exceeds_plan",
            left=format_amount(open_cents),
            partner=partner_slug,
            year=year,
        )
    payout = GrantPayout(
        partner_tenant_id=partner.id,
        number=_next_number(grant, paid_on.year),
        year=year,
        paid_on=paid_on,
        amount_cents=amount_cents,
        budget_position=budget_position or grant.budget_position,
    )
    grant.payouts.append(payout)  # keeps the loaded collection current
    session.flush()
    if commit:
        session.commit()
    return payout


def _partner(grant: Grant, slug: str) -> Tenant:
    for share in grant.shares:
        if share.partner.slug == slug:
            return share.partner
    raise NotFoundError(
        "%(partner)s is no partner of grant %(key)s",
        field="partner",
        code="grant.no_partner",
        partner=slug,
        key=grant.key,
    )


def _open_through(grant: Grant, partner_id: int, year: int) -> int:
    """Planned minus paid for a partner, up to and including ``year``."""
    planned = sum(
        s.amount_cents for s in grant.shares if s.partner_tenant_id == partner_id and s.year <= year
    )
    paid = sum(
        p.amount_cents
        for p in grant.payouts
        if p.partner_tenant_id == partner_id and p.year <= year
    )
    return planned - paid


def _next_number(grant: Grant, year: int) -> str:
    prefix = f"{grant.number_prefix}-{year}-"
    used = session.scalar(
        select(func.count())
        .select_from(GrantPayout)
        .where(GrantPayout.grant_id == grant.id, GrantPayout.number.startswith(prefix))
    )
    return f"{prefix}{used + 1:05d}"


# ---------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------


def report(grant: Grant) -> dict[str, Any]:
    """Requested, granted, own funds, paid out, left; per year planned, paid out and
    carried over into the next year; per partner planned, paid out and left.

    Amounts are strings with two decimals (``"125000.00"``).
    """
    paid = sum(p.amount_cents for p in grant.payouts)
    return {
        "key": grant.key,
        "purpose": grant.purpose,
        "funder": grant.funder,
        "funder_ref": grant.funder_ref,
        "recipient": {"key": grant.recipient.slug, "name": grant.recipient.title},
        "years": {"first": grant.first_year, "last": grant.last_year},
        "budget_position": grant.budget_position,
        "requested": format_amount(grant.requested_cents),
        "granted": format_amount(grant.granted_cents),
        "own_funds": format_amount(grant.requested_cents - grant.granted_cents),
        "own_share_percent": f"{grant.own_share_bp / 100:.2f}",
        "own_share_required": format_amount(
            prorate_cents(grant.requested_cents, grant.own_share_bp, 10000)
        ),
        "paid_out": format_amount(paid),
        "left": format_amount(grant.granted_cents - paid),
        "by_year": _by_year(grant),
        "by_partner": _by_partner(grant),
        "payouts": GrantPayoutSchema(many=True).dump(grant.payouts),
    }


def _by_year(grant: Grant) -> list[dict[str, Any]]:
    planned: dict[int, int] = defaultdict(int)
    paid: dict[int, int] = defaultdict(int)
    for share in grant.shares:
        planned[share.year] += share.amount_cents
    for payout in grant.payouts:
        paid[payout.year] += payout.amount_cents
    rows, carried_in = [], 0
    for year in range(grant.first_year, grant.last_year + 1):
        carried_out = carried_in + planned[year] - paid[year]
        rows.append(
            {
                "year": year,
                "carried_in": format_amount(carried_in),
                "planned": format_amount(planned[year]),
                "paid_out": format_amount(paid[year]),
                "carried_over": format_amount(carried_out),
            }
        )
        carried_in = carried_out
    return rows


def _by_partner(grant: Grant) -> list[dict[str, Any]]:
    planned: dict[int, int] = defaultdict(int)
    paid: dict[int, int] = defaultdict(int)
    partners: dict[int, Tenant] = {}
    for share in grant.shares:
        planned[share.partner_tenant_id] += share.amount_cents
        partners[share.partner_tenant_id] = share.partner
    for payout in grant.payouts:
        paid[payout.partner_tenant_id] += payout.amount_cents
    return [
        {
            "partner": tenant.slug,
            "name": tenant.title,
            "planned": format_amount(planned[tenant_id]),
            "plan_by_year": [
                {"year": s.year, "amount": format_amount(s.amount_cents)}
                for s in grant.shares
                if s.partner_tenant_id == tenant_id
            ],
            "paid_out": format_amount(paid[tenant_id]),
            "left": format_amount(planned[tenant_id] - paid[tenant_id]),
        }
        for tenant_id, tenant in partners.items()
    ]


def summary(grant: Grant) -> dict[str, Any]:
    """The list view of a grant: the report's head figures."""
    return GrantAmountsSchema().dump(report(grant))
