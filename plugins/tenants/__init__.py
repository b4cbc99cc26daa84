"""Tenants plugin: onboarding municipalities (Kommunen, Kreise, a Land) as tenants.

The operator's tool for registering municipalities, connecting them to services one
at a time, handing over administration and offboarding them without loss or leak.
The hook implementations below only delegate; the work happens in the domain modules
(``registry``, ``describe``, ``importing``, ``lifecycle``, ``invitations``, ``masterdata``...).
"""

from __future__ import annotations

from typing import Any

from core import hookimpl

#: Range of the core plugin API this plugin works with.
RATHAUS_API_VERSIONS = ">=1.0,<2"


@hookimpl
def register_commands(cli: Any) -> None:
    """Add ``rathaus tenants ...`` (imported when used: ``core.lazycli``)."""
    from core import LazyCommand

    cli.add_command(LazyCommand("tenants", _tenants_commands))


def _tenants_commands() -> Any:
    """The ``tenants`` group with ``doctor`` (imported in turn when used)."""
    from core import LazyCommand
    from plugins.tenants.cli import tenants

    tenants.add_command(LazyCommand("doctor", "plugins.tenants.doctor:doctor"))
    return tenants


@hookimpl
def register_blueprints(app: Any) -> list[Any]:
    """The tenant admin pages, the invitation page and the operator console's tenants."""
    from plugins.tenants import operator_views, views

    return [*views.blueprints(), operator_views.blueprint()]


@hookimpl
def register_api(api: Any) -> list[Any]:
    """The operator API under ``/api/v1/tenants``."""
    from plugins.tenants.api import blueprint

    return [blueprint()]


@hookimpl
def demo_data(app: Any, session: Any) -> None:
    """Kreis Coesfeld and its eleven Gemeinden, active, with invoicing data."""
    from plugins.tenants.demo import fill_demo_data

    fill_demo_data()


@hookimpl
def export_tenant_data(tenant: Any) -> dict[str, Any] | None:
    """A readable summary that the raw table rows do not give: parent by AGS and slug,
    subscriptions with their status, admins and pending invitations."""
    from plugins.tenants.describe import export_summary

    return export_summary(tenant)


@hookimpl
def erase_personal_data(user: Any) -> None:
    """Delete the admin invitations addressed to the person; scrub the inviter."""
    from plugins.tenants.invitations import erase_invitations

    erase_invitations(user)


@hookimpl
def admin_links(tenant: Any) -> list[Any]:
    """The tenant's administration: settings, services, audit log."""
    from flask import url_for
    from flask_babel import gettext as _

    from core import AdminLink

    url = url_for("tenants_admin.index", tenant=tenant.slug)
    return [AdminLink(title=_("Administration"), url=url)]


@hookimpl(tryfirst=True)
def operator_sections() -> list[Any]:
    """The tenants section of the operator console (first: the operator's main list)."""
    from flask import url_for
    from flask_babel import gettext as _

    from core import OperatorSection

    return [
        OperatorSection(
            _("Tenants"),
            url_for("tenants_operator.index"),
            _("Every municipality, Kreis and Land: status, services, admins, lifecycle."),
        )
    ]
