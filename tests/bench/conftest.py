"""The benchmark scripts of ``bench/`` run small: each script is loaded from its file
(``bench/`` is no package) and its ``main`` called with arguments."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import BUILT_IN

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def bench_script(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], ModuleType]:
    """Load ``bench/<name>.py`` as a module; the applications it builds load the
    built-in plugins only (``RATHAUS_PLUGINS``), whatever else is installed."""
    monkeypatch.setenv("RATHAUS_PLUGINS", ",".join(BUILT_IN))

    def load(name: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
