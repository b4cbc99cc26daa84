"""Pool resources of the operator API: state, staff cost lines, approval, budget
positions (each change audited by :mod:`plugins.billing.pool_admin`).

Authentication comes before argument parsing, so an anonymous request with a bad
body is answered 401, not 422.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.views import MethodView

from core import operator_required
from plugins.billing import pool_schemas as ps
from plugins.billing import schemas  # noqa: F401 (loads the pool schemas in order)


def add_pool_routes(blp: Any) -> None:
    """``/api/v1/billing/pools/<key>[/staff-costs|/hold|/release|/members/<slug>/budget-position]``
    and ``/api/v1/billing/contracts/<id>/budget-position``."""

    @blp.route("/pools/<key>")
    class PoolResource(MethodView):
        @blp.response(200, ps.BillingPoolStateSchema)
        @operator_required
        def get(self, key: str) -> Any:
            """A pool's approval state and staff cost lines."""
            from plugins.billing.pool_admin import pool_by_key

            return pool_by_key(key)

    @blp.route("/pools/<key>/staff-costs")
    class StaffCosts(MethodView):
        @operator_required
        @blp.arguments(ps.PoolStaffCostInSchema)
        @blp.response(201, ps.BillingPoolStateSchema)
        def post(self, args: dict[str, Any], key: str) -> Any:
            """Add (or replace) a staff cost line: grade, share of a full-time post,
            years and the annual cost the operator enters."""
            from plugins.billing.pool_admin import set_staff_cost

            values = {
                "module": args["module"],
                "description": args["description"],
                "grade": args["grade"],
                "fte_bp": args["fte"],
                "first_year": args["first_year"],
                "last_year": args["last_year"],
                "annual_cost_cents": args["annual_cost"],
            }
            return set_staff_cost(key, values)

    @blp.route("/pools/<key>/hold")
    class Hold(MethodView):
        @operator_required
        @blp.arguments(ps.PoolHoldInSchema)
        @blp.response(200, ps.BillingPoolStateSchema)
        def post(self, args: dict[str, Any], key: str) -> Any:
            """Put the pool into approval pending (Sperrvermerk): runs stop invoicing it."""
            from plugins.billing.pool_admin import hold

            return hold(key, args["note"])

    @blp.route("/pools/<key>/release")
    class Release(MethodView):
        @operator_required
        @blp.arguments(ps.PoolReleaseInSchema)
        @blp.response(200, ps.BillingPoolStateSchema)
        def post(self, args: dict[str, Any], key: str) -> Any:
            """Release the pool: the next run of its billing month invoices it."""
            from plugins.billing.pool_admin import release

            day = args["released_on"] or dt.date.today()
            return release(key, day, args["reason"])

    @blp.route("/pools/<key>/members/<slug>/budget-position")
    class MemberBudget(MethodView):
        @operator_required
        @blp.arguments(ps.BudgetPositionInSchema)
        @blp.response(200, ps.BillingMemberBudgetSchema)
        def put(self, args: dict[str, Any], key: str, slug: str) -> Any:
            """Set a member's budget position (Produkt / Sachkonto)."""
            from plugins.billing.pool_admin import set_member_budget

            return set_member_budget(key, slug, args["budget_product"], args["budget_account"])

    @blp.route("/contracts/<int:contract_id>/budget-position")
    class ContractBudget(MethodView):
        @operator_required
        @blp.arguments(ps.BudgetPositionInSchema)
        @blp.response(200, ps.BillingContractBudgetSchema)
        def put(self, args: dict[str, Any], contract_id: int) -> Any:
            """Set the budget position the contract's invoices are booked on."""
            from plugins.billing.describe import contract_by_id
            from plugins.billing.pool_admin import set_contract_budget

            return set_contract_budget(
                contract_by_id(contract_id), args["budget_product"], args["budget_account"]
            )
