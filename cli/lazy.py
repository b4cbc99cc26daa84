"""The ``rathaus`` group that lists its commands without building the application.

``rathaus --help`` must start in about the time Python takes to import Flask, so it
neither builds the application nor imports a plugin: core's commands are known
statically, and every enabled plugin appears as the command group of its name (the
convention every plugin follows: ``rathaus tenants``, ``rathaus termin``), described
by the first line of its module's docstring, read from entry-point metadata and the
module's source file without running it. The application is built when a command
that needs it runs (``with_appcontext``) or when a plugin's command is looked up.
"""

from __future__ import annotations

import ast
import importlib.util
import os
from pathlib import Path

import click
from flask.cli import FlaskGroup, ScriptInfo

#: Commands the application adds itself: name and the help to list it with.
APP_COMMANDS = {"openapi": "The OpenAPI document of the HTTP API."}


def default_instance_path() -> Path:
    """The instance folder Flask gives the app when none is configured."""
    from flask.sansio.scaffold import find_package

    prefix, package_path = find_package("core")
    if prefix is None:
        return Path(package_path) / "instance"
    return Path(prefix) / "var" / "core-instance"


def enabled_plugins() -> list[str]:
    """Names of the plugins the ``PLUGINS`` setting enables (all installed when unset),
    read from the environment and the instance file without building the app."""
    from core.config import env_settings, instance_file_settings, resolve_instance_path
    from core.plugins import installed_plugins

    instance = resolve_instance_path(None) or default_instance_path()
    settings = {**instance_file_settings(instance), **env_settings()}
    installed = installed_plugins()
    wanted = settings.get("PLUGINS")
    if wanted is None:
        return sorted(installed)
    if isinstance(wanted, str):
        wanted = [name.strip() for name in wanted.split(",") if name.strip()]
    return [name for name in wanted if name in installed]


def plugin_summary(module: str) -> str:
    """First line of a plugin module's docstring, read from its source, not imported."""
    try:
        spec = importlib.util.find_spec(module.partition(":")[0])
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin or not os.path.isfile(spec.origin):
        return ""
    try:
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return ""
    return (ast.get_docstring(tree) or "").strip().split("\n")[0]


def plugin_groups() -> dict[str, str]:
    """Enabled plugins' command groups with their one-line description."""
    from core.plugins import installed_plugins

    installed = installed_plugins()
    return {name: plugin_summary(installed[name].value) for name in enabled_plugins()}


class LazyFlaskGroup(FlaskGroup):
    """Flask's group, listing plugin groups from metadata and building the app late.

    Flask's own listing builds the application to ask it for its commands; this one
    does not. Looking up a command that core does not define builds the application
    (as Flask does) and, if the command is still unknown, finishes its deferred setup
    (the API adds ``openapi`` there) before giving up.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Core's commands, the enabled plugins' groups and the app's own commands."""
        return sorted(set(self.commands) | set(plugin_groups()) | set(APP_COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A core command as is; any other from the application, built for it."""
        from core.lazycli import LazyCommand

        command = super().get_command(ctx, cmd_name)
        if isinstance(command, LazyCommand):
            return command.load()  # a plugin's group, imported now
        if command is not None or cmd_name in self.commands:
            return command
        app = ctx.ensure_object(ScriptInfo).load_app()
        app.finish_setup()
        return app.cli.get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, without building the application."""
        described = {**APP_COMMANDS, **plugin_groups()}
        limit = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        rows = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name)
            if command is not None and command.hidden:
                continue
            text = command.get_short_help_str(limit) if command else described.get(name, "")
            rows.append((name, _shorten(text, limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _shorten(text: str, limit: int) -> str:
    """Click's short-help truncation, for texts that are not a command's own."""
    return click.utils.make_default_short_help(text, limit) if text else ""
