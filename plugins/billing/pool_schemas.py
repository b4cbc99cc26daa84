"""Marshmallow schemas of cost pools in the configuration file and the API (payloads
and answers).

Import :mod:`plugins.billing.schemas` rather than this module first: that module
takes the pool schema from here once its own field types are defined.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from plugins.billing.money import format_amount
from plugins.billing.output_schemas import Cents, tenant_slug, text
from plugins.billing.pool_models import Allocation, PoolApproval, SubsidyStatus
from plugins.billing.pool_sources import fte_text, staff_year_cents
from plugins.billing.schemas import AGS, KEY, Day, Money, Rate, _check_vat
from plugins.billing.vat import VatCategory

YEAR = validate.Range(min=2000, max=2100)


def _budget_check(data: dict[str, Any]) -> None:
    """Check a budget position's two parts; errors under their own keys."""
    from core import ValidationErrors
    from plugins.billing.budget import checked

    try:
        data["budget_product"], data["budget_account"] = checked(
            data.get("budget_product"), data.get("budget_account")
        )
    except ValidationErrors as exc:
        raise ma.ValidationError({f"budget_{e.field}": [e.message] for e in exc.errors}) from None


class Fte(Money):
    """The share of a full-time post as a decimal string (``"1.0"``, ``"0.5"``);
    loads to ten-thousandths (10000 = one full-time post)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        from decimal import Decimal, InvalidOperation

        try:
            share = Decimal(str(value).strip())
        except InvalidOperation:
            raise ma.ValidationError(
                "must be a decimal share of a full-time post, e.g. 1.0"
            ) from None
        bp = share * 10000
        if bp != bp.to_integral_value() or not 0 < bp <= 10000:
            raise ma.ValidationError("must lie above 0 and at most 1.0 (4 decimals)")
        return int(bp)


class BillingStaffCostSchema(ma.Schema):
    """A staff cost line: grade, share of a full-time post, years, annual cost."""

    module = ma.fields.String(load_default="", validate=validate.Length(max=64))
    description = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    grade = ma.fields.String(required=True, validate=validate.Length(min=1, max=40))
    fte = Fte(required=True, metadata={"description": 'share of a full-time post, "1.0"'})
    first_year = ma.fields.Integer(required=True, validate=YEAR)
    last_year = ma.fields.Integer(load_default=None, validate=YEAR)
    annual_cost = Money(
        load_default=None,
        metadata={"description": "a full-time post's cost a year, as entered (none: not yet)"},
    )

    @ma.post_load
    def _span(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["last_year"] = data.get("last_year") or data["first_year"]
        if data["last_year"] < data["first_year"]:
            raise ma.ValidationError("must not lie before first_year", "last_year")
        return data


class BillingContractCostSchema(ma.Schema):
    """A contract whose billed fees are (a share of) the pool's cost."""

    ags = ma.fields.String(required=True, validate=AGS, metadata={"description": "contract holder"})
    service = ma.fields.String(required=True, validate=KEY)
    module = ma.fields.String(load_default="", validate=validate.Length(max=64))
    description = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    share = Rate(load_default=10000, metadata={"description": 'percent of the fees, "100.00"'})
    with_vat = ma.fields.Boolean(load_default=True)
    from_year = ma.fields.Integer(load_default=None, validate=YEAR)

    @ma.validates("share")
    def _share(self, value: int, **kwargs: Any) -> None:
        if not 0 < value <= 10000:
            raise ma.ValidationError("must lie above 0.00 and at most 100.00")


class BillingPoolCostSchema(ma.Schema):
    """The cost of a module for a year or a span of years."""

    module = ma.fields.String(load_default="", validate=validate.Length(max=64))
    description = ma.fields.String(load_default="", validate=validate.Length(max=200))
    first_year = ma.fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    last_year = ma.fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))
    amount = Money(required=True)

    @ma.post_load
    def _span(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["last_year"] = data.get("last_year") or data["first_year"]
        if data["last_year"] < data["first_year"]:
            raise ma.ValidationError("must not lie before first_year", "last_year")
        return data


class BillingPoolSubsidySchema(BillingPoolCostSchema):
    """Funding that reduces a module's cost (no module: the flat amounts of its year)."""

    source = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    status = ma.fields.Enum(SubsidyStatus, by_value=True, load_default=SubsidyStatus.APPLIED)


class BillingFlatRateSchema(ma.Schema):
    """A member's flat annual amount (jährliche Kostenpauschale) for a span of years."""

    first_year = ma.fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    last_year = ma.fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))
    amount = Money(required=True, metadata={"description": "per year"})

    _span = BillingPoolCostSchema._span


class BillingPoolMemberSchema(ma.Schema):
    """A member of a pool."""

    ags = ma.fields.String(required=True, validate=AGS)
    joins_on = Day(required=True)
    modules = ma.fields.List(ma.fields.String(), load_default=list)
    weight = ma.fields.Integer(load_default=1, validate=validate.Range(min=0))
    share = Rate(
        load_default=0, metadata={"description": "percentage for the key 'fixed', e.g. \"25.00\""}
    )
    flat_rates = ma.fields.List(ma.fields.Nested(BillingFlatRateSchema), load_default=list)
    budget_product = ma.fields.String(load_default=None, metadata={"example": "04.01.02.01"})
    budget_account = ma.fields.String(load_default=None, metadata={"example": "501201"})

    @ma.validates_schema
    def _budget(self, data: dict[str, Any], **kwargs: Any) -> None:
        _budget_check(data)


class BillingPoolSchema(ma.Schema):
    """A shared cost pool."""

    key = ma.fields.String(required=True, validate=KEY)
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    issuer = ma.fields.String(required=True, validate=KEY)
    allocation = ma.fields.Enum(Allocation, by_value=True, load_default=Allocation.EQUAL)
    vat_category = ma.fields.Enum(VatCategory, by_value=True, load_default=VatCategory.NOT_SUBJECT)
    vat_rate = Rate(load_default=0)
    billing_month = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=12))
    costs = ma.fields.List(ma.fields.Nested(BillingPoolCostSchema), load_default=list)
    subsidies = ma.fields.List(ma.fields.Nested(BillingPoolSubsidySchema), load_default=list)
    members = ma.fields.List(
        ma.fields.Nested(BillingPoolMemberSchema), required=True, validate=validate.Length(min=1)
    )
    staff_costs = ma.fields.List(ma.fields.Nested(BillingStaffCostSchema), load_default=list)
    contract_costs = ma.fields.List(ma.fields.Nested(BillingContractCostSchema), load_default=list)
    approval = ma.fields.Enum(PoolApproval, by_value=True, load_default=PoolApproval.RELEASED)
    approval_note = ma.fields.String(load_default=None, validate=validate.Length(max=500))

    @ma.validates_schema
    def _vat(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_vat(data)

    @ma.validates_schema
    def _something_to_share(self, data: dict[str, Any], **kwargs: Any) -> None:
        sources = ("costs", "staff_costs", "contract_costs")
        if not any(data.get(name) for name in sources) and not any(
            m["flat_rates"] for m in data.get("members", [])
        ):
            raise ma.ValidationError(
                "give costs, staff_costs, contract_costs or members' flat_rates", "costs"
            )


class PoolStaffCostInSchema(BillingStaffCostSchema):
    """A staff cost line to add (``POST /api/v1/billing/pools/<key>/staff-costs``)."""


class PoolHoldInSchema(ma.Schema):
    """Put a pool into approval pending (``POST .../pools/<key>/hold``)."""

    note = ma.fields.String(required=True, validate=validate.Length(min=1, max=500))


class PoolReleaseInSchema(ma.Schema):
    """Release a pool (``POST .../pools/<key>/release``)."""

    released_on = Day(load_default=None, metadata={"description": "default: today"})
    reason = ma.fields.String(load_default=None, validate=validate.Length(max=500))


class BudgetPositionInSchema(ma.Schema):
    """A budget position: Produkt and Sachkonto, each optional (null clears it)."""

    budget_product = ma.fields.String(load_default=None, allow_none=True)
    budget_account = ma.fields.String(load_default=None, allow_none=True)

    @ma.validates_schema
    def _budget(self, data: dict[str, Any], **kwargs: Any) -> None:
        _budget_check(data)


# ---------------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------------


def _cost_per_year(line: Any) -> str | None:
    if line.annual_cost_cents is None:
        return None
    return format_amount(staff_year_cents(line.annual_cost_cents, line.fte_bp))


class BillingStaffCostLineSchema(ma.Schema):
    """A staff cost line as entered, with the cost a year it adds to the pool (dumps
    :class:`~plugins.billing.pool_models.PoolStaffCost` objects)."""

    module = ma.fields.String()
    description = ma.fields.String()
    grade = ma.fields.String()
    fte = text(lambda line: fte_text(line.fte_bp))
    first_year = ma.fields.Integer()
    last_year = ma.fields.Integer()
    annual_cost = Cents(attribute="annual_cost_cents", allow_none=True)
    cost_per_year = text(_cost_per_year, allow_none=True)


class BillingPoolStateSchema(ma.Schema):
    """A pool's approval state and staff cost lines (dumps
    :class:`~plugins.billing.models.CostPool` objects)."""

    pool = ma.fields.String(attribute="key")
    name = ma.fields.String()
    approval = ma.fields.String(attribute="approval.value")
    approval_note = ma.fields.String(allow_none=True)
    released_on = ma.fields.Date(allow_none=True)
    staff_costs = ma.fields.List(ma.fields.Nested(BillingStaffCostLineSchema))


class BillingMemberBudgetSchema(ma.Schema):
    """A pool member's budget position: Produkt, Sachkonto and the printed form (dumps
    :class:`~plugins.billing.models.PoolMember` objects)."""

    pool = ma.fields.String(attribute="pool.key")
    member = text(lambda member: tenant_slug(member.member_tenant_id))
    budget_product = ma.fields.String(allow_none=True)
    budget_account = ma.fields.String(allow_none=True)
    budget_position = ma.fields.String(allow_none=True)


class BillingContractBudgetSchema(ma.Schema):
    """A contract's budget position: Produkt, Sachkonto and the printed form (dumps
    :class:`~plugins.billing.models.Contract` objects)."""

    contract = ma.fields.Integer(attribute="id")
    budget_product = ma.fields.String(allow_none=True)
    budget_account = ma.fields.String(allow_none=True)
    budget_position = ma.fields.String(allow_none=True)
