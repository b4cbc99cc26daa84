"""Registering tenants from the gazetteer: names, kinds, parents, validation."""

from __future__ import annotations

import pytest

from core import gazetteer, lifecycle
from core.db import session
from core.errors import ConflictError, ValidationError
from core.identifiers import display_name, suggested_slug
from core.models import TenantKind, TenantStatus


def error_of(call):
    with pytest.raises((ValidationError, ConflictError)) as err:
        call()
    session.rollback()
    return type(err.value).__name__, err.value.field, err.value.message


def test_name_kind_and_display_name_come_from_the_gazetteer(app):
    tenant = lifecycle.register_tenant("05558012")
    assert (tenant.slug, tenant.name, tenant.display_name, tenant.kind, tenant.status) == (
        "coesfeld",
        "Coesfeld, Stadt",
        "Stadt Coesfeld",
        TenantKind.GEMEINDE,
        TenantStatus.REQUESTED,
    )


def test_parent_is_linked_whichever_is_registered_first(app):
    stadt = lifecycle.register_tenant("05558012")
    land = lifecycle.register_tenant("05")
    assert stadt.parent is land
    kreis = lifecycle.register_tenant("05558")
    assert (stadt.parent, kreis.parent) == (kreis, land)


@pytest.mark.parametrize(
    ("ags", "slug", "name"),
    [
        ("05558", "kreis-coesfeld", "Kreis Coesfeld"),
        ("06534", "landkreis-marburg-biedenkopf", "Landkreis Marburg-Biedenkopf"),
        ("05334", "staedteregion-aachen", "Städteregion Aachen"),
        ("05515000", "muenster", "Stadt Münster"),
        ("05", "nordrhein-westfalen", "Nordrhein-Westfalen"),
        ("09174111", "altomuenster", "Markt Altomünster"),
        ("09178124", "freising", "Große Kreisstadt Freising"),
    ],
)
def test_suggested_slugs_and_display_names(ags, slug, name):
    place = gazetteer.lookup(ags)
    assert (suggested_slug(place), display_name(place)) == (slug, name)


def test_malformed_ags(app):
    assert error_of(lambda: lifecycle.register_tenant("0555801")) == (
        "ValidationError",
        "ags",
        "AGS '0555801' has 7 digits; it must have 2 (Land), 5 (Kreis) or 8 (Gemeinde)",
    )


def test_unknown_ags(app):
    assert error_of(lambda: lifecycle.register_tenant("05558999")) == (
        "ValidationError",
        "ags",
        "AGS '05558999' is not in the municipality register (Gemeindeverzeichnis, Gebietsstand 30.11.2023)",
    )


def test_duplicate_ags_and_slug(app):
    lifecycle.register_tenant("05558012")
    session.commit()
    assert error_of(lambda: lifecycle.register_tenant("05558012", slug="other"))[:2] == (
        "ConflictError",
        "ags",
    )
    assert error_of(lambda: lifecycle.register_tenant("05558016", slug="coesfeld")) == (
        "ConflictError",
        "slug",
        "slug 'coesfeld' is taken",
    )


def test_invalid_leitweg_id(app):
    assert error_of(
        lambda: lifecycle.register_tenant("05558012", leitweg_id="05558012-12345-00")
    ) == (
        "ValidationError",
        "leitweg_id",
        "'05558012-12345-00' has a wrong check digit (ISO 7064 MOD 97-10)",
    )


def test_invalid_invoice_email_names_its_field(app):
    assert error_of(
        lambda: lifecycle.register_tenant("05558012", invoice_email="rechnung-at-coesfeld")
    ) == (
        "ValidationError",
        "invoice_email",
        "'rechnung-at-coesfeld' is not an e-mail address",
    )


def test_reserved_slug(app):
    assert error_of(lambda: lifecycle.register_tenant("05558012", slug="import")) == (
        "ValidationError",
        "slug",
        "'import' is reserved for the platform's own pages",
    )


def test_ensure_tenant_is_get_or_create(app):
    first = lifecycle.ensure_tenant("05558012")
    assert lifecycle.ensure_tenant("05558012") is first
    assert first.status == TenantStatus.ACTIVE
