"""Writes the demonstration data: organisations and offers across Kreis Coesfeld's 11
Gemeinden, Kreis-wide offers of the Kreis, a Land-wide offer from Münster, volunteers
and requests (the tables are in ``demo_content.py``).

Idempotent: every row is looked up by its natural key (tenant AGS, organisation name,
offer title, e-mail address) before it is created. Demo volunteers get a generated
password (``RATHAUS_DEMO_PASSWORD`` if set) written to the instance's
``demo-credentials.txt`` by core's pattern, never to the repository.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from typing import Any

from sqlalchemy import select

from core import (
    Role,
    Tenant,
    accounts,
    is_subscribed,
    lifecycle,
    record_login,
    session,
    subscribe,
    tenant_context,
)
from plugins.engagement import contacts, moderation, offers, organisations, volunteers
from plugins.engagement.demo_content import ORGANISATIONS, REQUESTS, VOLUNTEERS
from plugins.engagement.models import Opportunity, Organisation, OrganisationKind


def fill() -> None:
    """Create what is missing (see module docs)."""
    today = dt.date.today()
    tenants = {
        ags: _tenant(ags) for ags in {o["ags"] for o in ORGANISATIONS} | {v[0] for v in VOLUNTEERS}
    }
    password = None
    for spec in ORGANISATIONS:
        organisation = _organisation(tenants[spec["ags"]], spec)
        password = _member(organisation, tenants[spec["ags"]], password)
        for offer_spec in spec["offers"]:
            _offer(organisation, offer_spec, today)
    password = None
    for spec in VOLUNTEERS:
        password = _volunteer(tenants[spec[0]], spec, password)
    _requests(tenants, today)


def _tenant(ags: str) -> Tenant:
    tenant = lifecycle.ensure_tenant(ags)
    session.flush()
    if not is_subscribed(tenant, "engagement"):
        subscribe(tenant, "engagement")
    return tenant


def _organisation(tenant: Tenant, spec: dict[str, Any]) -> Organisation:
    with tenant_context(tenant):
        found = session.scalar(select(Organisation).where(Organisation.name == spec["name"]))
    if found is not None:
        return found
    slug = "".join(ch for ch in spec["name"].lower() if ch.isalnum())[:20]
    organisation = organisations.create_organisation(
        tenant,
        {
            "name": spec["name"],
            "kind": OrganisationKind(spec["kind"]).value,
            "plz": spec["plz"],
            "contact_email": f"kontakt@{slug}.demo.rathaus.invalid",
            "description": f"{spec['name']} – Demo-Organisation.",
        },
    )
    if spec["verified"]:
        organisations.set_verified(organisation, True)
    return organisation


def _member(organisation: Organisation, tenant: Tenant, password: str | None) -> str | None:
    """One member account per organisation (it manages the organisation's offers)."""
    slug = "".join(ch for ch in organisation.name.lower() if ch.isalnum() and ch.isascii())
    email = f"mitglied@{slug[:20]}.demo.rathaus.invalid"
    user = accounts.find_user(email, tenant)
    if user is None:
        password = password or os.environ.get("RATHAUS_DEMO_PASSWORD") or secrets.token_urlsafe(12)
        user = accounts.create_user(
            email, f"Team {organisation.name}", password, [Role.CITIZEN], tenant
        )
        record_login("organisation member", email, password, f"/{tenant.slug}/login")
    organisations.add_member(organisation, user)
    return password


def _offer(organisation: Organisation, spec: tuple, today: dt.date) -> None:
    title, description, fields, skills, plz, schedule, when, reach, extra = spec
    extra = dict(extra)
    keep_in_review = extra.pop("in_review", False)
    with tenant_context(organisation.tenant_id):
        if session.scalar(
            select(Opportunity.id).where(
                Opportunity.organisation_id == organisation.id, Opportunity.title == title
            )
        ):
            return
    data: dict[str, Any] = {
        "title": title,
        "description": description,
        "fields": fields,
        "skills": skills,
        "plz": plz,
        "schedule": schedule,
        "reach": reach,
        **extra,
    }
    if schedule == "one_off":
        data["starts_on"] = today + dt.timedelta(days=int(when))
        data["expires_on"] = data["starts_on"]
    else:
        data["time_slots"] = when
    offer = offers.create_offer(organisation, data, today)
    offers.change_status(offer, "submit", today)
    if not organisation.verified and not keep_in_review:
        # The municipality has reviewed most offers already; one waits in the queue.
        moderation.decide(
            session.get(Tenant, organisation.tenant_id), [offer.id], True, None, "demo"
        )


def _volunteer(tenant: Tenant, spec: tuple, password: str | None) -> str | None:
    ags, email, name, birth_year, plz, fields, skills, slots = spec
    if accounts.find_user(email, tenant) is not None:
        return password
    password = password or os.environ.get("RATHAUS_DEMO_PASSWORD") or secrets.token_urlsafe(12)
    user = volunteers.register_volunteer(
        tenant,
        {
            "email": email,
            "display_name": name,
            "password": password,
            "birth_year": birth_year,
            "plz": plz,
        },
    )
    volunteers.update_profile(
        volunteers.profile_of(user),
        {
            "plz": plz,
            "radius_km": 25,
            "fields": fields,
            "skills": skills,
            "time_slots": slots,
            "languages": ["de"],
            "discoverable": True,
            "about": "",
        },
    )
    record_login("volunteer", email, password, f"/{tenant.slug}/login")
    return password


def _requests(tenants: dict[str, Tenant], today: dt.date) -> None:
    """Lena asks the Tafel; the Tafel accepts. Anna asks about the Kreis's digital office hours."""
    for ags, email, title, message, accept in REQUESTS:
        tenant = tenants[ags]
        user = accounts.find_user(email, tenant)
        offer_id = _offer_id(title)
        if user is None or offer_id is None:
            continue
        if any(r.opportunity_id == offer_id for r in contacts.my_requests(user)):
            continue
        request = contacts.request_contact(tenant, offer_id, user, message, today)
        if accept:
            contacts.decide_request(request, True, "Wir freuen uns! Komm gern am Dienstag vorbei.")


def _offer_id(title: str) -> int | None:
    from core import cross_tenant

    with cross_tenant("demo data: find a demo offer by its title"):
        return session.scalar(select(Opportunity.id).where(Opportunity.title == title))
