"""A light in-memory rdflib store for the build's working graphs.

rdflib's default ``Memory`` store keeps three indexes plus per-triple context bookkeeping and fires
an event object per added triple: about 13 µs per ``Graph.add`` and 1 kB per triple. The build's
graphs are plain triple sets, so this store keeps one subject index and builds the predicate and
object indexes only when a pattern first needs them. ``new_graph`` gives an rdflib ``Graph`` on it;
``add_all`` fills one in bulk without going through ``Graph.add`` per triple.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from rdflib import RDF, Graph
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

#: a leaf of an index: a tuple while it is small (a one-element set costs four times as much),
#: a set once it grows past :data:`SMALL`
_Leaf = tuple[Node, ...] | set[Node]
_Index = dict[Node, dict[Node, _Leaf]]
_NO_CONTEXTS: tuple[Any, ...] = ()
SMALL = 8


def _put(index: _Index, a: Node, b: Node, c: Node) -> bool:
    """Add ``c`` under ``index[a][b]``; False if it was there already."""
    second = index.get(a)
    if second is None:
        index[a] = {b: (c,)}
        return True
    third = second.get(b)
    if third is None:
        second[b] = (c,)
        return True
    if c in third:
        return False
    second[b] = _grown(third, c)
    return True


def _grown(leaf: _Leaf, c: Node) -> _Leaf:
    """``leaf`` with ``c`` added (not in it yet): a longer tuple while small, else a set."""
    if isinstance(leaf, tuple):
        return (*leaf, c) if len(leaf) < SMALL else {*leaf, c}
    leaf.add(c)
    return leaf


def _drop(index: _Index, a: Node, b: Node, c: Node) -> None:
    second = index[a]
    third = second[b]
    if isinstance(third, tuple):
        third = second[b] = tuple(x for x in third if x != c)
    else:
        third.discard(c)
    if not third:
        del second[b]
        if not second:
            del index[a]


def _joined(mine: _Leaf, theirs: _Leaf) -> _Leaf:
    """The leaf holding both ``mine`` and ``theirs`` (which may overlap)."""
    new = [x for x in theirs if x not in mine]
    if not new:
        return mine
    if isinstance(mine, tuple) and len(mine) + len(new) <= SMALL:
        return mine + tuple(new)
    return {*mine, *new}


class TripleStore(SimpleMemory):
    """Triples in nested dicts: ``spo`` always, ``pos`` and ``osp`` built on first use.

    Not context-aware (one graph per store). Iteration works on a snapshot of each subject's
    triples, so a graph may be changed while it is being read.
    """

    context_aware = False
    formula_aware = False
    transaction_aware = False
    graph_aware = False

    def __init__(self, configuration: str | None = None, identifier: Any = None) -> None:
        super().__init__(configuration, identifier)
        self._spo: _Index = {}
        self._pos: _Index | None = None
        self._osp: _Index | None = None
        self._size = 0

    # --- writing ---

    def add(self, triple: Any, context: Any = None, quoted: bool = False) -> None:
        s, p, o = triple
        if _put(self._spo, s, p, o):
            self._size += 1
            if self._pos is not None:
                _put(self._pos, p, o, s)
            if self._osp is not None:
                _put(self._osp, o, s, p)

    def addN(self, quads: Iterable[Any]) -> None:
        self.add_triples((s, p, o) for s, p, o, _ in quads)

    def add_triples(self, triples: Iterable[Any]) -> None:
        """Add many triples; the secondary indexes are dropped and rebuilt on demand."""
        self._pos = self._osp = None
        spo = self._spo
        added = 0
        for s, p, o in triples:
            second = spo.get(s)
            if second is None:
                spo[s] = {p: (o,)}
                added += 1
                continue
            third = second.get(p)
            if third is None:
                second[p] = (o,)
                added += 1
            elif o not in third:
                second[p] = _grown(third, o)
                added += 1
        self._size += added

    def merge(self, other: TripleStore) -> None:
        """Add every triple of ``other``, copying its index a subject at a time."""
        self._pos = self._osp = None
        spo = self._spo
        added = 0
        for s, their in other._spo.items():
            ours = spo.get(s)
            if ours is None:  # tuples are shared as they are; sets are copied
                spo[s] = {p: objects if type(objects) is tuple else set(objects) for p, objects in their.items()}
                added += sum(map(len, their.values()))
                continue
            for p, objects in their.items():
                mine = ours.get(p)
                if mine is None:
                    ours[p] = objects if type(objects) is tuple else set(objects)
                    added += len(objects)
                else:
                    before = len(mine)
                    ours[p] = joined = _joined(mine, objects)
                    added += len(joined) - before
        self._size += added

    def remove(self, triple_pattern: Any, context: Any = None) -> None:
        for s, p, o in list(self._match(triple_pattern)):
            _drop(self._spo, s, p, o)
            if self._pos is not None:
                _drop(self._pos, p, o, s)
            if self._osp is not None:
                _drop(self._osp, o, s, p)
            self._size -= 1

    # --- reading ---

    def __len__(self, context: Any = None) -> int:
        return self._size

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[tuple[Any, Any]]:
        for triple in self._match(triple_pattern):
            yield triple, _NO_CONTEXTS

    def contexts(self, triple: Any = None) -> Generator[Graph, None, None]:
        yield from ()

    def _index_pos(self) -> _Index:
        if self._pos is None:
            self._pos = self._reindex(lambda s, p, o: (p, o, s))
        return self._pos

    def _index_osp(self) -> _Index:
        if self._osp is None:
            self._osp = self._reindex(lambda s, p, o: (o, s, p))
        return self._osp

    def _reindex(self, order: Any) -> _Index:
        """A secondary index, keyed in the order ``order(s, p, o)`` gives."""
        index: _Index = {}
        for s, p, o in self._match((None, None, None)):
            _put(index, *order(s, p, o))
        return index

    def _match(self, pattern: Any) -> Iterator[tuple[Node, Node, Node]]:
        s, p, o = pattern
        if s is not None:
            by_p = self._spo.get(s)
            if by_p is None:
                return
            if p is not None:
                objects = by_p.get(p)
                if objects is None:
                    return
                if o is not None:
                    if o in objects:
                        yield s, p, o
                    return
                for obj in tuple(objects):
                    yield s, p, obj
                return
            for pred, objects in tuple(by_p.items()):
                if o is not None:
                    if o in objects:
                        yield s, pred, o
                else:
                    for obj in tuple(objects):
                        yield s, pred, obj
        elif p is not None:
            by_o = self._index_pos().get(p)
            if by_o is None:
                return
            if o is not None:
                for subj in tuple(by_o.get(o, ())):
                    yield subj, p, o
                return
            for obj, subjects in tuple(by_o.items()):
                for subj in tuple(subjects):
                    yield subj, p, obj
        elif o is not None:
            by_s = self._index_osp().get(o)
            if by_s is None:
                return
            for subj, preds in tuple(by_s.items()):
                for pred in tuple(preds):
                    yield subj, pred, o
        else:
            for subj, by_p in tuple(self._spo.items()):
                for pred, objects in tuple(by_p.items()):
                    for obj in tuple(objects):
                        yield subj, pred, obj


def new_graph(identifier: Any = None) -> Graph:
    """An empty rdflib ``Graph`` on a :class:`TripleStore`."""
    return Graph(store=TripleStore(), identifier=identifier)


def add_all(graph: Graph, triples: Iterable[Any]) -> None:
    """Add ``triples`` to ``graph``: in bulk on a :class:`TripleStore`, else one by one."""
    store = graph.store
    source = triples.store if isinstance(triples, Graph) else None
    if isinstance(store, TripleStore) and isinstance(source, TripleStore) and source is not store:
        store.merge(source)
    elif isinstance(store, TripleStore):
        store.add_triples(triples)
    else:
        for triple in triples:
            graph.add(triple)


def union(*graphs: Graph) -> Graph:
    """A new light graph holding every triple of ``graphs``."""
    out = new_graph()
    for graph in graphs:
        add_all(out, graph)
    return out


def union_size(*graphs: Graph) -> int:
    """How many triples the union of ``graphs`` holds, without building it (biggest graph first)."""
    if not graphs:
        return 0
    first, rest = graphs[0], graphs[1:]
    return len(first) + sum(
        1 for i, graph in enumerate(rest) for t in graph if not any(t in other for other in graphs[: i + 1])
    )


def plain_copy(graph: Graph) -> Graph:
    """``graph`` on rdflib's default store (for libraries that need a context-aware store)."""
    if not isinstance(graph.store, TripleStore):
        return graph
    copy = Graph()
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=True, replace=True)
    for triple in graph:
        copy.add(triple)
    return copy


@dataclass
class Tally:
    """What a VoID description counts in a graph."""

    triples: int
    subjects: int
    objects: int
    classes: Counter[Node]
    properties: Counter[Node]


def instance_counts(graph: Graph) -> Counter[Node]:
    """Instances per class (``rdf:type`` objects) in ``graph``; on a :class:`TripleStore`, one
    lookup per subject rather than a full :func:`tally`."""
    store = graph.store
    if not isinstance(store, TripleStore):
        return Counter(graph.objects(None, RDF.type))
    kind = RDF.type
    counts: Counter[Node] = Counter()
    for by_p in store._spo.values():
        classes = by_p.get(kind)
        if classes is not None:
            counts.update(classes)
    return counts


def tally(*graphs: Graph) -> Tally:
    """Triples, distinct subjects and objects, instances per class, triples per property, of the
    union of ``graphs`` (a triple in several of them counts once), without building the union.

    A :class:`TripleStore` is walked through its subject index; other graphs triple by triple.
    """
    kind = RDF.type
    classes: Counter[Node] = Counter()
    properties: Counter[Node] = Counter()
    subjects: set[Node] = set()
    objects: set[Node] = set()
    count = 0
    for i, graph in enumerate(graphs):
        earlier = graphs[:i]
        store = graph.store
        if not earlier and isinstance(store, TripleStore):
            for s, by_p in store._spo.items():
                subjects.add(s)
                for p, values in by_p.items():
                    properties[p] += len(values)
                    objects.update(values)
                    if p == kind:
                        classes.update(values)
            count += len(store)
            continue
        for s, p, o in graph:
            if any((s, p, o) in other for other in earlier):
                continue
            count += 1
            subjects.add(s)
            objects.add(o)
            properties[p] += 1
            if p == kind:
                classes[o] += 1
    return Tally(count, len(subjects), len(objects), classes, properties)
