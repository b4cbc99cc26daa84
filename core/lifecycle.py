"""What core does at a tenant's start and end: announce it, export everything, purge it.

Core knows every tenant-scoped table (each has a ``tenant_id`` column), so the export
and the deletion are complete by construction, also for tables of plugins that are
currently disabled; plugins add what does not live in such a table through the hooks
``export_tenant_data`` and ``tenant_offboarding``.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
from typing import Any

from sqlalchemy import MetaData, Table, delete, func, select

from core import accounts, gazetteer
from core.db import Base, session, utcnow
from core.errors import ConflictError, ValidationError
from core.identifiers import (
    alias_keys,
    display_name,
    known_place,
    parent_keys,
    suggested_slug,
    tenant_kind_of,
    tenant_place,
    validate_leitweg_id,
)
from core.models import Tenant, TenantAlias, TenantKind, TenantStatus
from core.plugins import current_host
from core.tenancy import tenant_context
from core.tenant_routing import validate_slug

TENANT_COLUMN = "tenant_id"
EXPORT_FORMAT = "rathaus-tenant-export/1"


def register_tenant(
    ags: str,
    *,
    slug: str | None = None,
    name: str | None = None,
    status: TenantStatus = TenantStatus.REQUESTED,
    leitweg_id: str | None = None,
    invoice_email: str | None = None,
    contact_email: str | None = None,
    **master_data: Any,
) -> Tenant:
    """Register a municipality, Kreis or Land as a tenant; announce it to plugins.

    Name and kind come from the gazetteer (``name`` overrides the display name). The
    nearest registered ancestor becomes the parent, and registered descendants whose
    nearest ancestor this tenant now is are re-linked to it, whichever is registered
    first. Everything is validated before anything is written; the caller commits.

    :raises ValidationError: malformed or unknown AGS, bad slug, bad Leitweg-ID or
        e-mail address (the field is named).
    :raises ConflictError: the AGS or the slug is taken.
    """
    place = tenant_place(ags)
    slug = validate_slug(slug if slug is not None else suggested_slug(place))
    if leitweg_id:
        leitweg_id = validate_leitweg_id(leitweg_id)
    invoice_email = _email(invoice_email, "invoice_email")
    contact_email = _email(contact_email, "contact_email")
    if session.scalar(select(Tenant.slug).where(Tenant.ags == place.ags)) is not None:
        raise ConflictError(
            "AGS %(place_ags)s (%(place_name)s) is already a tenant",
            field="ags",
            code="tenant.ags.exists",
            place_ags=place.ags,
            place_name=place.name,
        )
    _refuse_registered_alias(place)
    if session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise ConflictError(
            "slug %(slug)r is taken", field="slug", code="tenant.slug.taken", slug=slug
        )
    tenant = Tenant(
        ags=place.ags,
        slug=slug,
        name=place.name,
        display_name=(name or "").strip() or display_name(place),
        kind=TenantKind(tenant_kind_of(place)),
        status=status,
        leitweg_id=leitweg_id,
        invoice_email=invoice_email,
        contact_email=contact_email,
        **master_data,
    )
    tenant.parent = nearest_registered_ancestor(place.ags)
    session.add(tenant)
    session.flush()
    record_aliases(tenant, place)
    relink_descendants(tenant)
    announce_onboarded(tenant)
    return tenant


def _refuse_registered_alias(place: Any) -> None:
    """A Kommune registered under an alias key before (an old duplicate) blocks a
    second tenant for it: the doctor merges, registering again would not."""
    aliases = alias_keys(place)
    if not aliases:
        return
    taken = session.scalar(select(Tenant.slug).where(Tenant.ags.in_(aliases)))
    if taken is not None:
        raise ConflictError(
            "AGS %(ags)s (%(name)s) is already tenant %(slug)s under another key; run "
            "'rathaus tenants doctor --merge'",
            field="ags",
            code="tenant.registered_as_alias",
            ags=place.ags,
            name=place.name,
            slug=taken,
        )


def record_aliases(tenant: Tenant, place: Any) -> None:
    """Store the register keys that also name ``tenant``'s Kommune (idempotent)."""
    known = set(
        session.scalars(select(TenantAlias.ags).where(TenantAlias.alias_of_id == tenant.id))
    )
    for key in alias_keys(place):
        if key not in known:
            session.add(TenantAlias(ags=key, alias_of_id=tenant.id))
    session.flush()


def _email(value: str | None, field: str) -> str | None:
    """A normalised address, or None; errors name ``field``."""
    if not value:
        return None
    try:
        return accounts.normalise_email(value)
    except ValidationError as exc:
        raise exc.with_field(field) from None


def ensure_tenant(ags: str, status: TenantStatus = TenantStatus.ACTIVE, **fields: Any) -> Tenant:
    """The tenant with this AGS, registering it (with the suggested slug) if missing.

    For demo data and fixtures that several plugins share: whichever plugin runs
    first creates the tenant, the others find it.
    """
    existing = session.scalar(select(Tenant).where(Tenant.ags == validate_ags_key(ags)))
    if existing is None:
        existing = session.scalar(select(Tenant).where(Tenant.ags == tenant_place(ags).ags))
    if existing is not None:
        return existing
    return register_tenant(ags, status=status, **fields)


def validate_ags_key(ags: str) -> str:
    """The normalised AGS (2, 5 or 8 digits)."""
    return known_place(ags).ags


def ancestor_keys(ags: str) -> list[str]:
    """Keys above an AGS, nearest first: Gemeinde -> Kreis -> Land; a kreisfreie
    Stadt's own Kreis key (an alias) is skipped, so its parent is the Land."""
    place = gazetteer.lookup(ags)
    if place is None:
        return [key for key in (ags[:5], ags[:2]) if len(key) < len(ags)]
    return parent_keys(place)


def nearest_registered_ancestor(ags: str) -> Tenant | None:
    """The registered tenant closest above ``ags``, if any; offboarded tenants are
    skipped (they have no admins and no data left to share with a child)."""
    for key in ancestor_keys(ags):
        parent = session.scalar(
            select(Tenant).where(Tenant.ags == key, Tenant.status != TenantStatus.OFFBOARDED)
        )
        if parent is not None:
            return parent
    return None


def relink_descendants(tenant: Tenant) -> list[Tenant]:
    """Point registered descendants at ``tenant`` where it is their nearest ancestor."""
    if tenant.kind.is_municipality:
        return []
    changed = []
    below = session.scalars(
        select(Tenant).where(Tenant.ags.startswith(tenant.ags), Tenant.id != tenant.id)
    )
    for child in below:
        if nearest_registered_ancestor(child.ags) is tenant and child.parent_id != tenant.id:
            child.parent = tenant
            changed.append(child)
    session.flush()
    return changed


def announce_onboarded(tenant: Tenant) -> None:
    """Tell every plugin about a newly registered tenant (hook ``tenant_onboarded``)."""
    session.flush()
    _host().hook.tenant_onboarded(tenant=tenant)


def tenant_tables() -> list[Table]:
    """Every table in the database with a ``tenant_id`` column, parents before children.

    Reflected from the database rather than taken from the models, so that the tables
    of disabled plugins are included.
    """
    reflected = MetaData()
    reflected.reflect(bind=session.connection())
    return [
        table
        for table in reflected.sorted_tables
        if TENANT_COLUMN in table.c and not table.name.startswith("alembic_version")
    ]


def secret_columns() -> set[tuple[str, str]]:
    """``(table, column)`` of every model column marked ``info={"secret": True}``
    (password hashes, token digests): never part of an export."""
    _host().import_models()
    return {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.info.get("secret")
    }


def export_tenant(tenant: Tenant) -> dict[str, Any]:
    """Everything stored for ``tenant``: every row of every tenant-scoped table, plus
    what plugins contribute (hook ``export_tenant_data``). Secret columns (hashes of
    passwords and tokens) are left out and listed under ``redacted``."""
    secrets = secret_columns()
    tables = {}
    for table in tenant_tables():
        with tenant_context(tenant):  # row-level security: the tenant's own rows
            rows = session.connection().execute(
                select(table)
                .where(table.c[TENANT_COLUMN] == tenant.id)
                .order_by(*table.primary_key.columns)
            )
        tables[table.name] = [
            {
                key: _plain(value)
                for key, value in row._mapping.items()
                if (table.name, key) not in secrets
            }
            for row in rows
        ]
    with tenant_context(tenant):
        contributions = dict(_host().call_each("export_tenant_data", tenant=tenant))
    return {
        "format": EXPORT_FORMAT,
        "exported_at": utcnow().isoformat(),
        "tenant": {
            column.name: _plain(getattr(tenant, column.key)) for column in Tenant.__table__.columns
        },
        "tables": tables,
        "plugins": contributions,
        "redacted": sorted(f"{table}.{column}" for table, column in secrets),
    }


def purge_tenant(tenant: Tenant) -> dict[str, int]:
    """Delete every row of every tenant-scoped table belonging to ``tenant``.

    Calls ``tenant_offboarding`` first; runs in the caller's transaction, so the
    caller commits (or, when anything fails, nothing is deleted). The tenant's own
    registry row stays. Returns the number of rows deleted per table.
    """
    with tenant_context(tenant):
        _host().hook.tenant_offboarding(tenant=tenant)
    session.flush()
    deleted = {}
    for table in reversed(tenant_tables()):
        with tenant_context(tenant):  # row-level security: the tenant's own rows
            result = session.connection().execute(
                delete(table).where(table.c[TENANT_COLUMN] == tenant.id)
            )
        if result.rowcount:
            deleted[table.name] = result.rowcount
    session.expire_all()
    return deleted


def count_tenant_rows(tenant: Tenant) -> dict[str, int]:
    """Rows per tenant-scoped table that belong to ``tenant`` (for checks and reports)."""
    counts = {}
    for table in tenant_tables():
        with tenant_context(tenant):  # row-level security: the tenant's own rows
            counts[table.name] = session.connection().scalar(
                select(func.count()).select_from(table).where(table.c[TENANT_COLUMN] == tenant.id)
            )
    return counts


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if hasattr(value, "value") and not isinstance(value, int | float | str | bool):
        return value.value
    return value


def _host() -> Any:
    return current_host()
