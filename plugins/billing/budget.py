"""The payer's budget position (Haushaltsstelle): Produkt and Sachkonto.

A municipality books an invoice on a product of its budget and an account of its
chart of accounts; seed 001 names both: "im Produkt 04.01.02.01 Kreisentwicklung,
Sachkonto 501201". A contract or a pool membership may carry the payer's budget
position; the billing run copies it onto each invoice line (so it is on the printed
invoice and, as BT-133 per line and BT-19 for the whole invoice, in the XRechnung)
and a payout carries the recipient's.

Formats (checked, with the example in every error):

* Produkt: groups of digits separated by dots, 2 to 8 digits a group, 1 to 6
  groups, e.g. ``04.01.02.01`` (NRW NKF) or ``010102`` (a Hessian budget, seed 002);
* Sachkonto: 4 to 10 digits, e.g. ``501201``.
"""

from __future__ import annotations

import re

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from core import ValidationError, ValidationErrors

PRODUCT = re.compile(r"^\d{2,8}(\.\d{2,8}){0,5}$")
ACCOUNT = re.compile(r"^\d{4,10}$")


class BudgetColumns:
    """The two optional columns of a budget position (mixed into models)."""

    budget_product: Mapped[str | None] = mapped_column(String(60))
    budget_account: Mapped[str | None] = mapped_column(String(10))

    @property
    def budget_position(self) -> str | None:
        """The printed form, e.g. ``Produkt 04.01.02.01, Sachkonto 501201``."""
        return label(self.budget_product, self.budget_account)


def label(product: str | None, account: str | None) -> str | None:
    """``Produkt P, Sachkonto S`` (either part alone when only one is set), or None."""
    parts = []
    if product:
        parts.append(f"Produkt {product}")
    if account:
        parts.append(f"Sachkonto {account}")
    return ", ".join(parts) or None


def checked(product: str | None, account: str | None) -> tuple[str | None, str | None]:
    """Product and account stripped (empty: None) and checked, both reported at once.

    :raises ValidationErrors: a part does not have its format.
    """
    product = (product or "").strip() or None
    account = (account or "").strip() or None
    errors = []
    if product is not None and not PRODUCT.match(product):
        errors.append(
            ValidationError(
                "Produkt %(value)s: digits in groups separated by dots, e.g. 04.01.02.01",
                field="product",
                code="budget.product_format",
                value=repr(product),
            )
        )
    if account is not None and not ACCOUNT.match(account):
        errors.append(
            ValidationError(
                "Sachkonto %(value)s: 4 to 10 digits, e.g. 501201",
                field="account",
                code="budget.account_format",
                value=repr(account),
            )
        )
    if errors:
        raise ValidationErrors(errors)
    return product, account


def assign(target: BudgetColumns, product: str | None, account: str | None) -> bool:
    """Set a checked budget position on a contract or pool member; True if it changed."""
    product, account = checked(product, account)
    if (target.budget_product, target.budget_account) == (product, account):
        return False
    target.budget_product, target.budget_account = product, account
    return True


def position_of(text: str | None, product: str | None, account: str | None) -> str | None:
    """A payout's budget position: the checked Produkt / Sachkonto as a label, or the
    free text (a grant's budget may be named otherwise); not both.

    :raises ValidationError: both given, or a part in the wrong format.
    """
    if product is None and account is None:
        return text
    if text:
        raise ValidationError(
            "give the budget position as text or as Produkt and Sachkonto, not both",
            field="budget_position",
            code="budget.text_and_parts",
        )
    return label(*checked(product, account))
