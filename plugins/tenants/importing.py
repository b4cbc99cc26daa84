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

Step 1 lives in :mod:`plugins.tenants.import_sources`, step 2 in
:mod:`plugins.tenants.import_planning`, step 3 in :mod:`plugins.tenants.import_writing`;
this module runs the whole import and reports it.

Slugs: a CSV may give one (it must be free); otherwise the gazetteer suggests one
(``coesfeld``, ``kreis-coesfeld``). When several places suggest the same slug, the
most populous (then Land before Kreis before Gemeinde) gets it and the others get
their AGS appended (``neuenkirchen-03358017``); a slug already taken in the registry
is never reused. Re-importing a file creates nothing new and updates changed names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from plugins.tenants.import_planning import Plan, plan_import
from plugins.tenants.import_sources import (
    Filters,
    Source,
)
from plugins.tenants.import_writing import Progress, write_plan

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
