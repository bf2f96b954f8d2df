"""How close does `cegdb scrape hf` come to the network floor?

1,000 Hugging Face repositories are served by a local HTTP server on 127.0.0.1 that waits 50 ms
before every answer (API JSON, config.json, README.md: three requests per repository, plus one
robots.txt). The real scrape path (scrapers.pipeline.run with the polite client: cache, snapshot
store, robots.txt, per-host limit; parse, validate and store one transaction per repository,
resolution at the end) runs against it into a freshly built catalog, timed against the floor in
the same run:

    floor = requests x latency / allowed concurrency

where the allowed concurrency is what the client permits for that host (its connection cap, or
the worker count if lower). Parser throughput (config.json files per second through
parse_hf_config) is measured on the same 1,000 configs.

    python benchmarks/scrape_throughput.py                       # 1,000 repos, 50 ms
    python benchmarks/scrape_throughput.py --repos 200 --latency 0.02

Target (issue 3): wall time within 1.3x of the floor. The server stops by itself after
--max-seconds even if the scrape hangs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog import db  # noqa: E402
from cegdb.pipeline import build  # noqa: E402
from scrapers import pipeline  # noqa: E402
from scrapers.http import HostLimiter, PoliteClient  # noqa: E402
from scrapers.parsers.hf_config import parse_hf_config  # noqa: E402
from scrapers.snapshots import SnapshotStore  # noqa: E402
from scrapers.sources import hf  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def config(i: int) -> bytes:
    """Llama-shaped configs of varied depth and width, so no two parse to the same counts."""
    layers, hidden = 8 + i % 24, 1024 + 256 * (i % 8)
    return json.dumps({
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": hidden,
        "intermediate_size": hidden * 4, "num_hidden_layers": layers, "num_attention_heads": hidden // 128,
        "num_key_value_heads": 8, "hidden_act": "silu", "max_position_embeddings": 8192,
        "rms_norm_eps": 1e-5, "rope_theta": 500000.0, "tie_word_embeddings": i % 2 == 0,
        "vocab_size": 32000 + i, "torch_dtype": "bfloat16"}).encode()


def api(repo: str) -> bytes:
    return json.dumps({"id": repo, "author": repo.split("/")[0], "createdAt": "2025-01-01T00:00:00.000Z",
                       "lastModified": "2025-02-01T00:00:00.000Z", "downloads": 10, "likes": 1,
                       "pipeline_tag": "text-generation", "tags": ["license:apache-2.0"],
                       "cardData": {"license": "apache-2.0"}}).encode()


README = b"---\nlicense: apache-2.0\n---\n# A benchmark model\n\nNothing to read here.\n"


def serve(latency: float, max_seconds: float) -> tuple[ThreadingHTTPServer, int]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the Hub does
        # Headers and body go out in two writes; with Nagle on, the body waits for the client's
        # delayed ACK (40 ms on Linux) and the server, not the client, would be measured.
        disable_nagle_algorithm = True

        def do_GET(self):  # noqa: N802 - the stdlib's name
            time.sleep(latency)
            path = self.path
            if path == "/robots.txt":
                body, status = b"not found", 404
            elif path.startswith("/api/models/"):
                body, status = api(path[len("/api/models/"):]), 200
            elif path.endswith("/resolve/main/config.json"):
                body, status = config(int(path.split("/")[2].rsplit("-", 1)[1])), 200
            elif path.endswith("/resolve/main/README.md"):
                body, status = README, 200
            else:
                body, status = b"not found", 404
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Type", "application/json" if path.endswith("json") else "text/plain")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # Bounded: whatever happens to the scrape, the server goes away.
    watchdog = threading.Timer(max_seconds, server.shutdown)
    watchdog.daemon = True
    watchdog.start()
    return server, server.server_address[1]


def _time_resolution() -> list[float]:
    """Wrap the end-of-scrape resolution to report its share of the wall time."""
    spent = [0.0]
    original = pipeline.resolve_again

    def timed(conn):
        start = time.perf_counter()
        try:
            return original(conn)
        finally:
            spent[0] += time.perf_counter() - start

    pipeline.resolve_again = timed
    return spent


def parser_throughput(count: int) -> float:
    bodies = [config(i) for i in range(count)]
    start = time.perf_counter()
    rounds = 0
    while time.perf_counter() - start < 1.0 or rounds < 3:
        for i, body in enumerate(bodies):
            parse_hf_config(body, f"config-{i}.json")
        rounds += 1
    return rounds * count / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.050, help="seconds the server waits per request")
    parser.add_argument("--workers", type=int, default=pipeline.DEFAULT_WORKERS)
    parser.add_argument("--max-seconds", type=float, default=600.0, help="the server stops after this")
    args = parser.parse_args()

    server, port = serve(args.latency, args.max_seconds)
    base = f"http://127.0.0.1:{port}"
    os.environ["HF_ENDPOINT"] = base
    repos = [f"bench/model-{i:05d}" for i in range(args.repos)]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        build(REPO / "datasets", url, analysis=None, fts=False)
        limiter = HostLimiter()
        concurrency = min(args.workers, limiter.limit_for("127.0.0.1").connections)
        requests = 3 * args.repos + 1  # API, config.json, README.md per repo; robots.txt once
        floor = requests * args.latency / concurrency
        resolution = _time_resolution()
        engine = db.make_engine(url)
        try:
            with engine.connect() as conn, PoliteClient(SnapshotStore(Path(tmp) / "snapshots"), limiter=limiter) as client:
                start = time.perf_counter()
                summary = pipeline.run([hf.task(r, base) for r in repos], client, origin=hf.ORIGIN, conn=conn,
                                       workers=args.workers)
                wall = time.perf_counter() - start
        finally:
            engine.dispose()
            server.shutdown()
    configs_per_s = parser_throughput(args.repos)
    ratio = wall / floor
    print(json.dumps({
        "repos": args.repos, "requests": requests, "latency_s": args.latency, "allowed_concurrency": concurrency,
        "floor_s": round(floor, 2), "wall_s": round(wall, 2), "ratio_to_floor": round(ratio, 3),
        "target_ratio": 1.3, "within_target": ratio <= 1.3, "items_stored": summary.items_stored,
        "items_failed": len(summary.failures), "claims_new": summary.claims_new,
        "resolution_s": round(resolution[0], 2), "repos_per_s": round(args.repos / wall, 1),
        "parser_configs_per_s": round(configs_per_s),
    }, indent=2))
    if summary.failures:
        print(f"failures: {summary.failures[:3]}", file=sys.stderr)
    return 0 if summary.items_stored == args.repos else 1


if __name__ == "__main__":
    sys.exit(main())
