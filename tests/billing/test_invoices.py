"""Finalisation (gapless numbers), immutability below the ORM, cancellation documents."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from core.db import get_db, session
from core.errors import ConflictError, ValidationError
from plugins.billing.invoices import cancel, finalize, invoice_by_number, list_invoices
from tests.billing.conftest import finalize_all, invoices_json, run


@pytest.fixture
def final_invoices(app, connected_2023, connected_2024, weights_pool):
    run("2023-10")
    run("2024-03")
    return finalize_all(dt.date(2024, 4, 2))


def test_numbers_are_sequential_per_issuer_series_and_year(app, final_invoices):
    numbers = final_invoices["finalized"]
    assert [n for n in numbers if n.startswith("KIT")] == [
        "KIT-2024-00001",
        "KIT-2024-00002",
        "KIT-2024-00003",
    ]
    kkd = sorted(n for n in numbers if n.startswith("KKD"))
    assert kkd == [f"KKD-2024-{i:05d}" for i in range(1, 20)]


def test_numbering_starts_again_in_a_new_year(app, connected_2023):
    run("2023-10")
    run("2023-11")
    finalize(["1"], today=dt.date(2023, 12, 30))
    finalize(["2"], today=dt.date(2024, 1, 2))
    assert [i.number for i in list_invoices()] == ["KIT-2023-00001", "KIT-2024-00001"]


def test_finalize_sets_issue_and_due_date(app, final_invoices, runner):
    invoice = invoices_json(runner, "--payer", "duelmen")[0]
    assert (invoice["issue_date"], invoice["due_date"], invoice["status"]) == (
        "2024-04-02",
        "2024-05-02",
        "final",
    )


def test_finalize_skips_a_payer_without_master_data(app, engagementdirekt, tenant, subscribe):
    subscribe(tenant, "engagement", starts_on=dt.date(2024, 3, 1), allow_backdated=True)
    run("2024-03")
    report = finalize_all()
    assert report["finalized"] == []
    assert report["skipped"] == [
        {
            "id": 1,
            "reason": (
                "street: the invoicing master data of tenant 'coesfeld' lacks street, "
                "postcode, city; complete it before finalising"
            ),
        }
    ]


def test_finalize_needs_ids_or_all(app, runner):
    result = runner.invoke("billing", "finalize")
    assert result.exit_code == 2
    assert "Error: refs: name draft ids or pass --all" in result.stderr


def test_finalizing_a_final_invoice_again_is_refused(app, final_invoices):
    with pytest.raises(ConflictError):
        finalize(["1"])


def test_final_invoice_cannot_be_updated_with_raw_sql(app, final_invoices):
    with pytest.raises(DatabaseError, match="finalised invoices are immutable"):
        session.execute(
            text("UPDATE billing_invoice SET net_cents = 1 WHERE number = 'KIT-2024-00001'")
        )
    session.rollback()


def test_final_invoice_cannot_be_deleted_with_raw_sql(app, final_invoices):
    with pytest.raises(DatabaseError, match="finalised invoices are immutable"):
        session.execute(text("DELETE FROM billing_invoice WHERE number = 'KIT-2024-00001'"))
    session.rollback()


def test_lines_of_a_final_invoice_cannot_change_with_raw_sql(app, final_invoices):
    with pytest.raises(DatabaseError, match="finalised invoices are immutable"):
        session.execute(text("UPDATE billing_invoice_line SET net_cents = 1 WHERE invoice_id = 1"))
    session.rollback()
    with pytest.raises(DatabaseError, match="finalised invoices are immutable"):
        session.execute(text("DELETE FROM billing_invoice_line WHERE invoice_id = 1"))
    session.rollback()


def test_no_line_can_be_added_to_a_final_invoice_with_raw_sql(app, final_invoices):
    insert = text(
        "INSERT INTO billing_invoice_line (invoice_id, position, item_key, description, "
        "quantity, unit_code, "
        "unit_price_cents, net_cents, vat_category, vat_rate_bp, period_start, period_end) VALUES "
        "(1, 9, 'x', 'x', 1, 'C62', 1, 1, 'S', 1900, '2024-01-01', '2024-01-01')"
    )
    with pytest.raises(DatabaseError, match="finalised invoices are immutable"):
        session.execute(insert)
    session.rollback()


def test_draft_can_still_change_with_raw_sql(app, connected_2024):
    run("2024-03")
    session.execute(text("UPDATE billing_invoice SET net_cents = net_cents WHERE id = 1"))
    session.rollback()


def test_cancellation_references_the_original_number_and_date(app, final_invoices, runner):
    result = runner.invoke(
        "billing",
        "cancel",
        "KIT-2024-00003",
        "--reason",
        "Falscher Anschlusstag",
        "--date",
        "2024-04-10",
        "--json",
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["number"], document["type_code"], document["status"]) == (
        "KIT-2024-00004",
        "381",
        "final",
    )
    assert document["preceding_invoice"] == {"number": "KIT-2024-00003", "issue_date": "2024-04-02"}
    assert document["gross"] == "5939.64"
    original = invoices_json(runner, "--payer", "duelmen", "--status", "cancelled")
    assert [i["number"] for i in original] == ["KIT-2024-00003"]


def test_cancelled_items_are_billed_anew_on_a_new_invoice(app, final_invoices):
    cancel("KIT-2024-00003", "Falscher Anschlusstag", today=dt.date(2024, 4, 10))
    result = run("2024-03")
    assert (result.invoices_created, result.lines_created) == (1, 2)
    report = finalize_all(dt.date(2024, 4, 11))
    assert report["finalized"] == ["KIT-2024-00005"]


def test_cancelling_twice_is_refused(app, final_invoices):
    cancel("KIT-2024-00003", "Falscher Anschlusstag")
    with pytest.raises(ConflictError) as caught:
        cancel("KIT-2024-00003", "noch einmal")
    assert str(caught.value) == "number: invoice KIT-2024-00003 is cancelled already"


def test_cancel_needs_a_reason(app, final_invoices):
    with pytest.raises(ValidationError) as caught:
        cancel("KIT-2024-00003", "  ")
    assert str(caught.value) == "reason: say why the invoice is cancelled"


def test_original_is_unchanged_after_cancellation(app, final_invoices):
    before = invoice_by_number("KIT-2024-00003")
    snapshot = (before.net_cents, before.status, before.issue_date, len(before.lines))
    cancel("KIT-2024-00003", "Falscher Anschlusstag")
    session.expire_all()
    after = invoice_by_number("KIT-2024-00003")
    assert (after.net_cents, after.status, after.issue_date, len(after.lines)) == snapshot


def test_database_dialect_is_covered(app):
    assert get_db().dialect in ("sqlite", "postgresql")
