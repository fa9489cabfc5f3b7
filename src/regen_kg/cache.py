"""A content-addressed build cache: what a build computed, kept under the hashes of its inputs.

A record is read and converted once per content; the OWL 2 RL tables are compiled once per
ontology. Every key includes :func:`program_key` (this package's own source) and the inputs the
value depends on, so an edit to the program, the ontology or the vocabularies makes every older
entry unreachable; nothing is ever invalidated by date. Entries are written atomically, and an
unreadable entry is treated as missing.

Values made one per record are kept in buckets (:meth:`BuildCache.get_many`,
:meth:`BuildCache.put_many`): one file per first two hex digits of the key, so a build of
10,000 records writes a few hundred files instead of 20,000, and an edit rewrites one bucket.
"""

from __future__ import annotations

import copyreg
import datetime
import decimal
import hashlib
import io
import pickle
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from regen_kg.fileio import write_atomic
from regen_kg.prefixes import shared_iri

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


#: the libraries whose version can change what is built from the same inputs (parsing, reasoning,
#: validation, serialization and query answers)
KEYED_LIBRARIES = ("rdflib", "pyoxigraph", "owlrl", "pyshacl", "PyYAML", "PyLD", "curies")


@cache
def program_key() -> str:
    """A hash of this package's Python sources, of the prefix table it reads from the checkout
    (``prefixes.prefix_table_file``) and of the versions of the libraries that shape its results:
    a new program version, or an upgraded library, never reads old entries."""
    from importlib.metadata import PackageNotFoundError, version

    from regen_kg.prefixes import prefix_table_file

    package = Path(__file__).resolve().parent
    table = prefix_table_file()
    versions = []
    for name in KEYED_LIBRARIES:
        try:
            versions.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            versions.append(f"{name} not installed")
    return digest(files_key([*package.rglob("*.py"), *([table] if table.is_file() else [])]), *versions)


#: errors that make a stored pickle unreadable: it is then treated as missing
UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError)


class BuildCache:
    """Pickled values in ``folder/<kind>/<key>``, or in buckets ``folder/<kind>/<key[:2]>.bucket``
    (a pickled dict of key -> pickled value); a missing or broken entry reads as None (a miss)."""

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
        except UNREADABLE:
            self.misses[kind] += 1
            return None
        self.hits[kind] += 1
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        write_atomic(self._path(kind, key), dumps(value), durable=False)

    def _bucket_path(self, kind: str, bucket: str) -> Path:
        return self.folder / kind / f"{bucket}.bucket"

    def _read_bucket(self, kind: str, bucket: str) -> dict[str, bytes]:
        try:
            entries = pickle.loads(self._bucket_path(kind, bucket).read_bytes())
        except UNREADABLE:
            return {}
        return entries if isinstance(entries, dict) else {}

    def get_many(self, kind: str, keys: Iterable[str]) -> dict[str, Any]:
        """The values stored under ``keys`` (those found and readable), reading each bucket once."""
        wanted: dict[str, list[str]] = {}
        for key in keys:
            wanted.setdefault(key[:2], []).append(key)
        found: dict[str, Any] = {}
        for bucket, bucket_keys in wanted.items():
            entries = self._read_bucket(kind, bucket)
            for key in bucket_keys:
                try:
                    found[key] = pickle.loads(entries[key])
                except (KeyError, *UNREADABLE):
                    self.misses[kind] += 1
                else:
                    self.hits[kind] += 1
        return found

    def put_many(self, kind: str, values: Mapping[str, Any], keep: Collection[str] | None = None) -> None:
        """Store ``values`` by key, rewriting only the buckets they fall in. With ``keep`` (the keys
        the current build uses), the other entries of a rewritten bucket are dropped, so the cache
        does not grow with every edit."""
        new: dict[str, dict[str, bytes]] = {}
        for key, value in values.items():
            new.setdefault(key[:2], {})[key] = dumps(value)
        for bucket, entries in new.items():
            old = self._read_bucket(kind, bucket)
            kept = {k: v for k, v in old.items() if keep is None or k in keep}
            data = pickle.dumps(kept | entries, protocol=pickle.HIGHEST_PROTOCOL)
            write_atomic(self._bucket_path(kind, bucket), data, durable=False)


def _reduce_iri(iri: URIRef) -> tuple[Any, tuple[str]]:
    return shared_iri, (str(iri),)


#: the types of literal values kept as they are in the cache: read back without parsing the
#: lexical form again (other values, and literals of a subclass, are made by ``Literal`` anew)
_PLAIN_VALUES = (type(None), str, int, float, bool, decimal.Decimal, datetime.date, datetime.datetime)


def _reduce_literal(literal: Literal) -> tuple[Any, tuple[Any, ...]]:
    value = literal._value
    if type(literal) is not Literal or type(value) not in _PLAIN_VALUES:
        return literal.__reduce__()
    return _literal, (str(literal), literal._language, literal._datatype, value, literal._ill_typed)


#: the literals read back from the cache in this process, one object each (as ``shared_iri``)
_LITERALS: dict[tuple[str, str | None, URIRef | None, bool | None, type], Literal] = {}


def _literal(
    lexical: str, language: str | None, datatype: URIRef | None, value: Any, ill_typed: bool | None
) -> Literal:
    """A literal as it was pickled (``_reduce_literal``), one object per literal in the process.
    rdflib's constructor would parse the lexical form into its value again (about 5 µs a literal,
    half a million literals at 10,000 studies), and equal literals as distinct objects make sets
    and indexes call rdflib's ``__eq__``."""
    key = (lexical, language, datatype, ill_typed, type(value))  # all that rdflib keeps of it
    made = _LITERALS.get(key)
    if made is None:
        made = str.__new__(Literal, lexical)
        made._language = language
        made._datatype = datatype  # read back through shared_iri already
        made._value = value
        made._ill_typed = ill_typed
        _LITERALS[key] = made
    return made


_DISPATCH = copyreg.dispatch_table | {URIRef: _reduce_iri, Literal: _reduce_literal}


def dumps(value: Any) -> bytes:
    """``value`` pickled so that its IRIs are read back as shared objects (``prefixes.shared_iri``).

    Records read from the cache repeat the same predicates and classes millions of times; as
    one object each, the reasoner's and the stores' dictionary lookups find them by identity
    instead of calling rdflib's ``__eq__`` (about 9 million calls at 10,000 studies)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return buffer.getvalue()


def project_cache(root: Path) -> BuildCache:
    """The cache of the project at ``root``."""
    return BuildCache(root / CACHE_FOLDER)
