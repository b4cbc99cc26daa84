"""Demo data: Kreis Coesfeld and its eleven Gemeinden, active, with invoicing data.

Idempotent: tenants are found by AGS (``core.lifecycle.ensure_tenant``, so another
plugin's demo data may have created some of them first) and only empty fields are
filled, once: a tenant that has its Leitweg-ID is left alone, so a second run
changes nothing. Leitweg-IDs are the AGS padded to eight
digits with their ISO 7064 MOD 97-10 check digits, computed with python-stdnum.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core import Tenant, TenantStatus, audit, ensure_tenant, gazetteer, leitweg_id_from_ags, session
from plugins.tenants.registry import target

KREIS = "05558"
#: Town hall addresses (street) of the Kreis and its Gemeinden.
STREETS = {
    "05558": "Friedrich-Ebert-Straße 7",
    "05558004": "Dieningstraße 7",
    "05558008": "Markt 1",
    "05558012": "Markt 8",
    "05558016": "Markt 1-3",
    "05558020": "Willi-Richter-Platz 1",
    "05558024": "Borg 2",
    "05558028": "Bohlenstraße 2",
    "05558032": "Stiftsplatz 7",
    "05558036": "Kirchstraße 5",
    "05558040": "Osterwicker Straße 1",
    "05558044": "Münsterstraße 30",
}
#: Small Gemeinden that let the Kreis administer them (to show delegation).
DELEGATING = {"05558020", "05558028", "05558040"}
KREIS_COLOUR = "#00646e"
KREIS_SEAT = "Coesfeld"


@dataclass(frozen=True)
class DemoTenant:
    """The master data a demo tenant gets."""

    ags: str

    def fields(self, tenant: Tenant) -> dict[str, object]:
        place = gazetteer.lookup(self.ags)
        city = KREIS_SEAT if place.kind == "kreis" else place.name.split(",")[0]
        return {
            "contact_email": f"info@{tenant.slug}.invalid",
            "invoice_recipient": tenant.title,
            "address_street": STREETS[self.ags],
            "address_postcode": place.plz,
            "address_city": city,
            "leitweg_id": leitweg_id_from_ags(self.ags),
            "invoice_email": f"rechnung@{tenant.slug}.invalid",
            "brand_colour": KREIS_COLOUR if place.kind == "kreis" else None,
            "parent_may_administer": self.ags in DELEGATING,
        }


def fill_demo_data() -> None:
    """Create or complete the demo tenants (the caller, ``rathaus demo``, commits)."""
    for ags in [KREIS] + [place.ags for place in gazetteer.children(KREIS)]:
        known = session.scalar(select(Tenant.id).where(Tenant.ags == ags)) is not None
        tenant = ensure_tenant(ags, status=TenantStatus.ACTIVE)
        if not known:
            audit.record("tenant.onboarded", target(tenant), tenant=tenant, reason="demo data")
        if tenant.status == TenantStatus.REQUESTED:
            tenant.status = TenantStatus.ACTIVE
            audit.record("tenant.activated", target(tenant), tenant=tenant, reason="demo data")
        # Complete field by field: another plugin's demo data may have created the
        # tenant and filled some fields already.
        for name, value in DemoTenant(ags).fields(tenant).items():
            if name == "parent_may_administer":
                if value and not tenant.parent_may_administer:
                    tenant.parent_may_administer = True
            elif getattr(tenant, name) is None:
                setattr(tenant, name, value)
    session.flush()
    _admins()


#: Demo admin accounts: (AGS, e-mail, name, role shown in the credentials file).
ADMINS = (
    (
        "05558012",
        "verwaltung@coesfeld.demo.rathaus.invalid",
        "Demo-Verwaltung Coesfeld",
        "tenant admin",
    ),
    (
        "05558",
        "verwaltung@kreis-coesfeld.demo.rathaus.invalid",
        "Demo-Kreisverwaltung",
        "Kreis admin",
    ),
)


def _admins() -> None:
    """A tenant admin of Stadt Coesfeld and a Kreis admin (who also administers the
    Gemeinden that opted in), each once, with the password in the credentials file."""
    import os
    import secrets

    from core import Role, accounts, record_login

    password = None
    for ags, email, name, role in ADMINS:
        tenant = session.scalar(select(Tenant).where(Tenant.ags == ags))
        if tenant is None or accounts.find_user(email, tenant) is not None:
            continue
        password = password or os.environ.get("RATHAUS_DEMO_PASSWORD") or secrets.token_urlsafe(12)
        accounts.create_user(email, name, password, [Role.TENANT_ADMIN], tenant)
        record_login(role, email, password, f"/{tenant.slug}/login")
