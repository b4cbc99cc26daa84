"""Tests for core.gazetteer and the shipped core/data/gazetteer.json.gz.

Expected values were read from the sources (GV100AD_301123.txt, geonames-postalcodes-de.csv),
e.g. the GeoNames row ``DE,48653,Coesfeld,...,05558,51.9435,7.1681``.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
import math
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from core import gazetteer
from core.gazetteer import GeoPoint, Place, Postcode
from core.gv100ad import parse_gv100ad
from tests.reference import shared_data_dir

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "core" / "data" / "gazetteer.json.gz"
SOURCES = shared_data_dir() or REPO.parent / "shared" / "data"
COESFELD_KREIS_GEMEINDEN = [
    "Ascheberg",
    "Billerbeck, Stadt",
    "Coesfeld, Stadt",
    "Dülmen, Stadt",
    "Havixbeck",
    "Lüdinghausen, Stadt",
    "Nordkirchen",
    "Nottuln",
    "Olfen, Stadt",
    "Rosendahl",
    "Senden",
]


def all_places() -> list[Place]:
    """Every place, via AGS-prefix search (all Land codes start with 0 or 1)."""
    return gazetteer.search("0", limit=100_000) + gazetteer.search("1", limit=100_000)


@pytest.fixture
def restore_default():
    """Reload the shipped file after a test that loaded another one."""
    yield
    gazetteer.load()


def test_counts():
    kinds = Counter(place.kind for place in all_places())
    assert kinds == {"land": 16, "kreis": 400, "gemeinde": 10_981}


def test_stadt_coesfeld():
    assert gazetteer.lookup("05558012") == Place(
        ags="05558012",
        name="Coesfeld, Stadt",
        kind="gemeinde",
        parent_ags="05558",
        land_ags="05",
        kreis_ags="05558",
        population=37030,
        plz="48653",
        postcodes=("48653",),
        lat=51.9435,
        lon=7.1681,
        kreisfrei=False,
        type_label="Stadt",
    )


def test_kreis_coesfeld():
    kreis = gazetteer.lookup("05558")
    assert (kreis.name, kreis.kind, kreis.parent_ags, kreis.land_ags, kreis.kreis_ags) == (
        "Coesfeld",
        "kreis",
        "05",
        "05",
        "05558",
    )
    assert (kreis.type_label, kreis.kreisfrei, kreis.plz) == ("Kreis", False, "48653")
    gemeinden = gazetteer.children("05558")
    assert [g.name for g in gemeinden] == COESFELD_KREIS_GEMEINDEN
    assert kreis.population == sum(g.population for g in gemeinden) == 224_692
    assert kreis.postcodes == tuple(sorted({plz for g in gemeinden for plz in g.postcodes}))


def test_kreis_centroid_is_population_weighted():
    kreis = gazetteer.lookup("05558")
    gemeinden = gazetteer.children("05558")
    weight = sum(g.population for g in gemeinden)
    lat = sum(g.population * g.lat for g in gemeinden) / weight
    lon = sum(g.population * g.lon for g in gemeinden) / weight
    assert (kreis.lat, kreis.lon) == (pytest.approx(lat, abs=1e-4), pytest.approx(lon, abs=1e-4))


def test_kreisfreie_stadt_is_kreis_and_gemeinde():
    kreis, stadt = gazetteer.lookup("05515"), gazetteer.lookup("05515000")
    assert (kreis.name, kreis.kind, kreis.type_label, kreis.kreisfrei) == (
        "Münster, Stadt",
        "kreis",
        "kreisfreie Stadt",
        True,
    )
    assert (stadt.name, stadt.kind, stadt.type_label, stadt.kreisfrei) == (
        "Münster, Stadt",
        "gemeinde",
        "kreisfreie Stadt",
        True,
    )
    assert stadt.population == kreis.population == 320_946
    assert gazetteer.children("05515") == [stadt]
    assert "48149" in stadt.postcodes and stadt.plz == "48143"


@pytest.mark.parametrize(
    ("ags", "name", "kind", "type_label", "kreisfrei", "parent"),
    [
        ("05570", "Warendorf", "kreis", "Kreis", False, "05"),
        ("05915000", "Hamm, Stadt", "gemeinde", "kreisfreie Stadt", True, "05915"),
        ("05334002", "Aachen, Stadt", "gemeinde", "Stadt", False, "05334"),
        ("05334", "Städteregion Aachen", "kreis", "Kreis", False, "05"),
        ("05162", "Rhein-Kreis Neuss", "kreis", "Kreis", False, "05"),
        ("06534", "Marburg-Biedenkopf", "kreis", "Landkreis", False, "06"),
        ("08226022", "Gaiberg", "gemeinde", "Gemeinde", False, "08226"),
        ("10041", "Regionalverband Saarbrücken", "kreis", "Regionalverband", False, "10"),
        ("05", "Nordrhein-Westfalen", "land", "Land", False, None),
    ],
)
def test_known_places(ags, name, kind, type_label, kreisfrei, parent):
    place = gazetteer.lookup(ags)
    assert (place.name, place.kind, place.type_label, place.kreisfrei, place.parent_ags) == (
        name,
        kind,
        type_label,
        kreisfrei,
        parent,
    )


def test_type_labels_and_kreisfrei_counts():
    places = all_places()
    assert Counter(p.type_label for p in places if p.kind == "kreis") == {
        "Landkreis": 251,
        "kreisfreie Stadt": 97,
        "Kreis": 42,
        "Stadtkreis": 9,
        "Regionalverband": 1,
    }
    assert Counter((p.kind, p.kreisfrei) for p in places if p.kreisfrei) == {
        ("kreis", True): 106,
        ("gemeinde", True): 106,
    }


def test_land_aggregates():
    nrw = gazetteer.lookup("05")
    kreise = gazetteer.children("05")
    assert len(kreise) == 53 and {k.kind for k in kreise} == {"kreis"}
    assert nrw.population == sum(k.population for k in kreise) == 18_139_116
    assert (nrw.lat, nrw.lon, nrw.plz) == (51.3888, 7.2659, "40213")
    assert sum(gazetteer.lookup(f"{n:02d}").population for n in range(1, 17)) == 84_358_845


def test_children_sort_case_and_umlaut_insensitive():
    names = [k.name for k in gazetteer.children("09")]
    folded = [gazetteer.normalize_name(name) for name in names]
    assert folded == sorted(folded)
    # Ä sorts as A: "Altötting" < "Amberg"; "Aichach-Friedberg" first.
    assert names[:3] == ["Aichach-Friedberg", "Altötting", "Amberg"]


def test_children_of_gemeinde_and_unknown_are_empty():
    assert gazetteer.children("05558012") == []
    assert gazetteer.children("99") == []


def test_places_outside_any_kreis():
    kueste = gazetteer.lookup("13000999")
    assert (kueste.name, kueste.parent_ags, kueste.kreis_ags, kueste.lat, kueste.lon) == (
        "Küstengewässer einschl. Anteil am Festlandsockel",
        "13",
        None,
        None,
        None,
    )
    assert kueste not in gazetteer.children("13")
    assert gazetteer.geocode("13000999") is None
    assert [p.ags for p in all_places() if p.lat is None] == ["07000999", "13000999"]


def test_coordinates_lie_in_germany():
    for place in all_places():
        if place.lat is not None:
            assert 47.2 < place.lat < 55.1 and 5.8 < place.lon < 15.1, place


def test_lookup_normalises_and_rejects_quietly():
    assert gazetteer.lookup(" 05 558 012 ").ags == "05558012"
    assert gazetteer.lookup("05558999") is None
    assert gazetteer.lookup("abc") is None
    assert gazetteer.lookup("") is None


def test_postcode_coesfeld():
    assert gazetteer.postcode("48653") == Postcode(
        plz="48653", place="Coesfeld", kreis_ags="05558", land_ags="05", lat=51.9435, lon=7.1681
    )
    assert [p.ags for p in gazetteer.places_for_postcode("48653")] == ["05558012"]


def test_postcode_with_several_gemeinden():
    # GeoNames lists nine villages under 01945; the most populous Gemeinde names it.
    code = gazetteer.postcode("01945")
    assert (code.place, code.kreis_ags) == ("Ruhland", "12066")
    places = gazetteer.places_for_postcode("01945")
    assert places[0].name == "Ruhland, Stadt"
    assert [p.population for p in places] == sorted((p.population for p in places), reverse=True)


def test_large_customer_postcode_gets_a_place_name():
    # 50606 has only organisation rows ("Deutsche Bahn AG", ...), all in Köln.
    assert gazetteer.postcode("50606").place == "Köln"
    assert [p.ags for p in gazetteer.places_for_postcode("50606")] == ["05315000"]


def test_postcode_outside_germany():
    assert gazetteer.postcode("87491") == Postcode(
        plz="87491", place="Jungholz", kreis_ags=None, land_ags=None, lat=47.5741, lon=10.4472
    )


def test_unknown_postcode():
    assert gazetteer.postcode("00000") is None
    assert gazetteer.places_for_postcode("00000") == []


@pytest.mark.parametrize("query", ["duelmen", "dulmen", "Dülmen", "DÜLMEN", " dülmen, stadt "])
def test_search_folds_case_and_umlauts(query):
    assert gazetteer.search(query)[0].ags == "05558016"


def test_search_expands_umlauts_in_the_query_too():
    assert gazetteer.search("Ärzen")[0].name == "Aerzen, Flecken"


def test_search_ranking():
    # Exact (Kreis and Stadt, same population: Kreis first), then as typed before
    # respelled ("Münster" in Bayern before "Munster"), then prefix, then substring.
    result = [(p.ags, p.name) for p in gazetteer.search("Münster", limit=6)]
    assert result[:4] == [
        ("05515", "Münster, Stadt"),
        ("05515000", "Münster, Stadt"),
        ("09779187", "Münster"),
        ("03358016", "Munster, Stadt"),
    ]
    assert [p.ags for p in gazetteer.search("Frankfurt", limit=4)] == [
        "06412",
        "06412000",
        "12053",
        "12053000",
    ]
    substring = gazetteer.search("münster", limit=100)
    assert gazetteer.lookup("01004000") in substring  # Neumünster


def test_search_kinds_and_limit():
    assert [p.ags for p in gazetteer.search("Coesfeld")] == ["05558", "05558012"]
    assert [p.ags for p in gazetteer.search("Coesfeld", kinds={"gemeinde"})] == ["05558012"]
    assert len(gazetteer.search("berg", limit=5)) == 5
    assert gazetteer.search("Coesfeld", limit=0) == []
    assert gazetteer.search("   ") == []
    assert gazetteer.search("xyzzy") == []
    with pytest.raises(ValueError, match="unknown kinds"):
        gazetteer.search("Coesfeld", kinds={"county"})


def test_search_by_key_prefix():
    result = gazetteer.search("05558")
    assert result[0].ags == "05558"
    assert [p.ags for p in result[1:]] == sorted(p.ags for p in gazetteer.children("05558"))
    assert [p.ags for p in gazetteer.search("0555801")] == ["05558012", "05558016"]
    assert gazetteer.search("05 558 012") == [gazetteer.lookup("05558012")]


def test_search_by_postcode():
    assert gazetteer.search("48653") == [gazetteer.lookup("05558012")]


def test_search_five_digits_that_are_kreis_and_postcode():
    # 03159 is Landkreis Göttingen and a PLZ in Spree-Neiße.
    result = [p.ags for p in gazetteer.search("03159", limit=100)]
    assert result[0] == "03159"
    assert result[1:4] == [p.ags for p in gazetteer.places_for_postcode("03159")]
    assert result[4:] == sorted(p.ags for p in gazetteer.children("03159"))


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Independent haversine (atan2 form) for checking distance_km."""
    radius = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return radius * 2 * math.atan2(math.sqrt(a), math.sqrt(1 - a))


def test_distance_coesfeld_muenster():
    coesfeld, muenster = gazetteer.lookup("05558012"), gazetteer.lookup("05515000")
    distance = gazetteer.distance_km(coesfeld.lat, coesfeld.lon, muenster.lat, muenster.lon)
    assert distance == pytest.approx(haversine(51.9435, 7.1681, 51.9597, 7.6314), rel=1e-12)
    assert round(distance, 2) == 31.80


def test_distance_edge_cases():
    assert gazetteer.distance_km(51.0, 7.0, 51.0, 7.0) == 0.0
    half_circumference = math.pi * 6371.0088
    assert gazetteer.distance_km(0, 0, 0, 180) == pytest.approx(half_circumference)


def test_geocode():
    assert gazetteer.geocode("48653") == GeoPoint(51.9435, 7.1681, "Coesfeld", "48653", "05558012")
    assert gazetteer.geocode("Coesfeld") == GeoPoint(
        51.9435, 7.1681, "Coesfeld, Stadt", "48653", "05558012"
    )
    assert gazetteer.geocode("05570") == GeoPoint(51.8516, 7.9632, "Warendorf", "48231", "05570")
    assert gazetteer.geocode("Nordrhein-Westfalen").ags == "05"
    assert gazetteer.geocode("Hessen").ags == "06"  # not "Münster (Hessen)"
    assert gazetteer.geocode("Münster").ags == "05515000"
    # A PLZ shared by several Gemeinden is attributed to its Kreis.
    assert gazetteer.geocode("01945").ags == "12066"


@pytest.mark.parametrize(
    "query", ["48653 Coesfeld", "Coesfeld 48653", "48653, Coesfeld", "Coesfeld, 48653"]
)
def test_geocode_reads_a_postcode_with_its_place_in_either_order(query):
    assert gazetteer.geocode(query) == GeoPoint(51.9435, 7.1681, "Coesfeld", "48653", "05558012")


def test_geocode_a_postcode_with_another_place_finds_nothing():
    assert gazetteer.geocode("48653 Münster") is None
    assert gazetteer.geocode("Dülmen 48653") is None


def test_a_postcode_fits_its_place_however_it_is_spelled():
    from core.postal import postcode_fits_place

    assert [
        postcode_fits_place("48143", "Muenster"),
        postcode_fits_place("48143", "münster"),
        postcode_fits_place("48653", "Coesfeld"),
        postcode_fits_place("48653", "Münster"),
    ] == [True, True, True, False]


def test_a_postcode_with_another_place_is_refused_naming_both():
    from core.errors import ValidationError
    from core.postal import check_postcode_fits_place

    with pytest.raises(ValidationError) as refused:
        check_postcode_fits_place("48653 Münster", "plz")

    assert (refused.value.field, refused.value.code, refused.value.message) == (
        "plz",
        "postcode.place_mismatch",
        "the postcode 48653 belongs to Coesfeld, not to Münster",
    )


@pytest.mark.parametrize("query", ["", "  ", "xyzzy", "99999", "0555", "123456789"])
def test_geocode_no_match(query):
    assert gazetteer.geocode(query) is None


@pytest.mark.parametrize(
    ("text", "key"),
    [("05", "05"), ("05558", "05558"), ("05558012", "05558012"), (" 05 5 58 012 ", "05558012")],
)
def test_validate_ags_valid(text, key):
    assert gazetteer.validate_ags(text) == key


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "AGS is empty"),
        ("05a58", "AGS '05a58' contains non-digits; only 0-9 are allowed"),
        ("0555８", "AGS '0555８' contains non-digits; only 0-9 are allowed"),
        ("0555", "AGS '0555' has 4 digits; it must have 2 (Land), 5 (Kreis) or 8 (Gemeinde)"),
        ("17558", "AGS '17558' has unknown Land prefix '17'; it must be 01–16"),
        ("00", "AGS '00' has unknown Land prefix '00'; it must be 01–16"),
    ],
)
def test_validate_ags_errors(text, message):
    with pytest.raises(ValueError) as caught:
        gazetteer.validate_ags(text)
    assert str(caught.value) == message


def write_gazetteer(path: Path, document: dict) -> None:
    """Write a gazetteer document as gzip-compressed JSON."""
    path.write_bytes(gzip.compress(json.dumps(document).encode("utf-8")))


def test_load_alternate_file(tmp_path: Path, restore_default):
    path = tmp_path / "mini.json.gz"
    write_gazetteer(
        path,
        {
            "format": "rathaus-gazetteer",
            "version": 1,
            "places": [
                ["05", "Nordrhein-Westfalen", "Land", False, 10, None, 51.0, 7.0, []],
                ["05999", "Testkreis", "Kreis", False, 10, None, 51.0, 7.0, []],
                ["05999001", "Testdorf", "Gemeinde", False, 10, "12345", 51.0, 7.0, ["12345"]],
            ],
            "postcodes": [["12345", "Testdorf", "05999", 51.0, 7.0]],
        },
    )
    gazetteer.load(path)
    assert gazetteer.lookup("05558012") is None
    assert [p.name for p in gazetteer.children("05999")] == ["Testdorf"]
    assert gazetteer.lookup("05999").postcodes == ("12345",)
    assert gazetteer.search("testd")[0].ags == "05999001"
    gazetteer.load()
    assert gazetteer.lookup("05558012").name == "Coesfeld, Stadt"


def test_load_rejects_other_files(tmp_path: Path, restore_default):
    path = tmp_path / "other.json.gz"
    write_gazetteer(path, {"format": "something-else", "version": 1})
    with pytest.raises(ValueError) as caught:
        gazetteer.load(path)
    assert str(caught.value) == (
        f"{path} is not a rathaus-gazetteer file of version 1 ('something-else')"
    )
    assert gazetteer.lookup("05558012") is not None  # the previous data stays


def run_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter from the repository root; return stdout."""
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_import_reads_nothing_and_first_use_loads():
    output = run_python(
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: event == 'open' and opened.append(str(args[0])))\n"
        "import core.gazetteer as g\n"
        "before = any('gazetteer.json' in p for p in opened)\n"
        "g.lookup('05')\n"
        "after = sum('gazetteer.json' in p for p in opened)\n"
        "g.search('Coesfeld')\n"
        "print(before, after, sum('gazetteer.json' in p for p in opened))\n"
    )
    assert output == "False 1 1"


def test_a_lookup_builds_only_that_place():
    output = run_python(
        "import core.gazetteer as g\n"
        "kreis = g.lookup('05558')\n"
        "built = len(g._index._built)\n"
        "listed = g.places_under('05558')[0]\n"
        "print(built, kreis is listed, len(g._index._built))\n"
    )
    assert output == "1 True 11397"


def test_concurrent_first_use_loads_once():
    output = run_python(
        "import threading\n"
        "import core.gazetteer as g\n"
        "barrier = threading.Barrier(8)\n"
        "found = []\n"
        "def work():\n"
        "    barrier.wait()\n"
        "    found.append(g.lookup('05558012'))\n"
        "threads = [threading.Thread(target=work) for _ in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print(len(found), len({id(p) for p in found}))\n"
    )
    assert output == "8 1"


def test_shipped_file_is_small():
    assert SHIPPED.stat().st_size < 2 * 1024 * 1024


@functools.cache
def load_build_script():
    """Import scripts/build_gazetteer.py as a module (registered first: its dataclasses
    look their module up in sys.modules)."""
    spec = importlib.util.spec_from_file_location(
        "build_gazetteer", REPO / "scripts" / "build_gazetteer.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    not (SOURCES / "GV100AD_301123.txt").exists(),
    reason=f"source data not available in {SOURCES}",
)
def test_rebuild_is_byte_identical():
    build = load_build_script()
    data, counts = build.build(
        SOURCES / "GV100AD_301123.txt", SOURCES / "geonames-postalcodes-de.csv"
    )
    assert counts == {"Länder": 16, "Kreise": 400, "Gemeinden": 10_981, "PLZ": 10_814}
    shipped = SHIPPED.read_bytes()
    assert gzip.decompress(data) == gzip.decompress(shipped), "data changed: rebuild the file"
    assert data == shipped, "same JSON but different gzip bytes (another zlib build?)"


@pytest.mark.parametrize(
    ("text", "fixed"),
    [("KÃ¶ln", "Köln"), ("Köln", "Köln"), ("Ã", "Ã")],
)
def test_build_repairs_double_encoded_names(text, fixed):
    assert load_build_script().fix_mojibake(text) == fixed


RHEIN_SIEG = [  # verbatim from GV100AD_301123.txt, trailing blanks stripped
    "6020231130053820200020Hennef (Sieg), Stadt                                                                                63    000000105890000004800200000023294    53773       5220741832317097",  # noqa: E501
    "6020231130053820560056Sankt Augustin, Stadt                                                                               63    000000034220000005636900000027581    53757       5222741832317098",  # noqa: E501
    "6020231130053820600060Siegburg, Stadt                                                                                     63    000000023660000004204900000020683    53721       5220741832317097",  # noqa: E501
]


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("Hennef (Sieg)", "05382020"),
        ("Hennef", "05382020"),  # the Gemeinde's qualifier may be left out
        ("Stadt Hennef", "05382020"),  # a town hall's own PLZ
        ("St. Augustin", "05382056"),
        ("Siegburg Kaldauen", "05382060"),  # Gemeinde + Ortsteil
        ("Hennef (Westerwald)", None),  # another qualifier: another place
        ("Kaldauen", None),  # an Ortsteil alone: no honest match
        ("Finanzamt Siegburg", None),
    ],
)
def test_build_name_matching(place, expected):
    build = load_build_script()
    matcher = build.KreisMatcher(list(parse_gv100ad(RHEIN_SIEG)))
    assert matcher.match_name(place) == expected


def test_build_finds_gemeinde_named_in_organisation():
    build = load_build_script()
    matcher = build.KreisMatcher(list(parse_gv100ad(RHEIN_SIEG)))
    assert matcher.mentioned_in("Finanzamt Siegburg") == "05382060"
    assert matcher.mentioned_in("Deutsche Post AG, Niederlassung Siegburg") == "05382060"
    assert matcher.mentioned_in("Amtsgericht Siegburg, Zweigstelle Sankt Augustin") is None
