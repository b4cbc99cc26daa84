"""Staff pools (seed 001): a staff cost line feeds the pool, a Sperrvermerk holds
invoicing until the release. Exact cents; the sharing and amounts in
``data/staff-pool.toml`` are invented, the seed's example file invents none."""

from __future__ import annotations

import json

from sqlalchemy import select

from core.audit import AuditEntry
from core.db import session
from plugins.billing.configuration import apply_toml
from tests.billing.conftest import DATA, apply_example, demo_tenants, finalize_all, invoices_json

STAFF_AGS = ("05558", "05558004", "05558008")
PENDING = (
    "pool staff-test is not invoiced: approval pending (Sperrvermerk): Vorbehalt des "
    "Kreistagsbeschlusses (Testdaten); release it with rathaus billing pools release staff-test"
)


def _json(runner, *args):
    result = runner.invoke("billing", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _staff_pool():
    demo_tenants(*STAFF_AGS)
    apply_toml((DATA / "staff-pool.toml").read_text(encoding="utf-8"))


def _pool_lines(runner, period):
    return [
        (invoice["payer"]["key"], line["net"], line["description"], line["budget_position"])
        for invoice in invoices_json(runner, "--issuer", "kreis-coesfeld", "--period", period)
        for line in invoice["lines"]
    ]


def test_staff_line_costs_grade_share_and_annual_cost_split_to_the_cent(app, runner):
    _staff_pool()
    state = _json(runner, "pools", "show", "staff-test")
    assert state["staff_costs"] == [
        {
            "module": "",
            "description": "Koordinierende Stelle",
            "grade": "EG 13 TVöD",
            "fte": "0.5",
            "first_year": 2021,
            "last_year": 2025,
            "annual_cost": "12345.67",
            "cost_per_year": "6172.84",  # 0.5 x 12,345.67 = 6,172.835, half-up
        }
    ]
    shares = _json(runner, "pools", "allocation", "staff-test")
    # 6,172.84 / 3: the remaining cent goes to the lowest AGS (the Kreis).
    assert [(s["member"], s["amount"]) for s in shares["shares"] if s["year"] == 2021] == [
        ("kreis-coesfeld", "2057.62"),
        ("ascheberg", "2057.61"),
        ("billerbeck", "2057.61"),
    ]
    assert shares["totals"] == {
        "ascheberg": "10288.05",
        "billerbeck": "10288.05",
        "kreis-coesfeld": "10288.10",
    }


def test_pending_pool_is_not_invoiced_and_the_preview_says_why(app, runner):
    _staff_pool()
    preview = _json(runner, "run", "--period", "2021-01", "--dry-run")
    assert preview["warnings"] == [PENDING]
    assert preview["groups"] == []
    result = runner.invoke("billing", "run", "--period", "2021-01")
    assert result.exit_code == 0
    assert f"Warning: {PENDING}" in result.stderr
    assert _pool_lines(runner, "2021-01") == []


def test_release_is_audited_and_the_next_run_invoices_with_budget_positions(app, runner):
    _staff_pool()
    runner.invoke("billing", "run", "--period", "2021-01")
    state = _json(
        runner, "pools", "release", "staff-test", "--date", "2021-04-01", "--reason", "Kreistag"
    )
    assert (state["approval"], state["released_on"]) == ("released", "2021-04-01")
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "billing.pool.released"))
    assert (entry.target, entry.reason) == ("pool:staff-test", "Kreistag")
    assert entry.details["released_on"] == "2021-04-01"
    # Running the pool's billing month again bills it; the Kreis carries its own share.
    ran = _json(runner, "run", "--period", "2021-01")
    assert (ran["warnings"], ran["net"]) == ([], "4115.22")
    assert _pool_lines(runner, "2021-01") == [
        (
            "ascheberg",
            "2057.61",
            "Geteilte Stelle (Testdaten): Kostenbeteiligung 2021",
            "Produkt 04.01.02.01, Sachkonto 501201",
        ),
        ("billerbeck", "2057.61", "Geteilte Stelle (Testdaten): Kostenbeteiligung 2021", None),
    ]
    assert _json(runner, "run", "--period", "2022-01")["net"] == "4115.22"


def test_changing_a_finalised_staff_year_is_refused_and_hold_stops_invoicing(app, runner):
    _staff_pool()
    runner.invoke("billing", "pools", "release", "staff-test", "--date", "2021-04-01")
    runner.invoke("billing", "run", "--period", "2021-01")
    finalize_all()
    args = ("--grade", "EG 13 TVöD", "--fte", "0.5", "--from", "2021", "--to", "2025")
    changed = runner.invoke(
        "billing",
        "pools",
        "staff",
        "staff-test",
        *args,
        "--annual-cost",
        "20000.00",
        "--description",
        "Koordinierende Stelle",
    )
    assert changed.exit_code == 2
    assert (
        "Error: staff_costs: the change alters shares already on final invoices; "
        "cancel them first" in changed.stderr
    )
    assert _json(runner, "pools", "show", "staff-test")["staff_costs"][0]["annual_cost"] == (
        "12345.67"
    )
    held = _json(runner, "pools", "hold", "staff-test", "--note", "Haushaltssperre 2022")
    assert (held["approval"], held["approval_note"]) == ("approval_pending", "Haushaltssperre 2022")
    ran = _json(runner, "run", "--period", "2022-01")
    assert ran["net"] == "0.00"
    assert ran["warnings"][0].startswith(
        "pool staff-test is not invoiced: approval pending (Sperrvermerk): Haushaltssperre 2022;"
    )


def test_bad_share_of_a_post_is_a_clear_error(app, runner):
    _staff_pool()
    result = runner.invoke(
        "billing",
        "pools",
        "staff",
        "staff-test",
        "--grade",
        "EG 13 TVöD",
        "--fte",
        "1.5",
        "--from",
        "2021",
        "--to",
        "2025",
        "--description",
        "x",
    )
    assert result.exit_code == 2
    assert (
        "Error: fte: '1.5' is no share of a full-time post between 0 and 1.0, e.g. 0.5"
        in result.stderr
    )


def test_seed_001_example_pending_without_an_invented_amount(app, runner):
    demo_tenants("05558")
    apply_example("digitalagentur.toml")
    state = _json(runner, "pools", "show", "digitalagentur-coe")
    assert state["approval"] == "approval_pending"
    assert state["staff_costs"][0]["grade"] == "EG 13 TVöD"
    assert (state["staff_costs"][0]["fte"], state["staff_costs"][0]["annual_cost"]) == ("1.0", None)
    preview = _json(runner, "run", "--period", "2021-01", "--dry-run")
    assert preview["warnings"] == [
        "pool digitalagentur-coe is not invoiced: approval pending (Sperrvermerk): Vorbehalt "
        "der Verabschiedung der Digitalisierungsstrategie im Frühjahr 2021 (SV-10-0056); "
        "release it with rathaus billing pools release digitalagentur-coe",
        "pool digitalagentur-coe: staff cost line EG 13 TVöD 2021-2025 has no annual cost; "
        "enter it with rathaus billing pools staff digitalagentur-coe --annual-cost",
    ]
    # The operator enters the cost (an obviously invented figure in this test).
    entered = _json(
        runner,
        "pools",
        "staff",
        "digitalagentur-coe",
        "--grade",
        "EG 13 TVöD",
        "--fte",
        "1.0",
        "--from",
        "2021",
        "--to",
        "2025",
        "--annual-cost",
        "11111.11",
        "--description",
        "Koordinierende Vollzeitstelle Digitalagentur COE",
    )
    assert entered["staff_costs"][0]["cost_per_year"] == "11111.11"
    totals = _json(runner, "pools", "allocation", "digitalagentur-coe")["totals"]
    assert totals == {"kreis-coesfeld": "55555.55"}
    runner.invoke("billing", "pools", "release", "digitalagentur-coe", "--date", "2021-05-01")
    ran = _json(runner, "run", "--period", "2021-01")
    # The Kreis is issuer and only payer ("über den Kreishaushalt"): no invoice goes out.
    assert (ran["warnings"], ran["net"]) == ([], "0.00")
