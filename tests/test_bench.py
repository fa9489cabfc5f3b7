"""The synthetic corpus generator: deterministic, shaped like the real records, valid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from regen_kg import build as pipeline
from regen_kg.bench import (
    CHECK_EDIT,
    CHECK_FIRST,
    COLD_BUILD,
    COLD_WALL,
    COMPARATOR_KINDS,
    FLOOR_QUERIES,
    FLOOR_WRITE,
    INTERVENTION_KINDS,
    OUTCOMES,
    QUERY_AGAIN,
    QUERY_EDIT,
    QUERY_FIRST,
    QUERY_OTHER,
    REBUILD,
    SAFETY,
    SERVE_EDIT,
    SERVE_EDIT_MAP,
    SERVE_EDIT_RSS,
    SERVE_SAVED,
    SERVE_SAVED_RSS,
    generate,
    markdown,
)
from regen_kg.cli import cli
from regen_kg.paths import project_paths
from regen_kg.prefixes import REGEN
from regen_kg.schema import SafetyProfile, load_record


def test_generated_corpus_is_deterministic(tmp_path: Path) -> None:
    a = generate(15, seed=9, defects_rate=0.3, out=tmp_path / "a")
    b = generate(15, seed=9, defects_rate=0.3, out=tmp_path / "b")
    files = sorted(p.name for p in (a.root / "data" / "studies").glob("*.yaml"))
    assert len(files) == 15
    for name in files:
        assert (a.root / "data/studies" / name).read_text() == (b.root / "data/studies" / name).read_text()
    assert a.defects == b.defects


def test_generated_corpus_validates_and_reasons(tmp_path: Path) -> None:
    corpus = generate(len(INTERVENTION_KINDS) + 6, seed=2, out=tmp_path / "corpus")
    built = pipeline.run(corpus.paths)  # raises on a violation or an inconsistency
    assert built.report.conforms
    synthetic = [load_record(path)[0] for path in corpus.paths.record_files() if path.stem.startswith("synth-")]
    assert len(synthetic) == len(INTERVENTION_KINDS) + 6
    assert {r.id for r in synthetic} <= set(built.loaded.record_ids)
    assert {r.interventions[0].types[0] for r in synthetic} == set(INTERVENTION_KINDS)
    for record in synthetic:
        assert 5 <= len(record.statements) <= 10


def _leaves(ontology: Graph, root: str) -> set[str]:
    """The regen: classes below ``root`` with no regen: subclass of their own."""
    below: set[URIRef] = set()
    todo = [REGEN[root]]
    while todo:
        for sub in ontology.subjects(RDFS.subClassOf, todo.pop()):
            if isinstance(sub, URIRef) and sub not in below:
                below.add(sub)
                todo.append(sub)
    return {str(c)[len(str(REGEN)) :] for c in below if not set(ontology.subjects(RDFS.subClassOf, c)) & below}


def test_generator_covers_every_kind_the_ontology_has() -> None:
    """Each leaf intervention and outcome class of the ontology, and each safety profile the records
    accept, can appear in a generated corpus (combinations are built from the other kinds, safety
    statements by profile)."""
    ontology = Graph().parse(project_paths().ontology / "regen.ttl")
    kinds = set(INTERVENTION_KINDS) | set(COMPARATOR_KINDS)
    assert _leaves(ontology, "Intervention") - kinds == {"CombinationTherapy"}
    assert _leaves(ontology, "Outcome") - set(OUTCOMES) == {"Safety"}
    assert set(SAFETY) == set(get_args(SafetyProfile))
    for materials, _route in INTERVENTION_KINDS.values():
        for material in materials:
            assert (REGEN[material], RDF.type, OWL.Class) in ontology, material


def test_cli_generate(tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["bench", "generate", "--studies", "3", "--seed", "1", "--out", str(tmp_path / "c")])
    assert out.exit_code == 0, out.output
    assert len(list((tmp_path / "c" / "data" / "studies").glob("*.yaml"))) == 3


def test_markdown_table() -> None:
    row = {
        "studies": 10,
        "fast": {"validate": 0.1},
        "reference": {"validate": 1.0},
        "fast queries ms": {"q": 1.0},
        "fast total s": 0.1,
        "reference total s": 1.0,
        "speed-up": 10.0,
        "peak RSS MB (cold build, largest process)": 100.0,
        "asserted triples": 5,
        "inferred triples": 2,
    }
    table = markdown([row])
    assert "| validate | 0.100 s / 1.000 s |" in table


def test_benchmark_runs_every_stage_and_the_reference(tmp_path: Path) -> None:
    """A tiny run of ``bench run``: every stage, the rebuild, both pipelines and every stored query get a figure."""
    from regen_kg.bench import run_benchmark
    from regen_kg.queries import load_catalogue

    rows = run_benchmark([4], reference=True, reference_limit=4, out=tmp_path / "results", work=tmp_path / "work")
    row = rows[0]
    for stage in ("parse records", "validate", "reason", "render every build output"):
        assert row["fast"][stage] > 0 and row["reference"][stage] > 0
    assert set(row["builds s"]) == {
        COLD_BUILD,
        COLD_WALL,
        "build filling the cache",
        REBUILD,
        CHECK_FIRST,
        CHECK_EDIT,
        QUERY_FIRST,
        QUERY_EDIT,
        QUERY_OTHER,
        QUERY_AGAIN,
        SERVE_EDIT,
        SERVE_EDIT_MAP,
        SERVE_SAVED,
        SERVE_EDIT_RSS,
        SERVE_SAVED_RSS,
    }
    assert all(seconds > 0 for seconds in row["builds s"].values())
    assert row["builds s"][SERVE_EDIT_RSS] > 30 and row["builds s"][SERVE_SAVED_RSS] > 30
    assert row["builds s"][SERVE_EDIT_MAP] >= row["builds s"][SERVE_EDIT], "the map is drawn after start-up"
    assert row["peak RSS MB (cold build, largest process)"] > 50
    assert set(row["fast queries ms"]) == set(load_catalogue(project_paths()).keys())
    assert set(row["floors s"]) == {FLOOR_WRITE, *FLOOR_QUERIES}
    assert all(seconds > 0 for seconds in row["floors s"].values())
    assert row["floors s"][FLOOR_WRITE] < row["builds s"][COLD_BUILD], "writing alone is cheaper than building"
    table = (tmp_path / "results" / "bench.md").read_text(encoding="utf-8")
    assert f"| {REBUILD} |" in table and "speed-up" in table
    assert f"| {FLOOR_WRITE} |" in table and all(f"| {name} |" in table for name in FLOOR_QUERIES)
    assert json.loads((tmp_path / "results" / "bench.json").read_text(encoding="utf-8"))["rows"][0]["studies"] == 4


def test_floor_queries_read_every_evidence_statement(tmp_path: Path) -> None:
    """The floor queries count the evidence statements the built graph types as such, and list
    those with an outcome (claims about a mechanism have none)."""
    from rdflib import RDF

    from regen_kg.oxstore import OxigraphStore
    from regen_kg.prefixes import REGEN

    corpus = generate(6, seed=3, out=tmp_path / "c")
    built = pipeline.run(corpus.paths)
    graphs = built.graphs(inferred=True)
    statements = {s for graph in graphs.values() for s in graph.subjects(RDF.type, REGEN.EvidenceStatement)}
    assert len(statements) >= 30, "6 studies of 5-10 findings each"
    store = OxigraphStore()
    store.load(graphs)
    count, listing = FLOOR_QUERIES.values()
    assert int(next(iter(store.query(count)))[0]) == len(statements)
    with_outcome = {s for s in statements if any((s, REGEN.outcome, None) in graph for graph in graphs.values())}
    assert {row[0] for row in store.query(listing)} == with_outcome
