"""The operator's legal details for the imprint, privacy statement and accessibility
statement, from the ``[legal]`` section of ``rathaus.toml``.

::

    [legal]
    operator = "Kommunale IT Musterland AöR"
    address = "Musterstraße 1, 12345 Musterstadt"
    email = "info@it-musterland.example"
    phone = "+49 123 4567-0"
    representative = "Erika Mustermann (Vorstand)"
    register = "Amtsgericht Musterstadt, HRA 1234"
    vat_id = "DE000000000"
    privacy_contact = "Datenschutzbeauftragter, datenschutz@it-musterland.example"
    accessibility_contact = "barrierefreiheit@it-musterland.example"

    [legal.tenants.coesfeld]          # a municipality's own additions
    privacy_contact = "Datenschutzbeauftragte der Stadt Coesfeld, ..."
    accessibility_contact = "barrierefreiheit@coesfeld.example"
    lines = ["Aufsichtsbehörde: Kreis Coesfeld"]

Nothing is invented when a key is missing: the pages show a visible notice instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app

#: The keys an imprint (§ 5 DDG) and a privacy statement (Art. 13 GDPR) need.
REQUIRED = (
    "operator",
    "address",
    "email",
    "phone",
    "representative",
    "register",
    "vat_id",
    "privacy_contact",
)
OPTIONAL = ("accessibility_contact",)
TENANT_KEYS = ("privacy_contact", "accessibility_contact", "lines")


@dataclass(frozen=True)
class LegalDetails:
    """The operator's details plus a tenant's own additions."""

    values: dict[str, str]
    missing: tuple[str, ...]
    tenant: dict[str, Any] = field(default_factory=dict)

    @property
    def configured(self) -> bool:
        """Whether every required key is set."""
        return not self.missing

    def get(self, key: str) -> str | None:
        return self.values.get(key) or None


def legal_details(tenant_slug: str | None = None) -> LegalDetails:
    """The configured details; ``tenant_slug`` adds that tenant's own lines."""
    section = current_app.config.get("LEGAL") or {}
    if not isinstance(section, dict):
        section = {}
    values = {
        key: str(section[key]).strip()
        for key in (*REQUIRED, *OPTIONAL)
        if isinstance(section.get(key), str | int) and str(section[key]).strip()
    }
    missing = tuple(key for key in REQUIRED if key not in values)
    tenants = section.get("tenants") or {}
    own = tenants.get(tenant_slug, {}) if tenant_slug and isinstance(tenants, dict) else {}
    additions = {key: own[key] for key in TENANT_KEYS if own.get(key)}
    if "lines" in additions and isinstance(additions["lines"], str):
        additions["lines"] = [additions["lines"]]
    return LegalDetails(values, missing, additions)
