"""A content-addressed build cache: what a build computed, kept under the hashes of its inputs.

A record is read and converted once per content; the OWL 2 RL tables are compiled once per
ontology. Every key includes :func:`program_key` (this package's own source) and the inputs the
value depends on, so an edit to the program, the ontology or the vocabularies makes every older
entry unreachable; nothing is ever invalidated by date. Entries are written atomically, and an
unreadable entry is treated as missing.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from regen_kg.fileio import write_atomic

#: Where a project keeps its cache, relative to its root (ignored by git).
CACHE_FOLDER = Path(".cache") / "regen-kg"


def digest(*parts: bytes | str) -> str:
    """SHA-256 over ``parts``, each length-prefixed so that no two part lists collide."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def files_key(files: Iterable[Path]) -> str:
    """A hash of the names and contents of ``files``."""
    parts: list[bytes | str] = []
    for path in sorted(files):
        parts += [str(path), path.read_bytes()]
    return digest(*parts)


def graph_key(graph: Graph) -> str:
    """A content hash of ``graph``: sorted N-Triples, blank nodes relabelled canonically first."""
    triples: Iterable[tuple[Node, Node, Node]] = graph
    if any(isinstance(t, BNode) for triple in graph for t in triple):
        triples = to_canonical_graph(graph)
    lines = sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in triples)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@cache
def program_key() -> str:
    """A hash of this package's Python sources: a new program version never reads old entries."""
    package = Path(__file__).resolve().parent
    return files_key(package.rglob("*.py"))


class BuildCache:
    """Pickled values in ``folder/<kind>/<key>``; ``get`` gives None for a missing or broken entry."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits: Counter[str] = Counter()  # by kind
        self.misses: Counter[str] = Counter()

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / key[:2] / key

    def get(self, kind: str, key: str) -> Any | None:
        try:
            data = self._path(kind, key).read_bytes()
            value = pickle.loads(data)  # our own files, written by put() below
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            self.misses[kind] += 1
            return None
        self.hits[kind] += 1
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        write_atomic(self._path(kind, key), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), durable=False)


def project_cache(root: Path) -> BuildCache:
    """The cache of the project at ``root``."""
    return BuildCache(root / CACHE_FOLDER)
