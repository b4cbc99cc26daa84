"""Bulk onboarding from the Destatis GV100AD file or a simple CSV.

Three steps, so that an import is all-or-nothing and fast:

1. **read** the file into rows, noting every line that cannot be read (GV100AD
   records of other levels — Regierungsbezirk, Region, Gemeindeverband — are not
   tenants and are counted as ignored);
2. **plan**: validate every row against the gazetteer and the registry (loaded
   once into memory), decide what to create and what to update, give every new
   tenant a slug and its parent — all without writing;
3. **write** the plan in bulk (one INSERT per level and chunk, parents resolved in
   memory), with one audit entry per new or changed tenant, then announce the new
   tenants to the plugins (hook ``tenant_onboarded``).

Slugs: a CSV may give one (it must be free); otherwise the gazetteer suggests one
(``coesfeld``, ``kreis-coesfeld``). When several places suggest the same slug, the
most populous (then Land before Kreis before Gemeinde) gets it and the others get
their AGS appended (``neuenkirchen-03358017``); a slug already taken in the registry
is never reused. Re-importing a file creates nothing new and updates changed names.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from core import audit, gazetteer
from core.db import session, utcnow
from core.errors import ValidationError
from core.gv100ad import GV100FormatError, parse_line
from core.identifiers import (
    alias_keys,
    display_name,
    known_place,
    municipality_place,
    parent_keys,
    suggested_slug,
    tenant_kind_of,
    validate_ags,
    validate_leitweg_id,
)
from core.models import AuditEntry, Tenant, TenantAlias, TenantKind, TenantStatus
from core.plugins import current_host
from core.tenancy import cross_tenant
from core.tenant_routing import validate_slug
from plugins.tenants.masterdata import check_email, check_text

TENANT_KINDS = ("land", "kreis", "gemeinde")
KIND_ORDER = {kind: n for n, kind in enumerate(TENANT_KINDS)}
CSV_COLUMNS = ("ags", "slug", "leitweg_id", "email", "name")
FORMATS = ("auto", "gv100ad", "csv")
GV100AD_LINE = re.compile(r"^\ufeff?\d{10}")
CHUNK = 1000

Progress = Callable[[int], None]


@dataclass(frozen=True)
class BadLine:
    """A line of the file that cannot be imported, and why."""

    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field + ': ' if self.field else ''}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class SourceRow:
    """One tenant as the file describes it."""

    line: int
    ags: str
    name: str | None = None  # the official name (GV100AD); a CSV takes the gazetteer's
    slug: str | None = None
    leitweg_id: str | None = None
    email: str | None = None
    display_name: str | None = None


@dataclass
class Source:
    """What was read from a file."""

    name: str
    format: str
    rows: list[SourceRow] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)
    ignored: int = 0


# ---------------------------------------------------------------------------------
# 1. Reading
# ---------------------------------------------------------------------------------


def read_source(
    path: str | os.PathLike[str], file_format: str = "auto", name: str | None = None
) -> Source:
    """Read a GV100AD or CSV file; problems of single lines are collected, a file
    that cannot be read at all raises ``ValidationError`` (field ``file``)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError(
            "cannot read %(path)s: %(strerror)s",
            field="file",
            code="tenants.import.file.unreadable",
            path=path,
            strerror=exc.strerror,
        ) from None
    return parse_source(data, file_format, name or Path(path).name)


def parse_source(data: bytes, file_format: str, name: str) -> Source:
    """Parse a file's bytes (see :func:`read_source`)."""
    if file_format not in FORMATS:
        raise ValidationError(
            "%(file_format)r is not one of %(formats)s",
            field="format",
            code="tenants.import.format.unknown_choice",
            file_format=file_format,
            formats=", ".join(FORMATS),
        )
    if file_format == "auto":
        file_format = _detect(data)
    if file_format == "gv100ad":
        return _read_gv100ad(data, name)
    try:
        return _read_csv(data, name)
    except csv.Error as exc:  # e.g. a field over the csv module's 128 KiB limit
        raise ValidationError(
            "the CSV cannot be read: %(problem)s",
            field="file",
            code="import.csv.unreadable",
            problem=str(exc),
        ) from None


def _detect(data: bytes) -> str:
    first = next((line for line in data.splitlines() if line.strip()), b"")
    text = first.decode("utf-8", errors="replace")
    if GV100AD_LINE.match(text):
        return "gv100ad"
    if "ags" in [
        part.strip().strip('"').lower() for part in re.split(r"[;,]", text.lstrip("\ufeff"))
    ]:
        return "csv"
    raise ValidationError(
        "neither a GV100AD file (fixed-width records) nor a CSV file with a header line "
        "naming an 'ags' column",
        field="file",
        code="tenants.import.file.unknown_format",
    )


def _read_gv100ad(data: bytes, name: str) -> Source:
    source = Source(name, "gv100ad")
    for line_no, raw in enumerate(data.split(b"\n"), start=1):
        try:
            text = raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as exc:
            source.bad.append(BadLine(line_no, None, f"not valid UTF-8 (column {exc.start + 1})"))
            continue
        if line_no == 1:
            text = text.removeprefix("\ufeff")
        if not text.strip():
            continue
        try:
            record = parse_line(text, line_no)
        except GV100FormatError as exc:
            source.bad.append(BadLine(line_no, None, exc.message))
            continue
        if record.kind in TENANT_KINDS:
            source.rows.append(SourceRow(line_no, record.ags, name=record.name))
        else:
            source.ignored += 1
    return source


def _read_csv(data: bytes, name: str) -> Source:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_no = data[: exc.start].count(b"\n") + 1
        raise ValidationError(
            "line %(line_no)s is not valid UTF-8; save the CSV as UTF-8",
            field="file",
            code="tenants.import.file.not_utf8",
            line_no=line_no,
        ) from None
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [(column or "").strip().lower() for column in reader.fieldnames or []]
    unknown = [column for column in columns if column not in CSV_COLUMNS]
    if unknown:
        raise ValidationError(
            "unknown column(s) %(columns)s; known: %(csv_columns)s",
            field="file",
            code="tenants.import.file.unknown_columns",
            columns=", ".join(map(repr, unknown)),
            csv_columns=", ".join(CSV_COLUMNS),
        )
    reader.fieldnames = columns
    source = Source(name, "csv")
    for record in reader:
        line_no = reader.line_num
        if None in record:
            source.bad.append(
                BadLine(line_no, None, f"more values than the {len(columns)} columns of the header")
            )
            continue
        values = {key: (value or "").strip() for key, value in record.items()}
        if not any(values.values()):
            continue
        source.rows.append(
            SourceRow(
                line_no,
                values.get("ags", ""),
                slug=values.get("slug") or None,
                leitweg_id=values.get("leitweg_id") or None,
                email=values.get("email") or None,
                display_name=values.get("name") or None,
            )
        )
    return source


def gazetteer_source(filters: Filters) -> Source:
    """The built-in gazetteer as an import source: the Land or Kreis of ``filters``
    with everything in it (all of Germany without a filter). Rows are numbered like
    lines in AGS order, so reports read as for a file."""
    prefix = filters.kreis or filters.land or ""
    places = gazetteer.places_under(prefix)
    rows = [
        SourceRow(number, place.ags, name=place.name)
        for number, place in enumerate(places, start=1)
    ]
    return Source("gazetteer", "gazetteer", rows=rows)


# ---------------------------------------------------------------------------------
# 2. Planning
# ---------------------------------------------------------------------------------


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
class Filters:
    """Import only the places in one Land or one Kreis."""

    land: str | None = None
    kreis: str | None = None

    def covers(self, ags: str) -> bool:
        """Whether ``ags`` lies in the filter (a Kreis filter leaves out the Land)."""
        prefix = self.kreis or self.land
        return prefix is None or ags.startswith(prefix)


def check_filters(land: str | None, kreis: str | None) -> Filters:
    """Validate ``--land``/``--kreis``: a known Land (2 digits) and Kreis (5 digits)."""
    if land is not None:
        land = validate_ags(land, "land")
        if len(land) != 2 or gazetteer.lookup(land) is None:
            raise ValidationError(
                "%(land)r is not a Land key (2 digits, 01-16)",
                field="land",
                code="tenants.import.land.invalid",
                land=land,
            )
    if kreis is not None:
        kreis = validate_ags(kreis, "kreis")
        place = gazetteer.lookup(kreis)
        if len(kreis) != 5 or place is None:
            raise ValidationError(
                "%(kreis)r is not the key of a Kreis (5 digits)",
                field="kreis",
                code="tenants.import.kreis.invalid",
                kreis=kreis,
            )
        if land is not None and not kreis.startswith(land):
            raise ValidationError(
                "Kreis %(kreis)s (%(place_name)s) does not lie in Land %(land)s",
                field="kreis",
                code="tenants.import.kreis.other_land",
                kreis=kreis,
                place_name=place.name,
                land=land,
            )
    return Filters(land, kreis)


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


# ---------------------------------------------------------------------------------
# 3. Writing
# ---------------------------------------------------------------------------------


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_plan(plan: Plan, progress: Progress | None = None) -> None:
    """Carry out a plan in bulk inside the caller's transaction (the caller commits)."""
    progress = progress or (lambda _n: None)
    now = utcnow()
    ids = {ags: registered.id for ags, registered in plan.registered.items()}
    created: list[int] = []
    for kind in TENANT_KINDS:  # parents before children, so their ids are known
        level = [new for new in plan.creates if new.place.kind == kind]
        for chunk in _chunks(level):
            rows = [
                new.values(ids.get(new.parent_ags) if new.parent_ags else None, now)
                for new in chunk
            ]
            result = session.execute(insert(Tenant).returning(Tenant.id, Tenant.ags), rows)
            for tenant_id, ags in result:
                ids[ags] = tenant_id
                created.append(tenant_id)
            progress(len(chunk))
    if plan.relinks:
        session.execute(
            update(Tenant), [{"id": i, "parent_id": ids[ags]} for i, ags in plan.relinks.items()]
        )
        progress(len(plan.relinks))
    for chunk in _chunks(plan.changes):
        session.execute(
            update(Tenant),
            [{"id": c.tenant.id, **{k: v[1] for k, v in c.fields.items()}} for c in chunk],
        )
        progress(len(chunk))
    _record_aliases(plan, ids, now)
    _audit(plan, ids, now)
    session.expire_all()
    _announce(created)


def _record_aliases(plan: Plan, ids: dict[str, int], now: Any) -> None:
    """The Kreis (and Land) keys of every new kreisfreie Stadt and Stadtstaat."""
    rows = [
        {"ags": key, "alias_of_id": ids[new.place.ags], "created_at": now}
        for new in plan.creates
        for key in alias_keys(new.place)
    ]
    known = set(session.scalars(select(TenantAlias.ags))) if rows else set()
    rows = [row for row in rows if row["ags"] not in known]
    if rows:
        session.execute(insert(TenantAlias), rows)


def _audit(plan: Plan, ids: dict[str, int], now: Any) -> None:
    """One entry per new or changed tenant (in its own log), one for the platform."""
    actor = audit.current_actor()
    where = {"file": plan.source.name}
    entries = [
        {
            "tenant_id": ids[new.place.ags],
            "at": now,
            "actor": actor,
            "action": "tenant.onboarded",
            "target": f"tenant:{new.slug}",
            "details": {
                **where,
                "line": new.row.line,
                "ags": new.place.ags,
                "parent": new.parent_ags,
            },
        }
        for new in plan.creates
    ]
    entries += [
        {
            "tenant_id": change.tenant.id,
            "at": now,
            "actor": actor,
            "action": "tenant.updated",
            "target": f"tenant:{change.tenant.slug}",
            "details": {**where, "line": change.line, "changes": change.fields},
        }
        for change in plan.changes
    ]
    # Bulk rows of many tenants at once (row-level security checks each row's tenant).
    with cross_tenant("the import writes the audit entry of every tenant it touches"):
        for chunk in _chunks(entries):
            session.execute(insert(AuditEntry), chunk)
    audit.record(
        "tenants.imported",
        f"file:{plan.source.name}",
        details={
            **where,
            "created": len(plan.creates),
            "updated": len(plan.changes),
            "skipped_lines": len(plan.bad),
        },
    )


def _announce(tenant_ids: Iterable[int]) -> None:
    """Call ``tenant_onboarded`` for each new tenant — if any plugin listens."""
    hook = current_host().hook.tenant_onboarded
    if not hook.get_hookimpls():
        return
    for chunk in _chunks(list(tenant_ids)):
        for tenant in session.scalars(
            select(Tenant).where(Tenant.id.in_(chunk)).order_by(Tenant.ags)
        ):
            hook(tenant=tenant)


# ---------------------------------------------------------------------------------
# The whole import
# ---------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did (or, when ``written`` is false, would have done)."""

    plan: Plan
    written: bool

    @property
    def aborted(self) -> bool:
        """Bad lines without ``skip_invalid``: nothing was written."""
        return bool(self.plan.bad) and not self.written

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        plan = self.plan
        return {
            "file": plan.source.name,
            "format": plan.source.format,
            "written": self.written,
            "created": len(plan.creates),
            "updated": len(plan.changes),
            "unchanged": plan.unchanged,
            "relinked": len(plan.relinks),
            "filtered": plan.filtered,
            "ignored": plan.source.ignored + plan.aliases,
            "bad_lines": [bad.as_dict() for bad in plan.bad],
            "tenants": [
                {
                    "line": n.row.line,
                    "ags": n.place.ags,
                    "slug": n.slug,
                    "name": n.name,
                    "parent": n.parent_ags,
                }
                for n in plan.creates
            ],
            "changes": [
                {"line": c.line, "slug": c.tenant.slug, "ags": c.tenant.ags, "changes": c.fields}
                for c in plan.changes
            ],
        }


def import_tenants(
    source: Source,
    *,
    filters: Filters | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Callable[[Plan], Progress | None] | None = None,
) -> ImportReport:
    """Plan an import and, unless it has bad lines (and not ``skip_invalid``) or is a
    dry run, write it. ``progress(plan)`` may return a callback for the written rows.
    The caller commits."""
    plan = plan_import(source, filters)
    if dry_run or (plan.bad and not skip_invalid):
        return ImportReport(plan, written=False)
    write_plan(plan, progress(plan) if progress else None)
    return ImportReport(plan, written=True)
