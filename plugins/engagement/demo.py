"""Demonstration data: organisations and offers across Kreis Coesfeld's 11 Gemeinden,
Kreis-wide offers of the Kreis, a Land-wide offer from Münster, volunteers and requests.

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
from plugins.engagement.models import Opportunity, Organisation, OrganisationKind

KREIS = "05558"
MUENSTER = "05515000"

#: Organisations by AGS with their offers:
#: (title, description, fields, skills, plz, schedule, slots or days ahead, reach, extra)
ORGANISATIONS: list[dict[str, Any]] = [
    {
        "ags": "05558012",
        "name": "Tafel Coesfeld e. V.",
        "kind": "verein",
        "verified": True,
        "plz": "48653",
        "offers": [
            (
                "Lebensmittel sortieren und ausgeben",
                "Wir sammeln übrig gebliebene Lebensmittel bei Supermärkten und Bäckereien ein "
                "und geben sie an "
                "Menschen mit wenig Geld aus. Hilf uns beim Sortieren und bei der Ausgabe – "
                "jeden Dienstag und "
                "Donnerstag am Nachmittag.",
                ["social"],
                ["organising"],
                "48653",
                "regular",
                ["tue-afternoon", "thu-afternoon"],
                "local",
                {"hours_per_week": 3, "places": 6, "min_age": 16},
            ),
            (
                "Fahrerin oder Fahrer für die Abholtour",
                "Mit unserem Kühlwagen holst du morgens Spenden bei den Märkten im Stadtgebiet ab. "
                "Führerschein Klasse B genügt.",
                ["social"],
                ["driving_licence"],
                "48653",
                "regular",
                ["mon-morning", "fri-morning"],
                "local",
                {"hours_per_week": 2, "min_age": 21},
            ),
        ],
    },
    {
        "ags": "05558012",
        "name": "Jugendfeuerwehr Coesfeld",
        "kind": "verein",
        "verified": True,
        "plz": "48653",
        "offers": [
            (
                "Betreuerin oder Betreuer in der Jugendfeuerwehr",
                "Begleite Kinder und Jugendliche von 10 bis 17 Jahren bei Übungen, Zeltlagern "
                "und Ausflügen. "
                "Ein erweitertes Führungszeugnis ist nötig.",
                ["civil_protection", "children_youth"],
                ["first_aid", "coaching"],
                "48653",
                "regular",
                ["wed-evening"],
                "local",
                {"hours_per_week": 3, "min_age": 18, "with_children": True},
            ),
        ],
    },
    {
        "ags": "05558016",
        "name": "Lernpaten Dülmen",
        "kind": "initiative",
        "verified": False,
        "plz": "48249",
        "offers": [
            (
                "Lernpatenschaft für Grundschulkinder",
                "Einmal pro Woche eine Stunde lesen, rechnen und zuhören: Lernpatinnen und "
                "Lernpaten begleiten "
                "Kinder an Dülmener Grundschulen.",
                ["education", "children_youth"],
                ["tutoring"],
                "48249",
                "regular",
                ["mon-afternoon", "wed-afternoon"],
                "local",
                {"hours_per_week": 1, "with_children": True, "min_age": 16},
            ),
            (
                "Sprachförderung in der Kita",
                "Mit Kindern spielen, singen und sprechen: Unterstütze die Sprachförderung in "
                "zwei Dülmener Kitas.",
                ["education", "integration"],
                ["languages"],
                "48249",
                "regular",
                ["thu-morning"],
                "local",
                {"hours_per_week": 2, "with_children": True, "min_age": 18, "in_review": True},
            ),
        ],
    },
    {
        "ags": "05558016",
        "name": "Heimatverein Dülmen e. V.",
        "kind": "verein",
        "verified": True,
        "plz": "48249",
        "offers": [
            (
                "Helferinnen und Helfer für den Wildpferdefang",
                "Für das Wochenende des Wildpferdefangs im Merfelder Bruch suchen wir Helfende "
                "für Einlass, "
                "Information und Parkplatz.",
                ["heritage", "culture"],
                ["organising"],
                "48249",
                "one_off",
                "+40",
                "local",
                {"places": 30, "waitlist_open": True},
            ),
        ],
    },
    {
        "ags": "05558004",
        "name": "SV Herbern 1926 e. V.",
        "kind": "verein",
        "verified": False,
        "plz": "59387",
        "offers": [
            (
                "Übungsleitung Kinderturnen",
                "Für unsere Turngruppe der Vier- bis Sechsjährigen suchen wir Unterstützung am "
                "Samstagvormittag.",
                ["sport", "children_youth"],
                ["coaching"],
                "59387",
                "regular",
                ["sat-morning"],
                "local",
                {"hours_per_week": 2, "with_children": True, "min_age": 16},
            ),
        ],
    },
    {
        "ags": "05558008",
        "name": "Bürgerbus Billerbeck e. V.",
        "kind": "verein",
        "verified": True,
        "plz": "48727",
        "offers": [
            (
                "Fahrerin oder Fahrer für den Bürgerbus",
                "Der Bürgerbus verbindet die Bauerschaften mit der Innenstadt. Ein "
                "Personenbeförderungsschein "
                "wird vom Verein bezahlt.",
                ["social", "seniors"],
                ["driving_licence"],
                "48727",
                "regular",
                ["tue-morning", "thu-morning"],
                "local",
                {"hours_per_week": 4, "min_age": 21},
            ),
        ],
    },
    {
        "ags": "05558020",
        "name": "Naturschutzbund Havixbeck",
        "kind": "verein",
        "verified": False,
        "plz": "48329",
        "offers": [
            (
                "Kopfweiden pflegen in den Baumbergen",
                "Im Winter schneiden wir gemeinsam Kopfweiden und pflegen Streuobstwiesen. "
                "Werkzeug ist da.",
                ["environment"],
                ["gardening", "crafts"],
                "48329",
                "one_off",
                "+25",
                "local",
                {"places": 15},
            ),
        ],
    },
    {
        "ags": "05558024",
        "name": "Seniorenhilfe Lüdinghausen",
        "kind": "initiative",
        "verified": True,
        "plz": "59348",
        "offers": [
            (
                "Besuchsdienst für ältere Menschen",
                "Vorlesen, spazieren gehen, zuhören: Besuche einmal in der Woche eine ältere "
                "Person, die allein lebt.",
                ["seniors", "social"],
                ["care"],
                "59348",
                "regular",
                ["wed-afternoon", "sun-afternoon"],
                "local",
                {"hours_per_week": 2, "min_age": 16, "languages": ["de", "tr"]},
            ),
        ],
    },
    {
        "ags": "05558028",
        "name": "Schloss-Gymnasium Nordkirchen",
        "kind": "schule",
        "verified": False,
        "plz": "59394",
        "offers": [
            (
                "Hausaufgabenhilfe Mathematik",
                "Oberstufenschülerinnen und Ehrenamtliche helfen jüngeren Schülern bei den "
                "Hausaufgaben.",
                ["education", "children_youth"],
                ["tutoring"],
                "59394",
                "regular",
                ["tue-afternoon"],
                "local",
                {"hours_per_week": 2, "with_children": True, "min_age": 16},
            ),
        ],
    },
    {
        "ags": "05558032",
        "name": "Willkommen in Nottuln",
        "kind": "initiative",
        "verified": True,
        "plz": "48301",
        "offers": [
            (
                "Sprachcafé für Geflüchtete",
                "Bei Kaffee und Kuchen Deutsch sprechen üben: Wir suchen Menschen, die sich "
                "unterhalten möchten – "
                "gern auch mit Ukrainisch- oder Arabischkenntnissen.",
                ["integration"],
                ["languages"],
                "48301",
                "regular",
                ["thu-evening"],
                "local",
                {"hours_per_week": 2, "languages": ["de", "uk", "ar"]},
            ),
        ],
    },
    {
        "ags": "05558036",
        "name": "Kita St. Vitus Olfen",
        "kind": "kita",
        "verified": False,
        "plz": "59399",
        "offers": [
            (
                "Vorlesepatin oder Vorlesepate",
                "Einmal pro Woche vormittags Bilderbücher vorlesen – für Kinder von drei bis "
                "sechs Jahren.",
                ["education", "children_youth"],
                [],
                "59399",
                "regular",
                ["wed-morning"],
                "local",
                {"hours_per_week": 1, "with_children": True, "min_age": 18},
            ),
        ],
    },
    {
        "ags": "05558040",
        "name": "Musikverein Rosendahl e. V.",
        "kind": "verein",
        "verified": False,
        "plz": "48720",
        "offers": [
            (
                "Helfende für das Sommerkonzert",
                "Aufbau, Getränkeverkauf und Abbau beim Open-Air-Konzert im Ortskern von "
                "Osterwick.",
                ["culture"],
                ["organising", "cooking"],
                "48720",
                "one_off",
                "+60",
                "local",
                {"places": 12},
            ),
        ],
    },
    {
        "ags": "05558044",
        "name": "Repair Café Senden",
        "kind": "initiative",
        "verified": True,
        "plz": "48308",
        "offers": [
            (
                "Reparieren statt wegwerfen",
                "Jeden ersten Samstag im Monat reparieren wir Toaster, Fahrräder und Kleidung "
                "gemeinsam mit den "
                "Besitzerinnen und Besitzern.",
                ["environment", "social"],
                ["crafts", "it"],
                "48308",
                "regular",
                ["sat-morning"],
                "local",
                {"hours_per_week": 1},
            ),
        ],
    },
    {
        "ags": KREIS,
        "name": "Ehrenamtsagentur Kreis Coesfeld",
        "kind": "kommune",
        "verified": True,
        "plz": "48653",
        "offers": [
            (
                "Digitale Sprechstunde für Seniorinnen und Senioren",
                "Smartphone, Tablet und Online-Termine: Hilf älteren Menschen per Video oder "
                "Telefon. "
                "Geht bequem von zu Hause aus.",
                ["digital", "seniors"],
                ["it"],
                None,
                "regular",
                ["mon-evening", "wed-evening"],
                "kreis",
                {"hours_per_week": 1, "remote": True},
            ),
            (
                "Wahlhelferinnen und Wahlhelfer",
                "Für die nächste Wahl suchen alle Städte und Gemeinden im Kreis Menschen für die "
                "Wahlvorstände.",
                ["democracy"],
                ["organising"],
                "48653",
                "one_off",
                "+90",
                "kreis",
                {"places": 200, "min_age": 18},
            ),
        ],
    },
    {
        "ags": MUENSTER,
        "name": "Landesnetzwerk Bürgerschaftliches Engagement",
        "kind": "initiative",
        "verified": True,
        "plz": "48143",
        "offers": [
            (
                "Online-Mentoring für Vereinsvorstände",
                "Erfahrene Vorstände begleiten neue Vereinsvorstände in ganz NRW per "
                "Videogespräch: "
                "Finanzen, Satzung, Mitgliedergewinnung.",
                ["democracy", "digital"],
                ["bookkeeping", "organising"],
                None,
                "regular",
                ["tue-evening"],
                "land",
                {"hours_per_week": 1, "remote": True},
            ),
        ],
    },
    {
        # A private person (fictional): the open data shows "Privatperson" and only the
        # centre of the postcode area for this offer.
        "ags": "05558012",
        "name": "Hildegard Brökelmann",
        "kind": "privatperson",
        "verified": True,
        "plz": "48653",
        "offers": [
            (
                "Vorlesen für Kinder aus der Nachbarschaft",
                "Ich lese samstags Kindern aus der Nachbarschaft vor und suche jemanden, der "
                "sich mit mir abwechselt.",
                ["education", "children_youth"],
                ["tutoring"],
                "48653",
                "regular",
                ["sat-morning"],
                "local",
                {"hours_per_week": 1, "with_children": True, "min_age": 18},
            ),
        ],
    },
]

#: Demo volunteers: (AGS of the home tenant, e-mail, name, birth year, PLZ, fields, skills, slots)
VOLUNTEERS = [
    (
        "05558012",
        "lena.schulte@demo.rathaus.invalid",
        "Lena Schulte",
        1994,
        "48653",
        ["social", "environment"],
        ["driving_licence", "organising"],
        ["tue-afternoon", "sat-morning"],
    ),
    (
        "05558016",
        "mehmet.yilmaz@demo.rathaus.invalid",
        "Mehmet Yılmaz",
        1968,
        "48249",
        ["education", "integration"],
        ["tutoring", "languages"],
        ["mon-afternoon", "thu-evening"],
    ),
    (
        "05558024",
        "anna.brueggemann@demo.rathaus.invalid",
        "Anna Brüggemann",
        1957,
        "59348",
        ["seniors", "digital"],
        ["it", "care"],
        ["mon-evening", "wed-afternoon"],
    ),
]


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
    plan = [
        (
            "05558012",
            "lena.schulte@demo.rathaus.invalid",
            "Lebensmittel sortieren und ausgeben",
            "Hallo, ich habe dienstags nachmittags Zeit und würde gern mithelfen.",
            True,
        ),
        (
            "05558024",
            "anna.brueggemann@demo.rathaus.invalid",
            "Digitale Sprechstunde für Seniorinnen und Senioren",
            "Ich kenne mich mit Tablets gut aus und erkläre gern.",
            False,
        ),
    ]
    for ags, email, title, message, accept in plan:
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
