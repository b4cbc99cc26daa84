"""Hooks the billing plugin publishes for other plugins (``add_hookspecs``).

A service plugin implements them with ``@core.hookimpl`` exactly like core's hooks;
it does not import billing. Billing calls them with keyword arguments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core import hookspec

if TYPE_CHECKING:  # pragma: no cover
    from core import Subscription


# ---------------------------------------------------------------------------------
# Pricing: called during a billing run
# ---------------------------------------------------------------------------------


@hookspec
def billable_usage(subscription: Subscription, period: Any) -> dict[str, int] | None:
    """Report metered quantities of one subscription for one billing period.

    Billing prices every quantity whose metric the contract's tariff lists (unit
    price, included amount; a price of zero is allowed and the quantity is still
    shown on the invoice, e.g. the calendars of an appointment service). Metrics the
    tariff does not list are ignored.

    :param subscription: the tenant's subscription (``subscription.tenant`` and
        ``subscription.service_key`` tell whose and which); the tenant scope is set
        to its tenant.
    :param period: a ``plugins.billing.periods.Period`` with ``start`` and ``end``
        (inclusive ``datetime.date``) and ``label`` (``"2024-03"`` or ``"2024"``):
        the period the quantity is billed for.
    :return: ``{metric: whole quantity}`` for the subscription's service, or None
        when the subscription is not the plugin's.

    Call order: in plugin order; the quantities of all results are added up per
    metric, so only the plugin that provides the service should answer.

    Example::

        # From the example plugin examples/rathaus-termin (rathaus_termin/__init__.py).
        @hookimpl
        def billable_usage(subscription, period):
            # The number of calendars the tenant kept during the billing period.
            if subscription.service_key != SERVICE_KEY:
                return None
            return {CALENDARS_METRIC: calendars_in_use(period.start, period.end)}
    """


# ---------------------------------------------------------------------------------
# Contracts
# ---------------------------------------------------------------------------------


@hookspec
def special_termination_right_opened(right: Any, tenant: Any) -> None:
    """React to a contract having got a special termination right.

    Opened when a sponsorship that paid for the contract ends; billing itself
    queues a notice to the tenant's admins. A service plugin may, say, show a
    banner to the tenant's admins.

    :param right: the ``plugins.billing.contract_models.TerminationRight`` (``opens_on``,
        ``closes_on``, ``contract``, ``sponsorship``).
    :param tenant: the ``core.models.Tenant`` whose contract it is; the tenant
        scope is set to it.
    :return: nothing.

    Call order: in plugin order, inside the transaction that opens the right;
    raising aborts it.

    Example::

        @hookimpl
        def special_termination_right_opened(right, tenant):
            # Tell the service's own page that the tenant may now leave early.
            audit.record(
                "termin.termination_right_opened",
                f"tenant:{tenant.slug}",
                tenant=tenant,
                details={"closes_on": right.closes_on.isoformat()},
            )
    """
