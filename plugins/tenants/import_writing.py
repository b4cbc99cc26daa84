"""Step 3 of a bulk import: write a :class:`~plugins.tenants.import_planning.Plan` in bulk.

One INSERT per level and chunk (parents before children, so their ids are known in
memory), the old keys of renamed places as aliases, one audit entry per new or
changed tenant, then the new tenants are announced to the plugins (hook
``tenant_onboarded``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update

from core import (
    AuditEntry,
    Tenant,
    TenantAlias,
    alias_keys,
    audit,
    cross_tenant,
    current_host,
    session,
    utcnow,
)
from plugins.tenants.import_sources import TENANT_KINDS

if TYPE_CHECKING:
    from plugins.tenants.import_planning import Plan

CHUNK = 1000

Progress = Callable[[int], None]


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
