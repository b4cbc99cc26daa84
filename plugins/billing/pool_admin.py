"""Operator actions on pools and budget positions, each recorded in the audit log.

* staff cost lines (seed 001: "Vollzeitstelle bis zu EG 13 TVöD", five years): the
  operator enters grade, share of a full-time post, years and the annual cost;
* the approval (Sperrvermerk: "Die Mittelbereitstellung erfolgt unter dem Vorbehalt
  ..."): ``hold`` puts a pool into approval pending, ``release`` lifts it;
* the payer's budget position on a contract or a pool membership.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from core import NotFoundError, Tenant, ValidationError, audit, session
from plugins.billing.budget import assign
from plugins.billing.contract_models import Contract
from plugins.billing.money import format_amount
from plugins.billing.pool_models import CostPool, PoolApproval, PoolMember, PoolStaffCost
from plugins.billing.pool_sources import fte_text


def pool_by_key(key: str) -> CostPool:
    """A pool by key.

    :raises NotFoundError: no such pool.
    """
    pool = session.scalar(select(CostPool).where(CostPool.key == key))
    if pool is None:
        raise NotFoundError(
            "no cost pool %(key)s", field="pool", code="pool.unknown", key=repr(key)
        )
    return pool


def _amount(cents: int | None) -> str | None:
    return None if cents is None else format_amount(cents)


def set_staff_cost(key: str, values: dict[str, Any]) -> CostPool:
    """Add a staff cost line, or replace the one of the same module and first year.

    :param values: ``description``, ``grade``, ``fte_bp``, ``first_year``,
        ``last_year``, ``annual_cost_cents`` and optionally ``module``.
    """
    from plugins.billing.corrections import shares_by_year

    pool = pool_by_key(key)
    before = shares_by_year(pool)
    values = {"module": "", **values}
    if values["last_year"] < values["first_year"]:
        raise ValidationError(
            "the last year %(last)s lies before the first year %(first)s",
            field="last_year",
            code="pool.staff_years",
            last=values["last_year"],
            first=values["first_year"],
        )
    line = next(
        (
            line
            for line in pool.staff_costs
            if (line.module, line.first_year) == (values["module"], values["first_year"])
        ),
        None,
    )
    if line is None:
        pool.staff_costs.append(PoolStaffCost(**values))
    else:
        for name, value in values.items():
            setattr(line, name, value)
    session.flush()
    _refuse_finalised_change(pool, before)
    audit.record(
        "billing.pool.staff_cost_set",
        f"pool:{pool.key}",
        details={
            "grade": values["grade"],
            "fte": fte_text(values["fte_bp"]),
            "years": f"{values['first_year']}-{values['last_year']}",
            "annual_cost": _amount(values["annual_cost_cents"]),
        },
    )
    session.commit()
    return pool


def _refuse_finalised_change(pool: CostPool, before: dict[tuple[int, int], int]) -> None:
    """A staff line may not change shares already on final invoices (GoBD): cancel
    them first. Rolls back and raises otherwise."""
    from plugins.billing.corrections import changed_years, invoices_covering, shares_by_year

    if invoices_covering(pool, changed_years(before, shares_by_year(pool))):
        session.rollback()
        raise ValidationError(
            "the change alters shares already on final invoices; cancel them first",
            field="staff_costs",
            code="pool.finalised_shares",
        )


def hold(key: str, note: str) -> CostPool:
    """Put a pool into approval pending (Sperrvermerk): runs stop invoicing it."""
    pool = pool_by_key(key)
    if not note.strip():
        raise ValidationError(
            "name the reservation (Sperrvermerk) the funds are held under",
            field="note",
            code="pool.hold_note",
        )
    pool.approval = PoolApproval.PENDING
    pool.approval_note = note.strip()
    pool.released_on = None
    audit.record("billing.pool.held", f"pool:{pool.key}", reason=pool.approval_note)
    session.commit()
    return pool


def release(key: str, day: dt.date, reason: str | None = None) -> CostPool:
    """Release a pool's funds: the next run of its billing month invoices it."""
    pool = pool_by_key(key)
    if pool.approval != PoolApproval.PENDING:
        raise ValidationError(
            "pool %(key)s is not waiting for approval",
            field="pool",
            code="pool.not_pending",
            key=repr(key),
        )
    pool.approval = PoolApproval.RELEASED
    pool.released_on = day
    audit.record(
        "billing.pool.released",
        f"pool:{pool.key}",
        reason=reason,
        details={"released_on": day.isoformat(), "note": pool.approval_note},
    )
    session.commit()
    return pool


def set_member_budget(key: str, slug: str, product: str | None, account: str | None) -> PoolMember:
    """Record a pool member's budget position (Produkt / Sachkonto)."""
    pool = pool_by_key(key)
    tenant_id = session.scalar(select(Tenant.id).where(Tenant.slug == slug))
    member = next((m for m in pool.members if m.member_tenant_id == tenant_id), None)
    if member is None:
        raise NotFoundError(
            "%(slug)s is no member of pool %(key)s",
            field="member",
            code="pool.unknown_member",
            slug=repr(slug),
            key=repr(key),
        )
    if assign(member, product, account):
        audit.record(
            "billing.pool.budget_position_set",
            f"pool:{pool.key}:{slug}",
            details={"budget_position": member.budget_position},
        )
    session.commit()
    return member


def set_contract_budget(contract: Contract, product: str | None, account: str | None) -> Contract:
    """Record the budget position the contract's invoices are booked on."""
    from core import tenant_context

    with tenant_context(contract.tenant_id):
        changed = assign(contract, product, account)
        session.flush()
    if changed:
        audit.record(
            "billing.contract.budget_position_set",
            f"contract:{contract.id}",
            details={"budget_position": contract.budget_position},
        )
    session.commit()
    return contract
