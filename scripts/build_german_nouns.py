"""Build ``plugins/engagement/data/german_nouns.txt.gz``, the word list of the German
compound splitter (:mod:`plugins.engagement.decompound`).

Source: the PyPI package ``german-nouns`` (Gregor Weichbrodt; nouns and their forms
from the German Wiktionary), licence CC BY-SA 4.0 — so the derived list is under
CC BY-SA 4.0 too (see ``plugins/engagement/data/README.md``). Kept: the lemma, the
nominative singular and plural and the genitive singular of every noun (the forms
that occur inside compounds: *Kinder*garten, *Hilfs*dienst), lower-cased, 4 to 14
letters, no names, places or abbreviations.

    pip install german-nouns==1.2.5
    python scripts/build_german_nouns.py
"""

from __future__ import annotations

import csv
import gzip
import importlib.resources
import re
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "plugins/engagement/data/german_nouns.txt.gz"
NOUN = re.compile(r"[A-ZÄÖÜ][a-zäöüß]{3,13}")
#: Common nouns only: no names, places, abbreviations, affixes.
KINDS = {"Substantiv", "Substantiv,adjektivische Deklination"}
COLUMNS = ("lemma", "nominativ singular", "nominativ plural", "genitiv singular")


def main() -> None:
    source = importlib.resources.files("german_nouns") / "nouns.csv"
    forms: set[str] = set()
    with source.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["pos"] not in KINDS:
                continue
            for name, value in row.items():
                if name and name.startswith(COLUMNS) and NOUN.fullmatch((value or "").strip()):
                    forms.add(value.strip().lower())
    with gzip.open(TARGET, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("\n".join(sorted(forms)) + "\n")
    print(f"{len(forms)} words -> {TARGET}")


if __name__ == "__main__":
    main()
