"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

#: text is encoded and written this many characters at a time, so that a large output never
#: exists twice in memory (as text and as bytes)
_CHUNK = 1 << 24


#: what can be written: bytes, text, or text given a piece at a time (never joined into one)
Data = bytes | str | Iterable[str]


def _encoded(data: Data) -> Iterator[bytes]:
    if isinstance(data, bytes):
        yield data
    elif isinstance(data, str):
        yield from (data[i : i + _CHUNK].encode("utf-8") for i in range(0, len(data), _CHUNK))
    else:
        for piece in data:
            yield from _encoded(piece)


def write_atomic(path: Path, data: Data, *, durable: bool = True) -> str:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place; return the
    SHA-256 of the bytes written, in hex.

    Text is written as UTF-8, a chunk (or a given piece) at a time. ``durable=False`` skips the
    fsync: for cache entries, which can be recomputed after a crash.
    """
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except FileNotFoundError:  # the folder is made only when missing: the cache writes thousands
        path.parent.mkdir(parents=True, exist_ok=True)  # of entries into a few hundred folders
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    digest = hashlib.sha256()
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as handle:
            for chunk in _encoded(data):
                digest.update(chunk)
                handle.write(chunk)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest.hexdigest()


class Staging:
    """Output files written into a hidden folder inside ``out_dir``, then moved into place together.

    Each file is on disk (and out of memory) as soon as it is made; nothing reaches ``out_dir``
    until :meth:`commit`, and :meth:`abort` leaves ``out_dir`` as it was.
    """

    def __init__(self, out_dir: Path) -> None:
        self._made = not out_dir.exists()  # a folder made here goes again on abort
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        self.folder = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))

    def put(self, name: str, data: Data) -> str:
        """Write ``data`` as ``name`` (durably, text as UTF-8); return its SHA-256 in hex."""
        return write_atomic(self.folder / name, data)

    def commit(self) -> list[Path]:
        """Move every staged file into ``out_dir`` (each rename is atomic); return their paths."""
        written = []
        for staged in sorted(self.folder.iterdir()):
            target = self.out_dir / staged.name
            os.replace(staged, target)
            written.append(target)
        self.folder.rmdir()
        return written

    def abort(self) -> None:
        """Drop whatever was staged (nothing if already committed)."""
        if not self.folder.exists():
            return
        shutil.rmtree(self.folder, ignore_errors=True)
        if self._made and not any(self.out_dir.iterdir()):
            self.out_dir.rmdir()
