"""Errors a user can act on.

Domain functions raise these; each front end turns them into its own form: the CLI
prints ``Error: <field>: <message>`` and exits with status 2, the API answers with an
``application/problem+json`` document, the web pages show the message next to the
field. Messages name the field and say what is wrong and, where possible, what to do.
"""

from __future__ import annotations


class RathausError(Exception):
    """Base class of every error that is the user's to fix (not a bug)."""

    #: HTTP status the API answers with.
    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message

    def as_field_errors(self) -> dict[str, list[str]]:
        """The error in marshmallow's shape: ``{field: [message]}``."""
        return {self.field or "_schema": [self.message]}


class ValidationError(RathausError):
    """Input is malformed or breaks a rule; nothing was written."""

    status = 422


class NotFoundError(RathausError):
    """The named thing does not exist (or is not visible to the caller)."""

    status = 404


class ConflictError(RathausError):
    """The input clashes with what is stored (duplicate key, overlapping period)."""

    status = 409


class PermissionDenied(RathausError):
    """The caller may not do this."""

    status = 403


class TenantScopeError(RuntimeError):
    """Code touched tenant-owned rows outside the rules of tenant scoping.

    This is a programming error, not a user error: a query on a tenant-scoped model
    ran outside a tenant context without an explicit ``cross_tenant`` opt-out, or a
    write tried to cross into another tenant.
    """
