"""Billing's HTTP API: operator resources under ``/api/v1/billing``, a tenant's own
invoices and contracts under ``/api/v1/tenants/<tenant>/billing``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import flask_smorest
from flask import Response, g, request
from flask.views import MethodView

from core import (
    API_PREFIX,
    ValidationError,
    operator_required,
    session,
    tenant_admin_required,
    tenant_api_prefix,
    tenant_or_fail,
)
from plugins.billing import grant_api, pool_api, schemas
from plugins.billing import output_schemas as out


def blueprints() -> list[flask_smorest.Blueprint]:
    """The operator's and the tenants' billing blueprints."""
    return [_operator_blueprint(), _tenant_blueprint()]


#: How the OpenAPI document describes a file download's body.
FILE = {"type": "string", "format": "binary"}


def _xml_response(xml: bytes, number: str) -> Response:
    response = Response(xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{number}.xml"'
    return response


def _operator_blueprint() -> flask_smorest.Blueprint:
    blp = flask_smorest.Blueprint(
        "billing_api",
        __name__,
        url_prefix=f"{API_PREFIX}/billing",
        description="Billing (platform operators).",
    )

    @blp.route("/config")
    class Config(MethodView):
        @operator_required
        @blp.response(200, out.BillingConfigResultSchema)
        def post(self) -> Any:
            """Apply a billing configuration (same document as the TOML file, as JSON);
            all or nothing, idempotent. ``?dry_run=1`` only validates."""
            from plugins.billing.configuration import ConfigError, apply_config

            data = request.get_json(silent=True)
            if not isinstance(data, dict):
                raise ValidationError("send the configuration as a JSON object", field="json")
            try:
                return apply_config(data, dry_run=request.args.get("dry_run") in ("1", "true"))
            except ConfigError as exc:
                from core import problem

                return problem(
                    422,
                    str(exc),
                    errors={
                        "json": {p.split(": ", 1)[0]: [p.split(": ", 1)[1]] for p in exc.problems}
                    },
                )

    @blp.route("/runs")
    class Runs(MethodView):
        @operator_required
        @blp.arguments(schemas.BillingRunArgsSchema)
        @blp.response(201, out.BillingRunSchema)
        def post(self, args: dict[str, Any]) -> Any:
            """Run billing for a month (idempotent)."""
            from plugins.billing.periods import parse_month
            from plugins.billing.run import run_billing

            return run_billing(
                parse_month(args["period"]), issuer_key=args["issuer"], dry_run=args["dry_run"]
            )

    @blp.route("/finalize")
    class Finalize(MethodView):
        @operator_required
        @blp.arguments(schemas.BillingFinalizeArgsSchema)
        @blp.response(200, out.BillingFinalizeResultSchema)
        def post(self, args: dict[str, Any]) -> Any:
            """Finalise drafts by id, or all."""
            from plugins.billing.invoices import finalize

            if not args["ids"] and not args["all"]:
                raise ValidationError("name draft ids or set all", field="ids")
            return finalize(
                [str(i) for i in args["ids"]], everything=args["all"], today=args["issue_date"]
            )

    @blp.route("/invoices")
    class Invoices(MethodView):
        @operator_required
        @blp.arguments(schemas.BillingInvoiceQuerySchema, location="query")
        @blp.response(200, out.BillingInvoiceSchema(many=True))
        def get(self, args: dict[str, Any]) -> Any:
            """Invoices, filtered by period, payer, status and issuer."""
            from plugins.billing.invoices import list_invoices

            return list_invoices(**args)

    @blp.route("/invoices/<number>")
    class InvoiceResource(MethodView):
        @operator_required
        @blp.response(200, out.BillingInvoiceSchema)
        def get(self, number: str) -> Any:
            """One invoice by number (or a draft by id)."""
            from plugins.billing.invoices import invoice_by_ref

            return invoice_by_ref(number)

    @blp.route("/invoices/<number>/cancel")
    class Cancel(MethodView):
        @operator_required
        @blp.arguments(schemas.BillingCancelArgsSchema)
        @blp.response(201, out.BillingInvoiceSchema)
        def post(self, args: dict[str, Any], number: str) -> Any:
            """Cancel a final invoice (cancellation document, type 381)."""
            from plugins.billing.invoices import cancel

            return cancel(number, args["reason"], today=args["issue_date"])

    @blp.route("/invoices/<number>/xrechnung")
    class XRechnung(MethodView):
        @operator_required
        @blp.response(200, FILE, content_type="application/xml", description="XRechnung (CII)")
        def get(self, number: str) -> Any:
            """The XRechnung 3.0 (CII) of a final invoice."""
            from plugins.billing.invoices import invoice_by_number
            from plugins.billing.xrechnung import xrechnung_xml

            return _xml_response(xrechnung_xml(invoice_by_number(number)), number)

    @blp.route("/export.csv")
    class Export(MethodView):
        @operator_required
        @blp.response(200, FILE, content_type="text/csv", description="CSV (UTF-8)")
        def get(self) -> Any:
            """Final invoices as CSV for finance software (``?period=`` or ``?year=``)."""
            from plugins.billing.reports import invoices_csv

            year = request.args.get("year", type=int)
            return Response(
                invoices_csv(period=request.args.get("period"), year=year), mimetype="text/csv"
            )

    @blp.route("/report")
    class Report(MethodView):
        @operator_required
        @blp.arguments(schemas.BillingYearQuerySchema, location="query")
        @blp.response(200, out.BillingYearReportSchema)
        def get(self, args: dict[str, Any]) -> Any:
            """Billed amounts of a year per payer and per service."""
            from plugins.billing.reports import yearly_report

            return yearly_report(args["year"])

    @blp.route("/contracts")
    class Contracts(MethodView):
        @operator_required
        @blp.response(200, out.BillingContractSchema(many=True))
        def get(self) -> Any:
            """Every tenant's contracts."""
            from plugins.billing.describe import contracts_of

            return contracts_of()

    @blp.route("/termination-rights")
    class Rights(MethodView):
        @operator_required
        @blp.response(200, out.BillingTerminationRightSchema(many=True))
        def get(self) -> Any:
            """Special termination rights (``?open_on=YYYY-MM-DD``: only open ones)."""
            from plugins.billing.contracts import termination_rights

            day = request.args.get("open_on")
            return termination_rights(dt.date.fromisoformat(day) if day else None)

    @blp.route("/pools/<key>/allocation")
    class Allocation(MethodView):
        @operator_required
        @blp.response(200, out.BillingPoolAllocationSchema)
        def get(self, key: str) -> Any:
            """Every member's share of a cost pool per year."""
            from plugins.billing.describe import pool_allocation

            return pool_allocation(key)

    @blp.route("/tenants/<slug>/<service>/terminate")
    class Terminate(MethodView):
        @operator_required
        @blp.arguments(schemas.BillingTerminateArgsSchema)
        @blp.response(200, out.BillingContractSchema)
        def post(self, args: dict[str, Any], slug: str, service: str) -> Any:
            """Terminate a tenant's contract (ordinary, or special with an open right)."""
            from plugins.billing.contracts import terminate

            contract = terminate(
                tenant_or_fail(slug),
                service,
                ends_on=args["last_day"],
                special=args["special"],
                notice_on=args["notice_on"],
            )
            session.commit()
            return contract

    grant_api.add_operator_routes(blp)
    pool_api.add_pool_routes(blp)
    return blp


def _tenant_blueprint() -> flask_smorest.Blueprint:
    blp = flask_smorest.Blueprint(
        "billing_tenant_api",
        __name__,
        url_prefix=tenant_api_prefix("billing"),
        description="A tenant's own contracts and invoices (tenant admins).",
    )

    @blp.route("/invoices")
    class Invoices(MethodView):
        @tenant_admin_required
        @blp.response(200, out.BillingInvoiceSchema(many=True))
        def get(self) -> Any:
            """The tenant's final invoices and cancellations."""
            from plugins.billing.invoices import invoices_of_tenant

            return invoices_of_tenant(g.tenant)

    @blp.route("/invoices/<number>")
    class InvoiceResource(MethodView):
        @tenant_admin_required
        @blp.response(200, out.BillingInvoiceSchema)
        def get(self, number: str) -> Any:
            """One of the tenant's invoices."""
            from plugins.billing.invoices import invoice_of_tenant

            return invoice_of_tenant(g.tenant, number)

    @blp.route("/invoices/<number>/xrechnung")
    class XRechnung(MethodView):
        @tenant_admin_required
        @blp.response(200, FILE, content_type="application/xml", description="XRechnung (CII)")
        def get(self, number: str) -> Any:
            """The XRechnung of one of the tenant's invoices."""
            from plugins.billing.invoices import invoice_of_tenant
            from plugins.billing.xrechnung import xrechnung_xml

            return _xml_response(xrechnung_xml(invoice_of_tenant(g.tenant, number)), number)

    @blp.route("/contracts")
    class Contracts(MethodView):
        @tenant_admin_required
        @blp.response(200, out.BillingContractSchema(many=True))
        def get(self) -> Any:
            """The tenant's contracts."""
            from plugins.billing.describe import contracts_of

            return contracts_of(g.tenant)

    grant_api.add_tenant_routes(blp)
    grant_api.add_tenant_visibility_routes(blp)
    return blp
