"""Amounts, rates, dates and labels formatted in the page's language (issue 11 §3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core import formatting

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "de",
            [
                f"5.939,64{NBSP}€",
                f"1.234,50{NBSP}€",
                "19 %",
                "02.12.2026",
                "Veröffentlicht",
                "Ehrenamt",
                "19 % USt.",
                "umsatzsteuerfrei",
            ],
        ),
        (
            "en",
            [
                "€5,939.64",
                "€1,234.50",
                "19 %",
                "Dec 2, 2026",
                "Published",
                "Volunteering",
                "19 % VAT",
                "VAT exempt",
            ],
        ),
    ],
)
def test_filters_follow_the_page_language(app, language, expected):
    with app.test_request_context("/", headers={"Accept-Language": language}):
        assert [
            formatting.money("5939.64"),
            formatting.cents(123450),
            formatting.percent(Decimal("19.00")),
            formatting.date(dt.date(2026, 12, 2)),
            formatting.label("published"),
            formatting.service_title("engagement"),
            formatting.vat_label("S", "19.00"),
            formatting.vat_label("E"),
        ] == expected


def test_text_dates_and_missing_values(app):
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        assert [
            formatting.date("2026-12-02"),
            formatting.date(None),
            formatting.money(None),
            formatting.percent("7.5"),
            formatting.label("unknown_word"),
        ] == ["02.12.2026", "–", "–", "7,5 %", "unknown_word"]


def test_the_filters_are_registered_for_templates(app):
    assert set(formatting.FILTERS) <= set(app.jinja_env.filters)
