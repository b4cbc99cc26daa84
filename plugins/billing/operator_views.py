"""The billing sections of the operator console: invoices and billing runs.

``/operator/invoices``: every invoice of every payer (tenants and sponsors alike),
filtered by status, period, payer and issuer and paged in SQL; an invoice's page with
its lines, the XRechnung download, finalising a draft and cancelling (Storno) a final
invoice with a reason. ``/operator/billing/runs``: preview a month (the dry run) and
run it, with the run's warnings. Everything goes through the billing functions the
CLI uses, so the rules are the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from core import RathausError, Tenant, operator_required, page_of, session
from plugins.billing.describe import invoices_as_dicts
from plugins.billing.invoice_models import Invoice, InvoiceStatus
from plugins.billing.invoices import (
    cancel,
    finalize,
    payer_of,
    status_of,
    vat_breakdown,
)
from plugins.billing.money import format_amount
from plugins.billing.party_models import Issuer, Sponsor

#: The statuses the list filters by (shown with the ``label`` filter).
STATUSES = ("draft", "final", "cancelled")


class CancelForm(FlaskForm):
    """Cancel a final invoice: the reason is printed on the cancellation document."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class RunForm(FlaskForm):
    """Preview or run billing for a month."""

    period = StringField(_l("Month (YYYY-MM)"), validators=[DataRequired(), Length(max=7)])


def blueprint() -> Blueprint:
    """A fresh blueprint (one per application) for the console's billing sections."""
    bp = Blueprint(
        "billing_operator", __name__, url_prefix="/operator", template_folder="templates"
    )
    for rule, view, methods in ROUTES:
        bp.add_url_rule(rule, view_func=view, methods=methods)
    return bp


# ---------------------------------------------------------------------------------
# Invoices
# ---------------------------------------------------------------------------------


def _filters() -> dict[str, str]:
    found = {
        name: request.args.get(name, "").strip()[:40]
        for name in ("status", "period", "payer", "issuer")
    }
    if found["status"] not in STATUSES:
        found["status"] = ""
    return found


def _invoice_select(filters: dict[str, str]) -> Any:
    stmt = select(Invoice)
    if filters["period"]:
        stmt = stmt.where(Invoice.period == filters["period"])
    if filters["issuer"]:
        stmt = stmt.join(Issuer, Issuer.id == Invoice.issuer_id).where(
            Issuer.key == filters["issuer"]
        )
    if filters["payer"]:
        payer = filters["payer"]
        tenant_ids = select(Tenant.id).where(or_(Tenant.slug == payer, Tenant.ags == payer))
        sponsor_ids = select(Sponsor.id).where(Sponsor.key == payer)
        stmt = stmt.where(
            or_(Invoice.payer_tenant_id.in_(tenant_ids), Invoice.sponsor_id.in_(sponsor_ids))
        )
    cancelled = select(Invoice.cancels_id).where(Invoice.cancels_id.is_not(None))
    if filters["status"] == "draft":
        stmt = stmt.where(Invoice.status == InvoiceStatus.DRAFT)
    elif filters["status"] == "final":
        stmt = stmt.where(Invoice.status == InvoiceStatus.FINAL, Invoice.id.not_in(cancelled))
    elif filters["status"] == "cancelled":
        stmt = stmt.where(Invoice.id.in_(cancelled))
    return stmt


@operator_required
def invoices() -> str:
    """Every invoice, newest first, filtered and paged."""
    filters = _filters()
    stmt = _invoice_select(filters)
    total = session.scalar(stmt.with_only_columns(func.count(Invoice.id))) or 0
    page = page_of(total)
    rows = session.scalars(
        stmt.order_by(Invoice.id.desc()).offset(page.offset).limit(page.size)
    ).all()
    return render_template(
        "billing/operator_invoices.html",
        invoices=_page_rows(list(rows)),
        page=page,
        filters=filters,
        issuers=session.execute(select(Issuer.key, Issuer.name).order_by(Issuer.key)).all(),
    )


def _page_rows(invoices: list[Invoice]) -> list[dict[str, Any]]:
    """What the list shows of the page's invoices, looking up only what they reference
    (``invoices_as_dicts`` reads every line and every tenant's name: too much for a list)."""
    ids = [invoice.id for invoice in invoices]
    cancelled = set(session.scalars(select(Invoice.cancels_id).where(Invoice.cancels_id.in_(ids))))
    return [
        {
            "id": invoice.id,
            "number": invoice.number,
            "payer": payer_of(invoice),
            "issuer": invoice.issuer.key,
            "issuer_name": invoice.issuer.name,
            "period": invoice.period,
            "status": status_of(invoice, cancelled),
            "gross": format_amount(invoice.gross_cents),
        }
        for invoice in invoices
    ]


def _invoice(invoice_id: int) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        abort(404)
    return invoice


@operator_required
def invoice(invoice_id: int) -> Any:
    """One invoice with its lines; POST cancels it (Storno) with a reason."""
    document = _invoice(invoice_id)
    data = invoices_as_dicts([document])[0]
    form = CancelForm()
    if data["status"] == "final" and data["type"] == "invoice" and form.validate_on_submit():
        try:
            storno = cancel(document.number or "", form.reason.data)
        except RathausError as exc:
            form.reason.errors = [*form.reason.errors, exc.localized()]
        else:
            flash(
                _(
                    "%(number)s is cancelled by %(storno)s.",
                    number=data["number"],
                    storno=storno.number,
                )
            )
            return redirect(url_for("billing_operator.invoice", invoice_id=storno.id))
    status = 422 if form.is_submitted() else 200
    page = render_template(
        "billing/operator_invoice.html",
        invoice=document,
        data=data,
        breakdown=vat_breakdown(document),
        form=form,
    )
    return page, status


@operator_required
def finalise(invoice_id: int) -> Response:
    """Give a draft its number (CSRF-checked like every POST)."""
    document = _invoice(invoice_id)
    if document.status != InvoiceStatus.DRAFT:
        abort(409)
    report = finalize([str(invoice_id)])
    if report["skipped"]:
        flash(_("Not finalised: %(reason)s", reason=report["skipped"][0]["reason"]))
    else:
        flash(_("Finalised as %(number)s.", number=report["finalized"][0]))
    return redirect(url_for("billing_operator.invoice", invoice_id=invoice_id))


@operator_required
def xrechnung(invoice_id: int) -> Response:
    """The final invoice as XRechnung (CII)."""
    from plugins.billing.xrechnung import xrechnung_xml

    document = _invoice(invoice_id)
    if document.status != InvoiceStatus.FINAL:
        abort(404)
    response = Response(xrechnung_xml(document), mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{document.number}.xml"'
    return response


# ---------------------------------------------------------------------------------
# Billing runs
# ---------------------------------------------------------------------------------


@operator_required
def runs() -> Any:
    """Preview a month (the dry run) or run it; show what was (or would be) created."""
    from plugins.billing.periods import parse_month
    from plugins.billing.run import run_billing

    form = RunForm()
    if not form.is_submitted():
        form.period.data = dt.date.today().strftime("%Y-%m")
    result, status = None, 200
    if form.validate_on_submit():
        dry_run = request.form.get("mode") != "run"
        try:
            result = run_billing(parse_month(form.period.data), dry_run=dry_run).as_dict()
        except RathausError as exc:
            session.rollback()
            form.period.errors = [*form.period.errors, exc.localized()]
    if form.errors:
        status = 422
    return render_template("billing/operator_runs.html", form=form, result=result), status


#: Every page: (rule, view, methods).
ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/invoices/", invoices, ["GET"]),
    ("/invoices/<int:invoice_id>", invoice, ["GET", "POST"]),
    ("/invoices/<int:invoice_id>/finalise", finalise, ["POST"]),
    ("/invoices/<int:invoice_id>/xrechnung.xml", xrechnung, ["GET"]),
    ("/billing/runs", runs, ["GET", "POST"]),
]
