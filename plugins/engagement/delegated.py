"""A Kreis admin moderates the offers of a Gemeinde that lets the Kreis administer
it, on the Kreis's pages: ``/<kreis>/admin/municipalities/<gemeinde>/engagement/review``.

The review queue and the decisions run in the Gemeinde's tenant context; the audit
trail names the Kreis admin as the reviewer.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core import (
    NotFoundError,
    ValidationError,
    current_principal,
    is_subscribed,
    managed_municipality,
    session,
    tenant_admin_required,
)
from plugins.engagement import forms, moderation

SERVICE_KEY = "engagement"


def blueprint() -> Blueprint:
    """A fresh blueprint (one per application)."""
    from plugins.engagement.views import template_helpers

    bp = Blueprint(
        "engagement_delegated",
        __name__,
        url_prefix="/<tenant>/admin/municipalities/<managed>/engagement",
        template_folder="templates",
    )
    bp.add_url_rule("/review", view_func=review, methods=["GET", "POST"])
    bp.context_processor(template_helpers)
    return bp


@tenant_admin_required
def review(managed: str) -> Any:
    """The Gemeinde's review queue: publish or send back offers (with a reason)."""
    gemeinde = managed_municipality(managed)
    if not is_subscribed(gemeinde, SERVICE_KEY):
        abort(404)
    form = forms.ReviewForm()
    status = 200
    if form.validate_on_submit():
        ids = [int(i) for i in request.form.getlist("offers") if i.isdigit()]
        approve = request.form.get("decision") == "approve"
        try:
            decided = moderation.decide(
                gemeinde, ids, approve, form.reason.data, current_principal().describe()
            )
        except (ValidationError, NotFoundError) as exc:
            # Only the reason is a field of this form; anything else is about the whole.
            exc.field = "reason" if exc.field == "reason" else None
            forms.show_error(form, exc)
            status = exc.status
        else:
            session.commit()
            flash(
                _("%(count)d offers published.", count=len(decided))
                if approve
                else _("%(count)d offers sent back.", count=len(decided))
            )
            return redirect(url_for("engagement_delegated.review", managed=gemeinde.slug))
    queue = moderation.review_queue(gemeinde)
    return render_template(
        "engagement/admin_review.html", form=form, queue=queue, managed=gemeinde
    ), status
