"""Server-rendered SVG bar charts (no JavaScript; the page adds a data table too)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape

from core import cents as format_cents


@dataclass(frozen=True)
class Bar:
    """One bar: label, value in cents and its geometry."""

    label: str
    cents: int
    x: int
    y: int
    height: int


WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 640, 260, 20, 30, 10


def bar_chart(values: list[tuple[str, int]], *, title: str) -> Markup:
    """An accessible SVG bar chart (``role="img"`` with a title naming every value)."""
    peak = max((cents for _label, cents in values), default=0) or 1
    slot = (WIDTH - LEFT) // max(len(values), 1)
    usable = HEIGHT - TOP - BOTTOM
    bars = []
    for index, (label, cents) in enumerate(values):
        height = max(0, round(usable * max(cents, 0) / peak))
        bars.append(Bar(label, cents, LEFT + index * slot + 4, TOP + usable - height, height))
    summary = "; ".join(f"{bar.label}: {format_cents(bar.cents)}" for bar in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="cost-chart-title" class="billing-chart">',
        f'<title id="cost-chart-title">{escape(title)}: {escape(summary)}</title>',
    ]
    for bar in bars:
        parts.append(
            f'<rect x="{bar.x}" y="{bar.y}" width="{slot - 8}" height="{bar.height}" '
            f'class="bar"></rect>'
            f'<text x="{bar.x + (slot - 8) // 2}" y="{HEIGHT - 10}" text-anchor="middle" '
            f'class="axis">{escape(bar.label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped


def invoice_years(invoices: Iterable[Any]) -> list[int]:
    """The years that have invoices (by billing month), newest first."""
    return sorted({int(invoice.period[:4]) for invoice in invoices}, reverse=True)


def costs_per_month(tenant: Any, invoices: Iterable[Any], year: int | None) -> dict[str, Any]:
    """What a billing overview shows of a tenant's costs: the year asked for (else the
    newest year with invoices), the years to switch to, the 12 months with their gross
    cents and the bar chart with readable month names in the page's language."""
    from plugins.billing.reports import monthly_costs

    years = invoice_years(invoices)
    year = year or (years[0] if years else dt.date.today().year)
    months = [
        (dt.date(year, int(label[5:7]), 1), cents) for label, cents in monthly_costs(tenant, year)
    ]
    chart = bar_chart(
        [(format_date(month, "MMM"), cents) for month, cents in months],
        title=_("Costs per month %(year)s (gross, EUR)", year=year),
    )
    return {"year": year, "years": years, "months": months, "chart": chart}
