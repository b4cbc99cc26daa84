"""Offline gazetteer: German Länder, Kreise, Gemeinden and postcodes (PLZ).

The data comes from ``core/data/gazetteer.json.gz``, built by ``scripts/build_gazetteer.py``
from the Destatis Gemeindeverzeichnis and the GeoNames postcode dump (attribution in
``core/data/ATTRIBUTION.md``). Keys follow the AGS with variable length: Land ``"05"``,
Kreis ``"05558"``, Gemeinde ``"05558012"``.

Importing this module reads nothing: the file is loaded on first use, once per process,
behind a lock (about 0.04 s: inflating and parsing it). A place or postcode is built
from its row when it is first asked for; listing and searching build them all (about
0.1 s more, see ``core/gazetteer_search.py``). Tests can swap the data with :func:`load`.

File format (gzip-compressed UTF-8 JSON object):

- ``format``: ``"rathaus-gazetteer"``; ``version``: ``1``; ``gebietsstand``: ISO date;
  ``attribution``: list of strings.
- ``place_fields`` / ``places``: rows ``[ags, name, type_label, kreisfrei, population, plz,
  lat, lon, postcodes]`` sorted by AGS; ``postcodes`` is filled for Gemeinden only.
- ``postcode_fields`` / ``postcodes``: rows ``[plz, place, kreis_ags, lat, lon]`` sorted
  by PLZ.
"""

from __future__ import annotations

import math
import os
import re
import threading
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from typing import Any

from core.postal import postcode_fits_place, split_postcode_and_place

FORMAT = "rathaus-gazetteer"
FORMAT_VERSION = 1
DEFAULT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "gazetteer.json.gz")
EARTH_RADIUS_KM = 6371.0088  # IUGG mean earth radius

KINDS = ("land", "kreis", "gemeinde")
_KIND_BY_LENGTH = {2: "land", 5: "kreis", 8: "gemeinde"}
_UMLAUT_EXPANSION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_UMLAUTS = frozenset("äöüÄÖÜ")
_NON_WORD = re.compile(r"[\W_]+")
_COMBINING_MARKS = re.compile("[\u0300-\u036f]")


@dataclass(frozen=True, slots=True)
class Place:
    """A Land, Kreis or Gemeinde.

    ``population`` of a Kreis or Land is the sum of its Gemeinden. ``plz`` is the PLZ of
    the town hall (for a Kreis or Land: of the Gemeinde that is its seat, if known).
    ``postcodes`` lists the PLZ attributed to the Gemeinde (for a Kreis or Land: the union
    over its Gemeinden); see the build script for how far that attribution goes.
    Coordinates are WGS84 degrees; for a Kreis or Land a population-weighted centroid.

    Two uninhabited Gemeinde-level areas belong to no Kreis (07000999, the
    German-Luxembourg condominium, and 13000999, coastal waters): their parent is the
    Land, ``kreis_ags`` is None, they have no coordinates and are nobody's children.
    """

    ags: str
    name: str
    kind: str
    parent_ags: str | None
    land_ags: str
    kreis_ags: str | None
    population: int
    plz: str | None
    postcodes: tuple[str, ...]
    lat: float | None
    lon: float | None
    kreisfrei: bool
    type_label: str


@dataclass(frozen=True, slots=True)
class Postcode:
    """A PLZ with a representative place name, its Kreis and a centroid.

    ``kreis_ags``/``land_ags`` are None for PLZ outside Germany's Kreise (87491 Jungholz,
    an Austrian municipality served by the German post).
    """

    plz: str
    place: str
    kreis_ags: str | None
    land_ags: str | None
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """Result of :func:`geocode`: a point with a label and the PLZ/AGS it stands for."""

    lat: float
    lon: float
    label: str
    plz: str | None
    ags: str | None


class _Index:
    """All lookup structures of one load, never mutated afterwards except to remember
    what was built.

    Places and postcodes are built from the file's rows when first asked for: looking
    a key up (``rathaus tenants show``) builds that one place, not 11,000 (most of the
    load time); listing, searching and the hierarchy build them all.
    """

    def __init__(self, place_rows: list[list], postcode_rows: list[list]) -> None:
        """Index the rows by key; ``place_rows`` must be sorted by AGS."""
        self._rows = place_rows
        self.keys = [row[0] for row in place_rows]
        self._position = {key: i for i, key in enumerate(self.keys)}
        self._areas = frozenset(key for key in self.keys if len(key) < 8)
        self._postcode_rows = {row[0]: row for row in postcode_rows}
        self._built: dict[str, Any] = {}

    def place(self, ags: str) -> Place | None:
        """The place with this key, else None."""
        i = self._position.get(ags)
        return None if i is None else self._place_at(i)

    def postcode(self, plz: str) -> Postcode | None:
        """The PLZ record, else None."""
        found = self._built.get("plz" + plz)
        if found is None:
            row = self._postcode_rows.get(plz)
            if row is None:
                return None
            # setdefault: threads racing here all get the first one stored.
            found = self._built.setdefault("plz" + plz, _postcode(row))
        return found

    def _place_at(self, i: int) -> Place:
        row = self._rows[i]
        found = self._built.get(row[0])
        if found is None:
            union = self._area_postcodes(i) if len(row[0]) < 8 else ()
            found = self._built.setdefault(row[0], _place(row, self._areas, union))
        return found

    def _area_postcodes(self, i: int) -> tuple[str, ...]:
        """Union of the postcodes of the Gemeinden under the Kreis or Land at ``i``
        (they follow it in key order)."""
        key, codes = self.keys[i], set()
        for row in self._rows[i + 1 :]:
            if not row[0].startswith(key):
                break
            if len(row[0]) == 8:
                codes.update(row[8])
        return tuple(sorted(codes))

    # Built on first use: looking places up by key never folds 11,000 names.
    ordered = cached_property(lambda self: [self._place_at(i) for i in range(len(self.keys))])

    @cached_property
    def search_text(self) -> Any:
        """Folded names for the name search (``core.gazetteer_search``)."""
        from core.gazetteer_search import SearchText

        return SearchText(self.ordered)

    @cached_property
    def children(self) -> dict[str, list[Place]]:
        """Each Land's Kreise and each Kreis's Gemeinden, sorted by name."""
        from core.gazetteer_search import children_index

        return children_index(self.ordered, self.search_text.simple)

    @cached_property
    def by_postcode(self) -> dict[str, list[Place]]:
        """The Gemeinden of each PLZ, most populous first."""
        from core.gazetteer_search import postcode_index

        return postcode_index(self.ordered)


_lock = threading.Lock()
_index: _Index | None = None


def load(path: str | os.PathLike[str] | None = None) -> None:
    """Load the gazetteer from ``path`` (default: the shipped file) for this process.

    Replaces the cached data atomically; callers running concurrently see either the old
    or the new data. Raises ValueError if the file is not a gazetteer file of a known
    version, OSError if it cannot be read.
    """
    global _index
    index = _read(os.fspath(path) if path is not None else DEFAULT_PATH)
    with _lock:
        _index = index


def _get() -> _Index:
    """Return the loaded index, loading the default file on first use."""
    global _index
    index = _index
    if index is None:
        with _lock:
            if _index is None:
                _index = _read(DEFAULT_PATH)
            index = _index
    return index


def _read(path: str) -> _Index:
    """Read and index a gazetteer file."""
    import json  # deferred: keeps `import core.gazetteer` free of I/O and cheap
    import zlib

    with open(path, "rb") as handle:
        raw = handle.read()
    try:  # one gzip member, inflated whole: faster than reading through gzip.open
        document = json.loads(zlib.decompress(raw, wbits=31))
    except zlib.error as exc:
        raise OSError(f"{path} is not gzip-compressed: {exc}") from None
    if (
        not isinstance(document, dict)
        or document.get("format") != FORMAT
        or document.get("version") != FORMAT_VERSION
    ):
        found = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise ValueError(f"{path} is not a {FORMAT} file of version {FORMAT_VERSION} ({found!r})")
    return _Index(document["places"], document["postcodes"])


def _place(row: list, areas: frozenset[str], area_postcodes: tuple[str, ...]) -> Place:
    """Build a Place from a file row; hierarchy fields follow from the key length.

    ``areas`` are the keys of every Kreis and Land; ``area_postcodes`` is, for a Kreis
    or Land, the union of its Gemeinden's postcodes.
    """
    ags, name, type_label, kreisfrei, population, plz, lat, lon, postcodes = row
    kind = _KIND_BY_LENGTH[len(ags)]
    kreis = ags[:5] if kind == "kreis" or ags[:5] in areas else None
    if kind == "gemeinde":
        parent, own_postcodes = kreis or ags[:2], tuple(postcodes)
    else:
        parent, own_postcodes = (ags[:2] if kind == "kreis" else None), area_postcodes
    return Place(
        ags=ags,
        name=name,
        kind=kind,
        parent_ags=parent,
        land_ags=ags[:2],
        kreis_ags=kreis,
        population=population,
        plz=plz,
        postcodes=own_postcodes,
        lat=lat,
        lon=lon,
        kreisfrei=kreisfrei,
        type_label=type_label,
    )


def _postcode(row: list) -> Postcode:
    """Build a Postcode from a file row."""
    plz, place, kreis_ags, lat, lon = row
    land_ags = kreis_ags[:2] if kreis_ags else None
    return Postcode(plz=plz, place=place, kreis_ags=kreis_ags, land_ags=land_ags, lat=lat, lon=lon)


def normalize_name(text: str, *, expand_umlauts: bool = False) -> str:
    """Fold a name for comparison: case-insensitive, ß→ss, accents and umlauts stripped
    (ü→u, or ü→ue with ``expand_umlauts``), punctuation and runs of spaces → one space.

    "Dülmen, Stadt" → "dulmen stadt" (expanded: "duelmen stadt").
    """
    if text.isascii():
        return _NON_WORD.sub(" ", text.casefold()).strip()
    folded = unicodedata.normalize("NFC", text).casefold()
    if expand_umlauts:
        folded = folded.translate(_UMLAUT_EXPANSION)
    stripped = _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", folded))
    return _NON_WORD.sub(" ", stripped).strip()


def _base_name(name: str) -> str:
    """The name without the Destatis suffix: "Coesfeld, Stadt" → "Coesfeld"."""
    return name.split(",", 1)[0].strip()


def _compact(text: str) -> str:
    """Remove all whitespace ("05 5 58 012" → "05558012")."""
    return "".join(text.split())


def _is_digits(text: str) -> bool:
    """True for a non-empty ASCII digit string."""
    return text.isascii() and text.isdigit()


def validate_ags(text: str) -> str:
    """Return the normalised key (whitespace removed) or raise ValueError saying why.

    A key has 2 (Land), 5 (Kreis) or 8 (Gemeinde) digits and starts with a Land code
    01–16. Only the format is checked; use :func:`lookup` to see whether the key exists.
    """
    key = _compact(text)
    if not key:
        raise ValueError("AGS is empty")
    if not _is_digits(key):
        raise ValueError(f"AGS {text!r} contains non-digits; only 0-9 are allowed")
    if len(key) not in _KIND_BY_LENGTH:
        raise ValueError(
            f"AGS {text!r} has {len(key)} digits; it must have 2 (Land), 5 (Kreis) or 8 (Gemeinde)"
        )
    if not "01" <= key[:2] <= "16":
        raise ValueError(f"AGS {text!r} has unknown Land prefix {key[:2]!r}; it must be 01–16")
    return key


def lookup(ags: str) -> Place | None:
    """The Land, Kreis or Gemeinde with this key (whitespace ignored), else None."""
    return _get().place(_compact(ags))


def children(ags: str) -> list[Place]:
    """Kreise of a Land or Gemeinden of a Kreis, sorted by name (case- and
    umlaut-insensitive); empty for a Gemeinde or an unknown key."""
    return list(_get().children.get(_compact(ags), ()))


def places_under(prefix: str = "") -> list[Place]:
    """Every place whose AGS starts with ``prefix`` (all of Germany for ""), in AGS
    order: a Land before its Kreise, a Kreis before its Gemeinden."""
    key = _compact(prefix)
    return [place for place in _get().ordered if place.ags.startswith(key)]


def postcode(plz: str) -> Postcode | None:
    """The PLZ record for a 5-digit postcode, else None."""
    return _get().postcode(_compact(plz))


def places_for_postcode(plz: str) -> list[Place]:
    """Gemeinden whose postcodes contain ``plz``, most populous first."""
    return list(_get().by_postcode.get(_compact(plz), ()))


def search(text: str, limit: int = 20, kinds: set[str] | None = None) -> list[Place]:
    """Find places by name, AGS (prefix) or PLZ.

    - Digits: the place with exactly this key first, then (5 digits) the Gemeinden of
      that PLZ, then the places whose key starts with the digits in key order. Some
      5-digit strings are both a Kreis key and a PLZ (e.g. 03159), hence the union.
    - Otherwise a name, case- and umlaut-insensitive ("dulmen", "Dülmen", "duelmen"):
      exact matches of the name or of the name without suffix ("Coesfeld" for
      "Coesfeld, Stadt") first, then prefix, then substring matches; within each group
      names containing the query as typed come first ("Münster" before "Munster"), then
      by population (descending), then Land before Kreis before Gemeinde (a kreisfreie
      Stadt is both, with the same population), then key.

    ``kinds`` restricts the result to some of "land", "kreis", "gemeinde".
    """
    if kinds is not None and not set(kinds) <= set(KINDS):
        raise ValueError(f"unknown kinds {sorted(set(kinds) - set(KINDS))}; known: {KINDS}")
    query = text.strip()
    if not query or limit <= 0:
        return []
    index = _get()
    compact = _compact(query)
    if _is_digits(compact):
        found: Iterable[Place] = _search_key(index, compact)
    else:
        found = (place for _, place in _ranked_names(index, query))
    result: list[Place] = []
    for place in found:
        if kinds is None or place.kind in kinds:
            result.append(place)
            if len(result) == limit:
                break
    return result


def _search_key(index: _Index, digits: str) -> Iterator[Place]:
    """Exact key, then PLZ places, then key-prefix matches, without duplicates."""
    seen: set[str] = set()
    exact = index.place(digits)
    by_plz = index.by_postcode.get(digits, []) if len(digits) == 5 else []
    for place in chain([exact] if exact else [], by_plz, _key_prefix(index, digits)):
        if place.ags not in seen:
            seen.add(place.ags)
            yield place


def _key_prefix(index: _Index, digits: str) -> Iterator[Place]:
    """Places whose key starts with ``digits``, in key order (a contiguous range)."""
    i = bisect_left(index.keys, digits)
    while i < len(index.keys) and index.keys[i].startswith(digits):
        yield index._place_at(i)
        i += 1


def _ranked_names(index: _Index, text: str) -> list[tuple[int, Place]]:
    """Name matches as (rank, place) in search order; see :func:`search` and
    :meth:`_SearchText.rank`. The query is folded both ways too, so that "Ärzen" finds
    "Aerzen" as "Aerzen" finds "Ärzen"."""
    queries = {normalize_name(text), normalize_name(text, expand_umlauts=True)} - {""}
    if not queries:
        return []
    as_typed = " ".join(text.casefold().split())
    search_text = index.search_text
    order = {kind: n for n, kind in enumerate(KINDS)}
    scored = []
    for i in search_text.candidates(queries):
        place = index.ordered[i]
        rank = search_text.rank(i, queries)
        respelled = as_typed not in place.name.casefold()
        scored.append((rank, respelled, -place.population, order[place.kind], place.ags, place))
    scored.sort(key=lambda item: item[:5])
    return [(item[0], item[5]) for item in scored]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine, mean earth radius 6371.0088 km)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def geocode(query: str) -> GeoPoint | None:
    """Coordinates for a PLZ, an AGS or a place name; None when nothing matches.

    A 5-digit PLZ gives the PLZ centroid (``ags``: the Gemeinde if the PLZ belongs to
    exactly one, else its Kreis). Other digit strings must be an exact AGS. A name
    gives the first search result, but a Gemeinde of the same match quality wins over a
    Kreis or Land: "Coesfeld" is the town, not the Kreis, while "Hessen" is the Land,
    not "Münster (Hessen)". A postcode with a place name ("48653 Coesfeld", "Coesfeld
    48653") is the postcode when the name fits it (see :mod:`core.postal`).
    """
    compact = _compact(query)
    if not compact:
        return None
    with_plz = split_postcode_and_place(query)
    if with_plz:
        # "48653 Coesfeld" or "Coesfeld 48653", as on an envelope: the postcode's point
        # if the name fits it (none if not); the name alone if the postcode is unknown.
        plz, name = with_plz
        if postcode(plz) is None:
            return geocode(name)
        return _geocode_digits(plz) if postcode_fits_place(plz, name) else None
    if _is_digits(compact):
        return _geocode_digits(compact)
    ranked = _ranked_names(_get(), query)
    if not ranked:
        return None
    best = [place for rank, place in ranked if rank == ranked[0][0]]
    gemeinden = [place for place in best if place.kind == "gemeinde"]
    return _point((gemeinden or best)[0])


def _geocode_digits(digits: str) -> GeoPoint | None:
    """Geocode a PLZ (preferred for 5 digits) or an exact AGS."""
    code = postcode(digits)
    if code is not None:
        gemeinden = places_for_postcode(digits)
        ags = gemeinden[0].ags if len(gemeinden) == 1 else code.kreis_ags
        return GeoPoint(code.lat, code.lon, code.place, code.plz, ags)
    place = lookup(digits)
    return _point(place) if place else None


def _point(place: Place) -> GeoPoint | None:
    """A place's coordinates as a GeoPoint; None for the two areas without coordinates."""
    if place.lat is None or place.lon is None:
        return None
    return GeoPoint(place.lat, place.lon, place.name, place.plz, place.ags)
