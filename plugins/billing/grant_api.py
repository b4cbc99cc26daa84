"""Grant resources of the billing API: the operator's and a tenant's views."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from core import operator_required, tenant_admin_required
from plugins.billing import grant_schemas as gs


def add_operator_routes(blp: Any) -> None:
    """``/api/v1/billing/grants``, ``.../grants/<key>`` and ``.../grants/<key>/payouts``."""

    @blp.route("/grants")
    class Grants(MethodView):
        @operator_required
        @blp.response(200, gs.GrantAmountsSchema(many=True))
        def get(self) -> Any:
            """Every grant: requested, granted, paid out, left."""
            from plugins.billing.grants import list_grants, summary

            return [summary(grant) for grant in list_grants()]

    @blp.route("/grants/<key>")
    class GrantResource(MethodView):
        @operator_required
        @blp.response(200, gs.GrantReportSchema)
        def get(self, key: str) -> Any:
            """A grant's report: per year (carried over), per partner, payment advices."""
            from plugins.billing.grants import grant_by_key, report

            return report(grant_by_key(key))

    @blp.route("/grants/<key>/payouts")
    class Payouts(MethodView):
        @operator_required
        @blp.arguments(gs.GrantPayoutInSchema)
        @blp.response(201, gs.GrantPayoutSchema)
        def post(self, args: dict[str, Any], key: str) -> Any:
            """Record a payout to a partner as a payment advice (Auszahlungsanordnung)."""
            from plugins.billing.budget import position_of
            from plugins.billing.grants import record_payout

            position = position_of(
                args["budget_position"], args["budget_product"], args["budget_account"]
            )
            return record_payout(
                key,
                args["partner"],
                args["year"],
                paid_on=args["paid_on"],
                amount_cents=args["amount"],
                budget_position=position,
            )


def add_tenant_routes(blp: Any) -> None:
    """``/api/v1/tenants/<tenant>/billing/grants[/<key>]``: grants the tenant receives
    or takes part in."""

    @blp.route("/grants")
    class TenantGrants(MethodView):
        @tenant_admin_required
        @blp.response(200, gs.GrantAmountsSchema(many=True))
        def get(self) -> Any:
            """The grants the tenant receives or takes part in."""
            from plugins.billing.grants import grants_of_tenant, summary

            return [summary(grant) for grant in grants_of_tenant(g.tenant)]

    @blp.route("/grants/<key>")
    class TenantGrant(MethodView):
        @tenant_admin_required
        @blp.response(200, gs.GrantReportSchema)
        def get(self, key: str) -> Any:
            """One grant's report, if the tenant receives it or takes part in it."""
            from plugins.billing.grants import grant_of_tenant, report

            return report(grant_of_tenant(g.tenant, key))


def add_tenant_visibility_routes(blp: Any) -> None:
    """``.../billing/issued-invoices`` and ``.../billing/pools/<key>/allocation``."""
    from plugins.billing import output_schemas as out

    @blp.route("/issued-invoices")
    class IssuedInvoices(MethodView):
        @tenant_admin_required
        @blp.response(200, out.BillingInvoiceSchema(many=True))
        def get(self) -> Any:
            """Final invoices the tenant issued itself (e.g. a Landkreis's cost shares)."""
            from plugins.billing.visibility import issued_invoices

            return issued_invoices(g.tenant)

    @blp.route("/pools/<key>/allocation")
    class PoolAllocation(MethodView):
        @tenant_admin_required
        @blp.response(200, out.BillingPoolAllocationSchema)
        def get(self, key: str) -> Any:
            """The calculation behind the shares of a pool the tenant takes part in."""
            from plugins.billing.visibility import pool_allocation_for

            return pool_allocation_for(g.tenant, key)
