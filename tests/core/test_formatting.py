"""Amounts, rates, dates and labels formatted in the page's language (issue 11 §3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core import formatting, labels

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


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", ["Dezember 2026", "0,5", "1.234", "Beantragt", "Wartet auf Antwort", "Sperren"]),
        ("en", ["December 2026", "0.5", "1,234", "Requested", "Waiting for an answer", "Suspend"]),
    ],
)
def test_months_numbers_and_labels_of_a_kind(app, language, expected):
    from plugins.engagement.models import RequestStatus

    with app.test_request_context("/", headers={"Accept-Language": language}):
        assert [
            formatting.month("2026-12"),
            formatting.number(0.5),
            formatting.number(1234),
            formatting.label("requested"),
            formatting.label(RequestStatus.REQUESTED),
            formatting.action_label("suspend"),
        ] == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", {"status": "Entwurf", "action": "Pausieren", "allowed": "Aktiv oder Gesperrt", "value": "draft"}),
        ("en", {"status": "draft", "action": "pause", "allowed": "active or suspended", "value": "draft"}),
    ],
)  # fmt: skip
def test_error_parameters_that_are_identifiers_become_labels(app, language, expected):
    from core.errors import ConflictError

    error = ConflictError(
        "%(status)s %(action)s %(allowed)s %(value)s",
        status="draft",
        action="pause",
        allowed="active or suspended",
        value="draft",
    )
    with app.test_request_context("/", headers={"Accept-Language": language}):
        assert labels.labelled_params(error.params) == expected
        assert error.localized() == " ".join(expected.values())
