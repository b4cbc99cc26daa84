"""Row-level security on billing (PostgreSQL; nothing on SQLite).

Contracts and termination rights belong to one tenant. Invoices are the issuer's
records (platform data), so the platform scope (operator commands and pages) reads
them; a tenant context sees only the invoices it pays or issues (a Kreis issuing
cost shares), and their lines.

Revision ID: billing_0004
Revises: billing_0003
Created: 2026-12-03 14:00:00
"""

from __future__ import annotations

from core import rls

revision = "billing_0004"
down_revision = "billing_0003"
branch_labels = None
depends_on = None

# Built from constants only (no input), hence the noqa.
INVOICE_CONDITION = (
    f"{rls.CROSS_TENANT} OR {rls.CURRENT_TENANT} IS NULL "  # noqa: S608
    f"OR payer_tenant_id = {rls.CURRENT_TENANT} "
    f"OR issuer_id IN (SELECT id FROM billing_issuer WHERE own_tenant_id = {rls.CURRENT_TENANT})"
)
LINE_CONDITION = (
    f"{rls.CROSS_TENANT} OR {rls.CURRENT_TENANT} IS NULL "  # noqa: S608
    "OR EXISTS (SELECT 1 FROM billing_invoice i WHERE i.id = billing_invoice_line.invoice_id)"
)


def upgrade() -> None:
    rls.enable("billing_contract")
    rls.enable("billing_termination_right")
    rls.enable("billing_invoice", using=INVOICE_CONDITION)
    rls.enable("billing_invoice_line", using=LINE_CONDITION)


def downgrade() -> None:
    for table in (
        "billing_invoice_line",
        "billing_invoice",
        "billing_termination_right",
        "billing_contract",
    ):
        rls.disable(table)
