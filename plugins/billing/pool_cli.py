"""``rathaus billing pools staff|hold|release|show|budget`` and
``rathaus billing contracts budget``: staff pools, approval and budget positions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click
from flask.cli import with_appcontext

from core import ValidationError, emit, json_option


def _day(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            "%(value)s is not a date (YYYY-MM-DD)", field="date", code="date.invalid", value=text
        ) from None


def _fte(text: str) -> int:
    """``"1.0"`` -> 10000 (checked like the configuration file's ``fte``)."""
    import marshmallow as ma

    from plugins.billing import schemas  # noqa: F401 (imports the pool schemas in order)
    from plugins.billing.pool_schemas import Fte

    try:
        return Fte()._deserialize(text, "fte", {})
    except ma.ValidationError as exc:
        raise ValidationError(
            "%(value)s is no share of a full-time post between 0 and 1.0, e.g. 0.5",
            field="fte",
            code="pool.fte",
            value=repr(text),
        ) from exc


def _show(pool: Any, as_json: bool) -> None:
    """A pool's state: ``--json`` the API's answer, else a line per staff cost."""
    from plugins.billing.pool_schemas import BillingPoolStateSchema

    data = BillingPoolStateSchema().dump(pool)

    def show() -> None:
        click.echo(
            f"{data['pool']}: {data['approval']}"
            + (f" ({data['approval_note']})" if data["approval_note"] else "")
        )
        for line in data["staff_costs"]:
            click.echo(
                f"  {line['first_year']}-{line['last_year']} {line['grade']} x {line['fte']}: "
                + (
                    f"{line['cost_per_year']} EUR a year"
                    if line["cost_per_year"]
                    else "no annual cost"
                )
            )

    emit(data, as_json, show)


def add_pool_commands(pools_group: click.Group, contracts_group: click.Group) -> None:
    """Register the commands on the ``pools`` and ``contracts`` groups."""

    @pools_group.command("show")
    @click.argument("pool")
    @json_option
    @with_appcontext
    def pools_show(pool: str, as_json: bool) -> None:
        """A pool's approval state and staff cost lines."""
        from plugins.billing.pool_admin import pool_by_key

        _show(pool_by_key(pool), as_json)

    @pools_group.command("staff")
    @click.argument("pool")
    @click.option("--grade", required=True, help='Pay grade, e.g. "EG 13 TVöD".')
    @click.option("--fte", required=True, help="Share of a full-time post, e.g. 1.0 or 0.5.")
    @click.option("--from", "first_year", required=True, type=int, help="First year.")
    @click.option("--to", "last_year", required=True, type=int, help="Last year.")
    @click.option(
        "--annual-cost", help="A full-time post's cost a year (EUR); leave out: not known yet."
    )
    @click.option("--description", required=True, help="What the post is for.")
    @click.option("--module", default="", help="Module of the pool the cost belongs to.")
    @json_option
    @with_appcontext
    def pools_staff(
        pool: str,
        grade: str,
        fte: str,
        first_year: int,
        last_year: int,
        annual_cost: str | None,
        description: str,
        module: str,
        as_json: bool,
    ) -> None:
        """Add (or replace) a staff cost line; each year costs annual cost x share."""
        from plugins.billing.money import parse_money, to_cents
        from plugins.billing.pool_admin import set_staff_cost

        values = {
            "module": module,
            "description": description,
            "grade": grade,
            "fte_bp": _fte(fte),
            "first_year": first_year,
            "last_year": last_year,
            "annual_cost_cents": None
            if annual_cost is None
            else to_cents(parse_money(annual_cost, "annual_cost")),
        }
        _show(set_staff_cost(pool, values), as_json)

    @pools_group.command("hold")
    @click.argument("pool")
    @click.option("--note", required=True, help="The reservation (Sperrvermerk).")
    @json_option
    @with_appcontext
    def pools_hold(pool: str, note: str, as_json: bool) -> None:
        """Put a pool into approval pending: billing runs do not invoice it."""
        from plugins.billing.pool_admin import hold

        _show(hold(pool, note), as_json)

    @pools_group.command("release")
    @click.argument("pool")
    @click.option("--date", "day", help="Day of the release (default today), YYYY-MM-DD.")
    @click.option("--reason", help="The decision that released the funds.")
    @json_option
    @with_appcontext
    def pools_release(pool: str, day: str | None, reason: str | None, as_json: bool) -> None:
        """Release a pool held in approval pending: the next run invoices it."""
        from plugins.billing.pool_admin import release

        _show(release(pool, _day(day), reason), as_json)

    @pools_group.command("budget")
    @click.argument("pool")
    @click.option("--member", required=True, help="The member tenant's slug.")
    @click.option("--product", help="Produkt, e.g. 04.01.02.01 (empty: none).")
    @click.option("--account", help="Sachkonto, e.g. 501201 (empty: none).")
    @json_option
    @with_appcontext
    def pools_budget(
        pool: str, member: str, product: str | None, account: str | None, as_json: bool
    ) -> None:
        """Record a member's budget position, printed on its invoices (BT-133/BT-19)."""
        from plugins.billing.pool_admin import set_member_budget
        from plugins.billing.pool_schemas import BillingMemberBudgetSchema

        row = set_member_budget(pool, member, product, account)
        _budget_out(BillingMemberBudgetSchema().dump(row), as_json)

    @contracts_group.command("budget")
    @click.argument("contract_id", type=int)
    @click.option("--product", help="Produkt, e.g. 04.01.02.01 (empty: none).")
    @click.option("--account", help="Sachkonto, e.g. 501201 (empty: none).")
    @json_option
    @with_appcontext
    def contracts_budget(
        contract_id: int, product: str | None, account: str | None, as_json: bool
    ) -> None:
        """Record the budget position the contract's invoices are booked on."""
        from plugins.billing.describe import contract_by_id
        from plugins.billing.pool_admin import set_contract_budget
        from plugins.billing.pool_schemas import BillingContractBudgetSchema

        row = set_contract_budget(contract_by_id(contract_id), product, account)
        _budget_out(BillingContractBudgetSchema().dump(row), as_json)


def _budget_out(data: dict[str, Any], as_json: bool) -> None:
    def show() -> None:
        click.echo(data["budget_position"] or "no budget position")

    emit(data, as_json, show)
