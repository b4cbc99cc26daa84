"""The operator console's frame (``/operator/``): navigation, home, audit log.

The IT service provider's home in the browser. Core owns only the frame and the
cross-tenant audit log; the sections (tenants, invoices, billing runs) come from the
plugins through the ``operator_sections`` hook, so core never imports a plugin.
Plugin pages extend ``core/operator_base.html`` to get the console navigation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from core.audit import ACTION_LABELS, action_label, actor_label
from core.auth import current_principal, operator_required
from core.db import session
from core.links import OperatorSection
from core.models import AuditEntry, Tenant
from core.plugins import current_host
from core.tenancy import cross_tenant

#: Rows per page of the console's lists.
PAGE_SIZE = 50


def sections() -> list[OperatorSection]:
    """Every plugin's sections, then core's audit log; none for non-operators."""
    if not current_principal().is_operator:
        return []
    host = current_host()
    found = [item for _plugin, items in host.call_each("operator_sections") for item in items]
    audit = OperatorSection(
        str(_l("Audit log")),
        url_for("operator.audit"),
        str(_l("Who changed what, when and why, across all tenants.")),
    )
    return [*found, audit]


@dataclass(frozen=True)
class Page:
    """One page of a list: which rows, and whether there are more."""

    number: int
    size: int
    total: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first_row(self) -> int:
        return min(self.total, self.offset + 1)

    @property
    def last_row(self) -> int:
        return min(self.total, self.offset + self.size)


def page_of(total: int, size: int = PAGE_SIZE) -> Page:
    """The page asked for in ``?page=`` (clamped to the pages there are)."""
    number = request.args.get("page", 1, type=int) or 1
    last = max(1, -(-total // size))
    return Page(min(max(1, number), last), size, total)


def page_url(number: int) -> str:
    """The current URL with another page number (filters kept)."""
    args = request.args.to_dict()
    args["page"] = str(number)
    return url_for(request.endpoint or "operator.index", **(request.view_args or {}), **args)


@operator_required
def index() -> str:
    """The console's home: its sections."""
    return render_template("core/operator_index.html")


@operator_required
def audit() -> str:
    """The audit log of every tenant and the platform, newest first, filterable."""
    filters = {
        "tenant": request.args.get("tenant", "").strip()[:100],
        "action": request.args.get("action", "").strip()[:100],
        "actor": request.args.get("actor", "").strip()[:200],
    }
    stmt = _audit_select(filters)
    with cross_tenant("the operator reads the whole audit log"):
        total = session.scalar(stmt.with_only_columns(func.count(AuditEntry.id))) or 0
        page = page_of(total)
        rows = session.execute(
            stmt.add_columns(Tenant.slug)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .offset(page.offset)
            .limit(page.size)
        ).all()
    return render_template(
        "core/operator_audit.html",
        rows=rows,
        page=page,
        filters=filters,
        actions=sorted(ACTION_LABELS),
    )


def _audit_select(filters: dict[str, str]) -> Any:
    stmt = select(AuditEntry).outerjoin(Tenant, Tenant.id == AuditEntry.tenant_id)
    if filters["tenant"]:
        key = filters["tenant"]
        stmt = stmt.where(or_(Tenant.slug == key, Tenant.ags == key))
    if filters["action"]:
        stmt = stmt.where(AuditEntry.action == filters["action"])
    if filters["actor"]:
        stmt = stmt.where(AuditEntry.actor.contains(filters["actor"]))
    return stmt


#: The console's own pages: (rule, view, methods).
ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/", index, ["GET"]),
    ("/audit", audit, ["GET"]),
]


def blueprint() -> Blueprint:
    """A fresh blueprint of the console's frame (one per application)."""
    bp = Blueprint("operator", __name__, url_prefix="/operator")
    for rule, view, methods in ROUTES:
        bp.add_url_rule(rule, view_func=view, methods=methods)
    return bp


def init_app(app: Any) -> None:
    """Register the console and its template helpers."""
    app.register_blueprint(blueprint())
    app.jinja_env.globals["operator_sections"] = sections
    app.jinja_env.globals["page_url"] = page_url
    app.add_template_filter(action_label, "audit_action")
    app.add_template_filter(actor_label, "audit_actor")
