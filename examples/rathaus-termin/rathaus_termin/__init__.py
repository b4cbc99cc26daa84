"""Terminvereinbarung: appointment booking for municipal offices (plugin ``termin``).

Modelled on e.termin.net as Kreis Coesfeld uses it: a tenant keeps calendars
(Bürgerbüro, Standesamt, Kfz-Zulassung) with bookable slots; citizens book without
an account, confirm by mail and cancel with the link in every mail; reminders go out
through core's outbox. Billed as a yearly package; the calendars are reported to the
billing plugin (hook ``billable_usage``) and priced at zero.

A third-party distribution: it imports ``core`` only, never another plugin, and
talks to billing through billing's hook. The hook implementations below are thin;
the rules live in ``calendars``, ``bookings`` and ``mails``.
"""

from __future__ import annotations

from typing import Any

from core import hookimpl

#: The range of Rathaus's plugin API this plugin works with.
RATHAUS_API_VERSIONS = ">=1.0,<2"

#: The service's key: also its URL segment, table prefix and command group.
SERVICE_KEY = "termin"

#: The usage metric reported to billing (listed in the tariff at a price of zero).
CALENDARS_METRIC = "calendars"


@hookimpl
def register_services(app: Any) -> list[Any]:
    """The appointment service in the catalogue."""
    from core import ServiceManifest

    return [
        ServiceManifest(
            key=SERVICE_KEY,
            title="Terminvereinbarung",
            description=(
                "Bürgerinnen und Bürger buchen Termine bei Bürgerbüro, Standesamt oder "
                "Zulassungsstelle online, mit Bestätigung, Absage-Link und Erinnerung per E-Mail."
            ),
            themenfeld="Querschnitt",
            version="1.0.0",
        )
    ]


@hookimpl
def register_blueprints(app: Any) -> list[Any]:
    """Citizen pages and the office's overview under ``/<tenant>/termin/``."""
    from rathaus_termin.views import blueprint

    return [blueprint()]


@hookimpl
def register_api(api: Any) -> list[Any]:
    """Calendars, slots and bookings under ``/api/v1/tenants/<tenant>/termin/``."""
    from rathaus_termin.api import blueprint

    return [blueprint()]


@hookimpl
def register_commands(cli: Any) -> None:
    """The command group ``rathaus termin``."""
    from rathaus_termin.cli import group

    cli.add_command(group)


@hookimpl
def portal_links(tenant: Any) -> list[Any]:
    """The link to the calendars on the tenant's portal."""
    from rathaus_termin.views import portal_link

    return [portal_link(tenant)]


@hookimpl
def demo_data(app: Any, session: Any) -> None:
    """Calendars with slots for Stadt Coesfeld and Kreis Coesfeld."""
    from rathaus_termin.demo import fill

    fill()


@hookimpl
def export_personal_data(user: Any) -> dict[str, Any] | None:
    """The bookings made with the account's e-mail address at its municipality."""
    from core import utcnow

    from rathaus_termin.bookings import personal_data

    found = personal_data(user.email, utcnow())
    return {"bookings": found} if found else None


@hookimpl
def erase_personal_data(user: Any) -> None:
    """Cancel the account's upcoming bookings and anonymise all of them."""
    from core import utcnow

    from rathaus_termin.bookings import erase

    erase(user.email, utcnow())


# optionalhook: billing publishes this hook; without billing the plugin loads all the same.
@hookimpl(optionalhook=True)
def billable_usage(subscription: Any, period: Any) -> dict[str, int] | None:
    """The number of calendars the tenant kept during the billing period."""
    if subscription.service_key != SERVICE_KEY:
        return None
    from rathaus_termin.calendars import calendars_in_use

    return {CALENDARS_METRIC: calendars_in_use(period.start, period.end)}
