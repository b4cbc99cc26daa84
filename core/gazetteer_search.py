"""The gazetteer's name search and hierarchy indexes, built on their first use.

Split from :mod:`core.gazetteer` (whose ``_Index`` builds these lazily): looking a
place up by its key needs none of them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator

from core.gazetteer import _UMLAUTS, Place, _base_name, normalize_name


def children_index(places: list[Place], folded: list[str]) -> dict[str, list[Place]]:
    """Map each Land to its Kreise and each Kreis to its Gemeinden, sorted close to
    DIN 5007-1: by the folded name (case-insensitive, Ä as A, ß as ss), then as written.
    ``folded`` holds normalize_name() of each place's name."""
    children: dict[str, list[tuple[str, str, str, Place]]] = {}
    for place, key in zip(places, folded, strict=True):
        if place.kind == "kreis" or place.kreis_ags:
            children.setdefault(place.parent_ags, []).append((key, place.name, place.ags, place))
    return {
        parent: [item[3] for item in sorted(members, key=lambda item: item[:3])]
        for parent, members in children.items()
    }


def postcode_index(places: list[Place]) -> dict[str, list[Place]]:
    """Map each PLZ to the Gemeinden it is attributed to, most populous first."""
    index: dict[str, list[Place]] = {}
    gemeinden = [place for place in places if place.kind == "gemeinde"]
    for place in sorted(gemeinden, key=lambda p: (-p.population, p.ags)):
        for plz in place.postcodes:
            index.setdefault(plz, []).append(place)
    return index


class SearchText:
    """Folded names joined into one string per folding, so that substring search runs
    in C (str.find) instead of a Python loop over ~11,000 names."""

    def __init__(self, places: list[Place]) -> None:
        """Fold every name and its base name twice: umlauts stripped (ü→u) and expanded
        (ü→ue). Names without comma or umlaut reuse the first fold (saves load time)."""
        names = [p.name for p in places]
        bases = [_base_name(name) for name in names]
        self.simple = [normalize_name(name) for name in names]
        self.simple_base = [
            normalize_name(base) if base != name else folded
            for name, base, folded in zip(names, bases, self.simple, strict=True)
        ]
        self.expanded = [
            expanded(name, folded) for name, folded in zip(names, self.simple, strict=True)
        ]
        self.expanded_base = [
            expanded(base, folded) for base, folded in zip(bases, self.simple_base, strict=True)
        ]
        self._haystacks = [Haystack(self.simple), Haystack(self.expanded)]

    def candidates(self, queries: set[str]) -> set[int]:
        """Indexes of the names containing one of the folded ``queries`` in either folding."""
        found: set[int] = set()
        for query in queries:
            for haystack in self._haystacks:
                found.update(haystack.find_all(query))
        return found

    def rank(self, i: int, queries: set[str]) -> int:
        """0 exact (full or base name), 1 prefix, 2 substring."""
        names = (self.simple[i], self.expanded[i])
        if not queries.isdisjoint(names + (self.simple_base[i], self.expanded_base[i])):
            return 0
        if any(name.startswith(query) for name in names for query in queries):
            return 1
        return 2


def expanded(name: str, folded: str) -> str:
    """normalize_name(name, expand_umlauts=True), reusing ``folded`` when it cannot differ."""
    if _UMLAUTS.isdisjoint(name):
        return folded
    return normalize_name(name, expand_umlauts=True)


class Haystack:
    """Newline-joined strings with their start offsets."""

    def __init__(self, names: list[str]) -> None:
        """Join ``names``; a folded name never contains a newline."""
        self.text = "\n".join(names)
        self.starts = []
        offset = 0
        for name in names:
            self.starts.append(offset)
            offset += len(name) + 1

    def find_all(self, query: str) -> Iterator[int]:
        """Yield the index of every name containing ``query`` (each at most once)."""
        pos = self.text.find(query)
        while pos != -1:
            i = bisect_right(self.starts, pos) - 1
            yield i
            if i + 1 == len(self.starts):
                return
            pos = self.text.find(query, self.starts[i + 1])
