"""The configuration file's pool sections beyond typed costs: staff cost lines,
contract bases (co-financing) and the approval a new pool starts with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from core import Subscription, Tenant, ValidationError, cross_tenant, session
from plugins.billing.contract_models import Contract
from plugins.billing.pool_models import CostPool, PoolContractCost, PoolStaffCost

STAFF_FIELDS = (
    "module",
    "description",
    "grade",
    "fte_bp",
    "first_year",
    "last_year",
    "annual_cost_cents",
)
CONTRACT_FIELDS = (
    "holder_tenant_id",
    "service_key",
    "module",
    "description",
    "share_bp",
    "with_vat",
    "from_year",
)


def apply_pool_sources(
    pool: CostPool, item: dict[str, Any], new: bool, replace: Callable[..., bool]
) -> bool:
    """Set the pool's staff lines and contract bases from the file; True if changed.

    The approval (``approval``, ``approval_note``) is taken only when the pool is
    created: afterwards it changes through ``rathaus billing pools release|hold``
    (audited), so applying the file again does not undo a release.
    """
    if new:
        pool.approval = item["approval"]
        pool.approval_note = item["approval_note"]
    staff = [
        {
            "module": line["module"],
            "description": line["description"],
            "grade": line["grade"],
            "fte_bp": line["fte"],
            "first_year": line["first_year"],
            "last_year": line["last_year"],
            "annual_cost_cents": line["annual_cost"],
        }
        for line in sorted(item["staff_costs"], key=lambda c: (c["first_year"], c["module"]))
    ]
    bases = [
        {
            "holder_tenant_id": contract_of(
                basis["ags"], basis["service"], f"contract_costs[{i}]"
            ).tenant_id,
            "service_key": basis["service"],
            "module": basis["module"],
            "description": basis["description"],
            "share_bp": basis["share"],
            "with_vat": basis["with_vat"],
            "from_year": basis["from_year"],
        }
        for i, basis in enumerate(item["contract_costs"])
    ]
    dirty = replace(pool, "staff_costs", PoolStaffCost, staff, STAFF_FIELDS)
    return replace(pool, "contract_costs", PoolContractCost, bases, CONTRACT_FIELDS) or dirty


def contract_of(ags: str, service: str, field: str) -> Contract:
    """The contract of the tenant with ``ags`` for ``service`` (the latest one).

    :raises ValidationError: no such tenant or contract.
    """
    with cross_tenant("a co-financing pool names the contract it is based on"):
        contract = session.scalar(
            select(Contract)
            .join(Subscription, Subscription.id == Contract.subscription_id)
            .join(Tenant, Tenant.id == Contract.tenant_id)
            .where(Tenant.ags == ags, Contract.service_key == service)
            .order_by(Contract.starts_on.desc(), Contract.id.desc())
        )
    if contract is None:
        raise ValidationError(
            "no contract of AGS %(ags)s for service %(service)s; connect the tenant first",
            field=field,
            code="pool.unknown_contract",
            ags=ags,
            service=repr(service),
        )
    return contract
