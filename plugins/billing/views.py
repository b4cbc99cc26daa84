"""The tenant admins' billing pages: contracts, invoices, a cost chart, printable invoices.

Every page is for those who may administer the tenant (``tenant_admin_required``) and
shows only invoices the tenant pays; another tenant's invoice number answers 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, g, render_template, request

from core import cents as format_cents
from core import tenant_admin_required
from plugins.billing.charts import costs_per_month
from plugins.billing.describe import contract_as_dict, contracts_of, invoices_as_dicts
from plugins.billing.grants import grant_of_tenant, grants_of_tenant, report
from plugins.billing.invoices import invoice_of_tenant, invoices_of_tenant, vat_breakdown


def blueprint() -> Blueprint:
    """A fresh blueprint (one per application), with the ``euro`` template filter."""
    bp = Blueprint(
        "billing",
        __name__,
        url_prefix="/<tenant>/billing",
        template_folder="templates",
        static_folder="static",
    )
    for rule, view, methods in ROUTES:
        bp.add_url_rule(rule, view_func=view, methods=methods)
    bp.add_app_template_filter(euro, "euro")
    return bp


def euro(amount_cents: int) -> str:
    """Cents as an amount in the page's language: 458000 -> "4.580,00 €" / "€4,580.00"."""
    return format_cents(amount_cents)


@tenant_admin_required
def overview() -> str:
    """The tenant's contracts, invoices and costs per month of a year."""
    invoices = invoices_of_tenant(g.tenant)
    costs = costs_per_month(g.tenant, invoices, request.args.get("year", type=int))
    return render_template(
        "billing/overview.html",
        contracts=[contract_as_dict(c) for c in contracts_of(g.tenant)],
        invoices=invoices_as_dicts(invoices),
        **costs,
    )


@tenant_admin_required
def invoice(number: str) -> str:
    """A printable invoice (§ 14 UStG contents)."""
    document = invoice_of_tenant(g.tenant, number)
    return render_template(
        "billing/invoice.html",
        invoice=document,
        data=invoices_as_dicts([document])[0],
        breakdown=vat_breakdown(document),
    )


@tenant_admin_required
def xrechnung(number: str) -> Any:
    """The invoice as XRechnung (CII) for the tenant's e-invoice workflow."""
    from plugins.billing.xrechnung import xrechnung_xml

    response = Response(
        xrechnung_xml(invoice_of_tenant(g.tenant, number)), mimetype="application/xml"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{number}.xml"'
    return response


@tenant_admin_required
def grants() -> str:
    """The grants the tenant receives (as recipient) or takes part in (as partner)."""
    return render_template(
        "billing/grants.html",
        grants=[report(grant) for grant in grants_of_tenant(g.tenant)],
        cents=_cents,
    )


@tenant_admin_required
def grant(key: str) -> str:
    """One grant: plan per partner and year, payment advices, what is left."""
    data = report(grant_of_tenant(g.tenant, key))
    return render_template("billing/grant.html", grant=data, cents=_cents)


def _cents(amount: str) -> int:
    """A report amount ("125000.00") as cents for the ``euro`` filter."""
    return round(Decimal(amount) * 100)


#: Every page: (rule, view, methods).
ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/", overview, ["GET"]),
    ("/invoices/<number>", invoice, ["GET"]),
    ("/invoices/<number>/xrechnung.xml", xrechnung, ["GET"]),
    ("/grants/", grants, ["GET"]),
    ("/grants/<key>", grant, ["GET"]),
]
