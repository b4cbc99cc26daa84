"""The billing part of the operator's day on the command line: honest dry runs,
warnings, a non-zero exit when finalising skipped drafts, one invoice shown."""

from __future__ import annotations

import datetime as dt
import json
import textwrap

from sqlalchemy import func, select

from core.db import session
from plugins.billing.models import Invoice
from tests.billing.conftest import finalize_all, run


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_dry_run_counts_equal_what_the_run_then_creates(app, connected_2024, runner):
    dry = _json(runner.invoke("billing", "run", "--period", "2024-03", "--dry-run", "--json"))
    real = _json(runner.invoke("billing", "run", "--period", "2024-03", "--json"))
    counted = ("invoices_created", "invoices_extended", "lines_created", "items_due", "net")
    assert [dry[k] for k in counted] == [real[k] for k in counted] == [1, 0, 2, 2, "4991.29"]


def test_dry_run_counts_an_open_draft_as_extended(app, connected_2024, connected_2023, runner):
    run("2024-03")
    # A new subscription adds lines to Dülmen's open draft of March.
    result = runner.invoke("billing", "run", "--period", "2024-04", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.startswith("2024-04: would create 2 invoice(s), 2 line(s)")


def test_run_warns_about_subscriptions_it_cannot_bill(app, runner, tenant, subscribe):
    subscribe(tenant, "engagement", starts_on=dt.date(2024, 3, 1), allow_backdated=True)
    result = runner.invoke("billing", "run", "--period", "2024-03")
    assert result.exit_code == 0
    assert result.stderr == (
        "Warning: 1 active subscription(s) to engagement are not billed: no tariff (add one "
        f"with rathaus billing apply); tenants {tenant.slug}\n"
    )


def test_finalize_exits_2_when_it_skipped_a_draft(app, connected_2024, runner):
    run("2024-03")
    connected_2024.address_street = None
    session.commit()
    result = runner.invoke("billing", "finalize", "--all", "--date", "2024-04-02")
    assert result.exit_code == 2
    assert result.stdout == "finalised 0 invoice(s)\n"
    assert result.stderr.endswith(
        "Error: drafts: 1 draft(s) not finalised; fix the payers' master data "
        "(rathaus tenants update) and run again\n"
    )


def test_invoices_show_prints_one_invoice_with_its_lines(app, connected_2024, runner):
    run("2024-03")
    number = finalize_all()["finalized"][0]
    data = _json(runner.invoke("billing", "invoices", "show", number, "--json"))
    assert (data["number"], data["status"], data["net"], len(data["lines"])) == (
        number,
        "final",
        "4991.29",
        2,
    )
    text = runner.invoke("billing", "invoices", "show", number)
    assert text.exit_code == 0
    assert text.stdout.splitlines()[0] == f"{number} (invoice, final)"
    assert text.stdout.splitlines()[-1] == "net 4991.29 EUR, VAT 948.35 EUR, gross 5939.64 EUR"


def test_invoices_show_of_an_unknown_number(app, runner):
    result = runner.invoke("billing", "invoices", "show", "NOPE-1")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: number: no invoice with number 'NOPE-1'\n",
    )


def test_apply_dry_run_says_would(app, runner, tmp_path):
    example = _help_example(runner)
    path = tmp_path / "billing.toml"
    path.write_text(example, encoding="utf-8")
    dry = runner.invoke("billing", "apply", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.splitlines()[:3] == [
        "Dry run: nothing was changed. A real apply would change:",
        "issuers: would change kommunal-it",
        "sponsors: would change nothing",
    ]
    assert session.scalar(select(func.count()).select_from(Invoice)) == 0
    real = runner.invoke("billing", "apply", str(path))
    assert real.stdout.splitlines()[:2] == ["issuers: kommunal-it", "sponsors: unchanged"]


def _help_example(runner) -> str:
    """The TOML example printed by ``apply --help`` (it must apply as it stands)."""
    text = runner.invoke("billing", "apply", "--help").stdout
    body = text.split("plugins/billing/examples/engagementdirekt.toml):", 1)[1]
    body = body.split("Options:", 1)[0]
    return textwrap.dedent("\n".join(line.rstrip() for line in body.splitlines()))
