"""Ontology documentation: one anchored section per class, property and individual; no scripts."""

from __future__ import annotations

import re
import subprocess
import sys
from html import escape
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from regen_kg import build as pipeline
from regen_kg.diagram import model, model_svg
from regen_kg.docs import render_docs
from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import REGEN

from .conftest import ROOT


@pytest.fixture(scope="module")
def loaded(paths: ProjectPaths) -> pipeline.Loaded:
    return pipeline.load(paths)


@pytest.fixture(scope="module")
def html(loaded: pipeline.Loaded) -> str:
    return render_docs(loaded.ontology, loaded.mappings)["index.html"].decode("utf-8")


def ours(loaded: pipeline.Loaded, kind: URIRef) -> set[URIRef]:
    return {
        s for s in loaded.ontology.subjects(RDF.type, kind) if isinstance(s, URIRef) and str(s).startswith(str(REGEN))
    }


def section(html: str, anchor: str) -> str:
    match = re.search(rf'<section class="term" id="{re.escape(anchor)}">(.*?)</section>', html, re.S)
    assert match, f"no section for {anchor}"
    return match.group(1)


def test_every_class_has_its_own_anchored_section(loaded: pipeline.Loaded, html: str) -> None:
    classes = ours(loaded, OWL.Class)
    assert len(classes) > 100
    for cls in classes:
        local = str(cls)[len(str(REGEN)) :]
        assert html.count(f'id="{local}"') == 1, local
        body = section(html, local)
        label = str(loaded.ontology.value(cls, RDFS.label))
        definition = str(loaded.ontology.value(cls, SKOS.definition))
        assert escape(label) in body and escape(definition) in body, local


def test_properties_and_individuals_are_documented(loaded: pipeline.Loaded, html: str) -> None:
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in ours(loaded, kind):
            assert f'id="{str(prop)[len(str(REGEN)) :]}"' in html
    assert 'id="Improved"' in html and 'id="PRPAddedToCellOrFatTherapy"' in html


def test_hierarchy_source_and_mappings(html: str) -> None:
    msc = section(html, "MesenchymalStemCell")
    assert '<a href="#StemCell">stem cell</a>' in msc  # parent
    assert 'href="#AdiposeDerivedStemCell"' in msc  # child
    assert "Cell Ontology CL:0000134" in msc  # definition source
    assert "skos:exactMatch" in msc and "http://purl.obolibrary.org/obo/CL_0000134" in msc  # mapping
    assert "<em>value</em>" in msc  # the capableOf restriction, in words
    chain = section(html, "studiesIntervention")
    assert 'href="#hasArm"' in chain and 'href="#receivesIntervention"' in chain
    assert 'id="hierarchy"' in html and 'id="general-axioms"' in html


def test_self_contained_and_links_resolve(html: str) -> None:
    assert "<script" not in html.lower()
    assert "<link" not in html.lower() and "@import" not in html
    assert not re.search(r'src="https?:', html)
    ids = set(re.findall(r'id="([^"]+)"', html))
    for target in set(re.findall(r'href="#([^"]+)"', html)):
        assert target in ids, target


def test_reproducible_and_with_model_figure(loaded: pipeline.Loaded) -> None:
    svg = model_svg(loaded.ontology, loaded.data)
    first = render_docs(loaded.ontology, loaded.mappings, svg)
    second = render_docs(loaded.ontology, loaded.mappings, model_svg(loaded.ontology, loaded.data))
    assert first == second
    assert set(first) == {"index.html", "model.svg"}
    assert b'<img src="model.svg"' in first["index.html"]
    assert first["model.svg"].lstrip().startswith(b"<?xml") and b"<svg" in first["model.svg"]


def test_model_picture_shows_the_finding_pattern(loaded: pipeline.Loaded) -> None:
    m = model(loaded.ontology, loaded.data)
    edges = {(str(a)[len(str(REGEN)) :], str(b)[len(str(REGEN)) :]): labels for (a, b), labels in m.edges.items()}
    for target in ("Study", "SourceDocument", "Intervention", "Outcome", "Direction", "Timepoint"):
        assert ("EvidenceStatement", target) in edges, target
    assert "outcome" in edges[("EvidenceStatement", "Outcome")]  # a class used as a value: end found from use
    assert ("Mechanism", "Outcome") in edges and ("Study", "StudyArm") in edges
    assert (REGEN.Finding, REGEN.EvidenceStatement) in m.subclass_edges
    svg = model_svg(loaded.ontology, loaded.data).decode()
    for label in ("evidence statement", "finding", "claim", "about study", "stated in"):
        assert label in svg, label


def test_cli_docs_writes_index(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "regen_kg.cli", "--root", str(ROOT), "docs", "--out", str(tmp_path / "docs")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "docs" / "index.html").stat().st_size > 10_000
    assert (tmp_path / "docs" / "model.svg").is_file()
