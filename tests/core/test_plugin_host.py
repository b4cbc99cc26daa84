"""The plugin host's one accessor and its hook calls through pluggy."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import hookimpl
from core.plugins import EXTENSION_KEY, PluginHost, current_host
from core.services import ServiceManifest

ROOT = Path(__file__).resolve().parents[2]


def manifest(key: str) -> ServiceManifest:
    return ServiceManifest(
        key=key, title=key.title(), description="d", themenfeld="Querschnitt", version="1"
    )


class ServicePlugin:
    def __init__(self, key: str) -> None:
        self.key = key

    @hookimpl
    def register_services(self):
        return [manifest(self.key)]


class SilentPlugin:
    @hookimpl
    def register_services(self):
        return None


class BrokenPlugin:
    @hookimpl
    def register_services(self):
        raise RuntimeError("no catalogue today")


class Wrapper:
    """Wraps every implementation of ``register_services`` and counts the calls."""

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    @hookimpl(wrapper=True)
    def register_services(self):
        result = yield
        self.seen.append([m.key for batch in result for m in batch])
        return result


def host_with(plugins: dict[str, object], strict: bool = False) -> PluginHost:
    host = PluginHost(strict=strict)
    host.load(list(plugins), extra=plugins)
    return host


def test_current_host_is_the_applications_host(app):
    assert current_host() is app.extensions[EXTENSION_KEY]
    assert current_host(app) is current_host()
    assert isinstance(current_host(), PluginHost)


def test_call_each_returns_results_in_plugin_order_without_none():
    host = host_with({"a": ServicePlugin("a"), "quiet": SilentPlugin(), "b": ServicePlugin("b")})
    results = host.call_each("register_services", app=None)
    assert [(name, [m.key for m in items]) for name, items in results] == [
        ("a", ["a"]),
        ("b", ["b"]),
    ]


def test_call_each_goes_through_pluggy_one_plugin_at_a_time():
    host = host_with({"a": ServicePlugin("a"), "b": ServicePlugin("b")})
    calls: list[tuple[str, list[str]]] = []
    host.pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: calls.append((name, [i.plugin_name for i in impls])),
        lambda outcome, name, impls, kwargs: None,
    )
    host.call_each("register_services", app=None)
    assert calls == [("register_services", ["a"]), ("register_services", ["b"])]


def test_wrappers_see_each_plugins_setup_call_and_are_not_results():
    wrapper = Wrapper()
    host = host_with({"a": ServicePlugin("a"), "wrap": wrapper, "b": ServicePlugin("b")})
    results = host.call_each("register_services", app=None)
    assert [name for name, _ in results] == ["a", "b"]
    assert wrapper.seen == [["a"], ["b"]]


def test_a_plugin_raising_in_an_isolated_call_is_failed_alone():
    host = host_with({"a": ServicePlugin("a"), "broken": BrokenPlugin(), "b": ServicePlugin("b")})
    results = host.call_each("register_services", isolate=True, app=None)
    assert [name for name, _ in results] == ["a", "b"]
    assert (host.infos["broken"].state, host.infos["broken"].reason) == (
        "failed",
        "register_services raised RuntimeError: no catalogue today",
    )
    assert host.loaded() == ["a", "b"]


def test_a_plugin_raising_without_isolation_propagates():
    host = host_with({"broken": BrokenPlugin()})
    with pytest.raises(RuntimeError, match="no catalogue today"):
        host.call_each("register_services", app=None)


def test_nothing_reaches_the_host_by_its_extension_key_but_the_accessor():
    needle = 'extensions["rathaus.plugins"]'
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("core", "cli", "plugins", "examples")
        for path in (ROOT / folder).rglob("*.py")
        if needle in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
