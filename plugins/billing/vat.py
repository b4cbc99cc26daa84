"""The VAT categories municipal billing uses (EN 16931, code list UNTDID 5305).

Tariff versions, contracts, cost pools, invoices and their lines all name one; a
category is stored as its code (``S``, ``O``, ``E``).
"""

from __future__ import annotations

import enum


class VatCategory(enum.StrEnum):
    """VAT category codes of EN 16931 (UNTDID 5305) used by municipal billing."""

    STANDARD = "S"  # taxed, 19 % or 7 %
    NOT_SUBJECT = "O"  # not subject to VAT: § 2b UStG cooperation of public bodies
    EXEMPT = "E"  # exempt (e.g. § 4 UStG)
