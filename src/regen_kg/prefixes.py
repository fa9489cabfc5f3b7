"""Namespaces and the project's one prefix map (ontology, data, queries, JSON-LD, CLI)."""

from __future__ import annotations

from typing import TypeVar

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

BASE = "https://w3id.org/regen-kg/"
REGEN = Namespace(BASE + "ontology/")
ONTOLOGY_IRI = URIRef(BASE + "ontology")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
MESH = Namespace("http://id.nlm.nih.gov/mesh/")
SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("https://schema.org/")
PAV = Namespace("http://purl.org/pav/")

#: Kinds of record IRIs minted under ``id/``: each gets its own prefix (``study:gentile-2017``).
RECORD_KINDS = (
    "study",
    "arm",
    "intervention",
    "material",
    "finding",
    "claim",
    "publication",
    "limitation",
    "recommendation",
    "timepoint",
)

#: OBO vocabularies whose IRIs are ``http://purl.obolibrary.org/obo/{PREFIX}_{ID}``.
OBO_PREFIXES = ("CL", "UBERON", "GO", "HP", "NCIT", "ECO", "OBI", "RO", "BFO", "OAE", "UO")


def record_namespace(kind: str) -> Namespace:
    """The namespace of one kind of record, e.g. ``.../id/study/``."""
    if kind not in RECORD_KINDS:
        raise ValueError(f"unknown record kind {kind!r}")
    return Namespace(f"{ID}{kind}/")


def prefix_map() -> dict[str, str]:
    """Every prefix the project declares, mapped to its namespace IRI."""
    pm: dict[str, str] = {
        "regen": str(REGEN),
        "rdf": str(RDF),
        "rdfs": str(RDFS),
        "owl": str(OWL),
        "xsd": str(XSD),
        "skos": str(SKOS),
        "dcterms": str(DCTERMS),
        "prov": str(PROV),
        "void": str(VOID),
        "dcat": str(DCAT),
        "sh": str(SH),
        "schema": str(SCHEMA),
        "pav": str(PAV),
        "MESH": str(MESH),
    }
    for kind in RECORD_KINDS:
        pm[kind] = str(record_namespace(kind))
    for prefix in OBO_PREFIXES:
        pm[prefix] = f"{OBO}{prefix}_"
    return pm


G = TypeVar("G", bound=Graph)


def bind_all(graph: G) -> G:
    """Bind the project's prefixes on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, namespace in prefix_map().items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """``PREFIX`` declarations for every project prefix, for ad-hoc queries."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefix_map().items()))


def expand_curie(text: str) -> URIRef:
    """Expand ``prefix:local`` or ``<iri>`` or a full IRI into a URIRef; raise ValueError."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    if text.startswith(("http://", "https://")):
        return URIRef(text)
    prefix, sep, local = text.partition(":")
    pm = prefix_map()
    if not sep or prefix not in pm:
        known = ", ".join(sorted(pm))
        raise ValueError(f"{text!r} is not an IRI or a CURIE with a known prefix ({known})")
    return URIRef(pm[prefix] + local)


def compact_iri(iri: str) -> str:
    """The shortest CURIE for ``iri`` under the project's prefixes, else the IRI itself."""
    best = iri
    for prefix, namespace in prefix_map().items():
        if iri.startswith(namespace):
            curie = f"{prefix}:{iri[len(namespace) :]}"
            if len(curie) < len(best):
                best = curie
    return best
