"""The service's settings, with defaults: ``app.config["TERMIN_<NAME>"]``, set in the
instance file (``termin_confirm_minutes = 30``) or the environment
(``RATHAUS_TERMIN_CONFIRM_MINUTES=30``)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core import ValidationError
from flask import current_app

DEFAULTS: dict[str, Any] = {
    # How long an unconfirmed booking holds its seat.
    "TERMIN_CONFIRM_MINUTES": 60,
    # How long before the appointment `rathaus termin remind` sends the reminder.
    "TERMIN_REMINDER_HOURS": 24,
    # How far ahead citizens see free slots.
    "TERMIN_HORIZON_DAYS": 90,
    # The time zone slots are entered and shown in.
    "TERMIN_TIMEZONE": "Europe/Berlin",
    # Booking attempts per client address and per e-mail address.
    "TERMIN_BOOKING_RATE_LIMIT": "10 per hour",
    # Days after the appointment until `rathaus termin purge` anonymises a booking.
    "TERMIN_RETENTION_DAYS": 90,
}


def setting(name: str) -> Any:
    """The value of a ``TERMIN_*`` setting, of the type of its default.

    :raises ValidationError: a value that does not fit (the field names the
        environment variable), e.g. ``RATHAUS_TERMIN_CONFIRM_MINUTES=soon``.
    """
    default = DEFAULTS[name]
    value = current_app.config.get(name, default)
    if isinstance(default, int) and not isinstance(value, int):
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ValidationError(
                "expected a whole number, got %(value)r",
                field="RATHAUS_" + name,
                code="termin.settings.not_a_number",
                value=value,
            ) from None
    if isinstance(default, int) and value < 1:
        raise ValidationError(
            "must be at least 1, got %(value)s",
            field="RATHAUS_" + name,
            code="termin.settings.too_small",
            value=value,
        )
    return value


def timezone() -> ZoneInfo:
    """The time zone of the slots (``TERMIN_TIMEZONE``)."""
    name = setting("TERMIN_TIMEZONE")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            "%(name)r is not a time zone",
            field="RATHAUS_TERMIN_TIMEZONE",
            code="termin.settings.timezone.invalid",
            name=name,
        ) from None
