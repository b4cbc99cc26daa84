"""``rathaus termin <verb>``: calendars, opening hours, bookings, and the jobs for cron
(``remind``, ``purge``). Every command that returns data takes ``--json``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from core import (
    ValidationError,
    emit,
    emit_rows,
    json_option,
    session,
    tenant_context,
    tenant_or_fail,
    utcnow,
)
from flask.cli import with_appcontext

from rathaus_termin.api import local_range
from rathaus_termin.bookings import bookings, purge_expired, queue_reminders
from rathaus_termin.calendars import (
    SlotSeries,
    add_slots,
    archive_calendar,
    calendar_by_slug,
    calendars,
    create_calendar,
    parse_weekdays,
)
from rathaus_termin.schemas import TerminBookingSchema, TerminCalendarSchema
from rathaus_termin.settings import timezone

TARIFF_FILE = Path(__file__).parent / "tariffs" / "termin.toml"

tenant_option = click.option("--tenant", "slug", required=True, help="The tenant, e.g. coesfeld.")
date_type = click.DateTime(formats=["%Y-%m-%d"])


@click.group("termin")
def group() -> None:
    """Terminvereinbarung: calendars, opening hours, bookings, reminders."""


@group.command("calendars")
@tenant_option
@click.option("--all", "include_archived", is_flag=True, help="Include archived calendars.")
@json_option
@with_appcontext
def list_calendars(slug: str, include_archived: bool, as_json: bool) -> None:
    """The tenant's calendars."""
    with tenant_context(tenant_or_fail(slug)):
        rows = TerminCalendarSchema(many=True).dump(calendars(include_archived=include_archived))
    emit_rows(
        rows, as_json, {"slug": "slug", "name": "name", "location": "location", "active": "active"}
    )


@group.command("add-calendar")
@tenant_option
@click.argument("name")
@click.option("--slug", "calendar_slug", help="URL segment (default: from NAME).")
@click.option("--description", default="", help="What the office does.")
@click.option("--location", default="", help="Address of the office.")
@json_option
@with_appcontext
def add_calendar(
    slug: str, name: str, calendar_slug: str | None, description: str, location: str, as_json: bool
) -> None:
    """Add a calendar NAME to the tenant."""
    with tenant_context(tenant_or_fail(slug)):
        calendar = create_calendar(
            name, slug=calendar_slug, description=description, location=location
        )
        session.commit()
        data = TerminCalendarSchema().dump(calendar)
    emit(data, as_json, f"Added calendar {data['slug']!r} ({data['name']}).")


@group.command("archive-calendar")
@tenant_option
@click.argument("calendar")
@with_appcontext
def archive(slug: str, calendar: str) -> None:
    """Archive CALENDAR: no more bookings (refused while bookings lie ahead)."""
    with tenant_context(tenant_or_fail(slug)):
        archive_calendar(calendar_by_slug(calendar, include_archived=True), utcnow())
        session.commit()
    click.echo(f"Archived calendar {calendar!r}.")


@group.command("add-slots")
@tenant_option
@click.option("--calendar", required=True, help="The calendar's slug.")
@click.option("--from", "first_day", type=date_type, required=True, help="First day, YYYY-MM-DD.")
@click.option("--until", "last_day", type=date_type, required=True, help="Last day, YYYY-MM-DD.")
@click.option(
    "--weekdays", default="mon-fri", show_default=True, help="Days, e.g. mon-fri or tue,thu."
)
@click.option("--start", required=True, help="Opening time, HH:MM (local time).")
@click.option("--end", required=True, help="Closing time, HH:MM (local time).")
@click.option("--minutes", default=15, show_default=True, help="Length of a slot.")
@click.option("--capacity", default=1, show_default=True, help="Seats per slot.")
@json_option
@with_appcontext
def add_slots_command(
    slug: str,
    calendar: str,
    first_day: dt.datetime,
    last_day: dt.datetime,
    weekdays: str,
    start: str,
    end: str,
    minutes: int,
    capacity: int,
    as_json: bool,
) -> None:
    """Create the slots of opening hours; slots that exist are skipped (safe to re-run)."""
    series = SlotSeries(
        first_day=first_day.date(),
        last_day=last_day.date(),
        weekdays=parse_weekdays(weekdays),
        start=_time(start, "start"),
        end=_time(end, "end"),
        minutes=minutes,
        capacity=capacity,
    )
    with tenant_context(tenant_or_fail(slug)):
        created, skipped = add_slots(
            calendar_by_slug(calendar), series, dt.datetime.now(timezone()).date()
        )
        session.commit()
    emit(
        {"created": created, "skipped": skipped},
        as_json,
        f"{created} slots created, {skipped} existed already.",
    )


@group.command("bookings")
@tenant_option
@click.option("--calendar", help="Only this calendar.")
@click.option("--from", "first_day", type=date_type, help="First day (default: today).")
@click.option(
    "--until", "last_day", type=date_type, help="Last day (default: 13 days after the first)."
)
@json_option
@with_appcontext
def list_bookings(
    slug: str,
    calendar: str | None,
    first_day: dt.datetime | None,
    last_day: dt.datetime | None,
    as_json: bool,
) -> None:
    """Bookings by appointment time."""
    start, end = local_range(
        first_day.date() if first_day else None, last_day.date() if last_day else None
    )
    with tenant_context(tenant_or_fail(slug)):
        found = calendar_by_slug(calendar, include_archived=True) if calendar else None
        rows = TerminBookingSchema(many=True).dump(bookings(calendar=found, start=start, end=end))
    emit_rows(
        rows,
        as_json,
        {
            "starts": "starts_at",
            "calendar": "calendar",
            "reference": "reference",
            "name": "name",
            "status": "status",
        },
    )


@group.command("remind")
@json_option
@with_appcontext
def remind(as_json: bool) -> None:
    """Queue reminders of tomorrow's appointments (run it hourly from cron; each booking
    is reminded once). ``rathaus mail send`` delivers them."""
    _report(queue_reminders(utcnow()), as_json, "reminders queued")


@group.command("purge")
@json_option
@with_appcontext
def purge(as_json: bool) -> None:
    """Anonymise bookings whose appointment is TERMIN_RETENTION_DAYS past (run daily)."""
    _report(purge_expired(utcnow()), as_json, "bookings anonymised")


@group.command("tariff")
def tariff() -> None:
    """Print the tariff for the billing plugin (yearly package, calendars at zero):
    ``rathaus termin tariff > termin.toml && rathaus billing apply termin.toml``."""
    click.echo(TARIFF_FILE.read_text(encoding="utf-8"), nl=False)


def _report(per_tenant: dict[str, int], as_json: bool, what: str) -> None:
    """A job's counts per tenant slug as JSON, or their total in a sentence."""
    emit(per_tenant, as_json, f"{sum(per_tenant.values())} {what}.")


def _time(text: str, field: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            "%(text)r is not a time of day (HH:MM)",
            field=field,
            code="termin.time.invalid",
            text=text,
        ) from None
