"""Command groups whose module is imported when the command is used.

Building the application runs every plugin's ``register_commands``; if each imported
its command module there, ``rathaus tenants list`` would import the billing and
engagement commands too. A plugin registers a :class:`LazyCommand` instead::

    @hookimpl
    def register_commands(cli):
        from core.lazycli import LazyCommand

        cli.add_command(LazyCommand("billing", "plugins.billing.cli:billing"))

The real command is imported when it runs, when its help is shown (also its line in
the parent's command list) or when anything else asks it more than its name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click


class LazyCommand(click.Command):
    """A command (or group) named now and imported on first use.

    :param name: the command's name in its parent group.
    :param target: ``"module:attribute"`` of the real command, or a function that
        returns it (to add subcommands first).
    """

    def __init__(self, name: str, target: str | Callable[[], click.Command]) -> None:
        super().__init__(name)
        self._target = target
        self._real: click.Command | None = None

    def load(self) -> click.Command:
        """The real command, imported on the first call."""
        if self._real is None:
            if isinstance(self._target, str):
                from pkgutil import resolve_name

                self._real = resolve_name(self._target)
            else:
                self._real = self._target()
        return self._real

    @property
    def hidden(self) -> bool:  # type: ignore[override]
        """The real command's ``hidden`` (asked when a parent lists its commands)."""
        return self._real.hidden if self._real is not None else self.load().hidden

    @hidden.setter
    def hidden(self, value: bool) -> None:
        """Ignored: set by ``click.Command.__init__``; the real command decides."""

    def make_context(self, info_name: str | None, args: list[str], **extra: Any) -> Any:
        """The real command's context: the parent then invokes the real command."""
        return self.load().make_context(info_name, args, **extra)

    def get_short_help_str(self, limit: int = 45) -> str:
        """The real command's line in the parent's list."""
        return self.load().get_short_help_str(limit)

    def get_help(self, ctx: click.Context) -> str:
        """The real command's help."""
        return self.load().get_help(ctx)

    def to_info_dict(self, ctx: click.Context) -> dict[str, Any]:
        """The real command's description."""
        return self.load().to_info_dict(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the real command (a context made elsewhere for this proxy)."""
        return self.load().invoke(ctx)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the real command as a program of its own."""
        return self.load().main(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        """Anything a plain command lacks (a group's ``commands``, ``get_command``...)
        from the real command."""
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.load(), name)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        """The real command's completions."""
        return self.load().shell_complete(ctx, incomplete)
