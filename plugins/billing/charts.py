"""Server-rendered SVG bar charts (no JavaScript; the page adds a data table too)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from plugins.billing.money import format_german


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
    summary = "; ".join(f"{bar.label}: {format_german(bar.cents)} €" for bar in bars)
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
