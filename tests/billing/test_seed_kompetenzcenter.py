"""Seed 002, Kompetenzcenter Kommunal Digital, as the seed states it.

"Die Finanzierung der Zusammenarbeit erfolgt über die Beteiligung der teilnehmenden
Kommunen mit einer jährlichen Kostenpauschale": the member's flat annual amounts are
8,869.25 (2022, billed in 2023 as a prior-period line), 12,826.30 (2023) and from
2024 15,555.30 a year. "Fördermittel ... werden beantragt. Sofern die Bewilligung
einer IKZ-Förderung erfolgt, reduziert dies die Gesamtkosten": a subsidy counts only
once granted. The seed gives no subsidy amount and no other member's amount; where a
test needs one it uses an obviously invented figure (1,000.00 / 1,234.56).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from plugins.billing.configuration import ConfigError, apply_toml
from plugins.billing.invoices import list_invoices
from tests.billing.conftest import EXAMPLES, finalize_all, invoices_json, run

KIRCHHAIN = "kirchhain"
IKZ = "IKZ-Förderung (erfundener Betrag)"
#: An invented subsidy of 1,000.00 for 2023, applied for (seed 002 gives no amount).
SUBSIDY = f"""
  [[pools.subsidies]]
  source = "{IKZ}"
  first_year = 2023
  amount = "1000.00"
  status = "%s"
"""
#: An invented flat amount of 1,234.56 for Amöneburg in 2023 (the seed has none).
AMOENEBURG = (
    'ags = "06534001"\n  joins_on = 2022-01-01\n',
    'ags = "06534001"\n  joins_on = 2022-01-01\n'
    '    [[pools.members.flat_rates]]\n    first_year = 2023\n    amount = "1234.56"\n',
)


def example(status: str | None = None, amoeneburg: bool = False) -> str:
    text = (EXAMPLES / "kompetenzcenter.toml").read_text(encoding="utf-8")
    if amoeneburg:
        text = text.replace(*AMOENEBURG)
    if status is not None:
        head, _, members = text.partition("  [[pools.members]]")
        text = head + SUBSIDY % status + "\n  [[pools.members]]" + members
    return text


def test_member_invoice_2023_is_21695_55_with_2022_as_a_prior_period_line(app, kkd, runner):
    run("2023-10")
    finalize_all(dt.date(2023, 10, 5))
    (invoice,) = invoices_json(runner, "--payer", KIRCHHAIN)
    assert (invoice["net"], invoice["vat"], invoice["gross"]) == ("21695.55", "0.00", "21695.55")
    assert [(ln["description"], ln["net"], ln["service_period"]) for ln in invoice["lines"]] == [
        (
            "Kompetenzcenter Kommunal Digital: Kostenbeteiligung 2022 (Vorjahr, periodenfremd)",
            "8869.25",
            {"start": "2022-01-01", "end": "2022-12-31"},
        ),
        (
            "Kompetenzcenter Kommunal Digital: Kostenbeteiligung 2023",
            "12826.30",
            {"start": "2023-01-01", "end": "2023-12-31"},
        ),
    ]


def test_cost_share_is_not_taxable_under_2b(app, kkd, runner):
    run("2023-10")
    finalize_all(dt.date(2023, 10, 5))
    (invoice,) = invoices_json(runner, "--payer", KIRCHHAIN)
    assert invoice["vat_category"] == "O"
    assert {(ln["vat_category"], ln["vat_rate"]) for ln in invoice["lines"]} == {("O", "0.00")}


def test_member_pays_15555_30_a_year_from_2024(app, kkd, runner):
    run("2023-10")
    run("2024-10")
    run("2025-10")
    finalize_all(dt.date(2025, 10, 5))
    nets = [i["net"] for i in invoices_json(runner, "--payer", KIRCHHAIN)]
    assert nets == ["21695.55", "15555.30", "15555.30"]


def test_members_without_an_amount_in_the_seed_are_not_billed(app, kkd):
    run("2023-10")
    assert [i.payer_tenant.slug for i in list_invoices(period="2023-10")] == [KIRCHHAIN]


def test_subsidy_applied_for_changes_nothing(app, kkd, runner):
    apply_toml(example("applied"))
    run("2023-10")
    (invoice,) = invoices_json(runner, "--payer", KIRCHHAIN)
    assert invoice["net"] == "21695.55"


def test_refused_subsidy_changes_nothing(app, kkd, runner):
    apply_toml(example("applied"))
    result = runner.invoke(
        "billing", "pools", "subsidy", "kkd", "--source", IKZ, "--year", "2023",
        "--status", "refused", "--json",
    )  # fmt: skip
    assert json.loads(result.stdout) == {"status": "refused", "credit_notes": [], "cancelled": []}
    run("2023-10")
    assert invoices_json(runner, "--payer", KIRCHHAIN)[0]["net"] == "21695.55"


def test_granted_subsidy_reduces_the_flat_amounts_in_proportion(app, kkd, runner):
    apply_toml(example("granted", amoeneburg=True))
    data = json.loads(runner.invoke("billing", "pools", "allocation", "kkd", "--json").stdout)
    shares = {(s["year"], s["member"]): s["amount"] for s in data["shares"]}
    # 1,000.00 split 12,826.30 : 1,234.56 -> 912.20 and 87.80 (cents by largest remainder)
    assert shares[(2023, KIRCHHAIN)] == "11914.10"
    assert shares[(2023, "amoeneburg")] == "1146.76"
    assert shares[(2022, KIRCHHAIN)] == "8869.25"


def test_grant_after_final_invoices_issues_credit_notes_and_rebills(app, kkd, runner):
    apply_toml(example("applied"))
    run("2023-10")
    finalize_all(dt.date(2023, 10, 5))
    result = runner.invoke(
        "billing", "pools", "subsidy", "kkd", "--source", IKZ, "--year", "2023",
        "--status", "granted", "--date", "2023-11-15", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "status": "granted",
        "credit_notes": ["KKD-2023-00002"],
        "cancelled": ["KKD-2023-00001"],
    }
    run("2023-10")
    finalize_all(dt.date(2023, 11, 15))
    invoices = invoices_json(runner, "--payer", KIRCHHAIN)
    assert [(i["number"], i["type_code"], i["net"]) for i in invoices] == [
        ("KKD-2023-00001", "380", "21695.55"),
        ("KKD-2023-00002", "381", "21695.55"),
        ("KKD-2023-00003", "380", "20695.55"),
    ]
    assert [ln["net"] for ln in invoices[2]["lines"]] == ["8869.25", "11826.30"]


def test_subsidy_through_the_file_after_final_invoices_is_refused(app, kkd):
    run("2023-10")
    finalize_all(dt.date(2023, 10, 5))
    with pytest.raises(ConfigError) as caught:
        apply_toml(example("granted"))
    assert str(caught.value) == (
        "pools[0].subsidies: the change alters shares already on final invoices "
        "(KKD-2023-00001); record a subsidy decision with 'rathaus billing pools subsidy' "
        "or cancel them first"
    )


def test_issuing_landkreis_is_not_billed_its_own_share(app, kkd):
    run("2023-10")
    assert list_invoices(payer="landkreis-marburg-biedenkopf") == []
