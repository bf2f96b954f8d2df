"""Latency of the published catalog at 100,000 models.

Builds a synthetic catalog (the generator of benchmarks/build_scale.py, through the real build
path), then serves it with Datasette in-process (the ASGI app, no network) twice in the same run:
with cegdb's metadata (facets, sort, canned queries) and plugin, and plain (no metadata). For each
page it prints median and 95th-percentile latency and the ratio to Datasette's plain table page.

    python benchmarks/serve_latency.py [--models 100000] [--requests 40] [--db built.sqlite]

Target (issues 5 and 8): the model table's 95th percentile under 150 ms. The facet counts of an
immutable catalog are cached per distinct query (publish/plugin/facets.py); the line "facets,
cache cold" empties that cache before every request, so it shows a first view of a filter.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from datasette.app import Datasette  # noqa: E402

import build_scale  # noqa: E402
from publish import serving  # noqa: E402
from publish.plugin import facets  # noqa: E402
from cegdb.pipeline import build  # noqa: E402
from catalog.datasets import read_model  # noqa: E402


async def timings(ds: Datasette, path: str, requests: int, cold: bool = False) -> list[float]:
    await ds.client.get(path)  # warm caches, as a running server would be
    samples = []
    for _ in range(requests):
        if cold:
            facets.CACHES.clear()
        start = time.perf_counter()
        response = await ds.client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return samples


def counts(db: Path) -> dict[str, int]:

    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
        return {t: conn.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


async def run(db: Path, requests: int, n: int) -> None:
    name = db.stem
    # As `cegdb serve` runs it: metadata, its settings, and `datasette inspect` counts.
    inspect_data = {name: {"hash": None, "size": db.stat().st_size, "file": str(db),
                           "tables": {t: {"count": c} for t, c in counts(db).items()}}}
    ours = Datasette(immutables=[str(db)], metadata=serving.metadata(name), settings=serving.SETTINGS,
                     inspect_data=inspect_data)
    plain = Datasette(immutables=[str(db)])
    # Datasette's defaults suggest facets (a GROUP BY per column per page view): also time the
    # plain page without that, the fairer floor for our facet-less rendering cost.
    quiet = Datasette(immutables=[str(db)], settings={"suggest_facets": False}, inspect_data=inspect_data)
    middle = f"m{n // 2:07d}"
    baseline = await timings(plain, f"/{name}/model", requests)
    floor = await timings(quiet, f"/{name}/model", requests)
    pages = {
        "model table, facets": (ours, f"/{name}/model"),
        "facets, cache cold": (ours, f"/{name}/model", True),
        "model page": (ours, f"/{name}/model/{middle}"),
        "canned query (provenance)": (ours, f"/{name}/model_provenance?model_id={middle}"),
    }
    base_p95 = p95(baseline)
    print(f"{'page':<28} {'median ms':>10} {'p95 ms':>8} {'p95 / plain':>12}")
    print(f"{'plain table page':<28} {statistics.median(baseline):>10.1f} {base_p95:>8.1f} {1.0:>12.2f}")
    print(f"{'plain, no facet suggestions':<28} {statistics.median(floor):>10.1f} {p95(floor):>8.1f} "
          f"{p95(floor) / base_p95:>12.2f}")
    for label, (ds, path, *cold) in pages.items():
        samples = await timings(ds, path, requests, *cold)
        print(f"{label:<28} {statistics.median(samples):>10.1f} {p95(samples):>8.1f} {p95(samples) / base_p95:>12.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--db", type=Path, help="serve this built catalog instead of building one")
    args = parser.parse_args()
    if args.db:
        n = sqlite3.connect(args.db).execute("select count(*) from model").fetchone()[0]
        asyncio.run(run(args.db, args.requests, n))
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        datasets = build_scale.write_reference_files(tmp)

        def documents(problems, refs):
            for i in range(args.models):
                entry = read_model(Path("bench.yaml"), build_scale.synthetic_model(i), problems, refs)
                if entry is not None:
                    yield entry

        db = tmp / "cegdb.sqlite"
        start = time.perf_counter()
        build(datasets, f"sqlite:///{db}", model_documents=documents, analysis=None)
        print(f"built {args.models:,} models in {time.perf_counter() - start:.0f} s")
        asyncio.run(run(db, args.requests, args.models))


if __name__ == "__main__":
    main()
