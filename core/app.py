"""The application factory: ``create_app(config=None)``.

There is no module-level application or plugin manager: every call builds its own,
so tests and embedding code can run several side by side.

``create_app`` sets up what every use of the application needs – settings, database,
plugins, service catalogue, translations, commands – and leaves the pages and the API
(core's and the plugins' blueprints: their modules, routes and OpenAPI document) to
the first request or other use of the routing (:mod:`core.deferred`). Commands that
touch no page start without them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader

from core import bounds, builtin, db, i18n, ratelimit, security
from core.config import load_settings, resolve_instance_path
from core.deferred import RathausFlask
from core.manifests import EXTENSION_KEY as SERVICES_KEY
from core.manifests import Catalogue, check_requirements
from core.plugins import EXTENSION_KEY as PLUGINS_KEY
from core.plugins import PluginHost

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build a Rathaus application.

    :param config: settings that override defaults, the instance file and the
        environment. Besides the documented settings it accepts ``INSTANCE_PATH``
        and ``PLUGIN_OBJECTS`` (a mapping of plugin name to an already imported
        plugin object, registered as if found through an entry point).
    """
    config = dict(config or {})
    plugin_objects = config.pop("PLUGIN_OBJECTS", None)
    instance_path = resolve_instance_path(config)
    app = RathausFlask(
        "core",
        instance_path=str(instance_path) if instance_path else None,
        static_folder="static",
        template_folder="templates",
    )
    app.config.update(load_settings(Path(app.instance_path), config))
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    bounds.init_app(app)  # before any route: bounds the int converter
    db.init_app(app)
    ratelimit.init_app(app)
    security.trust_proxies(app)
    host = _load_plugins(app, plugin_objects)
    i18n.init_app(app, [info.path for info in _loaded_infos(host)])

    from core import formatting, tenant_routing

    tenant_routing.init_app(app)
    formatting.init_app(app)
    _set_up_plugins(app, host)
    app.web_setup.add(lambda: _set_up_web(app, host))
    return app


def _load_plugins(app: Flask, plugin_objects: Mapping[str, Any] | None) -> PluginHost:
    host = PluginHost(strict=bool(app.config["PLUGINS_STRICT"]))
    host.register_core(builtin)
    host.load(app.config["PLUGINS"], extra=dict(plugin_objects or {}))
    app.extensions[PLUGINS_KEY] = host
    return host


def _loaded_infos(host: PluginHost) -> list[Any]:
    return [host.infos[name] for name in host.loaded()]


def _set_up_plugins(app: Flask, host: PluginHost) -> None:
    """Run the setup hooks every use needs; a plugin failing in one is left out of all."""
    services = host.call_each("register_services", isolate=True, app=app)
    template_dirs = host.call_each("register_template_dirs", isolate=True, app=app)

    catalogue = Catalogue()
    for plugin, manifests in services:
        _add_services(host, catalogue, plugin, manifests)
    for problem in check_requirements(catalogue):
        log.warning(problem)
    app.extensions[SERVICES_KEY] = catalogue

    alive = set(host.loaded())
    folders = [
        str(folder) for plugin, items in template_dirs if plugin in alive for folder in items
    ]
    if folders:
        app.jinja_loader = ChoiceLoader([FileSystemLoader(folders), app.jinja_loader])
    _add_commands(app, host)


def _set_up_web(app: Flask, host: PluginHost) -> None:
    """Core's and the plugins' pages and API, on first use of the routing.

    A plugin failing in ``register_blueprints`` or ``register_api`` is disabled then,
    and its services leave the catalogue.
    """
    from core import api, web

    before = set(host.loaded())
    security.init_app(app)  # CSRF and security headers: requests only
    rest = api.init_app(app)
    web.init_app(app)
    blueprints = host.call_each("register_blueprints", isolate=True, app=app)
    api_blueprints = host.call_each("register_api", isolate=True, api=rest)

    alive = set(host.loaded())
    catalogue = app.extensions[SERVICES_KEY]
    for key, manifest in list(catalogue.services.items()):
        if manifest.plugin in before - alive:
            del catalogue.services[key]
    for plugin, items in blueprints:
        if plugin in alive:
            for blueprint in items:
                app.register_blueprint(blueprint)
    for plugin, items in api_blueprints:
        if plugin in alive:
            for blueprint in items:
                rest.register_blueprint(blueprint)


def _add_services(
    host: PluginHost, catalogue: Catalogue, plugin: str, manifests: list[Any]
) -> None:
    from dataclasses import replace

    from core.errors import RathausError

    if plugin not in host.loaded():
        return
    added = []
    try:
        for manifest in manifests:
            catalogue.add(replace(manifest, plugin=plugin))
            added.append(manifest.key)
    except RathausError as exc:
        for key in added:
            catalogue.services.pop(key, None)
        host.fail(plugin, f"register_services: {exc}")


def _add_commands(app: Flask, host: PluginHost) -> None:
    """Let plugins add their command groups; a failing plugin's commands are removed."""

    def undo(_plugin: str) -> Any:
        before = set(app.cli.commands)

        def remove_added() -> None:
            for name in set(app.cli.commands) - before:
                del app.cli.commands[name]

        return remove_added

    host.call_each("register_commands", isolate=True, undo=undo, cli=app.cli)
