"""Offers of organisations: create, edit, publish, pause, expire.

An offer moves draft -> in_review -> published -> paused -> expired/archived. Offers
of verified organisations skip the review (:mod:`plugins.engagement.moderation`);
organisations themselves live in :mod:`plugins.engagement.organisations`.
Every function validates all input before writing anything; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from core import (
    ConflictError,
    ErrorCollector,
    NotFoundError,
    Tenant,
    ValidationError,
    cross_tenant,
    current_host,
    session,
    tenant_context,
    utcnow,
)
from plugins.engagement import geo, notifications, vocabulary
from plugins.engagement.models import (
    Opportunity,
    OpportunityStatus,
    Organisation,
    Reach,
    Schedule,
)

PLZ = re.compile(r"^\d{5}$")

S = OpportunityStatus


def setting(name: str, default: Any) -> Any:
    """A setting of this plugin: ``ENGAGEMENT_<NAME>`` (env ``RATHAUS_ENGAGEMENT_<NAME>``)."""
    value = current_app.config.get(f"ENGAGEMENT_{name}", default)
    return type(default)(value) if not isinstance(value, type(default)) else value


def text_value(
    data: Mapping[str, Any], name: str, max_length: int, *, required: bool = False
) -> str:
    """The stripped text of field ``name``; refused when required and empty or too long."""
    value = str(data.get(name) or "").strip()
    if required and not value:
        raise ValidationError("must not be empty", field=name, code="engagement.text.required")
    if len(value) > max_length:
        raise ValidationError(
            "must have at most %(max_length)s characters",
            field=name,
            code="engagement.text.too_long",
            max_length=max_length,
        )
    return value


# ---------------------------------------------------------------------------------
# Offers
# ---------------------------------------------------------------------------------


def _int(
    data: Mapping[str, Any], name: str, low: int, high: int, default: int | None
) -> int | None:
    raw = data.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError(
            "must be a whole number, got %(raw)r",
            field=name,
            code="engagement.number.invalid",
            raw=raw,
        ) from None
    if not low <= value <= high:
        raise ValidationError(
            "must be between %(low)s and %(high)s",
            field=name,
            code="engagement.number.out_of_range",
            low=low,
            high=high,
        )
    return value


def _date(data: Mapping[str, Any], name: str) -> dt.date | None:
    raw = data.get(name)
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise ValidationError(
            "must be a date (YYYY-MM-DD), got %(raw)r",
            field=name,
            code="engagement.date.invalid",
            raw=raw,
        ) from None


def _enum(data: Mapping[str, Any], name: str, enum_cls: type, default: Any = None) -> Any:
    raw = data.get(name) or default
    try:
        return enum_cls(raw)
    except ValueError:
        choices = ", ".join(member.value for member in enum_cls)
        raise ValidationError(
            "%(raw)r is not one of: %(choices)s",
            field=name,
            code="engagement.choice.unknown",
            raw=raw,
            choices=choices,
        ) from None


def _list(data: Mapping[str, Any], name: str) -> list[str]:
    raw = data.get(name) or []
    if isinstance(raw, str):
        raw = [part for part in re.split(r"[,\s]+", raw) if part]
    return [str(item) for item in raw]


def _truthy(data: Mapping[str, Any], name: str) -> bool:
    return data.get(name) in (True, "y", "on", "1", "true", 1)


@dataclass(frozen=True)
class Location:
    """Where an offer takes place."""

    remote: bool
    street: str | None = None
    plz: str | None = None
    place: str | None = None
    lat: float | None = None
    lon: float | None = None

    @property
    def cell(self) -> int | None:
        return (
            geo.cell_of(self.lat, self.lon)
            if self.lat is not None and self.lon is not None
            else None
        )


def locate(data: Mapping[str, Any]) -> Location:
    """Geocode an offer's address, PLZ or place (through the ``geocode`` hook).

    A full address is offered to the hook first (a deployment's geocoder may know
    streets); core's gazetteer then answers the PLZ or the place name.
    """
    street = text_value(data, "street", 200) or None
    plz = text_value(data, "plz", 5) or None
    place = text_value(data, "place", 100) or None
    if _truthy(data, "remote"):
        return Location(True, street, plz, place)
    if plz and not PLZ.match(plz):
        raise ValidationError(
            "must be a postcode of 5 digits", field="plz", code="engagement.offer.plz.invalid"
        )
    if not (plz or place):
        raise ValidationError(
            "give a postcode or a place, or mark the offer as remote",
            field="plz",
            code="engagement.offer.place.required",
        )
    hook = current_host().hook
    found = None
    if street:
        found = hook.geocode(query=" ".join(filter(None, [street + ",", plz, place])))
    point = None
    if found is not None:
        point = geo.Point(found.lat, found.lon, found.label, found.plz)
    else:
        point = geo.geocode(plz or place or "", field="plz" if plz else "place")
    return Location(False, street, plz or point.plz, place or point.label, point.lat, point.lon)


def offer_values(data: Mapping[str, Any], tenant: Tenant, today: dt.date) -> dict[str, Any]:
    """Validate an offer's input and return column values (nothing is written).

    :raises ValidationErrors: naming every field that breaks a rule.
    """
    errors = ErrorCollector()
    title = errors.run(text_value, data, "title", 200, required=True)
    description = errors.run(text_value, data, "description", 10000, required=True)
    fields = _list(data, "fields")
    if not fields:
        errors.errors.append(
            ValidationError(
                "choose at least one field of engagement",
                field="fields",
                code="engagement.offer.fields.required",
            )
        )
    schedule = errors.run(_enum, data, "schedule", Schedule, "regular")
    when = errors.run(_dates, data, schedule)
    expires_on = errors.run(_expiry, data, today)
    reach = errors.run(_enum, data, "reach", Reach, "local")
    location = errors.run(locate, data)
    values = {
        "skills": errors.run(vocabulary.validate_skills, _list(data, "skills")),
        "languages": errors.run(vocabulary.validate_languages, _list(data, "languages") or ["de"]),
        "hours_per_week": errors.run(_int, data, "hours_per_week", 1, 60, None),
        "min_age": errors.run(_int, data, "min_age", 0, 99, 0),
        "accessibility_notes": errors.run(text_value, data, "accessibility_notes", 2000),
        "places": errors.run(_int, data, "places", 1, 10000, None),
    }
    field_mask = errors.run(vocabulary.field_mask, fields) if fields else None
    slot_mask = errors.run(vocabulary.slot_mask, when[2]) if when is not None else None
    errors.raise_any()
    assert when is not None and location is not None and reach is not None
    starts_on, ends_on, _slots = when
    return {
        "title": title,
        "description": description,
        "field_mask": field_mask,
        **values,
        "remote": location.remote,
        "street": location.street,
        "plz": location.plz,
        "place": location.place,
        "lat": location.lat,
        "lon": location.lon,
        "geo_cell": location.cell,
        "reach": reach,
        "coverage_prefix": coverage_prefix(tenant.ags, reach),
        "schedule": schedule,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "slot_mask": slot_mask,
        "with_children": _truthy(data, "with_children"),
        "waitlist_open": _truthy(data, "waitlist_open"),
        "expires_on": expires_on,
    }


def _dates(
    data: Mapping[str, Any], schedule: Schedule | None
) -> tuple[dt.date | None, dt.date | None, list[str]]:
    """First day, last day and weekly slots: dates for one-off offers, slots otherwise."""
    errors = ErrorCollector()
    starts_on = errors.run(_date, data, "starts_on")
    ends_on = errors.run(_date, data, "ends_on")
    slots = _list(data, "time_slots")
    if schedule == Schedule.ONE_OFF:
        if starts_on is None and not errors.errors:
            errors.errors.append(
                ValidationError(
                    "a one-off offer needs a date",
                    field="starts_on",
                    code="engagement.offer.starts_on.required",
                )
            )
        elif starts_on is not None and ends_on is not None and ends_on < starts_on:
            errors.errors.append(
                ValidationError(
                    "lies before the first day",
                    field="ends_on",
                    code="engagement.offer.ends_on.before_start",
                )
            )
        slots = []
    else:
        starts_on = ends_on = None
    errors.raise_any()
    return starts_on, ends_on, slots


def _expiry(data: Mapping[str, Any], today: dt.date) -> dt.date:
    max_days = setting("MAX_EXPIRY_DAYS", 365)
    expires_on = _date(data, "expires_on") or today + dt.timedelta(
        days=setting("DEFAULT_EXPIRY_DAYS", 180)
    )
    if expires_on <= today:
        raise ValidationError(
            "must lie in the future", field="expires_on", code="engagement.offer.expires_on.in_past"
        )
    if expires_on > today + dt.timedelta(days=max_days):
        raise ValidationError(
            "must lie at most %(max_days)s days ahead",
            field="expires_on",
            code="engagement.offer.expires_on.too_far",
            max_days=max_days,
        )
    return expires_on


def check_offer(
    organisation: Organisation,
    data: Mapping[str, Any],
    offer: Opportunity | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The column values of a new offer of ``organisation`` or of changes to ``offer``,
    with every rule checked and nothing written.

    :raises ValidationErrors: naming every field that breaks a rule.
    """
    tenant = session.get(Tenant, organisation.tenant_id)
    errors = ErrorCollector()
    values = errors.run(offer_values, data, tenant, today or dt.date.today())
    if offer is not None and offer.places is not None:
        errors.run(_places_not_below_taken, offer, _places_given(data))
    errors.raise_any()
    assert values is not None
    return values


def _places_given(data: Mapping[str, Any]) -> int | None:
    try:
        return _int(data, "places", 1, 10000, None)
    except ValidationError:
        return None


def _places_not_below_taken(offer: Opportunity, places: int | None) -> None:
    if places is not None and places < offer.places_taken:
        raise ValidationError(
            "%(places_taken)s places are already taken; give at least that many",
            field="places",
            code="engagement.offer.places.below_taken",
            places_taken=offer.places_taken,
        )


def coverage_prefix(tenant_ags: str, reach: Reach) -> str:
    """The AGS prefix of the area an offer addresses (see ``Opportunity``)."""
    return {Reach.LOCAL: tenant_ags, Reach.KREIS: tenant_ags[:5], Reach.LAND: tenant_ags[:2]}[reach]


def create_offer(
    organisation: Organisation, data: Mapping[str, Any], today: dt.date | None = None
) -> Opportunity:
    """A new draft offer of ``organisation``."""
    tenant = session.get(Tenant, organisation.tenant_id)
    values = check_offer(organisation, data, today=today)
    with tenant_context(tenant):
        offer = Opportunity(organisation_id=organisation.id, status=S.DRAFT, **values)
        offer.organisation = organisation
        session.add(offer)
        session.flush()
    return offer


def update_offer(
    offer: Opportunity, data: Mapping[str, Any], today: dt.date | None = None
) -> Opportunity:
    """Change an offer. A published offer of an unverified organisation goes back into
    review; an expired one becomes a draft to be submitted again."""
    tenant = session.get(Tenant, offer.tenant_id)
    values = check_offer(offer.organisation, data, offer, today)
    with tenant_context(tenant):
        for key, value in values.items():
            setattr(offer, key, value)
        if offer.status == S.PUBLISHED and not offer.organisation.verified:
            offer.status = S.IN_REVIEW
            offer.submitted_at = utcnow()
        elif offer.status == S.EXPIRED:
            offer.status = S.DRAFT
        session.flush()
    return offer


_TRANSITIONS = {
    "submit": ({S.DRAFT}, None),
    "pause": ({S.PUBLISHED}, S.PAUSED),
    "resume": ({S.PAUSED}, S.PUBLISHED),
    "archive": ({S.DRAFT, S.IN_REVIEW, S.PUBLISHED, S.PAUSED, S.EXPIRED}, S.ARCHIVED),
}


def change_status(offer: Opportunity, action: str, today: dt.date | None = None) -> Opportunity:
    """``submit`` (publish directly when verified, else into review), ``pause``,
    ``resume`` or ``archive`` an offer.

    :raises ValidationError: unknown action.
    :raises ConflictError: the action does not apply to the offer's status.
    """
    if action not in _TRANSITIONS:
        raise ValidationError(
            "%(action)r is not one of: %(transitions)s",
            field="action",
            code="engagement.offer.action.unknown_choice",
            action=action,
            transitions=", ".join(_TRANSITIONS),
        )
    allowed, target = _TRANSITIONS[action]
    if offer.status not in allowed:
        raise ConflictError(
            "cannot %(action)s an offer that is %(status)s",
            field="status",
            code="engagement.offer.status.transition",
            action=action,
            status=offer.status.value,
        )
    today = today or dt.date.today()
    if action in ("submit", "resume") and offer.expires_on < today:
        raise ConflictError(
            "the offer has expired; extend its expiry date first",
            field="expires_on",
            code="engagement.offer.expired",
        )
    with tenant_context(offer.tenant_id):
        if action == "submit":
            offer.submitted_at = utcnow()
            target = S.PUBLISHED if offer.organisation.verified else S.IN_REVIEW
        offer.status = target
        if target == S.PUBLISHED and offer.published_at is None:
            offer.published_at = utcnow()
        session.flush()
    return offer


def offer_of_organisation(organisation: Organisation, offer_id: int) -> Opportunity:
    """The organisation's offer with this id (``NotFoundError`` otherwise)."""
    with tenant_context(organisation.tenant_id):
        offer = session.get(Opportunity, offer_id)
    if offer is None or offer.organisation_id != organisation.id:
        raise NotFoundError(
            "no offer %(offer_id)s of this organisation",
            field="offer",
            code="engagement.offer.not_found",
            offer_id=offer_id,
        )
    return offer


# ---------------------------------------------------------------------------------
# Expiry
# ---------------------------------------------------------------------------------


@dataclass
class ExpiryReport:
    """What one run of :func:`expire_offers` did."""

    expired: int = 0
    reminded: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"expired": self.expired, "reminded": self.reminded}


def expire_offers(today: dt.date | None = None) -> ExpiryReport:
    """Expire offers past their date and remind organisations ``REMINDER_DAYS`` (7)
    before; safe to run any number of times a day (reminders are sent once)."""
    today = today or dt.date.today()
    report = ExpiryReport()
    soon = today + dt.timedelta(days=setting("REMINDER_DAYS", 7))
    with cross_tenant("the expiry job runs over every municipality's offers"):
        live = [S.PUBLISHED, S.PAUSED, S.IN_REVIEW]
        for offer in session.scalars(
            select(Opportunity).where(Opportunity.status.in_(live), Opportunity.expires_on < today)
        ):
            offer.status = S.EXPIRED
            session.flush()
            notifications.expired(offer)
            report.expired += 1
        for offer in session.scalars(
            select(Opportunity).where(
                Opportunity.status.in_([S.PUBLISHED, S.PAUSED]),
                Opportunity.expires_on >= today,
                Opportunity.expires_on <= soon,
            )
        ):
            report.reminded += int(notifications.expiry_reminder(offer))
    return report
