"""Billing plugin: tariffs, contracts, sponsors, shared cost pools, invoices, XRechnung.

Prices every subscription and bills it under German rules (§ 14 UStG, § 2b UStG,
GoBD, XRechnung 3.0). The hook implementations below only delegate to the domain
modules (``contracts``, ``run``, ``invoices``, ``xrechnung``, ``pools``...).
"""

from __future__ import annotations

from typing import Any

from core import hookimpl

#: Range of the core plugin API this plugin works with.
RATHAUS_API_VERSIONS = ">=1.0,<2"


@hookimpl
def add_hookspecs(pluginmanager: Any) -> None:
    """Publish ``billable_usage`` and ``special_termination_right_opened``."""
    from plugins.billing import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def register_commands(cli: Any) -> None:
    """``rathaus billing ...`` (imported when used: ``core.lazycli``)."""
    from core import LazyCommand

    cli.add_command(LazyCommand("billing", "plugins.billing.cli:billing"))


@hookimpl
def register_api(api: Any) -> list[Any]:
    """The billing API (operator and tenant resources)."""
    from plugins.billing.api import blueprints

    return blueprints()


@hookimpl
def register_blueprints(app: Any) -> list[Any]:
    """The tenant admins' billing pages, the Kreis's read-only view of its Gemeinden
    and the operator console's billing sections."""
    from plugins.billing import delegated, operator_views, views

    return [views.blueprint(), delegated.blueprint(), operator_views.blueprint()]


@hookimpl
def subscription_started(subscription: Any) -> None:
    """Create the subscription's contract (if its service has a tariff)."""
    from plugins.billing.contracts import create_contract

    create_contract(subscription)


@hookimpl
def subscription_ended(subscription: Any, reason: str) -> None:
    """End the contract; ordinary terminations respect the notice period, special
    ones need an open special termination right."""
    from plugins.billing.contracts import end_contract

    end_contract(subscription, reason)


@hookimpl
def export_tenant_data(tenant: Any) -> dict[str, Any]:
    """The tenant's invoices (they are the issuer's records, kept after offboarding)."""
    from plugins.billing.describe import invoices_as_dicts
    from plugins.billing.invoices import invoices_of_tenant

    return {"invoices": invoices_as_dicts(invoices_of_tenant(tenant))}


@hookimpl(wrapper=True)
def demo_data(app: Any, session: Any) -> Any:
    """The seed cost models (Engagementdirekt, KKD, OZG coordination, e.termin) before
    the other plugins' demo data; after all of it (a wrapper), the demo months billed,
    so that every plugin's subscriptions are on the invoices."""
    from plugins.billing.demo import bill_recent_months, load_demo

    load_demo(app)
    result = yield
    bill_recent_months()
    return result


@hookimpl
def operator_sections() -> list[Any]:
    """Invoices and billing runs in the operator console."""
    from flask import url_for
    from flask_babel import gettext as _

    from core import OperatorSection

    return [
        OperatorSection(
            _("Invoices"),
            url_for("billing_operator.invoices"),
            _("Every invoice of every payer: finalise, cancel, XRechnung."),
        ),
        OperatorSection(
            _("Billing runs"),
            url_for("billing_operator.runs"),
            _("Preview and run the billing of a month."),
        ),
    ]
