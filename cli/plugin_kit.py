"""Commands for plugin authors: ``rathaus plugin new`` and ``rathaus plugins hooks``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core.output import emit, json_option
from core.plugins import current_host


@click.command("hooks")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the Markdown to this file instead of standard output.",
)
@click.option("--check", is_flag=True, help="Only check that every hook is fully documented.")
@json_option
@with_appcontext
def hooks(output: Path | None, check: bool, as_json: bool) -> None:
    """The hook reference: core's hooks and those enabled plugins publish.

    Generated from the docstrings of the hook specifications, so it is always
    current. ``--check`` exits with status 1 and lists what is missing when a hook
    lacks a docstring, a ``:param:`` for an argument, a return contract or its call
    order (run it when your plugin publishes hooks of its own).
    """
    from cli import hookdoc
    from core import API_VERSION, hookspecs

    host = current_host()
    docs = hookdoc.collect(host.pm, hookdoc.publishers_of(host.pm, host.loaded()))
    if check:
        found = hookdoc.all_problems(docs)
        for problem in found:
            click.echo(problem, err=True)
        if found:
            raise click.exceptions.Exit(1)
        click.echo(f"{len(docs)} hooks, all fully documented.")
        return

    def show() -> None:
        text = hookdoc.render_markdown(
            docs, api_version=API_VERSION, preamble=hookdoc.module_preamble(hookspecs)
        )
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            click.echo(f"Wrote the reference of {len(docs)} hooks to {output}.", err=True)

    emit({"api_version": API_VERSION, "hooks": [doc.as_dict() for doc in docs]}, as_json, show)


@click.group("plugin")
def plugin() -> None:
    """Write a plugin of your own (a new service for every tenant)."""


@plugin.command("new")
@click.argument("name")
@click.option(
    "--directory",
    "-d",
    type=click.Path(file_okay=False, path_type=Path),
    help=(
        "Where to write the project (default: ./rathaus-NAME). May exist; files in it "
        "are never overwritten."
    ),
)
@click.option(
    "--title", help="The service's name in the catalogue, in German (default: from NAME)."
)
@click.option("--description", help="One sentence for the catalogue, in German.")
@click.option(
    "--themenfeld",
    default="Querschnitt",
    show_default=True,
    help="The OZG Themenfeld of the service.",
)
@json_option
@with_appcontext
def new(
    name: str,
    directory: Path | None,
    title: str | None,
    description: str | None,
    themenfeld: str,
    as_json: bool,
) -> None:
    """Write a new plugin package NAME that installs with pip and passes its tests.

    NAME becomes the plugin's entry-point name, its service key, URL segment, table
    prefix and command group; the package is rathaus_NAME. The project has a
    tenant-scoped model and its first migration, a citizen page, an API, a command
    group, demo data, German texts and tests using Rathaus's fixtures.
    """
    from cli import scaffolding
    from core.manifests import catalogue
    from core.plugins import installed_plugins

    ctx = click.get_current_context()
    taken = set(installed_plugins()) | {manifest.key for manifest in catalogue()}
    root = ctx.find_root()
    commands = set(root.command.list_commands(root)) | set(current_app.cli.commands)  # type: ignore[attr-defined]
    spec = scaffolding.plugin_spec(
        name, title, description, themenfeld, taken_plugins=taken, commands=commands
    )
    target = directory or Path(spec.dist)
    files = scaffolding.create_plugin(spec, target)

    def show() -> None:
        click.echo(
            f"Created the plugin {spec.name!r} (package {spec.package}) in {target}/ "
            f"with {len(files)} files."
        )
        click.echo("Next:")
        click.echo(f"  cd {target}")
        click.echo("  pip install -e '.[test]'")
        click.echo("  python -m pytest")
        click.echo("  rathaus services list")

    emit(
        {
            "name": spec.name,
            "package": spec.package,
            "distribution": spec.dist,
            "directory": str(target),
            "files": [str(path) for path in files],
        },
        as_json,
        show,
    )
