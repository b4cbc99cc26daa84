"""``rathaus tenants ...``: the operator's command line for tenants.

Every command that returns data takes ``--json`` (then stdout holds only JSON).
User errors end with ``Error: <field>: <message>`` and exit status 2, and nothing is
written: each command commits only after everything succeeded.
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from core import TenantKind, ValidationError, emit, emit_rows, json_option, session
from plugins.tenants import describe, registry

REASON = click.option("--reason", help="Why (recorded in the audit log).")


@click.group()
def tenants() -> None:
    """Municipalities, Kreise and Länder on the platform: onboarding to offboarding."""


def _emit_tenant(tenant: Any, as_json: bool, message: str) -> None:
    emit(describe.summary(tenant), as_json, message)


# ---------------------------------------------------------------------------------
# Onboarding
# ---------------------------------------------------------------------------------


@tenants.command()
@click.option(
    "--ags", required=True, help="Amtlicher Gemeindeschlüssel: 2 (Land), 5 (Kreis) or 8 digits."
)
@click.option("--slug", help="URL name (default: suggested from the name, e.g. coesfeld).")
@click.option("--name", help="Display name (default: from the gazetteer, e.g. Stadt Coesfeld).")
@click.option("--leitweg-id", help="Leitweg-ID for e-invoices (XRechnung BT-10).")
@click.option("--email", help="Contact e-mail address shown on the portal.")
@click.option("--invoice-email", help="E-mail address for invoices.")
@REASON
@json_option
@with_appcontext
def onboard(
    ags: str,
    slug: str | None,
    name: str | None,
    leitweg_id: str | None,
    email: str | None,
    invoice_email: str | None,
    reason: str | None,
    as_json: bool,
) -> None:
    """Register one municipality, Kreis or Land (status: requested)."""
    from plugins.tenants.lifecycle import onboard as onboard_tenant

    tenant = onboard_tenant(
        ags,
        slug=slug,
        name=name,
        leitweg_id=leitweg_id,
        email=email,
        invoice_email=invoice_email,
        reason=reason,
    )
    session.commit()
    parent = f", under {tenant.parent.slug}" if tenant.parent else ""
    _emit_tenant(
        tenant,
        as_json,
        f"Onboarded {tenant.title} as {tenant.slug} (AGS {tenant.ags}, "
        f"{tenant.kind.value}{parent}); status requested.",
    )


@tenants.command("import")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--gazetteer",
    "from_gazetteer",
    is_flag=True,
    help="Import from the built-in gazetteer instead of a file (with --land or --kreis).",
)
@click.option("--land", help="Only this Land (2-digit key, e.g. 05).")
@click.option("--kreis", help="Only this Kreis and its Gemeinden (5-digit key, e.g. 05558).")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["auto", "gv100ad", "csv"]),
    default="auto",
    show_default=True,
    help="File format.",
)
@click.option("--skip-invalid", is_flag=True, help="Import the good lines and report the bad ones.")
@click.option("--dry-run", is_flag=True, help="Check and report, write nothing.")
@json_option
@with_appcontext
def import_(
    file: Path | None,
    from_gazetteer: bool,
    land: str | None,
    kreis: str | None,
    file_format: str,
    skip_invalid: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Onboard many tenants from a GV100AD file or a CSV (ags[,slug,leitweg_id,email,name]),
    or with --gazetteer from the built-in gazetteer (no file needed), e.g.
    `rathaus tenants import --gazetteer --kreis 05554`.

    All or nothing: a bad line aborts the import with a report of every bad line,
    unless --skip-invalid. Importing the same file again creates nothing new and
    updates changed names. Parents are linked as in the file import.
    """
    from plugins.tenants.import_sources import check_filters, gazetteer_source, read_source
    from plugins.tenants.importing import import_tenants

    started = time.perf_counter()
    filters = check_filters(land, kreis)
    if from_gazetteer and file is not None:
        raise ValidationError(
            "give either a FILE or --gazetteer, not both", field="file", code="import.source.both"
        )
    if file is None and not from_gazetteer:
        raise ValidationError(
            "give a FILE to import, or --gazetteer", field="file", code="import.source.missing"
        )
    source = gazetteer_source(filters) if file is None else read_source(file, file_format)
    stderr = sys.stderr
    show_progress = not as_json and on_terminal(stderr)
    with contextlib.ExitStack() as stack:

        def progress(plan: Any) -> Any:
            if not show_progress or not plan.writes:
                return None
            bar = click.progressbar(length=plan.writes, label="Importing", file=stderr)
            return stack.enter_context(bar).update

        report = import_tenants(
            source, filters=filters, skip_invalid=skip_invalid, dry_run=dry_run, progress=progress
        )
        if report.written:
            session.commit()
    data = {**report.as_dict(), "seconds": round(time.perf_counter() - started, 2)}
    emit(data, as_json, lambda: _print_import(data, report.aborted))
    if report.aborted:
        raise click.exceptions.Exit(2)


def on_terminal(stream: Any) -> bool:
    """Whether ``stream`` is a terminal (a progress bar would only clutter a log file)."""
    return stream.isatty()


def _print_import(data: dict[str, Any], aborted: bool) -> None:
    for bad in data["bad_lines"]:
        field = f"{bad['field']}: " if bad["field"] else ""
        click.echo(f"line {bad['line']}: {field}{bad['message']}", err=True)
    if aborted:
        click.echo(
            f"Error: file: {len(data['bad_lines'])} bad line(s); nothing was imported "
            "(fix them, or use --skip-invalid to import the good lines)",
            err=True,
        )
        return
    verb = "Imported" if data["written"] else "Would import (dry run)"
    click.echo(
        f"{verb} {data['file']} ({data['format']}): {data['created']} created, {data['updated']} "
        "updated, "
        f"{data['unchanged']} unchanged, {data['relinked']} re-linked, {data['filtered']} "
        "outside the filter, "
        f"{data['ignored']} other records ignored, {len(data['bad_lines'])} bad line(s) skipped "
        f"in {data['seconds']} s."
    )


# ---------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------


@tenants.command("list")
@click.option("--status", type=click.Choice(["requested", "active", "suspended", "offboarded"]))
@click.option("--kind", type=click.Choice([kind.value for kind in TenantKind]))
@click.option("--parent", help="Only the children of this tenant (slug or AGS).")
@click.option("--search", help="Name, slug, AGS prefix or postcode.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many.")
@json_option
@with_appcontext
def list_(
    status: str | None,
    kind: str | None,
    parent: str | None,
    search: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """Tenants in AGS order (Land, its Kreise, their Gemeinden)."""
    query = registry.TenantQuery(search=search, status=status, kind=kind, parent=parent)
    rows = describe.summaries(registry.list_tenants(query, limit=limit))
    emit_rows(
        rows,
        as_json,
        {
            "slug": "slug",
            "ags": "ags",
            "kind": "kind",
            "status": "status",
            "parent": lambda r: r["parent"] or "-",
            "name": "display_name",
        },
    )


@tenants.command()
@click.argument("tenant")
@json_option
@with_appcontext
def show(tenant: str, as_json: bool) -> None:
    """Everything about one tenant (slug or AGS)."""
    data = describe.detail(registry.find_tenant(tenant))
    emit(data, as_json, lambda: _print_detail(data))


def _print_detail(data: dict[str, Any]) -> None:
    """A tenant's detail as ``key: value`` lines."""
    for key, value in data.items():
        if key == "subscriptions":
            value = (
                ", ".join(f"{s['service']} ({s['status']} from {s['starts_on']})" for s in value)
                or "-"
            )
        elif isinstance(value, list):
            value = ", ".join(value) or "-"
        click.echo(f"{key}: {'-' if value is None else value}")


@tenants.command()
@click.argument("tenant", required=False)
@click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True)
@json_option
@with_appcontext
def audit(tenant: str | None, limit: int, as_json: bool) -> None:
    """The audit log: of one tenant (slug or AGS), or about all tenants."""
    entries = registry.audit_entries(registry.find_tenant(tenant) if tenant else None, limit=limit)
    rows = [describe.audit_data(entry) for entry in entries]
    emit_rows(
        rows,
        as_json,
        {
            "at": lambda r: r["at"].strftime("%Y-%m-%d %H:%M:%S"),
            "actor": "actor",
            "action": "action",
            "target": "target",
            "reason": lambda r: r["reason"] or "",
        },
    )


# ---------------------------------------------------------------------------------
# Lifecycle
# ---------------------------------------------------------------------------------


def _transition_command(action: str, help_text: str) -> click.Command:
    @click.command(name=action, help=help_text)
    @click.argument("tenant")
    @REASON
    @json_option
    @with_appcontext
    def command(tenant: str, reason: str | None, as_json: bool) -> None:
        from plugins.tenants.lifecycle import change_status

        found = change_status(registry.find_tenant(tenant), action, reason=reason)
        session.commit()
        _emit_tenant(found, as_json, f"{found.slug} is now {found.status.value}.")

    return command


tenants.add_command(
    _transition_command(
        "suspend",
        "Suspend an active tenant (--reason required): its services stop serving citizens, its "
        "data stays.",
    )
)
tenants.add_command(_transition_command("resume", "Resume a suspended tenant."))


@tenants.command()
@click.argument("tenant")
@click.option(
    "--export",
    "export_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="New file for the complete export (JSON); written before anything is deleted.",
)
@REASON
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
@with_appcontext
def offboard(tenant: str, export_path: Path, reason: str | None, yes: bool, as_json: bool) -> None:
    """Export all of a tenant's data to FILE, then delete it (--reason required)."""
    from plugins.tenants.exports import check_target, write_export
    from plugins.tenants.lifecycle import Action, check_transition
    from plugins.tenants.lifecycle import offboard as offboard_tenant

    found = registry.find_tenant(tenant)
    check_transition(found, Action.OFFBOARD, reason)
    target = check_target(export_path)
    if not yes:
        click.confirm(
            f"Offboard {found.title} ({found.slug}): write the export to {target}, then delete "
            "all its data?",
            abort=True,
            err=True,
        )
    result = offboard_tenant(
        found, reason=reason or "", write_export=lambda data: write_export(data, target)
    )
    session.commit()
    emit(
        result.as_dict(),
        as_json,
        f"Offboarded {found.slug}: export {result.export.path} ({result.export.size} bytes, "
        f"sha256 {result.export.sha256}); {sum(result.deleted.values())} rows deleted.",
    )


# ---------------------------------------------------------------------------------
# Administration
# ---------------------------------------------------------------------------------


@tenants.command("invite-admin")
@click.argument("tenant")
@click.argument("email")
@click.option("--days", type=int, help="Validity in days (default: TENANTS_INVITATION_DAYS, 7).")
@json_option
@with_appcontext
def invite_admin(tenant: str, email: str, days: int | None, as_json: bool) -> None:
    """Print a one-time link that makes EMAIL an admin of the tenant (mailed too,
    when MAIL_SERVER is configured)."""
    from plugins.tenants import invitations

    found = registry.find_tenant(tenant)
    issued = invitations.invite_admin(found, email, days=days)
    invitations.queue_invitation_mail(issued, found)
    session.commit()
    delivery = invitations.deliver_invitation_mail() if issued.mail_queued else None
    data = {**issued.as_dict(found), "mail": delivery}

    def show() -> None:
        click.echo(issued.link)
        note = (
            "mailed"
            if delivery and delivery["sent"]
            else "queued for mail"
            if issued.mail_queued
            else "not mailed"
        )
        click.echo(
            f"Invitation for {issued.invitation.email} to administer {found.slug}, valid until "
            f"{issued.invitation.expires_at:%Y-%m-%d %H:%M} UTC, single use ({note}).",
            err=True,
        )

    emit(data, as_json, show)


# Bulk activation and master data are in their own module (this one is long enough).
from plugins.tenants.cli_operations import activate, update  # noqa: E402

tenants.add_command(activate)
tenants.add_command(update)


# The subscription commands are in their own module too.
from plugins.tenants.cli_subscriptions import services, subscribe, unsubscribe  # noqa: E402

tenants.add_command(subscribe)
tenants.add_command(unsubscribe)
tenants.add_command(services)
