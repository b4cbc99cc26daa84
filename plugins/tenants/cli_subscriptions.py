"""``rathaus tenants subscribe``, ``unsubscribe`` and ``services``: a tenant's
subscriptions on the command line (added to the group by ``plugins.tenants.cli``)."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from core import NOTICE_REASONS, emit, emit_rows, json_option, session
from plugins.tenants import describe, registry

DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.command()
@click.argument("tenant")
@click.argument("service")
@click.option("--from", "starts_on", type=DATE, help="First day (YYYY-MM-DD, default today).")
@click.option("--contract", help="Call-off (Einzelabruf) or contract reference.")
@click.option(
    "--allow-backdated", is_flag=True, help="Record a connection that started in the past."
)
@json_option
@with_appcontext
def subscribe(
    tenant: str,
    service: str,
    starts_on: dt.datetime | None,
    contract: str | None,
    allow_backdated: bool,
    as_json: bool,
) -> None:
    """Connect a tenant to a service."""
    from core import subscribe as subscribe_tenant

    found = registry.find_tenant(tenant)
    sub = subscribe_tenant(
        found,
        service,
        starts_on=starts_on.date() if starts_on else None,
        contract_ref=contract,
        allow_backdated=allow_backdated,
    )
    session.commit()
    emit(
        describe.subscription_data(sub),
        as_json,
        f"{found.slug} subscribes to {service} from {sub.starts_on.isoformat()}.",
    )


@click.command()
@click.argument("tenant")
@click.argument("service")
@click.option("--at", "ends_on", type=DATE, required=True, help="Last day of service (YYYY-MM-DD).")
@click.option(
    "--reason",
    type=click.Choice(NOTICE_REASONS),
    default="ordinary",
    show_default=True,
    help="Ordinary notice or special termination right (Sonderkündigung).",
)
@json_option
@with_appcontext
def unsubscribe(
    tenant: str, service: str, ends_on: dt.datetime, reason: str, as_json: bool
) -> None:
    """End a tenant's subscription to a service on a given day."""
    from core import end_subscription

    found = registry.find_tenant(tenant)
    sub = end_subscription(found, service, ends_on=ends_on.date(), reason=reason)
    session.commit()
    emit(
        describe.subscription_data(sub),
        as_json,
        f"{found.slug}'s subscription to {service} ends on {sub.ends_on.isoformat()} ({reason}).",
    )


@click.command()
@click.argument("tenant")
@json_option
@with_appcontext
def services(tenant: str, as_json: bool) -> None:
    """A tenant's subscriptions with dates and status."""
    from core import subscriptions_of

    rows = [
        describe.subscription_data(sub) for sub in subscriptions_of(registry.find_tenant(tenant))
    ]
    emit_rows(
        rows,
        as_json,
        {
            "service": "service",
            "from": "starts_on",
            "until": lambda r: r["ends_on"] or "-",
            "status": "status",
            "contract": lambda r: r["contract_ref"] or "-",
            "end": lambda r: r["end_reason"] or "-",
        },
    )
