"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes | str, *, durable: bool = True) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place.

    ``durable=False`` skips the fsync: for cache entries, which can be recomputed after a crash.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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

    def put(self, name: str, data: bytes) -> str:
        """Write ``data`` as ``name`` (durably); return its SHA-256 in hex."""
        write_atomic(self.folder / name, data)
        return hashlib.sha256(data).hexdigest()

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
