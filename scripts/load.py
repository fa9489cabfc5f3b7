"""Load benchmark: concurrent clients send stored queries to 'regen-kg serve' on loopback.

After one warm-up pass over the stored queries, prints throughput, p50/p99 latency and the error
count (which should be zero). Bounded in count
and time; sends traffic to 127.0.0.1 only. A benchmark, not a test: it asserts nothing about time.
Usage: python scripts/load.py [--clients 50] [--seconds 60]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from regen_kg.paths import project_paths  # noqa: E402
from regen_kg.queries import bind, load_catalogue  # noqa: E402


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests")
    args = parser.parse_args()

    texts = [bind(q) for q in load_catalogue(project_paths(ROOT)).values()]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "regen_kg.cli", "--root", str(ROOT), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/sparql"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        # warm-up: each stored query once, so the run measures the steady state
        for text in texts:
            with urllib.request.urlopen(base + "?" + urllib.parse.urlencode({"query": text}), timeout=60) as response:
                response.read()
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop = time.monotonic() + args.seconds
        sent = [0]

        def client(index: int) -> None:
            i = index
            while time.monotonic() < stop:
                with lock:
                    if sent[0] >= args.max_requests:
                        return
                    sent[0] += 1
                text = texts[i % len(texts)]
                i += 1
                url = base + "?" + urllib.parse.urlencode({"query": text})
                start = time.monotonic()
                try:
                    with urllib.request.urlopen(url, timeout=60) as response:
                        response.read()
                    with lock:
                        latencies.append(time.monotonic() - start)
                except Exception as exc:
                    with lock:
                        errors.append(str(exc))

        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(10)
    done = len(latencies)
    ordered = sorted(latencies) or [0.0]
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    print(f"clients: {args.clients}, duration: {elapsed:.1f} s, stored queries: {len(texts)}")
    print(f"requests: {done + len(errors)}, ok: {done}, errors: {len(errors)}")
    print(f"throughput: {done / elapsed:.1f} queries/s")
    print(f"latency p50: {statistics.median(ordered) * 1000:.1f} ms, p99: {p99 * 1000:.1f} ms")
    for message in sorted(set(errors))[:5]:
        print(f"  error: {message}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
