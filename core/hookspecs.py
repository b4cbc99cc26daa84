"""The hooks of Rathaus: the contract between core and every plugin.

Plugins implement these with ``@core.hookimpl``; an implementation may accept any
subset of a hook's parameters (by name) and must not give them defaults. Core calls
every hook with keyword arguments.

**Call order.** Unless a hook says otherwise, implementations run in the order of
the ``PLUGINS`` setting (by default: installed plugins sorted by entry-point name),
and results of ``register_*`` hooks keep that order. ``tryfirst``/``trylast`` move an
implementation to the front or back. Core's own fallbacks (the gazetteer geocoder)
run last.

**Failure.** During setup (the ``register_*`` and ``add_hookspecs`` hooks) a plugin
whose implementation raises is logged, marked failed and unregistered, and the rest of
the platform starts without it; with ``PLUGINS_STRICT`` (on in tests) the error is
raised instead. Outside setup an exception propagates to the caller as usual.

The reference documentation of the hooks is generated from these docstrings
(``rathaus plugins hooks``), so they must stay complete: purpose, ``:param:`` for each
argument, the return contract and the call order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core import hookspec

if TYPE_CHECKING:  # pragma: no cover
    import click
    import flask
    import flask_smorest
    import pluggy
    from sqlalchemy.orm import Session

    from core.gazetteer import GeoPoint
    from core.links import AdminLink, OperatorSection, PortalLink
    from core.manifests import ServiceManifest
    from core.models import Subscription, Tenant, User


# ---------------------------------------------------------------------------------
# Setup: called once per application, inside ``create_app``
# ---------------------------------------------------------------------------------


@hookspec(historic=True)
def add_hookspecs(pluginmanager: pluggy.PluginManager) -> None:
    """Publish hooks of the plugin's own, for other plugins to implement.

    Call ``pluginmanager.add_hookspecs(module)`` with a module of functions marked
    ``@core.hookspec``. Billing publishes ``billable_usage`` this way.

    :param pluginmanager: the application's ``pluggy.PluginManager``.
    :return: nothing.

    Call order: historic — called for each plugin as it is registered, before any
    other hook, so a plugin that implements another plugin's hook may be listed
    before it.
    """


@hookspec
def register_services(app: flask.Flask) -> list[ServiceManifest]:
    """Declare the services this plugin offers to tenants.

    A service is what a tenant subscribes to (``core.services.ServiceManifest``: key,
    title, description, OZG Themenfeld, LeiKa keys, version, settings schema, required
    services). Keys are unique across the platform; a clash fails the second plugin.

    :param app: the Flask application being built.
    :return: a list of manifests (may be empty).

    Call order: first of the setup hooks, in plugin order.
    """


@hookspec
def register_blueprints(app: flask.Flask) -> list[flask.Blueprint]:
    """Return the Flask blueprints of the plugin's web pages.

    Tenant pages use the URL prefix ``/<tenant>/<service>`` (core resolves the
    ``tenant`` URL value into ``flask.g.tenant`` and the tenant scope); guard a
    service's pages with ``core.services.require_subscription(blueprint, key)``.
    Build new blueprints on every call (a ``blueprint()`` factory per page module):
    each application registers its own.

    :param app: the Flask application being built.
    :return: a list of blueprints, registered by core in plugin order.

    Call order: after ``register_services``, in plugin order.
    """


@hookspec
def register_api(api: flask_smorest.Api) -> list[flask_smorest.Blueprint]:
    """Return the flask-smorest blueprints of the plugin's HTTP API.

    Prefix tenant-scoped resources with ``core.api.tenant_api_prefix(service)``
    (``/api/v1/tenants/<tenant>/<service>``) and operator resources with
    ``/api/v1/...``. Name marshmallow schemas with the plugin's prefix
    (``EngagementOpportunitySchema``) so the OpenAPI document has no collisions.

    :param api: the application's ``flask_smorest.Api``.
    :return: a list of blueprints, registered by core in plugin order.

    Call order: after ``register_blueprints``, in plugin order.
    """


@hookspec
def register_template_dirs(app: flask.Flask) -> list[str]:
    """Return folders searched for templates before core's own.

    Blueprints bring their own templates; this hook is for overriding templates of
    core or other plugins (a deployment's theme, say).

    :param app: the Flask application being built.
    :return: a list of folder paths; earlier plugins take precedence.

    Call order: after ``register_api``, in plugin order.

    Example::

        @hookimpl
        def register_template_dirs(app):
            # The Kreis's own header and colours over core's templates.
            return [str(Path(__file__).parent / "theme" / "templates")]
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add the plugin's command group to the ``rathaus`` command line.

    Follow the style ``rathaus <plugin> <verb>`` with ``--json`` on every command that
    returns data: ``cli.add_command(my_group)``. Commands run inside the application
    context, so ``core.db.session`` is ready. Every command builds the application and
    so calls this hook: to import the group's module only when it is used, add
    ``core.lazycli.LazyCommand("my_plugin", "my_plugin.cli:my_group")`` instead.

    :param cli: the application's click group (``app.cli``).
    :return: nothing.

    Call order: last of the setup hooks, in plugin order.
    """


@hookspec
def demo_data(app: flask.Flask, session: Session) -> None:
    """Fill demonstration data (``rathaus demo``).

    Must be idempotent: running ``rathaus demo`` twice changes nothing the second
    time. Look rows up by natural keys before creating them. Core commits after all
    implementations have run; raising rolls back everything.

    :param app: the Flask application.
    :param session: the database session to add rows to.
    :return: nothing.

    Call order: in plugin order, so with the default order ``billing`` runs before
    ``engagement`` and ``tenants``; a plugin that needs another plugin's demo rows
    marks its implementation ``trylast``.
    """


# ---------------------------------------------------------------------------------
# Tenant lifecycle
# ---------------------------------------------------------------------------------


@hookspec
def tenant_onboarded(tenant: Tenant) -> None:
    """React to a new tenant (a Kommune, Kreis or Land) having been registered.

    :param tenant: the new tenant, already flushed (it has an ``id``).
    :return: nothing.

    Call order: in plugin order, inside the onboarding transaction; raising aborts
    the onboarding.

    Example::

        @hookimpl
        def tenant_onboarded(tenant):
            # Every new tenant starts with an appointment calendar for its Bürgerbüro.
            with tenant_context(tenant):
                session.add(Calendar(tenant_id=tenant.id, name="Bürgerbüro"))
    """


@hookspec
def export_tenant_data(tenant: Tenant) -> dict[str, Any] | None:
    """Contribute to the complete export of a tenant's data (before offboarding).

    Core already exports every row of every tenant-scoped table. Return data that is
    not in such a table or that needs a readable form (e.g. rendered documents).

    :param tenant: the tenant being exported; the tenant scope is set to it.
    :return: a JSON-serialisable mapping stored under the plugin's name, or None.

    Call order: in plugin order, inside the tenant's scope.
    """


@hookspec
def tenant_offboarding(tenant: Tenant) -> None:
    """Clean up before a tenant's data is deleted.

    Called after the export was written and before core deletes every row of every
    tenant-scoped table of the tenant. Remove what lives outside the database.

    :param tenant: the tenant being offboarded; the tenant scope is set to it.
    :return: nothing.

    Call order: in plugin order, inside the deletion transaction; raising aborts
    the offboarding and nothing is deleted.
    """


# ---------------------------------------------------------------------------------
# Subscriptions
# ---------------------------------------------------------------------------------


@hookspec
def subscription_started(subscription: Subscription) -> None:
    """React to a tenant having subscribed to a service.

    Called when the subscription is recorded; its ``starts_on`` may lie in the
    future. Billing creates the contract here, a service provisions its defaults.

    :param subscription: the new subscription (flushed; ``subscription.tenant`` set).
    :return: nothing.

    Call order: in plugin order, inside the subscribing transaction and the tenant's
    scope; raising aborts the subscription.
    """


@hookspec
def subscription_ended(subscription: Subscription, reason: str) -> None:
    """React to a subscription having been given an end date.

    :param subscription: the subscription, with ``ends_on`` (its last day) set and
        ``notice_on`` (the day notice was given, None when not known: a recorded past
        end or an offboarding).
    :param reason: ``"ordinary"`` (notice given), ``"special"`` (special termination
        right, e.g. after a sponsor left), or ``"offboarding"``.
    :return: nothing.

    Call order: in plugin order, inside the ending transaction and the tenant's
    scope; raising aborts the change.
    """


# ---------------------------------------------------------------------------------
# Citizens
# ---------------------------------------------------------------------------------


@hookspec
def portal_links(tenant: Tenant) -> list[PortalLink]:
    """Return links shown on the tenant's portal page.

    A link names the service it belongs to; core shows it only while the tenant has
    an active subscription to that service, so plugins need not check.

    :param tenant: the tenant whose portal is rendered.
    :return: a list of ``core.PortalLink`` (service, title, URL, description).

    Call order: in plugin order; the portal shows the links in that order.
    """


@hookspec
def export_personal_data(user: User) -> dict[str, Any] | None:
    """Contribute the plugin's personal data about a user (DSGVO Art. 15/20).

    :param user: the user who asked for their data; the tenant scope is the user's.
    :return: a JSON-serialisable mapping stored under the plugin's name, or None.

    Call order: in plugin order.
    """


@hookspec
def erase_personal_data(user: User) -> None:
    """Erase or anonymise the plugin's personal data about a user (DSGVO Art. 17).

    Keep what other people or statistics need in anonymised form; core deletes the
    account itself afterwards.

    :param user: the user to be erased; the tenant scope is the user's.
    :return: nothing.

    Call order: in plugin order, inside one transaction; raising aborts the erasure.
    """


# ---------------------------------------------------------------------------------
# Administration
# ---------------------------------------------------------------------------------


@hookspec
def admin_links(tenant: Tenant) -> list[AdminLink]:
    """Return links to the plugin's administration pages for a tenant.

    Core shows them in a navigation bar on the tenant's pages, only to those who may
    administer the tenant (operators, its admins, the admins of its Kreis where the
    Gemeinde allows it), so plugins need not check.

    :param tenant: the tenant whose pages are rendered.
    :return: a list of ``core.AdminLink`` (title, URL).

    Call order: in plugin order; the bar shows the links in that order.
    """


@hookspec
def operator_sections() -> list[OperatorSection]:
    """Return the plugin's sections of the operator console (``/operator/``).

    Core provides the console's frame (navigation, the home page listing every
    section, the audit log across tenants) and shows the sections only to platform
    operators; the plugin's own views must still be guarded with
    ``core.auth.operator_required`` and live under ``/operator/``.

    :return: a list of ``core.OperatorSection`` (title, URL, description).

    Call order: in plugin order; the console lists the sections in that order, after
    nothing and before core's audit log.
    """


# ---------------------------------------------------------------------------------
# Resolvers (first non-None result wins)
# ---------------------------------------------------------------------------------


@hookspec(firstresult=True)
def geocode(query: str) -> GeoPoint | None:
    """Turn a postcode, place name or address into coordinates.

    Core's offline gazetteer answers postcodes and municipality names as the last
    resort; a deployment may plug in another geocoder (e.g. for street addresses).

    :param query: what the user typed (a PLZ, a place name or an address).
    :return: a ``core.gazetteer.GeoPoint`` or None when unknown.

    Call order: in plugin order, then core's gazetteer; stops at the first
    non-None result.
    """
