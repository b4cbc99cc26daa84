"""Errors a user can act on.

Domain functions raise these; each front end turns them into its own form: the CLI
prints ``Error: <field>: <message>`` and exits with status 2, the API answers with an
``application/problem+json`` document (with a stable machine ``code``), the web pages
show the message next to the field in the page's language. Messages name the field
and say what is wrong and, where possible, what to do.

A message is an English ``%``-style template with named parameters, passed as keyword
arguments, so Babel can extract the template and pages can show it translated::

    raise ValidationError(
        "%(value)s is not a known German postcode or place",
        field="plz", code="postcode.unknown", value=repr(raw),
    )

Never build the message with an f-string: the translation would not be found.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class RathausError(Exception):
    """Base class of every error that is the user's to fix (not a bug).

    :param message: English message template; ``%(name)s`` placeholders are filled
        from ``params``.
    :param field: the input field the error is about (``None``: the input as a whole).
    :param code: stable machine-readable code for API clients (defaults to the
        class's ``code``).
    :param params: values for the template's placeholders.
    """

    #: HTTP status the API answers with.
    status = 400
    #: Machine-readable code when the raise site names none.
    code = "invalid"

    def __init__(
        self, message: str, *, field: str | None = None, code: str | None = None, **params: Any
    ) -> None:
        self.template = message
        self.params = params
        self.message = message % params if params else message
        self.field = field
        if code is not None:
            self.code = code
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message

    def localized(self) -> str:
        """The message in the current request's language (English outside requests
        or where no translation exists). Status words and actions among the
        parameters are shown as labels (see :mod:`core.labels`)."""
        from flask_babel import gettext

        from core.labels import labelled_params

        if self.params:
            return gettext(self.template, **labelled_params(self.params))
        return gettext(self.template)

    def with_field(self, field: str | None) -> RathausError:
        """The same error (template, parameters, code) about another field, e.g. when a
        form names the input differently from the domain function."""
        other = type(self)(self.template, field=field, code=self.code, **self.params)
        other.__cause__ = self
        return other

    def as_field_errors(self) -> dict[str, list[str]]:
        """The error in marshmallow's shape: ``{field: [message]}``."""
        return {self.field or "_schema": [self.message]}


class ValidationError(RathausError):
    """Input is malformed or breaks a rule; nothing was written."""

    status = 422
    code = "invalid"


class ValidationErrors(ValidationError):
    """Several inputs are wrong at once; a form shows every one of ``errors``.

    Behaves like its first error where one error is expected (``field``, ``code``,
    ``message``), so callers that show a single error keep working.
    """

    def __init__(self, errors: list[ValidationError]) -> None:
        self.errors = [one for error in errors for one in getattr(error, "errors", [error])]
        first = self.errors[0]
        super().__init__(first.template, field=first.field, code=first.code, **first.params)

    def __str__(self) -> str:
        return "; ".join(str(error) for error in self.errors)

    def with_field(self, field: str | None) -> RathausError:
        return ValidationErrors([error.with_field(field) for error in self.errors])

    def as_field_errors(self) -> dict[str, list[str]]:
        merged: dict[str, list[str]] = {}
        for error in self.errors:
            merged.setdefault(error.field or "_schema", []).append(error.message)
        return merged


def error_list(error: ValidationError) -> list[ValidationError]:
    """The single errors of ``error`` (itself, or each of a ``ValidationErrors``)."""
    return list(getattr(error, "errors", None) or [error])


class ErrorCollector:
    """Runs checks and keeps their validation errors, so that a whole form is
    validated in one go::

        errors = ErrorCollector()
        year = errors.run(validate_birth_year, raw_year)
        email = errors.run(normalise_email, raw_email)
        errors.raise_any()  # ValidationErrors naming every wrong field
    """

    def __init__(self) -> None:
        self.errors: list[ValidationError] = []

    def run(self, check: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """``check(*args, **kwargs)``, or None after recording its ValidationError."""
        try:
            return check(*args, **kwargs)
        except ValidationError as exc:
            self.errors.append(exc)
            return None

    def raise_any(self) -> None:
        """Raise ``ValidationErrors`` if any check failed."""
        if self.errors:
            raise ValidationErrors(self.errors)


class NotFoundError(RathausError):
    """The named thing does not exist (or is not visible to the caller)."""

    status = 404
    code = "not_found"


class ConflictError(RathausError):
    """The input clashes with what is stored (duplicate key, overlapping period)."""

    status = 409
    code = "conflict"


class PermissionDenied(RathausError):
    """The caller may not do this."""

    status = 403
    code = "forbidden"


class TenantScopeError(RuntimeError):
    """Code touched tenant-owned rows outside the rules of tenant scoping.

    This is a programming error, not a user error: a query on a tenant-scoped model
    ran outside a tenant context without an explicit ``cross_tenant`` opt-out, or a
    write tried to cross into another tenant.
    """
