"""External links: verified mappings, SSSOM round trip, prefix checks, link check, enrichment."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDFS, SKOS

from regen_kg import build as pipeline
from regen_kg.errors import InputError
from regen_kg.links import check_links, coverage, enrich
from regen_kg.mappings import read_sssom
from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import (
    MalformedCurie,
    check_curie,
    expand_curie,
    prefix_table_text,
    refresh_external_prefixes,
)
from regen_kg.queries import load_catalogue, run_query
from regen_kg.store import GraphStore, open_store
from regen_kg.terms import load_terms

from .conftest import ROOT
from .helpers import edit
from .oxigraph_server import oxigraph

OBO = "http://purl.obolibrary.org/obo/"


@pytest.fixture(scope="module")
def terms(paths: ProjectPaths):  # type: ignore[no-untyped-def]
    return load_terms(paths.external_terms)


def test_shipped_graph_passes_the_link_check(built: pipeline.Built, terms) -> None:  # type: ignore[no-untyped-def]
    graph = built.loaded.asserted + built.inferred
    assert check_links(graph, terms, built.loaded.mapping_sets) == []


def test_the_graphs_side_by_side_give_the_problems_of_their_union(built: pipeline.Built, terms) -> None:  # type: ignore[no-untyped-def]
    """``links check`` reads the asserted and inferred graphs side by side, without a union copy."""
    wrong = Graph()
    wrong.add((URIRef(OBO + "CL_0000134"), RDFS.label, Literal("mesenchymal stromal thing")))
    parts = [*built.loaded.parts_of_asserted, built.inferred, wrong]
    union = Graph()
    for part in parts:
        union += part
    problems = check_links(union, terms)
    assert [p.kind for p in problems] == ["wrong label"]
    assert check_links(ReadOnlyGraphAggregate(parts), terms) == problems


@pytest.mark.parametrize(
    ("iri", "label", "kind"),
    [
        (OBO + "XYZ_0000001", None, "unknown prefix"),
        (OBO + "CL_abc", None, "malformed id"),
        (OBO + "CL_9999999", None, "not in term table"),  # well-formed, but not a checked term
        (OBO + "CL_0000134", "mesenchymal stromal thing", "wrong label"),
    ],
)
def test_link_check_names_each_bad_term(terms, iri: str, label: str | None, kind: str) -> None:  # type: ignore[no-untyped-def]
    g = Graph()
    g.add((URIRef("https://w3id.org/regen-kg/ontology/MesenchymalStemCell"), SKOS.exactMatch, URIRef(iri)))
    if label:
        g.add((URIRef(iri), RDFS.label, Literal(label)))
    problems = check_links(g, terms)
    assert [p.kind for p in problems] == [kind]
    assert problems[0].term in (iri, "CL:abc", "CL:9999999", "CL:0000134")


def test_links_check_command_fails_on_a_wrong_sssom_label(project_copy: ProjectPaths) -> None:
    edit(project_copy.data / "mappings" / "regen.sssom.tsv", "CL:0000233\tplatelet\t", "CL:0000233\tblood plate\t")
    out = subprocess.run(
        [sys.executable, "-m", "regen_kg.cli", "--root", str(project_copy.root), "links", "check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 1
    assert "CL:0000233" in out.stdout and "wrong label" in out.stdout


@pytest.mark.parametrize("curie", ["CL:abc", "MESH:abc", "UBERON:abc", "GO:00001"])
def test_malformed_curies_are_rejected(curie: str) -> None:
    with pytest.raises(MalformedCurie):
        check_curie(curie)


def test_well_formed_curies_expand_to_canonical_iris() -> None:
    assert str(expand_curie("CL:0000134")) == OBO + "CL_0000134"
    assert str(expand_curie("MESH:D059630")) == "http://id.nlm.nih.gov/mesh/D059630"
    assert str(expand_curie("UBERON:1000021")) == OBO + "UBERON_1000021"


def test_malformed_curie_in_sssom_names_file_and_line(project_copy: ProjectPaths) -> None:
    path = project_copy.data / "mappings" / "regen.sssom.tsv"
    edit(path, "skos:exactMatch\tCL:0000134\t", "skos:exactMatch\tCL:abc\t")
    with pytest.raises(InputError) as info:
        read_sssom(path)
    assert info.value.location.path == path
    assert path.read_text().splitlines()[info.value.location.line - 1].count("CL:abc") == 1
    assert "CL's pattern" in info.value.message


def test_sssom_rejects_equivalence_predicates(project_copy: ProjectPaths) -> None:
    path = project_copy.data / "mappings" / "regen.sssom.tsv"
    edit(path, "skos:exactMatch\tCL:0000134\t", "owl:equivalentClass\tCL:0000134\t")
    with pytest.raises(InputError, match="not one of skos:exactMatch"):
        read_sssom(path)


def test_sssom_round_trip_is_lossless(built: pipeline.Built, paths: ProjectPaths) -> None:
    shipped = (paths.data / "mappings" / "regen.sssom.tsv").read_text()
    assert pipeline.sssom_text(built) == shipped


def test_sssom_validates_with_the_sssom_package(paths: ProjectPaths) -> None:
    from sssom.constants import SchemaValidationType
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    msdf = parse_sssom_table(paths.data / "mappings" / "regen.sssom.tsv")
    assert len(msdf.df) == 92
    reports = validate(
        msdf, [SchemaValidationType.JsonSchema, SchemaValidationType.PrefixMapCompleteness], fail_on_error=False
    )
    assert all(not report.results for report in reports.values())
    assert set(msdf.df["predicate_id"]) <= {
        "skos:exactMatch",
        "skos:closeMatch",
        "skos:broadMatch",
        "skos:narrowMatch",
        "skos:relatedMatch",
    }


def test_every_mapping_uses_a_verified_term_with_its_label(paths: ProjectPaths, terms) -> None:  # type: ignore[no-untyped-def]
    shared = ROOT.parent / "shared" / "vocab" / "verified-terms.tsv"
    verified = {}
    if shared.exists():  # the shared table the shipped one was taken from
        for line in shared.read_text().splitlines()[1:]:
            cols = line.split("\t")
            verified[cols[0]] = cols[1]
    for m in read_sssom(paths.data / "mappings" / "regen.sssom.tsv").mappings:
        assert terms[expand_curie(m.object_id)].label == m.object_label
        if verified:
            assert verified[m.object_id] == m.object_label


def test_prefix_table_matches_bioregistry(paths: ProjectPaths) -> None:
    assert (paths.data / "vocab" / "prefixes.tsv").read_text() == prefix_table_text(refresh_external_prefixes())


def test_coverage_report(built: pipeline.Built) -> None:
    cov = coverage(built.loaded.ontology, built.loaded.mappings)
    assert cov.per_vocabulary["CL"] == 6  # stem, MSC, ADSC, BM-MSC, dermal fibroblast, platelet
    assert "regen:SplitFaceStudy" in cov.unmapped
    assert "regen:MesenchymalStemCell" not in cov.unmapped


@pytest.mark.parametrize("external", ["CL:0000134", "MESH:D059630", "NCIT:C43423"])
def test_cross_vocabulary_parameter_gives_the_same_studies(
    store: GraphStore, paths: ProjectPaths, external: str
) -> None:
    query = load_catalogue(paths)["studies-by-cell-type"]
    ours = {r["study"] for r in run_query(store, query, {"cellType": "regen:MesenchymalStemCell"}).rows}
    theirs = {r["study"] for r in run_query(store, query, {"cellType": external}).rows}
    assert ours and theirs == ours


def test_cross_vocabulary_adipose_cell(store: GraphStore, paths: ProjectPaths) -> None:
    query = load_catalogue(paths)["studies-by-cell-type"]
    rows = run_query(store, query, {"cellType": "CL:0002570"}).rows
    assert "study:shin-2018" not in {r["study"] for r in rows}
    assert "study:amirkhani-2016" in {r["study"] for r in rows}


FIXTURE = """
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
# A small stand-in for a vocabulary endpoint. Values are made up to exercise the comparison.
obo:CL_0000134 rdfs:label "mesenchymal stem cell" ; oio:hasExactSynonym "synonym one" ;
    oio:hasDbXref "XREF:1" .
obo:CL_0000233 rdfs:label "a renamed platelet" .
"""


def test_enrich_reports_differences_from_a_local_endpoint(terms) -> None:  # type: ignore[no-untyped-def]
    import urllib.request

    with oxigraph(union_default_graph=False) as base:
        request = urllib.request.Request(
            f"{base}/store?default", data=FIXTURE.encode(), method="POST", headers={"Content-Type": "text/turtle"}
        )
        urllib.request.urlopen(request, timeout=30).close()
        iris = [URIRef(OBO + "CL_0000134"), URIRef(OBO + "CL_0000233"), URIRef(OBO + "GO_0038001")]
        found = {e.term: e for e in enrich(open_store(f"sparql:{base}/query"), iris, terms)}
    assert not found["CL:0000134"].label_differs
    assert found["CL:0000134"].synonyms == ("synonym one",)
    assert found["CL:0000134"].xrefs == ("XREF:1",)
    assert found["CL:0000233"].label_differs and found["CL:0000233"].endpoint_label == "a renamed platelet"
    assert found["GO:0038001"].missing


def test_jsonld_compacts_obo_iris_to_curies(built: pipeline.Built, paths: ProjectPaths) -> None:
    text = pipeline.render(built, paths)["regen-kg.jsonld"].decode()
    assert '"CL:0000134"' in text and '"MESH:D059630"' in text
    assert "purl.obolibrary.org/obo/CL_0000134" not in text.split('"@graph"')[1]


def test_links_report_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "regen_kg.cli", "--root", str(ROOT), "links", "report"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0
    assert "CL" in out.stdout and "classes with no mapping" in out.stdout


def test_export_sssom_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "m.sssom.tsv"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "regen_kg.cli",
            "--root",
            str(ROOT),
            "export",
            "--format",
            "sssom",
            "--out",
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert target.read_text() == (ROOT / "data" / "mappings" / "regen.sssom.tsv").read_text()
