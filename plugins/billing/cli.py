"""``rathaus billing ...``: the operator's commands (every data command takes ``--json``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from core import (
    ValidationError,
    emit,
    emit_rows,
    emit_table,
    json_option,
    read_text_file,
)
from plugins.billing.periods import parse_day


class Progress:
    """A progress bar on standard error when it is a terminal (never in --json mode)."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled and sys.stderr.isatty()
        self.bar: Any = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
        self.bar.update(done - self.shown)
        self.shown = done

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()


@click.group()
def billing() -> None:
    """Tariffs, contracts, sponsors, cost pools, grants, invoices and XRechnung."""


def _add_groups() -> None:
    from plugins.billing.contract_cli import add_contract_commands
    from plugins.billing.grant_cli import grants_group

    billing.add_command(grants_group)
    add_contract_commands(billing)


_add_groups()


# ---------------------------------------------------------------------------------
# Billing run, finalisation, cancellation
# ---------------------------------------------------------------------------------


@billing.command("run")
@click.option("--period", required=True, help="Month to bill, YYYY-MM.")
@click.option("--issuer", "issuer_key", help="Only items of this issuer (its key).")
@click.option("--dry-run", is_flag=True, help="Show what would be billed; write nothing.")
@json_option
@with_appcontext
def run_command(period: str, issuer_key: str | None, dry_run: bool, as_json: bool) -> None:
    """Create draft invoices for everything due in PERIOD (safe to run again)."""
    from plugins.billing.output_schemas import BillingRunSchema
    from plugins.billing.periods import parse_month
    from plugins.billing.run import run_billing

    month = parse_month(period)
    progress = Progress("Billing", enabled=not as_json)
    result = run_billing(month, issuer_key=issuer_key, dry_run=dry_run, progress=progress)
    progress.finish()
    data = BillingRunSchema().dump(result)

    def show() -> None:
        verb = "would create" if dry_run else "created"
        extended = ""
        if data["invoices_extended"]:
            extend = "would extend" if dry_run else "extended"
            extended = f" ({extend} {data['invoices_extended']} open draft(s))"
        click.echo(
            f"{month.label}: {verb} {data['invoices_created']} invoice(s){extended}, "
            f"{data['lines_created']} line(s) "
            f"({data['items_already_billed']} of {data['items_due']} item(s) billed before); net "
            f"{data['net']} EUR"
        )
        for warning in data["warnings"]:
            click.echo(f"Warning: {warning}", err=True)

    emit(data, as_json, show)


@billing.command("finalize")
@click.argument("refs", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Finalise every draft.")
@click.option("--date", "issue_date", help="Issue date (default today), YYYY-MM-DD.")
@json_option
@with_appcontext
def finalize_command(
    refs: tuple[str, ...], everything: bool, issue_date: str | None, as_json: bool
) -> None:
    """Give drafts (by id, or --all) their numbers: gapless per issuer series and year."""
    from plugins.billing.invoices import finalize
    from plugins.billing.output_schemas import BillingFinalizeResultSchema

    if not refs and not everything:
        raise ValidationError("name draft ids or pass --all", field="refs")
    progress = Progress("Finalising", enabled=not as_json)
    report = finalize(
        refs, everything=everything, today=parse_day(issue_date, "date"), progress=progress
    )
    progress.finish()
    report = BillingFinalizeResultSchema().dump(report)

    def show() -> None:
        click.echo(f"finalised {len(report['finalized'])} invoice(s)")
        for skipped in report["skipped"]:
            click.echo(f"skipped draft {skipped['id']}: {skipped['reason']}", err=True)
        if report["skipped"]:
            click.echo(
                f"Error: drafts: {len(report['skipped'])} draft(s) not finalised; fix the "
                "payers' master data (rathaus tenants update) and run again",
                err=True,
            )

    emit(report, as_json, show)
    if report["skipped"]:
        raise click.exceptions.Exit(2)


@billing.command("cancel")
@click.argument("number")
@click.option(
    "--reason", required=True, help="Why the invoice is cancelled (printed on the document)."
)
@click.option("--date", "issue_date", help="Date of the cancellation document (default today).")
@json_option
@with_appcontext
def cancel_command(number: str, reason: str, issue_date: str | None, as_json: bool) -> None:
    """Cancel a final invoice with a cancellation document (type 381); the next run
    bills its items anew."""
    from plugins.billing.invoices import cancel
    from plugins.billing.output_schemas import BillingInvoiceSchema

    document = cancel(number, reason, today=parse_day(issue_date, "date"))
    emit(BillingInvoiceSchema().dump(document), as_json, f"{number} cancelled by {document.number}")


# ---------------------------------------------------------------------------------
# Invoices and output
# ---------------------------------------------------------------------------------


@billing.group("invoices")
def invoices_group() -> None:
    """Invoices and cancellation documents."""


@invoices_group.command("list")
@click.option("--period", help="Billing month, YYYY-MM.")
@click.option("--payer", help="Tenant slug or sponsor key.")
@click.option(
    "--status", type=click.Choice(["draft", "final", "cancelled"]), help="Only this status."
)
@click.option("--issuer", help="Issuer key.")
@json_option
@with_appcontext
def invoices_list(
    period: str | None, payer: str | None, status: str | None, issuer: str | None, as_json: bool
) -> None:
    """Invoices with their lines (amounts as strings with two decimals)."""
    from plugins.billing.invoices import list_invoices
    from plugins.billing.output_schemas import BillingInvoiceSchema
    from plugins.billing.periods import parse_month

    if period:
        parse_month(period)
    invoices = list_invoices(period=period, payer=payer, status=status, issuer=issuer)
    data = BillingInvoiceSchema(many=True).dump(invoices)

    def show() -> None:
        emit_table(
            ["id", "number", "issuer", "payer", "period", "net", "vat", "gross", "status"],
            [
                [
                    d["id"],
                    d["number"] or "-",
                    d["issuer"],
                    d["payer"]["key"],
                    d["period"],
                    d["net"],
                    d["vat"],
                    d["gross"],
                    d["status"],
                ]
                for d in data
            ],
        )

    emit(data, as_json, show)


@invoices_group.command("show")
@click.argument("number")
@json_option
@with_appcontext
def invoices_show(number: str, as_json: bool) -> None:
    """One invoice (by number, or a draft by its id) with its lines."""
    from plugins.billing.invoices import invoice_by_ref
    from plugins.billing.output_schemas import BillingInvoiceSchema

    data = BillingInvoiceSchema().dump(invoice_by_ref(number))

    def show() -> None:
        payer = data["payer"]
        click.echo(
            f"{data['number'] or 'draft ' + str(data['id'])} ({data['type']}, {data['status']})"
        )
        for key in ("issuer", "issue_date", "due_date", "period", "vat_category", "cancel_reason"):
            if data[key] is not None:
                click.echo(f"{key}: {data[key]}")
        click.echo(f"payer: {payer.get('name') or payer['key']} ({payer['key']})")
        click.echo("")
        emit_table(
            ["pos", "description", "for", "qty", "unit", "net", "vat"],
            [
                [
                    line["position"],
                    line["description"],
                    line["for_tenant"] or "-",
                    line["quantity"],
                    line["unit_price"],
                    line["net"],
                    f"{line['vat_category']} {line['vat_rate']} %",
                ]
                for line in data["lines"]
            ],
        )
        click.echo("")
        click.echo(f"net {data['net']} EUR, VAT {data['vat']} EUR, gross {data['gross']} EUR")

    emit(data, as_json, show)


@billing.command("xrechnung")
@click.argument("number")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write ('-': standard output).",
)
@with_appcontext
def xrechnung_command(number: str, output: Path) -> None:
    """Write the XRechnung 3.0 (CII) of a final invoice."""
    from plugins.billing.invoices import invoice_by_number
    from plugins.billing.xrechnung import xrechnung_xml

    xml = xrechnung_xml(invoice_by_number(number))
    if str(output) == "-":
        click.echo(xml.decode("utf-8"), nl=False)
        return
    output.write_bytes(xml)
    click.echo(f"wrote {output}", err=True)


@billing.command("export-csv")
@click.option("--period", help="Billing month, YYYY-MM.")
@click.option("--year", type=int, help="Calendar year of the issue date.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File (default: standard output).",
)
@with_appcontext
def export_csv_command(period: str | None, year: int | None, output: Path | None) -> None:
    """Final invoices as CSV for municipal finance software (columns: docs/billing.md)."""
    from plugins.billing.reports import invoices_csv

    text = invoices_csv(period=period, year=year)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@billing.command("report")
@click.option("--year", required=True, type=int, help="Calendar year of the service periods.")
@json_option
@with_appcontext
def report_command(year: int, as_json: bool) -> None:
    """Billed amounts of a year per payer and per service."""
    from plugins.billing.output_schemas import BillingYearReportSchema
    from plugins.billing.reports import yearly_report

    data = BillingYearReportSchema().dump(yearly_report(year))

    def show() -> None:
        emit_table(
            ["payer", "net", "vat", "gross"],
            [[p["payer"], p["net"], p["vat"], p["gross"]] for p in data["payers"]],
        )
        click.echo("")
        emit_table(["service", "net"], [[s["service"], s["net"]] for s in data["services"]])

    emit(data, as_json, show)


# ---------------------------------------------------------------------------------
# Configuration and pools (contracts and rights: contract_cli.py)
# ---------------------------------------------------------------------------------


@billing.command("apply")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and report; change nothing.")
@json_option
@with_appcontext
def apply_command(file: Path, dry_run: bool, as_json: bool) -> None:
    """Load issuers, sponsors, tariffs, sponsorships and pools from a TOML FILE
    (all or nothing; running it again changes nothing).

    \b
    Format (reference: docs/billing.md; a complete example with sponsors and
    sponsorships: plugins/billing/examples/engagementdirekt.toml):

    \b
      [[issuers]]
      key = "kommunal-it"
      name = "Kommunal-IT Musterland GmbH"  # invented party
      street = "Musterweg 1"
      postcode = "12345"
      city = "Musterstadt"
      contact_name = "Team Abrechnung"
      contact_phone = "+49 30 1234567"     # invented
      contact_email = "abrechnung@kommunal-it.example"
      electronic_address = "rechnung@kommunal-it.example"
      vat_id = "DE999999995"                # invented
      iban = "DE02120300000000202051"       # invented
      number_prefix = "KIT"

    \b
      [[tariffs]]
      key = "engagement"
      service = "engagement"
      name = "Engagement"
      issuer = "kommunal-it"

    \b
        [[tariffs.versions]]
        valid_from = 2024-01-01
        description = "Engagement: Betrieb und Pflege"
        recurring_fee = "750.00"
        interval = "monthly"
        vat_category = "S"
        vat_rate = "19.00"
    """
    from plugins.billing.configuration import apply_toml
    from plugins.billing.output_schemas import BillingConfigResultSchema

    report = BillingConfigResultSchema().dump(apply_toml(read_text_file(file), dry_run=dry_run))

    def show() -> None:
        if dry_run:
            click.echo("Dry run: nothing was changed. A real apply would change:")
        for kind, keys in report["changed"].items():
            if dry_run:
                click.echo(f"{kind}: would change {', '.join(keys) if keys else 'nothing'}")
            else:
                click.echo(f"{kind}: {', '.join(keys) if keys else 'unchanged'}")
        for warning in report["warnings"]:
            click.echo(f"Warning: {warning}", err=True)

    emit(report, as_json, show)


@billing.group("pools")
def pools_group() -> None:
    """Shared cost pools."""


def _add_subsidy() -> None:
    from plugins.billing.contract_cli import contracts_group
    from plugins.billing.grant_cli import add_settled_command, add_subsidy_command
    from plugins.billing.pool_cli import add_pool_commands

    add_subsidy_command(pools_group)
    add_settled_command(contracts_group)
    add_pool_commands(pools_group, contracts_group)


_add_subsidy()


@pools_group.command("allocation")
@click.argument("key")
@json_option
@with_appcontext
def pools_allocation(key: str, as_json: bool) -> None:
    """Every member's share of the pool per year."""
    from plugins.billing.describe import pool_allocation
    from plugins.billing.output_schemas import BillingPoolAllocationSchema

    data = BillingPoolAllocationSchema().dump(pool_allocation(key))
    emit(
        data,
        as_json,
        lambda: emit_rows(
            data["shares"],
            False,
            {
                "year": "year",
                "member": "member",
                "share": "amount",
                "basis": lambda share: share["basis"] or "-",
            },
        ),
    )
