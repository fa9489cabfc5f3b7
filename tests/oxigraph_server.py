"""Start a real Oxigraph SPARQL server (PyPI package ``oxigraph``) on a free loopback port."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(found).exists():
        raise RuntimeError("the 'oxigraph' command is missing: install the test extras (pip install -e '.[test]')")
    return found


def wait_until_up(url: str, proc: subprocess.Popen[bytes], seconds: float) -> bool:
    """Poll ``url`` until it answers (True), or the process exits or time runs out (False)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.1)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextlib.contextmanager
def oxigraph(*, union_default_graph: bool = True) -> Iterator[str]:
    """Yield the base URL of an in-memory Oxigraph server; stop it afterwards."""
    port = free_port()
    args = [oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        args.append("--union-default-graph")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_up(f"{base}/query?query=ASK%7B%7D", proc, 30):
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"oxigraph did not start: {err}")
        yield base
    finally:
        stop(proc)


def load_nquads(base: str, data: bytes) -> None:
    request = urllib.request.Request(
        f"{base}/store", data=data, method="POST", headers={"Content-Type": "application/n-quads"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status in (200, 201, 204)
