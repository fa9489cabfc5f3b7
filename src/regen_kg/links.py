"""Links to external vocabularies: check every external IRI, report coverage, enrich from an endpoint."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from regen_kg.mappings import PREDICATES, MappingSet
from regen_kg.prefixes import REGEN, compact_iri, external_prefixes
from regen_kg.terms import ExternalTerm

OBO_PURL = "http://purl.obolibrary.org/obo/"
OBO_IN_OWL = "http://www.geneontology.org/formats/oboInOwl#"
#: Namespaces that hold external vocabulary terms; an IRI here must be a known, checked term.
EXTERNAL_NAMESPACES = (OBO_PURL, "http://id.nlm.nih.gov/mesh/")


@dataclass(frozen=True, order=True)
class LinkProblem:
    """One bad external link: which term, what kind of problem, and what to do."""

    term: str
    kind: str
    message: str


def _split(iri: str) -> tuple[str, str] | None:
    """(prefix, local id) of an external IRI, or None when no known vocabulary claims it."""
    best: tuple[str, str] | None = None
    for prefix, record in external_prefixes().items():
        if iri.startswith(record.uri_prefix) and (best is None or len(record.uri_prefix) > len(best[0])):
            best = (record.uri_prefix, prefix)
    if best is None:
        return None
    return best[1], iri[len(best[0]) :]


def external_iris(graph: Graph) -> set[URIRef]:
    """Every IRI in ``graph`` that lies in an external vocabulary namespace."""
    found: set[URIRef] = set()
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and str(term).startswith(EXTERNAL_NAMESPACES):
                found.add(term)
    return found


def check_links(
    graph: Graph, terms: Mapping[URIRef, ExternalTerm], mapping_sets: Iterable[MappingSet] = ()
) -> list[LinkProblem]:
    """Known prefix, local id matching the vocabulary's pattern, listed in the term table, and the
    label shown (rdfs:label in the graph, object_label in SSSOM) equal to the checked label."""
    problems: list[LinkProblem] = []
    for iri in sorted(external_iris(graph)):
        shown = compact_iri(str(iri))
        split = _split(str(iri))
        if split is None:
            problems.append(LinkProblem(str(iri), "unknown prefix", "no known vocabulary has this IRI prefix"))
            continue
        prefix, local = split
        record = external_prefixes()[prefix]
        if not record.matches(local):
            problems.append(
                LinkProblem(
                    shown, "malformed id", f"local id {local!r} does not match {prefix}'s pattern {record.pattern}"
                )
            )
            continue
        term = terms.get(iri)
        if term is None:
            problems.append(
                LinkProblem(shown, "not in term table", "not in data/vocab/external-terms.tsv; verify it and add it")
            )
            continue
        for label in graph.objects(iri, RDFS.label):
            if str(label) != term.label:
                problems.append(
                    LinkProblem(
                        shown, "wrong label", f"shown as {str(label)!r}; the vocabulary's label is {term.label!r}"
                    )
                )
    for mapping_set in mapping_sets:
        for m in mapping_set.mappings:
            try:
                from regen_kg.prefixes import expand_curie

                term = terms.get(expand_curie(m.object_id))
            except ValueError:
                continue  # reported above through the graph
            if term is not None and m.object_label != term.label:
                problems.append(
                    LinkProblem(
                        m.object_id,
                        "wrong label",
                        f"SSSOM object_label {m.object_label!r} differs from the vocabulary's label {term.label!r}",
                    )
                )
    return sorted(set(problems))


@dataclass
class Coverage:
    per_vocabulary: dict[str, int]
    unmapped: list[str]
    mapped: int
    total: int


def coverage(ontology: Graph, mappings: Graph) -> Coverage:
    """How many of our classes each vocabulary maps, and which of our classes have no mapping."""
    ours = sorted(
        c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and str(c).startswith(str(REGEN))
    )
    by_vocab: dict[str, set[URIRef]] = defaultdict(set)
    mapped: set[URIRef] = set()
    for predicate in PREDICATES.values():
        for s, o in mappings.subject_objects(predicate):
            if isinstance(s, URIRef) and s in ours:
                split = _split(str(o))
                by_vocab[split[0] if split else "?"].add(s)
                mapped.add(s)
    return Coverage(
        per_vocabulary={k: len(v) for k, v in sorted(by_vocab.items())},
        unmapped=[compact_iri(str(c)) for c in ours if c not in mapped],
        mapped=len(mapped),
        total=len(ours),
    )


@dataclass(frozen=True, order=True)
class Enrichment:
    """What an endpoint says about one of our external terms, and how it differs from the table."""

    term: str
    table_label: str
    endpoint_label: str
    synonyms: tuple[str, ...]
    xrefs: tuple[str, ...]

    @property
    def label_differs(self) -> bool:
        return bool(self.endpoint_label) and self.endpoint_label != self.table_label

    @property
    def missing(self) -> bool:
        return not self.endpoint_label


def enrich(store: object, iris: Iterable[URIRef], terms: Mapping[URIRef, ExternalTerm]) -> list[Enrichment]:
    """Fetch labels, synonyms and cross-references for ``iris`` from a SPARQL store
    (``store.query(text)``), one query for all terms, and compare labels with the term table."""
    wanted = sorted(set(iris))
    if not wanted:
        return []
    values = " ".join(f"<{i}>" for i in wanted)
    text = f"""SELECT ?s ?p ?o WHERE {{
        VALUES ?s {{ {values} }}
        VALUES ?p {{ <{RDFS.label}> <{SKOS.prefLabel}> <{SKOS.altLabel}> <{OBO_IN_OWL}hasExactSynonym>
                    <{OBO_IN_OWL}hasRelatedSynonym> <{OBO_IN_OWL}hasDbXref> }}
        ?s ?p ?o .
    }}"""
    found: dict[URIRef, dict[str, set[str]]] = {i: defaultdict(set) for i in wanted}
    for row in store.query(text):  # type: ignore[attr-defined]
        s, p, o = row
        if not isinstance(o, Literal) and not isinstance(o, URIRef):
            continue
        kind = {
            str(RDFS.label): "label",
            str(SKOS.prefLabel): "label",
            f"{OBO_IN_OWL}hasDbXref": "xref",
        }.get(str(p), "synonym")
        found[URIRef(str(s))][kind].add(str(o))
    out = []
    for iri in wanted:
        got = found[iri]
        table = terms[iri].label if iri in terms else ""
        labels = sorted(got["label"])
        endpoint_label = table if table in labels else (labels[0] if labels else "")
        out.append(
            Enrichment(
                term=compact_iri(str(iri)),
                table_label=table,
                endpoint_label=endpoint_label,
                synonyms=tuple(sorted(got["synonym"])),
                xrefs=tuple(sorted(got["xref"])),
            )
        )
    return out
