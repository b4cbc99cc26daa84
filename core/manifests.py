"""The service catalogue: what services the installed plugins offer to tenants.

A plugin declares each service as a :class:`ServiceManifest` (hook
``register_services``); core validates it and keeps one :class:`Catalogue` per
application. Subscriptions to these services live in :mod:`core.services`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from core.errors import ConflictError, NotFoundError, ValidationError

EXTENSION_KEY = "rathaus.services"

#: The 14 OZG Themenfelder (service areas of the Onlinezugangsgesetz).
OZG_THEMENFELDER = (
    "Arbeit & Ruhestand",
    "Bauen & Wohnen",
    "Bildung",
    "Ein- & Auswanderung",
    "Engagement & Hobby",
    "Familie & Kind",
    "Forschung & Förderung",
    "Gesundheit",
    "Mobilität & Reisen",
    "Querschnitt",
    "Recht & Ordnung",
    "Steuern & Zoll",
    "Umwelt",
    "Unternehmensführung & -entwicklung",
)

SERVICE_KEY = re.compile(r"^[a-z][a-z0-9_]{1,63}$")

#: Names the platform uses for resources of a tenant itself, next to its services, in
#: ``/api/v1/tenants/<tenant>/<name>`` and ``/<tenant>/<name>/``: no service may take them.
RESERVED_SERVICE_KEYS = frozenset(
    {
        "account", "admin", "audit", "export", "invitations", "lifecycle", "login", "logo",
        "logout", "offboarding", "register", "services", "settings", "subscriptions", "theme",
    }
)  # fmt: skip
LEIKA_KEY = re.compile(r"^\d{14}$")


@dataclass(frozen=True)
class ServiceManifest:
    """What a plugin declares about one service it offers to tenants.

    :param key: unique identifier, lowercase (``engagement``); used in URLs.
    :param title: human-readable name (German).
    :param description: one or two sentences for the catalogue.
    :param themenfeld: one of :data:`OZG_THEMENFELDER`.
    :param leika_keys: 14-digit LeiKa service catalogue keys.
    :param version: the service's version.
    :param settings_schema: a marshmallow schema class for per-tenant settings, or
        its ``"module:Class"`` path, imported when settings are first validated (so
        that building the application imports no schema).
    :param requires: keys of services a tenant must subscribe to first.
    :param plugin: the providing plugin's name (filled in by core).
    """

    key: str
    title: str
    description: str
    themenfeld: str
    version: str = "1.0"
    leika_keys: tuple[str, ...] = ()
    settings_schema: type | str | None = None
    requires: tuple[str, ...] = ()
    plugin: str | None = None

    def validate(self) -> None:
        """Raise ``ValidationError`` naming the first field that breaks a rule."""
        if not SERVICE_KEY.match(self.key):
            raise ValidationError(
                "%(key)r is not a service key (lowercase letters, digits, _; 2-64)",
                field="key",
                code="service.key.invalid",
                key=self.key,
            )
        if self.key in RESERVED_SERVICE_KEYS:
            raise ValidationError(
                "%(key)r is reserved for the platform's own tenant resources",
                field="key",
                code="service.key.reserved",
                key=self.key,
            )
        if not self.title.strip():
            raise ValidationError("must not be empty", field="title", code="service.title.required")
        if self.themenfeld not in OZG_THEMENFELDER:
            raise ValidationError(
                "%(themenfeld)r is not an OZG Themenfeld",
                field="themenfeld",
                code="service.themenfeld.invalid",
                themenfeld=self.themenfeld,
            )
        for leika in self.leika_keys:
            if not LEIKA_KEY.match(leika):
                raise ValidationError(
                    "%(leika)r is not a 14-digit LeiKa key",
                    field="leika_keys",
                    code="service.leika_keys.invalid",
                    leika=leika,
                )

    def as_dict(self) -> dict[str, Any]:
        """The manifest as JSON-ready data."""
        return {
            "key": self.key,
            "title": self.title,
            "description": self.description,
            "themenfeld": self.themenfeld,
            "leika_keys": list(self.leika_keys),
            "version": self.version,
            "requires": list(self.requires),
            "plugin": self.plugin,
            "settings_schema": _schema_name(self.settings_schema),
        }


def _schema_name(schema: type | str | None) -> str | None:
    """The settings schema's class name, without importing a ``"module:Class"`` path."""
    if isinstance(schema, str):
        return schema.rpartition(":")[2]
    return schema.__name__ if schema else None


@dataclass
class Catalogue:
    """The services of one application, in plugin order."""

    services: dict[str, ServiceManifest] = field(default_factory=dict)

    def add(self, manifest: ServiceManifest) -> None:
        """Add a manifest; a second service with the same key is refused."""
        manifest.validate()
        if manifest.key in self.services:
            owner = self.services[manifest.key].plugin
            raise ConflictError(
                "service %(manifest_key)r is already provided by %(owner)r",
                field="key",
                code="service.key.exists",
                manifest_key=manifest.key,
                owner=owner,
            )
        self.services[manifest.key] = manifest

    def get(self, key: str) -> ServiceManifest:
        """The manifest for ``key``; ``NotFoundError`` naming the known keys otherwise."""
        try:
            return self.services[key]
        except KeyError:
            known = ", ".join(sorted(self.services)) or "none"
            raise NotFoundError(
                "unknown service %(key)r (known: %(known)s)",
                field="service",
                code="service.not_found",
                key=key,
                known=known,
            ) from None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.services.values())

    def __contains__(self, key: object) -> bool:
        return key in self.services


def catalogue(app: Flask | None = None) -> Catalogue:
    """The service catalogue of ``app`` (default: the current application)."""
    return (app or current_app).extensions[EXTENSION_KEY]


def check_requirements(cat: Catalogue) -> list[str]:
    """Problems with ``requires`` across the catalogue (unknown keys, cycles)."""
    problems = []
    for manifest in cat:
        for needed in manifest.requires:
            if needed not in cat:
                problems.append(f"service {manifest.key!r} requires unknown service {needed!r}")
    return problems
