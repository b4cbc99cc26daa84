"""Marshmallow schemas of the operator API (``/api/v1/tenants``).

Input schemas check shape and types; the domain functions check the rules (AGS in
the gazetteer, Leitweg-ID check digits, transitions...), so that the CLI, the API and
the pages report the same messages.
"""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import validate

from core import NOTICE_REASONS
from plugins.tenants.invitations import MAX_DAYS
from plugins.tenants.lifecycle import MAX_REASON_LENGTH

STATUSES = ("requested", "active", "suspended", "offboarded")
KINDS = ("land", "kreis", "gemeinde", "kreisfreie_stadt", "stadtstaat")


def _reason(
    description: str = "Why (recorded in the audit log).", **kwargs: object
) -> ma.fields.String:
    return ma.fields.String(
        validate=validate.Length(max=MAX_REASON_LENGTH),
        metadata={"description": description},
        **kwargs,
    )


class TenantsTenantSchema(ma.Schema):
    """A tenant in brief."""

    slug = ma.fields.String(required=True, metadata={"example": "coesfeld"})
    ags = ma.fields.String(
        required=True,
        metadata={"description": "Amtlicher Gemeindeschlüssel", "example": "05558012"},
    )
    name = ma.fields.String(
        required=True, metadata={"description": "Official name", "example": "Coesfeld, Stadt"}
    )
    display_name = ma.fields.String(metadata={"example": "Stadt Coesfeld"})
    kind = ma.fields.String(validate=validate.OneOf(KINDS))
    parent = ma.fields.String(
        allow_none=True, metadata={"description": "Slug of the parent tenant"}
    )
    status = ma.fields.String(validate=validate.OneOf(STATUSES))


class TenantsSubscriptionSchema(ma.Schema):
    """A tenant's subscription to a service."""

    service = ma.fields.String(required=True)
    title = ma.fields.String(allow_none=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(
        allow_none=True, metadata={"description": "Last day of service (inclusive)"}
    )
    end_reason = ma.fields.String(allow_none=True)
    contract_ref = ma.fields.String(
        allow_none=True, metadata={"description": "Call-off (Einzelabruf) reference"}
    )
    status = ma.fields.String(validate=validate.OneOf(("scheduled", "active", "ended")))


class TenantsMasterDataSchema(ma.Schema):
    """A tenant's master data: portal branding, contact, invoicing address, Leitweg-ID."""

    display_name = ma.fields.String(allow_none=True, metadata={"example": "Stadt Coesfeld"})
    contact_email = ma.fields.String(allow_none=True)
    brand_colour = ma.fields.String(allow_none=True, metadata={"example": "#004b87"})
    invoice_recipient = ma.fields.String(allow_none=True)
    address_street = ma.fields.String(allow_none=True)
    address_postcode = ma.fields.String(allow_none=True)
    address_city = ma.fields.String(allow_none=True)
    leitweg_id = ma.fields.String(allow_none=True, metadata={"example": "05558012-71"})
    invoice_email = ma.fields.String(allow_none=True)
    parent_may_administer = ma.fields.Boolean(
        metadata={"description": "A Gemeinde lets the admins of its Kreis administer it"}
    )


class TenantsTenantDetailSchema(TenantsTenantSchema, TenantsMasterDataSchema):
    """Everything about a tenant."""

    kreis = ma.fields.String(allow_none=True)
    land = ma.fields.String(allow_none=True)
    population = ma.fields.Integer(allow_none=True)
    has_logo = ma.fields.Boolean()
    hostname = ma.fields.String(allow_none=True)
    children = ma.fields.Integer(metadata={"description": "Number of child tenants"})
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    subscriptions = ma.fields.List(ma.fields.Nested(TenantsSubscriptionSchema))
    admins = ma.fields.List(
        ma.fields.String(), metadata={"description": "E-mail addresses of the admins"}
    )
    pending_invitations = ma.fields.Integer()


class TenantsQuerySchema(ma.Schema):
    """Filters of the tenant list."""

    q = ma.fields.String(metadata={"description": "Name, slug, AGS prefix or postcode"})
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    kind = ma.fields.String(validate=validate.OneOf(KINDS))
    parent = ma.fields.String(metadata={"description": "Slug or AGS of the parent"})


class TenantsOnboardSchema(ma.Schema):
    """A municipality, Kreis or Land to register (status ``requested``)."""

    ags = ma.fields.String(required=True, metadata={"example": "05558012"})
    slug = ma.fields.String(metadata={"description": "Default: suggested from the name"})
    name = ma.fields.String(metadata={"description": "Display name; default from the gazetteer"})
    leitweg_id = ma.fields.String(metadata={"example": "05558012-12-83"})
    email = ma.fields.String(metadata={"description": "Contact e-mail address of the portal"})
    invoice_email = ma.fields.String()
    reason = _reason()


class TenantsUpdateSchema(TenantsMasterDataSchema):
    """Master data to change; fields left out stay as they are, null clears one."""

    reason = _reason(load_default=None)


class TenantsTransitionSchema(ma.Schema):
    """A lifecycle change (offboarding has its own endpoint)."""

    action = ma.fields.String(
        required=True, validate=validate.OneOf(("activate", "suspend", "resume"))
    )
    reason = _reason("Why (recorded in the audit log); required for suspend.")


class TenantsSubscribeSchema(ma.Schema):
    """A connection to a service."""

    service = ma.fields.String(required=True, metadata={"example": "engagement"})
    starts_on = ma.fields.Date(metadata={"description": "First day; default today"})
    contract_ref = ma.fields.String(metadata={"description": "Call-off (Einzelabruf) reference"})
    allow_backdated = ma.fields.Boolean(load_default=False)


class TenantsUnsubscribeSchema(ma.Schema):
    """The end of a connection."""

    ends_on = ma.fields.Date(required=True, metadata={"description": "Last day of service"})
    reason = ma.fields.String(load_default="ordinary", validate=validate.OneOf(NOTICE_REASONS))


class TenantsAuditQuerySchema(ma.Schema):
    """How many audit entries to return."""

    limit = ma.fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))


class TenantsAuditEntrySchema(ma.Schema):
    """Who did what, when and why."""

    at = ma.fields.DateTime()
    actor = ma.fields.String()
    action = ma.fields.String()
    target = ma.fields.String()
    reason = ma.fields.String(allow_none=True)
    details = ma.fields.Dict()
    platform = ma.fields.Boolean(
        metadata={"description": "A platform entry (outlives the tenant's own log)"}
    )


class TenantsInviteSchema(ma.Schema):
    """Who to invite as an admin of the tenant."""

    email = ma.fields.String(required=True)
    days = ma.fields.Integer(validate=validate.Range(min=1, max=MAX_DAYS))


class TenantsInvitationSchema(ma.Schema):
    """A new invitation: the link is shown only here."""

    tenant = ma.fields.String()
    email = ma.fields.String()
    link = ma.fields.String(metadata={"description": "One-time link; store or send it now"})
    expires_at = ma.fields.DateTime()
    mail_queued = ma.fields.Boolean()


class TenantsOffboardSchema(ma.Schema):
    """Confirmation of an offboarding."""

    reason = _reason(required=True)
    confirm = ma.fields.String(
        required=True, metadata={"description": "The tenant's slug, as a confirmation"}
    )


class TenantsExportFileSchema(ma.Schema):
    """The stored export."""

    file = ma.fields.String(metadata={"description": "File name in the export folder"})
    bytes = ma.fields.Integer()
    sha256 = ma.fields.String()
    download = ma.fields.String(metadata={"description": "API path to download it"})


class TenantsOffboardingSchema(ma.Schema):
    """What the offboarding did."""

    tenant = ma.fields.Nested(TenantsTenantSchema)
    export = ma.fields.Nested(TenantsExportFileSchema)
    deleted_rows = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    ended_subscriptions = ma.fields.List(ma.fields.String())
    withdrawn_subscriptions = ma.fields.List(ma.fields.String())
    relinked_children = ma.fields.List(ma.fields.String())


class TenantsImportQuerySchema(ma.Schema):
    """Options of a bulk import."""

    land = ma.fields.String(metadata={"description": "Only this Land (2 digits)"})
    kreis = ma.fields.String(metadata={"description": "Only this Kreis (5 digits)"})
    format = ma.fields.String(
        load_default="auto", validate=validate.OneOf(("auto", "gv100ad", "csv"))
    )
    skip_invalid = ma.fields.Boolean(load_default=False)
    dry_run = ma.fields.Boolean(load_default=False)


class TenantsImportFileSchema(ma.Schema):
    """The uploaded file (multipart/form-data)."""

    file = Upload(
        required=True, metadata={"description": "GV100AD or CSV (ags[,slug,leitweg_id,email,name])"}
    )


class TenantsBadLineSchema(ma.Schema):
    """A line that could not be imported."""

    line = ma.fields.Integer()
    field = ma.fields.String(allow_none=True)
    message = ma.fields.String()


class TenantsImportReportSchema(ma.Schema):
    """What an import did."""

    file = ma.fields.String()
    format = ma.fields.String()
    written = ma.fields.Boolean()
    created = ma.fields.Integer()
    updated = ma.fields.Integer()
    unchanged = ma.fields.Integer()
    relinked = ma.fields.Integer()
    filtered = ma.fields.Integer()
    ignored = ma.fields.Integer()
    bad_lines = ma.fields.List(ma.fields.Nested(TenantsBadLineSchema))
    tenants = ma.fields.List(
        ma.fields.Dict(), metadata={"description": "New tenants: line, ags, slug, name, parent"}
    )
    changes = ma.fields.List(
        ma.fields.Dict(), metadata={"description": "Changed tenants: line, slug, ags, changes"}
    )
