"""The graph store behind one small interface: named graphs in, SPARQL out.

``open_store("memory")`` gives the embedded rdflib store; other backends (Oxigraph, a remote
SPARQL endpoint) implement the same protocol and are chosen by the same selector string.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from rdflib import Dataset, Graph, URIRef
from rdflib.query import Result

from regen_kg.prefixes import GRAPH, bind_all

ONTOLOGY_GRAPH = GRAPH.ontology
DATA_GRAPH = GRAPH.data
INFERRED_GRAPH = GRAPH.inferred


class GraphStore(Protocol):
    """What every backend offers: load named graphs, answer SPARQL over their union."""

    def load(self, graphs: Mapping[URIRef, Graph]) -> None: ...

    def query(self, sparql: str, bindings: Mapping[str, Any] | None = None) -> Result: ...

    def dataset(self) -> Dataset: ...


class MemoryStore:
    """rdflib's in-memory dataset; the default graph is the union of the named graphs."""

    def __init__(self) -> None:
        self._dataset = bind_all(Dataset(default_union=True))  # type: ignore[arg-type]

    def load(self, graphs: Mapping[URIRef, Graph]) -> None:
        for name, graph in graphs.items():
            target = self._dataset.graph(name)
            target.remove((None, None, None))
            for triple in graph:
                target.add(triple)

    def query(self, sparql: str, bindings: Mapping[str, Any] | None = None) -> Result:
        return self._dataset.query(sparql, initBindings=dict(bindings or {}))

    def dataset(self) -> Dataset:
        return self._dataset


def open_store(selector: str = "memory") -> GraphStore:
    """The backend named by ``selector``: ``memory`` (rdflib, embedded)."""
    if selector in ("memory", "rdflib"):
        return MemoryStore()
    raise ValueError(f"unknown store {selector!r}; choose one of: memory")
