"""rathaus tenants onboard: one municipality, validated, linked, audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from core.db import session
from core.models import AuditEntry, Tenant, TenantStatus
from core.tenancy import cross_tenant
from tests.tenants.conftest import COESFELD_ONBOARDED, invoke_json


def tenant_count() -> int:
    return session.scalar(select(func.count()).select_from(Tenant))


def test_onboard_prints_the_tenant_as_json(runner):
    data = invoke_json(runner, "tenants", "onboard", "--ags", "05558012")

    assert data == COESFELD_ONBOARDED


def test_onboard_takes_slug_name_leitweg_id_and_email(runner):
    invoke_json(
        runner,
        "tenants",
        "onboard",
        "--ags",
        "05558012",
        "--slug",
        "stadt-coesfeld",
        "--name",
        "Stadt Coesfeld im Münsterland",
        "--leitweg-id",
        "05558012-71",
        "--email",
        "Info@Coesfeld.example",
    )

    tenant = session.scalar(select(Tenant).where(Tenant.ags == "05558012"))
    assert (tenant.slug, tenant.display_name, tenant.leitweg_id, tenant.contact_email) == (
        "stadt-coesfeld",
        "Stadt Coesfeld im Münsterland",
        "05558012-71",
        "info@coesfeld.example",
    )


def test_onboard_without_json_prints_a_sentence(runner):
    result = runner.invoke("tenants", "onboard", "--ags", "05558")

    assert result.exit_code == 0
    assert (
        result.stdout
        == "Onboarded Kreis Coesfeld as kreis-coesfeld (AGS 05558, kreis); status requested.\n"
    )


def test_onboard_links_a_gemeinde_to_its_registered_kreis(runner):
    invoke_json(runner, "tenants", "onboard", "--ags", "05558")

    data = invoke_json(runner, "tenants", "onboard", "--ags", "05558016")

    assert data["parent"] == "kreis-coesfeld"


def test_onboard_of_a_kreis_relinks_its_gemeinden_registered_before(runner):
    invoke_json(runner, "tenants", "onboard", "--ags", "05")
    invoke_json(runner, "tenants", "onboard", "--ags", "05558016")

    invoke_json(runner, "tenants", "onboard", "--ags", "05558")

    assert invoke_json(runner, "tenants", "show", "duelmen")["parent"] == "kreis-coesfeld"


def test_onboard_skips_an_offboarded_kreis_as_parent(runner, make_tenant):
    make_tenant("nordrhein-westfalen", "05", "Nordrhein-Westfalen")
    make_tenant("kreis-coesfeld", "05558", "Coesfeld", status=TenantStatus.OFFBOARDED)

    data = invoke_json(runner, "tenants", "onboard", "--ags", "05558016")

    assert data["parent"] == "nordrhein-westfalen"


def test_onboard_records_who_and_why_in_the_audit_log(runner):
    invoke_json(
        runner, "tenants", "onboard", "--ags", "05558012", "--reason", "Einzelabruf vom 3.5."
    )

    with cross_tenant("test reads the audit log"):
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "tenant.onboarded"))
    assert (entry.target, entry.reason, entry.actor.startswith("cli:")) == (
        "tenant:coesfeld",
        "Einzelabruf vom 3.5.",
        True,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--ags", "0555801"],
            "Error: ags: AGS '0555801' has 7 digits; it must have 2 (Land), 5 (Kreis) or 8 "
            "(Gemeinde)\n",
        ),
        (
            ["--ags", "05558x12"],
            "Error: ags: AGS '05558x12' contains non-digits; only 0-9 are allowed\n",
        ),
        (
            ["--ags", "17000000"],
            "Error: ags: AGS '17000000' has unknown Land prefix '17'; it must be 01–16\n",
        ),
        (
            ["--ags", "05558999"],
            "Error: ags: AGS '05558999' is not in the municipality register (Gemeindeverzeichnis, "
            "Gebietsstand 30.11.2023)\n",
        ),
        (
            ["--ags", "05558012", "--leitweg-id", "05558012-72"],
            "Error: leitweg_id: '05558012-72' has a wrong check digit (ISO 7064 MOD 97-10)\n",
        ),
        (
            ["--ags", "05558012", "--leitweg-id", "0555-8012"],
            "Error: leitweg_id: '0555-8012' is not a Leitweg-ID: expected 2-12 digits, an "
            "optional part of "
            "up to 30 letters or digits, and two check digits, separated by hyphens (e.g. "
            "04011000-1234512345-06)\n",
        ),
        (
            ["--ags", "05558012", "--slug", "Coesfeld"],
            "Error: slug: 'Coesfeld' is not a valid slug: 2-63 lowercase letters, digits and "
            "hyphens, starting "
            "with a letter and not ending with a hyphen\n",
        ),
        (
            ["--ags", "05558012", "--slug", "admin"],
            "Error: slug: 'admin' is reserved for the platform's own pages\n",
        ),
        (
            ["--ags", "05558012", "--email", "info-at-coesfeld"],
            "Error: email: 'info-at-coesfeld' is not an e-mail address\n",
        ),
        (
            ["--ags", "05558012", "--name", "x" * 201],
            "Error: name: must have at most 200 characters, not 201\n",
        ),
    ],
)
def test_onboard_refuses_bad_input_with_exit_2_and_writes_nothing(runner, args, message):
    result = runner.invoke("tenants", "onboard", *args, "--json")

    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)
    assert tenant_count() == 0


def test_onboard_refuses_an_ags_that_is_already_a_tenant(runner, tenant):
    result = runner.invoke("tenants", "onboard", "--ags", "05558012", "--slug", "other")

    assert (result.exit_code, result.stderr) == (
        2,
        "Error: ags: AGS 05558012 (Coesfeld, Stadt) is already a tenant\n",
    )
    assert tenant_count() == 1


def test_onboard_refuses_a_slug_that_is_taken(runner, tenant):
    result = runner.invoke("tenants", "onboard", "--ags", "05558016", "--slug", "coesfeld")

    assert (result.exit_code, result.stderr) == (2, "Error: slug: slug 'coesfeld' is taken\n")
    assert tenant_count() == 1


def test_onboard_writes_no_audit_entry_when_refused(runner):
    runner.invoke("tenants", "onboard", "--ags", "05558012", "--leitweg-id", "1")

    with cross_tenant("test reads the audit log"):
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_hook_tenant_onboarded_is_called_for_an_onboarded_tenant(runner, hook_calls):
    invoke_json(runner, "tenants", "onboard", "--ags", "05558012")

    assert hook_calls == [("tenant_onboarded", "coesfeld")]


def test_onboard_json_output_is_valid_json_only(runner):
    result = runner.invoke("tenants", "onboard", "--ags", "05", "--json")

    assert json.loads(result.stdout)["kind"] == "land"
