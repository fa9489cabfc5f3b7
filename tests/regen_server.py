"""Start ``regen-kg serve`` on a free loopback port for the tests; stop it afterwards."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from .oxigraph_server import free_port


@contextlib.contextmanager
def regen_server(root: Path, *args: str) -> Iterator[str]:
    port = free_port()
    log = open(root / f".serve-{port}.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "regen_kg.cli", "--root", str(root), "serve", "--port", str(port), *args],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log_text = (root / f".serve-{port}.log").read_text()
                    raise RuntimeError("regen-kg serve did not start: " + log_text) from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        (root / f".serve-{port}.log").unlink(missing_ok=True)
