"""Build core/data/gazetteer.json.gz from the Destatis GV100AD file and GeoNames PLZ data.

Usage (from the repository root; these are the defaults):

    python scripts/build_gazetteer.py --gv100 ../shared/data/GV100AD_301123.txt \\
        --postcodes ../shared/data/geonames-postalcodes-de.csv -o core/data/gazetteer.json.gz

The output is deterministic: rows sorted by key, JSON with sorted keys, gzip header with
mtime 0 and no file name. Byte identity across machines also needs the same zlib build.

How the GeoNames rows are used (the heuristics; see also core/data/ATTRIBUTION.md):

1. Organisation rows. Large-customer PLZ come with rows named after companies and
   authorities ("Daimler AG", "Finanzamt Erlangen"), often with the address of a
   different Kreis than the PLZ. A row is an organisation if its name contains a legal
   form or an institution word (ORGANISATION). Misses and false hits are possible; they
   only influence which name and centroid a PLZ gets.
2. Row → Gemeinde. A non-organisation row belongs to a Gemeinde of the row's Kreis
   (GeoNames ``community_code``) whose name it matches, tried in this order: (a) equal
   after folding case, umlauts, punctuation and Bavarian abbreviations ("a.d." = "an
   der"), ignoring the Destatis suffix (", Stadt"); (b) a row name without qualifier
   equals the Gemeinde name without its parenthesised qualifier, Sorbian part after
   "/" or trailing "an der ..."/"im ..." ("Hennef" = "Hennef (Sieg)", but a row
   "Neundorf (bei Lobenstein)" does not match "Neundorf (bei Schleiz)"); (c) the row
   name is the Gemeinde name followed by more words, the first no qualifier
   ("Salzgitter Lebenstedt"); (d) a row name starting with "Stadt", "Gemeinde" or
   "Markt" (a town hall with its own PLZ, "Stadt Filderstadt") is tried again without
   that word. A name shared by two Gemeinden of the Kreis matches neither. Failing a
   name match, a row in a Kreis with a single Gemeinde (kreisfreie Stadt) belongs to
   that Gemeinde. Limits: rows named after a village (Ortsteil) match nothing,
   Gemeinden formed by mergers ("Krayenberggemeinde") rarely appear in GeoNames, and an
   Ortsteil named like another Gemeinde of the Kreis is attributed to that Gemeinde.
3. PLZ record. The PLZ's home Kreis is the most frequent Kreis among its rows matched to
   a Gemeinde, else among its non-organisation rows, else among all rows. The place
   name is the row name of the most populous Gemeinde matched by name, else in a
   kreisfreie Stadt the Stadt's name ("Dresden", not "Sächsische Aufbaubank"), else
   the Gemeinde named most often inside its organisation names ("Amtsgericht
   Coesfeld" → "Coesfeld"; only for the name, the PLZ is not attributed to that
   Gemeinde), else the most frequent row name (first in file order on ties; for an
   organisation-only PLZ that is an organisation). Coordinates are the mean of the
   non-organisation rows in the home Kreis (all rows there if none): the centroid of
   the PLZ's localities rather than one arbitrary row.
4. Gemeinde postcodes. A Gemeinde gets its town-hall PLZ (GV100AD), every PLZ with a row
   matched to it, and, in a kreisfreie Stadt, every PLZ whose home Kreis it is. The
   list is complete where GeoNames names the PLZ's localities after the Gemeinde
   (towns, kreisfreie Städte) and a lower bound where it names them after Ortsteile
   (rural Gemeinden). GV100AD's "several PLZ" flag is not used to prune: it misses
   Gemeinden that do have several (Wittstock/Dosse: 16909, 16837, 16918).
5. Gemeinde coordinates, first that exists: mean of its matched rows in its town-hall
   PLZ; the town-hall PLZ centroid; mean of all its matched rows; mean of the
   non-organisation rows of its Kreis (mostly uninhabited gemeindefreie Gebiete
   without PLZ - a Kreis-level approximation, off by up to a few tens of km).
6. Kreis and Land: population = sum of the Gemeinden; coordinates = population-weighted
   mean of the Gemeinden; PLZ = town-hall PLZ of the seat (Sitz der Verwaltung) if it
   names exactly one Gemeinde of the Kreis (else one kreisfreie Stadt of the Land).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as `python scripts/build_gazetteer.py`
    sys.path.insert(0, str(REPO))

from core.gazetteer import FORMAT, FORMAT_VERSION, normalize_name  # noqa: E402
from core.gv100ad import GV100FormatError, GV100Record, read_gv100ad  # noqa: E402

DEFAULT_GV100 = REPO.parent / "shared" / "data" / "GV100AD_301123.txt"
DEFAULT_POSTCODES = REPO.parent / "shared" / "data" / "geonames-postalcodes-de.csv"
DEFAULT_OUTPUT = REPO / "core" / "data" / "gazetteer.json.gz"

ATTRIBUTION = [
    "© Statistisches Bundesamt (Destatis), 2023, Datenlizenz Deutschland – Namensnennung"
    " – Version 2.0 (dl-de/by-2-0)",
    "Postal code data © GeoNames (geonames.org), CC BY 4.0",
]
PLACE_FIELDS = [
    "ags",
    "name",
    "type_label",
    "kreisfrei",
    "population",
    "plz",
    "lat",
    "lon",
    "postcodes",
]
POSTCODE_FIELDS = ["plz", "place", "kreis_ags", "lat", "lon"]
CSV_COLUMNS = {"zipcode", "place", "community_code", "latitude", "longitude"}

# Readable labels per GV100AD Textkennzeichen (Kreis 41-45, Gemeinde 60-67).
TYPE_LABELS = {
    41: "kreisfreie Stadt",
    42: "Stadtkreis",
    43: "Kreis",
    44: "Landkreis",
    45: "Regionalverband",
    60: "Markt",
    61: "kreisfreie Stadt",
    62: "Stadtkreis",
    63: "Stadt",
    64: "Gemeinde",
    65: "gemeindefreies Gebiet",
    66: "gemeindefreies Gebiet",
    67: "Große Kreisstadt",
}
KREISFREI = {41, 42, 61, 62}
GEMEINDEFREI = {65, 66}
COORDINATE_DIGITS = 4  # GeoNames precision, about 10 m

ORGANISATION = re.compile(
    r"\b(GmbH|mbH|AG|KG|KGaA|OHG|GbR|eG|e\.\s?V|SE|PLC|Ltd|Inc|AöR|Co)\b"
    r"|Bank|[Ss]parkasse|[Vv]ersicherung|Verlag|[Ff]inanzamt|[Gg]ericht\b|Agentur|Universit"
    r"|[Hh]ochschule|Deutsche Post|Telekom|[Kk]rankenkasse|\bAOK\b|[Vv]erband\b|[Kk]ammer\b"
    r"|[Vv]erwaltung|[Ll]andratsamt|[Mm]inisterium|[Jj]ustizvollzug|[Kk]linik|[Kk]rankenhaus"
    r"|[Zz]entrum|Center|Service|[Ii]nstitut|[Ss]tiftung|[Bb]istum|[Gg]eneralvikariat"
    r"|[Zz]eitung|[Gg]esellschaft|[Bb]ehörde|[Aa]mt für|[Ll]andesamt|[Bb]undesamt"
)
# Tokens of folded names mapped to one spelling, mostly Destatis' Bavarian abbreviations.
TOKEN_SYNONYMS = {
    "a": "an",
    "am": "an",
    "i": "in",
    "im": "in",
    "d": "der",
    "b": "bei",
    "v": "vor",
    "st": "sankt",
    "opf": "oberpfalz",
    "ob": "oberbayern",
    "nb": "niederbayern",
    "odw": "odenwald",
    "westf": "westfalen",
    "rhld": "rheinland",
    "sa": "sachsen",
}
QUALIFIER_START = {"an", "in", "bei", "vor", "ob", "unter", "auf"}
ADMINISTRATION_WORDS = {"Stadt", "Gemeinde", "Markt"}  # "Stadt Filderstadt": a town hall


@dataclass
class Row:
    """One GeoNames line; ``gemeinde`` is filled by :func:`match_rows`."""

    index: int
    plz: str
    place: str
    kreis: str | None
    lat: float
    lon: float
    organisation: bool
    gemeinde: str | None = None
    named: bool = False  # gemeinde found by name, not only as the Kreis's single Gemeinde
    mentions: str | None = None  # Gemeinde named in an organisation's name


@dataclass
class PostcodeSummary:
    """What the output says about one PLZ."""

    plz: str
    place: str
    kreis: str | None
    lat: float
    lon: float


@dataclass
class Territory:
    """GV100AD records of Länder, Kreise and Gemeinden, keyed by AGS."""

    lands: dict[str, GV100Record] = field(default_factory=dict)
    kreise: dict[str, GV100Record] = field(default_factory=dict)
    gemeinden: dict[str, GV100Record] = field(default_factory=dict)
    members: dict[str, list[GV100Record]] = field(default_factory=dict)

    def gemeinden_of(self, key: str) -> list[GV100Record]:
        """Gemeinden of a Kreis or Land key, in file order."""
        return self.members.get(key, [])


def read_territory(path: Path) -> Territory:
    """Read Länder, Kreise and Gemeinden from a GV100AD file and check the hierarchy."""
    territory = Territory()
    by_kind = {"land": territory.lands, "kreis": territory.kreise, "gemeinde": territory.gemeinden}
    for record in read_gv100ad(path, kinds=set(by_kind)):
        by_kind[record.kind][record.ags] = record
    for ags, record in territory.gemeinden.items():
        if ags[:2] not in territory.lands:
            raise ValueError(f"{path}, line {record.line_no}: Gemeinde {ags} has no Land")
        territory.members.setdefault(ags[:2], []).append(record)
        if ags[:5] in territory.kreise:
            territory.members.setdefault(ags[:5], []).append(record)
        elif ags[2:5] != "000":  # 000: kreislos, e.g. coastal waters 13000999
            raise ValueError(f"{path}, line {record.line_no}: Gemeinde {ags} has no Kreis")
    return territory


def read_rows(path: Path) -> list[Row]:
    """Read the GeoNames postcode CSV."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = CSV_COLUMNS - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}")
        return [_row(i, line, path, reader.line_num) for i, line in enumerate(reader)]


def _row(index: int, line: dict[str, str], path: Path, line_num: int) -> Row:
    """Convert one CSV record, repairing double-encoded UTF-8 in the place name."""
    plz = line["zipcode"]
    if not (len(plz) == 5 and plz.isascii() and plz.isdigit()):
        raise ValueError(f"{path}, line {line_num}: bad PLZ {plz!r}")
    try:
        lat, lon = float(line["latitude"]), float(line["longitude"])
    except ValueError:
        raise ValueError(f"{path}, line {line_num}: bad coordinates") from None
    place = fix_mojibake(line["place"].strip())
    return Row(
        index=index,
        plz=plz,
        place=place,
        kreis=line["community_code"] or None,
        lat=lat,
        lon=lon,
        organisation=bool(ORGANISATION.search(place)),
    )


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 read as Latin-1 ("KÃ¶ln" → "Köln"); leave other text unchanged."""
    if "Ã" not in text:
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def base_name(name: str) -> str:
    """Name without the Destatis suffix: "Dülmen, Stadt" → "Dülmen"."""
    return name.split(",", 1)[0].strip()


def match_key(name: str) -> str:
    """Comparable form of a place name without Destatis suffix (step 2a)."""
    return folded_words(base_name(name))


def folded_words(text: str) -> str:
    """Folded text with abbreviations spelled out: "Neumarkt i.d.OPf." → "neumarkt in
    der oberpfalz"."""
    tokens = normalize_name(text).split()
    return " ".join(TOKEN_SYNONYMS.get(token, token) for token in tokens)


def loose_key(name: str) -> str:
    """Key without qualifiers (step 2b): "Zell (Mosel)", "Cottbus/Chóśebuz" → "zell", "cottbus"."""
    core_name = re.sub(r"\(.*?\)", " ", base_name(name).split("/", 1)[0])
    tokens = match_key(core_name).split()
    for i, token in enumerate(tokens[1:], start=1):
        if token in QUALIFIER_START:
            return " ".join(tokens[:i])
    return " ".join(tokens)


class KreisMatcher:
    """Name → Gemeinde lookup within one Kreis; ambiguous names map to nothing."""

    def __init__(self, gemeinden: list[GV100Record]) -> None:
        """Index the Gemeinden of one Kreis by exact and loose key."""
        self.only = gemeinden[0].ags if len(gemeinden) == 1 else None
        self.exact = _unique_keys((match_key(g.name), g.ags) for g in gemeinden)
        self.loose = _unique_keys((loose_key(g.name), g.ags) for g in gemeinden)

    def match(self, place: str) -> tuple[str | None, bool]:
        """(AGS, matched by name) for a row name; in a single-Gemeinde Kreis every row
        belongs to that Gemeinde, by name or not."""
        found = self.match_name(place)
        return (found, True) if found else (self.only, False)

    def match_name(self, place: str) -> str | None:
        """AGS of the Gemeinde ``place`` names (steps 2a-2d), or None."""
        found = self._match_name(place)
        words = place.split(maxsplit=1)
        if not found and len(words) == 2 and words[0] in ADMINISTRATION_WORDS:
            found = self._match_name(words[1])
        return found

    def mentioned_in(self, text: str) -> str | None:
        """AGS of the one Gemeinde whose name occurs as whole words in ``text``
        ("Amtsgericht Coesfeld"), or None if none or several do."""
        words = folded_words(text).split()
        found = {
            self.exact.get(" ".join(words[start:end]))
            for start in range(len(words))
            for end in range(start + 1, len(words) + 1)
        } - {None}
        return found.pop() if len(found) == 1 else None

    def _match_name(self, place: str) -> str | None:
        """Steps 2a-2c."""
        key = match_key(place)
        found = self.exact.get(key)
        if not found and loose_key(place) == key:
            found = self.loose.get(key)
        if found:
            return found
        words = key.split()
        for end in range(len(words) - 1, 0, -1):
            found = self.exact.get(" ".join(words[:end]))
            if found and words[end] not in QUALIFIER_START:
                return found
        return None


def _unique_keys(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Dict of key → AGS, leaving out keys that two Gemeinden share."""
    seen: dict[str, set[str]] = defaultdict(set)
    for key, ags in pairs:
        seen[key].add(ags)
    return {key: next(iter(agss)) for key, agss in seen.items() if len(agss) == 1 and key}


def match_rows(rows: list[Row], territory: Territory) -> None:
    """Attribute non-organisation rows to Gemeinden (sets ``gemeinde`` and ``named``) and
    note the Gemeinde an organisation row names (``mentions``)."""
    matchers = {kreis: KreisMatcher(territory.gemeinden_of(kreis)) for kreis in territory.kreise}
    for row in rows:
        matcher = matchers.get(row.kreis or "")
        if matcher is None:
            continue
        if row.organisation:
            row.mentions = matcher.mentioned_in(row.place)
        else:
            row.gemeinde, row.named = matcher.match(row.place)


def single_gemeinde_kreise(territory: Territory) -> dict[str, str]:
    """Kreis key → AGS of its only Gemeinde (kreisfreie Städte and the like)."""
    return {
        kreis: members[0].ags
        for kreis in territory.kreise
        if len(members := territory.gemeinden_of(kreis)) == 1
    }


def summarise_postcodes(rows: list[Row], territory: Territory) -> dict[str, PostcodeSummary]:
    """One record per PLZ (step 3), keyed by PLZ."""
    by_plz: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_plz[row.plz].append(row)
    only = single_gemeinde_kreise(territory)
    return {plz: _summarise(plz, group, territory, only) for plz, group in by_plz.items()}


def _summarise(
    plz: str, rows: list[Row], territory: Territory, only: dict[str, str]
) -> PostcodeSummary:
    """Home Kreis, name and centroid of one PLZ."""
    matched = [r for r in rows if r.gemeinde]
    localities = [r for r in rows if not r.organisation]
    pool = matched or localities or rows
    kreis = Counter(r.kreis for r in pool).most_common(1)[0][0]
    home = [r for r in pool if r.kreis == kreis]
    named = [r for r in home if r.named]
    mentioned = Counter(r.mentions for r in rows if r.kreis == kreis and r.mentions)
    if named:
        place = _representative(named, territory).place
    elif kreis in only:
        place = base_name(territory.gemeinden[only[kreis]].name)
    elif mentioned:
        place = base_name(territory.gemeinden[mentioned.most_common(1)[0][0]].name)
    else:
        place = _representative(home, territory).place
    lat, lon = mean_point(r for r in (localities or rows) if r.kreis == kreis)
    return PostcodeSummary(plz=plz, place=place, kreis=kreis, lat=lat, lon=lon)


def _representative(rows: list[Row], territory: Territory) -> Row:
    """Row of the most populous matched Gemeinde, else of the most frequent name, else
    the first in file order."""
    frequency = Counter(r.place for r in rows)

    def population(row: Row) -> int:
        return territory.gemeinden[row.gemeinde].population if row.gemeinde else -1

    return min(rows, key=lambda r: (-population(r), -frequency[r.place], r.index))


def mean_point(rows: Iterable[Row]) -> tuple[float, float]:
    """Arithmetic mean of the rows' coordinates (fine at the scale of a Kreis)."""
    points = [(r.lat, r.lon) for r in rows]
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def gemeinde_postcodes(
    rows: list[Row], summaries: dict[str, PostcodeSummary], territory: Territory
) -> dict[str, list[str]]:
    """Sorted PLZ list per Gemeinde (step 4)."""
    found: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.gemeinde:
            found[row.gemeinde].add(row.plz)
    only = single_gemeinde_kreise(territory)
    for summary in summaries.values():
        if summary.kreis in only:
            found[only[summary.kreis]].add(summary.plz)
    for ags, gemeinde in territory.gemeinden.items():
        if gemeinde.plz:
            found[ags].add(gemeinde.plz)
    return {ags: sorted(found[ags]) for ags in territory.gemeinden}


def gemeinde_points(
    rows: list[Row], summaries: dict[str, PostcodeSummary], territory: Territory
) -> dict[str, tuple[float, float] | None]:
    """Coordinates per Gemeinde (step 5); None for the two kreislose Gebiete, for which
    neither source has anything (coastal waters, German-Luxembourg condominium)."""
    matched: dict[str, list[Row]] = defaultdict(list)
    by_kreis: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.gemeinde:
            matched[row.gemeinde].append(row)
        if row.kreis and not row.organisation:
            by_kreis[row.kreis].append(row)
    points = {}
    for ags, gemeinde in territory.gemeinden.items():
        own = [r for r in matched[ags] if r.plz == gemeinde.plz]
        if own:
            points[ags] = mean_point(own)
        elif gemeinde.plz in summaries:
            points[ags] = (summaries[gemeinde.plz].lat, summaries[gemeinde.plz].lon)
        elif matched[ags]:
            points[ags] = mean_point(matched[ags])
        elif by_kreis[ags[:5]]:
            points[ags] = mean_point(by_kreis[ags[:5]])
        else:
            points[ags] = None
    return points


def weighted_centre(
    gemeinden: list[GV100Record], points: dict[str, tuple[float, float] | None]
) -> tuple[float, float]:
    """Population-weighted mean of the Gemeinden's points (unweighted if nobody lives there)."""
    gemeinden = [g for g in gemeinden if points[g.ags]]
    weights = [g.population or 0 for g in gemeinden]
    if not sum(weights):
        weights = [1] * len(gemeinden)
    total = sum(weights)
    lat = sum(w * points[g.ags][0] for w, g in zip(weights, gemeinden, strict=True)) / total
    lon = sum(w * points[g.ags][1] for w, g in zip(weights, gemeinden, strict=True)) / total
    return lat, lon


def seat_plz(seat: str | None, candidates: list[list[GV100Record]]) -> str | None:
    """Town-hall PLZ of the Gemeinde named by ``seat`` ("Hofheim a. T."), trying exact
    then loose keys over the candidate groups in order; None if absent or ambiguous.
    Gemeindefreie Gebiete are skipped: "Helmstedt, gemfr. Gebiet" is no seat."""
    if not seat:
        return None
    for key in (match_key, loose_key):
        for group in candidates:
            hits = [
                g
                for g in group
                if g.textkennzeichen not in GEMEINDEFREI and key(g.name) == key(seat)
            ]
            if len(hits) == 1:
                return hits[0].plz
    return None


def place_rows(
    territory: Territory,
    points: dict[str, tuple[float, float] | None],
    postcodes: dict[str, list[str]],
) -> list[list]:
    """Rows for every Land, Kreis and Gemeinde, sorted by AGS."""
    rows = []
    for ags, land in territory.lands.items():
        members = territory.gemeinden_of(ags)
        rows.append(_area_row(land, "Land", False, members, points, seat_plz(land.seat, [members])))
    for ags, kreis in territory.kreise.items():
        members = territory.gemeinden_of(ags)
        # A seat outside the Kreis is a kreisfreie Stadt (Landkreis München: München).
        cities = [g for g in territory.gemeinden_of(ags[:2]) if g.textkennzeichen in KREISFREI]
        plz = seat_plz(kreis.seat, [members, cities])
        label = TYPE_LABELS[kreis.textkennzeichen]
        rows.append(
            _area_row(kreis, label, kreis.textkennzeichen in KREISFREI, members, points, plz)
        )
    for ags, gemeinde in territory.gemeinden.items():
        rows.append(_gemeinde_row(gemeinde, points[ags], postcodes[ags]))
    return sorted(rows, key=lambda row: row[0])


def _gemeinde_row(
    gemeinde: GV100Record, point: tuple[float, float] | None, postcodes: list[str]
) -> list:
    """Row for a Gemeinde."""
    lat, lon = point or (None, None)
    code = gemeinde.textkennzeichen
    return [
        gemeinde.ags,
        gemeinde.name,
        TYPE_LABELS[code],
        code in KREISFREI,
        gemeinde.population,
        gemeinde.plz,
        _round(lat),
        _round(lon),
        postcodes,
    ]


def _area_row(
    record: GV100Record,
    label: str,
    kreisfrei: bool,
    members: list[GV100Record],
    points: dict[str, tuple[float, float] | None],
    plz: str | None,
) -> list:
    """Row for a Land or Kreis; postcodes are derived at load time."""
    lat, lon = weighted_centre(members, points)
    population = sum(g.population or 0 for g in members)
    return [
        record.ags,
        record.name,
        label,
        kreisfrei,
        population,
        plz,
        _round(lat),
        _round(lon),
        [],
    ]


def postcode_rows(summaries: dict[str, PostcodeSummary]) -> list[list]:
    """Rows for every PLZ, sorted by PLZ."""
    return [
        [s.plz, s.place, s.kreis, _round(s.lat), _round(s.lon)]
        for s in sorted(summaries.values(), key=lambda s: s.plz)
    ]


def _round(value: float | None) -> float | None:
    """Round a coordinate to the precision of the source."""
    return None if value is None else round(value, COORDINATE_DIGITS)


def build(gv100: Path, postcodes_csv: Path) -> tuple[bytes, dict[str, int]]:
    """Return the compressed gazetteer and counts for the summary line."""
    territory = read_territory(gv100)
    rows = read_rows(postcodes_csv)
    match_rows(rows, territory)
    summaries = summarise_postcodes(rows, territory)
    points = gemeinde_points(rows, summaries, territory)
    postcodes = gemeinde_postcodes(rows, summaries, territory)
    gebietsstand = next(iter(territory.gemeinden.values())).gebietsstand
    document = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "gebietsstand": gebietsstand.isoformat(),
        "attribution": ATTRIBUTION,
        "place_fields": PLACE_FIELDS,
        "places": place_rows(territory, points, postcodes),
        "postcode_fields": POSTCODE_FIELDS,
        "postcodes": postcode_rows(summaries),
    }
    counts = {
        "Länder": len(territory.lands),
        "Kreise": len(territory.kreise),
        "Gemeinden": len(territory.gemeinden),
        "PLZ": len(summaries),
    }
    return compress(document), counts


def compress(document: dict) -> bytes:
    """Deterministic gzip of compact, key-sorted JSON (mtime 0, no file name)."""
    payload = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as out:
        out.write(payload.encode("utf-8"))
    return buffer.getvalue()


def write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file so that readers never see a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gv100", type=Path, default=DEFAULT_GV100, help="GV100AD file")
    parser.add_argument("--postcodes", type=Path, default=DEFAULT_POSTCODES, help="GeoNames CSV")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT, help="output file")
    args = parser.parse_args(argv)
    try:
        data, counts = build(args.gv100, args.postcodes)
    except GV100FormatError as exc:
        parser.exit(1, f"{args.gv100}: {exc}\n")
    except (OSError, ValueError) as exc:
        parser.exit(1, f"error: {exc}\n")
    write_atomically(args.output, data)
    summary = ", ".join(f"{n:,} {what}" for what, n in counts.items())
    print(f"{args.output}: {summary}; {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
