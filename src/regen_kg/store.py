"""The graph store behind one small interface: named graphs in, SPARQL out.

``open_store("memory")`` gives the embedded rdflib store; other backends (Oxigraph, a remote
SPARQL endpoint) implement the same protocol and are chosen by the same selector string.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any, Protocol

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.query import Result
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

from regen_kg.errors import RegenError
from regen_kg.prefixes import GRAPH, bind_all

ONTOLOGY_GRAPH = GRAPH.ontology
DATA_GRAPH = GRAPH.data
INFERRED_GRAPH = GRAPH.inferred
QUERIES_GRAPH = GRAPH.queries
MAPPINGS_GRAPH = GRAPH.mappings


class GraphStore(Protocol):
    """What every backend offers: load named graphs, answer SPARQL over their union."""

    def load(self, graphs: Mapping[URIRef, Graph]) -> None: ...

    def query(self, sparql: str, bindings: Mapping[str, Any] | None = None) -> Result: ...

    def dataset(self) -> Dataset: ...


class MemoryStore:
    """rdflib's in-memory dataset; the default graph is the union of the named graphs."""

    def __init__(self) -> None:
        self._dataset = bind_all(Dataset(default_union=True))

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


class EndpointStore:
    """A remote SPARQL 1.1 endpoint, queried through SPARQLWrapper (read-only here)."""

    def __init__(self, url: str, *, timeout: int = 60) -> None:
        self.url = url
        self.timeout = timeout

    def load(self, graphs: Mapping[URIRef, Graph]) -> None:
        raise RegenError("a remote endpoint is read-only here; use 'regen-kg publish' to load a store")

    def query(self, sparql: str, bindings: Mapping[str, Any] | None = None) -> Result:
        if bindings:
            raise RegenError("bind parameters into the query text before sending it to an endpoint")
        client = SPARQLWrapper(self.url)
        client.setMethod(POST)
        client.setTimeout(self.timeout)
        client.setQuery(sparql)
        # SPARQLWrapper guesses the form from keywords, comments included; parse it instead
        client.queryType = query_form(sparql)
        graph_form = client.queryType in ("CONSTRUCT", "DESCRIBE")
        client.setReturnFormat(TURTLE if graph_form else JSON)
        try:
            raw = client.query().response.read()
        except Exception as exc:  # SPARQLWrapper raises many kinds; all mean the same to a user
            raise RegenError(f"SPARQL endpoint {self.url} failed: {exc}") from exc
        if graph_form:
            result = Result(client.queryType)
            result.graph = Graph().parse(data=raw, format="turtle")
            return result
        return Result.parse(io.BytesIO(raw), format="json")

    def dataset(self) -> Dataset:
        raise RegenError("a remote endpoint's dataset cannot be copied; query it instead")


def query_form(sparql: str) -> str:
    """SELECT, CONSTRUCT, ASK or DESCRIBE, from the parsed query (raises on a syntax error)."""
    parsed = parseQuery(sparql)
    name = str(parsed[1].name)  # e.g. "SelectQuery"
    return name.removesuffix("Query").upper()


def open_store(selector: str = "memory") -> GraphStore:
    """The backend named by ``selector``: ``memory``/``rdflib`` or ``oxigraph`` (embedded), or ``sparql:URL``."""
    if selector in ("memory", "rdflib"):
        return MemoryStore()
    if selector == "oxigraph":
        from regen_kg.oxstore import OxigraphStore

        return OxigraphStore()
    if selector.startswith("sparql:"):
        return EndpointStore(selector[len("sparql:") :])
    if selector.startswith(("http://", "https://")):
        return EndpointStore(selector)
    raise ValueError(f"unknown store {selector!r}; choose memory, oxigraph or sparql:URL")
