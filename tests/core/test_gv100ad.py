"""Tests for core.gv100ad, the GV100AD fixed-width parser.

The sample records are verbatim lines of GV100AD_301123.txt (Destatis) with their
trailing blanks stripped, so they check the column offsets against the real file.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest

from core.gv100ad import GV100FormatError, GV100Record, parse_gv100ad, read_gv100ad
from tests.reference import shared_data_dir

DATA = (shared_data_dir() or Path("/nonexistent")) / "GV100AD_301123.txt"
STAND = datetime.date(2023, 11, 30)

LAND = "102023113001          Schleswig-Holstein                                Kiel"
BEZIRK = "2020231130055         Reg.-Bez. Münster                                 Münster"
REGION = "30202311300811        Region Stuttgart                                  Stuttgart"
KREIS = "402023113005558       Coesfeld                                          Coesfeld                                          43"  # noqa: E501
VERBAND = "502023113005558   0012Coesfeld, Stadt                                                                                     50"  # noqa: E501
COESFELD = "6020231130055580120012Coesfeld, Stadt                                                                                     63    000000141360000003703000000018256    48653       5312471732701127"  # noqa: E501
MUENSTER = "6020231130055150000000Münster, Stadt                                                                                      61    000000303280000032094600000153935    48143*****  5336472436701129"  # noqa: E501
GAIBERG = "6020231130082260225005Gaiberg                                                                                             64    000000004150000000239200000001168    69251       2832130262401277"  # noqa: E501
HARZ = "6020231130031535049504Harz (Landkreis Goslar), gemfr. Gebiet                                                              66    000000372390000000000000000000000                23211116     052"  # noqa: E501


def parse_one(line: str) -> GV100Record:
    """Parse a single line and return its record."""
    (record,) = parse_gv100ad([line])
    return record


def error_for(*lines: str) -> GV100FormatError:
    """Parse ``lines`` and return the format error raised."""
    with pytest.raises(GV100FormatError) as caught:
        list(parse_gv100ad(lines))
    return caught.value


def replace(line: str, start: int, text: str) -> str:
    """``line`` with ``text`` written over it at 0-based column ``start``."""
    return line[:start] + text + line[start + len(text) :]


def test_land_record():
    assert parse_one(LAND) == GV100Record(
        line_no=1,
        satzart=10,
        ags="01",
        name="Schleswig-Holstein",
        kind="land",
        textkennzeichen=None,
        population=None,
        area_ha=None,
        plz=None,
        several_plz=False,
        seat="Kiel",
        ars=None,
        gebietsstand=STAND,
    )


def test_regierungsbezirk_and_region_get_their_short_keys():
    bezirk, region = parse_gv100ad([BEZIRK, REGION])
    assert (bezirk.kind, bezirk.ags, bezirk.name, bezirk.seat) == (
        "regierungsbezirk",
        "055",
        "Reg.-Bez. Münster",
        "Münster",
    )
    assert (region.satzart, region.kind, region.ags, region.name) == (
        30,
        "region",
        "0811",
        "Region Stuttgart",
    )


def test_kreis_record():
    kreis = parse_one(KREIS)
    assert (kreis.satzart, kreis.kind, kreis.ags, kreis.name, kreis.seat) == (
        40,
        "kreis",
        "05558",
        "Coesfeld",
        "Coesfeld",
    )
    assert kreis.textkennzeichen == 43
    assert kreis.population is None and kreis.plz is None and kreis.ars is None


def test_gemeindeverband_key_is_kreis_plus_verband():
    verband = parse_one(VERBAND)
    assert (verband.kind, verband.ags, verband.ars, verband.textkennzeichen) == (
        "gemeindeverband",
        "055580012",
        "055580012",
        50,
    )
    assert verband.name == "Coesfeld, Stadt"


def test_gemeinde_record():
    assert parse_one(COESFELD) == GV100Record(
        line_no=1,
        satzart=60,
        ags="05558012",
        name="Coesfeld, Stadt",
        kind="gemeinde",
        textkennzeichen=63,
        population=37030,
        area_ha=14136,
        plz="48653",
        several_plz=False,
        seat=None,
        ars="055580012012",
        gebietsstand=STAND,
    )


def test_gemeinde_key_comes_before_verband_key():
    # Columns 16-18 are the Gemeinde, 19-22 the Verband. Reading them the other way
    # round only works where the Verband is "0" + Gemeinde, as in Coesfeld.
    gaiberg = parse_one(GAIBERG)
    assert gaiberg.ags == "08226022"
    assert gaiberg.ars == "082265005022"


def test_several_plz_flag_and_kreisfreie_stadt():
    muenster = parse_one(MUENSTER)
    assert (muenster.ags, muenster.plz, muenster.several_plz) == ("05515000", "48143", True)
    assert (muenster.textkennzeichen, muenster.population, muenster.area_ha) == (
        61,
        320946,
        30328,
    )


def test_gemeindefreies_gebiet_without_plz():
    harz = parse_one(HARZ)
    assert (harz.ags, harz.textkennzeichen, harz.population, harz.plz) == (
        "03153504",
        66,
        0,
        None,
    )


def test_full_length_lines_with_line_endings_and_bom_parse_the_same():
    padded = ["\ufeff" + LAND.ljust(220) + "\r\n", KREIS.ljust(220) + "\n", COESFELD.ljust(220)]
    expected = [
        dataclasses.replace(parse_one(line), line_no=n)
        for n, line in enumerate([LAND, KREIS, COESFELD], start=1)
    ]
    assert list(parse_gv100ad(padded)) == expected


def test_blank_lines_are_skipped_but_counted():
    records = list(parse_gv100ad([LAND, "", "   \n", KREIS]))
    assert [(r.line_no, r.ags) for r in records] == [(1, "01"), (4, "05558")]


def test_kinds_filter():
    lines = [LAND, BEZIRK, KREIS, VERBAND, COESFELD, MUENSTER]
    assert [r.ags for r in parse_gv100ad(lines, kinds={"gemeinde"})] == ["05558012", "05515000"]
    without_verband = parse_gv100ad(lines, kinds={"land", "kreis", "gemeinde"})
    assert [r.kind for r in without_verband] == ["land", "kreis", "gemeinde", "gemeinde"]


def test_kinds_filter_still_validates_every_line():
    error = error_for_kinds([LAND, "99" + LAND[2:]], {"gemeinde"})
    assert str(error) == "line 2: unknown Satzart '99' (expected one of 10, 20, 30, 40, 50, 60)"


def error_for_kinds(lines: list[str], kinds: set[str]) -> GV100FormatError:
    """Parse with a kinds filter and return the format error raised."""
    with pytest.raises(GV100FormatError) as caught:
        list(parse_gv100ad(lines, kinds=kinds))
    return caught.value


def test_unknown_kind_fails_at_call_time():
    with pytest.raises(ValueError) as caught:
        parse_gv100ad([], kinds={"gemeinde", "county"})
    assert str(caught.value) == (
        "unknown record kind(s) county; known: land, regierungsbezirk, region, kreis,"
        " gemeindeverband, gemeinde"
    )


def test_error_carries_line_number_and_message():
    error = error_for(LAND, KREIS, COESFELD[:20])
    assert isinstance(error, ValueError)
    assert error.line_no == 3
    assert error.message == "line too short: 20 characters, Satzart 60 needs at least 150"
    assert str(error) == "line 3: line too short: 20 characters, Satzart 60 needs at least 150"


def test_records_before_the_bad_line_are_yielded():
    records = parse_gv100ad([LAND, KREIS, "x"])
    assert next(records).ags == "01"
    assert next(records).ags == "05558"
    with pytest.raises(GV100FormatError, match="^line 3: unknown Satzart 'x'"):
        next(records)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("99" + LAND[2:], "unknown Satzart '99' (expected one of 10, 20, 30, 40, 50, 60)"),
        (KREIS[:100], "line too short: 100 characters, Satzart 40 needs at least 124"),
        (KREIS.ljust(221, "x"), "line too long: 221 characters, GV100AD records have 220"),
        (
            replace(KREIS, 2, "20231131"),
            "bad Gebietsstand '20231131' in columns 3-10 (expected a date YYYYMMDD)",
        ),
        (
            replace(KREIS, 2, "2023113 "),
            "bad Gebietsstand '2023113 ' in columns 3-10 (expected a date YYYYMMDD)",
        ),
        (replace(KREIS, 10, "05X58"), "non-digit key '05X58' in columns 11-15"),
        (replace(COESFELD, 15, "0l2"), "non-digit key '0l2' in columns 16-18"),
        (replace(VERBAND, 18, "00 2"), "non-digit key '00 2' in columns 19-22"),
        (replace(LAND, 10, "0¹"), "non-digit key '0¹' in columns 11-12"),
        (replace(KREIS, 22, " " * 50), "empty name in columns 23-72"),
        (
            replace(KREIS, 122, "49"),
            "bad Textkennzeichen '49' in columns 123-124 for Satzart 40"
            " (expected one of 41, 42, 43, 44, 45)",
        ),
        (
            replace(COESFELD, 122, "  "),
            "bad Textkennzeichen '  ' in columns 123-124 for Satzart 60"
            " (expected one of 60, 61, 62, 63, 64, 65, 66, 67)",
        ),
        (
            replace(COESFELD, 139, "0000003703X"),
            "bad population '0000003703X' in columns 140-150 (expected digits)",
        ),
        (
            replace(COESFELD, 128, "       1413"),
            "bad area '       1413' in columns 129-139 (expected digits)",
        ),
        (
            replace(COESFELD, 165, "4865 "),
            "bad PLZ '4865 ' in columns 166-170 (expected 5 digits or blank)",
        ),
    ],
)
def test_format_errors(line: str, message: str):
    error = error_for(LAND, line)
    assert (error.line_no, error.message) == (2, message)


def test_read_file_reports_wrong_encoding(tmp_path: Path):
    path = tmp_path / "gv100ad.txt"
    path.write_bytes((LAND + "\n" + MUENSTER + "\n").encode("latin-1"))
    with pytest.raises(GV100FormatError) as caught:
        list(read_gv100ad(path))
    assert str(caught.value) == (
        "line 2: not valid UTF-8 (byte 0xfc at column 24); GV100AD files are expected in UTF-8"
    )


def test_read_file(tmp_path: Path):
    path = tmp_path / "gv100ad.txt"
    path.write_text("\n".join([LAND, KREIS, COESFELD]) + "\n", encoding="utf-8")
    assert [(r.line_no, r.ags) for r in read_gv100ad(path, kinds={"kreis", "gemeinde"})] == [
        (2, "05558"),
        (3, "05558012"),
    ]


@pytest.mark.skipif(not DATA.exists(), reason=f"reference data {DATA} not available")
def test_whole_destatis_file():
    records = list(read_gv100ad(DATA))
    counts = {kind: sum(r.kind == kind for r in records) for kind in {r.kind for r in records}}
    assert counts == {
        "land": 16,
        "regierungsbezirk": 29,
        "region": 12,
        "kreis": 400,
        "gemeindeverband": 4597,
        "gemeinde": 10981,
    }
    assert len({r.ags for r in records}) == len(records)
    gemeinden = [r for r in records if r.kind == "gemeinde"]
    assert sum(r.population for r in gemeinden) == 84_358_845
    verbaende = {r.ags for r in records if r.kind == "gemeindeverband"}
    assert all(r.ars[:9] in verbaende for r in gemeinden)
    assert {r.gebietsstand for r in records} == {STAND}
