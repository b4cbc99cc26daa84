"""Engagement plugin: volunteer matching modelled on NRW's "Engagementdirekt".

A "Kennenlernplattform" where citizens and organisations find each other to volunteer
together, rooted in each municipality and usable across the whole Land. The hook
implementations below only delegate to the plugin's modules (see docs/engagement.md).
"""

from __future__ import annotations

from typing import Any

from core import hookimpl

#: Range of the core plugin API this plugin works with.
RATHAUS_API_VERSIONS = ">=1.0,<2"

SERVICE_KEY = "engagement"


@hookimpl
def register_services(app: Any) -> list[Any]:
    """The engagement matching service."""
    from core import ServiceManifest

    return [
        ServiceManifest(
            key=SERVICE_KEY,
            title="Engagement vermitteln",
            description=(
                "Bürgerinnen, Bürger und Organisationen finden einander für ein Ehrenamt – "
                "vor Ort und landesweit (nach dem Vorbild von Engagementdirekt NRW)."
            ),
            themenfeld="Engagement & Hobby",
            leika_keys=(),
            version="0.1",
            # Imported on first validation: building the app needs no marshmallow.
            settings_schema="plugins.engagement.settings:EngagementSettingsSchema",
        )
    ]


@hookimpl
def register_blueprints(app: Any) -> list[Any]:
    """Citizen, organisation and admin pages under ``/<tenant>/engagement``."""
    from plugins.engagement import delegated
    from plugins.engagement.views import blueprint

    return [blueprint(), delegated.blueprint()]


@hookimpl
def register_api(api: Any) -> list[Any]:
    """The engagement API under ``/api/v1/tenants/<tenant>/engagement``."""
    from plugins.engagement.api import blueprint

    return [blueprint()]


@hookimpl
def register_commands(cli: Any) -> None:
    """``rathaus engagement expire | send-notifications | stats`` (imported when used)."""
    from core import LazyCommand

    cli.add_command(LazyCommand("engagement", "plugins.engagement.cli:engagement"))


@hookimpl
def portal_links(tenant: Any) -> list[Any]:
    """A link to the volunteering search on the tenant's portal."""
    from plugins.engagement.views import portal_link

    return [portal_link(tenant)]


@hookimpl
def demo_data(app: Any, session: Any) -> None:
    """Organisations, offers, volunteers and requests across Kreis Coesfeld."""
    from plugins.engagement.demo import fill

    fill()


@hookimpl
def export_personal_data(user: Any) -> Any:
    """The person's profile, requests, messages, invitations and reports."""
    from plugins.engagement.privacy import export_personal_data as export

    return export(user)


@hookimpl
def erase_personal_data(user: Any) -> None:
    """Delete the profile and the person's messages; anonymise their requests."""
    from plugins.engagement.privacy import erase_personal_data as erase

    erase(user)


@hookimpl
def tenant_offboarding(tenant: Any) -> None:
    """Anonymise what the tenant's citizens left at other municipalities."""
    from plugins.engagement.privacy import forget_tenant

    forget_tenant(tenant)
