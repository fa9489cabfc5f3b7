"""Serializations: canonical, byte-stable Turtle, N-Triples, JSON-LD, TriG and N-Quads."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from pyld import jsonld
from rdflib import Graph, URIRef
from rdflib.compare import to_canonical_graph

from regen_kg.prefixes import bind_all

FORMATS = ("ttl", "jsonld", "nt", "trig", "nq")
MEDIA_TYPES = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "trig": "application/trig",
    "nq": "application/n-quads",
}


def canonical(graph: Graph) -> Graph:
    """A copy of ``graph`` with blank nodes relabelled deterministically and prefixes bound."""
    out = Graph()
    for triple in to_canonical_graph(graph):
        out.add(triple)
    return bind_all(out)


def to_turtle(graph: Graph) -> str:
    """Long-form Turtle, subjects and objects sorted: a one-fact change is a one-line diff."""
    return canonical(graph).serialize(format="longturtle")


def to_ntriples(graph: Graph) -> str:
    lines = canonical(graph).serialize(format="nt").splitlines()
    return "".join(f"{line}\n" for line in sorted(set(lines)) if line.strip())


def to_nquads(graphs: Mapping[URIRef, Graph]) -> str:
    lines: set[str] = set()
    for name, graph in graphs.items():
        for line in canonical(graph).serialize(format="nt").splitlines():
            if line.strip():
                lines.add(f"{line[: line.rstrip().rfind('.')].rstrip()} <{name}> .")
    return "".join(f"{line}\n" for line in sorted(lines))


def to_trig(graphs: Mapping[URIRef, Graph]) -> str:
    """TriG with one block per named graph, each in sorted long-form Turtle."""
    parts = []
    for name in sorted(graphs):
        body = to_turtle(graphs[name])
        prefixes = [line for line in body.splitlines() if line.startswith("PREFIX ")]
        triples = [line for line in body.splitlines() if not line.startswith("PREFIX ")]
        parts.append((prefixes, name, triples))
    header = sorted({p for prefixes, _, _ in parts for p in prefixes})
    out = "\n".join(header) + "\n"
    for _, name, triples in parts:
        block = "\n".join("    " + t if t else "" for t in triples).strip("\n")
        out += f"\n<{name}> {{\n{block}\n}}\n"
    return out


def to_jsonld(graph: Graph, context: Mapping[str, Any]) -> str:
    """Compact JSON-LD with the shipped @context, nodes sorted by @id, keys sorted."""
    ctx = context["@context"]
    # pyld implements JSON-LD 1.1 compaction, including "@prefix": true for OBO's CL_ IRIs
    expanded = jsonld.from_rdf(to_ntriples(graph), {"format": "application/n-quads"})
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


Writer = Callable[[Graph], str]


def serialize(fmt: str, graphs: Mapping[URIRef, Graph], context: Mapping[str, Any]) -> str:
    """Serialize the union of ``graphs`` (or, for trig/nq, the named graphs) in ``fmt``."""
    if fmt == "trig":
        return to_trig(graphs)
    if fmt == "nq":
        return to_nquads(graphs)
    union = Graph()
    for graph in graphs.values():
        for triple in graph:
            union.add(triple)
    if fmt == "ttl":
        return to_turtle(union)
    if fmt == "nt":
        return to_ntriples(union)
    if fmt == "jsonld":
        return to_jsonld(union, context)
    raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
