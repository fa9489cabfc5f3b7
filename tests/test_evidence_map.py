"""The evidence map: one marker per (intervention class, outcome) cell of the evidence-map query.

The expected number of cells is counted here from the graph, the way the stored query defines a
cell: every evidence statement with an intervention and an outcome falls in the cell of the most
specific ``regen:`` class(es) of its intervention and its exact outcome.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from regen_kg import build as pipeline
from regen_kg.evidence_map import DESIGNS, DIRECTIONS, Cell, direction_of, draw, evidence_cells, evidence_query
from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import REGEN
from regen_kg.store import GraphStore

from .conftest import ROOT

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def cells(store: GraphStore, paths: ProjectPaths) -> list[Cell]:
    return evidence_cells(store, evidence_query(paths))


@pytest.fixture(scope="module")
def svg(cells: list[Cell]) -> bytes:
    return draw(cells, "svg")


def cells_by_hand(built: pipeline.Built) -> set[tuple[URIRef, URIRef]]:
    """(most specific regen: class of the intervention, outcome) of every evidence statement."""
    g = Graph()
    for graph in built.graphs(inferred=True).values():
        for triple in graph:
            g.add(triple)
    found: set[tuple[URIRef, URIRef]] = set()
    for statement in set(g.subjects(RDF.type, REGEN.EvidenceStatement)):
        for intervention in g.objects(statement, REGEN.intervention):
            types = {t for t in g.objects(intervention, RDF.type) if str(t).startswith(str(REGEN))}
            specific = {t for t in types if not any(n != t and (n, RDFS.subClassOf, t) in g for n in types)}
            for outcome in g.objects(statement, REGEN.outcome):
                found |= {(t, outcome) for t in specific}
    return found


def drawn_cells(svg: bytes) -> int:
    """Markers drawn in the SVG: the children of the groups matplotlib writes for each design."""
    root = ET.fromstring(svg)
    groups = [g for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith("cells-rank-")]
    return sum(len(list(g)) for g in groups)


def test_one_cell_per_query_row_as_counted_by_hand(cells: list[Cell], built: pipeline.Built) -> None:
    expected = cells_by_hand(built)
    assert len(expected) >= 40  # 13 studies and the review: dozens of cells
    assert len(cells) == len(expected)
    assert {(c.intervention_class, c.outcome) for c in cells} == {
        (f"regen:{str(a)[len(str(REGEN)) :]}", f"regen:{str(b)[len(str(REGEN)) :]}") for a, b in expected
    }


def test_figure_has_the_expected_number_of_cells(cells: list[Cell], svg: bytes) -> None:
    assert len(svg) > 10_000
    assert drawn_cells(svg) == len(cells)


def test_cells_carry_size_design_and_direction(cells: list[Cell]) -> None:
    by_key = {(c.intervention_class, c.outcome): c for c in cells}
    fibrosis = by_key[("regen:PlateletBasedIntervention", "regen:Fibrosis")]  # Charles-de-Sa 2020 RCT
    assert (fibrosis.direction, fibrosis.strongest_rank) == ("unfavourable", 1)
    wrinkles = by_key[("regen:SVFInjection", "regen:Wrinkles")]  # Amirkhani: improved and no change
    assert (wrinkles.statements, wrinkles.direction, wrinkles.strongest_rank) == (2, "mixed", 3)
    shin = by_key[("regen:IntradermalMSCInjection", "regen:SkinElasticity")]  # a claim only
    assert (shin.claims, shin.verified_findings, shin.strongest_rank) == (1, 0, 4)
    assert {c.direction for c in cells} <= set(DIRECTIONS)
    assert {c.strongest_rank for c in cells} <= set(DESIGNS)
    assert direction_of(None, None) == "unstated" and direction_of(-1, 1) == "mixed"


def test_legend_and_labels_are_text(svg: bytes) -> None:
    text = svg.decode()
    for words in ("colour: direction", "marker: strongest design", "size: statements", "unverified secondary report"):
        assert words in text, words
    assert "platelet-based intervention" in text and "fibrosis" in text


def test_reproducible_svg_and_png(cells: list[Cell], svg: bytes) -> None:
    assert draw(cells, "svg") == svg
    assert b"<dc:date>" not in svg
    png = draw(cells, "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and draw(cells, "png") == png
    with pytest.raises(ValueError):
        draw(cells, "gif")


def test_cli_rejects_other_formats(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "regen_kg.cli", "--root", str(ROOT), "evidence-map", "--out", str(tmp_path / "m.gif")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 2 and ".svg or .png" in out.stderr


def test_oxigraph_gives_the_cells_of_the_reference_store(
    cells: list[Cell], built: pipeline.Built, paths: ProjectPaths
) -> None:
    """``regen-kg evidence-map`` reads the saved Oxigraph graph; its cells are the rdflib store's."""
    assert evidence_cells(built.store("oxigraph"), evidence_query(paths)) == cells


def test_cli_draws_the_map_from_the_saved_graph(project_copy: ProjectPaths, cells: list[Cell], svg: bytes) -> None:
    """The command writes the figure drawn from the reference store's cells, and says how many
    cells and statements it holds; it reads (and so makes) the graph that ``query`` saves."""
    from regen_kg.querystore import STORE_FOLDER

    out = project_copy.root / "dist" / "map.svg"
    done = subprocess.run(
        [sys.executable, "-m", "regen_kg.cli", "--root", str(project_copy.root), "evidence-map", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == svg
    statements = sum(cell.statements for cell in cells)
    assert done.stdout.strip() == f"wrote {out}: {len(cells)} cells, {statements} statements"
    assert any((project_copy.root / STORE_FOLDER).iterdir()), "the saved graph of query and serve"
