"""Cold-start benchmark: ``rathaus bench startup`` (also ``python bench/startup.py``).

Times whole processes, each against the anchor ``python -c "import flask"`` measured
in the same run, turn by turn (anchor, command, anchor, command ...), so that the
ratios hold when the machine's speed drifts. Goals (issue 15): ``rathaus --help``
at most 2x the anchor, a plugin command at most 3x, ``create_app()`` at most 0.5 s.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ANCHOR = "python -c 'import flask'"
CREATE_APP = (
    "import time; t = time.perf_counter(); from core import create_app; create_app(); "
    "print(time.perf_counter() - t)"
)


#: The tenant ``rathaus tenants show`` is measured with (one of the demo data's).
DEFAULT_TENANT = "coesfeld"


def commands(tenant: str = DEFAULT_TENANT) -> dict[str, list[str]]:
    """The measured commands by label (the anchor first)."""
    rathaus = str(Path(sys.executable).with_name("rathaus"))
    return {
        ANCHOR: [sys.executable, "-c", "import flask"],
        "rathaus --help": [rathaus, "--help"],
        "rathaus tenants list": [rathaus, "tenants", "list"],
        f"rathaus tenants show {tenant}": [rathaus, "tenants", "show", tenant],
        "rathaus plugins list": [rathaus, "plugins", "list"],
    }


def timed(argv: list[str]) -> tuple[float, float, int]:
    """Wall and CPU seconds (user + system of the child) and the exit status of a run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False)  # noqa: S603 - our own commands
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def summary(values: list[float]) -> dict[str, float]:
    """Median, minimum and maximum, rounded to milliseconds."""
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def measure(runs: int, tenant: str = DEFAULT_TENANT) -> dict[str, Any]:
    """Run every command ``runs`` times after one warm-up, in turns with the anchor.

    ``tenant`` is the slug ``rathaus tenants show`` is timed with (it must exist).
    """
    argvs = commands(tenant)
    wall: dict[str, list[float]] = {label: [] for label in argvs}
    cpu: dict[str, list[float]] = {label: [] for label in argvs}
    failed: dict[str, int] = {}
    for argv in argvs.values():
        timed(argv)  # warm-up: file cache, bytecode
    for _ in range(runs):
        for label, argv in argvs.items():
            w, c, status = timed(argv)
            wall[label].append(w)
            cpu[label].append(c)
            if status:
                failed[label] = status
    in_process = [float(_output([sys.executable, "-c", CREATE_APP])) for _ in range(runs)]
    return {
        "runs": runs,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "bytecode_cache_written": not os.environ.get("PYTHONDONTWRITEBYTECODE"),
        "plugins": os.environ.get("RATHAUS_PLUGINS", "all installed"),
        "commands": {
            label: {
                "wall_s": summary(wall[label]),
                "cpu_s": summary(cpu[label]),
                "ratio_wall": _ratio(wall[label], wall[ANCHOR]),
                "ratio_cpu": _ratio(cpu[label], cpu[ANCHOR]),
                "exit_status": failed.get(label, 0),
            }
            for label in argvs
        },
        "create_app_s": summary(in_process),
    }


def _ratio(values: list[float], anchor: list[float]) -> dict[str, float]:
    """Ratios run by run (the anchor's run next to it), summarised."""
    return summary([value / base for value, base in zip(values, anchor, strict=True)])


def _output(argv: list[str]) -> str:
    done = subprocess.run(argv, check=True, capture_output=True, text=True)  # noqa: S603
    return done.stdout.strip().splitlines()[-1]


def report(figures: dict[str, Any]) -> str:
    """The figures as a plain-text table."""
    lines = [
        f"runs {figures['runs']}, load average {figures['load_average']}, "
        f"plugins {figures['plugins']}, bytecode cache written: "
        f"{figures['bytecode_cache_written']}",
        f"{'command':32} {'wall median (min-max) s':>26} {'x anchor wall':>16} "
        f"{'x anchor cpu':>16}",
    ]
    for label, row in figures["commands"].items():
        w, rw, rc = row["wall_s"], row["ratio_wall"], row["ratio_cpu"]
        status = f"  exit {row['exit_status']}" if row["exit_status"] else ""
        lines.append(
            f"{label:32} {w['median']:>8.3f} ({w['min']:.3f}-{w['max']:.3f}) "
            f"{rw['median']:>10.2f} ({rw['min']:.2f}-{rw['max']:.2f}) "
            f"{rc['median']:>6.2f} ({rc['min']:.2f}-{rc['max']:.2f}){status}"
        )
    c = figures["create_app_s"]
    lines.append(
        f"create_app() in process: median {c['median']:.3f} s ({c['min']:.3f}-{c['max']:.3f})"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """``python bench/startup.py [RUNS] [--tenant SLUG] [--json]``."""
    import json

    args = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args
    tenant = DEFAULT_TENANT
    if "--tenant" in args:
        at = args.index("--tenant")
        tenant = args[at + 1]
        del args[at : at + 2]
    numbers = [a for a in args if a.isdigit()]
    figures = measure(int(numbers[0]) if numbers else 10, tenant)
    print(json.dumps(figures, indent=2) if as_json else report(figures))
