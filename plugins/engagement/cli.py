"""``rathaus engagement ...``: jobs for cron and figures for operators."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from core import emit, emit_rows, emit_table, json_option, tenant_or_fail


@click.group()
def engagement() -> None:
    """Volunteer engagement: expiry, notifications, statistics, search."""


@engagement.command()
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Run as if today were this day.")
@json_option
@with_appcontext
def expire(today: dt.datetime | None, as_json: bool) -> None:
    """Expire offers past their date and queue reminders 7 days before (run daily)."""
    from core import session
    from plugins.engagement.offers import expire_offers

    report = expire_offers(today.date() if today else None)
    session.commit()
    emit(report.as_dict(), as_json, f"expired {report.expired}, reminded {report.reminded}")


@engagement.command("send-notifications")
@json_option
@with_appcontext
def send_notifications(as_json: bool) -> None:
    """Send queued engagement mail over SMTP (an outage loses nothing; nothing twice)."""
    from core import send_pending
    from plugins.engagement.notifications import CATEGORY

    report = send_pending(category_prefix=CATEGORY)
    emit(
        report.as_dict(),
        as_json,
        f"sent {report.sent}, deferred {report.deferred}, failed {report.failed}",
    )


@engagement.command()
@click.option("--tenant", "slug", required=True, help="Slug of the tenant.")
@json_option
@with_appcontext
def stats(slug: str, as_json: bool) -> None:
    """Offers, requests, acceptance rate, answer and review times of one tenant."""
    from plugins.engagement.stats import tenant_statistics

    figures = tenant_statistics(tenant_or_fail(slug))
    emit(figures, as_json, lambda: emit_table(["figure", "value"], _figure_rows(figures)))


def _figure_rows(figures: dict) -> list[list]:  # type: ignore[type-arg]
    """Nested figures as flat ``[name, value]`` rows (``requests.open``)."""
    rows: list[list] = []  # type: ignore[type-arg]
    for key, value in figures.items():
        if isinstance(value, dict):
            rows += [[f"{key}.{name}", count] for name, count in value.items()]
        else:
            rows.append([key, "-" if value is None else value])
    return rows


@engagement.command()
@click.option("--tenant", "slug", required=True, help="The searcher's municipality (slug).")
@click.option("--plz", help="Postcode or place.")
@click.option(
    "--radius", "radius_km", default=25, show_default=True, type=int, help="Radius in km."
)
@click.option("--q", default="", help="Search words.")
@click.option("--fields", default="", help="Comma-separated fields of engagement.")
@click.option(
    "--statewide", is_flag=True, help="Include Kreis- and Land-wide offers of other tenants."
)
@click.option("--limit", default=20, show_default=True, type=int)
@json_option
@with_appcontext
def search(
    slug: str,
    plz: str | None,
    radius_km: int,
    q: str,
    fields: str,
    statewide: bool,
    limit: int,
    as_json: bool,
) -> None:
    """Ranked search as a citizen of TENANT would see it."""
    from flask_babel import force_locale

    from plugins.engagement.matching import SearchQuery, match_opportunities

    query = SearchQuery(
        place=plz,
        radius_km=radius_km,
        q=q,
        statewide=statewide,
        fields=[f for f in fields.split(",") if f],
    )
    found = match_opportunities(query, limit, tenant=tenant_or_fail(slug))
    # Outside a request core's locale selector has no request to read: reasons in German.
    with force_locale("de"):
        rows = _rows(found)
    emit_rows(
        rows,
        as_json,
        {
            "id": "id",
            "score": "score",
            "km": lambda r: "-" if r["distance_km"] is None else r["distance_km"],
            "tenant": "tenant",
            "title": "title",
        },
    )


def _rows(found: list) -> list[dict]:  # type: ignore[type-arg]
    return [
        {
            "id": m.opportunity.id,
            "title": m.opportunity.title,
            "tenant": m.tenant.slug,
            "distance_km": round(m.distance_km, 2) if m.distance_km is not None else None,
            "score": m.score,
            "reasons": m.reason_texts,
        }
        for m in found
    ]
