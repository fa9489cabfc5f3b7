"""The stored queries as RDF (SHACL SPARQL executables), so the endpoint lists its own examples."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from regen_kg.dataset import DATASET
from regen_kg.prefixes import BASE, SCHEMA, SH, bind_all
from regen_kg.queries import StoredQuery

QUERY_BASE = BASE + "query/"
_KIND = {
    "SELECT": (SH.SPARQLSelectExecutable, SH.select),
    "CONSTRUCT": (SH.SPARQLConstructExecutable, SH.construct),
    "ASK": (SH.SPARQLAskExecutable, SH.ask),
}


def catalogue_graph(queries: Iterable[StoredQuery]) -> Graph:
    """One ``sh:SPARQLExecutable`` per ``.rq`` file; the files stay the single source."""
    g = bind_all(Graph())
    for q in queries:
        node = URIRef(QUERY_BASE + q.name)
        kind, text_property = _KIND.get(q.form, _KIND["SELECT"])
        g.add((node, RDF.type, SH.SPARQLExecutable))
        g.add((node, RDF.type, kind))
        g.add((node, RDFS.label, Literal(q.title, lang="en")))
        g.add((node, RDFS.comment, Literal(q.question or q.title, lang="en")))
        if q.description:
            g.add((node, DCTERMS.description, Literal(q.description, lang="en")))
        g.add((node, text_property, Literal(q.text)))
        g.add((node, SCHEMA.target, DATASET))
        for keyword in q.keywords:
            g.add((node, SCHEMA.keywords, Literal(keyword)))
        for p in q.params:
            g.add(
                (
                    node,
                    SCHEMA.variableMeasured,
                    Literal(
                        f"{p.name} ({p.type}{', default ' + p.default if p.default else ''}): {p.description}".strip()
                    ),
                )
            )
    return g
