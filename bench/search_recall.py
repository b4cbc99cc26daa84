"""Recall of the German offer search on 30 queries people type (issue 11 §5).

    python bench/search_recall.py                       # SQLite, demo + 2,000 bench offers
    python bench/search_recall.py --demo-url postgresql+psycopg://postgres@127.0.0.1/recall \\
        --bench-url postgresql+psycopg://postgres@127.0.0.1/eng-100k

For each query a person judged which offers answer it: in the demo data (``rathaus
demo``) by title, in the bench data (``bench/engagement_bench.py generate``, 20 titles
with generic sentences) by title too. **After** is the text condition the search runs
today (``search.fts_query`` against the full-text index of the database: title,
description, organisation, field and skill names, compound pieces). **Before** is the
index of migration engagement_0001 replayed in Python: every query word, stemmed,
must start a stemmed word of title or description (FTS5's prefix query over
``unicode61`` tokens, diacritics folded) — what SQLite answered before.

Recall = judged offers found / judged offers (over all queries); ``extra`` counts hits
nobody judged relevant (the price of splitting compounds). Databases are made fresh
in a temporary folder unless URLs are given (the demo URL is migrated and filled; the
bench URL must have been generated).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

JUGENDFEUERWEHR = "Betreuerin oder Betreuer in der Jugendfeuerwehr"
#: (query, judged demo titles, judged bench titles)
QUERIES: list[tuple[str, list[str], list[str]]] = [
    ("Feuerwehr", [JUGENDFEUERWEHR], ["Jugendfeuerwehr betreuen"]),
    ("Jugendfeuerwehr", [JUGENDFEUERWEHR], ["Jugendfeuerwehr betreuen"]),
    ("Tafel", ["Lebensmittel sortieren und ausgeben", "Fahrerin oder Fahrer für die Abholtour"],
     ["Tafel: Lebensmittel sortieren"]),
    ("Lebensmittel", ["Lebensmittel sortieren und ausgeben"], ["Tafel: Lebensmittel sortieren"]),
    ("Fahrer", ["Fahrerin oder Fahrer für die Abholtour", "Fahrerin oder Fahrer für den Bürgerbus"],
     ["Fahrdienst zum Arzt"]),
    ("Bus", ["Fahrerin oder Fahrer für den Bürgerbus"], []),
    ("Hausaufgaben", ["Hausaufgabenhilfe Mathematik"], ["Hausaufgabenhilfe Mathematik"]),
    ("Nachhilfe", ["Hausaufgabenhilfe Mathematik", "Lernpatenschaft für Grundschulkinder"],
     ["Hausaufgabenhilfe Mathematik", "Lernpatenschaft für Grundschulkinder"]),
    ("Mathe", ["Hausaufgabenhilfe Mathematik"], ["Hausaufgabenhilfe Mathematik"]),
    ("Senioren", ["Besuchsdienst für ältere Menschen",
                  "Digitale Sprechstunde für Seniorinnen und Senioren",
                  "Fahrerin oder Fahrer für den Bürgerbus"],
     ["Besuchsdienst für ältere Menschen"]),
    ("Kinder", ["Betreuerin oder Betreuer in der Jugendfeuerwehr",
                "Lernpatenschaft für Grundschulkinder", "Sprachförderung in der Kita",
                "Übungsleitung Kinderturnen", "Hausaufgabenhilfe Mathematik",
                "Vorlesepatin oder Vorlesepate"],
     ["Lernpatenschaft für Grundschulkinder", "Vorlesen in der Kita"]),
    ("Turnen", ["Übungsleitung Kinderturnen"], []),
    ("Sport", ["Übungsleitung Kinderturnen"], ["Trainerin für die Jugendmannschaft"]),
    ("Hund", [], ["Hunde ausführen im Tierheim"]),
    ("Tierheim", [], ["Hunde ausführen im Tierheim"]),
    ("Vorlesen", ["Vorlesepatin oder Vorlesepate", "Besuchsdienst für ältere Menschen"],
     ["Vorlesen in der Kita"]),
    ("Lesepate", ["Vorlesepatin oder Vorlesepate", "Lernpatenschaft für Grundschulkinder"], []),
    ("Kita", ["Sprachförderung in der Kita", "Vorlesepatin oder Vorlesepate"],
     ["Vorlesen in der Kita"]),
    ("Sprachcafé", ["Sprachcafé für Geflüchtete"], ["Sprachcafé für Geflüchtete"]),
    ("Flüchtlinge", ["Sprachcafé für Geflüchtete"], ["Sprachcafé für Geflüchtete"]),
    ("Deutsch lernen", ["Sprachcafé für Geflüchtete", "Sprachförderung in der Kita"],
     ["Sprachcafé für Geflüchtete"]),
    ("Naturschutz", ["Kopfweiden pflegen in den Baumbergen"], ["Kopfweiden pflegen"]),
    ("Garten", ["Kopfweiden pflegen in den Baumbergen"], ["Gartenprojekt an der Schule"]),
    ("Reparatur", ["Reparieren statt wegwerfen"], ["Repair Café"]),
    ("Fahrrad", ["Reparieren statt wegwerfen"], []),
    ("Musik", ["Helfende für das Sommerkonzert"], ["Chorprobe begleiten"]),
    ("Konzert", ["Helfende für das Sommerkonzert"], []),
    ("Wahlhelfer", ["Wahlhelferinnen und Wahlhelfer"], ["Wahlhelferin oder Wahlhelfer"]),
    ("Digital", ["Digitale Sprechstunde für Seniorinnen und Senioren",
                 "Online-Mentoring für Vereinsvorstände"], ["Digitale Sprechstunde"]),
    ("Fest", [], ["Helfende für das Stadtfest"]),
]  # fmt: skip


def _fold(word: str) -> str:
    """Diacritics removed, as FTS5's ``unicode61`` tokenizer does."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _before(rows: list[Any], query: str) -> set[int]:
    """The offers the engagement_0001 index found: each stemmed query word starts a
    stemmed word of title or description."""
    from plugins.engagement import search

    terms = [_fold(search.stem(w)) for w in search.words(query)]
    hits = set()
    for row in rows:
        tokens = _fold(search.stems(f"{row.title} {row.description}")).split()
        if all(any(t.startswith(term) for t in tokens) for term in terms):
            hits.add(row.id)
    return hits


def _after(connection: Any, query: str) -> set[int]:
    """The offers the search's text condition finds in the database's index."""
    from sqlalchemy import text

    from plugins.engagement import search

    dialect = connection.dialect.name
    expression = search.fts_query(query, dialect)
    statement = search.POSTGRES_MATCH if dialect == "postgresql" else search.SQLITE_MATCH
    return {row[0] for row in connection.execute(text(statement), {"fts_query": expression})}


def measure(url: str, judged: int) -> dict[str, Any]:
    """Recall before and after on the database at ``url``; ``judged`` picks the
    demo (1) or bench (2) judgments of :data:`QUERIES`."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    per_query = []
    totals = {"judged": 0, "before": 0, "after": 0, "extra_before": 0, "extra_after": 0}
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, title, description FROM engagement_opportunity")
        ).all()
        for entry in QUERIES:
            query, titles = entry[0], set(entry[judged])
            relevant = {row.id for row in rows if row.title in titles}
            before, after = _before(rows, query), _after(connection, query)
            counts = {
                "query": query,
                "judged": len(relevant),
                "before": len(before & relevant),
                "after": len(after & relevant),
                "extra_before": len(before - relevant),
                "extra_after": len(after - relevant),
            }
            per_query.append(counts)
            for key in totals:
                totals[key] += counts[key]
    engine.dispose()
    judged_total = max(totals["judged"], 1)
    return {
        "offers": len(rows),
        "queries": len(QUERIES),
        "recall_before": round(totals["before"] / judged_total, 3),
        "recall_after": round(totals["after"] / judged_total, 3),
        **totals,
        "per_query": per_query,
    }


def _demo_database(folder: str) -> str:
    url = f"sqlite:///{folder}/demo.sqlite3"
    _fill_demo(url, folder)
    return url


def _fill_demo(url: str, folder: str) -> None:
    """Migrate ``url`` and load the demo data (the ``rathaus`` command)."""
    env = {**os.environ, "RATHAUS_DATABASE_URL": url, "RATHAUS_INSTANCE_PATH": folder}
    rathaus = str(Path(sys.executable).parent / "rathaus")
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run(  # noqa: S603 - our own command, arguments fixed
            [rathaus, *command], env=env, check=True, stdout=subprocess.DEVNULL
        )


def _bench_database(folder: str, count: int) -> str:
    url = f"sqlite:///{folder}/bench.sqlite3"
    subprocess.run(  # noqa: S603 - our own script, arguments fixed
        [sys.executable, str(ROOT / "bench/engagement_bench.py"), "generate", "--url", url,
         "--count", str(count)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return url


def _print(name: str, result: dict[str, Any]) -> None:
    print(f"\n{name}: {result['offers']} offers, {result['queries']} queries")
    print(f"  {'query':<16} {'judged':>6} {'before':>6} {'after':>6} {'extra b/a':>10}")
    for q in result["per_query"]:
        extra = f"{q['extra_before']}/{q['extra_after']}"
        print(f"  {q['query']:<16} {q['judged']:>6} {q['before']:>6} {q['after']:>6} {extra:>10}")
    print(
        f"  recall before {result['recall_before']:.1%}, after {result['recall_after']:.1%} "
        f"({result['before']} / {result['after']} of {result['judged']} judged offers)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-url", help="a database to migrate and fill with demo data")
    parser.add_argument("--bench-url", help="a database made by engagement_bench generate")
    parser.add_argument("--count", type=int, default=2000, help="bench offers to generate")
    parser.add_argument("--json", action="store_true", help="print only a JSON summary")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="search-recall-") as folder:
        demo_url = args.demo_url
        if demo_url:
            _fill_demo(demo_url, folder)
        else:
            demo_url = _demo_database(folder)
        bench_url = args.bench_url or _bench_database(folder, args.count)
        results = {"demo": measure(demo_url, 1), "bench": measure(bench_url, 2)}
    if args.json:
        print(json.dumps({k: {n: v for n, v in r.items() if n != "per_query"}
                          for k, r in results.items()}))  # fmt: skip
        return
    for name, result in results.items():
        _print(name, result)


if __name__ == "__main__":
    main()
