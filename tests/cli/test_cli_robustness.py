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
