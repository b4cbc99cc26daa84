"""Open data: the tenant's published offers, without personal data, under a licence.

What is published (:data:`COLUMNS`, the same for JSON and CSV) is the offer, not the
people: an offer of a private person (organisation kind ``privatperson``) is
published as "Privatperson" with the coordinates of its postcode area's centre, never
the person's name or exact place; contact data (e-mail, phone, street) never appear.
Every export names its licence — Datenlizenz Deutschland Namensnennung 2.0 or Zero
2.0, chosen by the tenant (the engagement subscription's ``open_data_licence``
setting, default Namensnennung) — and links a DCAT-AP.de record (JSON-LD) that
GovData-style portals harvest.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField

from core import Tenant, active_subscription, csvsafe, gazetteer
from plugins.engagement.describe import offer_data
from plugins.engagement.forms import _c
from plugins.engagement.models import Opportunity, OrganisationKind
from plugins.engagement.settings import DEFAULT_LICENCE, LICENCES, Licence

SERVICE_KEY = "engagement"
PRIVATE_PERSON = "Privatperson"

#: Every field of an open-data record. A test holds this list against the fields
#: that may carry personal data; extend both together.
COLUMNS = (
    "id", "title", "organisation", "organisation_kind", "fields", "skills", "languages",
    "remote", "plz", "place", "lat", "lon", "reach", "schedule", "starts_on", "ends_on",
    "time_slots", "hours_per_week", "min_age", "places", "places_left", "waitlist_open",
    "expires_on", "url", "licence",
)  # fmt: skip


def licence_of(tenant: Tenant) -> Licence:
    """The licence the tenant publishes its open data under."""
    subscription = active_subscription(tenant, SERVICE_KEY)
    settings = (subscription.settings if subscription is not None else None) or {}
    return LICENCES.get(
        settings.get("open_data_licence", DEFAULT_LICENCE), LICENCES[DEFAULT_LICENCE]
    )


def record(offer: Opportunity, tenant: Tenant, licence: Licence) -> dict[str, Any]:
    """One offer as open data (the fields of :data:`COLUMNS`)."""
    data = offer_data(offer, tenant.slug)
    private = offer.organisation.kind == OrganisationKind.PRIVATPERSON
    lat, lon = _area_centre(offer) if private else (data["lat"], data["lon"])
    values = {
        **data,
        "organisation": PRIVATE_PERSON if private else offer.organisation.name,
        "organisation_kind": offer.organisation.kind.value,
        "lat": lat,
        "lon": lon,
        "url": url_for(
            "engagement.offer_detail", tenant=tenant.slug, offer_id=offer.id, _external=True
        ),
        "licence": licence.url,
    }
    return {name: _json_value(values[name]) for name in COLUMNS}


def _area_centre(offer: Opportunity) -> tuple[float | None, float | None]:
    """The centre of the offer's postcode area: never finer than the PLZ."""
    area = gazetteer.postcode(offer.plz) if offer.plz else None
    return (area.lat, area.lon) if area is not None else (None, None)


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def document(offers: list[Opportunity], tenant: Tenant) -> dict[str, Any]:
    """The JSON export: licence, metadata link and the records."""
    licence = licence_of(tenant)
    return {
        "licence": {"name": licence.name, "url": licence.url, "uri": licence.dcat_uri},
        "metadata": metadata_url(tenant),
        "personal_data": False,
        "items": [record(offer, tenant, licence) for offer in offers],
    }


def csv_text(offers: list[Opportunity], tenant: Tenant) -> str:
    """The CSV export (columns of :data:`COLUMNS`, the licence URL in every row)."""
    licence = licence_of(tenant)
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer)
    writer.writerow(COLUMNS)
    for offer in offers:
        row = record(offer, tenant, licence)
        writer.writerow([_cell(row[name]) for name in COLUMNS])
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def metadata_url(tenant: Tenant) -> str:
    """Where the DCAT-AP.de record of the tenant's open data is."""
    return _api_url(tenant, "dcat.jsonld")


def _api_url(tenant: Tenant, name: str) -> str:
    from flask import current_app

    base = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/api/v1/tenants/{tenant.slug}/engagement/open-data/{name}"


def link_header(tenant: Tenant) -> str:
    """The HTTP ``Link`` header naming licence and metadata of an export."""
    return f'<{licence_of(tenant).url}>; rel="license", <{metadata_url(tenant)}>; rel="describedby"'


def dcat_record(tenant: Tenant, modified: dt.date) -> dict[str, Any]:
    """The DCAT-AP.de dataset record (JSON-LD) of the tenant's engagement open data."""
    licence = licence_of(tenant)
    publisher = {"@type": "foaf:Organization", "foaf:name": tenant.title}
    distributions = [
        _distribution(tenant, "opportunities.json", "JSON", "application/json", licence),
        _distribution(tenant, "opportunities.csv", "CSV", "text/csv", licence),
    ]
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "dcatde": "http://dcat-ap.de/def/dcatde/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@id": metadata_url(tenant),
        "@type": "dcat:Dataset",
        "dct:title": f"Engagementangebote {tenant.title}",
        "dct:description": (
            "Veröffentlichte Angebote für ehrenamtliches Engagement. Keine "
            "personenbezogenen Daten: Angebote von Privatpersonen ohne Namen und nur mit "
            "dem Mittelpunkt des Postleitzahlgebiets."
        ),
        "dct:publisher": publisher,
        "dcatde:maintainer": publisher,
        "dct:license": {"@id": licence.dcat_uri},
        "dcatde:licenseAttributionByText": tenant.title,
        "dct:modified": modified.isoformat(),
        "dcat:theme": {"@id": "http://publications.europa.eu/resource/authority/data-theme/SOCI"},
        "dcatde:politicalGeocodingLevelURI": {"@id": _geocoding_level(tenant)},
        "dcatde:politicalGeocodingURI": {
            "@id": f"http://dcat-ap.de/def/politicalGeocoding/{_geocoding_key(tenant)}/{tenant.ags}"
        },
        "dcat:distribution": distributions,
    }


def _distribution(
    tenant: Tenant, name: str, format_: str, media_type: str, licence: Licence
) -> dict[str, Any]:
    url = _api_url(tenant, name)
    return {
        "@type": "dcat:Distribution",
        "dct:title": name,
        "dcat:accessURL": {"@id": url},
        "dcat:downloadURL": {"@id": url},
        "dct:format": {
            "@id": f"http://publications.europa.eu/resource/authority/file-type/{format_}"
        },
        "dcat:mediaType": media_type,
        "dct:license": {"@id": licence.dcat_uri},
    }


_LEVELS = {2: ("state", "stateKey"), 5: ("administrativeDistrict", "districtKey")}


def _geocoding_level(tenant: Tenant) -> str:
    level = _LEVELS.get(len(tenant.ags), ("municipality", "municipalityKey"))[0]
    return f"http://dcat-ap.de/def/politicalGeocoding/Level/{level}"


def _geocoding_key(tenant: Tenant) -> str:
    return _LEVELS.get(len(tenant.ags), ("municipality", "municipalityKey"))[1]


# ---------------------------------------------------------------------------------
# The tenant admin chooses the licence
# ---------------------------------------------------------------------------------


def set_licence(tenant: Tenant, key: str) -> None:
    """Publish the tenant's open data under licence ``key`` from now on (audited)."""
    from core import NotFoundError, ValidationError, audit, session, tenant_context

    if key not in LICENCES:
        raise ValidationError(
            "%(key)s is not a known licence",
            field="licence",
            code="opendata.licence.unknown",
            key=key,
        )
    subscription = active_subscription(tenant, SERVICE_KEY)
    if subscription is None:
        raise NotFoundError(
            "the tenant has no active engagement subscription",
            field="subscription",
            code="engagement.not_subscribed",
        )
    with tenant_context(tenant):
        subscription.settings = {**(subscription.settings or {}), "open_data_licence": key}
        session.flush()
    audit.record(
        "engagement.open_data_licence",
        f"tenant:{tenant.slug}",
        tenant=tenant,
        details={"licence": key},
    )


class LicenceForm(FlaskForm):
    """The licence of the tenant's open data."""

    licence = RadioField(
        _l("Licence"), choices=_c((key, lic.name) for key, lic in LICENCES.items())
    )


def admin_open_data() -> Any:
    """The admin page: the open-data links and the licence to publish under."""
    from flask import flash, g, redirect, render_template
    from flask_babel import gettext as _

    from core import session

    tenant = g.tenant
    form = LicenceForm(licence=licence_of(tenant).key)
    if form.validate_on_submit():
        set_licence(tenant, form.licence.data)
        session.commit()
        flash(_("The licence has been saved."))
        return redirect(url_for("engagement.admin_open_data"))
    return render_template(
        "engagement/admin_open_data.html",
        form=form,
        links={
            "JSON": _api_url(tenant, "opportunities.json"),
            "CSV": _api_url(tenant, "opportunities.csv"),
            "DCAT-AP.de (JSON-LD)": metadata_url(tenant),
        },
    )
