"""Marshmallow schemas of grants: the configuration file section, API payloads and
what the API and the commands answer."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from plugins.billing.output_schemas import Cents
from plugins.billing.schemas import AGS, KEY, Day, Money, Rate


class GrantPartnerSchema(ma.Schema):
    """A partner the recipient passes part of the grant on to."""

    ags = ma.fields.String(required=True, validate=AGS)
    weight = ma.fields.Integer(load_default=1, validate=validate.Range(min=1))


class GrantConfigSchema(ma.Schema):
    """A grant (Zuwendung) in the billing configuration file (``[[grants]]``)."""

    key = ma.fields.String(required=True, validate=KEY)
    purpose = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    funder = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    funder_ref = ma.fields.String(load_default=None, validate=validate.Length(max=100))
    recipient = ma.fields.String(required=True, validate=AGS)
    requested = Money(required=True)
    granted = Money(required=True)
    own_share = Rate(load_default=0, metadata={"description": 'own share in percent, "10.00"'})
    first_year = ma.fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    last_year = ma.fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))
    budget_position = ma.fields.String(load_default=None, validate=validate.Length(max=100))
    number_prefix = ma.fields.String(
        required=True, validate=validate.Regexp(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
    )
    partners = ma.fields.List(ma.fields.Nested(GrantPartnerSchema), load_default=list)

    @ma.post_load
    def _span(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["last_year"] = data.get("last_year") or data["first_year"]
        if data["last_year"] < data["first_year"]:
            raise ma.ValidationError("must not lie before first_year", "last_year")
        if data["granted"] > data["requested"]:
            raise ma.ValidationError("must not exceed the requested amount", "granted")
        return data


class GrantPayoutInSchema(ma.Schema):
    """A payout to record (``POST /api/v1/billing/grants/<key>/payouts``)."""

    partner = ma.fields.String(required=True, validate=KEY)
    year = ma.fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    paid_on = Day(required=True)
    amount = Money(load_default=None, metadata={"description": "default: what is open"})
    budget_position = ma.fields.String(load_default=None, validate=validate.Length(max=100))
    budget_product = ma.fields.String(load_default=None, metadata={"example": "04.01.02.01"})
    budget_account = ma.fields.String(load_default=None, metadata={"example": "531800"})


class GrantAmountsSchema(ma.Schema):
    """Head figures of a grant (amounts as strings with two decimals)."""

    key = ma.fields.String()
    purpose = ma.fields.String()
    funder = ma.fields.String()
    recipient = ma.fields.Dict()
    requested = ma.fields.String()
    granted = ma.fields.String()
    paid_out = ma.fields.String()
    left = ma.fields.String()


class GrantReportSchema(GrantAmountsSchema):
    """A grant's report: figures per year, per partner and the payment advices."""

    funder_ref = ma.fields.String(allow_none=True)
    years = ma.fields.Dict()
    budget_position = ma.fields.String(allow_none=True)
    own_funds = ma.fields.String()
    own_share_percent = ma.fields.String()
    own_share_required = ma.fields.String()
    by_year = ma.fields.List(ma.fields.Dict())
    by_partner = ma.fields.List(ma.fields.Dict())
    payouts = ma.fields.List(ma.fields.Dict())


class GrantPayoutSchema(ma.Schema):
    """A payment advice (Auszahlungsanordnung); dumps
    :class:`~plugins.billing.grant_models.GrantPayout` objects."""

    document = ma.fields.Constant("Auszahlungsanordnung", metadata={"type": "string"})
    number = ma.fields.String()
    partner = ma.fields.String(attribute="partner.slug")
    year = ma.fields.Integer()
    paid_on = ma.fields.Date()
    amount = Cents(attribute="amount_cents")
    budget_position = ma.fields.String(allow_none=True)
