"""The billing run: draft invoices for everything due in a month.

``run_billing(period)`` prices every contract active in the month (recurring fees in
advance, one-time fees, metered usage reported through ``billable_usage``) and every
cost pool billed in that month, leaves out what was billed before, and adds the rest
as lines to draft invoices — one per issuer, payer and VAT category (O and S never
share an invoice).

Idempotent and safe to run twice at once: every billed item has a natural key
(``contract:12:recurring:2024-03``, ``pool:3:45:2022``...) stored in
``billing_billed_item`` under a unique constraint, and each payer's draft has a
unique ``open_key``. A run that collides with another one rolls back the group it
was writing and retries it with what is still unbilled, so no item is billed twice
and no payer gets two drafts.

This module is the run's course and its summary; the work is done in rooms of its own:

* :mod:`plugins.billing.contract_run` — what contracts charge (fees, usage, sponsors);
* :mod:`plugins.billing.pool_run` — what cost pools charge, and what they hold back;
* :mod:`plugins.billing.run_checks` — subscriptions the run cannot bill, as warnings;
* :mod:`plugins.billing.run_drafts` — writing the charges as draft invoices.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from core import session
from plugins.billing.charges import Charge
from plugins.billing.contract_run import contract_charges
from plugins.billing.contracts import open_termination_rights, reconcile_contracts
from plugins.billing.invoice_models import BilledItem, Invoice
from plugins.billing.money import format_amount
from plugins.billing.periods import Period
from plugins.billing.pool_run import changed_shares, pool_charges, pool_warnings
from plugins.billing.run_checks import unbilled_subscriptions
from plugins.billing.run_drafts import GroupKey, Written, claimed_keys, open_key, write_batch

#: Groups written per transaction.
BATCH_SIZE = 500


@dataclass
class RunResult:
    """What a billing run did (or, dry, would do)."""

    period: str
    dry_run: bool = False
    contracts_reconciled: int = 0
    rights_opened: int = 0
    items_due: int = 0
    items_already_billed: int = 0
    lines_created: int = 0
    invoices_created: int = 0
    invoices_extended: int = 0
    net_cents: int = 0
    groups: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The summary for pages: the dump of
        :class:`~plugins.billing.output_schemas.BillingRunSchema` (what the API and
        ``--json`` answer), but the warnings as
        :class:`~plugins.billing.run_checks.RunWarning` objects, whose parts
        let a page say them in its language."""
        from plugins.billing.output_schemas import BillingRunSchema

        return {**BillingRunSchema().dump(self), "warnings": self.warnings}

    def count(self, written: Written) -> None:
        """Add what writing one batch did."""
        self.invoices_created += written.invoices_created
        self.invoices_extended += written.invoices_extended
        self.lines_created += written.lines_created
        self.net_cents += written.net_cents


# ---------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------


def run_billing(
    period: Period,
    *,
    issuer_key: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Create draft invoices for everything due in ``period`` (a month).

    :param issuer_key: only items of this issuer.
    :param dry_run: compute and report, write nothing (and roll back reconciling).
    :param progress: called with (invoice groups written, total groups) after each batch.
    """
    result = RunResult(period=period.label, dry_run=dry_run)
    result.contracts_reconciled = len(reconcile_contracts())
    result.rights_opened = len(open_termination_rights(period.end))
    result.warnings = unbilled_subscriptions(period) + pool_warnings(period, _issuer_id(issuer_key))
    if not dry_run:
        session.commit()
    # Items this period's runs billed before: known without asking services again.
    billed_now = set(
        session.scalars(select(BilledItem.item_key).where(BilledItem.period == period.label))
    )
    charges, skipped = due_charges(period, issuer_key, billed=billed_now)
    result.warnings += changed_shares(charges)
    if dry_run:
        session.rollback()
    unknown = [charge.item_key for charge in charges if charge.item_key not in billed_now]
    claimed = billed_now | claimed_keys(unknown)
    fresh = [charge for charge in charges if charge.item_key not in claimed]
    result.items_due = len(charges) + skipped
    result.items_already_billed = len(charges) - len(fresh) + skipped
    groups = group_charges(fresh)
    if dry_run:
        result.groups = [_group_summary(key, items) for key, items in groups.items()]
        result.net_cents = sum(charge.net_cents for charge in fresh)
        _count_preview(period, groups, result)
        return result
    keys = list(groups)
    for start in range(0, len(keys), BATCH_SIZE):
        batch = {key: groups[key] for key in keys[start : start + BATCH_SIZE]}
        result.count(write_batch(period, batch))
        if progress is not None:
            progress(start + len(batch), len(keys))
    return result


def _issuer_id(issuer_key: str | None) -> int | None:
    if issuer_key is None:
        return None
    from plugins.billing.parties import issuer_by_key

    return issuer_by_key(issuer_key).id


def _count_preview(period: Period, groups: dict[GroupKey, list[Charge]], result: RunResult) -> None:
    """The counts the real run would report: new drafts, extended drafts, lines."""
    keys = [open_key(period, key) for key in groups]
    existing = set(session.scalars(select(Invoice.open_key).where(Invoice.open_key.in_(keys))))
    result.invoices_extended = len(existing)
    result.invoices_created = len(keys) - len(existing)
    result.lines_created = sum(len(charges) for charges in groups.values())


def _group_summary(key: GroupKey, charges: list[Charge]) -> dict[str, Any]:
    issuer_id, payer, category = key
    return {
        "issuer_id": issuer_id,
        "payer": payer,
        "vat_category": category.value,
        "lines": len(charges),
        "net": format_amount(sum(charge.net_cents for charge in charges)),
    }


def group_charges(charges: Iterable[Charge]) -> dict[GroupKey, list[Charge]]:
    """Charges by (issuer, payer, VAT category): one invoice each, in a stable order."""
    groups: dict[GroupKey, list[Charge]] = defaultdict(list)
    for charge in charges:
        groups[(charge.issuer_id, charge.payer, charge.vat_category)].append(charge)
    return dict(sorted(groups.items(), key=lambda item: (item[0][0], item[0][1], item[0][2].value)))


def due_charges(
    period: Period, issuer_key: str | None = None, billed: set[str] | None = None
) -> tuple[list[Charge], int]:
    """Every item due in ``period`` (the run leaves out billed ones), and how many
    metered items were skipped because ``billed`` holds them already (their services
    are not asked for quantities again)."""
    contract_items, skipped = contract_charges(period, billed or set())
    charges = contract_items + pool_charges(period)
    if issuer_key is not None:
        from plugins.billing.parties import issuer_by_key

        issuer_id = issuer_by_key(issuer_key).id
        charges = [charge for charge in charges if charge.issuer_id == issuer_id]
    return charges, skipped
