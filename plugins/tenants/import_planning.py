"""Step 2 of a bulk import: plan it, without writing.

Every row is validated against the gazetteer and the registry (loaded once into
memory); the plan says what to create and what to update, gives every new tenant a
slug and its parent. Slugs: a CSV may give one (it must be free); otherwise the
gazetteer suggests one; when several places suggest the same slug, the most populous
(then Land before Kreis before Gemeinde) gets it and the others get their AGS
appended; a slug already taken in the registry is never reused.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from core import (
    Tenant,
    TenantKind,
    TenantStatus,
    ValidationError,
    display_name,
    gazetteer,
    known_place,
    municipality_place,
    parent_keys,
    session,
    suggested_slug,
    tenant_kind_of,
    validate_ags,
    validate_leitweg_id,
    validate_slug,
)
from plugins.tenants.import_sources import (
    TENANT_KINDS,
    BadLine,
    Filters,
    Source,
    SourceRow,
)
from plugins.tenants.masterdata import check_email, check_text

KIND_ORDER = {kind: n for n, kind in enumerate(TENANT_KINDS)}


@dataclass(frozen=True)
class Registered:
    """What the plan needs to know about a tenant already in the registry."""

    id: int
    ags: str
    slug: str
    name: str
    display_name: str | None
    kind: TenantKind
    parent_id: int | None
    status: TenantStatus
    leitweg_id: str | None
    contact_email: str | None


@dataclass
class NewTenant:
    """A tenant the import will create."""

    row: SourceRow
    place: gazetteer.Place
    name: str
    display_name: str
    leitweg_id: str | None
    email: str | None
    slug: str | None = None
    parent_ags: str | None = None

    def values(self, parent_id: int | None, now: Any) -> dict[str, Any]:
        """The row to insert."""
        return {
            "ags": self.place.ags,
            "slug": self.slug,
            "name": self.name,
            "display_name": self.display_name,
            "kind": TenantKind(tenant_kind_of(self.place)),
            "status": TenantStatus.REQUESTED,
            "parent_id": parent_id,
            "leitweg_id": self.leitweg_id,
            "contact_email": self.email,
            "parent_may_administer": False,
            "created_at": now,
            "updated_at": now,
        }


@dataclass
class Change:
    """Changed fields of a registered tenant: ``{field: [old, new]}``."""

    tenant: Registered
    line: int
    fields: dict[str, list[Any]]


@dataclass
class Plan:
    """Everything an import would do, decided before anything is written."""

    source: Source
    creates: list[NewTenant] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    #: registered tenant's id -> AGS of its new parent
    relinks: dict[int, str] = field(default_factory=dict)
    unchanged: int = 0
    filtered: int = 0
    #: register keys skipped as aliases of a Kommune planned from another line
    aliases: int = 0
    bad: list[BadLine] = field(default_factory=list)
    registered: dict[str, Registered] = field(default_factory=dict)

    @property
    def writes(self) -> int:
        """Rows the write step touches (for a progress bar)."""
        return len(self.creates) + len(self.changes) + len(self.relinks)


def load_registry() -> dict[str, Registered]:
    """Every registered tenant by AGS, in one query."""
    columns = [getattr(Tenant, f.name) for f in dataclasses.fields(Registered)]
    return {row.ags: Registered(*row) for row in session.execute(select(*columns))}


def plan_import(source: Source, filters: Filters | None = None) -> Plan:
    """Validate every row and decide what to create and update (nothing is written)."""
    filters = filters or Filters()
    plan = Plan(source, bad=list(source.bad), registered=load_registry())
    first_line: dict[str, int] = {}
    in_file = {row.ags.strip() for row in source.rows}
    planned: set[str] = set()
    for row in source.rows:
        try:
            ags = validate_ags(row.ags)
        except ValidationError as exc:
            plan.bad.append(BadLine(row.line, "ags", exc.message + _lost_zero_hint(row.ags)))
            continue
        if not filters.covers(ags):
            plan.filtered += 1
            continue
        if ags in first_line:
            plan.bad.append(
                BadLine(
                    row.line, "ags", f"AGS {ags} appears again (first on line {first_line[ags]})"
                )
            )
            continue
        first_line[ags] = row.line
        try:
            place = known_place(ags)
            kommune = municipality_place(place)
            if kommune.ags != ags and kommune.ags in in_file | planned:
                plan.aliases += 1  # Kreis or Land record of a kreisfreie Stadt/Stadtstaat
                continue
            if kommune.ags != ags:
                row = dataclasses.replace(row, name=None)  # the Gemeinde's own name
            planned.add(kommune.ags)
            _plan_row(plan, row, kommune)
        except ValidationError as exc:
            plan.bad.append(BadLine(row.line, exc.field, exc.message))
    _assign_slugs(plan)
    _assign_parents(plan)
    plan.bad.sort(key=lambda bad: bad.line)
    return plan


def _lost_zero_hint(text: str) -> str:
    digits = text.strip()
    if digits.isdigit() and len(digits) in (1, 4, 7):
        return " (a spreadsheet may have dropped the leading zero; store the column as text)"
    return ""


def _plan_row(plan: Plan, row: SourceRow, place: gazetteer.Place) -> None:
    leitweg_id = validate_leitweg_id(row.leitweg_id) if row.leitweg_id else None
    email = check_email(row.email, "email")
    chosen_name = check_text(row.display_name, "name", 200)
    slug = validate_slug(row.slug) if row.slug else None
    official = row.name or place.name
    existing = plan.registered.get(place.ags)
    if existing is not None:
        if slug is not None and slug != existing.slug:
            raise ValidationError(
                "AGS %(place_ags)s is already tenant %(existing_slug)r; an import does not "
                "change slugs",
                field="slug",
                code="tenants.import.slug.exists",
                place_ags=place.ags,
                existing_slug=existing.slug,
            )
        fields = _changed_fields(existing, place, official, chosen_name, leitweg_id, email)
        if fields:
            plan.changes.append(Change(existing, row.line, fields))
        else:
            plan.unchanged += 1
        return
    renamed = dataclasses.replace(place, name=official)
    plan.creates.append(
        NewTenant(
            row, place, official, chosen_name or display_name(renamed), leitweg_id, email, slug
        )
    )


def _changed_fields(
    existing: Registered,
    place: gazetteer.Place,
    official: str,
    chosen_name: str | None,
    leitweg_id: str | None,
    email: str | None,
) -> dict[str, list[Any]]:
    """Fields the file changes. A display name the tenant chose itself survives a
    rename; one derived from the old name follows the new name."""
    fields: dict[str, list[Any]] = {}
    if official != existing.name:
        fields["name"] = [existing.name, official]
        derived_before = display_name(dataclasses.replace(place, name=existing.name))
        if chosen_name is None and existing.display_name in (None, derived_before):
            chosen_name = display_name(dataclasses.replace(place, name=official))
    for name, new in (
        ("display_name", chosen_name),
        ("leitweg_id", leitweg_id),
        ("contact_email", email),
    ):
        old = getattr(existing, name)
        if new is not None and new != old:
            fields[name] = [old, new]
    return fields


def _assign_slugs(plan: Plan) -> None:
    """Explicit slugs first (they must be free), then the suggested ones."""
    claimed = {registered.slug: registered.ags for registered in plan.registered.values()}
    claimed_on: dict[str, int] = {}
    rejected: set[int] = set()
    for new in (n for n in plan.creates if n.slug is not None):
        if new.slug in claimed:
            plan.bad.append(
                BadLine(
                    new.row.line, "slug", f"slug {new.slug!r} is taken by AGS {claimed[new.slug]}"
                )
            )
            rejected.add(id(new))
        elif new.slug in claimed_on:
            plan.bad.append(
                BadLine(
                    new.row.line,
                    "slug",
                    f"slug {new.slug!r} is already used on line {claimed_on[new.slug]}",
                )
            )
            rejected.add(id(new))
        else:
            claimed_on[new.slug] = new.row.line
    taken = set(claimed) | set(claimed_on)
    groups: dict[str, list[NewTenant]] = defaultdict(list)
    for new in (n for n in plan.creates if n.slug is None):
        groups[suggested_slug(dataclasses.replace(new.place, name=new.name))].append(new)
    for base, members in groups.items():
        members.sort(key=lambda n: (-n.place.population, KIND_ORDER[n.place.kind], n.place.ags))
        for rank, new in enumerate(members):
            slug = _free_slug(base, new.place.ags, first=rank == 0, taken=taken)
            if slug is None:
                plan.bad.append(
                    BadLine(
                        new.row.line, "slug", f"no free slug for {new.name!r}; give one in a CSV"
                    )
                )
                rejected.add(id(new))
                continue
            taken.add(slug)
            new.slug = slug
    plan.creates = [new for new in plan.creates if id(new) not in rejected]


def _free_slug(base: str, ags: str, *, first: bool, taken: set[str]) -> str | None:
    candidates = [base, f"{base}-{ags}"] if first else [f"{base}-{ags}"]
    for candidate in candidates:
        if candidate in taken:
            continue
        try:
            return validate_slug(candidate)
        except ValidationError:
            continue
    return None


def _assign_parents(plan: Plan) -> None:
    """Nearest registered or imported ancestor for each new tenant; registered
    tenants whose nearest ancestor is now a new one are re-linked to it."""
    live = {ags for ags, r in plan.registered.items() if r.status != TenantStatus.OFFBOARDED}
    new_keys = {new.place.ags for new in plan.creates}
    candidates = live | new_keys

    def nearest(place: gazetteer.Place | None) -> str | None:
        keys = parent_keys(place) if place is not None else []
        return next((key for key in keys if key in candidates), None)

    for new in plan.creates:
        new.parent_ags = nearest(new.place)
    for registered in (r for r in plan.registered.values() if r.ags in live):
        parent = nearest(gazetteer.lookup(registered.ags))
        if parent in new_keys:
            plan.relinks[registered.id] = parent
