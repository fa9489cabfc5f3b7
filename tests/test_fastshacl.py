"""SHACL compiled to SPARQL on Oxigraph reports what pyshacl reports, defect for defect."""

from __future__ import annotations

from pathlib import Path

from rdflib.compare import isomorphic

from regen_kg import build as pipeline
from regen_kg.bench import DEFECT_KINDS, generate
from regen_kg.fastshacl import result_keys, validate_fast
from regen_kg.paths import ProjectPaths
from regen_kg.validate import load_shapes, validate_graph


def both(paths: ProjectPaths) -> tuple[object, object]:
    loaded = pipeline.load(paths)
    shapes = load_shapes(paths)
    return (
        validate_graph(loaded.asserted, shapes, loaded.origins),
        validate_fast(loaded.asserted, shapes, loaded.origins),
    )


def test_same_report_on_the_real_data(paths: ProjectPaths) -> None:
    reference, fast = both(paths)
    assert fast.problems == reference.problems  # type: ignore[attr-defined]
    assert isomorphic(fast.graph, reference.graph)  # type: ignore[attr-defined]


def test_same_violations_on_a_corpus_with_every_defect(tmp_path: Path) -> None:
    corpus = generate(len(DEFECT_KINDS) + 4, seed=5, defects_rate=1.0, out=tmp_path / "corpus")
    assert set(corpus.defects.values()) == set(DEFECT_KINDS)
    reference, fast = both(corpus.paths)
    assert not reference.conforms  # type: ignore[attr-defined]
    assert result_keys(fast.problems) == result_keys(reference.problems)  # type: ignore[attr-defined]
    assert fast.problems == reference.problems  # type: ignore[attr-defined]
    assert isomorphic(fast.graph, reference.graph)  # type: ignore[attr-defined]
    # the build validates the three asserted graphs side by side, without their union copy
    loaded = pipeline.load(corpus.paths)
    side_by_side = pipeline.validate(corpus.paths, loaded)
    assert not loaded.union_made
    assert side_by_side.problems == reference.problems  # type: ignore[attr-defined]
    assert isomorphic(side_by_side.graph, reference.graph)  # type: ignore[attr-defined]
    # ... and in the store the quality checks read next: the graphs named, read as their union
    shared = pipeline.validate(corpus.paths, loaded, store=pipeline.asserted_store(loaded, "oxigraph"))
    assert shared.problems == reference.problems  # type: ignore[attr-defined]
    assert isomorphic(shared.graph, reference.graph)  # type: ignore[attr-defined]
    # every kind of seeded defect is reported (a shared node, such as a timepoint, names its first record)
    flagged = {p.file.rsplit("/", 1)[-1].split(".yaml")[0] for p in reference.problems}  # type: ignore[attr-defined]
    assert {kind for record, kind in corpus.defects.items() if record in flagged} == set(DEFECT_KINDS)
