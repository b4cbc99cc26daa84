"""A Kreis admin reads the contracts and invoices of a Gemeinde that lets the Kreis
administer it — read-only, on the Kreis's pages:
``/<kreis>/admin/municipalities/<gemeinde>/billing/``.

The Gemeinde's data is read in the Gemeinde's tenant context (its invoices are
those it pays), so the ORM's scoping and PostgreSQL's row-level security both apply.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from core import managed_municipality, tenant_admin_required, tenant_context
from plugins.billing.charts import costs_per_month
from plugins.billing.describe import contract_as_dict, contracts_of, invoices_as_dicts
from plugins.billing.invoices import invoice_of_tenant, invoices_of_tenant, vat_breakdown


def blueprint() -> Blueprint:
    """A fresh blueprint (one per application). Its pages use the ``euro`` filter of
    the billing pages' blueprint, which is always registered with it."""
    bp = Blueprint(
        "billing_delegated",
        __name__,
        url_prefix="/<tenant>/admin/municipalities/<managed>/billing",
        template_folder="templates",
    )
    for rule, view, methods in ROUTES:
        bp.add_url_rule(rule, view_func=view, methods=methods)
    return bp


@tenant_admin_required
def overview(managed: str) -> str:
    """The Gemeinde's contracts, invoices and monthly costs."""
    gemeinde = managed_municipality(managed)
    with tenant_context(gemeinde):
        found = invoices_of_tenant(gemeinde)
        costs = costs_per_month(gemeinde, found, request.args.get("year", type=int))
        contracts = [contract_as_dict(c) for c in contracts_of(gemeinde)]
        invoices = invoices_as_dicts(found)
    return render_template(
        "billing/overview.html",
        contracts=contracts,
        invoices=invoices,
        **costs,
        managed=gemeinde,
        overview_endpoint="billing_delegated.overview",
        invoice_endpoint="billing_delegated.invoice",
        link_args={"managed": gemeinde.slug},
    )


@tenant_admin_required
def invoice(managed: str, number: str) -> Any:
    """One of the Gemeinde's invoices, printable."""
    gemeinde = managed_municipality(managed)
    with tenant_context(gemeinde):
        document = invoice_of_tenant(gemeinde, number)
        data = invoices_as_dicts([document])[0]
        breakdown = vat_breakdown(document)
        return render_template(
            "billing/invoice.html",
            invoice=document,
            data=data,
            breakdown=breakdown,
            managed=gemeinde,
        )


#: Every page: (rule, view, methods).
ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/", overview, ["GET"]),
    ("/invoices/<number>", invoice, ["GET"]),
]
