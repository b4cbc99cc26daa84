"""Entry point of the ``rathaus`` command.

The application is created lazily, only when a command needs it, so that
``rathaus --help`` starts without it (``cli.lazy``); every command gets the same app
as the web server. Plugins add their groups through the ``register_commands`` hook.
User errors (``core.errors.RathausError``) end with ``Error: <field>: <message>`` and
exit status 2, never a traceback.
"""

from __future__ import annotations

from typing import Any

import click

from cli import commands
from cli.lazy import LazyFlaskGroup


class UserError(click.ClickException):
    """A problem for the user to fix: printed without a traceback, exit status 2."""

    exit_code = 2


class RathausGroup(LazyFlaskGroup):
    """Flask's group, turning domain errors into clean command-line errors.

    Commands come from core and from Rathaus plugins (``register_commands``), not from
    Flask's ``flask.commands`` entry points: other installed Flask extensions must not
    add commands to ``rathaus``, and skipping that scan saves start-up time.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded_plugin_commands = True

    def invoke(self, ctx: click.Context) -> Any:
        from core.errors import RathausError

        try:
            return super().invoke(ctx)
        except RathausError as exc:
            raise UserError(_error_lines(exc)) from None
        except Exception as exc:
            if _database_not_set_up(exc):
                raise UserError("database: not set up; run rathaus db upgrade") from None
            raise


def _error_lines(exc: Any) -> str:
    """One ``field: message`` per wrong field (a form-like error carries several)."""
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict) and len(errors) > 1:
        return "\nError: ".join(f"{field}: {message}" for field, message in errors.items())
    if isinstance(errors, list) and len(errors) > 1:  # ValidationErrors
        return "\nError: ".join(str(error) for error in errors)
    return str(exc)


def _database_not_set_up(exc: Exception) -> bool:
    """Whether ``exc`` says a table is missing: the migrations have not run.

    SQLAlchemy is imported only here, on the error path, so that ``rathaus --help``
    stays cheap.
    """
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return False
    if getattr(exc.orig, "sqlstate", None) == "42P01":  # PostgreSQL: undefined_table
        return True
    return "no such table" in str(exc.orig)


def _create_app() -> Any:
    from core import create_app

    return create_app()


cli = RathausGroup(
    name="rathaus",
    create_app=_create_app,
    add_version_option=False,
    help="Rathaus – the municipal service platform. Run `rathaus COMMAND --help` for details.",
)
# Flask's --app/--env-file/--debug options make no sense for a fixed application.
cli.params = [param for param in cli.params if param.name not in {"app", "env_file", "debug"}]
commands.register(cli)


def main() -> None:
    """Console script entry point."""
    cli.main(prog_name="rathaus")
