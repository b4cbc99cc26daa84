"""Configuration as code: ``rathaus billing apply FILE``."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from core.db import session
from plugins.billing.configuration import ConfigError, apply_toml
from plugins.billing.models import Issuer, Sponsorship, Tariff
from tests.billing.conftest import DATA, EXAMPLES, apply_example

BROKEN = """
[[issuers]]
key = "kommunal-it"
name = "Kommunal-IT Musterland"
street = "Musterweg 1"
postcode = "12345"
city = "Musterstadt"
contact_name = "Team Abrechnung"
contact_phone = "+49 30 1234567-0"
contact_email = "abrechnung@kommunal-it.example"
electronic_address = "rechnung@kommunal-it.example"
vat_id = "DE999999995"
iban = "DE02120300000000202051"
number_prefix = "KIT"

[[tariffs]]
key = "engagementdirekt"
service = "engagement"
name = "Engagementdirekt"
issuer = "kommunal-it"

  [[tariffs.versions]]
  valid_from = 2023-01-01
  description = "Betrieb"
  recurring_fee = 750.0
"""


def test_apply_example_files_reports_what_changed(app, runner):
    result = runner.invoke("billing", "apply", str(EXAMPLES / "engagementdirekt.toml"), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "changed": {
            "issuers": ["kommunal-it"],
            "sponsors": ["staatskanzlei-nrw"],
            "tariffs": ["engagementdirekt"],
            "sponsorships": ["stk-nrw-engagementdirekt"],
            "pools": [],
            "grants": [],
        },
        "warnings": [],
        "dry_run": False,
    }


def test_apply_is_idempotent(app, runner):
    apply_example("engagementdirekt.toml")
    result = runner.invoke("billing", "apply", str(EXAMPLES / "engagementdirekt.toml"), "--json")
    assert json.loads(result.stdout)["changed"] == {
        "issuers": [],
        "sponsors": [],
        "tariffs": [],
        "sponsorships": [],
        "pools": [],
        "grants": [],
    }


def test_every_example_file_applies(app, kkd, ozg):
    for name in (
        "engagementdirekt.toml",
        "kompetenzcenter.toml",
        "ozg-koordination.toml",
        "etermin.toml",
    ):
        apply_example(name)
    assert session.scalar(select(func.count()).select_from(Tariff)) == 2


def test_tariff_for_a_service_not_in_the_catalogue_warns(app):
    report = apply_example("etermin.toml")
    assert report["warnings"] == [
        "tariff 'termin': service 'termin' is not in the catalogue; it applies once a "
        "plugin provides it"
    ]


def test_invalid_file_names_the_key_path_and_applies_nothing(app, runner, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN, encoding="utf-8")
    result = runner.invoke("billing", "apply", str(path))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "Error: tariffs[0].versions[0].recurring_fee: must be an amount with at most two "
        "decimals given as a string, "
        'e.g. "750.00"'
    )
    assert session.scalar(select(func.count()).select_from(Issuer)) == 0


def test_every_problem_is_listed(app):
    text = BROKEN.replace('iban = "DE02120300000000202051"', 'iban = "DE02120300000000202052"')
    with pytest.raises(ConfigError) as caught:
        apply_toml(text)
    assert caught.value.problems == [
        "issuers[0].iban: 'DE02120300000000202052' is not a valid IBAN (check digits or "
        "length wrong)",
        "tariffs[0].versions[0].recurring_fee: must be an amount with at most two decimals "
        'given as a string, e.g. "750.00"',
    ]


def test_unknown_issuer_is_reported_with_its_path(app):
    text = BROKEN.replace("recurring_fee = 750.0", 'recurring_fee = "750.00"').replace(
        'issuer = "kommunal-it"', 'issuer = "nobody"'
    )
    with pytest.raises(ConfigError) as caught:
        apply_toml(text)
    assert (
        str(caught.value) == "tariffs[0].issuer: no issuer 'nobody' (define it under [[issuers]])"
    )
    assert session.scalar(select(func.count()).select_from(Issuer)) == 0


def test_unknown_pool_member_is_reported_with_its_path(app):
    with pytest.raises(ConfigError) as caught:
        apply_toml((DATA / "four-partner-pool.toml").read_text(encoding="utf-8"))
    assert str(caught.value) == "issuers[0].tenant: no tenant with AGS 05558; register it first"


def test_unknown_grant_partner_is_reported_with_its_path(app):
    with pytest.raises(ConfigError) as caught:
        apply_example("ozg-koordination.toml")
    assert str(caught.value) == "grants[0].partners: no tenant with AGS 05558; register it first"


def test_wrong_vat_rate_for_the_category_is_refused(app):
    text = BROKEN.replace(
        "recurring_fee = 750.0",
        'recurring_fee = "750.00"\n  vat_category = "O"\n  vat_rate = "19.00"',
    )
    with pytest.raises(ConfigError) as caught:
        apply_toml(text)
    assert str(caught.value) == "tariffs[0].versions[0].vat_rate: category O needs a rate of 0.00 %"


def test_pinned_tariff_version_cannot_change_its_prices(app, connected_2023):
    text = (
        (EXAMPLES / "engagementdirekt.toml")
        .read_text(encoding="utf-8")
        .replace('"750.00"', '"800.00"')
    )
    with pytest.raises(ConfigError) as caught:
        apply_toml(text)
    assert str(caught.value) == (
        "tariffs[0].versions[0].valid_from: the version valid from 2023-01-01 is pinned by 1 "
        "contract(s); "
        "add a new version with a later valid_from instead"
    )


def test_dry_run_validates_and_changes_nothing(app, runner):
    result = runner.invoke(
        "billing", "apply", str(EXAMPLES / "engagementdirekt.toml"), "--dry-run", "--json"
    )
    assert json.loads(result.stdout)["changed"]["tariffs"] == ["engagementdirekt"]
    assert session.scalar(select(func.count()).select_from(Tariff)) == 0


def test_changing_the_sponsorship_end_is_applied(app):
    apply_example("engagementdirekt.toml")
    text = (
        (EXAMPLES / "engagementdirekt.toml")
        .read_text(encoding="utf-8")
        .replace("ends_on = 2023-12-31", "ends_on = 2024-06-30")
    )
    report = apply_toml(text)
    assert report["changed"]["sponsorships"] == ["stk-nrw-engagementdirekt"]
    assert session.scalar(select(Sponsorship.ends_on)).isoformat() == "2024-06-30"


def test_fixed_shares_must_add_up_to_100_percent(app, ozg):
    text = (
        (DATA / "four-partner-pool.toml")
        .read_text(encoding="utf-8")
        .replace('allocation = "equal"', 'allocation = "fixed"')
        .replace("joins_on = 2021-01-01", 'joins_on = 2021-01-01\n  share = "20.00"')
    )
    with pytest.raises(ConfigError) as caught:
        apply_toml(text)
    assert (
        str(caught.value)
        == "pools[0].members: fixed shares must add up to 100.00 %, they add up to 80.00 %"
    )
