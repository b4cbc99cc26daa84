"""A throwaway Python environment in which plugins get installed for real.

Installing a generated plugin into the environment the suite runs in would let it
leak into other tests (it registers an entry point). Instead the end-to-end tests
share one virtual environment layered over the current one: it sees every package
installed here (Rathaus included), while what ``pip install`` adds lands only in the
layer, under pytest's temporary folder. The layer is built once per test session,
also under pytest-xdist (the first worker builds it, the others wait for it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import subprocess
import sysconfig
import venv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class LayeredEnv:
    """A virtual environment on top of the current one, with a ``rathaus`` command."""

    root: Path
    env: dict[str, str]

    def run(self, *argv: str | Path, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
        """Run a command in the environment; on failure the error shows its output."""
        result = subprocess.run(  # noqa: S603 - our own commands
            [str(arg) for arg in argv],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(map(str, argv))} exited with {result.returncode}\n"
                f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
            )
        return result

    def for_test(self, instance: Path, label: str) -> LayeredEnv:
        """The same environment with an instance folder and test databases of one test's
        own, so that tests running at the same time do not share a database."""
        env = dict(self.env)
        env["RATHAUS_INSTANCE_PATH"] = str(instance)
        # The suite's PostgreSQL databases are named after the worker; ours must differ.
        parent = os.environ.get("RATHAUS_TEST_DB_SUFFIX", "")
        worker = os.environ.get("PYTEST_XDIST_WORKER", "master")
        env["RATHAUS_TEST_DB_SUFFIX"] = f"{parent + '_' if parent else ''}{label}_{worker}"
        return dataclasses.replace(self, env=env)


def make_layered_env(root: Path) -> None:
    """Create the layer at ``root``: a venv without pip whose site-packages include ours."""
    venv.EnvBuilder(with_pip=False).create(root)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(root), "platbase": str(root)}))
    parent = sysconfig.get_path("purelib")
    # addsitedir (not a bare path) so that the .pth files of editable installs here work.
    (site / "_rathaus_parent.pth").write_text(
        f"import site; site.addsitedir({parent!r})\n", encoding="utf-8"
    )
    for command, code in {
        "rathaus": "from cli.main import main; main()",
        "pip": "from pip._internal.cli.main import main; sys.exit(main())",
    }.items():
        script = root / "bin" / command
        script.write_text(f"#!{root / 'bin' / 'python'}\nimport sys\n{code}\n", encoding="utf-8")
        script.chmod(0o755)


def layer_environment(root: Path) -> dict[str, str]:
    """Environment variables for commands in the layer."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = f"{root / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["RATHAUS_INSTANCE_PATH"] = str(root.parent / "instance")
    return env


@contextlib.contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_file`` (across processes)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def once(folder: Path, build: Callable[[Path], None]) -> Path:
    """Run ``build(folder)`` unless another worker of this session did; returns ``folder``."""
    with exclusive(folder.with_name(folder.name + ".lock")):
        done = folder.with_name(folder.name + ".done")
        if not done.exists():
            build(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def shared_tmp(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A temporary folder all xdist workers of this session share."""
    if worker_id == "master":
        return tmp_path_factory.mktemp("shared")
    return tmp_path_factory.getbasetemp().parent / "shared"


@pytest.fixture(scope="session")
def layered_env(shared_tmp: Path) -> LayeredEnv:
    """The session's layered environment."""
    root = once(shared_tmp / "venv", make_layered_env)
    return LayeredEnv(root, layer_environment(root))
