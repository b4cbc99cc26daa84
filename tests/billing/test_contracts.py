"""Contracts: created when a subscription starts, reconciled for older subscriptions,
ended ordinarily with notice or specially while a right is open."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from core.db import session
from core.errors import ValidationError
from core.services import end_subscription
from plugins.billing.contracts import reconcile_contracts, terminate
from plugins.billing.describe import contracts_of
from plugins.billing.models import VatCategory
from tests.billing.conftest import apply_example, run


def test_hook_subscription_started(app, connected_2023):
    (contract,) = contracts_of(connected_2023)
    assert (contract.service_key, contract.starts_on, contract.billable_from) == (
        "engagement",
        dt.date(2023, 9, 1),
        dt.date(2023, 9, 1),
    )
    assert contract.version.valid_from == dt.date(2023, 1, 1)
    assert (contract.vat_category, contract.vat_rate_bp, contract.notice_period_months) == (
        VatCategory.STANDARD,
        1900,
        3,
    )
    assert contract.call_off_ref == "EA-2023-17"
    assert contract.framework_ref.startswith("Rahmenvereinbarung zur Nachnutzung")


def test_subscription_without_tariff_gets_no_contract(app, coesfeld, subscribe):
    subscribe(coesfeld, "engagement")
    assert contracts_of(coesfeld) == []


def test_reconcile_prices_subscriptions_made_before_the_tariff(app, coesfeld, subscribe):
    subscribe(coesfeld, "engagement", starts_on=dt.date(2022, 5, 1), allow_backdated=True)
    apply_example("engagementdirekt.toml")
    (created,) = reconcile_contracts()
    session.commit()
    assert (created.starts_on, created.billable_from, created.one_time_fee_due) == (
        dt.date(2022, 5, 1),
        dt.date(2023, 1, 1),
        False,
    )
    assert reconcile_contracts() == []


def test_billing_run_reconciles_first(app, coesfeld, subscribe):
    subscribe(coesfeld, "engagement", starts_on=dt.date(2024, 2, 1), allow_backdated=True)
    apply_example("engagementdirekt.toml")
    result = run("2024-02")
    assert (result.contracts_reconciled, result.lines_created) == (
        1,
        2,
    )  # connection fee + February


def test_pinned_version_stays_when_a_new_version_starts(app, connected_2023, runner):
    from pathlib import Path

    text = (Path(__file__).parents[2] / "plugins/billing/examples/engagementdirekt.toml").read_text(
        encoding="utf-8"
    )
    newer = text.replace("valid_from = 2023-01-01", "valid_from = 2025-01-01").replace(
        '"750.00"', '"800.00"'
    )
    from plugins.billing.configuration import apply_toml

    apply_toml(newer)
    (contract,) = contracts_of(connected_2023)
    assert contract.version.valid_from == dt.date(2023, 1, 1)
    run("2025-02")
    from plugins.billing.invoices import list_invoices

    assert [line.unit_price_cents for inv in list_invoices() for line in inv.lines] == [75000]


def test_ordinary_termination_needs_the_notice_period(app, connected_2023):
    with pytest.raises(ValidationError) as caught:
        terminate(
            connected_2023,
            "engagement",
            ends_on=dt.date(2024, 2, 29),
            notice_on=dt.date(2024, 1, 10),
        )
    assert str(caught.value) == (
        "ends_on: an ordinary termination given on 2024-01-10 (minimum term 0 months, notice "
        "period 3 months) "
        "ends on 2024-04-10 at the earliest; choose a later last day or use an open special "
        "termination right"
    )


def test_ordinary_termination_with_notice_ends_contract_and_subscription(app, connected_2023):
    contract = terminate(
        connected_2023, "engagement", ends_on=dt.date(2024, 4, 30), notice_on=dt.date(2024, 1, 10)
    )
    session.commit()
    assert (contract.ends_on, contract.end_reason) == (dt.date(2024, 4, 30), "ordinary")
    assert run("2024-05").items_due == 0


def test_special_termination_without_an_open_right_is_refused(app, connected_2023):
    with pytest.raises(ValidationError) as caught:
        terminate(
            connected_2023,
            "engagement",
            ends_on=dt.date(2023, 11, 30),
            special=True,
            notice_on=dt.date(2023, 11, 1),
        )
    assert caught.value.field == "reason"
    assert "has no special termination right open on 2023-11-01" in caught.value.message


def test_hook_subscription_ended(app, connected_2023):
    run("2024-01")
    contract = terminate(
        connected_2023,
        "engagement",
        ends_on=dt.date(2024, 1, 31),
        special=True,
        notice_on=dt.date(2024, 1, 15),
    )
    session.commit()
    assert (contract.ends_on, contract.end_reason) == (dt.date(2024, 1, 31), "special")
    from plugins.billing.contracts import termination_rights

    (right,) = termination_rights()
    assert right.used_on == dt.date(2024, 1, 15)


def test_special_termination_after_the_window_is_refused(app, connected_2023):
    run("2024-01")
    with pytest.raises(ValidationError):
        terminate(
            connected_2023,
            "engagement",
            ends_on=dt.date(2024, 4, 30),
            special=True,
            notice_on=dt.date(2024, 4, 1),
        )


def test_hook_special_termination_right_opened(app, connected_2023):
    from core import hookimpl

    seen = []

    class Listener:
        @hookimpl
        def special_termination_right_opened(self, right, tenant):
            seen.append((tenant.slug, right.opens_on, right.closes_on))

    app.extensions["rathaus.plugins"].pm.register(Listener(), name="listener")
    run("2024-01")
    run("2024-02")
    assert seen == [("coesfeld", dt.date(2024, 1, 1), dt.date(2024, 3, 30))]


def test_termination_rights_cli_lists_only_open_ones_on_a_day(app, connected_2023, runner):
    run("2024-01")
    later = runner.invoke("billing", "termination-rights", "--open-on", "2024-04-01", "--json")
    assert json.loads(later.stdout) == []


def test_cli_terminate_reports_the_rule_as_an_error(app, connected_2023, runner):
    result = runner.invoke(
        "billing",
        "contracts",
        "terminate",
        "coesfeld",
        "engagement",
        "--last-day",
        "2024-01-31",
        "--special",
        "--notice-on",
        "2023-11-02",
    )
    assert result.exit_code == 2
    assert "Error: reason: contract" in result.stderr


def test_contract_vat_treatment_can_be_set_to_not_taxable(app, connected_2023, runner):
    (contract,) = contracts_of(connected_2023)
    result = runner.invoke(
        "billing", "contracts", "set-vat", str(contract.id), "--category", "O", "--json"
    )
    assert json.loads(result.stdout)["vat_category"] == "O"
    wrong = runner.invoke(
        "billing", "contracts", "set-vat", str(contract.id), "--category", "S", "--rate", "16.00"
    )
    assert wrong.exit_code == 2
    assert "Error: vat_rate: category S needs a rate of 19.00 or 7.00 %" in wrong.stderr


def test_backdated_end_recorded_through_core_is_accepted(app, connected_2023):
    end_subscription(
        connected_2023, "engagement", ends_on=dt.date(2023, 12, 31), allow_backdated=True
    )
    (contract,) = contracts_of(connected_2023)
    assert contract.ends_on == dt.date(2023, 12, 31)


def test_backdated_end_over_final_invoices_is_refused_until_they_are_cancelled(app, connected_2024):
    from plugins.billing.invoices import cancel
    from tests.billing.conftest import finalize_all

    run("2024-03")
    run("2024-04")
    finalize_all(dt.date(2024, 4, 2))
    with pytest.raises(ValidationError) as caught:
        end_subscription(
            connected_2024, "engagement", ends_on=dt.date(2024, 3, 31), allow_backdated=True
        )
    assert caught.value.code == "contract.end_over_final_invoices"
    assert str(caught.value) == (
        "ends_on: final invoices charge this contract after 2024-03-31 (KIT-2024-00002); "
        "cancel them first, the next billing run then bills up to the new end"
    )
    session.rollback()
    (contract,) = contracts_of(connected_2024)
    assert contract.ends_on is None
    cancel("KIT-2024-00002", "Kündigung zum 31.03.2024", today=dt.date(2024, 4, 10))
    end_subscription(
        connected_2024, "engagement", ends_on=dt.date(2024, 3, 31), allow_backdated=True
    )
    (contract,) = contracts_of(connected_2024)
    assert contract.ends_on == dt.date(2024, 3, 31)


def test_backdated_contract_settled_elsewhere_is_billed_from_the_day_given(
    app, connected_2024, runner
):
    from tests.billing.conftest import invoices_json

    (contract,) = contracts_of(connected_2024)
    result = runner.invoke(
        "billing", "contracts", "settled", str(contract.id),
        "--billing-from", "2024-06-01", "--one-time-settled", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["billable_from"] == "2024-06-01"
    run("2024-06")
    (invoice,) = invoices_json(runner, "--payer", "duelmen")
    assert [(ln["description"], ln["net"]) for ln in invoice["lines"]] == [
        ("Engagementdirekt: Wartung, Pflege, Betrieb 2024-06", "750.00")
    ]
    assert (invoice["net"], invoice["vat"], invoice["gross"]) == ("750.00", "142.50", "892.50")
    again = runner.invoke("billing", "contracts", "settled", str(contract.id), "--one-time-settled")
    assert again.exit_code == 2
    assert f"Error: contract: contract {contract.id} was billed already" in again.stderr
