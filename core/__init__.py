"""Rathaus core: the kernel every plugin builds on.

Plugin authors import from here: ``from core import hookimpl``. Everything heavier
(``create_app``) is imported lazily so that ``import core`` stays cheap for tools
such as the gazetteer or the CLI's ``--help``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

#: Name of the pluggy project; every hook marker uses it.
PROJECT_NAME = "rathaus"

#: Version of the plugin-facing API (hooks, ``core`` facade). Plugins declare the
#: range they support; see ``core.plugins``. Bump the minor version for additions,
#: the major version for breaking changes.
API_VERSION = "1.0"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

if TYPE_CHECKING:  # pragma: no cover
    from core.app import create_app as create_app

__all__ = ["API_VERSION", "PROJECT_NAME", "create_app", "hookimpl", "hookspec"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from core.app import create_app

        return create_app
    raise AttributeError(f"module 'core' has no attribute {name!r}")
