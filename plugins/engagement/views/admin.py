"""Pages of the tenant's admins: review queue, reports, organisations, statistics and
open data."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core import (
    ConflictError,
    EmptyForm,
    NotFoundError,
    ValidationError,
    current_principal,
    session,
    tenant_admin_required,
)
from plugins.engagement import (
    forms,
    moderation,
    opendata,
    stats,
)
from plugins.engagement import organisations as orgs  # the name 'organisations' is a view
from plugins.engagement.models import (
    Organisation,
)


@tenant_admin_required
def review() -> Any:
    """The review queue with bulk approve / reject (with a reason)."""
    form = forms.ReviewForm()
    status = 200
    if form.validate_on_submit():
        ids = [int(i) for i in request.form.getlist("offers") if i.isdigit()]
        approve = request.form.get("decision") == "approve"
        try:
            decided = moderation.decide(
                g.tenant, ids, approve, form.reason.data, current_principal().describe()
            )
        except (ValidationError, NotFoundError) as exc:
            forms.show_error(form, exc)
            status = exc.status
        else:
            session.commit()
            flash(
                _("%(count)d offers published.", count=len(decided))
                if approve
                else _("%(count)d offers sent back.", count=len(decided))
            )
            return redirect(url_for("engagement.review"))
    return render_template(
        "engagement/admin_review.html", form=form, queue=moderation.review_queue(g.tenant)
    ), status


@tenant_admin_required
def reports() -> Any:
    """Reported offers; dismiss (show again) or uphold (archive)."""
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            moderation.resolve_reports(
                g.tenant,
                int(request.form.get("offer", "0") or 0),
                request.form.get("decision") == "uphold",
            )
        except (NotFoundError, ConflictError) as exc:
            flash(exc.localized())
        else:
            session.commit()
            flash(_("The reports have been resolved."))
        return redirect(url_for("engagement.reports"))
    return render_template(
        "engagement/admin_reports.html", form=form, reported=moderation.reported_offers(g.tenant)
    )


@tenant_admin_required
def admin_organisations() -> Any:
    """Organisations of the tenant; verify them so their offers skip the review."""
    from sqlalchemy import select

    form = EmptyForm()
    if form.validate_on_submit():
        org = session.get(Organisation, int(request.form.get("organisation", "0") or 0))
        if org is None:
            abort(404)
        orgs.set_verified(org, request.form.get("verified") == "1")
        session.commit()
        flash(_("Saved."))
        return redirect(url_for("engagement.admin_organisations"))
    listed = list(session.scalars(select(Organisation).order_by(Organisation.name)))
    return render_template("engagement/admin_organisations.html", form=form, organisations=listed)


@tenant_admin_required
def admin_stats() -> Any:
    """Offers, requests, acceptance rate, answer and review times."""
    return render_template("engagement/admin_stats.html", figures=stats.tenant_statistics(g.tenant))


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/admin/review", review, ["GET", "POST"]),
    ("/admin/reports", reports, ["GET", "POST"]),
    ("/admin/organisations", admin_organisations, ["GET", "POST"]),
    ("/admin/stats", admin_stats, ["GET"]),
    ("/admin/open-data", tenant_admin_required(opendata.admin_open_data), ["GET", "POST"]),
]
