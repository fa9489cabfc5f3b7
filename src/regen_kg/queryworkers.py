"""SPARQL workers started once per server, each with its own read-only handle on the saved store.

The endpoint runs each query outside the server's process, so that a query past its time limit
can be killed. Over the on-disk store the workers are spawned (a fresh interpreter), not forked:
the server has the store open, and a thread of RocksDB holding a lock at the moment of a fork
would leave a forked child waiting on it for ever. A worker is started when a query finds none
idle, answers queries one at a time until the server stops, and is replaced when killed.
"""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.connection import Connection
from typing import Any

#: a query for a worker: its text, its form (SELECT, ASK, CONSTRUCT, DESCRIBE), the output
#: format and the row limit
Request = tuple[str, str, str, int]
#: a worker's answer: an HTTP status and the body
Reply = tuple[int, bytes]

#: seconds a new worker may take to start (interpreter, imports, opening the store); not counted
#: against the query's own time limit
START_TIMEOUT = 60.0
_READY = "ready"


class WorkerFailed(Exception):
    """A worker stopped or could not start."""


class _Worker:
    """One spawned process answering requests over a pipe."""

    def __init__(self, context: Any, path: str) -> None:
        self.conn, theirs = context.Pipe(duplex=True)
        self.process = context.Process(target=serve_requests, args=(path, theirs), daemon=True)
        self.process.start()
        theirs.close()
        self.ready = False

    def ask(self, request: Request, timeout: float) -> Reply | None:
        """The worker's reply, or None if it did not come within ``timeout`` seconds."""
        if not self.ready:
            if not self.conn.poll(START_TIMEOUT) or self.conn.recv() != _READY:
                raise WorkerFailed(f"a query worker did not start within {START_TIMEOUT:g} s")
            self.ready = True
        self.conn.send(request)
        if not self.conn.poll(timeout):
            return None
        reply: Reply = self.conn.recv()
        return reply

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """Spawned workers over the on-disk store at ``path``. At most as many run at once as the
    callers ask at once (the endpoint bounds that with its own limit)."""

    def __init__(self, path: str) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._path = path
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self.started = 0  # workers started so far: one per query at once, plus replacements

    def run(self, request: Request, timeout: float) -> Reply | None:
        """The reply to ``request``; None when it took longer than ``timeout`` seconds (the
        worker is then killed, and a new one started for the next query)."""
        with self._lock:
            worker = self._idle.pop() if self._idle else None
            if worker is None:
                worker = _Worker(self._context, self._path)
                self.started += 1
        try:
            reply = worker.ask(request, timeout)
        except (EOFError, OSError) as exc:
            worker.stop()
            raise WorkerFailed("the query worker stopped without an answer") from exc
        except BaseException:
            worker.stop()
            raise
        if reply is None:
            worker.stop()
            return None
        with self._lock:
            self._idle.append(worker)
        return reply

    def close(self) -> None:
        """Stop every idle worker (busy ones stop with the server: they are daemons)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()


def serve_requests(path: str, conn: Connection) -> None:
    """A worker's life: open the store read-only, then answer requests until the pipe closes."""
    from regen_kg.endpoint import answer
    from regen_kg.oxstore import OxigraphStore

    store = OxigraphStore(path, read_only=True)
    conn.send(_READY)
    while True:
        try:
            text, form, fmt, max_rows = conn.recv()
        except (EOFError, OSError):  # the server stopped
            return
        conn.send(answer(store, text, form, fmt, max_rows))


__all__ = ["Reply", "Request", "WorkerFailed", "WorkerPool", "serve_requests"]
