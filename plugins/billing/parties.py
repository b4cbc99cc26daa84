"""Issuers and payers: their master data, validated, and the snapshots on invoices.

An issuer needs what § 14 UStG and XRechnung need from a seller: name, address,
contact (name, phone, e-mail), electronic address (BT-34), a VAT ID and/or a tax
number, a legal registration identifier, an IBAN and its own number prefix. A payer
is a tenant (core's invoicing master data and Leitweg-ID) or a sponsor.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from stdnum import iban as stdnum_iban
from stdnum.de import stnr
from stdnum.de import vat as stdnum_vat
from stdnum.exceptions import ValidationError as StdnumError

from core import (
    NotFoundError,
    Tenant,
    ValidationError,
    normalise_email,
    session,
    validate_leitweg_id,
)
from plugins.billing.party_models import Issuer, Sponsor


def validate_iban(text: str, field: str = "iban") -> str:
    """The IBAN in compact form (check digits verified)."""
    try:
        return stdnum_iban.validate(text)
    except StdnumError:
        raise ValidationError(
            "%(value)s is not a valid IBAN (check digits or length wrong)",
            field=field,
            code="party.iban",
            value=repr(text),
        ) from None


def validate_vat_id(text: str, field: str = "vat_id") -> str:
    """A German VAT ID (USt-IdNr., ``DE`` + 9 digits with check digit), compact."""
    try:
        return "DE" + stdnum_vat.validate(text)
    except StdnumError:
        raise ValidationError(
            "%(value)s is not a valid German VAT ID (DE followed by 9 digits with a check digit)",
            field=field,
            code="party.vat_id",
            value=repr(text),
        ) from None


def validate_tax_number(text: str, field: str = "tax_number") -> str:
    """A German tax number (Steuernummer) in one of the Länder's formats, as given."""
    if not stnr.is_valid(text):
        raise ValidationError(
            "%(value)s is not a valid German tax number (Steuernummer)",
            field=field,
            code="party.tax_number",
            value=repr(text),
        )
    return text.strip()


def validate_party(data: dict[str, Any], *, kind: str) -> dict[str, Any]:
    """Check an issuer's or sponsor's master data; returns it normalised.

    :param kind: ``issuer`` (IBAN, contact and tax identification required) or
        ``sponsor``.
    """
    data = dict(data)
    for name in ("name", "street", "postcode", "city", "electronic_address"):
        if not str(data.get(name) or "").strip():
            raise ValidationError("must not be empty", field=name)
    if data.get("iban"):
        data["iban"] = validate_iban(data["iban"])
    if data.get("vat_id"):
        data["vat_id"] = validate_vat_id(data["vat_id"])
    if data.get("tax_number"):
        data["tax_number"] = validate_tax_number(data["tax_number"])
    if data.get("leitweg_id"):
        data["leitweg_id"] = validate_leitweg_id(data["leitweg_id"])
    for name in ("contact_email",):
        if data.get(name):
            data[name] = normalise_email(data[name])
    if kind == "issuer":
        for name in ("contact_name", "contact_phone", "contact_email", "iban", "number_prefix"):
            if not str(data.get(name) or "").strip():
                raise ValidationError("must not be empty", field=name)
        if not data.get("vat_id") and not data.get("tax_number"):
            raise ValidationError(
                "an issuer needs a VAT ID or a tax number (§ 14 UStG)", field="vat_id"
            )
    return data


def issuer_by_key(key: str) -> Issuer:
    """The issuer with this key; ``NotFoundError`` naming it otherwise."""
    issuer = session.scalar(select(Issuer).where(Issuer.key == key))
    if issuer is None:
        raise NotFoundError(
            "no issuer with key %(key)s", field="issuer", code="issuer.unknown", key=repr(key)
        )
    return issuer


def sponsor_by_key(key: str) -> Sponsor:
    """The sponsor with this key; ``NotFoundError`` naming it otherwise."""
    sponsor = session.scalar(select(Sponsor).where(Sponsor.key == key))
    if sponsor is None:
        raise NotFoundError(
            "no sponsor with key %(key)s", field="sponsor", code="sponsor.unknown", key=repr(key)
        )
    return sponsor


def seller_snapshot(issuer: Issuer) -> dict[str, Any]:
    """The issuer's data as printed on an invoice."""
    return {
        "name": issuer.name,
        "street": issuer.street,
        "postcode": issuer.postcode,
        "city": issuer.city,
        "country": issuer.country,
        "contact_name": issuer.contact_name,
        "contact_phone": issuer.contact_phone,
        "contact_email": issuer.contact_email,
        "electronic_address": issuer.electronic_address,
        "vat_id": issuer.vat_id,
        "tax_number": issuer.tax_number,
        "registration_id": issuer.registration_id,
        "iban": issuer.iban,
        "bic": issuer.bic,
    }


def tenant_buyer(tenant: Tenant) -> dict[str, Any]:
    """A tenant's invoicing master data as the buyer of an invoice."""
    return {
        "kind": "tenant",
        "key": tenant.slug,
        "ags": tenant.ags,
        "name": tenant.invoice_recipient or tenant.title,
        "street": tenant.address_street,
        "postcode": tenant.address_postcode,
        "city": tenant.address_city,
        "country": "DE",
        "leitweg_id": tenant.leitweg_id,
        "email": tenant.invoice_email or tenant.contact_email,
    }


def sponsor_buyer(sponsor: Sponsor) -> dict[str, Any]:
    """A sponsor's data as the buyer of an invoice."""
    return {
        "kind": "sponsor",
        "key": sponsor.key,
        "ags": None,
        "name": sponsor.name,
        "street": sponsor.street,
        "postcode": sponsor.postcode,
        "city": sponsor.city,
        "country": sponsor.country,
        "leitweg_id": sponsor.leitweg_id,
        "email": sponsor.electronic_address,
    }


#: Buyer fields an invoice cannot be issued without.
REQUIRED_BUYER_FIELDS = ("name", "street", "postcode", "city")


def check_buyer(buyer: dict[str, Any]) -> None:
    """Refuse to issue an invoice to a payer whose address or e-address is missing."""
    missing = [name for name in REQUIRED_BUYER_FIELDS if not buyer.get(name)]
    if not buyer.get("leitweg_id") and not buyer.get("email"):
        missing.append("leitweg_id")
    if missing:
        raise ValidationError(
            "the invoicing master data of %(kind)s %(key)s lacks %(missing)s; complete it "
            "before finalising",
            field=missing[0],
            code="party.master_data",
            kind=buyer.get("kind"),
            key=repr(buyer.get("key")),
            missing=", ".join(missing),
        )
