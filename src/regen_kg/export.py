"""Serializations: canonical, byte-stable Turtle, N-Triples, JSON-LD, TriG and N-Quads.

The writers render terms themselves, in one pass over the triples, instead of copying the graph
through rdflib's serializers. Output is byte-stable: the same graph gives the same bytes whatever the
insertion order or the blank-node labels of the input. Only the triples that touch a blank node
(OWL restrictions and RDF lists of the ontology) go through ``rdflib.compare.to_canonical_graph``,
which relabels the blank nodes from a hash of their neighbourhood; everything else is written as is.

The former rdflib/pyld implementations are kept as ``reference_*`` functions; tests/test_export.py
checks the fast writers against them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from itertools import chain
from operator import itemgetter
from typing import Any, cast

from pyld import jsonld
from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from regen_kg.choices import FORMATS
from regen_kg.gcpause import paused_gc
from regen_kg.jsonld_compact import BLANK, IRI, KIND, LITERAL, compact_document, compact_pieces
from regen_kg.prefixes import bind_all, prefix_map

MEDIA_TYPES = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "trig": "application/trig",
    "nq": "application/n-quads",
}

Triple = tuple[Node, Node, Node]

# --- blank nodes ------------------------------------------------------------------------------


def canonical_triples(triples: Iterable[Triple]) -> Iterator[Triple]:
    """Every distinct triple of ``triples``, those touching a blank node relabelled canonically.

    Triples without blank nodes pass through unchanged (duplicates included); the blank-node
    sub-graph is collected, deduplicated and canonicalised by rdflib, then yielded last."""
    blank = Graph()
    kind = KIND
    for s, p, o in triples:
        if kind[type(s)] == BLANK or kind[type(o)] == BLANK:
            blank.add((s, p, o))
        else:
            yield s, p, o
    yield from _canonical(blank)


def _canonical(blank: Graph) -> Iterable[Triple]:
    """The triples of ``blank`` with blank nodes relabelled from a hash of their neighbourhood."""
    return to_canonical_graph(blank) if len(blank) else ()


@paused_gc
def canonical(graph: Graph) -> Graph:
    """A copy of ``graph`` with blank nodes relabelled deterministically and prefixes bound."""
    out = bind_all(Graph())
    for triple in canonical_triples(graph):
        out.add(triple)
    return out


# --- terms ------------------------------------------------------------------------------------

_XSD_STRING = XSD.string  # a URIRef: URIRef.__eq__ is False for any plain str
#: characters N-Triples strings must escape: ECHAR for the named ones, UCHAR for other controls
_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_STRING_SPECIAL = re.compile(r'[\x00-\x1f"\\\x7f]')
#: characters an IRIREF may not hold unescaped
_IRI_SPECIAL = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _uchar(char: str) -> str:
    return f"\\u{ord(char):04X}"


def _escape_match(match: re.Match[str]) -> str:
    char = match.group()
    return _STRING_ESCAPES.get(char) or _uchar(char)


def quote_string(text: str) -> str:
    """``text`` as an N-Triples/Turtle short string, escaped per canonical N-Triples."""
    if _STRING_SPECIAL.search(text) is None:
        return f'"{text}"'
    return '"' + _STRING_SPECIAL.sub(_escape_match, text) + '"'


def iri_ref(iri: str) -> str:
    """``<iri>``, with characters an IRIREF may not hold written as ``\\uXXXX``."""
    if _IRI_SPECIAL.search(iri) is None:
        return f"<{iri}>"
    return "<" + _IRI_SPECIAL.sub(lambda m: _uchar(m.group()), iri) + ">"


def nt_term(term: Node) -> str:
    """One term in N-Triples: ``<iri>``, ``_:label`` or a literal (no datatype for xsd:string)."""
    kind = KIND[type(term)]
    if kind == LITERAL:
        literal = cast(Literal, term)
        text = quote_string(str(literal))
        if literal.language:
            return f"{text}@{literal.language}"
        datatype = literal.datatype
        if datatype is None or datatype == _XSD_STRING:
            return text
        return f"{text}^^{iri_ref(datatype)}"
    if kind == BLANK:
        return f"_:{term}"
    return iri_ref(str(term))


class NTerms(dict[Node, str]):
    """A cache of N-Triples renderings: most terms recur many times.

    IRIs are also cached by their plain string (``iris``): ``str.__eq__`` runs in C where
    ``URIRef.__eq__`` is Python, and equal terms are often distinct objects."""

    def __init__(self) -> None:
        super().__init__()
        self.iris: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        text = self.iris[iri] = iri_ref(iri)
        return text

    def __missing__(self, term: Node) -> str:
        text = self[term] = nt_term(term)
        return text


# --- N-Triples and N-Quads --------------------------------------------------------------------


def ground_lines(triples: Iterable[Triple], suffix: str, terms: NTerms, blank: list[Triple]) -> Iterator[str]:
    """N-Triples lines (each ending in ``suffix``) of the triples made of IRIs and literals only;
    the others (a blank node, or a non-IRI subject or predicate) are appended to ``blank``."""
    kind = KIND
    iris, iri = terms.iris, terms.iri
    keep = blank.append
    for s, p, o in triples:
        object_kind = kind[type(o)]
        if object_kind == BLANK or kind[type(s)] or kind[type(p)]:  # IRI is 0
            keep((s, p, o))
            continue
        key = str(s)
        subject = iris.get(key) or iri(key)
        key = str(p)
        predicate = iris.get(key) or iri(key)
        if object_kind == IRI:
            key = str(o)
            yield f"{subject} {predicate} {iris.get(key) or iri(key)}{suffix}"
        else:
            yield f"{subject} {predicate} {terms[o]}{suffix}"


def _nt_lines(triples: Iterable[Triple], suffix: str, lines: list[str], terms: NTerms) -> None:
    """Append the lines of ``triples`` (each ending in ``suffix``) to ``lines``."""
    rest: list[Triple] = []
    lines.extend(ground_lines(triples, suffix, terms, rest))
    blank = Graph()
    for triple in rest:
        blank.add(triple)
    lines.extend(f"{terms[s]} {terms[p]} {terms[o]}{suffix}" for s, p, o in _canonical(blank))


#: lines (or Turtle blocks) per piece of text when an output is written a piece at a time
PIECE = 20_000


def _sorted_pieces(lines: list[str]) -> Iterator[str]:
    """The lines sorted, without repeats (from a union of graphs, or terms that write alike, such
    as a string with and without ``^^xsd:string``), each ending in a newline; as pieces of
    :data:`PIECE` lines, so that the whole text is never held at once."""
    lines.sort()  # sorting, then dropping neighbours that repeat, is cheaper than hashing every line
    previous = None
    for start in range(0, len(lines), PIECE):
        batch = lines[start : start + PIECE]
        unique = [line for line, before in zip(batch, [previous, *batch[:-1]], strict=True) if line != before]
        previous = batch[-1]
        if unique:
            unique.append("")
            yield "\n".join(unique)


@paused_gc
def to_ntriples(graph: Graph) -> str:
    """Sorted, unique N-Triples lines: a one-fact change is a one-line diff."""
    return "".join(_ntriples(graph))


def _ntriples(triples: Iterable[Triple]) -> Iterator[str]:
    lines: list[str] = []
    _nt_lines(triples, " .", lines, NTerms())
    return _sorted_pieces(lines)


@paused_gc
def to_nquads(graphs: Mapping[URIRef, Graph]) -> str:
    """Sorted, unique N-Quads lines; blank nodes are canonicalised graph by graph."""
    return "".join(_nquads(graphs))


def _nquads(graphs: Mapping[URIRef, Graph]) -> Iterator[str]:
    lines: list[str] = []
    terms = NTerms()
    for name, graph in graphs.items():
        _nt_lines(graph, f" {terms[name]} .", lines, terms)
    return _sorted_pieces(lines)


# --- Turtle and TriG --------------------------------------------------------------------------

_IS_TYPE = {RDF.type}  # set lookups hash in C; Node.__eq__ is Python
_RDF_TYPE = str(RDF.type)
_RDF_FIRST = RDF.first
_RDF_REST = RDF.rest
_RDF_NIL = RDF.nil
#: a local name written without escapes (a conservative subset of Turtle's PN_LOCAL)
_SAFE_LOCAL = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)?")
_SAFE_PREFIX = re.compile(r"[A-Za-z](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")
#: lexical forms Turtle can write bare, by datatype
_BARE = {
    str(XSD.integer): re.compile(r"[+-]?[0-9]+"),
    str(XSD.decimal): re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    str(XSD.double): re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
    str(XSD.boolean): re.compile(r"true|false"),
}
_LONG_QUOTE = re.compile(r'"(?="|\Z)')
_LONG_SPECIAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_INDENT = "    "


def _long_string(text: str) -> str:
    """A multi-line string as a Turtle ``\"\"\"`` literal: newlines and tabs stay as they are."""
    body = text.replace("\\", "\\\\")
    body = _LONG_QUOTE.sub('\\\\"', body)
    body = _LONG_SPECIAL.sub(_escape_match, body)
    return f'"""{body}"""'


class _TurtleTerms(dict[Node, str]):
    """Turtle renderings of terms (CURIEs under the project prefixes), remembering the prefixes used.

    IRIs are also cached by their plain string (``iris``), as in :class:`NTerms`."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        super().__init__()
        usable = {ns: p for p, ns in prefixes.items() if ns and _SAFE_PREFIX.fullmatch(p)}
        self._by_namespace = usable
        # longest namespace first: a regex alternation takes the first alternative that matches
        ordered = sorted(usable, key=lambda ns: (-len(ns), ns))
        self._namespaces = ordered
        self._match = re.compile("|".join(re.escape(ns) for ns in ordered)).match if ordered else None
        self.used: set[str] = set()
        self.iris: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        """A CURIE if some prefix leaves a safe local name, else ``<iri>`` (and cache it)."""
        text = self.iris[iri] = self._iri(iri)
        return text

    def _iri(self, iri: str) -> str:
        if self._match is None or (m := self._match(iri)) is None:
            return iri_ref(iri)
        end = m.end()
        if _SAFE_LOCAL.fullmatch(iri, end):
            return self._curie(m.group(), iri[end:])
        # a shorter namespace leaves a longer local name: rarely safe when the shorter one is not
        for namespace in self._namespaces:
            if len(namespace) < end and iri.startswith(namespace) and _SAFE_LOCAL.fullmatch(iri, len(namespace)):
                return self._curie(namespace, iri[len(namespace) :])
        return iri_ref(iri)

    def _curie(self, namespace: str, local: str) -> str:
        prefix = self._by_namespace[namespace]
        self.used.add(prefix)
        return f"{prefix}:{local}"

    def literal(self, term: Literal) -> str:
        lexical = str(term)
        text = _long_string(lexical) if "\n" in lexical else quote_string(lexical)
        if term.language:
            return f"{text}@{term.language}"
        datatype = term.datatype
        if datatype is None or datatype == _XSD_STRING:
            return text
        bare = _BARE.get(str(datatype))
        if bare is not None and bare.fullmatch(lexical):
            return lexical
        return f"{text}^^{self[datatype]}"

    def __missing__(self, term: Node) -> str:
        kind = KIND[type(term)]
        if kind == LITERAL:
            text = self.literal(cast(Literal, term))
        elif kind == BLANK:
            text = f"_:{term}"
        else:
            key = str(term)
            text = self.iris.get(key) or self.iri(key)
        self[term] = text
        return text


#: a written subject: an IRI as its plain string, anything else (a blank node) as its term
Subject = str | Node


class _TurtleGraph:
    """One graph laid out for Turtle: subjects with sorted predicates and objects, blank nodes
    nested as ``[ ... ]`` or ``( ... )`` where referenced once, else written as ``_:label``."""

    def __init__(self, triples: Iterable[Triple], terms: _TurtleTerms) -> None:
        self.terms = terms
        #: IRI subject -> IRI predicate (plain strings) -> rendered objects (a set: unions repeat some)
        self.plain: dict[str, dict[str, set[str]]] = {}
        #: the rest (triples with a blank node, after canonical relabelling) by subject, then predicate
        self.blank: dict[Subject, dict[Node, list[Node]]] = {}
        self.refs: dict[Node, int] = {}
        plain = self.plain
        kind = KIND
        iris, iri = terms.iris, terms.iri
        blank = Graph()
        for s, p, o in triples:
            object_kind = kind[type(o)]
            if object_kind == BLANK or kind[type(s)] or kind[type(p)]:  # IRI is 0
                blank.add((s, p, o))
                continue
            key = str(s)
            by_predicate = plain.get(key)
            if by_predicate is None:
                by_predicate = plain[key] = {}
            key = str(p)
            objects = by_predicate.get(key)
            if objects is None:
                objects = by_predicate[key] = set()
            if object_kind == IRI:
                key = str(o)
                objects.add(iris.get(key) or iri(key))
            else:
                objects.add(terms[o])
        for triple in _canonical(blank):
            self._add_blank(*triple)
        self._nested = self._nestable()

    def _add_blank(self, s: Node, p: Node, o: Node) -> None:
        subject: Subject = s if KIND[type(s)] else str(s)
        objects = self.blank.setdefault(subject, {}).setdefault(p, [])
        if o in objects:
            return
        objects.append(o)
        if KIND[type(o)] == BLANK:
            self.refs[o] = self.refs.get(o, 0) + 1

    def _nestable(self) -> set[Node]:
        """Blank nodes written inline: referenced exactly once and reachable from a written subject."""
        once = {b for b, n in self.refs.items() if n == 1}
        roots = [s for s in self.blank if s not in once]
        seen: set[Node] = set()

        def visit(start: Subject) -> None:
            stack = [start]
            while stack:
                for objects in self.blank.get(stack.pop(), {}).values():
                    for o in objects:
                        if o in once and o not in seen:
                            seen.add(o)
                            stack.append(o)

        for root in roots:
            visit(root)
        # blank nodes on a cycle of single references: write the canonically least one labelled
        while rest := sorted((b for b in once if b not in seen), key=str):
            once.discard(rest[0])
            visit(rest[0])
        return once

    def _list_items(self, head: Node) -> list[Node] | None:
        """The members of a well-formed RDF list starting at blank node ``head``, else None."""
        items: list[Node] = []
        node = head
        seen: set[Node] = set()
        while node != _RDF_NIL:
            if node in seen or node not in self._nested:
                return None
            props = self.blank.get(node, {})
            first, rest = props.get(_RDF_FIRST, []), props.get(_RDF_REST, [])
            if len(props) != 2 or len(first) != 1 or len(rest) != 1:
                return None
            seen.add(node)
            items.append(first[0])
            node = rest[0]
        return items

    def _object(self, term: Node, indent: str) -> str:
        """``term`` as an object; ``indent`` is that of the line the object starts on."""
        if term not in self._nested:
            return self.terms[term]
        items = self._list_items(term)
        inner = indent + _INDENT
        if items is not None:
            if not items:
                return "()"
            return "(\n" + "".join(f"{inner}{self._object(i, inner)}\n" for i in items) + f"{indent})"
        lines = self._properties(term, inner)
        if not lines:
            return "[]"
        return "[\n" + "".join(f"{line}\n" for line in lines) + f"{indent}]"

    def _properties(self, subject: Subject, indent: str) -> list[str]:
        """The predicate-object lines of ``subject``: ``a`` first, then by predicate, objects sorted.

        A single object shares its predicate's line, unless it is a nested ``[ ... ]``; several
        objects go one per line below their predicate."""
        terms = self.terms
        grouped: dict[str, Collection[str]] = {}
        if type(subject) is str:
            for p, rendered in self.plain.get(subject, {}).items():
                grouped["a" if p == _RDF_TYPE else terms.iris.get(p) or terms.iri(p)] = rendered
        nested: dict[str, list[tuple[str, Node]]] = {}
        for p_term, objects in self.blank.get(subject, {}).items():
            # distinct blank nodes may render alike, so these are not deduplicated by text
            inner = indent + _INDENT
            nested["a" if p_term in _IS_TYPE else terms[p_term]] = [(self._object(o, inner), o) for o in objects]
        keys = grouped.keys() | nested.keys() if nested else grouped.keys()
        ordered = ["a"] if "a" in keys else []
        ordered += sorted(k for k in keys if k != "a")
        lines = []
        item = f" ,\n{indent}{_INDENT}"
        for predicate in ordered:
            texts = grouped.get(predicate, ())
            blanks = nested.get(predicate) if nested else None
            if blanks is None:
                if len(texts) == 1:
                    lines += [f"{indent}{predicate} {text} ;" for text in texts]
                else:
                    lines.append(f"{indent}{predicate}\n{indent}{_INDENT}{item.join(sorted(texts))} ;")
                continue
            pairs: list[tuple[str, Node | None]] = [(text, None) for text in texts]
            pairs = sorted([*pairs, *blanks], key=itemgetter(0))
            if len(pairs) == 1 and not pairs[0][0].startswith("[\n"):
                text, term = pairs[0]
                if term is not None:  # a list opens on its predicate's line
                    text = self._object(term, indent)
                lines.append(f"{indent}{predicate} {text} ;")
            else:
                lines.append(f"{indent}{predicate}\n{indent}{_INDENT}{item.join(t for t, _ in pairs)} ;")
        return lines

    def blocks(self, indent: str = "") -> list[str]:
        """One text block per written subject: IRIs by IRI, then blank-node subjects by content."""
        terms = self.terms
        named = [s for s in self.blank if type(s) is str]
        named = sorted(self.plain.keys() | named) if named else sorted(self.plain)
        blocks = [self._block(terms.iris.get(s) or terms.iri(s), s, indent) for s in named]
        roots = [s for s in self.blank if type(s) is not str and s not in self._nested]
        return blocks + sorted(self._block(terms[cast(Node, s)], s, indent) for s in roots)

    def _block(self, label: str, subject: Subject, indent: str) -> str:
        if type(subject) is not str and not self.refs.get(cast(Node, subject)):
            label = "[]"
        return "\n".join([indent + label, *self._properties(subject, indent + _INDENT), indent + "."])


def _prefix_lines(terms: _TurtleTerms, prefixes: Mapping[str, str]) -> list[str]:
    return [f"PREFIX {p}: {iri_ref(prefixes[p])}" for p in sorted(terms.used)]


@paused_gc
def to_turtle(graph: Graph) -> str:
    """Long-form Turtle, subjects and objects sorted: a one-fact change is a one-line diff."""
    return _turtle(graph)


def _turtle(triples: Iterable[Triple]) -> str:
    return "".join(_turtle_pieces(triples))


def _turtle_pieces(triples: Iterable[Triple]) -> Iterator[str]:
    """The text of :func:`to_turtle`, :data:`PIECE` blocks at a time."""
    prefixes = prefix_map()
    terms = _TurtleTerms(prefixes)
    blocks = _TurtleGraph(triples, terms).blocks()
    head = _prefix_lines(terms, prefixes)
    if head:
        blocks.insert(0, "\n".join(head))
    if not blocks:
        return
    for start in range(0, len(blocks), PIECE):
        joined = "\n\n".join(blocks[start : start + PIECE])
        yield f"\n\n{joined}" if start else joined
    yield "\n"


@paused_gc
def to_trig(graphs: Mapping[URIRef, Graph]) -> str:
    """TriG with one block per named graph (sorted by name), each in sorted long-form Turtle."""
    return "".join(_trig_pieces(graphs))


def _trig_pieces(graphs: Mapping[URIRef, Graph]) -> Iterator[str]:
    """The text of :func:`to_trig`; the prefix lines, written first, are known once the graphs are."""
    prefixes = prefix_map()
    terms = _TurtleTerms(prefixes)
    bodies: list[str] = []
    for name in sorted(graphs):
        bodies.append(f"\n{iri_ref(name)} {{\n")
        for i, block in enumerate(_TurtleGraph(graphs[name], terms).blocks(_INDENT)):
            bodies += ["\n", block, "\n"] if i else [block, "\n"]
        bodies.append("}\n")
    yield "\n".join(_prefix_lines(terms, prefixes))
    yield "\n"
    for start in range(0, len(bodies), 3 * PIECE):
        yield "".join(bodies[start : start + 3 * PIECE])


# --- JSON-LD ----------------------------------------------------------------------------------


@paused_gc
def to_jsonld(graph: Graph, context: Mapping[str, Any]) -> str:
    """Compact JSON-LD with the shipped @context, nodes sorted by @id, keys sorted.

    Built directly from the triples (regen_kg.jsonld_compact); the output is the same as pyld's
    ``from_rdf`` + ``compact`` (:func:`reference_jsonld`)."""
    return _jsonld(graph, context)


def _jsonld(triples: Iterable[Triple], context: Mapping[str, Any]) -> str:
    return compact_document(canonical_triples(triples), context, fallback=_pyld_nodes)


def _jsonld_pieces(triples: Iterable[Triple], context: Mapping[str, Any]) -> Iterator[str]:
    return compact_pieces(canonical_triples(triples), context, fallback=_pyld_nodes)


def _pyld_nodes(expanded: list[dict[str, Any]], context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """pyld's compaction of expanded nodes, for what the direct path does not cover."""
    doc = jsonld.compact(expanded, {"@context": context["@context"]})
    nodes = doc.get("@graph", [doc] if "@id" in doc else [])
    for node in nodes:
        node.pop("@context", None)
    return list(nodes)


# --- everything -------------------------------------------------------------------------------

Writer = Callable[[Graph], str]


@paused_gc
def serialize(fmt: str, graphs: Mapping[URIRef, Graph], context: Mapping[str, Any]) -> str:
    """Serialize the union of ``graphs`` (or, for trig/nq, the named graphs) in ``fmt``."""
    return "".join(pieces(fmt, graphs, context))


def pieces(fmt: str, graphs: Mapping[URIRef, Graph], context: Mapping[str, Any]) -> Iterator[str]:
    """The text of :func:`serialize`, a piece at a time: a large output is written without being
    held whole. Read the pieces before changing the graphs."""
    if fmt == "trig":
        return _trig_pieces(graphs)
    if fmt == "nq":
        return _nquads(graphs)
    union = chain.from_iterable(graphs.values())
    if fmt == "ttl":
        return _turtle_pieces(union)
    if fmt == "nt":
        return _ntriples(union)
    if fmt == "jsonld":
        return _jsonld_pieces(union, context)
    raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")


# --- the former implementations, kept as references for tests/test_export.py -------------------


def reference_canonical(graph: Graph) -> Graph:
    """The former ``canonical``: the whole graph copied through ``to_canonical_graph``."""
    out = Graph()
    for triple in to_canonical_graph(graph):
        out.add(triple)
    return bind_all(out)


def reference_turtle(graph: Graph) -> str:
    """The former ``to_turtle``: rdflib's longturtle serializer."""
    return reference_canonical(graph).serialize(format="longturtle")


def reference_ntriples(graph: Graph) -> str:
    """The former ``to_ntriples``: rdflib's N-Triples serializer, lines sorted."""
    lines = reference_canonical(graph).serialize(format="nt").splitlines()
    return "".join(f"{line}\n" for line in sorted(set(lines)) if line.strip())


def reference_nquads(graphs: Mapping[URIRef, Graph]) -> str:
    """The former ``to_nquads``."""
    lines: set[str] = set()
    for name, graph in graphs.items():
        for line in reference_canonical(graph).serialize(format="nt").splitlines():
            if line.strip():
                lines.add(f"{line[: line.rstrip().rfind('.')].rstrip()} <{name}> .")
    return "".join(f"{line}\n" for line in sorted(lines))


def reference_trig(graphs: Mapping[URIRef, Graph]) -> str:
    """The former ``to_trig`` (which also indented the inner lines of multi-line strings)."""
    parts = []
    for name in sorted(graphs):
        body = reference_turtle(graphs[name])
        prefixes = [line for line in body.splitlines() if line.startswith("PREFIX ")]
        triples = [line for line in body.splitlines() if not line.startswith("PREFIX ")]
        parts.append((prefixes, name, triples))
    header = sorted({p for prefixes, _, _ in parts for p in prefixes})
    out = "\n".join(header) + "\n"
    for _, name, triples in parts:
        block = "\n".join("    " + t if t else "" for t in triples).strip("\n")
        out += f"\n<{name}> {{\n{block}\n}}\n"
    return out


def reference_jsonld(graph: Graph, context: Mapping[str, Any]) -> str:
    """The former ``to_jsonld``: pyld ``from_rdf`` then ``compact``, nodes and arrays sorted."""
    ctx = context["@context"]
    # pyld implements JSON-LD 1.1 compaction, including "@prefix": true for OBO's CL_ IRIs
    expanded = jsonld.from_rdf(reference_ntriples(graph), {"format": "application/n-quads"})
    doc = jsonld.compact(expanded, {"@context": ctx})
    nodes = doc.get("@graph", [doc] if "@id" in doc else [])
    body = {"@context": ctx, "@graph": sorted((_sorted_values(n) for n in nodes), key=_node_key)}
    return json.dumps(body, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _node_key(node: Any) -> str:
    return str(node.get("@id", "")) + json.dumps(node, sort_keys=True)


def _sorted_values(value: Any) -> Any:
    if isinstance(value, dict):  # arrays are unordered sets in JSON-LD, except @list
        return {k: ([_sorted_values(i) for i in v] if k == "@list" else _sorted_values(v)) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_values(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return value
