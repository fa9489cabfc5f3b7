"""The graph of the last query's build, kept in an on-disk Oxigraph store for the next query.

``regen-kg query --store oxigraph`` used to load, validate and reason the whole project before
each query (about a minute and a half at 10,000 studies). The built graph is a function of the
project's inputs, so it is kept on disk under a key of those inputs (``inputs_key``) and opened
read-only while they stay the same; a query then costs hashing the input files and evaluating.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from regen_kg.cache import CACHE_FOLDER, digest, files_key, program_key
from regen_kg.oxstore import OxigraphStore, load_triples
from regen_kg.paths import ProjectPaths

if TYPE_CHECKING:
    from regen_kg.build import Built

#: Where the store is kept, relative to the project root: one folder named by the inputs key.
STORE_FOLDER = CACHE_FOLDER / "query-store"


def inputs_key(paths: ProjectPaths) -> str:
    """A key of everything the built graph is made from: the program, the ontology, the shapes,
    the term table, the mappings, the query catalogue and every record (names and bytes)."""
    files = [*paths.ontology_files(), *paths.shape_files(), paths.external_terms]
    files += sorted((paths.data / "mappings").glob("*"))
    files += sorted(paths.queries.glob("*.rq"))
    files += paths.record_files()
    return digest(program_key(), files_key(p for p in files if p.is_file()))


def saved_store(paths: ProjectPaths, make: Callable[[], Built]) -> OxigraphStore:
    """The built graph (inferences and query catalogue included) in an on-disk Oxigraph store,
    opened read-only; ``make`` builds it when no store of the current inputs exists.

    A new store is written beside the old ones under a temporary name and renamed into place
    when complete, so a reader never sees half a store; stores of other inputs are then removed.
    """
    folder = paths.root / STORE_FOLDER
    key = inputs_key(paths)
    target = folder / key
    if not target.is_dir():
        built = make()  # raises on input errors, violations and inconsistencies, as a build does
        folder.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(prefix=".new-", dir=folder))
        try:
            store = ox.Store(str(fresh / "store"))
            for name, graph in built.graphs(queries=True).items():
                load_triples(store, graph, name, bulk=True)  # no one reads it until renamed
            store.flush()
            store.optimize()
            del store  # closes the store before it is renamed
            try:
                fresh.rename(target)
            except OSError:  # another query made the same store meanwhile: keep theirs
                if not target.is_dir():
                    raise
        finally:
            shutil.rmtree(fresh, ignore_errors=True)
        _remove_others(folder, keep=key)
    return OxigraphStore.read_only(str(target / "store"))


def _remove_others(folder: Path, *, keep: str) -> None:
    """Remove the stores of earlier inputs (a reader that still has one open keeps reading it:
    its files stay until closed), and temporary folders left by interrupted queries."""
    for entry in folder.iterdir():
        if entry.name == keep:
            continue
        if entry.name.startswith(".new-") and _owner_alive(entry):
            continue
        shutil.rmtree(entry, ignore_errors=True)


def _owner_alive(entry: Path) -> bool:
    """Whether a temporary folder may still be being written: made in the last hour."""
    try:
        return time.time() - entry.stat().st_mtime < 3600
    except OSError:
        return False
