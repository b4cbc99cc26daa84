"""The hook reference, generated from the hook specifications themselves.

Every hook is documented where it is declared: ``core/hookspecs.py`` for core's, and
each plugin's own spec module (published through ``add_hookspecs``) for the others.
This module reads those docstrings, checks that they are complete, and renders them
as Markdown (``rathaus plugins hooks``), so the reference cannot drift from the code.

A complete docstring has a summary, a ``:param NAME:`` for every argument, a
``:return:`` contract and a paragraph starting ``Call order:``; a ``firstresult``
hook says that it stops at the first non-None result.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

CALL_ORDER = "Call order:"
FIELD = re.compile(r"^:(param|return|returns)(?:\s+(\w+))?:\s*(.*)$")
BANNER_RULE = re.compile(r"^\s*# -{10,}\s*$")
BANNER_TITLE = re.compile(r"^\s*# (\S.*)$")
DEFAULT_SECTION = "Hooks"
#: Modules whose names read well unqualified (``Any``, ``Iterator``).
PLAIN_MODULES = {"typing", "collections.abc", "__future__"}


@dataclass
class HookDoc:
    """Everything the reference says about one hook."""

    name: str
    publisher: str  # "core" or the name of the plugin that publishes the hook
    module: str
    section: str
    signature: str
    argnames: tuple[str, ...]
    annotations: dict[str, str]
    has_docstring: bool
    summary: str = ""
    description: list[str] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    returns: str | None = None
    call_order: str | None = None
    firstresult: bool = False
    historic: bool = False
    line: int = 0
    #: A real implementation (source) and the module it comes from, or a docstring's
    #: ``Example::`` block (module ``None``).
    example: str = ""
    example_module: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The hook's documentation as JSON-ready data."""
        return {
            "name": self.name,
            "publisher": self.publisher,
            "module": self.module,
            "section": self.section,
            "signature": self.signature,
            "summary": self.summary,
            "description": self.description,
            "params": [
                {
                    "name": name,
                    "type": self.annotations.get(name),
                    "description": self.params.get(name),
                }
                for name in self.argnames
            ],
            "returns": self.returns,
            "call_order": self.call_order,
            "firstresult": self.firstresult,
            "historic": self.historic,
        }


# ---------------------------------------------------------------------------------
# Reading the specifications
# ---------------------------------------------------------------------------------


def collect(pm: Any, publishers: dict[str, str] | None = None) -> list[HookDoc]:
    """Document every hook that has a specification in the plugin manager ``pm``.

    :param publishers: module-name prefixes mapped to plugin names (``{"plugins.billing":
        "billing"}``), to say which plugin publishes a hook; core's hooks are ``core``.
    :return: the hooks, core's first, then by publisher; in source order within each.
    """
    docs = []
    for name, caller in vars(pm.hook).items():
        spec = getattr(caller, "spec", None)
        if spec is None or name.startswith("_"):
            continue
        doc = describe(name, spec, _publisher(spec.namespace, publishers or {}))
        _take_builtin_example(doc, caller.get_hookimpls())
        docs.append(doc)
    return sorted(
        docs, key=lambda d: (d.publisher != "core", d.publisher, d.module, d.line, d.name)
    )


def describe(name: str, spec: Any, publisher: str) -> HookDoc:
    """Read one pluggy ``HookSpec`` into a :class:`HookDoc`."""
    function = spec.function
    signature = inspect.signature(function)
    parameters = [p for p in signature.parameters.values() if p.name != "self"]
    doc = HookDoc(
        name=name,
        publisher=publisher,
        module=_module_name(spec.namespace),
        section=sections_of(spec.namespace).get(name, DEFAULT_SECTION),
        signature=_format_signature(parameters, signature.return_annotation),
        argnames=tuple(spec.argnames),
        annotations={
            p.name: qualify(_annotation(p.annotation), imported_names(spec.namespace))
            for p in parameters
            if p.annotation is not p.empty
        },
        has_docstring=bool(inspect.getdoc(function)),
        firstresult=bool(spec.opts.get("firstresult")),
        historic=bool(spec.opts.get("historic")),
        line=function.__code__.co_firstlineno,
    )
    parse_docstring(inspect.getdoc(function) or "", doc)
    return doc


#: Modules whose hook implementations may serve as examples: the built-in plugins and
#: core's own fallbacks (so the reference is the same whatever else is installed).
EXAMPLE_MODULES = ("plugins.", "core.")


def _take_builtin_example(doc: HookDoc, hookimpls: list[Any]) -> None:
    """Show the first built-in implementation of the hook as its example."""
    for impl in hookimpls[::-1]:  # pluggy lists the last registered first
        module = getattr(impl.function, "__module__", "") or ""
        if not module.startswith(EXAMPLE_MODULES):
            continue
        try:
            source = inspect.getsource(impl.function)
        except (OSError, TypeError):
            continue
        doc.example, doc.example_module = textwrap.dedent(source).rstrip(), module
        return


def parse_docstring(text: str, doc: HookDoc) -> None:
    """Fill summary, description, params, returns, call order and example from a docstring."""
    text, _, example = text.partition("\nExample::\n")
    if example:
        doc.example = textwrap.dedent(example).strip("\n").rstrip()
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if not paragraphs:
        return
    doc.summary = _join(paragraphs[0])
    for paragraph in paragraphs[1:]:
        if paragraph.startswith(CALL_ORDER):
            doc.call_order = _join(paragraph[len(CALL_ORDER) :])
        elif paragraph.startswith(":"):
            _read_fields(paragraph, doc)
        else:
            doc.description.append(_join(paragraph))


def _read_fields(paragraph: str, doc: HookDoc) -> None:
    current: list[str] | None = None
    entries: list[tuple[str, str | None, list[str]]] = []
    for line in paragraph.splitlines():
        match = FIELD.match(line.strip())
        if match:
            current = [match.group(3)]
            entries.append((match.group(1), match.group(2), current))
        elif current is not None:
            current.append(line.strip())
    for kind, name, words in entries:
        text = _join(" ".join(words))
        if kind == "param" and name:
            doc.params[name] = text
        elif kind in ("return", "returns"):
            doc.returns = text


def sections_of(namespace: Any) -> dict[str, str]:
    """Map each hook of a spec module or class to the banner comment above it.

    Banners are the pytest-style comment blocks that group hooks by phase::

        # ------------------------------------------------------------
        # Setup: called once per application, inside ``create_app``
        # ------------------------------------------------------------
    """
    try:
        lines = inspect.getsource(namespace).splitlines()
    except (OSError, TypeError):
        return {}
    found, section = {}, DEFAULT_SECTION
    for index, line in enumerate(lines):
        title = BANNER_TITLE.match(line)
        if (
            title
            and 0 < index < len(lines) - 1
            and BANNER_RULE.match(lines[index - 1])
            and BANNER_RULE.match(lines[index + 1])
        ):
            section = title.group(1).strip()
        definition = re.match(r"^\s*def (\w+)\(", line)
        if definition:
            found[definition.group(1)] = section
    return found


def imported_names(namespace: Any) -> dict[str, str]:
    """Names a spec module imports (also under ``TYPE_CHECKING``), with their modules."""
    module = inspect.getmodule(namespace)
    try:
        tree = ast.parse(inspect.getsource(module)) if module else None
    except (OSError, TypeError):
        tree = None
    names: dict[str, str] = {}
    for node in ast.walk(tree) if tree else ():
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module not in PLAIN_MODULES
        ):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def qualify(annotation: str, names: dict[str, str]) -> str:
    """``list[ServiceManifest]`` -> ``list[core.services.ServiceManifest]``."""
    return re.sub(
        r"(?<![\w.])([A-Za-z_]\w*)",
        lambda match: names.get(match.group(1), match.group(1)),
        annotation,
    )


def publishers_of(pm: Any, plugin_names: Iterable[str]) -> dict[str, str]:
    """Module names of the given registered plugins, mapped to the plugin names.

    A plugin that is a module is known by its name (``plugins.billing``), a plugin
    object by its class's module.
    """
    found = {}
    for name in plugin_names:
        plugin = pm.get_plugin(name)
        if plugin is not None:
            module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
            found[module] = name
    return found


def _publisher(namespace: Any, publishers: dict[str, str]) -> str:
    module = _module_name(namespace)
    if module == "core.hookspecs" or module.startswith("core."):
        return "core"
    for prefix, plugin in sorted(publishers.items(), key=lambda item: -len(item[0])):
        if module == prefix or module.startswith(prefix + "."):
            return plugin
    return module


def _module_name(namespace: Any) -> str:
    if isinstance(namespace, ModuleType):
        return namespace.__name__
    return getattr(namespace, "__module__", "") or ""


def _format_signature(parameters: list[inspect.Parameter], returns: Any) -> str:
    """``(app: flask.Flask) -> list[ServiceManifest]``, annotations unquoted."""
    args = ", ".join(
        p.name if p.annotation is p.empty else f"{p.name}: {_annotation(p.annotation)}"
        for p in parameters
    )
    result = "" if returns is inspect.Signature.empty else f" -> {_annotation(returns)}"
    return f"({args}){result}"


def _annotation(annotation: Any) -> str:
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def _join(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------------
# Checking completeness
# ---------------------------------------------------------------------------------


def problems(doc: HookDoc) -> list[str]:
    """What is missing from a hook's docstring; empty when it is complete."""
    if not doc.has_docstring:
        return [f"{doc.name}: has no docstring"]
    found = []
    for name in doc.argnames:
        if name not in doc.params:
            found.append(f"{doc.name}: parameter {name!r} is not documented (:param {name}:)")
    for name in doc.params:
        if name not in doc.argnames:
            found.append(f"{doc.name}: documents {name!r}, which is not a parameter")
    if not doc.returns:
        found.append(f"{doc.name}: has no return contract (:return:)")
    if not doc.call_order:
        found.append(
            f"{doc.name}: has no documented call order (a paragraph starting 'Call order:')"
        )
    elif doc.firstresult and "first non-none result" not in doc.call_order.lower():
        found.append(
            f"{doc.name}: is firstresult, but its call order does not say it stops at the "
            "first non-None result"
        )
    return found


def all_problems(docs: Iterable[HookDoc]) -> list[str]:
    """The problems of every hook, in reference order."""
    return [problem for doc in docs for problem in problems(doc)]


# ---------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------

REGENERATE = "rathaus plugins hooks --output docs/hooks.md"


def render_markdown(docs: list[HookDoc], *, api_version: str, preamble: str = "") -> str:
    """The whole reference as one Markdown document (deterministic: no dates, no paths)."""
    major = int(api_version.split(".")[0])
    out = [
        f"<!-- Generated from the hook specifications by `{REGENERATE}`. Do not edit: "
        "change the docstrings instead. -->",
        "",
        "# Hook reference",
        "",
        f"Core plugin API version: **{api_version}**. A plugin declares the range it supports in "
        f'its module, e.g. `RATHAUS_API_VERSIONS = ">={api_version},<{major + 1}"`; a plugin '
        "whose range excludes this version is refused at load (see `rathaus plugins list --json`).",
        "",
    ]
    if preamble:
        out += [preamble.strip(), ""]
    out += _contents(docs)
    for publisher, group in _by_publisher(docs):
        out += ["", f"## {_publisher_title(publisher, group)}"]
        section = None
        for doc in group:
            if doc.section != section:
                section = doc.section
                out += ["", f"### {_inline(section)}"]
            out += [""] + _render_hook(doc)
    return "\n".join(out).rstrip() + "\n"


def _contents(docs: list[HookDoc]) -> list[str]:
    out = ["## Contents", ""]
    for publisher, group in _by_publisher(docs):
        out.append(f"- {_publisher_title(publisher, group)}")
        sections: dict[str, list[str]] = {}
        for doc in group:
            sections.setdefault(doc.section, []).append(f"[`{doc.name}`](#{doc.name})")
        for section, links in sections.items():
            out.append(f"  - {_inline(section)}: {', '.join(links)}")
    return out


def _by_publisher(docs: list[HookDoc]) -> list[tuple[str, list[HookDoc]]]:
    groups: dict[str, list[HookDoc]] = {}
    for doc in docs:
        groups.setdefault(doc.publisher, []).append(doc)
    return list(groups.items())


def _publisher_title(publisher: str, group: list[HookDoc]) -> str:
    if publisher == "core":
        return "Core hooks"
    return f"Hooks published by the `{publisher}` plugin (`{group[0].module}`)"


def _render_hook(doc: HookDoc) -> list[str]:
    flags = []
    if doc.firstresult:
        flags.append("firstresult: stops at the first non-None result")
    if doc.historic:
        flags.append("historic: also called for plugins registered later")
    out = [
        f'#### <a id="{doc.name}"></a>`{doc.name}`',
        "",
        "```python",
        f"def {doc.name}{doc.signature}",
        "```",
        "",
    ]
    if flags:
        out += ["*" + "; ".join(flags) + "*", ""]
    out.append(_inline(doc.summary) or "*(no docstring)*")
    for paragraph in doc.description:
        out += ["", _inline(paragraph)]
    if doc.argnames:
        out += ["", "| Parameter | Type | Description |", "|---|---|---|"]
        for name in doc.argnames:
            kind = doc.annotations.get(name, "")
            out.append(
                f"| `{name}` | {_cell(kind, code=True)} | {_cell(doc.params.get(name, ''))} |"
            )
    out += ["", f"**Returns:** {_inline(doc.returns or '(not documented)')}"]
    out += ["", f"**Call order:** {_inline(doc.call_order or '(not documented)')}"]
    if doc.example_module:
        out += ["", f"**Example** (from `{doc.example_module}`):"]
    elif doc.example:
        out += ["", "**Example:**"]
    example = doc.example or "\n".join(
        ["@hookimpl", f"def {doc.name}({', '.join(doc.argnames)}):", "    ..."]
    )
    out += ["", "```python", example, "```"]
    return out


def _inline(text: str) -> str:
    """reST inline literals (````x````) as Markdown code spans."""
    return re.sub(r"``(.+?)``", r"`\1`", text)


def _cell(text: str, code: bool = False) -> str:
    if not text:
        return ""
    text = text.replace("|", "\\|")
    return f"`{text}`" if code else _inline(text)


def module_preamble(module: ModuleType) -> str:
    """The spec module's docstring without its first line (the title is ours)."""
    text = inspect.getdoc(module) or ""
    body = text.split("\n\n", 1)[1] if "\n\n" in text else ""
    return _inline(body)
