"""rathaus tenants import: GV100AD and CSV, all or nothing, idempotent, filtered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import session
from core.models import AuditEntry, Tenant
from core.tenancy import cross_tenant
from tests.tenants.conftest import EXTRACT, invoke_json, shared_file

#: The extract's tenants: 2 Länder, 2 Kreise, 12 Gemeinden, 1 kreisfreie Stadt (Münster,
#: whose Kreis record 05515 is an alias, not a tenant of its own).
EXTRACT_TENANTS = 17


def tenants() -> dict[str, tuple[str, str | None]]:
    """slug -> (AGS, parent slug) of every tenant."""
    rows = session.execute(select(Tenant.slug, Tenant.ags, Tenant.parent_id, Tenant.id)).all()
    slugs = {row.id: row.slug for row in rows}
    return {row.slug: (row.ags, slugs.get(row.parent_id)) for row in rows}


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def renamed_extract(line_no: int, name: str) -> str:
    """The extract with the name field (columns 23-72) of one line replaced."""
    lines = EXTRACT.read_text(encoding="utf-8").splitlines()
    line = lines[line_no - 1]
    lines[line_no - 1] = line[:22] + name.ljust(50) + line[72:]
    return "\n".join(lines) + "\n"


def gv_lines(*line_numbers: int) -> str:
    """Lines of the extract, by 1-based number."""
    lines = EXTRACT.read_text(encoding="utf-8").splitlines()
    return "".join(lines[n - 1] + "\n" for n in line_numbers)


def test_import_of_a_gv100ad_file_reports_what_it_did(runner):
    data = invoke_json(runner, "tenants", "import", str(EXTRACT))

    assert {
        k: data[k]
        for k in ("format", "written", "created", "updated", "unchanged", "ignored", "bad_lines")
    } == {
        "format": "gv100ad",
        "written": True,
        "created": 17,
        "updated": 0,
        "unchanged": 0,
        "ignored": 16,
        "bad_lines": [],
    }


def test_import_links_every_tenant_to_its_nearest_ancestor(runner):
    invoke_json(runner, "tenants", "import", str(EXTRACT))

    found = tenants()
    assert (
        found["kreis-coesfeld"],
        found["coesfeld"],
        found["muenster"],
        found["landkreis-neu-ulm"],
    ) == (
        ("05558", "nordrhein-westfalen"),
        ("05558012", "kreis-coesfeld"),
        ("05515000", "nordrhein-westfalen"),
        ("09775", "bayern"),
    )


def test_import_gives_a_shared_slug_to_the_most_populous_place(runner):
    invoke_json(runner, "tenants", "import", str(EXTRACT))

    found = tenants()
    # Senden (Landkreis Neu-Ulm, 22,896 inhabitants) before Senden (Kreis Coesfeld, 20,895).
    assert (found["senden"][0], found["senden-05558044"][0]) == ("09775152", "05558044")


def test_import_never_takes_a_slug_of_the_registry(runner, make_tenant):
    make_tenant("senden", "05", "Nordrhein-Westfalen")

    invoke_json(runner, "tenants", "import", str(EXTRACT), "--land", "09")

    assert tenants()["senden-09775152"][0] == "09775152"


def test_import_sets_status_requested_and_the_gazetteer_display_name(runner):
    invoke_json(runner, "tenants", "import", str(EXTRACT))

    tenant = session.scalar(select(Tenant).where(Tenant.ags == "05558016"))
    assert (tenant.name, tenant.display_name, tenant.kind.value, tenant.status.value) == (
        "Dülmen, Stadt",
        "Stadt Dülmen",
        "gemeinde",
        "requested",
    )


def test_reimport_creates_nothing(runner):
    invoke_json(runner, "tenants", "import", str(EXTRACT))

    data = invoke_json(runner, "tenants", "import", str(EXTRACT))

    assert (data["created"], data["updated"], data["unchanged"]) == (0, 0, EXTRACT_TENANTS)
    assert len(tenants()) == EXTRACT_TENANTS


def test_reimport_updates_a_changed_name_and_its_derived_display_name(runner, tmp_path):
    invoke_json(runner, "tenants", "import", str(EXTRACT))
    renamed = renamed_extract(26, "Olfen-Vinnum, Stadt")

    data = invoke_json(runner, "tenants", "import", write(tmp_path, "renamed.txt", renamed))

    assert data["changes"] == [
        {
            "line": 26,
            "slug": "olfen",
            "ags": "05558036",
            "changes": {
                "name": ["Olfen, Stadt", "Olfen-Vinnum, Stadt"],
                "display_name": ["Stadt Olfen", "Stadt Olfen-Vinnum"],
            },
        }
    ]
    tenant = session.scalar(select(Tenant).where(Tenant.ags == "05558036"))
    assert (tenant.name, tenant.display_name, tenant.slug) == (
        "Olfen-Vinnum, Stadt",
        "Stadt Olfen-Vinnum",
        "olfen",
    )


def test_reimport_keeps_a_display_name_the_tenant_chose(runner, tmp_path):
    invoke_json(runner, "tenants", "import", str(EXTRACT))
    session.scalar(
        select(Tenant).where(Tenant.ags == "05558036")
    ).display_name = "Olfen an der Lippe"
    session.commit()
    renamed = renamed_extract(26, "Olfen-Vinnum, Stadt")

    invoke_json(runner, "tenants", "import", write(tmp_path, "renamed.txt", renamed))

    tenant = session.scalar(select(Tenant).where(Tenant.ags == "05558036"))
    assert (tenant.name, tenant.display_name) == ("Olfen-Vinnum, Stadt", "Olfen an der Lippe")


def test_import_relinks_registered_gemeinden_to_a_new_kreis(runner, make_tenant):
    land = make_tenant("nordrhein-westfalen", "05", "Nordrhein-Westfalen")
    make_tenant("duelmen", "05558016", "Dülmen, Stadt", parent=land)

    data = invoke_json(runner, "tenants", "import", str(EXTRACT), "--kreis", "05558")

    assert (data["relinked"], tenants()["duelmen"]) == (1, ("05558016", "kreis-coesfeld"))


def test_import_with_kreis_filter_takes_the_kreis_and_its_gemeinden(runner):
    data = invoke_json(runner, "tenants", "import", str(EXTRACT), "--kreis", "05558")

    assert (data["created"], data["filtered"]) == (12, 6)
    assert sorted(ags for ags, _parent in tenants().values())[:2] == ["05558", "05558004"]


def test_import_with_land_filter_takes_the_land_and_everything_in_it(runner):
    data = invoke_json(runner, "tenants", "import", str(EXTRACT), "--land", "09")

    assert sorted(tenants()) == ["bayern", "landkreis-neu-ulm", "senden"]
    assert data["filtered"] == 15


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--land", "5"],
            "Error: land: AGS '5' has 1 digits; it must have 2 (Land), 5 (Kreis) or 8 (Gemeinde)\n",
        ),
        (["--land", "05558"], "Error: land: '05558' is not a Land key (2 digits, 01-16)\n"),
        (["--kreis", "05"], "Error: kreis: '05' is not the key of a Kreis (5 digits)\n"),
        (["--kreis", "05999"], "Error: kreis: '05999' is not the key of a Kreis (5 digits)\n"),
        (
            ["--land", "09", "--kreis", "05558"],
            "Error: kreis: Kreis 05558 (Coesfeld) does not lie in Land 09\n",
        ),
    ],
)
def test_import_refuses_bad_filters(runner, args, message):
    result = runner.invoke("tenants", "import", str(EXTRACT), *args)

    assert (result.exit_code, result.stderr) == (2, message)


def test_import_with_bad_lines_imports_nothing_and_reports_every_one(runner, tmp_path):
    text = (
        gv_lines(1, 6)
        + "6020231130055589990004Nirgendwo\n"
        + gv_lines(20)
        + "99 broken\n"
        + gv_lines(20)
    )

    result = runner.invoke("tenants", "import", write(tmp_path, "bad.txt", text))

    assert result.exit_code == 2
    assert result.stderr == (
        "line 3: line too short: 31 characters, Satzart 60 needs at least 150\n"
        "line 5: unknown Satzart '99' (expected one of 10, 20, 30, 40, 50, 60)\n"
        "line 6: ags: AGS 05558012 appears again (first on line 4)\n"
        "Error: file: 3 bad line(s); nothing was imported (fix them, or use --skip-invalid to "
        "import the good lines)\n"
    )
    assert tenants() == {}


def test_import_with_skip_invalid_imports_the_good_lines_and_reports_the_rest(runner, tmp_path):
    text = gv_lines(1, 6) + "99 broken\n" + gv_lines(20)

    data = invoke_json(
        runner, "tenants", "import", write(tmp_path, "bad.txt", text), "--skip-invalid"
    )

    assert data["bad_lines"] == [
        {
            "line": 3,
            "field": None,
            "message": "unknown Satzart '99' (expected one of 10, 20, 30, 40, 50, 60)",
        }
    ]
    assert sorted(tenants()) == ["coesfeld", "kreis-coesfeld", "nordrhein-westfalen"]


def test_import_aborted_with_json_prints_the_report_and_exits_2(runner, tmp_path):
    result = runner.invoke(
        "tenants", "import", write(tmp_path, "bad.txt", gv_lines(1) + "99 broken\n"), "--json"
    )

    assert result.exit_code == 2
    assert (
        json.loads(result.stdout)["written"],
        json.loads(result.stdout)["bad_lines"][0]["line"],
    ) == (False, 2)


def test_import_dry_run_writes_nothing(runner):
    data = invoke_json(runner, "tenants", "import", str(EXTRACT), "--dry-run")

    assert (data["written"], data["created"], tenants()) == (False, 17, {})


def test_import_of_a_csv_takes_slug_leitweg_id_email_and_name(runner, tmp_path):
    text = (
        "ags,slug,leitweg_id,email,name\n"
        "05558012,stadt-coesfeld,05558012-71,info@coesfeld.example,Coesfeld\n"
        "05558\n"
    )

    data = invoke_json(runner, "tenants", "import", write(tmp_path, "t.csv", text))

    assert (data["format"], data["created"]) == ("csv", 2)
    tenant = session.scalar(select(Tenant).where(Tenant.ags == "05558012"))
    assert (
        tenant.slug,
        tenant.leitweg_id,
        tenant.contact_email,
        tenant.display_name,
        tenant.parent.slug,
    ) == (
        "stadt-coesfeld",
        "05558012-71",
        "info@coesfeld.example",
        "Coesfeld",
        "kreis-coesfeld",
    )


def test_import_reads_a_semicolon_csv_with_byte_order_mark(runner, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffAGS;Slug\r\n05558016;duelmen\r\n".encode())

    data = invoke_json(runner, "tenants", "import", str(path))

    assert (data["format"], data["created"], list(tenants())) == ("csv", 1, ["duelmen"])


def test_import_reports_every_bad_csv_line(runner, tmp_path):
    text = (
        "ags,slug,leitweg_id,email\n"
        "5558012,,,\n"  # line 2: a spreadsheet dropped the zero
        "05558016,admin,,\n"  # line 3: reserved slug
        "05558020,,05558020-48,\n"  # line 4: check digit
        "05558024,,,nobody\n"  # line 5: e-mail
        "05558028,olfen,,\n"  # line 6: fine
        "05558036,olfen,,\n"  # line 7: slug used on line 6
        "05558040,,,,extra\n"  # line 8: too many values
    )

    result = runner.invoke("tenants", "import", write(tmp_path, "t.csv", text), "--json")

    assert result.exit_code == 2
    assert [
        (b["line"], b["field"], b["message"]) for b in json.loads(result.stdout)["bad_lines"]
    ] == [
        (
            2,
            "ags",
            "AGS '5558012' has 7 digits; it must have 2 (Land), 5 (Kreis) or 8 (Gemeinde) "
            "(a spreadsheet may have dropped the leading zero; store the column as text)",
        ),
        (3, "slug", "'admin' is reserved for the platform's own pages"),
        (4, "leitweg_id", "'05558020-48' has a wrong check digit (ISO 7064 MOD 97-10)"),
        (5, "email", "'nobody' is not an e-mail address"),
        (7, "slug", "slug 'olfen' is already used on line 6"),
        (8, None, "more values than the 4 columns of the header"),
    ]


def test_import_refuses_a_csv_slug_of_another_tenant(runner, tmp_path, tenant):
    result = runner.invoke(
        "tenants", "import", write(tmp_path, "t.csv", "ags,slug\n05558016,coesfeld\n")
    )

    assert result.stderr.splitlines()[0] == "line 2: slug: slug 'coesfeld' is taken by AGS 05558012"


def test_import_does_not_change_the_slug_of_a_registered_tenant(runner, tmp_path, tenant):
    result = runner.invoke(
        "tenants", "import", write(tmp_path, "t.csv", "ags,slug\n05558012,stadt-coesfeld\n")
    )

    assert result.stderr.splitlines()[0] == (
        "line 2: slug: AGS 05558012 is already tenant 'coesfeld'; an import does not change slugs"
    )


def test_reimport_of_a_csv_updates_leitweg_id_and_email(runner, tmp_path, tenant):
    data = invoke_json(
        runner,
        "tenants",
        "import",
        write(tmp_path, "t.csv", "ags,leitweg_id\n05558012,05558012-71\n"),
    )

    assert data["changes"][0]["changes"] == {"leitweg_id": [None, "05558012-71"]}


def test_import_refuses_unknown_csv_columns(runner, tmp_path):
    result = runner.invoke(
        "tenants", "import", write(tmp_path, "t.csv", "ags,lietweg_id\n05558012,x\n")
    )

    assert (result.exit_code, result.stderr) == (
        2,
        "Error: file: unknown column(s) 'lietweg_id'; known: ags, slug, leitweg_id, email, name\n",
    )


def test_import_refuses_a_file_of_unknown_format(runner, tmp_path):
    result = runner.invoke("tenants", "import", write(tmp_path, "t.txt", "hello\n"))

    assert (result.exit_code, result.stderr) == (
        2,
        "Error: file: neither a GV100AD file (fixed-width records) nor a CSV file with a header "
        "line naming "
        "an 'ags' column\n",
    )


def test_import_refuses_a_missing_file(runner, tmp_path):
    result = runner.invoke("tenants", "import", str(tmp_path / "missing.txt"))

    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: file: cannot read {tmp_path / 'missing.txt'}: No such file or directory\n",
    )


def test_import_reports_a_line_that_is_not_utf8(runner, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(gv_lines(1).encode() + "602023113005558004000\xe4".encode("latin-1") + b"\n")

    result = runner.invoke("tenants", "import", str(path))

    assert result.stderr.splitlines()[0] == "line 2: not valid UTF-8 (column 22)"


def test_import_writes_one_audit_entry_per_new_tenant_into_its_log(runner):
    invoke_json(runner, "tenants", "import", str(EXTRACT), "--kreis", "05558")

    with cross_tenant("test reads the audit log"):
        onboarded = session.scalar(
            select(func.count()).where(
                AuditEntry.action == "tenant.onboarded", AuditEntry.tenant_id.is_not(None)
            )
        )
        summary = session.scalar(select(AuditEntry).where(AuditEntry.action == "tenants.imported"))
    assert (onboarded, summary.details["created"], summary.tenant_id) == (12, 12, None)


def test_import_announces_every_new_tenant_to_the_plugins(runner, hook_calls):
    invoke_json(runner, "tenants", "import", str(EXTRACT), "--kreis", "05558")

    announced = [slug for hook, slug in hook_calls if hook == "tenant_onboarded"]
    assert announced[:2] == ["kreis-coesfeld", "ascheberg"]
    assert len(announced) == 12


def test_import_shows_no_progress_bar_when_not_on_a_terminal(runner):
    result = runner.invoke("tenants", "import", str(EXTRACT))

    assert result.stderr == ""
    assert result.stdout.startswith(
        "Imported gv100ad_extract.txt (gv100ad): 17 created, 0 updated, 0 unchanged"
    )


def test_import_shows_a_progress_bar_on_a_terminal(runner, monkeypatch):
    monkeypatch.setattr("plugins.tenants.cli.on_terminal", lambda _stream: True)

    result = runner.invoke("tenants", "import", str(EXTRACT))

    assert result.stderr.startswith("Importing")


def test_import_with_json_shows_no_progress_bar_even_on_a_terminal(runner, monkeypatch):
    monkeypatch.setattr("plugins.tenants.cli.on_terminal", lambda _stream: True)

    result = runner.invoke("tenants", "import", str(EXTRACT), "--json")

    assert (result.stderr, json.loads(result.stdout)["created"]) == ("", 17)


@pytest.mark.slow
def test_import_of_the_whole_of_germany(runner):
    path = shared_file("GV100AD_301123.txt")
    if path is None:
        pytest.skip("GV100AD_301123.txt (shared reference data) not found")

    data = invoke_json(runner, "tenants", "import", str(path))

    kinds = dict(session.execute(select(Tenant.kind, func.count()).group_by(Tenant.kind)).all())
    assert ({k.value: n for k, n in kinds.items()}, data["bad_lines"]) == (
        {"land": 14, "kreis": 294, "gemeinde": 10875, "kreisfreie_stadt": 104, "stadtstaat": 2},
        [],
    )
    # 14 Länder and the Stadtstaaten Berlin and Hamburg stand at the top.
    assert session.scalar(select(func.count()).where(Tenant.parent_id.is_(None))) == 16
    berlin = session.scalars(select(Tenant.ags).where(Tenant.ags.startswith("11"))).all()
    muenster = session.scalar(select(Tenant).where(Tenant.ags == "05515000"))
    assert (berlin, muenster.kind.value, muenster.parent.ags) == (
        ["11000000"],
        "kreisfreie_stadt",
        "05",
    )
