"""Finding, loading and guarding plugins.

Installed is not enabled: plugins are found through the ``rathaus.plugins``
entry-point group, and the ``PLUGINS`` setting (an ordered allow-list) decides which
load and in what order. Unset, every installed plugin loads, sorted by entry-point
name. One broken plugin must not take the platform down: a plugin that fails to
import, to register, declares an incompatible API version or implements an unknown
hook is logged, recorded with its reason and skipped — unless ``PLUGINS_STRICT`` is
set (tests), which raises instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from core import API_VERSION, PROJECT_NAME, hookspecs

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "rathaus.plugins"

#: Key of the plugin host in ``app.extensions``; reach it with :func:`current_host`.
EXTENSION_KEY = "rathaus.plugins"

#: Name under which core registers its own fallback implementations.
CORE_PLUGIN_NAME = "core"


class PluginLoadError(RuntimeError):
    """A plugin could not be loaded (raised only in strict mode)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"plugin {name!r}: {reason}")
        self.name = name
        self.reason = reason


@dataclass
class PluginInfo:
    """What the platform knows about one plugin: shown by ``rathaus plugins list``."""

    name: str
    module: str | None = None
    distribution: str | None = None
    version: str | None = None
    state: str = "pending"  # loaded | failed | not-installed
    reason: str | None = None
    hooks: list[str] = field(default_factory=list)
    api_versions: str | None = None
    path: Path | None = None

    def as_dict(self) -> dict[str, Any]:
        """The info as JSON-ready data."""
        return {
            "name": self.name,
            "module": self.module,
            "distribution": self.distribution,
            "version": self.version,
            "state": self.state,
            "reason": self.reason,
            "hooks": sorted(self.hooks),
            "api_versions": self.api_versions,
        }


def installed_plugins() -> dict[str, metadata.EntryPoint]:
    """Entry points of the ``rathaus.plugins`` group, by name."""
    return {ep.name: ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


def api_version_supported(spec: str | None, current: str = API_VERSION) -> bool:
    """Whether ``current`` satisfies a plugin's declared range, e.g. ``">=1.0,<2"``.

    Versions compare as tuples of integers; a missing declaration is accepted.
    """
    if not spec:
        return True
    have = _version_tuple(current)
    for clause in spec.split(","):
        clause = clause.strip()
        for op in (">=", "<=", "==", "!=", ">", "<"):
            if clause.startswith(op):
                want = _version_tuple(clause[len(op) :])
                if not _compare(have, op, want):
                    return False
                break
        else:
            raise ValueError(f"cannot read the version clause {clause!r}")
    return True


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = tuple(int(p) for p in text.strip().split("."))
    return parts + (0,) * (3 - len(parts))


def _compare(have: tuple[int, ...], op: str, want: tuple[int, ...]) -> bool:
    return {
        ">=": have >= want,
        "<=": have <= want,
        "==": have == want,
        "!=": have != want,
        ">": have > want,
        "<": have < want,
    }[op]


class PluginHost:
    """The plugin manager of one application, with per-plugin bookkeeping.

    Created by ``create_app``; code running in the application reaches it with
    :func:`current_host`.
    """

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict
        self.pm = pluggy.PluginManager(PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}
        self.order: list[str] = []
        # Historic: every plugin registered from now on gets it at registration.
        self.pm.hook.add_hookspecs.call_historic(kwargs={"pluginmanager": self.pm})

    @property
    def hook(self) -> Any:
        """The hook relay: ``host.hook.portal_links(tenant=t)``."""
        return self.pm.hook

    def loaded(self) -> list[str]:
        """Names of the plugins that loaded, in plugin order."""
        return [name for name in self.order if self.infos[name].state == "loaded"]

    # -- loading ------------------------------------------------------------------

    def load(self, names: Iterable[str] | None, extra: dict[str, ModuleType] | None = None) -> None:
        """Load the named plugins (all installed ones when ``names`` is None).

        :param names: the ordered allow-list, or None.
        :param extra: plugin objects registered directly by name (tests, embedding).
        """
        available = installed_plugins()
        extra = extra or {}
        wanted = list(names) if names is not None else sorted(set(available) | set(extra))
        # pluggy calls the most recently registered implementation first; register in
        # reverse so that calls follow the configured order.
        for name in reversed(wanted):
            info = self.infos.setdefault(name, PluginInfo(name=name))
            if name in extra:
                self._register(info, lambda n=name: extra[n])
            elif name in available:
                self._describe_entry_point(info, available[name])
                self._register(info, available[name].load)
            else:
                self._fail(
                    info, "is not installed (no entry point in 'rathaus.plugins')", "not-installed"
                )
        self.order = wanted
        self._reject_unknown_hooks()
        self.pm.check_pending()

    def register_core(self, plugin: object) -> None:
        """Register core's own hook implementations (fallbacks that run last)."""
        self.pm.register(plugin, name=CORE_PLUGIN_NAME)

    def _describe_entry_point(self, info: PluginInfo, ep: metadata.EntryPoint) -> None:
        info.module = ep.value
        if ep.dist is not None:
            info.distribution = ep.dist.name
            info.version = ep.dist.version

    def _register(self, info: PluginInfo, loader: Callable[[], Any]) -> None:
        try:
            plugin = loader()
        except Exception as exc:  # noqa: BLE001 - any import error disables the plugin
            self._fail(info, f"failed to import: {type(exc).__name__}: {exc}")
            return
        info.module = info.module or getattr(plugin, "__name__", repr(plugin))
        info.api_versions = getattr(plugin, "RATHAUS_API_VERSIONS", None)
        try:
            compatible = api_version_supported(info.api_versions)
        except ValueError as exc:
            self._fail(info, f"declares an unreadable RATHAUS_API_VERSIONS: {exc}")
            return
        if not compatible:
            self._fail(
                info,
                f"supports core API {info.api_versions}, but this core provides {API_VERSION}",
            )
            return
        try:
            self.pm.register(plugin, name=info.name)
        except Exception as exc:  # noqa: BLE001 - pluggy validation or a duplicate
            self._fail(info, f"failed to register: {exc}")
            return
        info.state = "loaded"
        info.path = _plugin_path(plugin)
        info.hooks = self._hooks_of(info.name)

    def _hooks_of(self, name: str) -> list[str]:
        callers = self.pm.get_hookcallers(self.pm.get_plugin(name)) or []
        return sorted(caller.name for caller in callers)

    def _reject_unknown_hooks(self) -> None:
        """Fail plugins implementing hooks nobody declared (usually a typo)."""
        for hook_name, caller in vars(self.pm.hook).items():
            if caller.spec is not None or hook_name.startswith("_"):
                continue
            for impl in caller.get_hookimpls():
                if impl.optionalhook or impl.plugin_name not in self.infos:
                    continue
                info = self.infos[impl.plugin_name]
                if info.state == "loaded":
                    self._fail(info, f"implements unknown hook {hook_name!r} (misspelt?)")

    def fail(self, name: str, reason: str) -> None:
        """Disable a loaded plugin because one of its setup hooks failed."""
        self._fail(self.infos[name], reason)

    def _fail(self, info: PluginInfo, reason: str, state: str = "failed") -> None:
        if self.strict:
            raise PluginLoadError(info.name, reason)
        log.error("plugin %r disabled: %s", info.name, reason)
        if self.pm.get_plugin(info.name) is not None:
            self.pm.unregister(name=info.name)
        info.state = state
        info.reason = reason

    # -- calling setup hooks one plugin at a time ----------------------------------

    def call_each(
        self,
        hook_name: str,
        *,
        isolate: bool = False,
        undo: Callable[[str], Callable[[], None]] | None = None,
        **kwargs: Any,
    ) -> list[tuple[str, Any]]:
        """Call a hook plugin by plugin, keeping track of who returned what.

        Returns ``(plugin_name, result)`` pairs in call order, leaving out None results.
        With ``isolate`` (setup hooks) a plugin whose implementation raises is failed
        and unregistered (in strict mode the error propagates), so that one broken
        plugin does not stop setup; otherwise exceptions propagate. ``undo(plugin)``,
        called before each implementation, returns what to run if it fails (e.g. to
        remove the commands it had added).
        """
        caller = getattr(self.pm.hook, hook_name)
        results: list[tuple[str, Any]] = []
        for impl in reversed(caller.get_hookimpls()):
            if self.pm.get_plugin(impl.plugin_name) is None:
                continue  # disabled by an earlier failure in this loop
            if impl.hookwrapper or impl.wrapper:
                continue  # wrappers are not results: they wrap each plugin's call below
            rollback = undo(impl.plugin_name) if undo is not None else None
            try:
                returned = self._call_one(caller, impl, kwargs)
            except Exception as exc:
                if self.strict or not isolate:
                    raise
                log.exception("plugin %r failed in %s", impl.plugin_name, hook_name)
                if rollback is not None:
                    rollback()
                self.fail(impl.plugin_name, f"{hook_name} raised {type(exc).__name__}: {exc}")
                continue
            results.extend((impl.plugin_name, result) for result in returned)
        return results

    def _call_one(self, caller: Any, impl: Any, kwargs: dict[str, Any]) -> list[Any]:
        """Call one plugin's implementation through pluggy (so that tracing, call
        monitoring and other plugins' wrappers see it), leaving out every other
        plugin's plain implementation. pluggy drops None results: the list is empty
        or holds the one result."""
        others = [
            other.plugin
            for other in caller.get_hookimpls()
            if other is not impl and not (other.hookwrapper or other.wrapper)
        ]
        subset = self.pm.subset_hook_caller(caller.name, others)
        spec = caller.spec
        names = spec.argnames if spec is not None else tuple(kwargs)
        returned = subset(**{name: kwargs[name] for name in names if name in kwargs})
        if spec is not None and spec.opts.get("firstresult"):
            return [] if returned is None else [returned]
        return list(returned)


def current_host(app: Any = None) -> PluginHost:
    """The plugin host of ``app`` (default: the current application).

    The one way for core and plugins to reach the hooks of the running application:
    ``current_host().hook.tenant_onboarded(tenant=t)``.
    """
    from flask import current_app

    return (app or current_app).extensions[EXTENSION_KEY]


def _plugin_path(plugin: object) -> Path | None:
    """The folder of a plugin module: where its ``migrations/`` and templates live."""
    filename = getattr(plugin, "__file__", None)
    return Path(filename).resolve().parent if filename else None
