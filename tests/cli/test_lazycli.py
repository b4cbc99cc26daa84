"""core.lazycli: a command named at registration and imported when it is used."""

from __future__ import annotations

import click
from click.testing import CliRunner

from core.lazycli import LazyCommand

loads: list[str] = []


@click.group()
def real() -> None:
    """The real group: its help line."""


@real.command()
@click.argument("name")
def greet(name: str) -> None:
    """Say hello."""
    click.echo(f"Hallo {name}")


@click.command(hidden=True)
def secret() -> None:
    """Not listed."""


def load_real() -> click.Group:
    loads.append("real")
    return real


def parent_with(*commands: click.Command) -> click.Group:
    @click.group()
    def top() -> None:
        """Top."""

    for command in commands:
        top.add_command(command)
    return top


def test_registering_and_naming_loads_nothing():
    loads.clear()
    top = parent_with(LazyCommand("real", load_real))
    assert top.list_commands(click.Context(top)) == ["real"]
    assert loads == []


def test_running_a_subcommand_runs_the_real_one_loaded_once():
    loads.clear()
    lazy = LazyCommand("real", load_real)
    top = parent_with(lazy)
    runner = CliRunner()
    assert runner.invoke(top, ["real", "greet", "Coesfeld"]).output == "Hallo Coesfeld\n"
    assert runner.invoke(top, ["real", "greet", "Dülmen"]).output == "Hallo Dülmen\n"
    assert loads == ["real"]
    assert lazy.load() is real


def test_the_parents_help_shows_the_real_help_line_and_hides_what_is_hidden():
    top = parent_with(
        LazyCommand("real", load_real), LazyCommand("secret", "tests.cli.test_lazycli:secret")
    )
    output = CliRunner().invoke(top, ["--help"]).output
    assert output.split("Commands:\n")[1] == "  real  The real group: its help line.\n"


def test_help_of_the_lazy_group_is_the_real_groups():
    top = parent_with(LazyCommand("real", "tests.cli.test_lazycli:real"))
    output = CliRunner().invoke(top, ["real", "--help"]).output
    assert output == (
        "Usage: top real [OPTIONS] COMMAND [ARGS]...\n\n"
        "  The real group: its help line.\n\n"
        "Options:\n"
        "  --help  Show this message and exit.\n\n"
        "Commands:\n"
        "  greet  Say hello.\n"
    )


def test_a_lazy_group_shows_the_real_groups_subcommands():
    lazy = LazyCommand("real", load_real)
    assert sorted(lazy.commands) == ["greet"]
    assert lazy.get_command(click.Context(real), "greet") is greet


def test_private_names_are_not_passed_on():
    lazy = LazyCommand("real", "tests.cli.test_lazycli:real")
    try:
        lazy._not_there  # noqa: B018
    except AttributeError as exc:
        assert str(exc) == "_not_there"
    else:
        raise AssertionError("a private name was looked up on the real command")
