"""German compound splitting for the offer search: "Jugendfeuerwehr" -> jugend, feuerwehr.

A dictionary-based splitter: a word is cut into the fewest pieces that are all German
nouns (``data/german_nouns.txt.gz``, from the German Wiktionary, CC BY-SA 4.0; see
``data/README.md``), each piece but the last optionally followed by a linking element
(*Fugenelement*: Arbeit**s**zeit, Kind**er**garten, Seniore**n**treff) or missing its
final e (Schul-hof from Schule). Pieces have at least four letters, so short nouns
(Ei, Tee) never cut a word by accident; a word that cannot be cut entirely into nouns
is left alone.

The word list is read on first use (about 160,000 words, ~0.1 s), not at import.
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

WORDS_FILE = Path(__file__).resolve().parent / "data" / "german_nouns.txt.gz"
MIN_PIECE = 4
#: Linking elements between the pieces of a compound, longest first.
LINKS = ("ens", "es", "en", "er", "ns", "s", "n", "e", "")
#: Verb stems, adjectives and particles that start many compounds but are no nouns
#: (Lern-patenschaft, Nach-hilfe, Ehren-amt); allowed as leading pieces only.
HEADS = frozenset(
    (
        "lern", "lese", "vorlese", "sprach", "wohn", "fahr", "spiel", "koch", "back",
        "bastel", "sing", "nach", "ehren", "hilfs", "klein", "groß", "jung", "neben",
        "mittag", "abend",
    )
)  # fmt: skip
#: Words shorter than two pieces cannot be split.
MIN_WORD = 2 * MIN_PIECE


@functools.cache
def _nouns() -> frozenset[str]:
    """The dictionary: lower-case nouns and their forms."""
    with gzip.open(WORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


@functools.lru_cache(maxsize=100_000)
def split(word: str) -> tuple[str, ...]:
    """The pieces of a German compound, lower-case, or ``()`` when ``word`` is not one
    (too short, or not entirely made of known nouns)::

        split("Jugendfeuerwehr") == ("jugend", "feuerwehr")
        split("Kinderbetreuung") == ("kinder", "betreuung")
    """
    word = word.lower()
    if len(word) < MIN_WORD or not word.isalpha():
        return ()
    pieces = _segment(word, _nouns())
    return pieces if pieces is not None and len(pieces) > 1 else ()


def _segment(word: str, nouns: frozenset[str]) -> tuple[str, ...] | None:
    """The fewest pieces (two or more) ``word`` is made of (longer first pieces win
    ties), or None.

    ``best[i]`` is the best cut of ``word[i:]``; it is filled from the end, so each
    piece is tried once per start position."""
    n = len(word)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[n] = ()
    for start in range(n - MIN_PIECE, -1, -1):
        options = []
        for end in range(start + MIN_PIECE, n + 1):
            piece = word[start:end]
            if end == n:
                if piece in nouns and start > 0:  # the word itself is no cut
                    options.append((piece,))
                continue
            if piece not in nouns and piece + "e" not in nouns and piece not in HEADS:
                continue
            for link in LINKS:
                rest = end + len(link)
                if rest < n and word.startswith(link, end) and best[rest]:
                    options.append((piece, *best[rest]))  # type: ignore[misc]
        if options:
            best[start] = min(options, key=lambda cut: (len(cut), [-len(p) for p in cut]))
    return best[0]
