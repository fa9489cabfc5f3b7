"""Run a function in a forked child process and take its (pickled) result back.

The build uses this to check and write the asserted outputs on one core while the other reasons:
the child inherits the loaded graphs by ``fork`` (nothing is copied up front), and only its small
result travels back through a pipe.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    """True where child processes can be started by ``fork`` (Linux, not Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


class ChildFailed(Exception):
    """The child raised or died; ``detail`` is its traceback (or why it gave none)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Forked(Generic[T]):
    """``fn()`` started at once in a forked child; :meth:`result` waits for its value."""

    def __init__(self, fn: Callable[[], T]) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_run_child, args=(fn, send), daemon=True)
        self._process.start()
        send.close()

    def result(self) -> T:
        """The child's return value; raises ChildFailed if it raised or died."""
        try:
            status, payload = self._receive.recv()
        except EOFError:
            status, payload = "error", "the child process ended without an answer"
        finally:
            self._receive.close()
            self._process.join()
        if status != "ok":
            raise ChildFailed(payload)
        return payload  # type: ignore[no-any-return]


def _run_child(fn: Callable[[], object], send: Connection) -> None:
    try:
        answer: tuple[str, object] = ("ok", fn())
    except BaseException:  # everything goes back to the parent, which decides
        answer = ("error", traceback.format_exc())
    try:
        send.send(answer)
    except Exception:  # an unpicklable result
        send.send(("error", traceback.format_exc()))
    finally:
        send.close()
