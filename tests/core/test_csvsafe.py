"""The one CSV writer of every export neutralises spreadsheet formulas."""

from __future__ import annotations

import csv
import io

import pytest

from core import csvsafe


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+49 2541", "'+49 2541"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("-12,50", "-12,50"),
        ("+3.5", "+3.5"),
        ("Tafel e. V.", "Tafel e. V."),
        (-5, "-5"),
    ],
)
def test_formula_cells_get_an_apostrophe(value, written):
    out = io.StringIO()
    csvsafe.writer(out).writerow([value])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == [written]
