"""A test plugin implementing every core hook and recording the calls it receives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import flask_smorest
import marshmallow as ma
from flask import Blueprint, g
from flask.views import MethodView

from core import AdminLink, PortalLink, hookimpl, hookspec
from core.api import tenant_api_prefix
from core.auth import tenant_admin_required
from core.gazetteer import GeoPoint
from core.services import ServiceManifest, require_subscription

TEMPLATES = Path(__file__).parent / "probe_templates"


class ProbeHookspecs:
    """A hook the probe publishes for other plugins (add_hookspecs)."""

    @hookspec
    def probe_ping(self, value: int) -> int:
        """Answer a ping.

        :param value: a number.
        :return: the number, transformed.
        """


class ProbeEchoSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=2))
    count = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))


class ProbePlugin:
    """Records every hook call in ``self.calls`` as ``(hook, kwargs)``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail_in: set[str] = set()

    def _record(self, hook: str, **kwargs: Any) -> None:
        self.calls.append((hook, kwargs))
        if hook in self.fail_in:
            raise RuntimeError(f"probe fails in {hook}")

    def called(self, hook: str) -> list[dict[str, Any]]:
        return [kwargs for name, kwargs in self.calls if name == hook]

    @hookimpl
    def add_hookspecs(self, pluginmanager: Any) -> None:
        self._record("add_hookspecs")
        pluginmanager.add_hookspecs(ProbeHookspecs)

    @hookimpl
    def register_services(self, app: Any) -> list[ServiceManifest]:
        self._record("register_services", app=app)
        return [
            ServiceManifest(
                key="probe",
                title="Probe",
                description="A service for tests.",
                themenfeld="Querschnitt",
                leika_keys=("99001003000000",),
                version="2.1",
            )
        ]

    @hookimpl
    def register_blueprints(self, app: Any) -> list[Blueprint]:
        self._record("register_blueprints", app=app)
        bp = Blueprint("probe", __name__, url_prefix="/<tenant>/probe")

        @bp.get("/")
        def index() -> str:
            return f"probe page of {g.tenant.slug}"

        @bp.get("/boom")
        def boom() -> str:
            raise RuntimeError("probe page exploded")

        return [require_subscription(bp, "probe")]

    @hookimpl
    def register_api(self, api: Any) -> list[flask_smorest.Blueprint]:
        self._record("register_api", api=api)
        blp = flask_smorest.Blueprint("probe_api", __name__, url_prefix=tenant_api_prefix("probe"))

        @blp.route("/echo")
        class Echo(MethodView):
            @blp.arguments(ProbeEchoSchema)
            @blp.response(200, ProbeEchoSchema)
            @tenant_admin_required
            def post(self, data: dict[str, Any]) -> dict[str, Any]:
                """Echo the body back (tenant admins only)."""
                return data

        @blp.route("/boom")
        class Boom(MethodView):
            def get(self) -> Any:
                """Fail on purpose."""
                raise RuntimeError("probe endpoint exploded")

        return [blp]

    @hookimpl
    def register_template_dirs(self, app: Any) -> list[str]:
        self._record("register_template_dirs", app=app)
        return [str(TEMPLATES)]

    @hookimpl
    def register_commands(self, cli: click.Group) -> None:
        self._record("register_commands", cli=cli)

        @cli.group("probe")
        def probe() -> None:
            """Probe commands."""

        @probe.command("hello")
        @click.argument("name")
        def hello(name: str) -> None:
            """Greet."""
            click.echo(f"hello {name}")

    @hookimpl
    def demo_data(self, app: Any, session: Any) -> None:
        self._record("demo_data", app=app, session=session)

    @hookimpl
    def tenant_onboarded(self, tenant: Any) -> None:
        self._record("tenant_onboarded", tenant=tenant)

    @hookimpl
    def export_tenant_data(self, tenant: Any) -> dict[str, Any]:
        self._record("export_tenant_data", tenant=tenant)
        return {"greeting": f"export of {tenant.slug}"}

    @hookimpl
    def tenant_offboarding(self, tenant: Any) -> None:
        self._record("tenant_offboarding", tenant=tenant)

    @hookimpl
    def subscription_started(self, subscription: Any) -> None:
        self._record("subscription_started", subscription=subscription)

    @hookimpl
    def subscription_ended(self, subscription: Any, reason: str) -> None:
        self._record("subscription_ended", subscription=subscription, reason=reason)

    @hookimpl
    def portal_links(self, tenant: Any) -> list[PortalLink]:
        self._record("portal_links", tenant=tenant)
        return [
            PortalLink(
                service="probe",
                title="Probe service",
                url=f"/{tenant.slug}/probe/",
                description="Try it.",
            ),
            PortalLink(
                service="engagement", title="Engagement link", url=f"/{tenant.slug}/engagement/"
            ),
        ]

    @hookimpl
    def admin_links(self, tenant: Any) -> list[AdminLink]:
        self._record("admin_links", tenant=tenant)
        return [AdminLink(title="Probe settings", url=f"/{tenant.slug}/probe/settings")]

    @hookimpl
    def operator_sections(self) -> list[Any]:
        from core import OperatorSection

        self._record("operator_sections")
        return [OperatorSection(title="Probe desk", url="/operator/probe", description="Probes.")]

    @hookimpl
    def export_personal_data(self, user: Any) -> dict[str, Any]:
        self._record("export_personal_data", user=user)
        return {"favourite": "probe data"}

    @hookimpl
    def erase_personal_data(self, user: Any) -> None:
        self._record("erase_personal_data", user=user)

    @hookimpl
    def geocode(self, query: str) -> GeoPoint | None:
        self._record("geocode", query=query)
        if query == "Rathausplatz 1, Probe":
            return GeoPoint(lat=51.0, lon=7.0, label="Rathausplatz 1", plz=None, ags=None)
        return None


class PingResponder:
    """Another plugin implementing the probe's published hook."""

    @hookimpl
    def probe_ping(self, value: int) -> int:
        return value * 2
