"""A tenant's master data: portal branding, contact, invoicing address, Leitweg-ID.

One validation for every front end: the operator API, the tenant admin's settings
page and the import. Errors name the field; :class:`MasterDataError` carries every
field's problem at once so that a form can show them all.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app

from core import (
    Tenant,
    TenantKind,
    ValidationError,
    accounts,
    audit,
    refuse_control_characters,
    session,
    validate_leitweg_id,
)
from plugins.tenants.registry import target

#: Free-text master data fields with their maximum length.
TEXT_FIELDS = {
    "display_name": 200,
    "invoice_recipient": 200,
    "address_street": 200,
    "address_city": 100,
}
EMAIL_FIELDS = ("contact_email", "invoice_email")

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
POSTCODE = re.compile(r"^\d{5}$")
#: WCAG 2.1 AA for normal text: the portal header shows white text on the colour.
MIN_CONTRAST = 4.5
DEFAULT_LOGO_MAX_BYTES = 512 * 1024

#: Logo formats by their first bytes (the browser's content type is not trusted).
#: No SVG: it can carry scripts.
LOGO_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


class MasterDataError(ValidationError):
    """Several fields are wrong; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = errors

    def as_field_errors(self) -> dict[str, list[str]]:
        return {field: [message] for field, message in self.errors.items()}


def check_text(value: str | None, field: str, max_length: int) -> str | None:
    """Trimmed text, None when blank; ``ValidationError`` when too long or when it
    holds control characters."""
    text = (value or "").strip()
    refuse_control_characters(text, field)
    if len(text) > max_length:
        raise ValidationError(
            "must have at most %(max_length)s characters, not %(length)s",
            field=field,
            code="tenants.masterdata.too_long",
            max_length=max_length,
            length=len(text),
        )
    return text or None


def check_email(value: str | None, field: str) -> str | None:
    """A normalised e-mail address or None when blank; the error names ``field``."""
    if not (value or "").strip():
        return None
    try:
        return accounts.normalise_email(value or "")
    except ValidationError as exc:
        raise exc.with_field(field) from None


def contrast_with_white(colour: str) -> float:
    """The WCAG contrast ratio of ``#rrggbb`` against white."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def check_colour(value: str | None) -> str | None:
    """A ``#rrggbb`` colour dark enough for white text (WCAG AA), or None."""
    colour = (value or "").strip().lower()
    if not colour:
        return None
    if not COLOUR.match(colour):
        raise ValidationError(
            "%(value)r is not a colour in the form #rrggbb",
            field="brand_colour",
            code="tenants.masterdata.brand_colour.invalid",
            value=value,
        )
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            "%(colour)s is too light: white text on it has a contrast of %(ratio).1f:1, WCAG "
            "2.1 AA needs at least %(min_contrast)s:1",
            field="brand_colour",
            code="tenants.masterdata.brand_colour.contrast",
            colour=colour,
            ratio=ratio,
            min_contrast=MIN_CONTRAST,
        )
    return colour


def check_postcode(value: str | None) -> str | None:
    """A German postcode (5 digits) or None."""
    text = (value or "").strip()
    if text and not POSTCODE.match(text):
        raise ValidationError(
            "%(value)r is not a postcode of 5 digits",
            field="address_postcode",
            code="tenants.masterdata.address_postcode.invalid",
            value=value,
        )
    return text or None


def logo_max_bytes() -> int:
    """Largest logo accepted (``TENANTS_LOGO_MAX_BYTES``, default 512 KiB)."""
    return int(current_app.config.get("TENANTS_LOGO_MAX_BYTES", DEFAULT_LOGO_MAX_BYTES))


def check_logo(data: bytes) -> str:
    """The MIME type of a logo (PNG or JPEG, by its content) within the size limit."""
    limit = logo_max_bytes()
    if not data:
        raise ValidationError(
            "the file is empty", field="logo", code="tenants.masterdata.logo.empty"
        )
    if len(data) > limit:
        raise ValidationError(
            "the file has %(size)s bytes; at most %(limit)s are allowed",
            field="logo",
            code="tenants.masterdata.logo.too_large",
            size=len(data),
            limit=limit,
        )
    for signature, mime in LOGO_SIGNATURES:
        if data.startswith(signature):
            return mime
    raise ValidationError(
        "the file is not a PNG or JPEG image", field="logo", code="tenants.masterdata.logo.invalid"
    )


def _check_delegation(tenant: Tenant, value: Any) -> bool:
    allowed = bool(value)
    if allowed and (
        tenant.kind != TenantKind.GEMEINDE
        or tenant.parent is None
        or tenant.parent.kind != TenantKind.KREIS
    ):
        raise ValidationError(
            "only a Gemeinde under a registered Kreis can let the Kreis administer it",
            field="parent_may_administer",
            code="tenants.masterdata.parent_may_administer.not_possible",
        )
    return allowed


def _check_field(tenant: Tenant, field: str, value: Any) -> Any:
    if field in TEXT_FIELDS:
        return check_text(value, field, TEXT_FIELDS[field])
    if field in EMAIL_FIELDS:
        return check_email(value, field)
    if field == "brand_colour":
        return check_colour(value)
    if field == "address_postcode":
        return check_postcode(value)
    if field == "leitweg_id":
        return validate_leitweg_id(value) if (value or "").strip() else None
    if field == "parent_may_administer":
        return _check_delegation(tenant, value)
    raise ValidationError(
        "cannot be changed here", field=field, code="tenants.masterdata.read_only"
    )


def validate_changes(
    tenant: Tenant, changes: dict[str, Any], logo: bytes | None = None
) -> dict[str, Any]:
    """Cleaned values for ``changes``; ``MasterDataError`` listing every bad field,
    the ``logo`` (when given) included. Nothing is written."""
    cleaned, errors = {}, {}
    for field, value in changes.items():
        try:
            cleaned[field] = _check_field(tenant, field, value)
        except ValidationError as exc:
            errors[field] = exc.message
    if logo is not None:
        try:
            check_logo(logo)
        except ValidationError as exc:
            errors["logo"] = exc.message
    if errors:
        raise MasterDataError(errors)
    return cleaned


def update_master_data(
    tenant: Tenant,
    changes: dict[str, Any],
    *,
    logo: bytes | None = None,
    remove_logo: bool = False,
    reason: str | None = None,
) -> dict[str, Any]:
    """Validate and apply changes; audit what really changed. Returns ``{field: [old, new]}``.

    Nothing is changed when any field is wrong. The caller commits.
    """
    cleaned = validate_changes(tenant, changes, logo)
    logo_mime = check_logo(logo) if logo is not None else None
    changed: dict[str, Any] = {}
    for field, value in cleaned.items():
        if getattr(tenant, field) != value:
            changed[field] = [getattr(tenant, field), value]
            setattr(tenant, field, value)
    if logo is not None:
        tenant.logo, tenant.logo_mime = logo, logo_mime
        changed["logo"] = ["replaced", f"{logo_mime}, {len(logo)} bytes"]
    elif remove_logo and tenant.logo is not None:
        tenant.logo = tenant.logo_mime = None
        changed["logo"] = ["removed", None]
    if changed:
        session.flush()
        audit.record(
            "tenant.updated",
            target(tenant),
            tenant=tenant,
            reason=reason,
            details={"changes": changed},
        )
    return changed
