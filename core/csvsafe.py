"""CSV for spreadsheets: one writer that every CSV export uses.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
formula to Excel and LibreOffice (CSV injection: ``=HYPERLINK(...)`` in an offer title
becomes a link in the reader's spreadsheet). Such cells get a leading apostrophe, which
spreadsheets show as text; numbers (``-12,50``) stay numbers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)*$")


def safe_cell(value: Any) -> Any:
    """``value`` made harmless for spreadsheets (only text cells change)."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.match(value):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose rows pass through :func:`safe_cell`."""

    def __init__(self, out: Any, **options: Any) -> None:
        options.setdefault("lineterminator", "\r\n")
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row, neutralising formula cells."""
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write several rows."""
        for row in rows:
            self.writerow(row)


def writer(out: Any, **options: Any) -> SafeWriter:
    """A safe CSV writer on ``out`` (options as for ``csv.writer``; CRLF line ends)."""
    return SafeWriter(out, **options)
