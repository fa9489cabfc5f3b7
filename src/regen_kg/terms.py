"""The external vocabulary terms the graph cites, read from the shipped, verified term table."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

from regen_kg.errors import InputError, Location, RegenError
from regen_kg.prefixes import compact_iri, expand_curie, external_prefixes


@dataclass(frozen=True)
class ExternalTerm:
    curie: str
    label: str
    vocabulary: str
    evidence: str

    @property
    def iri(self) -> URIRef:
        return curie_to_iri(self.curie)


def curie_to_iri(curie: str) -> URIRef:
    """The IRI of an external CURIE; raises ValueError for an unknown prefix or malformed id."""
    prefix = curie.partition(":")[0]
    if prefix not in external_prefixes():
        raise ValueError(f"{curie!r} is not in a known external vocabulary")
    return expand_curie(curie)


def load_terms(path: Path) -> dict[URIRef, ExternalTerm]:
    """Every row of the term table, by IRI; a malformed row names its line."""
    terms: dict[URIRef, ExternalTerm] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        for line, row in enumerate(reader, start=2):
            try:
                term = ExternalTerm(row["curie"], row["label"], row["vocabulary"], row["evidence"])
                terms[term.iri] = term
            except (KeyError, ValueError, TypeError) as exc:
                raise InputError(Location(path, line), f"bad term-table row: {exc}") from exc
    return terms


def is_external(iri: URIRef) -> bool:
    """Whether ``iri`` is in one of the external vocabularies' namespaces."""
    return str(iri).startswith(_external_namespaces())


@lru_cache(maxsize=1)
def _external_namespaces() -> tuple[str, ...]:
    return tuple(r.uri_prefix for r in external_prefixes().values())


def label_external_terms(
    graph: Graph | Iterable[Iterable[tuple[Node, Node, Node]]], terms: dict[URIRef, ExternalTerm]
) -> Graph:
    """rdfs:label triples for every external term ``graph`` (or the graphs, or lists of triples)
    uses; an unknown term is an error."""
    graphs = [graph] if isinstance(graph, Graph) else list(graph)
    nodes: set[URIRef] = set()
    for triples in graphs:
        for s, _p, o in triples:
            if isinstance(s, URIRef):  # literals and blank nodes left out before the set compares them
                nodes.add(s)
            if isinstance(o, URIRef):
                nodes.add(o)
    used = {n for n in nodes if is_external(n)}
    unknown = sorted(compact_iri(str(i)) for i in used if i not in terms)
    if unknown:
        raise RegenError(
            "external terms not in data/vocab/external-terms.tsv: "
            + ", ".join(unknown)
            + ". Verify each against its vocabulary and add it with its label and source; never guess."
        )
    labels = Graph()
    for iri in sorted(used):
        labels.add((iri, RDFS.label, Literal(terms[iri].label)))
    return labels
