"""Allocation keys of cost pools: population from the gazetteer, fixed shares."""

from __future__ import annotations

import json

from core import gazetteer
from plugins.billing.configuration import apply_toml
from tests.billing.conftest import DATA


def _ozg_with(runner, replace: dict[str, str]):
    text = (DATA / "four-partner-pool.toml").read_text(encoding="utf-8")
    for old, new in replace.items():
        text = text.replace(old, new)
    apply_toml(text)
    return json.loads(
        runner.invoke("billing", "pools", "allocation", "ozg-koordination", "--json").stdout
    )


def test_population_key_uses_the_gazetteer_and_is_cent_exact(app, ozg, runner):
    data = _ozg_with(runner, {'allocation = "equal"': 'allocation = "population"'})
    population = {
        ags: gazetteer.lookup(ags).population for ags in ("05515000", "05915000", "05570", "05558")
    }
    total_population = sum(population.values())
    totals = {share["ags"]: 0 for share in data["shares"]}
    for share in data["shares"]:
        totals[share["ags"]] += round(float(share["amount"]) * 100)
    assert sum(totals.values()) == 50_000_000
    for ags, cents in totals.items():
        assert abs(cents - 50_000_000 * population[ags] / total_population) < 1


def test_fixed_shares(app, ozg, runner):
    shares = iter(['"40.00"', '"30.00"', '"20.00"', '"10.00"'])
    text = (
        (DATA / "four-partner-pool.toml")
        .read_text(encoding="utf-8")
        .replace('allocation = "equal"', 'allocation = "fixed"')
    )
    parts = text.split("joins_on = 2021-01-01")
    text = parts[0] + "".join(
        f"joins_on = 2021-01-01\n  share = {next(shares)}" + part for part in parts[1:]
    )
    apply_toml(text)
    data = json.loads(
        runner.invoke("billing", "pools", "allocation", "ozg-koordination", "--json").stdout
    )
    assert data["totals"] == {
        "hamm": "150000.00",
        "kreis-coesfeld": "50000.00",
        "kreis-warendorf": "100000.00",
        "muenster": "200000.00",
    }


def test_member_joining_later_shares_only_from_its_join_year(app, weights_pool, runner):
    text = (
        (DATA / "weights-pool.toml")
        .read_text(encoding="utf-8")
        .replace(
            'ags = "06534011"\n  joins_on = 2022-01-01', 'ags = "06534011"\n  joins_on = 2023-07-01'
        )
    )
    apply_toml(text)
    data = json.loads(runner.invoke("billing", "pools", "allocation", "kkd", "--json").stdout)
    years = [s["year"] for s in data["shares"] if s["member"] == "kirchhain"]
    assert years == [2023, 2024]
    # 2022 is now shared by weight 23 instead of 24: 212,862.00 / 23 per weight; the
    # 18 cents left over go to the larger remainders (0.956 of each municipality).
    shares_2022 = {s["member"]: s["amount"] for s in data["shares"] if s["year"] == 2022}
    assert shares_2022.pop("landkreis-marburg-biedenkopf") == "46274.34"
    assert set(shares_2022.values()) == {"9254.87"}
