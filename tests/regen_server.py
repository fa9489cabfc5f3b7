"""Start ``regen-kg serve`` on a free loopback port for the tests; stop it afterwards."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from .oxigraph_server import free_port, stop, wait_until_up


@contextlib.contextmanager
def regen_server(root: Path, *args: str, output: list[str] | None = None) -> Iterator[str]:
    """The server's base URL; ``output`` receives what it printed, once it has stopped."""
    port = free_port()
    log = open(root / f".serve-{port}.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "regen_kg.cli", "--root", str(root), "serve", "--port", str(port), *args],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_up(f"{base}/", proc, 120):
            raise RuntimeError("regen-kg serve did not start: " + (root / f".serve-{port}.log").read_text())
        yield base
    finally:
        stop(proc)
        log.close()
        if output is not None:
            output.append((root / f".serve-{port}.log").read_text())
        (root / f".serve-{port}.log").unlink(missing_ok=True)
