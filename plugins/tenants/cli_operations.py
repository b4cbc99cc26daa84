"""``rathaus tenants activate`` and ``rathaus tenants update``: bulk activation and
master data on the command line (added to the group by ``plugins.tenants.cli``)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from core import ValidationError, emit, json_option, session
from plugins.tenants import describe, registry

REASON = click.option("--reason", help="Why (recorded in the audit log).")


@click.command()
@click.argument("slugs", nargs=-1)
@click.option(
    "--children-of",
    "parent",
    help="Also every requested tenant below this one (slug or AGS), e.g. a Kreis's Gemeinden.",
)
@REASON
@json_option
@with_appcontext
def activate(slugs: tuple[str, ...], parent: str | None, reason: str | None, as_json: bool) -> None:
    """Activate requested tenants (slugs or AGS, several at once): their portals open.

    All in one process and one transaction: if any named tenant cannot be activated,
    nothing changes. With --children-of, the requested tenants below it are taken
    (those already active are left as they are).
    """
    from plugins.tenants.lifecycle import activate_many

    if not slugs and parent is None:
        raise ValidationError(
            "name the tenants to activate, or use --children-of",
            field="slugs",
            code="tenants.activate.none",
        )
    named = [registry.find_tenant(slug) for slug in slugs]
    below = registry.requested_below(registry.find_tenant(parent)) if parent else []
    activated = activate_many(named + below, reason=reason)
    session.commit()

    def show() -> None:
        for tenant in activated:
            click.echo(f"{tenant.slug} is now {tenant.status.value}.")
        click.echo(f"Activated {len(activated)} tenant(s).", err=True)

    emit(describe.summaries(activated), as_json, show)


#: ``tenants update`` options and the master data fields they set.
UPDATE_FIELDS = {
    "display_name": "display_name",
    "street": "address_street",
    "postcode": "address_postcode",
    "city": "address_city",
    "leitweg_id": "leitweg_id",
    "email": "contact_email",
    "invoice_email": "invoice_email",
}


@click.command()
@click.argument("tenant")
@click.option("--display-name", help="Name shown on the portal and invoices.")
@click.option("--street", help="Street and number of the invoice address.")
@click.option("--postcode", help="Postcode of the invoice address (5 digits).")
@click.option("--city", help="City of the invoice address.")
@click.option("--leitweg-id", help="Leitweg-ID for e-invoices (XRechnung BT-10).")
@click.option("--email", help="Contact e-mail address shown on the portal.")
@click.option("--invoice-email", help="E-mail address for invoices.")
@REASON
@json_option
@with_appcontext
def update(tenant: str, reason: str | None, as_json: bool, **options: str | None) -> None:
    """Set a tenant's master data (an empty value clears a field).

    Checked as on the settings page: every wrong field is reported, and nothing
    changes unless all are right.
    """
    from plugins.tenants.masterdata import MasterDataError, update_master_data

    changes = {UPDATE_FIELDS[name]: value for name, value in options.items() if value is not None}
    if not changes:
        raise ValidationError(
            "give at least one field to change", field="fields", code="tenants.update.empty"
        )
    found = registry.find_tenant(tenant)
    try:
        changed = update_master_data(found, changes, reason=reason)
    except MasterDataError as exc:
        # Name the options the user typed, not the database columns.
        options_by_field = {field: name for name, field in UPDATE_FIELDS.items()}
        raise MasterDataError(
            {options_by_field.get(f, f): message for f, message in exc.errors.items()}
        ) from None
    session.commit()

    def show() -> None:
        if not changed:
            click.echo(f"{found.slug}: nothing changed.")
        for field, (old, new) in changed.items():
            click.echo(f"{found.slug}: {field}: {old or '-'} -> {new or '-'}")

    emit({**describe.summary(found), "changed": changed}, as_json, show)
