"""``rathaus billing contracts list|terminate|set-vat``, ``rathaus billing reconcile`` and
``rathaus billing termination-rights``: contracts and the rights to end them."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from core import emit, emit_table, json_option, session, tenant_or_fail
from plugins.billing.periods import parse_day


@click.group("contracts")
def contracts_group() -> None:
    """Contracts (one per subscription)."""


def add_contract_commands(billing: click.Group) -> None:
    """Register ``contracts``, ``reconcile`` and ``termination-rights`` on ``billing``."""
    billing.add_command(contracts_group)
    billing.add_command(reconcile_command)
    billing.add_command(termination_rights_command)


@click.command("reconcile")
@json_option
@with_appcontext
def reconcile_command(as_json: bool) -> None:
    """Create contracts for subscriptions made before their tariff existed."""
    from plugins.billing.contracts import reconcile_contracts
    from plugins.billing.output_schemas import BillingReconcileResultSchema

    created = reconcile_contracts()
    session.commit()
    data = BillingReconcileResultSchema().dump({"created": created})
    emit(data, as_json, f"created {len(created)} contract(s)")


@click.command("termination-rights")
@click.option("--open-on", "open_on", help="Only rights open on this day (YYYY-MM-DD).")
@json_option
@with_appcontext
def termination_rights_command(open_on: str | None, as_json: bool) -> None:
    """Special termination rights opened when sponsorships ended."""
    from plugins.billing.contracts import open_termination_rights, termination_rights
    from plugins.billing.output_schemas import BillingTerminationRightSchema

    open_termination_rights(dt.date.today())
    session.commit()
    rights = termination_rights(parse_day(open_on, "open_on"))
    data = BillingTerminationRightSchema(many=True).dump(rights)

    def show() -> None:
        emit_table(
            ["contract", "tenant", "service", "opens", "closes", "used"],
            [
                [
                    d["contract_id"],
                    d["tenant"],
                    d["service"],
                    d["opens_on"],
                    d["closes_on"],
                    d["used_on"] or "-",
                ]
                for d in data
            ],
        )

    emit(data, as_json, show)


@contracts_group.command("list")
@click.option("--tenant", "slug", help="Only this tenant's contracts.")
@json_option
@with_appcontext
def contracts_list(slug: str | None, as_json: bool) -> None:
    """Contracts with pinned tariff version, VAT treatment and terms."""
    from plugins.billing.describe import contracts_of
    from plugins.billing.output_schemas import BillingContractSchema

    tenant = tenant_or_fail(slug) if slug else None
    data = BillingContractSchema(many=True).dump(contracts_of(tenant))

    def show() -> None:
        emit_table(
            ["id", "tenant", "service", "from", "until", "vat", "version"],
            [
                [
                    d["id"],
                    d["tenant"],
                    d["service"],
                    d["starts_on"],
                    d["ends_on"] or "-",
                    d["vat_category"],
                    d["tariff_version"],
                ]
                for d in data
            ],
        )

    emit(data, as_json, show)


@contracts_group.command("terminate")
@click.argument("slug")
@click.argument("service")
@click.option("--last-day", required=True, help="Last day of service (YYYY-MM-DD).")
@click.option("--special", is_flag=True, help="Use an open special termination right.")
@click.option("--notice-on", help="Day the notice was given (default today).")
@json_option
@with_appcontext
def contracts_terminate(
    slug: str, service: str, last_day: str, special: bool, notice_on: str | None, as_json: bool
) -> None:
    """Terminate a tenant's contract for SERVICE (ends the subscription as well)."""
    from plugins.billing.contracts import terminate
    from plugins.billing.output_schemas import BillingContractSchema

    contract = terminate(
        tenant_or_fail(slug),
        service,
        ends_on=parse_day(last_day, "last_day"),
        special=special,
        notice_on=parse_day(notice_on, "notice_on"),
    )
    session.commit()
    emit(
        BillingContractSchema().dump(contract),
        as_json,
        f"contract {contract.id} ends on {contract.ends_on.isoformat()} ({contract.end_reason})",
    )


@contracts_group.command("set-vat")
@click.argument("contract_id", type=int)
@click.option("--category", required=True, type=click.Choice(["S", "O", "E"]), help="VAT category.")
@click.option(
    "--rate", default="0.00", show_default=True, help="VAT rate in percent (19.00 or 7.00 for S)."
)
@json_option
@with_appcontext
def contracts_set_vat(contract_id: int, category: str, rate: str, as_json: bool) -> None:
    """Change a contract's VAT treatment for items not yet billed."""
    from plugins.billing.contracts import set_vat_treatment
    from plugins.billing.describe import contract_by_id, rate_to_bp
    from plugins.billing.output_schemas import BillingContractSchema
    from plugins.billing.vat import VatCategory

    contract = set_vat_treatment(
        contract_by_id(contract_id), VatCategory(category), rate_to_bp(rate)
    )
    session.commit()
    emit(
        BillingContractSchema().dump(contract),
        as_json,
        f"contract {contract.id}: {category} {rate} %",
    )
