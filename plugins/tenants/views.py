"""The tenant admin's pages (``/<tenant>/admin/...``) and the invitation page.

A tenant admin administers their own tenant. A Kreis admin also administers the
Gemeinden under the Kreis that opted in (``parent_may_administer``), from within the
Kreis's own pages: ``/<kreis>/admin/municipalities/<gemeinde>/...``. The admin stays
logged in at the Kreis (an account is a principal only at its own tenant), and every
page checks ``core.auth.can_administer`` for the Gemeinde it shows.

The invitation page lives at ``/admin/invitation/<secret>`` (``admin`` is a reserved
slug), outside any tenant, so that an admin can be invited before the tenant's portal
is activated.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response

from core import (
    VISIBLE_STATUSES,
    ConflictError,
    Tenant,
    TenantKind,
    ValidationError,
    accounts,
    can_administer,
    current_principal,
    entries,
    is_subscribed,
    log_in,
    managed_municipality,
    ratelimit,
    session,
    subscriptions_of,
    tenant_admin_required,
)
from plugins.tenants import invitations, masterdata
from plugins.tenants.describe import subscription_data
from plugins.tenants.forms import (
    FIELD_HELP,
    MASTER_DATA_FORM_FIELDS,
    STATUS_LABELS,
    ExistingAccountForm,
    NewAdminForm,
    SettingsForm,
)

MANAGED = "/municipalities/<managed>"


def blueprints() -> list[Blueprint]:
    """Fresh blueprints (one set per application): the admin pages and the invitation."""
    admin = Blueprint(
        "tenants_admin", __name__, url_prefix="/<tenant>/admin", template_folder="templates"
    )
    for rule, view, methods in MANAGED_ROUTES:
        # Once for the tenant itself (``managed`` is None), once for each Gemeinde it
        # administers; both under one endpoint, so url_for picks by ``managed``.
        admin.add_url_rule(rule, view_func=view, methods=methods, defaults={"managed": None})
        admin.add_url_rule(MANAGED + rule, view_func=view, methods=methods)
    for rule, view, methods in ADMIN_ROUTES:
        admin.add_url_rule(rule, view_func=view, methods=methods)
    invitation = Blueprint("tenants_invitation", __name__, template_folder="templates")
    for rule, view, methods in INVITATION_ROUTES:
        invitation.add_url_rule(rule, view_func=view, methods=methods)
    return [admin, invitation]


def _target(managed: str | None) -> Tenant:
    """The tenant a page administers: the current one, or one of its Gemeinden."""
    if managed is None:
        return g.tenant
    return managed_municipality(managed)


def _render(
    template: str, target: Tenant, managed: str | None, status: int = 200, **context: Any
) -> Any:
    return (
        render_template(
            template,
            target=target,
            managed=managed,
            status_labels=STATUS_LABELS,
            is_kreis=g.tenant.kind == TenantKind.KREIS,
            **context,
        ),
        status,
    )


@tenant_admin_required
def index(managed: str | None) -> Any:
    """Overview of the tenant's administration."""
    target = _target(managed)
    return _render(
        "tenants/admin_index.html",
        target,
        managed,
        # A Kreis administering a Gemeinde gets the delegated pages, not the Gemeinde's own.
        service_links=_service_links(target) if managed is None else [],
        delegated=_delegated_pages(managed),
    )


def _service_links(target: Tenant) -> list[tuple[str, str, str]]:
    """Links to the other plugins' administration pages: (url, title, what it is for)."""
    views = current_app.view_functions
    links = []
    if "billing.overview" in views:
        links.append(
            (
                url_for("billing.overview", tenant=target.slug),
                _("Contracts and invoices"),
                _("your contracts, invoices and costs per month"),
            )
        )
    if "engagement.review" in views and is_subscribed(target, "engagement"):
        links += [
            (
                url_for("engagement.review", tenant=target.slug),
                _("Review volunteering offers"),
                _("offers waiting for review before they are published"),
            ),
            (
                url_for("engagement.reports", tenant=target.slug),
                _("Reported offers"),
                _("offers that visitors have reported"),
            ),
            (
                url_for("engagement.admin_organisations", tenant=target.slug),
                _("Volunteering organisations"),
                _("verify organisations so that their offers need no review"),
            ),
        ]
    return links


#: Pages of other plugins for a Gemeinde the Kreis administers: (endpoint, label).
DELEGATED_PAGES = (
    ("engagement_delegated.review", _l("Review queue of the volunteering offers")),
    ("billing_delegated.overview", _l("Contracts and invoices (read-only)")),
)


def _delegated_pages(managed: str | None) -> list[tuple[str, str]]:
    """Links to the enabled plugins' delegated pages of a managed Gemeinde."""
    if managed is None:
        return []
    return [
        (url_for(endpoint, managed=managed), str(label))
        for endpoint, label in DELEGATED_PAGES
        if endpoint in current_app.view_functions
    ]


@tenant_admin_required
def settings(managed: str | None) -> Any:
    """Portal branding, contact, invoicing address, Leitweg-ID, delegation to the Kreis."""
    target = _target(managed)
    may_delegate = _may_change_delegation(target, managed)
    form = SettingsForm(obj=target if request.method == "GET" else None)
    if form.is_submitted():
        # The form's own checks and every master-data rule (logo included) together,
        # so that one submit names every wrong field.
        valid = form.validate()
        changes = {name: form[name].data for name in MASTER_DATA_FORM_FIELDS}
        if may_delegate:
            changes["parent_may_administer"] = form.parent_may_administer.data
        upload = form.logo.data
        logo = upload.read() if upload and upload.filename else None
        try:
            masterdata.validate_changes(target, changes, logo)
        except masterdata.MasterDataError as exc:
            _show_master_data_errors(form, exc)
            valid = False
        if valid:
            masterdata.update_master_data(
                target, changes, logo=logo, remove_logo=form.remove_logo.data
            )
            session.commit()
            flash(_("The settings have been saved."))
            return redirect(url_for("tenants_admin.settings", managed=managed))
    status = 422 if form.is_submitted() else 200
    return _render(
        "tenants/admin_settings.html", target, managed, status, form=form, may_delegate=may_delegate
    )


def _show_master_data_errors(form: SettingsForm, error: masterdata.MasterDataError) -> None:
    """Each rejected field's help next to it, unless the form already marked it."""
    for field in error.errors:
        if form[field].errors:
            continue
        if field == "logo":
            size = masterdata.logo_max_bytes() // 1024
            help_text = _("Please upload a PNG or JPEG image of at most %(size)d KB.", size=size)
        else:
            help_text = str(FIELD_HELP[field])
        form[field].errors = [help_text]


def _may_change_delegation(target: Tenant, managed: str | None) -> bool:
    """Only the Gemeinde itself (or the operator) opts in to its Kreis's administration."""
    parent = target.parent
    eligible = (
        target.kind == TenantKind.GEMEINDE
        and parent is not None
        and parent.kind == TenantKind.KREIS
    )
    return eligible and (managed is None or current_principal().is_operator)


@tenant_admin_required
def services(managed: str | None) -> Any:
    """The services the tenant subscribes to, with dates and status."""
    target = _target(managed)
    rows = [subscription_data(sub) for sub in subscriptions_of(target)]
    return _render("tenants/admin_services.html", target, managed, subscriptions=rows)


@tenant_admin_required
def audit(managed: str | None) -> Any:
    """The tenant's audit log: who changed what, when and why."""
    target = _target(managed)
    return _render("tenants/admin_audit.html", target, managed, entries=entries(target))


@tenant_admin_required
def municipalities() -> Any:
    """A Kreis's Gemeinden: which let the Kreis administer them."""
    if g.tenant.kind != TenantKind.KREIS:
        abort(404)
    children = session.scalars(
        select(Tenant)
        .where(Tenant.parent_id == g.tenant.id, Tenant.status.in_(VISIBLE_STATUSES))
        .order_by(Tenant.name)
    )
    principal = current_principal()
    rows = [(child, can_administer(principal, child)) for child in children]
    return _render("tenants/admin_municipalities.html", g.tenant, None, rows=rows)


#: The admin pages, for the tenant itself and under ``MANAGED`` for a Gemeinde it
#: administers: (rule, view, methods). Each view takes ``managed`` (None: the tenant).
MANAGED_ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/", index, ["GET"]),
    ("/settings", settings, ["GET", "POST"]),
    ("/services", services, ["GET"]),
    ("/audit", audit, ["GET"]),
]

#: The admin pages of the tenant itself only: (rule, view, methods).
ADMIN_ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/municipalities", municipalities, ["GET"]),
]


# ---------------------------------------------------------------------------------
# Invitations
# ---------------------------------------------------------------------------------


def accept_invitation(secret: str) -> Any:
    """Accept an invitation: set a password (or confirm an existing account)."""
    found = invitations.find_invitation(secret)
    if found is None:
        return render_template("tenants/invitation_status.html", state="unknown"), 404
    state = invitations.state(found)
    if state != "pending":
        return render_template("tenants/invitation_status.html", state=state, invited=found), 410
    existing = invitations.existing_account(found)
    form = ExistingAccountForm() if existing is not None else NewAdminForm()
    if form.validate_on_submit():
        limit = current_app.config["LOGIN_RATE_LIMIT"]
        if not ratelimit.hit(limit, "tenants-invitation", request.remote_addr or "unknown"):
            return _invitation_page(found, form, existing, 429, throttled=True)
        user = _accept(found, form, existing)
        if user is not None:
            return _welcome(found.tenant, user)
    status = 422 if form.is_submitted() else 200
    return _invitation_page(found, form, existing, status)


def _invitation_page(found: Any, form: Any, existing: Any, status: int, **context: Any) -> Any:
    return (
        render_template(
            "tenants/invitation.html", invited=found, form=form, existing=existing, **context
        ),
        status,
    )


def _accept(found: Any, form: Any, existing: Any) -> Any:
    """The account, or None with the problem added to the form."""
    tenant = found.tenant
    if existing is not None:
        if accounts.authenticate(existing.email, form.password.data, tenant) is None:
            form.password.errors = [_("The password is wrong.")]
            return None
        return invitations.accept(found, user=existing)
    try:
        return invitations.accept(
            found, display_name=form.display_name.data, password=form.password.data
        )
    except ConflictError:
        form.form_errors.append(_("This invitation has just been used."))
    except ValidationError as exc:
        field = getattr(form, exc.field or "", None)
        (field.errors if field is not None else form.form_errors).append(exc.localized())
    return None


def _welcome(tenant: Tenant, user: Any) -> Response | tuple[str, int]:
    session.commit()
    if tenant.status not in VISIBLE_STATUSES:
        return render_template(
            "tenants/invitation_status.html", state="welcome", tenant_title=tenant.title
        ), 200
    log_in(user)
    session.commit()
    flash(_("Welcome! You now administer %(name)s.", name=tenant.title))
    return redirect(url_for("tenants_admin.index", tenant=tenant.slug, managed=None))


#: The invitation page, outside any tenant: (rule, view, methods).
INVITATION_ROUTES: list[tuple[str, Any, list[str]]] = [
    (invitations.LINK_PATH + "<secret>", accept_invitation, ["GET", "POST"]),
]
