"""The dataset description (W3C HCLS profile: VoID + DCAT + dcterms), generated from the graph."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, VOID, XSD

from regen_kg.memstore import tally
from regen_kg.prefixes import BASE, ONTOLOGY_IRI, PAV, bind_all

DATASET = URIRef(BASE + "dataset")


def describe_dataset(
    asserted: Graph | Sequence[Graph], inferred: Graph, distributions: Mapping[str, str], ontology: Graph
) -> Graph:
    """VoID/DCAT description: version, licence, issued date, counts, partitions, distributions.

    ``asserted`` is the asserted graph, or the graphs whose union it is (counted without a copy).

    ``distributions`` maps a file name to its media type. Version and dates come from the
    ontology header, so the description is reproducible from the same inputs.
    """
    g = bind_all(Graph())
    version = ontology.value(ONTOLOGY_IRI, OWL.versionInfo) or Literal("unversioned")
    issued = ontology.value(ONTOLOGY_IRI, DCTERMS.issued)
    license_ = ontology.value(ONTOLOGY_IRI, DCTERMS.license)
    d = DATASET
    g.add((d, RDF.type, VOID.Dataset))
    g.add((d, RDF.type, DCAT.Dataset))
    g.add((d, DCTERMS.title, Literal("regen-kg: evidence on regenerative therapies for facial skin aging", lang="en")))
    g.add(
        (
            d,
            DCTERMS.description,
            Literal(
                "Studies, arms, interventions, findings of primary publications and claims of a secondary review "
                "on stem-cell and platelet-rich-plasma therapies for facial skin aging, with the OWL 2 ontology "
                "that describes them and the OWL 2 RL inferences drawn from both.",
                lang="en",
            ),
        )
    )
    g.add((d, PAV.version, Literal(str(version))))
    g.add((d, OWL.versionInfo, Literal(str(version))))
    if issued is not None:
        g.add((d, DCTERMS.issued, issued))
    if license_ is not None:
        g.add((d, DCTERMS.license, license_))
    g.add((d, DCTERMS.publisher, Literal("regen-kg contributors")))
    g.add((d, VOID.uriSpace, Literal(BASE)))
    g.add((d, VOID.vocabulary, URIRef(str(ONTOLOGY_IRI) + "/")))
    _counts(g, d, asserted, prefix="asserted")
    subset = URIRef(f"{BASE}dataset/inferred")
    g.add((d, VOID.subset, subset))
    g.add((subset, RDF.type, VOID.Dataset))
    g.add((subset, DCTERMS.title, Literal("OWL 2 RL inferences", lang="en")))
    g.add((subset, VOID.triples, Literal(len(inferred), datatype=XSD.integer)))
    for name, media in sorted(distributions.items()):
        dist = URIRef(f"{BASE}dataset/{name}")
        g.add((d, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, RDF.type, VOID.Dataset))
        g.add((dist, DCTERMS.title, Literal(name)))
        g.add((dist, DCAT.mediaType, Literal(media)))
        g.add((dist, DCTERMS.format, Literal(media)))
        g.add((dist, DCAT.downloadURL, URIRef(f"{BASE}dist/{version}/{name}")))
        if license_ is not None:
            g.add((dist, DCTERMS.license, license_))
    return g


def _counts(g: Graph, d: URIRef, graphs: Graph | Sequence[Graph], prefix: str) -> None:
    counted = tally(graphs) if isinstance(graphs, Graph) else tally(*graphs)
    g.add((d, VOID.triples, Literal(counted.triples, datatype=XSD.integer)))
    g.add((d, VOID.distinctSubjects, Literal(counted.subjects, datatype=XSD.integer)))
    g.add((d, VOID.distinctObjects, Literal(counted.objects, datatype=XSD.integer)))
    classes, properties = counted.classes, counted.properties
    g.add((d, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    g.add((d, VOID.properties, Literal(len(properties), datatype=XSD.integer)))
    for i, (cls, n) in enumerate(sorted(classes.items(), key=lambda kv: str(kv[0])), start=1):
        part = URIRef(f"{BASE}dataset/{prefix}/class/{i:03d}")
        g.add((d, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    for i, (prop, n) in enumerate(sorted(properties.items(), key=lambda kv: str(kv[0])), start=1):
        part = URIRef(f"{BASE}dataset/{prefix}/property/{i:03d}")
        g.add((d, VOID.propertyPartition, part))
        g.add((part, VOID.property, prop))
        g.add((part, VOID.triples, Literal(n, datatype=XSD.integer)))
