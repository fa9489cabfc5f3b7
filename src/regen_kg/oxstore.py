"""An embedded Oxigraph store (pyoxigraph) behind the ``GraphStore`` protocol.

Named graphs go in as quads; SPARQL runs with the default graph as the union of the named graphs
(as in ``MemoryStore``), the project prefixes predeclared. Answers come back as rdflib ``Result``
objects (SELECT through the SPARQL JSON results format, CONSTRUCT/DESCRIBE as an rdflib graph), so
``queries.run_query`` and everything above it work unchanged.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any, cast

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.namespace import RDFS, XSD
from rdflib.query import Result
from rdflib.term import Node

from regen_kg.errors import RegenError
from regen_kg.prefixes import bind_all, prefix_map

#: a pyoxigraph term (typed loosely: pyoxigraph's stubs distinguish subject and object positions)
OxTerm = Any


class TermConverter:
    """rdflib terms to pyoxigraph terms, memoised (a graph repeats its IRIs many times)."""

    def __init__(self) -> None:
        self._memo: dict[Node, OxTerm] = {}

    def __call__(self, term: Node) -> OxTerm:
        found = self._memo.get(term)
        if found is None:
            found = self._memo[term] = to_ox(term)
        return found


def to_ox(term: Node) -> OxTerm:
    """One rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r} in Oxigraph")


def from_ox(term: Any) -> Node:
    """One pyoxigraph term as an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unexpected Oxigraph term {term!r}")


#: Lines of N-Triples text handed to Oxigraph's parser at once when loading a graph.
LOAD_CHUNK = 50_000


def load_triples(store: ox.Store, graph: Graph, name: URIRef | None = None, *, bulk: bool = False) -> None:
    """Add the triples of ``graph`` to ``store``, into the graph ``name`` (else the default graph).
    ``bulk`` writes without transactions: several times faster into an on-disk store, for a
    store no one else reads until it is loaded.

    Triples without blank nodes go in as N-Triples text that Oxigraph parses (several times
    faster than a Python object per term); those with blank nodes term by term, because
    Oxigraph's parser renames blank nodes and callers map answers back to the graph's own.
    """
    from regen_kg.export import NTerms, ground_lines

    blank: list[tuple[Node, Node, Node]] = []
    target = ox.NamedNode(str(name)) if name is not None else ox.DefaultGraph()
    convert = TermConverter()
    quad: Any = ox.Quad
    try:  # a chunk of lines at a time, so that the text of a big graph is never held whole
        for chunk in batched(ground_lines(graph, " .", NTerms(), blank), LOAD_CHUNK):
            text = "\n".join(chunk) + "\n"
            load = store.bulk_load if bulk else store.load
            load(input=text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=target)
    except SyntaxError:  # a term Oxigraph's parser refuses (that chunk was not loaded): go term by
        blank = list(graph)  # term, which accepts what it always did and fails as it always did
    extend = store.bulk_extend if bulk else store.extend
    extend(quad(convert(s), convert(p), convert(o), target) for s, p, o in blank)


def batched(items: Iterable[str], size: int) -> Iterator[list[str]]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class OxigraphStore:
    """pyoxigraph's in-memory store; the default graph is the union of the named graphs."""

    #: anything that must live as long as the store (a lock held on its folder)
    held: object = None

    def __init__(self, path: str | None = None, *, read_only: bool = False) -> None:
        """In memory, or on disk at ``path``; ``read_only`` opens an existing on-disk store for
        reading only (several readers may open it at once)."""
        self._path = path
        self._read_only = read_only and path is not None
        if read_only and path is not None:
            self._store = ox.Store.read_only(path)
        else:
            self._store = ox.Store(path) if path else ox.Store()
        self._prefixes = prefix_map()

    @property
    def path(self) -> str | None:
        """Where the store is on disk, or None if it is in memory."""
        return self._path

    @property
    def read_only(self) -> bool:
        """Whether this is a read-only handle on an on-disk store (others may open it too)."""
        return self._read_only

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store itself, for callers that speak its API (fast validation)."""
        return self._store

    def load(self, graphs: Mapping[URIRef, Graph]) -> None:
        for name, graph in graphs.items():
            self._store.clear_graph(ox.NamedNode(str(name)))
            load_triples(self._store, graph, name)

    def query(self, sparql: str, bindings: Mapping[str, Any] | None = None) -> Result:
        if bindings:  # pre-bound like rdflib's initBindings: a trailing VALUES joins before projection
            names = " ".join(f"?{k}" for k in bindings)
            values = " ".join(str(to_ox(v)) for v in bindings.values())
            sparql = f"{sparql}\nVALUES ({names}) {{ ({values}) }}"
        # the default graph is the union of the named graphs, unless the query names its own
        # (Oxigraph's union option would override a FROM clause)
        union = not names_its_dataset(sparql)
        try:
            answer = self._store.query(sparql, prefixes=self._prefixes, use_default_graph_as_union=union)
        except SyntaxError as exc:
            raise RegenError(f"SPARQL syntax error: {exc}") from exc
        return to_result(answer)

    def dataset(self) -> Dataset:
        dataset = bind_all(Dataset(default_union=True))
        for quad in self._store:
            graph = dataset.graph(URIRef(quad.graph_name.value)) if isinstance(quad.graph_name, ox.NamedNode) else None
            target = graph if graph is not None else dataset.default_context
            target.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
        return dataset

    def __len__(self) -> int:
        return len(self._store)


#: what can hide the word FROM in a query (comments, IRIs, strings), and FROM as a keyword
_TOKENS = re.compile(
    r"#[^\n]*"
    r"|<[^<>\"{}|^`\\\s]*>"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|(?<![\w:?$])FROM(?![\w:-])",
    re.IGNORECASE,
)


def names_its_dataset(sparql: str) -> bool:
    """Whether ``sparql`` has a FROM or FROM NAMED clause (outside comments, IRIs and strings)."""
    return any(match.group(0).upper() == "FROM" for match in _TOKENS.finditer(sparql))


#: the subtypes of xsd:integer, which Oxigraph stores (and returns) as xsd:integer
INTEGER_SUBTYPES = frozenset(
    URIRef(str(XSD) + name)
    for name in (
        "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger", "long", "int", "short",
        "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    )
)  # fmt: skip


def folded_ranges(ontology: Graph) -> dict[URIRef, URIRef]:
    """Each property whose declared range (``rdfs:range``) is a subtype of xsd:integer, with that range.

    The shapes hold such a property's values to its range (``sh:datatype``: regen:sampleSize to
    xsd:nonNegativeInteger), so a value Oxigraph returns as xsd:integer had that datatype."""
    ranges: dict[URIRef, URIRef] = {}
    for prop, datatype in ontology.subject_objects(RDFS.range):
        if isinstance(prop, URIRef) and datatype in INTEGER_SUBTYPES:
            ranges[prop] = cast(URIRef, datatype)
    return ranges


class GraphView:
    """Read-only lookups in the style of an rdflib ``Graph`` (``objects``, ``subjects``, ``value``,
    ``in`` ...) over the union of an Oxigraph store's graphs: what the served pages read, answered
    from the store's indexes instead of a copy of the whole graph in rdflib."""

    def __init__(self, store: ox.Store, ranges: Mapping[URIRef, URIRef] | None = None) -> None:
        self._store = store
        self._ranges = dict(ranges or {})

    def triples(self, pattern: tuple[Node | None, Node | None, Node | None]) -> Iterator[tuple[Node, Node, Node]]:
        """The distinct triples matching ``pattern`` (None matches anything), in any graph.

        Oxigraph keeps an integer subtype as xsd:integer; an object of a property in ``ranges`` (see
        ``folded_ranges``) comes back with the property's declared datatype, as the records state it."""
        subject, predicate, _object = pattern
        if isinstance(subject, Literal) or isinstance(predicate, (Literal, BNode)):
            return  # no triple has one there (rdflib answers nothing too)
        s, p, o = (None if term is None else to_ox(term) for term in pattern)
        seen: set[tuple[Any, Any, Any]] = set()
        ranges = self._ranges
        for quad in self._store.quads_for_pattern(s, p, o, None):
            key = (quad.subject, quad.predicate, quad.object)
            if key not in seen:
                seen.add(key)
                prop, value = from_ox(quad.predicate), from_ox(quad.object)
                if ranges and isinstance(value, Literal) and value.datatype == XSD.integer and prop in ranges:
                    value = Literal(str(value), datatype=ranges[cast(URIRef, prop)])
                yield from_ox(quad.subject), prop, value

    def __contains__(self, pattern: tuple[Node | None, Node | None, Node | None]) -> bool:
        return next(self.triples(pattern), None) is not None

    def objects(self, subject: Node | None = None, predicate: Node | None = None) -> Iterator[Node]:
        return (o for _s, _p, o in self.triples((subject, predicate, None)))

    def subjects(self, predicate: Node | None = None, object: Node | None = None) -> Iterator[Node]:
        return (s for s, _p, _o in self.triples((None, predicate, object)))

    def predicates(self, subject: Node | None = None, object: Node | None = None) -> Iterator[Node]:
        return (p for _s, p, _o in self.triples((subject, None, object)))

    def predicate_objects(self, subject: Node | None = None) -> Iterator[tuple[Node, Node]]:
        return ((p, o) for _s, p, o in self.triples((subject, None, None)))

    def subject_predicates(self, object: Node | None = None) -> Iterator[tuple[Node, Node]]:
        return ((s, p) for s, p, _o in self.triples((None, None, object)))

    def value(self, subject: Node | None = None, predicate: Node | None = None) -> Node | None:
        """One object of ``subject`` and ``predicate`` (any, if there are several), or None."""
        return next(self.objects(subject, predicate), None)


def to_result(answer: Any) -> Result:
    """A pyoxigraph query answer as an rdflib Result."""
    if isinstance(answer, ox.QueryBoolean):
        result = Result("ASK")
        result.askAnswer = bool(answer)
        return result
    if isinstance(answer, ox.QueryTriples):
        graph = bind_all(Graph())
        for triple in answer:
            graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
        result = Result("CONSTRUCT")
        result.graph = graph
        return result
    variables = [Variable(v.value) for v in answer.variables]
    known: dict[Any, Node] = {}  # each distinct term converted once per answer
    bindings: list[Mapping[Variable, Any]] = []
    for solution in answer:
        binding: dict[Variable, Any] = {}
        for variable, value in zip(variables, solution, strict=True):
            if value is not None:
                term = known.get(value)
                if term is None:
                    term = known[value] = from_ox(value)
                binding[variable] = term
        bindings.append(binding)
    result = Result("SELECT")
    result.vars = variables
    result.bindings = bindings
    return result


def parse_json_result(data: bytes) -> Result:
    """SPARQL JSON results as an rdflib Result (kept for endpoints answering in JSON)."""
    return Result.parse(io.BytesIO(data), format="json")
