"""``rathaus tenants doctor``: one tenant per Kommune, also in old installations.

Before a kreisfreie Stadt was one tenant, the GV100AD import created two for each
(``kreis-muenster`` for 05515 and ``muenster`` for 05515000) and three for Berlin and
Hamburg, and a kreisfreie Stadt's parent depended on how it was onboarded. The doctor
finds, per Kommune:

* ``duplicate``: several tenants for one Kommune;
* ``alias_key``: a tenant registered under an alias (the Kreis or Land key);
* ``kind``: a kreisfreie Stadt or Stadtstaat still of kind ``gemeinde``;
* ``aliases``: alias keys not recorded;
* ``parent``: a parent other than the nearest registered ancestor.

``--merge`` repairs them: the duplicates' rows in every table that points at a
tenant move to the surviving tenant (the one keyed by the Gemeinde AGS, else the
oldest), their audit entries included, an audit entry ``tenant.merged`` records each
merge, and the duplicate's registry row is deleted. A Kommune whose duplicates hold
rows that would collide (e.g. the same e-mail address registered at both) is left
alone and reported.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import MetaData, Table, delete, func, select, update

from core import (
    Tenant,
    TenantAlias,
    TenantKind,
    TenantStatus,
    alias_keys,
    audit,
    cross_tenant,
    emit,
    gazetteer,
    json_option,
    municipality_place,
    nearest_registered_ancestor,
    record_aliases,
    session,
    tenant_kind_of,
)
from plugins.tenants.registry import target

TENANT_TABLE = "core_tenant"


@dataclasses.dataclass
class Finding:
    """One problem with the tenants of one Kommune."""

    kommune: str
    problem: str
    tenants: list[str]
    message: str
    fixed: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return dataclasses.asdict(self)


def _groups() -> dict[str, list[Tenant]]:
    """Tenants by the AGS their Kommune is keyed by (oldest first)."""
    groups: dict[str, list[Tenant]] = defaultdict(list)
    for tenant in session.scalars(select(Tenant).order_by(Tenant.id)):
        place = gazetteer.lookup(tenant.ags)
        key = municipality_place(place).ags if place is not None else tenant.ags
        groups[key].append(tenant)
    return groups


def _survivor(kommune: str, tenants: list[Tenant]) -> Tenant:
    return next((t for t in tenants if t.ags == kommune), tenants[0])


def diagnose() -> list[Finding]:
    """Every problem, nothing changed."""
    findings = []
    for kommune, tenants in sorted(_groups().items()):
        place = gazetteer.lookup(kommune)
        if place is None:
            continue
        survivor = _survivor(kommune, tenants)
        slugs = [survivor.slug] + [t.slug for t in tenants if t is not survivor]
        if len(tenants) > 1:
            findings.append(
                Finding(kommune, "duplicate", slugs, f"{len(tenants)} tenants for {place.name}")
            )
        if survivor.ags != kommune:
            findings.append(
                Finding(
                    kommune,
                    "alias_key",
                    [survivor.slug],
                    f"registered under {survivor.ags}, an alias of {kommune}",
                )
            )
        kind = TenantKind(tenant_kind_of(place))
        if survivor.kind != kind:
            findings.append(
                Finding(kommune, "kind", [survivor.slug], f"kind {survivor.kind} should be {kind}")
            )
        recorded = set(
            session.scalars(select(TenantAlias.ags).where(TenantAlias.alias_of_id == survivor.id))
        )
        if set(alias_keys(place)) - recorded:
            missing = sorted(set(alias_keys(place)) - recorded)
            findings.append(
                Finding(kommune, "aliases", [survivor.slug], f"aliases {missing} not recorded")
            )
    findings += _parent_findings()
    return findings


def _parent_findings() -> list[Finding]:
    findings = []
    for tenant in session.scalars(select(Tenant).order_by(Tenant.ags)):
        if tenant.status == TenantStatus.OFFBOARDED:
            continue
        expected = nearest_registered_ancestor(tenant.ags)
        expected_id = expected.id if expected is not None else None
        if tenant.parent_id != expected_id:
            should = expected.slug if expected is not None else "none"
            now = tenant.parent.slug if tenant.parent is not None else "none"
            findings.append(
                Finding(tenant.ags, "parent", [tenant.slug], f"parent {now} should be {should}")
            )
    return findings


# ---------------------------------------------------------------------------------
# Merging
# ---------------------------------------------------------------------------------


def _tenant_references() -> list[tuple[Table, Any]]:
    """``(table, column)`` of every column in the database that points at a tenant."""
    reflected = MetaData()
    reflected.reflect(bind=session.connection())
    return [
        (table, column)
        for table in reflected.sorted_tables
        for column in table.columns
        for fk in column.foreign_keys
        if fk.column.table.name == TENANT_TABLE and fk.column.name == "id"
    ]


def _unique_sets(table: Table) -> list[list[str]]:
    sets = [
        [c.name for c in constraint.columns]
        for constraint in table.constraints
        if constraint.__class__.__name__ == "UniqueConstraint"
    ]
    sets += [[c.name for c in index.columns] for index in table.indexes if index.unique]
    return sets


def _collision(table: Table, column: Any, dup_id: int, survivor_id: int) -> str | None:
    """The unique column set that moving ``dup_id``'s rows would violate, if any."""
    for names in _unique_sets(table):
        if column.name not in names:
            continue
        others = [table.c[name] for name in names if name != column.name]
        if not others:
            both = select(func.count()).where(column.in_([dup_id, survivor_id]))
            if session.connection().scalar(both.select_from(table)) > 1:
                return f"{table.name}({', '.join(names)})"
            continue
        clash = (
            select(*others)
            .where(column == dup_id)
            .intersect(select(*others).where(column == survivor_id))
        )
        if session.connection().scalar(select(func.count()).select_from(clash.subquery())):
            return f"{table.name}({', '.join(names)})"
    return None


def _move_rows(references: list[tuple[Table, Any]], dup_id: int, survivor_id: int) -> dict:
    moved = {}
    for table, column in references:
        result = session.connection().execute(
            update(table).where(column == dup_id).values({column.name: survivor_id})
        )
        if result.rowcount:
            moved[f"{table.name}.{column.name}"] = result.rowcount
    return moved


def merge_kommune(kommune: str, tenants: list[Tenant]) -> str | None:
    """Merge one Kommune's tenants into one and key it right; returns why it could
    not be merged (nothing changed then), or None."""
    place = gazetteer.lookup(kommune)
    survivor = _survivor(kommune, tenants)
    duplicates = [t for t in tenants if t is not survivor]
    references = _tenant_references()
    for dup in duplicates:
        for table, column in references:
            clash = _collision(table, column, dup.id, survivor.id)
            if clash is not None:
                return f"{dup.slug} and {survivor.slug} both have rows in {clash}"
    for dup in duplicates:
        moved = _move_rows(references, dup.id, survivor.id)
        session.expire_all()
        audit.record(
            "tenant.merged",
            target(survivor),
            tenant=survivor,
            reason="one tenant per Kommune (rathaus tenants doctor --merge)",
            details={"merged": dup.slug, "ags": dup.ags, "moved": moved},
        )
        session.execute(delete(Tenant).where(Tenant.id == dup.id))
    session.expire_all()
    survivor = session.get(Tenant, survivor.id)
    if survivor.ags != kommune:
        survivor.name = place.name
    survivor.ags = kommune
    survivor.kind = TenantKind(tenant_kind_of(place))
    session.flush()
    record_aliases(survivor, place)
    return None


def repair() -> list[Finding]:
    """Diagnose, merge and re-key every Kommune, fix parents; returns the findings,
    each marked ``fixed`` or not. The caller commits."""
    findings = diagnose()
    refused: dict[str, str] = {}
    for kommune, tenants in sorted(_groups().items()):
        if gazetteer.lookup(kommune) is None:
            continue
        if any(f.kommune == kommune and f.problem != "parent" for f in findings):
            why = merge_kommune(kommune, tenants)
            if why is not None:
                refused[kommune] = why
    _fix_parents()
    for finding in findings:
        finding.fixed = finding.kommune not in refused
        if not finding.fixed:
            finding.message += f" (not merged: {refused[finding.kommune]})"
    return findings


def _fix_parents() -> None:
    session.expire_all()
    for tenant in session.scalars(select(Tenant).order_by(Tenant.ags)):
        if tenant.status == TenantStatus.OFFBOARDED:
            continue
        expected = nearest_registered_ancestor(tenant.ags)
        expected_id = expected.id if expected is not None else None
        if tenant.parent_id != expected_id:
            tenant.parent_id = expected_id
    session.flush()


@click.command()
@click.option("--merge", is_flag=True, help="Merge duplicates, re-key tenants, fix parents.")
@json_option
@with_appcontext
def doctor(merge: bool, as_json: bool) -> None:
    """Find (and with --merge repair) several tenants for one Kommune: a kreisfreie
    Stadt registered as Kreis and Gemeinde, a Stadtstaat as Land, Kreis and Gemeinde.

    Exit status 0 when nothing is (left) wrong, 1 otherwise.
    """
    with cross_tenant("tenants doctor moves the rows of duplicate tenants"):
        findings = repair() if merge else diagnose()
        if merge:
            session.commit()

    def show() -> None:
        for finding in findings:
            state = " [fixed]" if finding.fixed else ""
            click.echo(
                f"{finding.kommune} {finding.problem}: {', '.join(finding.tenants)}: "
                f"{finding.message}{state}"
            )
        if not findings:
            click.echo("One tenant per Kommune: nothing to repair.")

    emit([finding.as_dict() for finding in findings], as_json, show)
    if any(not finding.fixed for finding in findings):
        raise click.exceptions.Exit(1)
