"""The tenants section of the operator console (``/operator/tenants``).

Every tenant, grouped Land › Kreis › Gemeinde, filtered by status, Land and service,
searched by name, AGS or postcode, paged on the server; one page per tenant with its
status, subscriptions, admins and links; the lifecycle actions (activate, suspend
with a reason, resume) behind a confirmation form with CSRF, audited as the operator.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import exists, or_, select
from wtforms import TextAreaField
from wtforms.validators import Length

from core import (
    RathausError,
    Subscription,
    Tenant,
    TenantStatus,
    admin_links_for,
    catalogue,
    cross_tenant,
    gazetteer,
    operator_required,
    page_of,
    session,
)
from plugins.tenants import describe, registry
from plugins.tenants.forms import STATUS_LABELS
from plugins.tenants.lifecycle import MAX_REASON_LENGTH, TRANSITIONS, Action, change_status


def blueprint() -> Blueprint:
    """A fresh blueprint (one per application), with the ``status_label`` helper."""
    bp = Blueprint("tenants_operator", __name__, url_prefix="/operator/tenants")
    for rule, view, methods in ROUTES:
        bp.add_url_rule(rule, view_func=view, methods=methods)
    bp.context_processor(_helpers)
    return bp


#: The actions offered on a tenant's page, with their button and confirmation texts.
ACTIONS = {
    "activate": (_l("Activate"), _l("Activate %(name)s? Its portal opens to citizens.")),
    "suspend": (
        _l("Suspend"),
        _l("Suspend %(name)s? Its services stop serving citizens; its data stays."),
    ),
    "resume": (_l("Resume"), _l("Resume %(name)s? Its services serve citizens again.")),
}


class ActionForm(FlaskForm):
    """Confirmation of a lifecycle action, with the reason for the audit log."""

    reason = TextAreaField(_l("Reason"), validators=[Length(max=MAX_REASON_LENGTH)])


@dataclass
class Filters:
    """The list's filters as given in the query string."""

    q: str = ""
    status: str = ""
    land: str = ""
    service: str = ""

    @classmethod
    def from_request(cls) -> Filters:
        names = ("q", "status", "land", "service")
        found = cls(*(request.args.get(name, "").strip()[:100] for name in names))
        if found.status not in {s.value for s in TenantStatus}:
            found.status = ""
        if found.land not in lands():
            found.land = ""
        return found


@functools.cache
def lands() -> dict[str, str]:
    """Land keys and names from the gazetteer (for the Land filter and the groups)."""
    return {place.ags: place.name for place in gazetteer.places_under() if place.kind == "land"}


@dataclass
class KreisGroup:
    """Tenants of one Kreis (or the Land's own rows) on the current page."""

    label: str | None
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class LandGroup:
    """Tenants of one Land on the current page, by Kreis."""

    label: str
    kreise: list[KreisGroup] = field(default_factory=list)


def _select(filters: Filters) -> Any:
    query = registry.TenantQuery(search=filters.q or None, status=filters.status or None)
    stmt = registry.tenant_select(query)
    if filters.land:
        stmt = stmt.where(Tenant.ags.startswith(filters.land))
    if filters.service:
        today = dt.date.today()
        stmt = stmt.where(
            exists().where(
                Subscription.tenant_id == Tenant.id,
                Subscription.service_key == filters.service,
                Subscription.starts_on <= today,
                or_(Subscription.ends_on.is_(None), Subscription.ends_on >= today),
            )
        )
    return stmt


def _services_of(tenant_ids: list[int]) -> dict[int, list[str]]:
    """Running subscriptions of the tenants on a page, in one query."""
    today = dt.date.today()
    found: dict[int, list[str]] = {tenant_id: [] for tenant_id in tenant_ids}
    with cross_tenant("the operator console lists the subscriptions of a page of tenants"):
        rows = session.execute(
            select(Subscription.tenant_id, Subscription.service_key)
            .where(
                Subscription.tenant_id.in_(tenant_ids),
                Subscription.starts_on <= today,
                or_(Subscription.ends_on.is_(None), Subscription.ends_on >= today),
            )
            .order_by(Subscription.service_key)
        ).all()
    for tenant_id, key in rows:
        found[tenant_id].append(key)
    return found


def _grouped(tenants: list[Tenant]) -> list[LandGroup]:
    """The page's tenants (in AGS order) as Land › Kreis › rows."""
    services = _services_of([t.id for t in tenants])
    groups: list[LandGroup] = []
    for tenant in tenants:
        land = lands().get(tenant.ags[:2], tenant.ags[:2])
        if not groups or groups[-1].label != land:
            groups.append(LandGroup(land))
        kreis_place = gazetteer.lookup(tenant.ags[:5]) if len(tenant.ags) > 2 else None
        kreis = kreis_place.name if kreis_place else None
        kreise = groups[-1].kreise
        if not kreise or kreise[-1].label != kreis:
            kreise.append(KreisGroup(kreis))
        kreise[-1].rows.append({"tenant": tenant, "services": services[tenant.id]})
    return groups


@operator_required
def index() -> str:
    """All tenants, filtered, searched and paged."""
    filters = Filters.from_request()
    stmt = _select(filters)
    with cross_tenant("the operator console filters tenants by their subscriptions"):
        total = registry.count_select(stmt)
        page = page_of(total)
        tenants = list(session.scalars(stmt.offset(page.offset).limit(page.size)))
    return render_template(
        "tenants/operator_index.html",
        groups=_grouped(tenants),
        page=page,
        filters=filters,
        lands=lands(),
        services=sorted(catalogue().services.values(), key=lambda s: s.key),
        statuses=[s.value for s in TenantStatus],
    )


@operator_required
def detail(slug: str) -> str:
    """One tenant: status, master data, subscriptions, admins, links, actions."""
    tenant = _tenant(slug)
    return render_template(
        "tenants/operator_detail.html",
        target=tenant,
        data=describe.detail(tenant),
        links=admin_links_for(tenant),
        actions=[a for a in ACTIONS if tenant.status in TRANSITIONS[Action(a)].sources],
        labels=ACTIONS,
    )


@operator_required
def confirm(slug: str, action: str) -> Any:
    """Confirm a lifecycle action (GET), then do it (POST, CSRF-checked)."""
    if action not in ACTIONS:
        abort(404)
    tenant = _tenant(slug)
    form = ActionForm()
    needs_reason = TRANSITIONS[Action(action)].needs_reason
    if form.validate_on_submit():
        try:
            change_status(tenant, action, reason=form.reason.data)
        except RathausError as exc:
            session.rollback()
            form.reason.errors = [*form.reason.errors, exc.localized()]
        else:
            session.commit()
            flash(_("%(name)s is now %(status)s.", name=tenant.title, status=_status(tenant)))
            return redirect(url_for("tenants_operator.detail", slug=tenant.slug))
    if needs_reason:
        form.reason.flags.required = True
        form.reason.description = _("Required: it is recorded in the audit log.")
    status = 422 if form.is_submitted() else 200
    page = render_template(
        "tenants/operator_confirm.html",
        target=tenant,
        form=form,
        action=action,
        labels=ACTIONS,
        question=str(ACTIONS[action][1]) % {"name": tenant.title},
    )
    return page, status


def status_label(status: str) -> str:
    """A tenant's or subscription's status in words."""
    return str(STATUS_LABELS.get(status, status))


def _helpers() -> dict[str, Any]:
    return {"status_label": status_label}


def _status(tenant: Tenant) -> str:
    return status_label(tenant.status.value)


def _tenant(slug: str) -> Tenant:
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        abort(404)
    return tenant


#: Every page: (rule, view, methods).
ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/", index, ["GET"]),
    ("/<slug>", detail, ["GET"]),
    ("/<slug>/<action>", confirm, ["GET", "POST"]),
]
