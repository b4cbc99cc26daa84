"""One set of Jinja filters that format numbers, amounts, dates and identifiers in the
page's language (Babel through Flask-Babel), for core and every plugin's templates.

    {{ invoice.gross | money }}          5.939,64 €     (Decimal, str or int euros)
    {{ line.net_cents | cents }}         1.234,50 €     (integer cents)
    {{ contract.vat_rate | percent }}    19 %           (a rate in per cent: 19.00)
    {{ invoice.issue_date | date }}      02.12.2026     (date, datetime or ISO text)
    {{ invoice.period | month }}         Dezember 2026  (a billing month, YYYY-MM)
    {{ offer.status | label }}           Veröffentlicht (status words, see core.labels)
    {{ "engagement" | service_title }}   Ehrenamt
    {{ "S" | vat_label(19) }}            19 % USt.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Flask, current_app
from flask_babel import format_currency, format_date, format_datetime, format_decimal
from flask_babel import lazy_gettext as _l

from core.labels import action_label, label

#: Service keys people know by another name than the manifest's title.
SERVICE_LABELS: dict[str, Any] = {
    "engagement": _l("Volunteering"),
    "billing": _l("Contracts and invoices"),
    "tenants": _l("Municipalities"),
}


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value: Any, currency: str = "EUR") -> str:
    """An amount in euros (Decimal, text or number), e.g. ``5.939,64 €``."""
    amount = _decimal(value)
    return "–" if amount is None else format_currency(amount, currency)


def cents(value: Any, currency: str = "EUR") -> str:
    """An amount in integer cents, e.g. 123450 → ``1.234,50 €``."""
    amount = _decimal(value)
    return "–" if amount is None else format_currency(amount / 100, currency)


def number(value: Any) -> str:
    """A number with at most one decimal in the page's format (2.5 → ``2,5``)."""
    amount = _decimal(value)
    return "–" if amount is None else format_decimal(amount, "#,##0.#")


def percent(value: Any) -> str:
    """A rate given in per cent (19.00 → ``19 %``; 7.5 → ``7,5 %``)."""
    rate = _decimal(value)
    return "–" if rate is None else f"{format_decimal(rate.normalize(), '#,##0.##')} %"


def date(value: Any, style: str = "medium") -> str:
    """A date (or the date of a datetime, or ISO text) in the page's format."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return format_datetime(value, style)
    return format_date(value, style)


def month(value: Any) -> str:
    """A billing month (``2024-01``, a date) as people read it: ``Januar 2024``."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            value = dt.date(int(value[:4]), int(value[5:7]), 1)
        except ValueError:
            return value
    return format_date(value, "MMMM yyyy")


def service_title(key: str) -> str:
    """The name of a service for people: its label, else the manifest's title."""
    if key in SERVICE_LABELS:
        return str(SERVICE_LABELS[key])
    from core.manifests import EXTENSION_KEY

    services = current_app.extensions.get(EXTENSION_KEY)
    manifest = services.services.get(key) if services is not None else None
    return manifest.title if manifest is not None else key


def vat_label(category: Any, rate: Any = None) -> str:
    """A VAT category (UNTDID 5305) as people read it: ``S``, 19 → ``19 % USt.``."""
    from flask_babel import gettext

    code = str(getattr(category, "value", category))
    if code in ("S", "Z", "AA", "L", "M"):
        return gettext("%(rate)s VAT", rate=percent(rate if rate is not None else 0))
    if code == "E":
        return gettext("VAT exempt")
    if code == "AE":
        return gettext("Reverse charge")
    if code == "O":
        return gettext("Not subject to VAT")
    return code


FILTERS = {
    "money": money,
    "cents": cents,
    "percent": percent,
    "number": number,
    "date": date,
    "label": label,
    "action_label": action_label,
    "month": month,
    "service_title": service_title,
    "vat_label": vat_label,
}


def init_app(app: Flask) -> None:
    """Make the filters available in every template."""
    for name, function in FILTERS.items():
        app.add_template_filter(function, name)
