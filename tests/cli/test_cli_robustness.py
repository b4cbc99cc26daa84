"""Hostile input files end in ``Error: <field>: <message>`` and exit status 2."""

from __future__ import annotations

from tests.billing.test_configuration import BROKEN


def test_a_csv_with_a_one_megabyte_field(runner, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("ags;name\n05558012;" + "x" * 1_000_000 + "\n", encoding="utf-8")

    result = runner.invoke("tenants", "import", str(path))

    assert result.exit_code == 2
    assert result.stderr == (
        "Error: file: the CSV cannot be read: field larger than field limit (131072)\n"
    )


def test_a_fee_of_ten_to_the_thirty(runner, tmp_path):
    path = tmp_path / "fee.toml"
    path.write_text(
        BROKEN.replace("recurring_fee = 750.0", 'recurring_fee = "1' + "0" * 30 + '"'),
        encoding="utf-8",
    )

    result = runner.invoke("billing", "apply", str(path))

    assert result.exit_code == 2
    assert result.stderr == (
        "Error: tariffs[0].versions[0].recurring_fee: must be at most 999999999999.99\n"
    )


def test_a_binary_toml_file(runner, tmp_path):
    path = tmp_path / "binary.toml"
    path.write_bytes(b"key = 1\n\x89PNG\r\n\x1a\n\x00\xff\xfe")

    result = runner.invoke("billing", "apply", str(path))

    assert result.exit_code == 2
    assert result.stderr == f"Error: {path}: line 2 is not UTF-8 text; is this the right file?\n"


SECOND_SPONSORSHIP = """
[[sponsorships]]
key = "stk-nrw-zweite"
sponsor = "staatskanzlei-nrw"
service = "engagement"
starts_on = {starts_on}
ends_on = {ends_on}
"""


def _with_second_sponsorship(tmp_path, starts_on, ends_on):
    from plugins.billing.demo import EXAMPLES

    text = (EXAMPLES / "engagementdirekt.toml").read_text(encoding="utf-8")
    path = tmp_path / "sponsors.toml"
    path.write_text(
        text + SECOND_SPONSORSHIP.format(starts_on=starts_on, ends_on=ends_on), encoding="utf-8"
    )
    return path


def test_overlapping_sponsorships_of_one_service_are_refused(runner, tmp_path):
    path = _with_second_sponsorship(tmp_path, "2023-07-01", "2024-06-30")

    result = runner.invoke("billing", "apply", str(path))

    assert result.exit_code == 2
    assert result.stderr == (
        "Error: sponsorships[1].starts_on: overlaps sponsorship 'stk-nrw-engagementdirekt' of "
        "the same service; end one before the other starts\n"
    )


def test_a_following_sponsorship_is_fine(runner, tmp_path):
    path = _with_second_sponsorship(tmp_path, "2024-01-01", "2024-12-31")

    assert runner.invoke("billing", "apply", str(path)).exit_code == 0


def test_control_characters_in_a_tenant_name_are_refused(runner):
    result = runner.invoke(
        "tenants", "onboard", "--ags", "05558012", "--name", "Coesfeld\r\nBcc: x@example.org"
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: name: must not contain control characters such as line breaks or tabs\n"
    )


def test_control_characters_in_names_of_accounts_and_organisations_are_refused(tenant):
    import pytest

    from core import accounts
    from core.errors import ValidationError
    from core.testing import TEST_PASSWORD
    from plugins.engagement import organisations

    with pytest.raises(ValidationError) as account:
        accounts.create_user("a@example.org", "Anna\u202eevil", TEST_PASSWORD, tenant=tenant)
    with pytest.raises(ValidationError) as organisation:
        organisations.create_organisation(
            tenant, {"name": "Tafel\tX", "kind": "verein", "contact_email": "t@example.org"}
        )
    assert [str(account.value), str(organisation.value)] == [
        "display_name: must not contain control characters such as line breaks or tabs",
        "name: must not contain control characters such as line breaks or tabs",
    ]


def test_control_characters_in_a_sponsor_name_are_refused(runner, tmp_path):
    path = tmp_path / "issuer.toml"
    path.write_text(
        BROKEN.replace('name = "Kommunal-IT Musterland"', 'name = "Kommunal-IT\\u0000"'),
        encoding="utf-8",
    )
    result = runner.invoke("billing", "apply", str(path))
    assert result.exit_code == 2
    assert "issuers[0].name: must not contain control characters" in result.stderr
