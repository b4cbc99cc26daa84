"""``bench/billing_run.py``: a billing run timed for a handful of tenants."""

from __future__ import annotations

import json

FIGURES = [
    "first_run_s",
    "first_run_invoices",
    "first_run_lines",
    "rerun_s",
    "rerun_lines",
    "finalize_s",
    "finalized",
    "database",
    "tenants",
    "subscriptions",
    "setup_s",
    "peak_memory_mb",
]


def test_prints_the_figures_of_run_rerun_and_finalisation_as_json(bench_script, capsys):
    bench_script("billing_run").main(["--tenants", "3", "--period", "2024-03", "--json"])

    figures = json.loads(capsys.readouterr().out)
    assert list(figures) == FIGURES
    # One invoice per tenant with three lines: Engagementdirekt, the records service's
    # fee and its storage metric. The re-run has nothing to do.
    assert {key: figures[key] for key in FIGURES if not key.endswith(("_s", "_mb"))} == {
        "first_run_invoices": 3,
        "first_run_lines": 9,
        "rerun_lines": 0,
        "finalized": 3,
        "database": "sqlite",
        "tenants": 3,
        "subscriptions": 6,
    }
    assert figures["first_run_s"] > 0
    assert figures["peak_memory_mb"] > 0


def test_prints_one_figure_a_line(bench_script, capsys):
    bench_script("billing_run").main(["--tenants", "1"])

    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[0] for line in lines] == FIGURES
    assert "first_run_invoices: 1" in lines
