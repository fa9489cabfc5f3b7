"""The build writes every format, deterministically, and the formats describe the same graph."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyld import jsonld
from rdflib import Dataset, Graph, Literal, URIRef, namespace
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, VOID

from regen_kg import build as pipeline
from regen_kg.dataset import DATASET
from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import GRAPH

from .conftest import ROOT

EXPECTED_FILES = {
    "regen-kg.ttl",
    "regen-kg.jsonld",
    "regen-kg-full.nt",
    "regen-kg.trig",
    "regen-kg.nq",
    "inferred.ttl",
    "queries.ttl",
    "context.jsonld",
    "void.ttl",
    "shacl-report.ttl",
    "shacl-report.txt",
    "SHA256SUMS",
    "mappings.sssom.tsv",
}


@pytest.fixture(scope="module")
def outputs(built: pipeline.Built, paths: ProjectPaths) -> dict[str, bytes]:
    return pipeline.render(built, paths)


def test_every_output_is_rendered(outputs: dict[str, bytes]) -> None:
    assert set(outputs) == EXPECTED_FILES
    assert all(outputs[name] for name in outputs)


def test_turtle_is_the_asserted_graph(outputs: dict[str, bytes], built: pipeline.Built) -> None:
    g = Graph().parse(data=outputs["regen-kg.ttl"], format="turtle")
    assert isomorphic(g, built.loaded.asserted)


def test_jsonld_and_turtle_describe_the_same_graph(outputs: dict[str, bytes]) -> None:
    turtle = Graph().parse(data=outputs["regen-kg.ttl"], format="turtle")
    # expanded by an independent JSON-LD processor (pyld), not rdflib
    doc = json.loads(outputs["regen-kg.jsonld"])
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    from_pyld = Graph().parse(data=nquads, format="nquads")
    assert isomorphic(from_pyld, turtle)
    # and rdflib's own JSON-LD parser reads the same graph
    assert isomorphic(Graph().parse(data=outputs["regen-kg.jsonld"], format="json-ld"), turtle)
    # and compact: our terms and prefixes are used
    text = outputs["regen-kg.jsonld"].decode()
    assert '"study:lee-2014"' in text
    assert '"hasArm"' in text


def test_full_ntriples_hold_asserted_and_inferred(outputs: dict[str, bytes], built: pipeline.Built) -> None:
    g = Graph().parse(data=outputs["regen-kg-full.nt"], format="nt")
    assert len(g) == len(built.loaded.asserted | built.inferred)
    lines = outputs["regen-kg-full.nt"].decode().splitlines()
    assert lines == sorted(lines)


def test_trig_and_nquads_hold_named_graphs(outputs: dict[str, bytes], built: pipeline.Built) -> None:
    for name, fmt in (("regen-kg.trig", "trig"), ("regen-kg.nq", "nquads")):
        ds = Dataset()
        ds.parse(data=outputs[name], format=fmt)
        names = {g.identifier for g in ds.graphs() if len(g)}
        assert {GRAPH.ontology, GRAPH.data, GRAPH.mappings, GRAPH.inferred, GRAPH.queries} <= names
        assert len(ds.graph(GRAPH.inferred)) == len(built.inferred)
        assert isomorphic(ds.graph(GRAPH.data), built.loaded.data)


def test_dataset_description(outputs: dict[str, bytes], built: pipeline.Built) -> None:
    g = Graph().parse(data=outputs["void.ttl"], format="turtle")
    assert (DATASET, RDF.type, VOID.Dataset) in g and (DATASET, RDF.type, namespace.DCAT.Dataset) in g
    triples = g.value(DATASET, VOID.triples)
    assert triples is not None and int(triples) == len(built.loaded.asserted)
    assert int(g.value(DATASET, VOID.distinctSubjects)) == len(set(built.loaded.asserted.subjects()))
    assert g.value(DATASET, URIRef("http://purl.org/pav/version")) == Literal("0.1.0")
    assert g.value(DATASET, URIRef("http://purl.org/dc/terms/license")) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    media = {str(g.value(d, namespace.DCAT.mediaType)) for d in g.objects(DATASET, namespace.DCAT.distribution)}
    assert media == {
        "text/turtle",
        "application/ld+json",
        "application/n-triples",
        "application/trig",
        "application/n-quads",
    }
    partitions = {g.value(p, VOID["class"]) for p in g.objects(DATASET, VOID.classPartition)}
    assert URIRef("https://w3id.org/regen-kg/ontology/Finding") in partitions


def test_context_is_shipped_and_current(outputs: dict[str, bytes], paths: ProjectPaths) -> None:
    shipped = paths.context.read_bytes()
    assert shipped == outputs["context.jsonld"], "ontology/context.jsonld is stale: copy dist/context.jsonld over it"


def test_build_is_byte_identical_across_runs(tmp_path: Path) -> None:
    """Two builds in separate processes, with different hash seeds, write identical files."""
    digests = []
    for seed in ("1", "2"):
        out = tmp_path / f"dist{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "regen_kg.cli", "--root", str(ROOT), "build", "--out", str(out)],
            check=True,
            env=env,
            capture_output=True,
        )
        digests.append((out / "SHA256SUMS").read_text())
    assert digests[0] == digests[1]


def test_one_fact_change_is_a_one_line_turtle_diff(project_copy: ProjectPaths, built: pipeline.Built) -> None:
    from .helpers import edit

    before = pipeline.render(built, project_copy)["regen-kg.ttl"].decode().splitlines()
    edit(project_copy.data / "studies" / "lee-2014.yaml", "sample_size: 25", "sample_size: 26")
    after = pipeline.render(pipeline.run(project_copy), project_copy)["regen-kg.ttl"].decode().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1 and "regen:sampleSize" in changed[0][0]


def test_build_runs_the_quality_checks_and_stops_on_errors(project_copy: ProjectPaths, tmp_path: Path) -> None:
    from .helpers import edit

    # a deprecated term still used by records is a QC error (qc/profile.txt), though SHACL accepts it
    edit(
        project_copy.ontology / "regen.ttl",
        'rdfs:label "microneedling"@en ;',
        'rdfs:label "microneedling"@en ;\n    owl:deprecated true ;',
    )
    out = tmp_path / "dist"
    with pytest.raises(pipeline.QCFailed, match="Microneedling"):
        pipeline.build(project_copy, out)
    assert not out.exists()


def test_build_writes_the_qc_report(built: pipeline.Built, paths: ProjectPaths, tmp_path: Path) -> None:
    _, written = pipeline.build(paths, tmp_path / "dist")
    names = {p.name for p in written}
    assert {"qc-report.txt", "qc-report.tsv"} <= names
    sums = (tmp_path / "dist" / "SHA256SUMS").read_text()
    assert "qc-report.txt" in sums and "SHA256SUMS" not in sums
