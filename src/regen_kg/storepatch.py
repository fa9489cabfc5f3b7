"""The saved graph of new inputs made by patching the previous one, when few records changed.

After an edit, ``query`` (on Oxigraph) and ``serve`` need the saved graph (``querystore``) of
the new inputs. Writing it afresh means 2 million quads through Oxigraph's bulk loader and a
compaction: about 20 s at 10,000 studies. When the previous store was made by the same program
and few records changed, the new store is a checkpoint of the previous one (hard links, a few
milliseconds) with the differences applied:

- the data graph: every triple about a subject that a changed record states (before or after
  the edit) is removed, and the new graph's triples about those subjects added. Every other
  triple of the data graph comes from unchanged records, so it is the same in both;
- the inferred graph: the previous inferred triples, kept beside the store, against the new
  ones;
- the small graphs (the ontology with the labels of the external terms used, the mappings, the
  query catalogue) written anew.

A patch leaves new files beside the compacted ones, and queries read more of them: measured at
1,000 studies, stored queries evaluate 20-40% slower on a patched store than on the same store
written afresh, however many patches follow (RocksDB compacts some files itself). Every
``COMPACT_AFTER``-th patch in a row therefore compacts the store (about 5 s at 10,000 studies), so
that a store in long use does not stay slower.

What is kept beside each store for the next patch is its :class:`Contents`.
tests/test_storepatch.py proves that a patched store holds the same quads as one written afresh.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Literal
from rdflib.term import Node

from regen_kg.cache import UNREADABLE, dumps, program_key
from regen_kg.fileio import write_atomic
from regen_kg.oxstore import TermConverter, load_triples
from regen_kg.store import DATA_GRAPH, INFERRED_GRAPH

if TYPE_CHECKING:
    from regen_kg.build import Built

Triple = tuple[Node, Node, Node]

#: the file in a store's folder holding its :class:`Contents`
CONTENTS_FILE = "contents.pickle"
#: more changed records than this (counting each edit as one gone and one new version), and the
#: store is written afresh
MAX_CHANGED = 400
#: a store patched this many times since it was last written afresh or compacted is compacted
COMPACT_AFTER = 8


@dataclass(frozen=True)
class Contents:
    """What a saved store was made from, as far as a later patch needs it."""

    #: the program that made it (``cache.program_key``): another program writes afresh
    program: str
    #: each record's content key, with the subjects of the triples it states
    subjects: dict[str, frozenset[Node]]
    #: the triples of the inferred graph
    inferred: frozenset[Triple]
    #: patches applied since the store was last written afresh or compacted
    patches: int = 0


def contents_of(built: Built) -> Contents | None:
    """The contents of a store of ``built``; None when its records have no content keys (a build
    without the cache), so that the next store is written afresh."""
    keys = built.loaded.part_keys
    if keys is None:
        return None
    subjects: dict[str, frozenset[Node]] = {
        key: frozenset(s for s, _p, _o in part) for key, part in zip(keys, built.loaded.parts, strict=True)
    }
    return Contents(program_key(), subjects, frozenset(built.inferred))


def save_contents(folder: Path, contents: Contents) -> None:
    """Keep ``contents`` in the store folder ``folder`` (read back with shared IRIs)."""
    write_atomic(folder / CONTENTS_FILE, dumps(contents), durable=False)


def read_contents(folder: Path) -> Contents | None:
    """The contents kept in ``folder``, or None if there are none or they are unreadable."""
    try:
        contents = pickle.loads((folder / CONTENTS_FILE).read_bytes())  # written by save_contents
    except UNREADABLE:
        return None
    return contents if isinstance(contents, Contents) else None


def changed_keys(old: Contents, new: Contents) -> set[str] | None:
    """The content keys of the records that differ between ``old`` and ``new`` (versions gone and
    versions new); None when the store must be written afresh (another program, too many)."""
    if old.program != new.program:
        return None
    changed = old.subjects.keys() ^ new.subjects.keys()
    return changed if len(changed) <= MAX_CHANGED else None


def patch(previous: ox.Store, target: Path, old: Contents, new: Contents, changed: set[str], built: Built) -> int:
    """Write at ``target`` a copy of ``previous`` (made from ``old``) turned into the store of
    ``built`` (whose contents are ``new``); ``changed`` is ``changed_keys(old, new)``. Returns
    the patches the new store holds since it was last compacted (0: compacted now)."""
    previous.backup(str(target))
    store = ox.Store(str(target))
    convert = TermConverter()
    graphs = built.graphs(queries=True)
    wanted = {ox.NamedNode(str(name)) for name in graphs}
    for existing in list(store.named_graphs()):
        if existing not in wanted:
            store.remove_graph(existing)
    for name, graph in graphs.items():
        if name not in (DATA_GRAPH, INFERRED_GRAPH):  # small: written anew
            store.clear_graph(ox.NamedNode(str(name)))
            load_triples(store, graph, name)

    data = ox.NamedNode(str(DATA_GRAPH))
    subjects: set[Node] = set()
    for key in changed:
        subjects |= old.subjects.get(key, frozenset()) | new.subjects.get(key, frozenset())
    for subject in subjects:
        node = convert(subject)
        for quad in list(store.quads_for_pattern(node, None, None, data)):
            store.remove(quad)
        _add(store, convert, built.loaded.data.triples((subject, None, None)), data)

    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    gone = old.inferred - new.inferred
    for s, p, o in gone:
        store.remove(ox.Quad(convert(s), convert(p), convert(o), inferred))
    came = new.inferred - old.inferred
    # two literals of one value (1.5 and 1.50) may be one quad in Oxigraph: removing the one
    # removes the other, so what the new graph states with a removed literal's subject and
    # property is added again
    again = {(s, p) for s, p, o in gone if isinstance(o, Literal)}
    came |= {t for s, p in again for t in built.inferred.triples((s, p, None))}
    _add(store, convert, came, inferred)
    store.flush()
    patches = old.patches + 1
    if patches >= COMPACT_AFTER:
        compact(store)
        return 0
    return patches


def compact(store: ox.Store) -> None:
    """Compact ``store``'s files, so that queries read fewer of them."""
    store.optimize()


def _add(store: ox.Store, convert: TermConverter, triples: Iterable[Triple], graph: ox.NamedNode) -> None:
    store.extend(ox.Quad(convert(s), convert(p), convert(o), graph) for s, p, o in triples)


__all__ = [
    "COMPACT_AFTER",
    "CONTENTS_FILE",
    "MAX_CHANGED",
    "Contents",
    "changed_keys",
    "compact",
    "contents_of",
    "patch",
    "read_contents",
    "save_contents",
]
