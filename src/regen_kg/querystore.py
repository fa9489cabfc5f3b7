"""The graph of the last query's build, kept in an on-disk Oxigraph store for the next query.

``regen-kg query`` (on Oxigraph, its default) used to load, validate and reason the whole project before
each query (about a minute and a half at 10,000 studies). The built graph is a function of the
project's inputs, so it is kept on disk under a key of those inputs (``inputs_key``) and opened
read-only while they stay the same; a query then costs hashing the input files and evaluating.
After an edit of a few records the new store is the previous one patched (``storepatch``).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import IO, TYPE_CHECKING

import pyoxigraph as ox

from regen_kg.cache import CACHE_FOLDER, digest, files_key, program_key
from regen_kg.gcpause import paused_gc
from regen_kg.oxstore import OxigraphStore, load_triples
from regen_kg.paths import ProjectPaths
from regen_kg.storepatch import CONTENTS_FILE, Contents, changed_keys, contents_of, patch, read_contents, save_contents

if TYPE_CHECKING:
    from regen_kg.build import Built

fcntl: ModuleType | None
try:  # file locks; where there are none (Windows), stores in use may be removed
    import fcntl
except ImportError:  # pragma: no cover - not on Linux or macOS
    fcntl = None

#: Where the store is kept, relative to the project root: one folder named by the inputs key.
STORE_FOLDER = CACHE_FOLDER / "query-store"


def inputs_key(paths: ProjectPaths) -> str:
    """A key of everything the built graph is made from: the program, the ontology, the shapes,
    the term table, the mappings, the query catalogue and every record (names and bytes)."""
    files = [*paths.schema_files(), *sorted(paths.queries.glob("*.rq")), *paths.record_files()]
    return digest(program_key(), files_key(files))


def saved_store(paths: ProjectPaths, make: Callable[[], Built], *, key: str | None = None) -> OxigraphStore:
    """The built graph (inferences and query catalogue included) in an on-disk Oxigraph store,
    opened read-only; ``make`` builds it when no store of the current inputs exists. ``key`` is
    ``inputs_key(paths)`` where the caller has it already.

    A new store is written beside the old ones under a temporary name and renamed into place
    when complete, so a reader never sees half a store. Stores of other inputs are then removed,
    except those a running query is reading: each reader holds a shared lock on its store's
    folder until it exits.
    """
    folder = paths.root / STORE_FOLDER
    key = key or inputs_key(paths)
    target = folder / key
    for _attempt in range(3):
        if not target.is_dir():
            _make(folder, target, make)
        lock = _shared_lock(target)
        if lock is None:  # removed between the test and the lock, or left incomplete: make it again
            shutil.rmtree(target, ignore_errors=True)
            continue
        _remove_others(folder, keep=key)
        store = OxigraphStore(str(target / "store"), read_only=True)
        store.held = lock  # the lock lasts as long as the store object (in practice, the process)
        return store
    raise RuntimeError(f"{target} keeps disappearing: is another program removing {folder}?")


@paused_gc
def _make(folder: Path, target: Path, make: Callable[[], Built]) -> None:
    built = make()  # raises on input errors, violations and inconsistencies, as a build does
    folder.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=".new-", dir=folder))
    try:
        contents = contents_of(built)
        patches = None if contents is None else _patched(folder, fresh / "store", built, contents)
        if patches is None:
            store = ox.Store(str(fresh / "store"))
            for name, graph in built.graphs(queries=True).items():
                load_triples(store, graph, name, bulk=True)  # no one reads it until renamed
            store.flush()
            store.optimize()
            del store  # closes the store before it is renamed
        if contents is not None:
            save_contents(fresh, replace(contents, patches=patches or 0))
        (fresh / LOCK_FILE).touch()
        try:
            fresh.rename(target)
        except OSError:  # another query made the same store meanwhile: keep theirs
            if not target.is_dir():
                raise
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def _patched(folder: Path, target: Path, built: Built, contents: Contents) -> int | None:
    """The patches the store of ``built`` holds when it was made at ``target`` by patching the
    latest earlier store (``storepatch.patch``); None, with nothing left at ``target``, when
    there is none to patch or too much changed."""
    for previous in _earlier(folder):
        lock = _shared_lock(previous)  # so that it is not removed while it is copied
        if lock is None:
            continue
        with lock:
            old = read_contents(previous)
            changed = None if old is None else changed_keys(old, contents)
            if old is None or changed is None:  # nothing to patch from, or too much changed
                return None
            try:
                return patch(ox.Store.read_only(str(previous / "store")), target, old, contents, changed, built)
            except OSError:  # the earlier store cannot be read or copied: write afresh
                shutil.rmtree(target, ignore_errors=True)
                return None
    return None


def _earlier(folder: Path) -> list[Path]:
    """The complete stores in ``folder`` that keep their contents, latest first."""
    found = []
    for entry in folder.iterdir():
        if entry.name.startswith("."):
            continue
        try:
            found.append((entry.joinpath(CONTENTS_FILE).stat().st_mtime, entry))
        except OSError:
            continue
    return [entry for _mtime, entry in sorted(found, reverse=True)]


#: the file in each store's folder that readers lock (shared) and the remover locks (exclusive)
LOCK_FILE = "lock"


def _shared_lock(target: Path) -> IO[bytes] | None:
    """A shared lock on ``target``'s lock file, or None if the store is gone."""
    try:
        handle = (target / LOCK_FILE).open("rb")
    except FileNotFoundError:
        return None
    if fcntl is not None:
        fcntl.flock(handle, fcntl.LOCK_SH)
    if not (target / "store").is_dir():  # removed while we waited for the lock
        handle.close()
        return None
    return handle


def _remove_others(folder: Path, *, keep: str) -> None:
    """Remove the stores of earlier inputs that no query is reading, and temporary folders left
    by interrupted queries."""
    for entry in folder.iterdir():
        if entry.name == keep:
            continue
        if entry.name.startswith(".new-"):
            if not _owner_alive(entry):
                shutil.rmtree(entry, ignore_errors=True)
            continue
        try:
            handle = (entry / LOCK_FILE).open("rb")
        except OSError:  # no lock file: not a store of ours, or half removed
            shutil.rmtree(entry, ignore_errors=True)
            continue
        with handle:
            if fcntl is not None:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:  # a query is reading it: the next cleaning removes it
                    continue
            shutil.rmtree(entry / "store", ignore_errors=True)  # readers test for it under the lock
            shutil.rmtree(entry, ignore_errors=True)


def _owner_alive(entry: Path) -> bool:
    """Whether a temporary folder may still be being written: made in the last hour."""
    try:
        return time.time() - entry.stat().st_mtime < 3600
    except OSError:
        return False
