"""Namespaces and the project's one prefix map (ontology, data, queries, JSON-LD, CLI)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

if TYPE_CHECKING:
    import curies


#: the IRIs made through ``shared_iri`` in this process, one object each
_IRIS: dict[str, URIRef] = {}


def shared_iri(value: str) -> URIRef:
    """The one ``URIRef`` of ``value`` in this process. Namespace terms and IRIs read back from
    the build cache are made through it: dictionaries keyed by terms then find them by identity
    instead of calling rdflib's ``__eq__``."""
    found = _IRIS.get(value)
    if found is None:
        found = _IRIS[value] = URIRef(value)
    return found


class CachedNamespace(Namespace):
    """A ``Namespace`` whose ``ns.name`` IRIs are made once (``shared_iri``): rdflib makes a new
    ``URIRef`` per access, and the same object each time also makes later set and dict lookups
    cheaper."""

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):  # copy, pickle and friends probe for these
            raise AttributeError(name)
        term = shared_iri(str(self.term(name)))
        self.__dict__[name] = term
        return term


BASE = "https://w3id.org/regen-kg/"
REGEN = CachedNamespace(BASE + "ontology/")
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
    "agent",
)

#: OBO vocabularies whose IRIs are ``http://purl.obolibrary.org/obo/{PREFIX}_{ID}``.
OBO_PREFIXES = ("CL", "UBERON", "GO", "HP", "NCIT", "ECO", "OBI", "RO", "BFO", "OAE", "UO")
#: The external vocabularies, by canonical prefix -> bioregistry prefix.
EXTERNAL = {p: p.lower() for p in OBO_PREFIXES} | {"MESH": "mesh"}
#: MeSH IRIs are the NLM's linked-data IRIs, one of the URI prefixes bioregistry lists for MeSH.
MESH_URI_PREFIX = "http://id.nlm.nih.gov/mesh/"


@dataclass(frozen=True)
class PrefixRecord:
    """An external vocabulary: canonical prefix, IRI prefix and local-id pattern (from bioregistry)."""

    prefix: str
    uri_prefix: str
    pattern: str
    name: str
    license: str
    bioregistry: str

    def matches(self, local_id: str) -> bool:
        return re.fullmatch(self.pattern.removeprefix("^").removesuffix("$"), local_id) is not None


_COLUMNS = ("prefix", "uri_prefix", "pattern", "name", "license", "bioregistry")


def prefix_table_file() -> Path:
    """The prefix table of the checkout (or of $REGEN_KG_ROOT): data/vocab/prefixes.tsv."""
    from regen_kg.paths import project_paths

    return project_paths().data / "vocab" / "prefixes.tsv"


@lru_cache(maxsize=1)
def external_prefixes() -> dict[str, PrefixRecord]:
    """The external vocabularies of ``data/vocab/prefixes.tsv`` (generated from bioregistry)."""
    with prefix_table_file().open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return {row["prefix"]: PrefixRecord(**{k: row[k] for k in _COLUMNS}) for row in rows}


def refresh_external_prefixes() -> list[PrefixRecord]:
    """Derive the external prefix records from bioregistry (needs the ``bioregistry`` package)."""
    import bioregistry

    records = []
    for prefix, key in sorted(EXTERNAL.items()):
        resource = bioregistry.get_resource(key)
        if resource is None:
            raise ValueError(f"bioregistry has no record for {key!r}")
        uri_prefix = bioregistry.get_uri_prefix(key)
        if prefix == "MESH":
            if MESH_URI_PREFIX not in resource.get_uri_prefixes():
                raise ValueError("bioregistry no longer lists the NLM linked-data IRIs for MeSH")
            uri_prefix = MESH_URI_PREFIX
        records.append(
            PrefixRecord(
                prefix,
                str(uri_prefix),
                str(bioregistry.get_pattern(key)),
                str(resource.get_name()),
                str(resource.get_license() or ""),
                key,
            )
        )
    return records


def prefix_table_text(records: list[PrefixRecord]) -> str:
    lines = [
        "# External vocabulary prefixes, generated from bioregistry by 'regen-kg links prefixes'; do not edit.",
        "\t".join(_COLUMNS),
    ]
    lines += ["\t".join(getattr(r, c) for c in _COLUMNS) for r in records]
    return "\n".join(lines) + "\n"


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
    pm["semapv"] = "https://w3id.org/semapv/vocab/"
    for prefix, record in external_prefixes().items():
        pm[prefix] = record.uri_prefix
    return pm


@lru_cache(maxsize=1)
def converter() -> curies.Converter:
    """A ``curies`` converter over the project prefix map (expand and compress CURIEs)."""
    import curies  # imported on first use: most commands never convert a CURIE

    return curies.Converter.from_prefix_map(prefix_map())


class MalformedCurie(ValueError):
    """A CURIE whose prefix is unknown or whose local id does not match the vocabulary's pattern."""


def check_curie(curie: str) -> None:
    """Raise MalformedCurie unless ``curie`` has a known prefix and, for external vocabularies,
    a local id matching the vocabulary's pattern (a three-digit CL id or a MeSH id without its letter fails)."""
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in prefix_map():
        raise MalformedCurie(f"{curie!r}: unknown prefix {prefix!r}")
    record = external_prefixes().get(prefix)
    if record is not None and not record.matches(local):
        raise MalformedCurie(f"{curie!r}: local id {local!r} does not match {prefix}'s pattern {record.pattern}")


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
    check_curie(text)
    return URIRef(pm[prefix] + local)


@lru_cache(maxsize=1)
def _namespaces() -> tuple[tuple[str, str], ...]:
    return tuple(prefix_map().items())


@lru_cache(maxsize=1 << 16)
def compact_iri(iri: str) -> str:
    """The shortest CURIE for ``iri`` under the project's prefixes, else the IRI itself (memoised:
    query results repeat the same IRIs many times)."""
    best = iri
    for prefix, namespace in _namespaces():
        if iri.startswith(namespace):
            curie = f"{prefix}:{iri[len(namespace) :]}"
            if len(curie) < len(best):
                best = curie
    return best
