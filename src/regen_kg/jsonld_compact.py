"""Compact JSON-LD built directly from triples, without pyld's general (and slow) machinery.

:func:`compact_document` gives what ``pyld.jsonld.from_rdf`` (default options) followed by
``pyld.jsonld.compact`` gives, with the project's sorting applied (nodes by ``@id``, keys sorted,
arrays sorted except ``@list``). It follows pyld 2.0's JSON-LD 1.1 algorithms for the contexts this
project writes (regen_kg.context): prefix terms (``"@prefix": true``), property terms coerced to
``"@type": "@id"`` (or to a datatype) and plain ``@id`` terms. That covers

* RDF to JSON-LD: ``rdf:type`` IRIs as ``@type``, literals as value objects (no native types),
  well-formed RDF lists as ``@list`` with pyld's exact rules for which nodes a list absorbs;
* term selection by value kind (IRI, plain string, language-tagged or typed literal, list),
  compact IRIs (shortest, then least, usable prefix), ``@type`` values, single values unwrapped.

A context outside that subset is compacted by the ``fallback`` (pyld) as a whole; a node holding
something the direct path does not reproduce (an RDF list inside a list, an ``rdf:JSON`` literal, a
relative IRI, an IRI pyld rejects as confusable with a compact IRI) is compacted by the fallback alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cmp_to_key
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any, cast

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
#: compacts a list of expanded node objects with pyld; returns the compacted nodes
Fallback = Callable[[list[dict[str, Any]], Mapping[str, Any]], list[dict[str, Any]]]

_XSD_STRING = XSD.string  # a URIRef: URIRef.__eq__ is False for any plain str
_RDF_JSON = RDF.JSON
#: predicates as plain strings, as the node map keys them
_RDF_TYPE = str(RDF.type)
_RDF_FIRST = str(RDF.first)
_RDF_REST = str(RDF.rest)
_RDF_NIL = RDF.nil
_RDF_LIST = RDF.List
#: the key under which a node's rdf:type IRIs are kept (not an IRI, so no predicate collides)
_TYPES = "@type"
#: an IRI pyld leaves as it is when compacting against an empty base: it has a scheme or an authority
_ABSOLUTE = re.compile(r"[^:/?#]+:|//")
#: a simple (string) term is a prefix when its IRI ends with one of these (JSON-LD 1.1)
_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")

#: a subject as the node map keys it: an IRI as its plain string, a blank node as its term
Subject = str | Node
#: (subject, predicate, object): one value of one node, as pyld's node map holds it
ValueKey = tuple[Subject, str, Node]


#: kinds of term, as :data:`KIND` gives them (IRI is 0, so ``if KIND[type(t)]`` means "not an IRI")
IRI, BLANK, LITERAL, OTHER = 0, 1, 2, 3


class _Kinds(dict[type, int]):
    """``KIND[type(term)]``: the kind of an rdflib term. rdflib terms are ABCs, which makes
    ``isinstance`` on them slow; this caches the answer per concrete type."""

    def __missing__(self, cls: type) -> int:
        kind = (
            BLANK
            if issubclass(cls, BNode)
            else LITERAL
            if issubclass(cls, Literal)
            else IRI
            if issubclass(cls, URIRef)
            else OTHER
        )
        self[cls] = kind
        return kind


KIND = _Kinds()


class UnsupportedContext(ValueError):
    """The @context uses a feature the direct compaction does not implement."""


class _Fallback(Exception):
    """This node needs pyld."""


@dataclass(frozen=True)
class _Term:
    name: str
    iri: str
    #: "@id", a datatype IRI, or None
    type: str | None
    prefix: bool


def _shortest_least(a: str, b: str) -> int:
    return (len(a) > len(b)) - (len(a) < len(b)) or (a > b) - (a < b)


class Compactor:
    """The active context of one JSON-LD @context, with pyld's inverse context and IRI compaction."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        if not isinstance(context, Mapping):
            raise UnsupportedContext("the @context is not a single object")
        raw: dict[str, Any] = {}
        for key, value in context.items():
            if key == "@version":
                if value != 1.1:
                    raise UnsupportedContext(f"@version {value!r}")
                continue
            if key.startswith("@") or ":" in key or "/" in key or not key:
                raise UnsupportedContext(f"context key {key!r}")
            raw[key] = value
        self.terms: dict[str, _Term] = {}
        for name in raw:
            self._define(name, raw, set())
        self._prefixes = [(t.name, t.iri) for t in self.terms.values() if t.prefix and t.iri]
        self._confusable = tuple(f"{t.name}:" for t in self.terms.values() if t.prefix)
        # when no prefix IRI starts another, an IRI has at most one prefix: one regex match finds it
        best: dict[str, str] = {}
        for name, namespace in self._prefixes:
            if namespace not in best or _shortest_least(name, best[namespace]) < 0:
                best[namespace] = name
        nested = any(a != b and b.startswith(a) for a in best for b in best)
        self._prefix_of = best
        self._one_prefix = (
            re.compile("|".join(re.escape(ns) for ns in sorted(best, key=len, reverse=True))).match
            if best and not nested
            else None
        )
        # inverse context: IRI -> "@type"/"@language"/"@any" -> key -> term (shortest, then least term first)
        self.inverse: dict[str, dict[str, dict[str, str]]] = {}
        for name in sorted(self.terms, key=cmp_to_key(_shortest_least)):
            term = self.terms[name]
            entry = self.inverse.setdefault(term.iri, {"@language": {}, "@type": {}, "@any": {}})
            entry["@any"].setdefault("@none", name)
            if term.type is not None:
                entry["@type"].setdefault(term.type, name)
            else:
                entry["@language"].setdefault("@none", name)  # no default language: "@none" twice
                entry["@type"].setdefault("@none", name)
        self.iri_cache: dict[str, str] = {}
        self._vocab_cache: dict[str, str] = {}
        self._key_cache: dict[tuple[str, str, str], tuple[str, str | None]] = {}

    def _define(self, name: str, raw: Mapping[str, Any], defining: set[str]) -> _Term:
        if name in self.terms:
            return self.terms[name]
        if name in defining:
            raise UnsupportedContext(f"cyclic term {name!r}")
        defining.add(name)
        value = raw[name]
        if isinstance(value, str):
            iri = self._expand(value, raw, defining)
            term = _Term(name, iri, None, iri.endswith(_GEN_DELIMS))
        elif isinstance(value, Mapping):
            if set(value) - {"@id", "@type", "@prefix"} or not isinstance(value.get("@id"), str):
                raise UnsupportedContext(f"term {name!r}: {sorted(value)}")
            iri = self._expand(value["@id"], raw, defining)
            kind = value.get("@type")
            if kind is not None:
                if not isinstance(kind, str) or kind in ("@vocab", "@none", "@json") or kind.startswith("_:"):
                    raise UnsupportedContext(f"term {name!r}: @type {kind!r}")
                kind = kind if kind == "@id" else self._expand(kind, raw, defining)
            prefix = value.get("@prefix", False)
            if not isinstance(prefix, bool):
                raise UnsupportedContext(f"term {name!r}: @prefix {prefix!r}")
            term = _Term(name, iri, kind, prefix)
        else:
            raise UnsupportedContext(f"term {name!r}")
        if iri.startswith("@") or iri.startswith("_:") or _ABSOLUTE.match(iri) is None:
            raise UnsupportedContext(f"term {name!r}: @id {iri!r}")
        self.terms[name] = term
        return term

    def _expand(self, value: str, raw: Mapping[str, Any], defining: set[str]) -> str:
        """A term's IRI mapping: a compact IRI over a prefix term, or an absolute IRI."""
        prefix, colon, suffix = value.partition(":")
        if not colon:
            raise UnsupportedContext(f"IRI mapping {value!r}")
        if prefix in raw and not suffix.startswith("//"):
            parent = self._define(prefix, raw, defining)
            if not parent.prefix:  # pyld and the spec differ on non-prefix parents: not needed here
                raise UnsupportedContext(f"{value!r} expands over the non-prefix term {prefix!r}")
            return parent.iri + suffix
        return value

    # --- IRI compaction --------------------------------------------------------------------

    def _curie(self, iri: str) -> str:
        """The shortest, then least, usable compact IRI for ``iri``; else ``iri`` itself."""
        best: str | None = None
        if self._one_prefix is not None:
            m = self._one_prefix(iri)
            if m is not None and m.end() < len(iri):
                best = f"{self._prefix_of[m.group()]}:{iri[m.end() :]}"
            return self._not_confusable(iri) if best is None else best
        for name, namespace in self._prefixes:
            if len(iri) > len(namespace) and iri.startswith(namespace):
                candidate = f"{name}:{iri[len(namespace) :]}"
                if candidate not in self.terms and (best is None or _shortest_least(candidate, best) < 0):
                    best = candidate
        return self._not_confusable(iri) if best is None else best

    def _not_confusable(self, iri: str) -> str:
        """``iri`` kept whole, unless pyld would reject it as looking like a compact IRI."""
        if self._confusable and iri.startswith(self._confusable):
            raise _Fallback(f"IRI {iri!r} could be confused with a compact IRI")
        return iri

    def iri(self, iri: str) -> str:
        """An ``@id`` value (vocab false): compact IRI, else the IRI (relative to no base)."""
        found = self.iri_cache.get(iri)
        if found is None:
            if _ABSOLUTE.match(iri) is None:
                raise _Fallback(f"relative IRI {iri!r}")
            found = self.iri_cache[iri] = self._curie(iri)
        return found

    def vocab(self, iri: str) -> str:
        """An ``@type`` value or a datatype (vocab true, no value): a term, else compact IRI."""
        found = self._vocab_cache.get(iri)
        if found is None:
            found = self._select(iri, "@type", ("@id", "@none")) or self._curie(iri)
            self._vocab_cache[iri] = found
        return found

    def _select(self, iri: str, kind: str, preferred: Iterable[str]) -> str | None:
        entry = self.inverse.get(iri)
        if entry is not None:
            options = entry[kind]
            for choice in preferred:
                if choice in options:
                    return options[choice]
        return None

    def key(self, prop: str, kind: str, choice: str) -> tuple[str, str | None]:
        """The key for a value of ``prop`` of the given kind, and that key's type coercion.

        ``kind``/``choice``: "@type"/"@id" for a node reference, "@type"/<datatype> for a typed
        literal, "@language"/<tag> or "@language"/"@null" for a string, "@any"/"@none" for an empty list."""
        cached = self._key_cache.get((prop, kind, choice))
        if cached is None:
            iri = str(prop)  # a plain str: URIRef.__eq__ never equals a str key
            term = self._select(iri, kind, (choice, "@none"))
            cached = (self._curie(iri), None) if term is None else (term, self.terms[term].type)
            self._key_cache[(prop, kind, choice)] = cached
        return cached


# --- RDF to JSON-LD node map ------------------------------------------------------------------


def _node_id(term: Subject) -> str:
    return f"_:{term}" if KIND[type(term)] == BLANK else str(term)


class _NodeMap:
    """pyld's ``_from_rdf`` for the default graph: nodes by subject, and RDF lists found as pyld finds them.

    Subjects and predicates are keyed by their plain strings (blank nodes by their term):
    ``str.__eq__`` runs in C where ``URIRef.__eq__`` is Python, and equal terms are often distinct objects."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.nodes: dict[Subject, dict[str, list[Node]]] = {}
        #: (subject, predicate) of the values rdf:nil
        self._nil_usages: dict[tuple[Subject, str], None] = {}
        #: blank node -> its one reference, or None if referenced more than once
        self._blank_refs: dict[Subject, ValueKey | None] = {}
        is_nil = {_RDF_NIL}  # a set lookup hashes in C and compares only on a hash match
        nodes, usages, blank_refs = self.nodes, self._nil_usages, self._blank_refs
        kind = KIND
        for s, p, o in triples:
            subject: Subject = s if kind[type(s)] else str(s)
            props = nodes.get(subject)
            if props is None:
                props = nodes[subject] = {}
            key = str(p)
            object_kind = kind[type(o)]
            if object_kind != LITERAL:
                if key == _RDF_TYPE:
                    key = _TYPES
                elif o in is_nil:
                    usages[(subject, key)] = None
                elif object_kind == BLANK:
                    blank_refs[o] = None if o in blank_refs else (subject, key, o)
            objects = props.get(key)
            if objects is None:
                props[key] = [o]
            else:
                objects.append(o)
        if self._deduplicate():
            self._blank_refs = {o: r for o, r in self._references().items() if KIND[type(o)] == BLANK}
        self.lists: dict[ValueKey, list[ValueKey]] = {}
        self.removed: set[Subject] = set()
        if self._nil_usages:
            self._convert_lists()

    def _deduplicate(self) -> bool:
        """Drop repeated triples (a union of graphs may repeat some); say if there were any."""
        found = False
        for props in self.nodes.values():
            for key, objects in props.items():
                if len(objects) > 1 and len(set(objects)) != len(objects):
                    props[key] = list(dict.fromkeys(objects))
                    found = True
        return found

    def _references(self, among: set[Subject] | None = None) -> dict[Subject, ValueKey | None]:
        """Nodes referenced as objects (not by rdf:type, not rdf:nil), keyed as subjects are:
        their one reference, or None."""
        refs: dict[Subject, ValueKey | None] = {}
        for s, props in self.nodes.items():
            for p, objects in props.items():
                if p is _TYPES:
                    continue
                for o in objects:
                    object_kind = KIND[type(o)]
                    if object_kind == LITERAL or o == _RDF_NIL:
                        continue
                    key: Subject = o if object_kind else str(o)
                    if among is None or key in among:
                        refs[key] = None if key in refs else (s, p, o)
        return refs

    def _convert_lists(self) -> None:
        """pyld walks back from each use of rdf:nil through well-formed list nodes; the value it
        reaches becomes the ``@list`` of their rdf:first values and the list nodes are dropped."""
        refs: dict[Subject, ValueKey | None] = dict(self._blank_refs)
        named: set[Subject] = {s for s, props in self.nodes.items() if _RDF_REST in props and type(s) is str}
        if named:  # IRIs can be list nodes too, for pyld
            refs.update(self._references(named))
        for s, p in self._nil_usages:
            node: Subject = s
            prop = p
            head: ValueKey = (s, p, _RDF_NIL)
            items: list[ValueKey] = []
            while prop == _RDF_REST and self._list_node(node, refs):
                items.append((node, _RDF_FIRST, self.nodes[node][_RDF_FIRST][0]))
                self.removed.add(node)
                ref = refs[node]
                assert ref is not None
                node, prop, _ = head = ref
                if not _node_id(node).startswith("_:"):
                    break
            items.reverse()
            self.lists[head] = items

    def _list_node(self, node: Subject, refs: Mapping[Subject, ValueKey | None]) -> bool:
        """pyld's well-formed list node: referenced once, one rdf:first, one rdf:rest, nothing else
        but an optional ``rdf:type rdf:List``."""
        if refs.get(node) is None:
            return False
        props = self.nodes.get(node, {})
        first, rest = props.get(_RDF_FIRST), props.get(_RDF_REST)
        if first is None or rest is None or len(first) != 1 or len(rest) != 1:
            return False
        return len(props) == 2 or (len(props) == 3 and props.get(_TYPES) == [_RDF_LIST])

    def subjects(self) -> list[Subject]:
        return [s for s in self.nodes if s not in self.removed] if self.removed else list(self.nodes)

    # --- expanded form, for the fallback -------------------------------------------------------

    def expanded(self, subject: Subject) -> dict[str, Any]:
        node: dict[str, Any] = {"@id": _node_id(subject)}
        for p, objects in self.nodes[subject].items():
            if p is _TYPES:
                node["@type"] = [_node_id(o) for o in objects]
            else:
                node[p] = [self._expanded_value((subject, p, o)) for o in objects]
        return node

    def _expanded_value(self, key: ValueKey) -> dict[str, Any]:
        items = self.lists.get(key)
        if items is not None:
            return {"@list": [self._expanded_value(i) for i in items]}
        term = key[2]
        if KIND[type(term)] != LITERAL:
            return {"@id": _node_id(term)}
        o = cast(Literal, term)
        value: dict[str, Any] = {"@value": str(o)}
        if o.language:
            value["@language"] = o.language
        elif o.datatype is not None and o.datatype != _XSD_STRING:
            if o.datatype == _RDF_JSON:
                value["@value"] = json.loads(str(o))
                value["@type"] = "@json"
            else:
                value["@type"] = str(o.datatype)
        return value


# --- compaction -------------------------------------------------------------------------------


def _json_key(value: Any) -> str:
    """The sort key of an array item: its ``json.dumps(..., sort_keys=True)``."""
    return encode_basestring_ascii(value) if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _sorted_array(values: list[Any]) -> list[Any]:
    return sorted(values, key=_json_key)


class _NodeCompactor:
    """Compacts the nodes of a node map, one at a time."""

    def __init__(self, compactor: Compactor, nodes: _NodeMap) -> None:
        self.c = compactor
        self.map = nodes
        #: predicate -> (key, coerced to @id) for IRI and blank-node values
        self._reference_keys: dict[str, tuple[str, bool]] = {}
        #: predicate -> key for plain string values
        self._string_keys: dict[str, str] = {}

    def _compact_id(self, term: Subject) -> str:
        return self.c.iri(_node_id(term))

    def node(self, subject: Subject) -> dict[str, Any]:
        c = self.c
        iri_cache = c.iri_cache
        kind = KIND
        lists = self.map.lists
        out: dict[str, Any] = {"@id": self._compact_id(subject)}
        for p, objects in self.map.nodes[subject].items():
            if p is _TYPES:
                types = [c.vocab(_node_id(t)) for t in objects]
                out["@type"] = types[0] if len(types) == 1 else _sorted_array(types)
                continue
            for o in objects:
                value: Any
                object_kind = kind[type(o)]
                if object_kind == LITERAL:
                    key, value = self._literal_value(p, cast(Literal, o))
                elif lists and (subject, p, o) in lists:
                    key, value = self._list(p, lists[(subject, p, o)])
                else:
                    found = self._reference_keys.get(p)
                    if found is None:
                        key, coerce = c.key(p, "@type", "@id")
                        found = self._reference_keys[p] = (key, coerce == "@id")
                    key = found[0]
                    if object_kind:
                        compacted = self._compact_id(o)
                    else:
                        text = str(o)  # a plain str key: URIRef.__eq__ is Python, str's is C
                        compacted = iri_cache.get(text) or c.iri(text)
                    value = compacted if found[1] else {"@id": compacted}
                present = out.get(key)
                if present is None:
                    out[key] = value
                elif type(present) is list:
                    present.append(value)
                else:
                    out[key] = [present, value]
        for key, value in out.items():
            if type(value) is list and key != "@type":
                out[key] = _sorted_array(value)
        return out

    def _literal_value(self, prop: str, o: Literal) -> tuple[str, Any]:
        lexical = str(o)
        language = o.language
        if language:
            return self.c.key(prop, "@language", language)[0], {"@language": language, "@value": lexical}
        datatype = o.datatype
        if datatype is None or datatype == _XSD_STRING:
            key = self._string_keys.get(prop)
            if key is None:
                key = self._string_keys[prop] = self.c.key(prop, "@language", "@null")[0]
            return key, lexical
        if datatype == _RDF_JSON:
            raise _Fallback("rdf:JSON literal")
        key, coerce = self.c.key(prop, "@type", str(datatype))
        return key, self._literal(lexical, str(datatype), coerce)

    def _reference(self, o: Node, coerce: str | None) -> Any:
        compacted = self._compact_id(o)
        return compacted if coerce == "@id" else {"@id": compacted}

    def _literal(self, lexical: str, datatype: str, coerce: str | None) -> Any:
        if coerce == datatype:
            return lexical
        return {"@type": self.c.vocab(datatype), "@value": lexical}

    def _list(self, prop: str, items: list[ValueKey]) -> tuple[str, Any]:
        """A ``@list`` value: pyld picks one term for the whole list from its items' kinds."""
        if any(i in self.map.lists for i in items):
            raise _Fallback("a list inside a list")
        objects = [i[2] for i in items]
        if not objects:
            kind, choice = "@any", "@none"
        else:
            kind, choice = _list_kind(objects)
        key, coerce = self.c.key(prop, kind, choice)
        compacted = []
        for o in objects:
            if not isinstance(o, Literal):
                compacted.append(self._reference(o, coerce))
            elif o.language:
                compacted.append({"@language": o.language, "@value": str(o)})
            elif o.datatype is None or o.datatype == _XSD_STRING:
                compacted.append(str(o))
            elif o.datatype == _RDF_JSON:
                raise _Fallback("rdf:JSON literal")
            else:
                compacted.append(self._literal(str(o), str(o.datatype), coerce))
        return key, {"@list": compacted}


def _list_kind(objects: list[Node]) -> tuple[str, str]:
    """pyld's common type or language of a non-empty list's items."""
    common_language: str | None = None
    common_type: str | None = None
    for o in objects:
        language, kind = "@none", "@none"
        is_value = isinstance(o, Literal)
        if isinstance(o, Literal):
            if o.language:
                language = o.language
            elif o.datatype is not None and o.datatype != _XSD_STRING:
                kind = str(o.datatype)
            else:
                language = "@null"
        else:
            kind = "@id"
        if common_language is None:
            common_language = language
        elif language != common_language and is_value:
            common_language = "@none"
        if common_type is None:
            common_type = kind
        elif kind != common_type:
            common_type = "@none"
        if common_language == "@none" and common_type == "@none":
            break
    if common_type is not None and common_type != "@none":
        return "@type", common_type
    return "@language", common_language or "@none"


# --- the document -----------------------------------------------------------------------------


def _sorted_values(value: Any) -> Any:
    """Arrays sorted by their items' JSON, except ``@list`` (as regen_kg.export.reference_jsonld)."""
    if isinstance(value, dict):
        return {k: ([_sorted_values(i) for i in v] if k == "@list" else _sorted_values(v)) for k, v in value.items()}
    if isinstance(value, list):
        return _sorted_array([_sorted_values(v) for v in value])
    return value


def _sort_nodes(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Nodes by ``str(@id) + json.dumps(node, sort_keys=True)``; ``@id + "{"`` orders the same
    (every dump starts with "{") unless two ids tie or an id holds "{"."""
    ids = [str(n.get("@id", "")) for n in nodes]
    if len(set(ids)) == len(ids) and not any("{" in i for i in ids):
        return [n for _, n in sorted(zip((i + "{" for i in ids), nodes, strict=True), key=lambda pair: pair[0])]
    return sorted(nodes, key=lambda n: str(n.get("@id", "")) + json.dumps(n, sort_keys=True))


def compact_document(triples: Iterable[Triple], context: Mapping[str, Any], *, fallback: Fallback) -> str:
    """The compact JSON-LD document of ``triples`` (blank nodes already labelled canonically) under
    ``context`` (``{"@context": {...}}``): ``{"@context": ..., "@graph": [nodes sorted]}``, indented."""
    return "".join(compact_pieces(triples, context, fallback=fallback))


def compact_pieces(triples: Iterable[Triple], context: Mapping[str, Any], *, fallback: Fallback) -> Iterator[str]:
    """The text of :func:`compact_document` in pieces of :data:`NODES_PER_PIECE` nodes: the
    nodes are all made first (they are sorted), but their text is never held whole."""
    ctx = context["@context"]
    node_map = _NodeMap(triples)
    subjects = node_map.subjects()
    try:
        compactor = Compactor(ctx)
    except UnsupportedContext:
        nodes = [_sorted_values(n) for n in fallback([node_map.expanded(s) for s in subjects], context)]
    else:
        direct = _NodeCompactor(compactor, node_map)
        nodes = []
        for s in subjects:
            try:
                nodes.append(direct.node(s))
            except _Fallback:
                nodes += [_sorted_values(n) for n in fallback([node_map.expanded(s)], context)]
    if len(nodes) == 1 and ctx:
        # pyld returns a lone node with the @context inside it, and reference_jsonld keeps it there
        nodes[0] = {"@context": _sorted_values(ctx), **nodes[0]}
    yield from _document(ctx, _sort_nodes(nodes))


#: nodes of ``@graph`` written per piece of text
NODES_PER_PIECE = 2_000


def _document(ctx: Any, nodes: list[dict[str, Any]]) -> Iterator[str]:
    """``dumps({"@context": ctx, "@graph": nodes})`` in pieces, with a fast path for the usual
    node shapes."""
    out = ['{\n  "@context": ']
    _emit(ctx, "  ", out)
    out.append(',\n  "@graph": ')
    if nodes:
        out.append("[\n    ")
        for i, node in enumerate(nodes):
            if i:
                out.append(",\n    ")
                if not i % NODES_PER_PIECE:
                    yield "".join(out)
                    out.clear()
            _emit_node(node, out)
        out.append("\n  ]")
    else:
        out.append("[]")
    out.append("\n}\n")
    yield "".join(out)


_NODE_KEY = ",\n      "
_NODE_ITEM = ",\n        "


def _emit_node(node: dict[str, Any], out: list[str]) -> None:
    """One node of ``@graph`` (at indent 4): as :func:`_emit`, inlined for strings and arrays of them."""
    encode = encode_basestring
    separator = "{\n      "
    for key in sorted(node):
        value = node[key]
        out.append(f"{separator}{encode(key)}: ")
        separator = _NODE_KEY
        if type(value) is str:
            out.append(encode(value))
        elif type(value) is list and value and all(type(v) is str for v in value):
            out.append("[\n        " + _NODE_ITEM.join(map(encode, value)) + "\n      ]")
        else:
            _emit(value, "      ", out)
    out.append("\n    }" if node else "{}")


def dumps(value: Any) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\\n"``, faster: the
    standard library's indenting encoder is pure Python."""
    out: list[str] = []
    _emit(value, "", out)
    out.append("\n")
    return "".join(out)


def _emit(value: Any, indent: str, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        separator = "{\n" + inner
        for key in sorted(value):
            out.append(separator)
            out.append(encode_basestring(key))
            out.append(": ")
            _emit(value[key], inner, out)
            separator = ",\n" + inner
        out.append("\n" + indent + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        separator = "[\n" + inner
        for item in value:
            out.append(separator)
            _emit(item, inner, out)
            separator = ",\n" + inner
        out.append("\n" + indent + "]")
    else:
        out.append(json.dumps(value))
