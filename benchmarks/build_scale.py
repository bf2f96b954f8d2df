"""How fast and how lean is the real build path on a large catalog?

A synthetic catalog of N models x 20 claims goes through cegdb.pipeline.build (validation, loading,
derived compute claims, resolution, conflicts, full-text index), timed against the floor for the
same work: plain sqlite3 executemany of the same model and claim rows into the same schema.
Each size runs in its own process so its peak RSS is its own.

    python benchmarks/build_scale.py                 # 10,000 and 100,000 models
    python benchmarks/build_scale.py --models 20000  # one size
    python benchmarks/build_scale.py --default       # the repository's own datasets/, analysis included

Target (issue 2): build <= 3x the raw insert, and peak memory flat in the number of models.
YAML parsing is not part of the timed path: the generator hands read_model the mapping a YAML file
would have produced.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog import db  # noqa: E402
from cegdb.pipeline import build  # noqa: E402
from catalog.datasets import read_model  # noqa: E402
from catalog.fields import MODEL_FIELDS  # noqa: E402

SOURCES = "bench2026:\n  kind: dataset\n  title: Synthetic benchmark source\n  year: 2026\n  url: https://example.org/bench\n"
ORGS = "- {id: benchlab, name: Bench Lab, country: US, kind: industry}\n"
HARDWARE = ("- id: bench-gpu\n  name: Bench GPU\n  kind: gpu\n  claims:\n"
            "    bf16_tflops: {value: 1000, source: bench2026, locator: p. 1, confidence: high}\n")
INNOVATIONS = "- {id: rope, name: RoPE, category: positional, year: 2021, introduced_in: bench2026}\n"


def _claim(value, **extra):
    return {"value": value, "source": "bench2026", "locator": "Table 1", "confidence": "high", **extra}


def synthetic_model(i: int) -> dict:
    """One model mapping with exactly 20 claims, varied so resolution has real work to do."""
    return {
        "id": f"m{i:07d}", "name": f"Model {i}", "organization": "benchlab", "release_date": "2025-01-01",
        "domain": "language", "accessibility": "open_weights", "primary_source": "bench2026",
        "claims": {
            "parameters": _claim(1e9 + i), "active_parameters": _claim(5e8 + i),
            "training_tokens": _claim(1e12 + i * 1e3), "gpu_hours": _claim(1e5 + i),
            "hardware": _claim("bench-gpu"), "hardware_count": _claim(1024),
            "training_days": _claim(30), "training_precision": _claim("bf16"),
            "context_length": _claim(8192), "attention": _claim("gqa"), "num_layers": _claim(32),
            "hidden_size": _claim(4096), "num_heads": _claim(32), "kv_heads": _claim(8),
            "vocab_size": _claim(128000), "positional": _claim("rope"), "activation": _claim("swiglu"),
            "norm": _claim("rmsnorm"), "norm_position": _claim("pre"), "tied_embeddings": _claim(False),
        },
        "innovations": [{"id": "rope", "source": "bench2026"}],
    }


def write_reference_files(root: Path) -> Path:
    datasets = root / "datasets"
    (datasets / "sources").mkdir(parents=True)
    (datasets / "models").mkdir()
    (datasets / "sources" / "bench.yaml").write_text(SOURCES)
    (datasets / "organizations.yaml").write_text(ORGS)
    (datasets / "hardware.yaml").write_text(HARDWARE)
    (datasets / "innovations.yaml").write_text(INNOVATIONS)
    return datasets


def run_build(n: int, tmp: Path) -> float:
    datasets = write_reference_files(tmp)
    bench_path = Path("bench.yaml")  # a name for problem reports; no file is read

    def documents(problems, refs):
        for i in range(n):
            entry = read_model(bench_path, synthetic_model(i), problems, refs)
            if entry is not None:
                yield entry

    start = time.perf_counter()
    # analysis=None: the issue times loading and resolution; the analysis has its own benchmark.
    report = build(datasets, f"sqlite:///{tmp / 'built.sqlite'}", model_documents=documents, analysis=None)
    elapsed = time.perf_counter() - start
    assert report.counts["model"] == n, report.counts
    assert report.counts["claim"] == n * 20 + 1 + 2 * n, report.counts  # + hardware claim + 2 derived
    return elapsed


def raw_rows(i: int):
    """The same model, claim and model_innovation rows the build writes, as plain tuples."""
    model = synthetic_model(i)
    mid = model["id"]
    model_row = (mid, model["name"], "benchlab", "2025-01-01", 2025, "language", "open_weights", "bench2026")
    claims = []
    for field, claim in model["claims"].items():
        value = claim["value"]
        num = float(value) if isinstance(value, (int, float)) else None
        txt = value if isinstance(value, str) else None
        claims.append(("model", mid, mid, None, field, num, txt, MODEL_FIELDS[field].unit, None, None,
                       "reported", "high", "unverified", "bench2026", "Table 1", None, "curated",
                       "bench.yaml:0", None, "normal", None))
    return model_row, claims, (mid, "rope", None, "bench2026")


def run_raw(n: int, tmp: Path) -> float:
    path = tmp / "raw.sqlite"
    db.upgrade(f"sqlite:///{path}")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("INSERT INTO source (id, kind, title, url) VALUES ('bench2026', 'dataset', 't', 'u')")
    conn.execute("INSERT INTO organization (id, name) VALUES ('benchlab', 'Bench Lab')")
    conn.execute("INSERT INTO innovation (id, name, category) VALUES ('rope', 'RoPE', 'positional')")
    start = time.perf_counter()
    chunk_models, chunk_claims, chunk_links, claim_id = [], [], [], 1
    for i in range(n):
        model_row, claims, link = raw_rows(i)
        chunk_models.append(model_row)
        chunk_links.append(link)
        for claim in claims:
            chunk_claims.append((claim_id, *claim))
            claim_id += 1
        if len(chunk_models) >= 5000:
            _flush(conn, chunk_models, chunk_claims, chunk_links)
    _flush(conn, chunk_models, chunk_claims, chunk_links)
    conn.commit()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def _flush(conn, models, claims, links):
    conn.executemany("INSERT INTO model (id, name, organization_id, release_date, release_year, domain, "
                     "accessibility, primary_source_id) VALUES (?,?,?,?,?,?,?,?)", models)
    conn.executemany("INSERT INTO claim (id, entity_type, entity_id, model_id, hardware_id, field, value_num, "
                     "value_text, unit, lower, upper, method, confidence, evidence, source_id, locator, quote, "
                     "origin, origin_ref, snapshot_id, rank, note) "
                     "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", claims)
    conn.executemany("INSERT INTO model_innovation (model_id, innovation_id, detail, source_id) "
                     "VALUES (?,?,?,?)", links)
    models.clear()
    claims.clear()
    links.clear()


def child(n: int, which: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        seconds = run_build(n, Path(tmp)) if which == "build" else run_raw(n, Path(tmp))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"models": n, "which": which, "seconds": seconds, "peak_rss_mib": peak_mib}


def default_catalog() -> dict:
    """`cegdb build` of this repository's datasets/ (curated + generated layer, analysis included),
    and the floor: the same rows of every content table written with raw sqlite3 executemany."""
    from catalog.build import CONTENT_TABLES

    datasets = Path(__file__).resolve().parent.parent / "datasets"
    with tempfile.TemporaryDirectory() as tmp:
        built = Path(tmp) / "cegdb.sqlite"
        start = time.perf_counter()
        report = build(datasets, f"sqlite:///{built}")
        seconds = time.perf_counter() - start
        source = sqlite3.connect(built)
        tables = {t: source.execute(f"SELECT * FROM {t}").fetchall() for t in reversed(CONTENT_TABLES)}
        source.close()
        floor = Path(tmp) / "raw.sqlite"
        db.upgrade(f"sqlite:///{floor}")
        start = time.perf_counter()
        conn = sqlite3.connect(floor)
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        for table, rows in tables.items():
            if rows:
                conn.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
        conn.commit()
        conn.close()
        raw = time.perf_counter() - start
    return {"models": report.counts.get("model"), "claims": report.counts.get("claim"),
            "seconds": seconds, "raw_seconds": raw}


def measure(n: int, which: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", which, "--models", str(n)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, action="append", help="catalog size (repeatable)")
    parser.add_argument("--child", choices=["build", "raw"], help=argparse.SUPPRESS)
    parser.add_argument("--default", action="store_true",
                        help="time the build of this repository's datasets/ (target: under 60 s)")
    args = parser.parse_args()
    if args.default:
        r = default_catalog()
        print(f"default catalog: {r['models']:,} models, {r['claims']:,} claims: build {r['seconds']:.1f} s "
              f"(analysis included; target < 60 s), raw executemany of the same rows {r['raw_seconds']:.2f} s, "
              f"ratio {r['seconds'] / r['raw_seconds']:.1f}x")
        return
    sizes = args.models or [10_000, 100_000]
    if args.child:
        print(json.dumps(child(sizes[0], args.child)))
        return
    print(f"{'models':>8} {'claims':>10} {'raw s':>8} {'build s':>8} {'ratio':>6} {'raw MiB':>8} {'build MiB':>9}")
    for n in sizes:
        raw, built = measure(n, "raw"), measure(n, "build")
        print(f"{n:>8,} {n * 20:>10,} {raw['seconds']:>8.2f} {built['seconds']:>8.2f} "
              f"{built['seconds'] / raw['seconds']:>6.2f} {raw['peak_rss_mib']:>8.0f} {built['peak_rss_mib']:>9.0f}")


if __name__ == "__main__":
    main()
