"""``bench/tenants_import.py``: the bulk import timed on a small extract."""

from __future__ import annotations

import json

from tests.tenants.conftest import EXTRACT


def test_prints_the_figures_of_import_and_reimport_as_json(bench_script, capsys):
    bench_script("tenants_import").main(["--file", str(EXTRACT), "--json"])

    figures = json.loads(capsys.readouterr().out)
    assert figures["file"] == str(EXTRACT)
    assert list(figures["databases"]) == ["sqlite"]
    sqlite = figures["databases"]["sqlite"]
    assert (sqlite["created"], sqlite["reimport_created"], sqlite["reimport_updated"]) == (17, 0, 0)
    assert sorted(sqlite) == [
        "commit_s",
        "created",
        "import_s",
        "plan_s",
        "read_s",
        "reimport_created",
        "reimport_s",
        "reimport_updated",
        "write_s",
    ]
    assert sqlite["import_s"] > 0


def test_prints_one_line_per_database(bench_script, capsys):
    bench_script("tenants_import").main(["--file", str(EXTRACT)])

    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("sqlite: import of 17 tenants ")
    assert line.endswith(" s (0 created, 0 updated)")
