"""Marshmallow schemas of what billing reads: the configuration (TOML and API) and the
API's request payloads (what it answers: :mod:`plugins.billing.output_schemas`).

Amounts are strings with at most two decimals (``"750.00"``), never floats; rates are
percentages as strings (``"19.00"``). Domain checks (IBAN, VAT ID, tax number,
Leitweg-ID, VAT rate per category) run inside the schemas, so that every error comes
with the key path of the offending value.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import marshmallow as ma
from marshmallow import validate

from core import CONTROL_CHARACTERS
from core import ValidationError as RathausValidationError
from plugins.billing.contract_models import Interval, Proration
from plugins.billing.money import MAX_AMOUNT
from plugins.billing.vat import VatCategory

KEY = validate.Regexp(
    r"^[a-z0-9][a-z0-9_-]{0,63}$", error="must be lowercase letters, digits, - or _ (1-64)"
)
#: A Kreis or Gemeinde key (AGS, 5 or 8 digits).
AGS = validate.Regexp(r"^\d{8}$|^\d{5}$", error="must be an AGS")


class Money(ma.fields.Field):
    """An amount as a string with at most two decimals; loads to cents (int)."""

    default_error_messages = {
        "invalid": 'must be an amount with at most two decimals given as a string, e.g. "750.00"',
        "negative": "must not be negative",
        "too_large": "must be at most 999999999999.99",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, float | bool):
            raise self.make_error("invalid")
        try:
            amount = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise self.make_error("invalid") from None
        if amount.is_finite() and abs(amount) > MAX_AMOUNT:
            raise self.make_error("too_large")  # before quantize, which would overflow
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise self.make_error("invalid")
        if amount < 0:
            raise self.make_error("negative")
        return int(amount * 100)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{Decimal(value) / 100:.2f}"


class Rate(Money):
    """A VAT rate in percent as a string (``"19.00"``); loads to basis points."""


class Day(ma.fields.Date):
    """A date from TOML (a native date) or JSON (an ISO string)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            raise self.make_error("invalid")
        if isinstance(value, dt.date):
            return value
        return super()._deserialize(value, attr, data, **kwargs)


def _domain_check(function: Any, value: Any, field: str) -> Any:
    try:
        return function(value)
    except RathausValidationError as exc:
        raise ma.ValidationError(exc.message, field) from None


class _Party(ma.Schema):
    key = ma.fields.String(required=True, validate=KEY)
    name = ma.fields.String(
        required=True,
        validate=validate.And(
            validate.Length(min=1, max=200),
            validate.Regexp(
                CONTROL_CHARACTERS.pattern.replace("[", "^[^", 1) + "*$",
                error="must not contain control characters such as line breaks or tabs",
            ),
        ),
    )
    street = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    postcode = ma.fields.String(
        required=True, validate=validate.Regexp(r"^\d{5}$", error="must be 5 digits")
    )
    city = ma.fields.String(required=True, validate=validate.Length(min=1, max=100))
    country = ma.fields.String(load_default="DE", validate=validate.Length(equal=2))
    contact_name = ma.fields.String(validate=validate.Length(max=200))
    contact_phone = ma.fields.String(validate=validate.Length(max=50))
    contact_email = ma.fields.Email()
    electronic_address = ma.fields.Email(required=True)
    vat_id = ma.fields.String()
    tax_number = ma.fields.String()
    registration_id = ma.fields.String(validate=validate.Length(max=100))
    iban = ma.fields.String()

    @ma.validates_schema
    def _identifiers(self, data: dict[str, Any], **kwargs: Any) -> None:
        from plugins.billing.parties import validate_iban, validate_tax_number, validate_vat_id

        if data.get("iban"):
            data["iban"] = _domain_check(validate_iban, data["iban"], "iban")
        if data.get("vat_id"):
            data["vat_id"] = _domain_check(validate_vat_id, data["vat_id"], "vat_id")
        if data.get("tax_number"):
            data["tax_number"] = _domain_check(
                validate_tax_number, data["tax_number"], "tax_number"
            )


class BillingIssuerSchema(_Party):
    """An issuer of invoices."""

    contact_name = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    contact_phone = ma.fields.String(required=True, validate=validate.Length(min=1, max=50))
    contact_email = ma.fields.Email(required=True)
    iban = ma.fields.String(required=True)
    bic = ma.fields.String(validate=validate.Length(min=8, max=11))
    number_prefix = ma.fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Z0-9]{1,20}$", error="must be 1-20 capital letters or digits"
        ),
    )
    payment_days = ma.fields.Integer(load_default=30, validate=validate.Range(min=0, max=365))
    tenant = ma.fields.String(
        metadata={
            "description": "AGS of the tenant the issuer is (it pays no share of its own pools)"
        }
    )

    @ma.validates_schema
    def _tax_identification(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("vat_id") and not data.get("tax_number"):
            raise ma.ValidationError(
                "an issuer needs a VAT ID or a tax number (§ 14 UStG)", "vat_id"
            )


class BillingSponsorSchema(_Party):
    """A payer that is not a tenant."""

    leitweg_id = ma.fields.String()

    @ma.validates_schema
    def _leitweg(self, data: dict[str, Any], **kwargs: Any) -> None:
        from core import validate_leitweg_id

        if data.get("leitweg_id"):
            data["leitweg_id"] = _domain_check(
                validate_leitweg_id, data["leitweg_id"], "leitweg_id"
            )


def _check_vat(data: dict[str, Any]) -> None:
    from plugins.billing.contracts import check_vat

    _domain_check(
        lambda value: check_vat(VatCategory(data["vat_category"]), value),
        data["vat_rate"],
        "vat_rate",
    )


class BillingMetricSchema(ma.Schema):
    """A tracked quantity of a tariff version."""

    metric = ma.fields.String(required=True, validate=KEY)
    description = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    unit_price = Money(load_default=0)
    included = ma.fields.Integer(load_default=0, validate=validate.Range(min=0))


class BillingTariffVersionSchema(ma.Schema):
    """The prices of a tariff from a day on."""

    valid_from = Day(required=True)
    description = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    one_time_fee = Money(load_default=0)
    one_time_fee_from = Day(load_default=None)
    recurring_fee = Money(load_default=0)
    interval = ma.fields.Enum(Interval, by_value=True, load_default=Interval.MONTHLY)
    proration = ma.fields.Enum(Proration, by_value=True, load_default=Proration.BY_DAY)
    vat_category = ma.fields.Enum(VatCategory, by_value=True, load_default=VatCategory.STANDARD)
    vat_rate = Rate(load_default=1900)
    minimum_term_months = ma.fields.Integer(load_default=0, validate=validate.Range(min=0, max=120))
    notice_period_months = ma.fields.Integer(load_default=0, validate=validate.Range(min=0, max=24))
    framework_ref = ma.fields.String(load_default=None, validate=validate.Length(max=100))
    metrics = ma.fields.List(ma.fields.Nested(BillingMetricSchema), load_default=list)

    @ma.validates_schema
    def _vat(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_vat(data)


class BillingTariffSchema(ma.Schema):
    """A service's price list."""

    key = ma.fields.String(required=True, validate=KEY)
    service = ma.fields.String(required=True, validate=KEY)
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    issuer = ma.fields.String(required=True, validate=KEY)
    versions = ma.fields.List(
        ma.fields.Nested(BillingTariffVersionSchema), required=True, validate=validate.Length(min=1)
    )

    @ma.validates_schema
    def _distinct_versions(self, data: dict[str, Any], **kwargs: Any) -> None:
        days = [version["valid_from"] for version in data.get("versions", [])]
        if len(days) != len(set(days)):
            raise ma.ValidationError("two versions start on the same day", "versions")


class BillingSponsorshipSchema(ma.Schema):
    """A sponsor paying a service's fees."""

    key = ma.fields.String(required=True, validate=KEY)
    sponsor = ma.fields.String(required=True, validate=KEY)
    service = ma.fields.String(required=True, validate=KEY)
    tenants = ma.fields.List(
        ma.fields.String(validate=AGS),
        load_default=None,
    )
    starts_on = Day(required=True)
    ends_on = Day(load_default=None)
    covers_recurring = ma.fields.Boolean(load_default=True)
    covers_one_time = ma.fields.Boolean(load_default=True)
    termination_window_days = ma.fields.Integer(
        load_default=90, validate=validate.Range(min=1, max=730)
    )

    @ma.validates_schema
    def _dates(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ma.ValidationError("must not lie before starts_on", "ends_on")


class BillingConfigSchema(ma.Schema):
    """A whole billing configuration file."""

    class Meta:
        unknown = ma.RAISE

    issuers = ma.fields.List(ma.fields.Nested(BillingIssuerSchema), load_default=list)
    sponsors = ma.fields.List(ma.fields.Nested(BillingSponsorSchema), load_default=list)
    tariffs = ma.fields.List(ma.fields.Nested(BillingTariffSchema), load_default=list)
    sponsorships = ma.fields.List(ma.fields.Nested(BillingSponsorshipSchema), load_default=list)
    # Pools and grants are resolved by name: their schema modules import this one.
    pools = ma.fields.List(ma.fields.Nested("BillingPoolSchema"), load_default=list)
    grants = ma.fields.List(ma.fields.Nested("GrantConfigSchema"), load_default=list)


# ---------------------------------------------------------------------------------
# API payloads
# ---------------------------------------------------------------------------------


class BillingRunArgsSchema(ma.Schema):
    """Start a billing run."""

    period = ma.fields.String(required=True, metadata={"description": "YYYY-MM"})
    issuer = ma.fields.String(load_default=None)
    dry_run = ma.fields.Boolean(load_default=False)


class BillingFinalizeArgsSchema(ma.Schema):
    """Finalise drafts."""

    ids = ma.fields.List(ma.fields.Integer(), load_default=list)
    all = ma.fields.Boolean(load_default=False)
    issue_date = ma.fields.Date(load_default=None)


class BillingCancelArgsSchema(ma.Schema):
    """Cancel an invoice."""

    reason = ma.fields.String(required=True, validate=validate.Length(min=1, max=1000))
    issue_date = ma.fields.Date(load_default=None)


class BillingInvoiceQuerySchema(ma.Schema):
    """Filters of the invoice list."""

    period = ma.fields.String(load_default=None)
    payer = ma.fields.String(load_default=None)
    status = ma.fields.String(
        load_default=None, validate=validate.OneOf(["draft", "final", "cancelled"])
    )
    issuer = ma.fields.String(load_default=None)


class BillingYearQuerySchema(ma.Schema):
    """A calendar year."""

    year = ma.fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class BillingTerminateArgsSchema(ma.Schema):
    """Terminate a contract."""

    last_day = ma.fields.Date(required=True)
    special = ma.fields.Boolean(load_default=False)
    notice_on = ma.fields.Date(load_default=None)


def error_paths(messages: Any, prefix: str = "") -> list[str]:
    """Marshmallow's nested messages as ``key.path[0].field: message`` lines."""
    lines = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            lines.extend(error_paths(value, path))
    elif isinstance(messages, list):
        for item in messages:
            if isinstance(item, dict | list):
                lines.extend(error_paths(item, prefix))
            else:
                lines.append(f"{prefix}: {item}")
    else:
        lines.append(f"{prefix}: {messages}")
    return lines
