"""``rathaus billing grants ...``: grants, their plan, payouts and report."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from core import ValidationError, emit, emit_table, json_option


@click.group("grants")
def grants_group() -> None:
    """Grants (Zuwendungen) received and passed on to partners as payouts."""


@grants_group.command("list")
@json_option
@with_appcontext
def grants_list(as_json: bool) -> None:
    """Every grant with requested, granted, paid out and left (EUR)."""
    from plugins.billing.grants import list_grants, summary

    data = [summary(grant) for grant in list_grants()]

    def show() -> None:
        emit_table(
            ["key", "funder", "recipient", "requested", "granted", "paid out", "left"],
            [
                [
                    d["key"],
                    d["funder"],
                    d["recipient"]["key"],
                    d["requested"],
                    d["granted"],
                    d["paid_out"],
                    d["left"],
                ]
                for d in data
            ],
        )

    emit(data, as_json, show)


@grants_group.command("show")
@click.argument("key")
@json_option
@with_appcontext
def grants_show(key: str, as_json: bool) -> None:
    """One grant's report: per year (carried over) and per partner."""
    from plugins.billing.grants import grant_by_key, report

    data = report(grant_by_key(key))

    def show() -> None:
        for label in ("purpose", "funder", "requested", "granted", "own_funds", "paid_out", "left"):
            click.echo(f"{label}: {data[label]}")
        emit_table(
            ["year", "carried in", "planned", "paid out", "carried over"],
            [
                [r["year"], r["carried_in"], r["planned"], r["paid_out"], r["carried_over"]]
                for r in data["by_year"]
            ],
        )
        emit_table(
            ["partner", "planned", "paid out", "left"],
            [[r["partner"], r["planned"], r["paid_out"], r["left"]] for r in data["by_partner"]],
        )

    emit(data, as_json, show)


@grants_group.command("pay")
@click.argument("key")
@click.option("--partner", required=True, help="The partner's tenant slug.")
@click.option("--year", required=True, type=int, help="The plan year the payout is for.")
@click.option("--date", "paid_on", required=True, help="Day of payment, YYYY-MM-DD.")
@click.option("--amount", help="Amount in EUR (default: what is open for the partner).")
@click.option("--budget-position", help="Produkt / Sachkonto of the payout, as text.")
@click.option("--product", help="Produkt, checked (e.g. 04.01.02.01); instead of the text.")
@click.option("--account", help="Sachkonto, checked (e.g. 531800); with --product.")
@json_option
@with_appcontext
def grants_pay(
    key: str,
    partner: str,
    year: int,
    paid_on: str,
    amount: str | None,
    budget_position: str | None,
    product: str | None,
    account: str | None,
    as_json: bool,
) -> None:
    """Record a payout to a partner as a payment advice (Auszahlungsanordnung)."""
    from plugins.billing.budget import position_of
    from plugins.billing.grant_schemas import GrantPayoutSchema
    from plugins.billing.grants import record_payout
    from plugins.billing.money import parse_money, to_cents

    budget_position = position_of(budget_position, product, account)

    try:
        day = dt.date.fromisoformat(paid_on)
    except ValueError:
        raise ValidationError(
            "%(value)s is not a date (YYYY-MM-DD)", field="date", code="date.invalid", value=paid_on
        ) from None
    cents = to_cents(parse_money(amount, "amount")) if amount is not None else None
    payout = record_payout(
        key, partner, year, paid_on=day, amount_cents=cents, budget_position=budget_position
    )
    data = GrantPayoutSchema().dump(payout)

    def show() -> None:
        budget = f" ({data['budget_position']})" if data["budget_position"] else ""
        click.echo(
            f"{data['document']} {data['number']}: {data['amount']} EUR -> "
            f"{data['partner']}{budget}"
        )

    emit(data, as_json, show)


def add_subsidy_command(pools_group: click.Group) -> None:
    """``rathaus billing pools subsidy``: record a funder's decision on a subsidy."""

    @pools_group.command("subsidy")
    @click.argument("pool")
    @click.option("--source", required=True, help="The subsidy's source as configured.")
    @click.option("--year", required=True, type=int, help="The subsidy's (first) year.")
    @click.option("--status", required=True, type=click.Choice(["applied", "granted", "refused"]))
    @click.option("--date", "day", help="Date of correcting credit notes (default today).")
    @json_option
    @with_appcontext
    def subsidy_command(
        pool: str, source: str, year: int, status: str, day: str | None, as_json: bool
    ) -> None:
        """A granted subsidy reduces the shares; invoices already final for its year
        are cancelled by credit notes and billed anew by the next run."""
        from plugins.billing.corrections import decide_subsidy

        today = _day(day) if day else None
        data = decide_subsidy(pool, source, year, status, today=today)

        def show() -> None:
            click.echo(f"status: {data['status']}")
            for original, credit in zip(data["cancelled"], data["credit_notes"], strict=True):
                click.echo(f"{original} cancelled by credit note {credit}")

        emit(data, as_json, show)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            "%(value)s is not a date (YYYY-MM-DD)", field="date", code="date.invalid", value=text
        ) from None


def add_settled_command(contracts_group: click.Group) -> None:
    """``rathaus billing contracts settled``: what was settled outside the platform."""

    @contracts_group.command("settled")
    @click.argument("contract_id", type=int)
    @click.option("--billing-from", help="First day the platform charges, YYYY-MM-DD.")
    @click.option("--one-time-settled", is_flag=True, help="The one-time fee was paid already.")
    @json_option
    @with_appcontext
    def contracts_settled(
        contract_id: int, billing_from: str | None, one_time_settled: bool, as_json: bool
    ) -> None:
        """For a backdated contract: bill from a later day and/or without the one-time fee."""
        from core import session
        from plugins.billing.corrections import record_settled
        from plugins.billing.describe import contract_by_id
        from plugins.billing.output_schemas import BillingContractSchema

        contract = record_settled(
            contract_by_id(contract_id),
            billing_from=_day(billing_from) if billing_from else None,
            one_time_settled=one_time_settled,
        )
        session.commit()
        data = BillingContractSchema().dump(contract)
        emit(data, as_json, f"contract {contract.id}: billed from {contract.billable_from}")
