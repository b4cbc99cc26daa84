"""The hook reference is generated from the hook specifications and cannot drift.

``rathaus plugins hooks`` renders core's hooks and those enabled plugins publish;
``docs/hooks.md`` must equal its output, and every hook's docstring must be complete.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import hookdoc
from core import API_VERSION, hookimpl, hookspec
from tests.conftest import BUILT_IN

ROOT = Path(__file__).resolve().parents[2]
HOOKS_MD = ROOT / "docs" / "hooks.md"


class FrontDeskHookspecs:
    """Hooks a test plugin publishes, grouped under a banner like core's."""

    # -----------------------------------------------------------------------------
    # Front desk: called when a visitor arrives
    # -----------------------------------------------------------------------------

    @hookspec
    def visitor_arrived(self, tenant: object, visitor: str) -> list[str]:
        """Greet a visitor at the front desk.

        :param tenant: the ``core.models.Tenant`` being visited.
        :param visitor: the visitor's name.
        :return: greetings, one per plugin.

        Call order: in plugin order.
        """

    @hookspec(firstresult=True)
    def desk_for(self, topic: str) -> str | None:
        """Name the desk that handles a topic.

        :param topic: what the visitor came for.
        :return: a desk, or None.

        Call order: in plugin order; stops at the first non-None result.
        """


class SloppyHookspecs:
    @hookspec
    def undocumented(self, thing: str) -> None:
        pass

    @hookspec
    def half_documented(self, tenant: object, day: str) -> int:
        """Count something.

        :param tenant: the tenant.
        :param colour: not a parameter at all.
        """

    @hookspec(firstresult=True)
    def resolve_it(self, query: str) -> str | None:
        """Resolve a query.

        :param query: the query.
        :return: the answer.

        Call order: in plugin order.
        """


class FrontDeskPlugin:
    @hookimpl
    def add_hookspecs(self, pluginmanager):
        pluginmanager.add_hookspecs(FrontDeskHookspecs)


class SloppyPlugin:
    @hookimpl
    def add_hookspecs(self, pluginmanager):
        pluginmanager.add_hookspecs(SloppyHookspecs)


def docs_of(app) -> list[hookdoc.HookDoc]:
    host = app.extensions["rathaus.plugins"]
    return hookdoc.collect(host.pm, hookdoc.publishers_of(host.pm, host.loaded()))


def doc_named(app, name: str) -> hookdoc.HookDoc:
    (found,) = [doc for doc in docs_of(app) if doc.name == name]
    return found


# ---------------------------------------------------------------------------------
# The real hooks
# ---------------------------------------------------------------------------------


def test_every_published_hook_is_fully_documented(app):
    """Core's hooks and every hook the built-in plugins publish."""
    assert hookdoc.all_problems(docs_of(app)) == []


def test_docs_hooks_md_equals_the_generated_reference(runner):
    result = runner.invoke("plugins", "hooks")
    assert result.exit_code == 0
    assert HOOKS_MD.read_text(encoding="utf-8") == result.output, (
        "docs/hooks.md is out of date; regenerate it with "
        f"`RATHAUS_PLUGINS={','.join(BUILT_IN)} {hookdoc.REGENERATE}`"
    )


def test_reference_documents_every_core_hook_with_its_contract(runner):
    text = runner.invoke("plugins", "hooks").output
    geocode = text[text.index('<a id="geocode"></a>') :]
    assert geocode.startswith(
        '<a id="geocode"></a>`geocode`\n\n'
        "```python\n"
        "def geocode(query: str) -> GeoPoint | None\n"
        "```\n\n"
        "*firstresult: stops at the first non-None result*\n\n"
        "Turn a postcode, place name or address into coordinates.\n"
    )
    assert (
        "| `query` | `str` | what the user typed (a PLZ, a place name or an address). |" in geocode
    )
    assert "**Returns:** a `core.gazetteer.GeoPoint` or None when unknown." in geocode
    assert f"Core plugin API version: **{API_VERSION}**." in text


def test_hooks_output_writes_the_file(runner, tmp_path):
    target = tmp_path / "hooks.md"
    result = runner.invoke("plugins", "hooks", "--output", str(target))
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8") == runner.invoke("plugins", "hooks").output
    assert (
        result.stderr == f"Wrote the reference of {len(docs_of(runner.app))} hooks to {target}.\n"
    )


def test_hooks_check_passes_for_the_built_in_plugins(runner):
    result = runner.invoke("plugins", "hooks", "--check")
    assert (result.exit_code, result.output) == (
        0,
        f"{len(docs_of(runner.app))} hooks, all fully documented.\n",
    )


def test_hooks_json_lists_each_hook_with_parameters(runner):
    data = json.loads(runner.invoke("plugins", "hooks", "--json").output)
    assert data["api_version"] == API_VERSION
    (portal_links,) = [hook for hook in data["hooks"] if hook["name"] == "portal_links"]
    assert portal_links["params"] == [
        {
            "name": "tenant",
            "type": "core.models.Tenant",
            "description": "the tenant whose portal is rendered.",
        }
    ]
    assert (portal_links["publisher"], portal_links["section"]) == ("core", "Citizens")


# ---------------------------------------------------------------------------------
# Hooks that plugins publish
# ---------------------------------------------------------------------------------


def publishing(plugin_class):
    """Load the built-ins plus a plugin that publishes hooks (as ``extra``)."""
    config = {"PLUGINS": [*BUILT_IN, "extra"], "PLUGIN_OBJECTS": {"extra": plugin_class()}}
    return pytest.mark.parametrize("rathaus_config", [config], ids=[plugin_class.__name__])


@publishing(FrontDeskPlugin)
def test_published_hooks_appear_under_their_plugin_and_banner(runner):
    text = runner.invoke("plugins", "hooks").output
    assert (
        "- Hooks published by the `extra` plugin (`tests.plugin_kit.test_hook_reference`)\n"
        "  - Front desk: called when a visitor arrives: [`visitor_arrived`](#visitor_arrived), [`desk_for`](#desk_for)\n"
    ) in text
    published = text[text.index("## Hooks published by the `extra` plugin") :]
    assert published.startswith(
        "## Hooks published by the `extra` plugin (`tests.plugin_kit.test_hook_reference`)\n\n"
        "### Front desk: called when a visitor arrives\n\n"
        '#### <a id="visitor_arrived"></a>`visitor_arrived`\n\n'
        "```python\n"
        "def visitor_arrived(tenant: object, visitor: str) -> list[str]\n"
        "```\n"
    )
    assert "| `visitor` | `str` | the visitor's name. |" in published


@publishing(SloppyPlugin)
def test_hooks_check_lists_every_gap_and_exits_1(runner):
    result = runner.invoke("plugins", "hooks", "--check")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "undocumented: has no docstring",
        "half_documented: parameter 'day' is not documented (:param day:)",
        "half_documented: documents 'colour', which is not a parameter",
        "half_documented: has no return contract (:return:)",
        "half_documented: has no documented call order (a paragraph starting 'Call order:')",
        "resolve_it: is firstresult, but its call order does not say it stops at the first non-None result",
    ]


@publishing(SloppyPlugin)
def test_completeness_check_fails_on_a_hook_without_docstring(app):
    assert hookdoc.problems(doc_named(app, "undocumented")) == ["undocumented: has no docstring"]


@publishing(SloppyPlugin)
def test_reference_marks_undocumented_parts(runner):
    text = runner.invoke("plugins", "hooks").output
    undocumented = text[text.index('<a id="undocumented"></a>') :]
    assert "*(no docstring)*" in undocumented
    assert "**Returns:** (not documented)" in undocumented
    assert "**Call order:** (not documented)" in undocumented


# ---------------------------------------------------------------------------------
# Reading docstrings
# ---------------------------------------------------------------------------------


def test_docstring_fields_span_several_lines():
    doc = hookdoc.HookDoc(
        name="h", publisher="core", module="m", section="s", signature="()", argnames=("a",),
        annotations={}, has_docstring=True,
    )  # fmt: skip
    hookdoc.parse_docstring(
        "Summary line\ncontinued.\n\nMore text.\n\n:param a: first line\n    second line.\n"
        ":return: the\n    result.\n\nCall order: last,\nalways.",
        doc,
    )
    assert (doc.summary, doc.description, doc.params, doc.returns, doc.call_order) == (
        "Summary line continued.",
        ["More text."],
        {"a": "first line second line."},
        "the result.",
        "last, always.",
    )


def test_annotations_are_qualified_with_the_module_they_come_from():
    names = {"Tenant": "core.models.Tenant", "GeoPoint": "core.gazetteer.GeoPoint"}
    assert hookdoc.qualify("list[Tenant] | GeoPoint | None", names) == (
        "list[core.models.Tenant] | core.gazetteer.GeoPoint | None"
    )
    assert hookdoc.qualify("flask.Tenant", names) == "flask.Tenant"


def test_every_hook_shows_a_real_example(runner):
    text = runner.invoke("plugins", "hooks").output
    assert "    ...\n```" not in text
    subscription_started = text[text.index('<a id="subscription_started"></a>') :]
    assert (
        "**Example** (from `plugins.billing`):\n\n"
        "```python\n"
        "@hookimpl\n"
        "def subscription_started(subscription: Any) -> None:\n"
    ) in subscription_started
    template_dirs = text[text.index('<a id="register_template_dirs"></a>') :]
    assert "**Example:**\n\n```python\n@hookimpl\ndef register_template_dirs(app):\n" in (
        template_dirs
    )


def test_a_docstring_example_is_taken_apart_from_the_description():
    doc = hookdoc.HookDoc("h", "core", "m", "s", "()", (), {}, True)
    hookdoc.parse_docstring(
        "Do it.\n\nCall order: first.\n\nExample::\n\n    @hookimpl\n    def h():\n        pass\n",
        doc,
    )
    assert (doc.summary, doc.call_order, doc.description, doc.example) == (
        "Do it.",
        "first.",
        [],
        "@hookimpl\ndef h():\n    pass",
    )
