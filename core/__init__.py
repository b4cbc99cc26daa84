"""Rathaus core: the kernel every plugin builds on, and the one surface plugins import.

A plugin imports from ``core`` and from nothing below it::

    from core import ServiceManifest, Tenant, ValidationError, hookimpl, session

The names below are the plugin API (version :data:`API_VERSION`); each is looked up
in the module that implements it on first use, so ``import core`` stays cheap for
the CLI's ``--help`` and for tools such as the gazetteer. ``docs/plugins.md`` lists
them, and ``tests/core/test_facade.py`` checks that the built-in plugins and the
example plugin import nothing else of core.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import pluggy

#: Name of the pluggy project; every hook marker uses it.
PROJECT_NAME = "rathaus"

#: Version of the plugin-facing API (hooks and the names of this module). Plugins
#: declare the range they support; see ``core.plugins``. Bump the minor version for
#: additions, the major version for breaking changes.
API_VERSION = "1.0"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

#: The plugin API: name -> the module that implements it.
EXPORTS: dict[str, str] = {
    # the application and its plugin host
    "create_app": "core.app",
    "current_host": "core.plugins",
    "read_text_file": "core.config",
    # database and time
    "Base": "core.db",
    "UTCDateTime": "core.db",
    "enum_column_type": "core.db",
    "get_db": "core.db",
    "session": "core.db",
    "utcnow": "core.db",
    # tenants and their isolation
    "TenantScoped": "core.tenancy",
    "cross_tenant": "core.tenancy",
    "tenant_context": "core.tenancy",
    "SLUG": "core.tenant_routing",
    "VISIBLE_STATUSES": "core.tenant_routing",
    "tenant_by_slug": "core.tenant_routing",
    "tenant_or_fail": "core.tenant_routing",
    "validate_slug": "core.tenant_routing",
    "ensure_tenant": "core.lifecycle",
    "nearest_registered_ancestor": "core.lifecycle",
    "record_aliases": "core.lifecycle",
    # core's tables
    "AuditEntry": "core.models",
    "OutboxMessage": "core.models",
    "OutboxStatus": "core.models",
    "Role": "core.models",
    "Subscription": "core.models",
    "Tenant": "core.models",
    "TenantAlias": "core.models",
    "TenantKind": "core.models",
    "TenantStatus": "core.models",
    "User": "core.models",
    "UserRole": "core.models",
    # services and subscriptions
    "NOTICE_REASONS": "core.services",
    "ServiceManifest": "core.manifests",
    "active_subscription": "core.services",
    "catalogue": "core.manifests",
    "end_subscription": "core.services",
    "is_subscribed": "core.services",
    "require_subscription": "core.services",
    "requires_service": "core.services",
    "subscribe": "core.services",
    "subscriptions_of": "core.services",
    # errors
    "ConflictError": "core.errors",
    "ErrorCollector": "core.errors",
    "NotFoundError": "core.errors",
    "PermissionDenied": "core.errors",
    "RathausError": "core.errors",
    "ValidationError": "core.errors",
    "ValidationErrors": "core.errors",
    "error_list": "core.errors",
    # who is asking
    "MAX_PASSWORD_LENGTH": "core.accounts",
    "MIN_PASSWORD_LENGTH": "core.accounts",
    "normalise_email": "core.accounts",
    "can_administer": "core.auth",
    "current_principal": "core.auth",
    "describe_user": "core.auth",
    "log_in": "core.auth",
    "login_required": "core.auth",
    "managed_municipality": "core.auth",
    "operator_required": "core.auth",
    "tenant_admin_required": "core.auth",
    "record_login": "core.demo_logins",
    "safe_next": "core.security",
    # pages, API and command line
    "API_PREFIX": "core.api",
    "problem": "core.api",
    "tenant_api_prefix": "core.api",
    "EmptyForm": "core.forms",
    "RegisterForm": "core.forms",
    "show_error": "core.forms",
    "validate_whole_form": "core.forms",
    "cents": "core.formatting",
    "LazyCommand": "core.lazycli",
    "AdminLink": "core.links",
    "PortalLink": "core.links",
    "admin_links_for": "core.portal",
    "OperatorSection": "core.links",
    "page_of": "core.operator",
    "emit": "core.output",
    "emit_json": "core.output",
    "emit_rows": "core.output",
    "emit_table": "core.output",
    "json_option": "core.output",
    "to_json": "core.output",
    # mail, audit trail, personal data
    "queue_mail": "core.mail",
    "send_pending": "core.mail",
    "entries": "core.audit",
    "personal_values": "core.erasure",
    "scrub_text": "core.erasure",
    # identifiers of German public bodies
    "CONTROL_CHARACTERS": "core.identifiers",
    "alias_keys": "core.identifiers",
    "display_name": "core.identifiers",
    "known_place": "core.identifiers",
    "leitweg_id_from_ags": "core.identifiers",
    "municipality_place": "core.identifiers",
    "parent_keys": "core.identifiers",
    "refuse_control_characters": "core.identifiers",
    "suggested_slug": "core.identifiers",
    "tenant_kind_of": "core.identifiers",
    "validate_ags": "core.identifiers",
    "validate_leitweg_id": "core.identifiers",
    "check_postcode_fits_place": "core.postal",
    "GV100FormatError": "core.gv100ad",
    "parse_line": "core.gv100ad",
}

#: Modules of core that are part of the plugin API as a whole, used as namespaces
#: (``audit.record(...)``, ``gazetteer.lookup(ags)``).
NAMESPACES = (
    "accounts",
    "audit",
    "csvsafe",
    "gazetteer",
    "labels",
    "lifecycle",
    "migrate",
    "ratelimit",
    "rls",
)

__all__ = sorted(["API_VERSION", "PROJECT_NAME", "hookimpl", "hookspec", *EXPORTS, *NAMESPACES])


def __getattr__(name: str) -> Any:
    """Look a plugin API name up in its module on first use, and keep it."""
    module = EXPORTS.get(name)
    if module is None:
        if name in NAMESPACES:
            return importlib.import_module(f"core.{name}")
        raise AttributeError(f"module 'core' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors
    from core import accounts, audit, csvsafe, gazetteer, labels, lifecycle, migrate, ratelimit, rls
    from core.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, normalise_email
    from core.api import API_PREFIX, problem, tenant_api_prefix
    from core.app import create_app
    from core.audit import entries
    from core.auth import (
        can_administer,
        current_principal,
        describe_user,
        log_in,
        login_required,
        managed_municipality,
        operator_required,
        tenant_admin_required,
    )
    from core.config import read_text_file
    from core.db import Base, UTCDateTime, enum_column_type, get_db, session, utcnow
    from core.demo_logins import record_login
    from core.erasure import personal_values, scrub_text
    from core.errors import (
        ConflictError,
        ErrorCollector,
        NotFoundError,
        PermissionDenied,
        RathausError,
        ValidationError,
        ValidationErrors,
        error_list,
    )
    from core.formatting import cents
    from core.forms import EmptyForm, RegisterForm, show_error, validate_whole_form
    from core.gv100ad import GV100FormatError, parse_line
    from core.identifiers import (
        CONTROL_CHARACTERS,
        alias_keys,
        display_name,
        known_place,
        leitweg_id_from_ags,
        municipality_place,
        parent_keys,
        refuse_control_characters,
        suggested_slug,
        tenant_kind_of,
        validate_ags,
        validate_leitweg_id,
    )
    from core.lazycli import LazyCommand
    from core.lifecycle import ensure_tenant, nearest_registered_ancestor, record_aliases
    from core.links import AdminLink, OperatorSection, PortalLink
    from core.mail import queue_mail, send_pending
    from core.manifests import ServiceManifest, catalogue
    from core.models import (
        AuditEntry,
        OutboxMessage,
        OutboxStatus,
        Role,
        Subscription,
        Tenant,
        TenantAlias,
        TenantKind,
        TenantStatus,
        User,
        UserRole,
    )
    from core.operator import page_of
    from core.output import emit, emit_json, emit_rows, emit_table, json_option, to_json
    from core.plugins import current_host
    from core.portal import admin_links_for
    from core.postal import check_postcode_fits_place
    from core.security import safe_next
    from core.services import (
        NOTICE_REASONS,
        active_subscription,
        end_subscription,
        is_subscribed,
        require_subscription,
        requires_service,
        subscribe,
        subscriptions_of,
    )
    from core.tenancy import TenantScoped, cross_tenant, tenant_context
    from core.tenant_routing import (
        SLUG,
        VISIBLE_STATUSES,
        tenant_by_slug,
        tenant_or_fail,
        validate_slug,
    )
