"""The operator's day on the command line: gazetteer import, bulk activation, master
data, and a clean error on a database that was never migrated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from core.db import session
from core.models import AuditEntry, Tenant
from core.tenancy import cross_tenant
from tests.tenants.conftest import invoke_json

RATHAUS = str(Path(sys.executable).with_name("rathaus"))


def _statuses() -> dict[str, str]:
    return {t.slug: t.status.value for t in session.scalars(select(Tenant).order_by(Tenant.ags))}


def test_gazetteer_import_of_a_kreis_needs_no_file(runner):
    data = invoke_json(runner, "tenants", "import", "--gazetteer", "--kreis", "05554")
    assert (data["file"], data["format"], data["created"], data["bad_lines"]) == (
        "gazetteer",
        "gazetteer",
        18,
        [],
    )
    kreis = session.scalar(select(Tenant).where(Tenant.ags == "05554"))
    borken = session.scalar(select(Tenant).where(Tenant.ags == "05554012"))
    assert (kreis.slug, kreis.parent_id) == ("kreis-borken", None)
    assert (borken.slug, borken.parent_id, borken.status.value) == (
        "borken",
        kreis.id,
        "requested",
    )


def test_gazetteer_import_of_a_land_links_kreise_to_the_land(runner):
    data = invoke_json(runner, "tenants", "import", "--gazetteer", "--land", "10")
    saarland = session.scalar(select(Tenant).where(Tenant.ags == "10"))
    kreise = session.scalars(select(Tenant).where(func.length(Tenant.ags) == 5)).all()
    # Saarland: the Land, 6 Kreise (with the Regionalverband Saarbrücken), 53 Gemeinden.
    assert (data["created"], len(kreise)) == (60, 6)
    assert {k.parent_id for k in kreise} == {saarland.id}


def test_gazetteer_import_twice_creates_nothing_new(runner):
    invoke_json(runner, "tenants", "import", "--gazetteer", "--kreis", "05554")
    again = invoke_json(runner, "tenants", "import", "--gazetteer", "--kreis", "05554")
    assert (again["created"], again["unchanged"]) == (0, 18)


def test_import_wants_a_file_or_the_gazetteer_not_both(runner, tmp_path):
    neither = runner.invoke("tenants", "import")
    both = runner.invoke("tenants", "import", str(tmp_path / "x.csv"), "--gazetteer")
    assert (neither.exit_code, neither.stderr) == (
        2,
        "Error: file: give a FILE to import, or --gazetteer\n",
    )
    assert (both.exit_code, both.stderr) == (
        2,
        "Error: file: give either a FILE or --gazetteer, not both\n",
    )


def test_activate_takes_several_tenants_and_the_children_of_one(runner):
    invoke_json(runner, "tenants", "import", "--gazetteer", "--kreis", "05554")
    data = invoke_json(
        runner, "tenants", "activate", "kreis-borken", "--children-of", "kreis-borken"
    )
    assert len(data) == 18
    assert data[0]["slug"] == "kreis-borken"
    assert set(_statuses().values()) == {"active"}
    with cross_tenant("test counts audit entries of all tenants"):
        audited = session.scalar(
            select(func.count()).where(AuditEntry.action == "tenant.activated")
        )
    assert audited == 18


def test_activate_leaves_everything_as_it_was_when_one_cannot_be_activated(runner):
    invoke_json(runner, "tenants", "import", "--gazetteer", "--kreis", "05554")
    invoke_json(runner, "tenants", "activate", "vreden")
    result = runner.invoke("tenants", "activate", "borken", "vreden")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: status: tenant 'vreden' is active; activate applies only to requested tenants\n"
    )
    assert _statuses()["borken"] == "requested"


def test_activate_children_skips_those_already_active(runner):
    invoke_json(runner, "tenants", "import", "--gazetteer", "--kreis", "05554")
    invoke_json(runner, "tenants", "activate", "vreden")
    data = invoke_json(runner, "tenants", "activate", "--children-of", "05554")
    assert len(data) == 16  # 17 Gemeinden, Vreden active before; not the Kreis itself
    assert _statuses()["kreis-borken"] == "requested"


def test_activate_needs_tenants(runner):
    result = runner.invoke("tenants", "activate")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: slugs: name the tenants to activate, or use --children-of\n",
    )


def test_update_sets_the_invoice_address(runner, make_tenant):
    make_tenant("borken", "05554012", "Borken")
    data = invoke_json(
        runner,
        "tenants",
        "update",
        "borken",
        "--street",
        "Im Piepershagen 17",
        "--postcode",
        "46325",
        "--city",
        "Borken",
        "--invoice-email",
        "Rechnung@Borken.example",
    )
    assert data["changed"] == {
        "address_street": [None, "Im Piepershagen 17"],
        "address_postcode": [None, "46325"],
        "address_city": [None, "Borken"],
        "invoice_email": [None, "rechnung@borken.example"],
    }
    tenant = session.scalar(select(Tenant).where(Tenant.slug == "borken"))
    session.refresh(tenant)
    assert (tenant.address_street, tenant.address_postcode, tenant.address_city) == (
        "Im Piepershagen 17",
        "46325",
        "Borken",
    )
    with cross_tenant("test reads the audit entry"):
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "tenant.updated")
        ).one()
    assert entry.target == "tenant:borken"


def test_update_reports_every_bad_field_and_changes_nothing(runner, make_tenant):
    make_tenant("borken", "05554012", "Borken")
    result = runner.invoke(
        "tenants", "update", "borken", "--city", "Borken", "--postcode", "463", "--email", "nope"
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: postcode: '463' is not a postcode of 5 digits\n"
        "Error: email: 'nope' is not an e-mail address\n"
    )
    tenant = session.scalar(select(Tenant).where(Tenant.slug == "borken"))
    session.refresh(tenant)
    assert tenant.address_city is None


def test_update_needs_a_field(runner, make_tenant):
    make_tenant("borken", "05554012", "Borken")
    result = runner.invoke("tenants", "update", "borken")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: fields: give at least one field to change\n",
    )


def test_a_command_on_an_unmigrated_database_says_what_to_do(tmp_path):
    result = subprocess.run(
        [RATHAUS, "tenants", "list", "--json"],
        capture_output=True,
        text=True,
        env={"RATHAUS_INSTANCE_PATH": str(tmp_path), "PATH": ""},
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "Error: database: not set up; run rathaus db upgrade\n",
    )
