"""``rathaus plugin new``: a separately installable plugin package to start from.

The templates live in ``cli/scaffold/`` (package data). Each ``*.tmpl`` file is a
``string.Template`` (``${name}``; ``$$`` is a dollar sign); in paths, the segment
``PACKAGE`` becomes the Python package and ``NAME`` the plugin name. The German
catalogue is compiled right away, so the new package works without further steps.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import keyword
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from string import Template

from core import API_VERSION
from core.errors import ConflictError, ValidationError
from core.manifests import OZG_THEMENFELDER
from core.tenant_routing import RESERVED_SLUGS

TEMPLATES = Path(__file__).resolve().parent / "scaffold"
SUFFIX = ".tmpl"

NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
NAME_LENGTH = (2, 40)  # the table prefix and Alembic's version table must fit 63 characters

#: Names a plugin cannot take: packages of Rathaus itself, path segments core uses
#: under ``/<tenant>/``, and what the platform's own URLs use.
RESERVED_NAMES = (
    frozenset({"core", "cli", "plugins", "tests", "rathaus", "logo", "theme"}) | RESERVED_SLUGS
)


@dataclass(frozen=True)
class PluginSpec:
    """What the new plugin is called and how it presents itself."""

    name: str
    title: str
    description: str
    themenfeld: str
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def package(self) -> str:
        return f"rathaus_{self.name}"

    @property
    def dist(self) -> str:
        return f"rathaus-{self.name.replace('_', '-')}"

    @property
    def camel(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_"))

    def variables(self) -> dict[str, str]:
        """The values the templates refer to."""
        major = int(API_VERSION.split(".")[0])
        return {
            "name": self.name,
            "package": self.package,
            "dist": self.dist,
            "camel": self.camel,
            "title": self.title,
            # A double-quoted string is the same in Python and TOML (the texts hold no " or \).
            "title_quoted": json.dumps(self.title, ensure_ascii=False),
            "description_quoted": json.dumps(self.description, ensure_ascii=False),
            "themenfeld_quoted": json.dumps(self.themenfeld, ensure_ascii=False),
            "api_versions": f">={API_VERSION},<{major + 1}",
            "rathaus_requirement": f"rathaus>={metadata.version('rathaus')}",
            # Fixed dates in the catalogue header keep the compiled catalogue reproducible.
            "created": self.created.strftime("%Y-%m-%d %H:%M+0000"),
        }


# ---------------------------------------------------------------------------------
# Checking the request
# ---------------------------------------------------------------------------------


def plugin_spec(
    name: str,
    title: str | None,
    description: str | None,
    themenfeld: str,
    *,
    taken_plugins: Iterable[str],
    commands: Iterable[str],
) -> PluginSpec:
    """The checked description of a new plugin (defaults filled in).

    :raises ValidationError: the first thing that is wrong, naming the field.
    """
    validate_name(name, taken_plugins=taken_plugins, commands=commands)
    title = validate_title(title or name.replace("_", " ").title())
    description = description or f"{title}: ein Online-Dienst für die Kommunen der Plattform."
    return PluginSpec(
        name=name,
        title=title,
        description=validate_title(description, "description"),
        themenfeld=validate_themenfeld(themenfeld),
    )


def validate_name(name: str, *, taken_plugins: Iterable[str], commands: Iterable[str]) -> str:
    """Return ``name`` when a new plugin can take it; ``ValidationError`` saying why not.

    :param taken_plugins: names of installed plugins and of services in the catalogue.
    :param commands: top-level ``rathaus`` commands (the plugin adds a group of its name).
    """
    low, high = NAME_LENGTH
    if not NAME.match(name or "") or not low <= len(name) <= high or keyword.iskeyword(name):
        raise ValidationError(
            "%(name)r is not a valid plugin name: use %(low)s-%(high)s lowercase letters, "
            "digits and single underscores, starting with a letter (it becomes the package "
            "rathaus_<name>, the service key, the URL segment and the table prefix)",
            field="name",
            code="plugin_new.name.invalid",
            name=name,
            low=low,
            high=high,
        )
    if name in RESERVED_NAMES:
        raise ValidationError(
            "%(name)r is reserved for the platform's own pages or packages",
            field="name",
            code="plugin_new.name.reserved",
            name=name,
        )
    for other in sorted(set(taken_plugins)):
        if name == other:
            raise ValidationError(
                "%(name)r is taken by an installed plugin or service",
                field="name",
                code="plugin_new.name.taken",
                name=name,
            )
        if name.startswith(other + "_") or other.startswith(name + "_"):
            raise ValidationError(
                "%(name)r clashes with the installed plugin %(other)r: table names start "
                "with the plugin name and an underscore, so neither name may begin with the "
                "other's",
                field="name",
                code="plugin_new.name.clashes",
                name=name,
                other=other,
            )
    # After the plugin check: a plugin's own command group is not the clash to report.
    if name in set(commands):
        raise ValidationError(
            "%(name)r is a rathaus command already (rathaus %(name)s)",
            field="name",
            code="plugin_new.name.is_command",
            name=name,
        )
    if importlib.util.find_spec(f"rathaus_{name}") is not None:
        raise ValidationError(
            "a module rathaus_%(name)s is installed already",
            field="name",
            code="plugin_new.name.module_installed",
            name=name,
        )
    return name


def validate_title(title: str, what: str = "title") -> str:
    """A one-line title or description without characters that need escaping in code."""
    title = (title or "").strip()
    if not title:
        raise ValidationError("must not be empty", field=what, code="plugin_new.title.required")
    if any(char in title for char in '"\\') or any(ord(char) < 32 for char in title):
        raise ValidationError(
            'must be one line without " or \\', field=what, code="plugin_new.title.invalid"
        )
    return title


def validate_themenfeld(themenfeld: str) -> str:
    """One of the 14 OZG Themenfelder."""
    if themenfeld not in OZG_THEMENFELDER:
        raise ValidationError(
            "%(themenfeld)r is not an OZG Themenfeld (one of: %(ozg_themenfelder)s)",
            field="themenfeld",
            code="plugin_new.themenfeld.invalid",
            themenfeld=themenfeld,
            ozg_themenfelder="; ".join(OZG_THEMENFELDER),
        )
    return themenfeld


# ---------------------------------------------------------------------------------
# Writing the package
# ---------------------------------------------------------------------------------


def template_files() -> list[Path]:
    """Every template, relative to the template folder, in a stable order."""
    return sorted(path.relative_to(TEMPLATES) for path in TEMPLATES.rglob(f"*{SUFFIX}"))


def target_path(template: Path, spec: PluginSpec) -> Path:
    """Where a template lands in the new project."""
    parts = []
    for part in template.with_name(template.name.removesuffix(SUFFIX)).parts:
        if part == "PACKAGE":
            part = spec.package
        elif part == "gitignore":
            part = ".gitignore"
        parts.append(part.replace("NAME", spec.name))
    return Path(*parts)


def render(spec: PluginSpec) -> dict[Path, str]:
    """The new project's files (relative path -> text)."""
    variables = spec.variables()
    return {
        target_path(template, spec): Template(
            (TEMPLATES / template).read_text(encoding="utf-8")
        ).substitute(variables)
        for template in template_files()
    }


def create_plugin(spec: PluginSpec, directory: Path) -> list[Path]:
    """Write the project into ``directory``; returns the files written, relative to it.

    :raises ConflictError: when any of the files exists; nothing is written then.
    """
    files = render(spec)
    catalogues = [path.with_suffix(".mo") for path in files if path.suffix == ".po"]
    existing = [path for path in [*files, *catalogues] if (directory / path).exists()]
    if existing:
        listed = ", ".join(str(path) for path in existing[:5]) + (
            " ..." if len(existing) > 5 else ""
        )
        raise ConflictError(
            "%(count)s of the files exist already in %(directory)s, nothing was written: "
            "%(listed)s",
            field="directory",
            code="plugin_new.directory.exists",
            count=len(existing),
            directory=directory,
            listed=listed,
        )
    for path, text in files.items():
        (directory / path).parent.mkdir(parents=True, exist_ok=True)
        (directory / path).write_text(text, encoding="utf-8")
    for path in catalogues:
        (directory / path).write_bytes(compile_catalogue(directory / path.with_suffix(".po")))
    return sorted([*files, *catalogues])


def compile_catalogue(po: Path) -> bytes:
    """The ``.mo`` bytes of a ``.po`` file (what ``pybabel compile`` writes)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=po.parent.parent.name)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()
