"""Benchmarks of the engagement search (not part of the test suite).

    python bench/engagement_bench.py generate --url sqlite:////tmp/eng-100k.sqlite3 --count 100000
    python bench/engagement_bench.py search   --url sqlite:////tmp/eng-100k.sqlite3 --runs 300
    python bench/engagement_bench.py api      --url sqlite:////tmp/eng-100k.sqlite3 --seconds 10

``generate`` makes a fresh, migrated database with every German Gemeinde as a tenant
(one organisation each) and COUNT synthetic offers spread over Germany by population,
inserted in bulk (SQLAlchemy Core ``executemany``, not the ORM one by one).

``search`` measures the ranked search as the search API runs it (``describe.search_listing``:
a random PLZ weighted by population, searched at that municipality's portal, 25 km, two
fields, statewide, top 20 with their reasons rendered) against a bare SQL bounding-box +
distance query on the same data (grid-cell index, haversine in SQL, nearest 20), p50/p95
each; ``match_opportunities`` (the web page's path, ORM entities) is reported beside it.
It also times the same-shape bare query (the search's own candidate statement, k = 20:
the anchor of "ranked <= 2x bare"), the search answered from the result cache, and the
CPU time beside the wall time (see docs/performance.md).

``api`` starts gunicorn with 2 workers on the database and measures requests per second
of the search API (PLZs as above, each searched at its own municipality's portal, which
the benchmark subscribes) next to a trivial endpoint in the same run on the same server:
``/bench/constant``, a constant JSON answer without database access that only the
benchmark registers (see ``serve_app``); ``/healthz`` (which pings the database) is
reported too. It uses ``wrk`` when installed, else a Python client, and reports the peak
memory (VmHWM) of the workers.
A Flask hello world (``bench/hello.py``) runs on its own gunicorn with the same settings
in the same run, and the search is measured with the result cache off (misses) and on
(hits); ``--shape plain`` searches 25 km at the own portal without fields.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEARCHER_SLUG = "g05558012"  # Stadt Coesfeld, subscribed when generating

TITLES = [
    "Lernpatenschaft für Grundschulkinder",
    "Besuchsdienst für ältere Menschen",
    "Hausaufgabenhilfe Mathematik",
    "Trainerin für die Jugendmannschaft",
    "Fahrdienst zum Arzt",
    "Sprachcafé für Geflüchtete",
    "Helfende für das Stadtfest",
    "Kopfweiden pflegen",
    "Vorlesen in der Kita",
    "Repair Café",
    "Tafel: Lebensmittel sortieren",
    "Hunde ausführen im Tierheim",
    "Digitale Sprechstunde",
    "Wahlhelferin oder Wahlhelfer",
    "Chorprobe begleiten",
    "Gartenprojekt an der Schule",
    "Kleiderkammer",
    "Nachbarschaftshilfe Einkaufen",
    "Jugendfeuerwehr betreuen",
    "Museumsführungen",
]
SENTENCES = [
    "Wir suchen Menschen, die regelmäßig mit anpacken.",
    "Vorkenntnisse sind nicht nötig.",
    "Die Einarbeitung übernimmt unser Team.",
    "Ein erweitertes Führungszeugnis ist erforderlich.",
    "Fahrtkosten werden erstattet.",
    "Gemeinsam mit Kindern und Jugendlichen spielen und lernen.",
    "Senioren freuen sich über Gesellschaft und Gespräche.",
    "Umweltschutz und Naturpflege vor Ort.",
    "Auch ein paar Stunden im Monat helfen sehr.",
    "Wir treffen uns im Gemeindehaus.",
]


def _app(url: str, cache: bool = True) -> Any:
    from core import create_app

    instance = tempfile.mkdtemp(prefix="eng-bench-")
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": instance,
            "PLUGINS": ["billing", "engagement", "tenants"],
            "ENGAGEMENT_SEARCH_CACHE_SIZE": 2048 if cache else 0,
        }
    )


def _gemeinden() -> list[Any]:
    from core import gazetteer

    places = []
    for land in range(1, 17):
        for kreis in gazetteer.children(f"{land:02d}"):
            places += [
                p
                for p in gazetteer.children(kreis.ags)
                if p.lat is not None and p.kind == "gemeinde"
            ]
    return places


def _fresh_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def generate(url: str, count: int, seed: int = 1) -> None:
    """A fresh database with every Gemeinde as a tenant and ``count`` offers."""
    from sqlalchemy import insert, select

    from core import migrate
    from core.db import get_db, session, utcnow
    from core.models import Tenant, TenantKind, TenantStatus
    from core.services import subscribe
    from plugins.engagement import geo, search, vocabulary
    from plugins.engagement.models import (
        Opportunity,
        OpportunityStatus,
        Organisation,
        OrganisationKind,
        Reach,
        Schedule,
    )

    started = time.perf_counter()
    _fresh_database(url)
    app = _app(url)
    rng = random.Random(seed)
    with app.app_context():
        migrate.upgrade(app)
        engine = get_db(app).engine
        sqlite = engine.dialect.name == "sqlite"
        places = _gemeinden()
        now = utcnow()
        with engine.begin() as conn:
            conn.execute(
                insert(Tenant.__table__),
                [
                    {
                        "slug": f"g{p.ags}",
                        "ags": p.ags,
                        "name": p.name,
                        "kind": TenantKind.GEMEINDE,
                        "status": TenantStatus.ACTIVE,
                        "parent_may_administer": False,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for p in places
                ],
            )
            tenant_ids = dict(
                conn.execute(select(Tenant.__table__.c.ags, Tenant.__table__.c.id)).all()
            )
            conn.execute(
                insert(Organisation.__table__),
                [
                    {
                        "tenant_id": tenant_ids[p.ags],
                        "name": f"Bürgerverein {p.name}",
                        "kind": OrganisationKind.VEREIN,
                        "description": "",
                        "contact_email": "kontakt@example.org",
                        "verified": True,
                        "created_at": now,
                    }
                    for p in places
                ],
            )
            org_ids = dict(
                conn.execute(
                    select(Organisation.__table__.c.tenant_id, Organisation.__table__.c.id)
                ).all()
            )
        weights = [max(p.population, 1) for p in places]
        expires = dt.date.today() + dt.timedelta(days=180)
        field_count = len(vocabulary.FIELDS)
        batch = 20_000
        with engine.begin() as conn:
            if not sqlite:
                # Bulk load: index the text once at the end instead of row by row.
                search.drop_index(conn)
            for start in range(0, count, batch):
                rows = []
                for place in rng.choices(places, weights=weights, k=min(batch, count - start)):
                    rows.append(
                        _offer_row(
                            rng,
                            place,
                            tenant_ids[place.ags],
                            org_ids[tenant_ids[place.ags]],
                            field_count,
                            expires,
                            now,
                            sqlite,
                            geo,
                            search,
                            Reach,
                            Schedule,
                            OpportunityStatus,
                        )
                    )
                conn.execute(insert(Opportunity.__table__), rows)
                print(f"  {start + len(rows):>9,} offers", file=sys.stderr, flush=True)
            if not sqlite:
                search.create_index_v3(conn)
            conn.exec_driver_sql("ANALYZE")
        if not sqlite:
            # Index-only scans need the visibility map that VACUUM writes.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE engagement_opportunity")
        with app.app_context():
            coesfeld = session.scalar(select(Tenant).where(Tenant.slug == SEARCHER_SLUG))
            subscribe(coesfeld, "engagement")
            session.commit()
    print(
        json.dumps(
            {
                "generated": count,
                "tenants": len(places),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


def _offer_row(
    rng: random.Random,
    place: Any,
    tenant_id: int,
    org_id: int,
    field_count: int,
    expires: dt.date,
    now: dt.datetime,
    sqlite: bool,
    geo: Any,
    search: Any,
    Reach: Any,
    Schedule: Any,
    Status: Any,
) -> dict[str, Any]:
    remote = rng.random() < 0.05
    lat = None if remote else place.lat + rng.uniform(-0.04, 0.04)
    lon = None if remote else place.lon + rng.uniform(-0.06, 0.06)
    reach = rng.choices([Reach.LOCAL, Reach.KREIS, Reach.LAND], weights=[75, 20, 5])[0]
    prefix = {Reach.LOCAL: place.ags, Reach.KREIS: place.ags[:5], Reach.LAND: place.ags[:2]}[reach]
    mask = 0
    for bit in rng.sample(range(field_count), rng.randint(1, 3)):
        mask |= 1 << bit
    title = rng.choice(TITLES)
    description = " ".join(rng.sample(SENTENCES, 3))
    skills = rng.sample(["organising", "driving_licence", "tutoring", "it", "care"], 1)
    document, parts = search.documents_for(
        title,
        description,
        organisation=f"Bürgerverein {place.name}",
        skills=skills,
        field_mask=mask,
    )
    regular = rng.random() < 0.8
    status = (
        Status.PUBLISHED
        if rng.random() < 0.9
        else rng.choice([Status.DRAFT, Status.PAUSED, Status.EXPIRED])
    )
    return {
        "tenant_id": tenant_id,
        "organisation_id": org_id,
        "title": title,
        "description": description,
        "field_mask": mask,
        "skills": skills,
        "languages": ["de"],
        "remote": remote,
        "street": None,
        "plz": place.plz,
        "place": place.name,
        "lat": lat,
        "lon": lon,
        "geo_cell": geo.cell_of(lat, lon) if lat is not None else None,
        "reach": reach,
        "coverage_prefix": prefix,
        "schedule": Schedule.REGULAR if regular else Schedule.ONE_OFF,
        "starts_on": None if regular else expires - dt.timedelta(days=rng.randint(1, 150)),
        "ends_on": None,
        "slot_mask": rng.getrandbits(21) & rng.getrandbits(21) if regular else 0,
        "hours_per_week": rng.randint(1, 6) if regular else None,
        "min_age": rng.choice([0, 0, 0, 14, 16, 18]),
        "accessibility_notes": "",
        "with_children": rng.random() < 0.2,
        "places": rng.choice([None, None, 5, 10]),
        "places_taken": 0,
        "waitlist_open": rng.random() < 0.3,
        "status": status,
        "expires_on": expires,
        "hidden": False,
        "review_note": None,
        "submitted_at": now,
        "published_at": now,
        "created_at": now,
        "updated_at": now,
        "search_document": document,
        "search_parts": parts,
    }


def _postcodes(app: Any, n: int, seed: int) -> list[tuple[str, Any]]:
    """``n`` random (PLZ, searcher tenant) pairs, weighted like the offers."""
    from sqlalchemy import select

    from core import gazetteer
    from core.db import session
    from core.models import Tenant

    rng = random.Random(seed)
    places = [p for p in _gemeinden() if p.plz and gazetteer.postcode(p.plz) is not None]
    chosen = rng.choices(places, weights=[max(p.population, 1) for p in places], k=n)
    tenants = {
        t.ags: t
        for t in session.scalars(select(Tenant).where(Tenant.ags.in_({p.ags for p in chosen})))
    }
    return [(p.plz, tenants[p.ags]) for p in chosen]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(math.ceil(q * len(ordered))) - 1)]


def bench_search(url: str, runs: int, seed: int = 7) -> dict[str, Any]:
    """p50/p95 of the ranked search and of the bare bounding-box query.

    The ranked search is the search API's path without HTTP
    (``describe.search_listing``): ranking, the listed offers' columns, and the
    reasons rendered in German. ``match_opportunities`` (the same ranking, then the
    offers loaded as ORM entities for the web page) is timed next to it.

    Each runs with its own best index only: first the ranked search (the plugin's
    schema), then the bare query after adding its (geo_cell, lat, lon) index, so that
    neither planner is steered by the other's index. Each search ends its transaction
    with a commit, as a request does; a rollback would expire the searcher's tenant
    and charge the next search for reloading it.
    """
    from flask_babel import force_locale

    from core.db import session
    from plugins.engagement import describe, geo, vocabulary
    from plugins.engagement.matching import SearchQuery, match_opportunities, prepare
    from plugins.engagement.matching.plan import _Plan as Plan

    _bare_index(url, create=False)
    app = _app(url, cache=False)
    keys = list(vocabulary.FIELDS)

    def listing(plz: str, tenant: Any, fields: list[str]) -> tuple[int, int]:
        query = SearchQuery(place=plz, radius_km=25, fields=fields, statewide=True)
        items = describe.search_listing(query, 20, tenant=tenant)
        return len(items), sum(len(item["reasons"]) for item in items)

    def same_shape(plz: str, tenant: Any, fields: list[str]) -> tuple[int, int]:
        """The search's own candidate statement, once, with k = 20: same filters, same
        index, no scoring, no listing, no reasons — the best bare SQL of its shape."""
        query = SearchQuery(place=plz, radius_km=25, fields=fields, statewide=True)
        query, today, wide = prepare(query, 20)
        plan = Plan.of(query, local=not wide)
        params = {**plan.parameters(query, tenant, today), **dict.fromkeys(
            (f"k_{part}" for part in plan.parts), 20)}  # fmt: skip
        return len(session.connection().execute(plan.statement(plan.parts), params).all()), 0

    def orm(plz: str, tenant: Any, fields: list[str]) -> tuple[int, int]:
        query = SearchQuery(place=plz, radius_km=25, fields=fields, statewide=True)
        found = match_opportunities(query, 20, tenant=tenant)
        return len(found), sum(len(m.reason_texts) for m in found)

    with app.app_context(), force_locale("de"):
        pairs = _postcodes(app, runs, seed)
        rng = random.Random(seed)
        queries = [(plz, tenant, rng.sample(keys, 2)) for plz, tenant in pairs]
        dialect = session.get_bind().dialect.name
        session.commit()
        ranked, results_seen = _timed(listing, queries, runs)
        ranked_cpu = list(_CPU_MS["listing"])
        same_shape_ms, _seen = _timed(same_shape, queries, runs)
        ranked_orm, _seen = _timed(orm, queries, runs)
        session.close()
    cached_app = _app(url, cache=True)
    with cached_app.app_context(), force_locale("de"):
        session.commit()
        hits, _seen = _timed(listing, queries, runs)  # the timed pass: every search a hit
        session.close()
        hit_cpu = list(_CPU_MS["listing"])
    _bare_index(url, create=True)
    with app.app_context():

        def bare(plz: str, _tenant: Any, _fields: list[str]) -> tuple[int, int]:
            point = geo.geocode(plz)
            return len(session.execute(_bare_query(point, 25, dialect)).all()), 0

        bare_ms, _seen = _timed(bare, queries, runs)
    _bare_index(url, create=False)
    figures = {
        "database": dialect,
        "runs": runs,
        "ranked_ms": _percentiles(ranked),
        "bare_ms": _percentiles(bare_ms),
        "same_shape_bare_ms": _percentiles(same_shape_ms),
        "ranked_cache_hit_ms": _percentiles(hits),
        "cpu_ms": {
            "ranked": _percentiles(ranked_cpu),
            "same_shape_bare": _percentiles(_CPU_MS["same_shape"]),
            "ranked_cache_hit": _percentiles(hit_cpu),
        },
        "load_average": [round(v, 2) for v in os.getloadavg()],
        "ranked_orm_ms": _percentiles(ranked_orm),
        "mean_results": round(statistics.mean(r[0] for r in results_seen), 1),
        "mean_reasons": round(statistics.mean(r[1] for r in results_seen), 1),
    }
    figures["ratio_p50"] = round(figures["ranked_ms"]["p50"] / figures["bare_ms"]["p50"], 2)
    figures["ratio_p95"] = round(figures["ranked_ms"]["p95"] / figures["bare_ms"]["p95"], 2)
    for q in ("p50", "p95"):
        figures[f"same_shape_ratio_{q}"] = round(
            figures["ranked_ms"][q] / figures["same_shape_bare_ms"][q], 2
        )
        cpu = figures["cpu_ms"]
        figures[f"same_shape_cpu_ratio_{q}"] = round(
            cpu["ranked"][q] / max(cpu["same_shape_bare"][q], 0.001), 2
        )
    return figures


def _timed(
    search: Any, queries: list[tuple[str, Any, list[str]]], runs: int
) -> tuple[list[float], list[tuple[int, int]]]:
    """Milliseconds of ``search`` per query and what it found, after one untimed pass
    over the same queries: every method is timed with its data and index pages in
    memory (a first pass over 1,000,000 offers reads from disk what other work on the
    machine has pushed out of the page cache)."""
    from core.db import session

    elapsed, found = [], []
    cpu = _CPU_MS.setdefault(search.__name__, [])
    cpu.clear()
    for warm in (True, False):
        for plz, tenant, fields in queries[:runs]:
            t0, c0 = time.perf_counter(), time.process_time()
            seen = search(plz, tenant, fields)
            session.commit()
            if not warm:
                elapsed.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                found.append(seen)
    return elapsed, found


#: CPU milliseconds of this process per search of the last ``_timed`` run, by the
#: function's name: on a busy machine wall time mostly measures waiting for a core;
#: on SQLite the CPU time includes the SQL (same process), on PostgreSQL it does not.
_CPU_MS: dict[str, list[float]] = {}


def _percentiles(values: list[float]) -> dict[str, float]:
    return {"p50": round(_pct(values, 0.5), 2), "p95": round(_pct(values, 0.95), 2)}


def _bare_index(url: str, create: bool) -> None:
    """Add (or drop) the bare query's own best index: grid cell, latitude, longitude.
    It is not in the plugin's schema: the plugin's search index leads with the reach."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        if create:
            conn.exec_driver_sql(
                "CREATE INDEX IF NOT EXISTS bench_bare_geo "
                "ON engagement_opportunity (geo_cell, lat, lon)"
            )
        else:
            conn.exec_driver_sql("DROP INDEX IF EXISTS bench_bare_geo")
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def _bare_query(point: Any, radius: float, dialect: str) -> Any:
    """Bounding box on a grid-cell index, haversine in SQL, nearest 20."""
    from sqlalchemy import text

    from plugins.engagement import geo

    box = geo.bounding_box(point.lat, point.lon, radius)
    cells = " OR ".join(f"geo_cell BETWEEN {a} AND {b}" for a, b in box.cell_ranges())
    distance = (
        "2 * 6371.0088 * asin(sqrt(power(sin(radians(lat - :lat) / 2), 2) + "
        "cos(radians(:lat)) * cos(radians(lat)) * power(sin(radians(lon - :lon) / 2), 2)))"
    )
    sql = (
        f"SELECT id, {distance} AS km FROM engagement_opportunity WHERE ({cells}) "  # noqa: S608 - constant table name / our own executable
        "AND lat BETWEEN :min_lat AND :max_lat AND lon BETWEEN :min_lon AND :max_lon "
        f"AND {distance} <= :radius ORDER BY km LIMIT 20"
    )
    return text(sql).bindparams(
        lat=point.lat,
        lon=point.lon,
        radius=radius,
        min_lat=box.min_lat,
        max_lat=box.max_lat,
        min_lon=box.min_lon,
        max_lon=box.max_lon,
    )


# ---------------------------------------------------------------------------------
# API under gunicorn
# ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310 - our own local server
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server at {url} did not start")


def _wrk(urls_file: Path, base: str, seconds: int, connections: int) -> float:
    script = urls_file.with_suffix(".lua")
    script.write_text(
        "local paths = {}\nfor line in io.lines('"
        + str(urls_file)
        + "') do paths[#paths + 1] = line end\n"
        "local i = 0\nrequest = function()\n  i = i % #paths + 1\n"
        "  return wrk.format('GET', paths[i])\nend\n"
    )
    out = subprocess.run(  # noqa: S603 - constant table name / our own executable
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), base],  # noqa: S607 - constant table name / our own executable
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError(out)


def _python_load(paths: list[str], base: str, seconds: int, connections: int) -> float:
    import http.client

    host, port = base.removeprefix("http://").split(":")
    done = [0] * connections
    stop = time.time() + seconds

    def worker(slot: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        i = slot
        while time.time() < stop:
            conn.request("GET", paths[i % len(paths)])
            conn.getresponse().read()
            done[slot] += 1
            i += connections

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


def _worker_peak_kb(master_pid: int) -> list[int]:
    peaks = []
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    for pid in children.read_text().split():
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]))
    return peaks


def serve_app() -> Any:
    """The application gunicorn serves in ``api`` (settings from the environment), plus
    the benchmark's trivial endpoint ``/bench/constant``: a constant JSON answer, no
    database — through the same request hooks as every other route. Not a production
    route: only this benchmark registers it."""
    from core import create_app

    app = create_app()
    app.add_url_rule("/bench/constant", "bench_constant", lambda: _CONSTANT)
    return app


_CONSTANT = {"status": "ok"}


def _searchers(url: str, seed: int, portal: str | None = None, shape: str = "fields") -> list[str]:
    """Search API paths: a random PLZ (weighted like the offers), searched at the
    portal of the municipality it belongs to (subscribed to engagement here if it is
    not yet) or, with ``portal``, all at that tenant's portal; 25 km, top 20. Shape
    ``fields``: two fields, statewide; ``plain``: nothing else (the portal's own offers)."""
    from core.db import session
    from core.services import is_subscribed, subscribe
    from plugins.engagement import vocabulary

    app = _app(url)
    rng = random.Random(seed)
    keys = list(vocabulary.FIELDS)
    with app.app_context():
        pairs = _postcodes(app, 500, seed)
        for tenant in {tenant.id: tenant for _plz, tenant in pairs}.values():
            if not is_subscribed(tenant, "engagement"):
                subscribe(tenant, "engagement")
        session.commit()
        paths = []
        for plz, tenant in pairs:
            path = (
                f"/api/v1/tenants/{portal or tenant.slug}/engagement/opportunities?plz={plz}"
                "&radius_km=25&limit=20"
            )
            if shape == "fields":
                path += f"&fields={','.join(rng.sample(keys, 2))}&statewide=true"
            paths.append(path)
        return paths


def _gunicorn(app: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``gunicorn -w 2`` serving ``app`` on ``port``: the same settings for every server."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    return subprocess.Popen(  # noqa: S603 - our own server
        [gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", app],
        env=env,
        cwd=str(ROOT),
    )


def _load(paths: list[str], base: str, seconds: int, connections: int, tmp: Path) -> float:
    """Requests per second over ``paths`` (wrk when installed, else Python threads)."""
    if shutil.which("wrk"):
        name = f"paths-{abs(hash(base + paths[0]))}.txt"
        (tmp / name).write_text("\n".join(paths) + "\n")
        return _wrk(tmp / name, base, seconds, connections)
    return _python_load(paths, base, seconds, connections)


#: Distinct searches of the cache-hit measurement and how often each is asked first.
HIT_PATHS = 60
HIT_WARM_PASSES = 10


def bench_api(
    url: str,
    seconds: int,
    connections: int = 8,
    seed: int = 11,
    portal: str | None = None,
    shape: str = "fields",
) -> dict[str, Any]:
    """Requests/s under gunicorn (2 sync workers each, one run, one after the other):
    a Flask hello world (``bench/hello.py``, its own server), the trivial
    ``/bench/constant`` and ``/healthz`` of the platform, and the search API without
    the result cache (every search computed: the miss figure) and with it (60 of the
    searches, each asked ten times first: every request a hit); the workers' peak
    memory."""
    search_paths = _searchers(url, seed, portal, shape)
    env = {
        **os.environ,
        "RATHAUS_DATABASE_URL": url,
        "RATHAUS_INSTANCE_PATH": tempfile.mkdtemp(),
        "RATHAUS_SECRET_KEY": "bench",
        "RATHAUS_PLUGINS": "billing,engagement,tenants",
    }
    ports = {name: _free_port() for name in ("hello", "miss", "hit")}
    servers = {
        "hello": _gunicorn("bench.hello:app", ports["hello"], env),
        "miss": _gunicorn(
            "bench.engagement_bench:serve_app()",
            ports["miss"],
            {**env, "RATHAUS_ENGAGEMENT_SEARCH_CACHE_SIZE": "0"},
        ),
        "hit": _gunicorn("bench.engagement_bench:serve_app()", ports["hit"], env),
    }
    base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    try:
        _wait(base["hello"] + "/")
        _wait(base["miss"] + "/bench/constant")
        _wait(base["hit"] + "/bench/constant")
        tmp = Path(tempfile.mkdtemp())
        for path in search_paths:  # warm up: every search once, pages in memory
            urllib.request.urlopen(base["miss"] + path, timeout=30).read()  # noqa: S310
        # Hits: the first HIT_PATHS searches, asked often enough that both workers
        # have each in their cache (a worker misses a path with odds 1 in 2**passes).
        hit_paths = search_paths[:HIT_PATHS]
        for _pass in range(HIT_WARM_PASSES):
            for path in hit_paths:
                urllib.request.urlopen(base["hit"] + path, timeout=30).read()  # noqa: S310
        rps = {
            "hello": _load(["/"], base["hello"], seconds, connections, tmp),
            "constant": _load(["/bench/constant"], base["miss"], seconds, connections, tmp),
            "healthz": _load(["/healthz"], base["miss"], seconds, connections, tmp),
            "miss": _load(search_paths, base["miss"], seconds, connections, tmp),
            "hit": _load(hit_paths, base["hit"], seconds, connections, tmp),
        }
        peaks = _worker_peak_kb(servers["miss"].pid)
    finally:
        for server in servers.values():
            server.send_signal(signal.SIGTERM)
        for server in servers.values():
            server.wait(timeout=30)
    return {
        "client": "wrk" if shutil.which("wrk") else "python",
        "connections": connections,
        "seconds": seconds,
        "shape": shape,
        "portal": portal or "own",
        "hello_rps": round(rps["hello"], 1),
        "trivial_rps": round(rps["constant"], 1),
        "healthz_rps": round(rps["healthz"], 1),
        "search_rps": round(rps["miss"], 1),
        "search_cache_hit_rps": round(rps["hit"], 1),
        "search_share_of_hello": round(rps["miss"] / rps["hello"], 3),
        "search_hit_share_of_hello": round(rps["hit"] / rps["hello"], 3),
        "search_share": round(rps["miss"] / rps["constant"], 3),
        "worker_peak_rss_mb": [round(kb / 1024, 1) for kb in peaks],
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--url", required=True)
    gen.add_argument("--count", type=int, required=True)
    srch = sub.add_parser("search")
    srch.add_argument("--url", required=True)
    srch.add_argument("--runs", type=int, default=300)
    api = sub.add_parser("api")
    api.add_argument("--url", required=True)
    api.add_argument("--seconds", type=int, default=10)
    api.add_argument("--connections", type=int, default=8)
    api.add_argument(
        "--portal",
        help="search every PLZ at this tenant's portal (e.g. g05558012) instead of its own",
    )
    api.add_argument(
        "--shape",
        choices=["fields", "plain"],
        default="fields",
        help="fields: two fields, statewide (default); plain: 25 km at the own portal only",
    )
    args = parser.parse_args()
    if args.command == "generate":
        generate(args.url, args.count)
    elif args.command == "search":
        print(json.dumps(bench_search(args.url, args.runs), indent=2))
    else:
        print(
            json.dumps(
                bench_api(
                    args.url, args.seconds, args.connections, portal=args.portal, shape=args.shape
                ),
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
