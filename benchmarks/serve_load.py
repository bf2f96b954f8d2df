"""Throughput of a real `datasette serve` of the catalog under abusive clients (issue 10).

Builds the catalog from datasets/ (no analysis), serves it exactly as `cegdb serve` does (same
arguments, immutable, the cegdb plugin), and runs phases of `--seconds` each, alternating:

* clean:   20 normal clients (table pages, model pages, JSON, a small SQL query), one request at a time;
* abusive: the same 20 plus 2 clients sending failing or expensive requests back to back
           (`sql=delete from model`, `?_sort=nope`, a POST, printf('%.*c', 999999999, 'x'),
           randomblob(300000000), an unknown table), and since issue 18 the printf variants (a text
           or float precision, a BLOB format) and the log flood (a ~100 kB `_search`,
           `name__exact` or `_where`, sent over a raw socket since httpx caps URLs at 64 KiB).

It prints the normal clients' requests per second in each phase, their errors, the ratio
abusive / clean and the server log's growth per minute per abusive client. Targets: ratio >= 0.80,
0 errors for normal clients, log growth under 1 MB per minute per abusive client (before the
fixes of issue 10: 39.6 -> 2.9 requests/s, 7%). No assertion: the numbers depend on the machine.

    python benchmarks/serve_load.py [--seconds 8] [--rounds 2] [--code-root PATH]

`--code-root` serves with another checkout's plugin (e.g. the main branch, for a before/after).
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publish import serving  # noqa: E402
from cegdb.pipeline import build  # noqa: E402

NORMAL_CLIENTS = 20
ABUSIVE_CLIENTS = 2


def normal_paths(db: str, model_ids: list[str]) -> list[str]:
    paths = [f"/{db}/model?_size=20", f"/{db}/model.json?_size=50", f"/{db}/source.json?_size=20",
             f"/{db}.json?sql=select+count(*)+from+claim", "/"]
    paths += [f"/{db}/model/{m}.json" for m in model_ids[:5]]
    return paths


LONG = "x" * 100_001  # past SQLite's 100 kB length limit on served connections


def abusive_requests(db: str) -> list[tuple[str, str]]:
    return [("GET", f"/{db}.json?sql=delete+from+model"), ("GET", f"/{db}/model?_sort=nope"),
            ("POST", f"/{db}/model"),
            ("GET", f"/{db}.json?sql=select+printf('%25.*c',+999999999,+'x')"),
            ("GET", f"/{db}.json?sql=select+randomblob(300000000)"),
            ("GET", f"/{db}.json?sql=select+*+from+no_such_table"),
            # issue 18: printf with a text or float precision or a BLOB format (9 to 22 s each before)
            ("GET", f"/{db}.json?sql=select+printf('%25.*c',+'2147483647',+'x')"),
            ("GET", f"/{db}.json?sql=select+printf('%25.*c',+999999999.0,+'x')"),
            ("GET", f"/{db}.json?sql=select+printf(x'252e2a63',+999999999,+'x')"),
            # issue 18: the log flood (a 500 with 203 kB of log each before)
            ("RAW", f"/{db}/model.json?_search={LONG}"),
            ("RAW", f"/{db}/model.json?name__exact={LONG}"),
            ("RAW", f"/{db}/model.json?_where=name+%3D+'{LONG}'")]


def raw_get(base: str, path: str) -> None:
    """A GET over a plain socket: httpx refuses URLs over 64 KiB before sending them."""
    host, port = base.rsplit("/", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        while sock.recv(65536):
            pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _normal_clients(base: str, paths: list[str], stop_at: float, out) -> None:
    """20 threads in one process; writes (requests done, errors) to `out`."""
    done, errors = [0] * NORMAL_CLIENTS, [0] * NORMAL_CLIENTS

    def client(i: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            for path in itertools.islice(itertools.cycle(paths), i, None):
                if time.time() >= stop_at:
                    return
                try:
                    ok = http.get(path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                if time.time() <= stop_at:
                    done[i] += ok
                    errors[i] += not ok

    threads = [threading.Thread(target=client, args=(i,)) for i in range(NORMAL_CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((sum(done), sum(errors)))


def _abusive_clients(base: str, abusive: list[tuple[str, str]], stop_at: float, out) -> None:
    sent = [0] * ABUSIVE_CLIENTS

    def client(i: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            for method, path in itertools.islice(itertools.cycle(abusive), i, None):
                if time.time() >= stop_at:
                    return
                try:
                    if method == "RAW":
                        raw_get(base, path)
                    else:
                        http.request(method, path)
                except (httpx.HTTPError, OSError):
                    pass
                sent[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(ABUSIVE_CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(sum(sent))


def run_phase(base: str, paths: list[str], abusive: list[tuple[str, str]] | None,
              seconds: float) -> tuple[int, int, int]:
    """Normal and abusive clients in separate processes, as they would be separate machines: in
    one process the abusive threads' client-side work would slow the normal threads (one GIL)."""
    context = multiprocessing.get_context("fork")
    normal_out, abusive_out = context.Queue(), context.Queue()
    stop_at = time.time() + seconds
    processes = [context.Process(target=_normal_clients, args=(base, paths, stop_at, normal_out))]
    if abusive:
        processes.append(context.Process(target=_abusive_clients, args=(base, abusive, stop_at, abusive_out)))
    for p in processes:
        p.start()
    count, errors = normal_out.get()
    bad = abusive_out.get() if abusive else 0
    for p in processes:
        p.join()
    return count, errors, bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--code-root", type=Path, default=ROOT, help="checkout whose plugin serves")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "cegdb.sqlite"
        build(ROOT / "datasets", f"sqlite:///{db_path}", analysis=None)
        meta = serving.write_metadata(Path(tmp) / "metadata.json", database="cegdb")
        port = free_port()
        server_args = serving.datasette_args(db_path, meta, None, "127.0.0.1", port)
        log = open(Path(tmp) / "server.log", "w")
        env = {**os.environ, "PYTHONPATH": str(args.code_root)}
        server = subprocess.Popen(server_args, cwd=args.code_root, stdout=log, stderr=subprocess.STDOUT, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/-/versions.json", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start; see " + log.name)
                time.sleep(0.2)
            import sqlite3

            conn = sqlite3.connect(db_path)
            model_ids = [r[0] for r in conn.execute("select id from model order by id limit 5")]
            conn.close()
            paths = normal_paths("cegdb", model_ids)
            abusive = abusive_requests("cegdb")
            run_phase(base, paths, None, 2.0)  # warm-up
            totals = {"clean": [0, 0], "abusive": [0, 0]}
            for round_ in range(args.rounds):
                for name in ("clean", "abusive"):
                    count, errors, bad = run_phase(base, paths, abusive if name == "abusive" else None,
                                                   args.seconds)
                    totals[name][0] += count
                    totals[name][1] += errors
                    print(f"round {round_ + 1} {name:8s}: {count / args.seconds:7.1f} requests/s, "
                          f"{errors} errors (normal clients); abusive {bad / args.seconds:6.1f} requests/s",
                          flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
        log_bytes = (Path(tmp) / "server.log").stat().st_size
    clean = totals["clean"][0] / (args.seconds * args.rounds)
    abusive_rate = totals["abusive"][0] / (args.seconds * args.rounds)
    abusive_minutes = args.seconds * args.rounds / 60
    per_client = log_bytes / abusive_minutes / ABUSIVE_CLIENTS / 1024**2
    print(f"normal throughput: clean {clean:.1f}/s, with {ABUSIVE_CLIENTS} abusive clients {abusive_rate:.1f}/s, "
          f"ratio {abusive_rate / clean:.2f} (target >= 0.80); normal-client errors "
          f"{totals['clean'][1] + totals['abusive'][1]} (target 0); server log {log_bytes / 1024:.0f} KiB, "
          f"{per_client:.2f} MB per minute per abusive client (target < 1)")


if __name__ == "__main__":
    main()
