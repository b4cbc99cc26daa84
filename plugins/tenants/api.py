"""The operator API: ``/api/v1/tenants...`` (flask-smorest).

Operator tokens may do everything; a tenant token may only read its own tenant, its
subscriptions and its audit log (403 for everything else). Errors are
``application/problem+json`` with the messages per field (core's handlers).

Offboarding over the API stores the export on the server (``TENANTS_EXPORT_DIR``,
default ``<instance>/tenant-exports``) before anything is deleted and answers with
its checksum; ``GET .../export`` downloads it. Sending the export only in the
response would lose the data when the connection broke after the deletion.

The tenant is named by ``<key>`` (slug or AGS) rather than core's ``<tenant>``,
because the operator works on tenants whose portal is not public (requested,
offboarded).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, abort, send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from core import (
    API_PREFIX,
    NotFoundError,
    Tenant,
    TenantStatus,
    ValidationError,
    current_principal,
    operator_required,
    problem,
    session,
    subscriptions_of,
    utcnow,
)
from plugins.tenants import describe, registry, schemas

PREFIX = f"{API_PREFIX}/tenants"


def _readable(key: str) -> Tenant:
    """The tenant, if the caller may read it: operators any, tenant tokens their own."""
    principal = current_principal()
    if principal.is_anonymous:
        abort(401, description="This endpoint needs a bearer token.")
    if principal.is_operator:
        return registry.find_tenant(key)
    own = session.get(Tenant, principal.tenant_id) if principal.tenant_id else None
    if own is None or key not in (own.slug, own.ags):
        abort(403)
    return own


def blueprint() -> Blueprint:
    """The blueprint of the operator API."""
    blp = Blueprint(
        "tenants_api",
        __name__,
        url_prefix=PREFIX,
        description="Tenants: onboarding, lifecycle, subscriptions, administration, offboarding "
        "(operator tokens; tenant tokens may read their own tenant).",
    )
    _tenant_routes(blp)
    _subscription_routes(blp)
    _administration_routes(blp)
    return blp


def _tenant_routes(blp: Blueprint) -> None:
    @blp.route("")
    class TenantList(MethodView):
        @operator_required
        @blp.arguments(schemas.TenantsQuerySchema, location="query")
        @blp.response(200, schemas.TenantsTenantSchema(many=True))
        @blp.paginate(page_size=50, max_page_size=1000)
        def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
            """List and search tenants (name, slug, AGS prefix or postcode), in AGS order."""
            query = registry.TenantQuery(
                search=args.get("q"),
                status=args.get("status"),
                kind=args.get("kind"),
                parent=args.get("parent"),
            )
            pagination_parameters.item_count = registry.count_tenants(query)
            found = registry.list_tenants(
                query,
                limit=pagination_parameters.page_size,
                offset=pagination_parameters.first_item,
            )
            return describe.summaries(found)

        @operator_required
        @blp.arguments(schemas.TenantsOnboardSchema)
        @blp.response(201, schemas.TenantsTenantSchema)
        def post(self, data: dict[str, Any]) -> Any:
            """Onboard a municipality, Kreis or Land (status requested)."""
            from plugins.tenants.lifecycle import onboard

            tenant = onboard(data.pop("ags"), **data)
            session.commit()
            return describe.summary(tenant)

    @blp.route("/<key>")
    class TenantItem(MethodView):
        @blp.response(200, schemas.TenantsTenantDetailSchema)
        def get(self, key: str) -> Any:
            """Everything about one tenant (slug or AGS). Tenant tokens: their own only."""
            return describe.detail(_readable(key))

        @operator_required
        @blp.arguments(schemas.TenantsUpdateSchema)
        @blp.response(200, schemas.TenantsTenantDetailSchema)
        def patch(self, data: dict[str, Any], key: str) -> Any:
            """Change master data: branding, contact, invoicing address, Leitweg-ID."""
            from plugins.tenants.masterdata import update_master_data

            tenant = registry.find_tenant(key)
            reason = data.pop("reason", None)
            update_master_data(tenant, data, reason=reason)
            session.commit()
            return describe.detail(tenant)

    @blp.route("/<key>/lifecycle")
    class Lifecycle(MethodView):
        @operator_required
        @blp.arguments(schemas.TenantsTransitionSchema)
        @blp.response(200, schemas.TenantsTenantSchema)
        def post(self, data: dict[str, Any], key: str) -> Any:
            """Activate (requested), suspend (active; reason required) or resume (suspended)."""
            from plugins.tenants.lifecycle import change_status

            tenant = change_status(
                registry.find_tenant(key), data["action"], reason=data.get("reason")
            )
            session.commit()
            return describe.summary(tenant)

    @blp.route("/<key>/audit")
    class Audit(MethodView):
        @blp.arguments(schemas.TenantsAuditQuerySchema, location="query")
        @blp.response(200, schemas.TenantsAuditEntrySchema(many=True))
        def get(self, args: dict[str, Any], key: str) -> Any:
            """The tenant's audit log, newest first. Tenant tokens: their own only."""
            tenant = _readable(key)
            return [
                describe.audit_data(entry)
                for entry in registry.audit_entries(tenant, limit=args["limit"])
            ]


def _subscription_routes(blp: Blueprint) -> None:
    @blp.route("/<key>/subscriptions")
    class Subscriptions(MethodView):
        @blp.response(200, schemas.TenantsSubscriptionSchema(many=True))
        def get(self, key: str) -> Any:
            """The tenant's subscriptions with dates and status. Tenant tokens: their own only."""
            return [describe.subscription_data(sub) for sub in subscriptions_of(_readable(key))]

        @operator_required
        @blp.arguments(schemas.TenantsSubscribeSchema)
        @blp.response(201, schemas.TenantsSubscriptionSchema)
        def post(self, data: dict[str, Any], key: str) -> Any:
            """Connect the tenant to a service (Einzelabruf)."""
            from core import subscribe

            tenant = registry.find_tenant(key)
            sub = subscribe(tenant, data.pop("service"), **data)
            session.commit()
            return describe.subscription_data(sub)

    @blp.route("/<key>/subscriptions/<service>/end")
    class SubscriptionEnd(MethodView):
        @operator_required
        @blp.arguments(schemas.TenantsUnsubscribeSchema)
        @blp.response(200, schemas.TenantsSubscriptionSchema)
        def post(self, data: dict[str, Any], key: str, service: str) -> Any:
            """End the subscription on its last day (ordinary notice or special termination)."""
            from core import end_subscription

            sub = end_subscription(
                registry.find_tenant(key), service, ends_on=data["ends_on"], reason=data["reason"]
            )
            session.commit()
            return describe.subscription_data(sub)


def _administration_routes(blp: Blueprint) -> None:
    @blp.route("/<key>/invitations")
    class Invitations(MethodView):
        @operator_required
        @blp.arguments(schemas.TenantsInviteSchema)
        @blp.response(201, schemas.TenantsInvitationSchema)
        def post(self, data: dict[str, Any], key: str) -> Any:
            """Invite an admin: a one-time, expiring link (mailed when mail is configured)."""
            from plugins.tenants import invitations

            tenant = registry.find_tenant(key)
            issued = invitations.invite_admin(tenant, data["email"], days=data.get("days"))
            invitations.queue_invitation_mail(issued, tenant)
            session.commit()
            if issued.mail_queued:
                invitations.deliver_invitation_mail()
            return issued.as_dict(tenant)

    @blp.route("/<key>/offboarding")
    class Offboarding(MethodView):
        @operator_required
        @blp.arguments(schemas.TenantsOffboardSchema)
        @blp.response(200, schemas.TenantsOffboardingSchema)
        def post(self, data: dict[str, Any], key: str) -> Any:
            """Offboard: store the complete export on the server, then delete the tenant's data."""
            from plugins.tenants.exports import stored_export_path, write_export
            from plugins.tenants.lifecycle import offboard

            tenant = registry.find_tenant(key)
            if data["confirm"] != tenant.slug:
                raise ValidationError(
                    "must be the tenant's slug %(tenant_slug)r",
                    field="confirm",
                    code="tenants.confirm.mismatch",
                    tenant_slug=tenant.slug,
                )
            path = stored_export_path(tenant, utcnow())
            result = offboard(
                tenant,
                reason=data["reason"],
                write_export=lambda export: write_export(export, path),
            )
            session.commit()
            data = result.as_dict()
            data["export"] = {
                **data["export"],
                "file": path.name,
                "download": f"{PREFIX}/{tenant.slug}/export",
            }
            return data

    @blp.route("/<key>/export")
    class Export(MethodView):
        @operator_required
        @blp.response(
            200,
            {"type": "object"},
            content_type="application/json",
            description="The export file (JSON)",
        )
        def get(self, key: str) -> Any:
            """Download the export stored when the tenant was offboarded."""
            return _send_stored_export(registry.find_tenant(key))

    @blp.route("/import")
    class Import(MethodView):
        @operator_required
        @blp.arguments(schemas.TenantsImportQuerySchema, location="query")
        @blp.arguments(schemas.TenantsImportFileSchema, location="files")
        @blp.response(200, schemas.TenantsImportReportSchema)
        @blp.alt_response(422, description="Bad lines: nothing was imported (problem+json)")
        def post(self, args: dict[str, Any], files: dict[str, Any]) -> Any:
            """Bulk onboarding from a GV100AD file or a CSV; all or nothing unless skip_invalid."""
            from plugins.tenants.import_sources import check_filters, parse_source
            from plugins.tenants.importing import import_tenants

            filters = check_filters(args.get("land"), args.get("kreis"))
            upload = files["file"]
            source = parse_source(
                upload.read(), args["format"], Path(upload.filename or "upload").name
            )
            report = import_tenants(
                source, filters=filters, skip_invalid=args["skip_invalid"], dry_run=args["dry_run"]
            )
            if report.aborted:
                return _aborted(report)
            if report.written:
                session.commit()
            return report.as_dict()


def _aborted(report: Any) -> Response:
    bad = report.plan.bad
    return problem(
        422,
        f"{len(bad)} bad line(s); nothing was imported (fix them, or set skip_invalid)",
        errors={"file": [str(line) for line in bad]},
    )


def _send_stored_export(tenant: Tenant) -> Response:
    from plugins.tenants.exports import export_folder

    if tenant.status != TenantStatus.OFFBOARDED:
        raise NotFoundError(
            "tenant %(tenant_slug)r is %(status)s; only offboarded tenants have a stored export",
            field="tenant",
            code="tenants.export.not_offboarded",
            tenant_slug=tenant.slug,
            status=tenant.status.value,
        )
    folder = export_folder().resolve()
    for entry in registry.audit_entries(tenant, limit=1000):
        stored = (
            (entry.details or {}).get("export", {}).get("file") if entry.tenant_id is None else None
        )
        if entry.action == "tenant.offboarded" and stored:
            path = Path(stored).resolve()
            if path.parent == folder and path.is_file():
                return send_file(
                    path, mimetype="application/json", as_attachment=True, download_name=path.name
                )
    raise NotFoundError(
        "no stored export of %(tenant_slug)r in the export folder (an export written by the "
        "command line stays where it was written)",
        field="tenant",
        code="tenants.export.not_found",
        tenant_slug=tenant.slug,
    )
