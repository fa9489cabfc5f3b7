"""The compiled OWL 2 RL engine gives exactly owlrl's filtered inferences and inconsistencies."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef

from regen_kg import build as pipeline
from regen_kg.bench import generate
from regen_kg.cache import BuildCache, project_cache
from regen_kg.errors import InconsistencyError
from regen_kg.fastreason import reason_fast, reason_parts, schema_graph
from regen_kg.paths import ProjectPaths
from regen_kg.reason import reason


def both(loaded: pipeline.Loaded) -> tuple[set[object], set[object]]:
    reference = reason(loaded.asserted).inferred
    fast = reason_fast(schema_graph(loaded.ontology, loaded.mappings), loaded.data, loaded.asserted).inferred
    return set(reference), set(fast)


def test_same_inferences_as_owlrl_on_the_real_data(paths: ProjectPaths) -> None:
    reference, fast = both(pipeline.load(paths))
    assert reference, "the real data has inferences"
    assert fast == reference


def test_same_inferences_as_owlrl_on_a_generated_corpus(tmp_path: Path) -> None:
    corpus = generate(20, seed=3, out=tmp_path / "corpus")
    reference, fast = both(pipeline.load(corpus.paths))
    assert fast == reference


def test_schema_closure_with_annotations_set_aside_is_owlrls(
    paths: ProjectPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rdflib import Literal, Namespace
    from rdflib.namespace import RDFS

    from regen_kg import fastreason
    from regen_kg.reason import owlrl_closure

    loaded = pipeline.load(paths)
    schema = schema_graph(loaded.ontology, loaded.mappings)
    sizes: list[int] = []

    def counted(triples: object) -> Graph:
        closure = owlrl_closure(triples)  # type: ignore[arg-type]
        sizes.append(len(closure))
        return closure

    monkeypatch.setattr(fastreason, "owlrl_closure", counted)
    assert set(fastreason.schema_closure(schema)) == set(owlrl_closure(schema))
    assert sizes[0] < len(owlrl_closure(schema)) * 0.8, "the labels and definitions were set aside"
    # a property mentioned in an axiom is not set aside: its values take part in the rules
    ex = Namespace("http://example.org/")
    schema.add((ex.name, RDFS.subPropertyOf, RDFS.label))
    schema.add((ex.thing, ex.name, Literal("a name")))
    schema.add((ex.thing, RDFS.label, Literal("a label", lang="en")))
    closure = set(fastreason.schema_closure(schema))
    assert (ex.thing, RDFS.label, Literal("a name")) in closure
    assert closure == set(owlrl_closure(schema))


def test_default_engine_builds_the_same_graph(paths: ProjectPaths, built: pipeline.Built) -> None:
    reference = pipeline.run(paths, engine="reference")
    assert set(built.inferred) == set(reference.inferred)


@pytest.mark.parametrize(
    ("record", "old", "new"),
    [
        (
            "lee-2014.yaml",
            "design: [RandomizedControlledTrial, SplitFaceStudy]",
            "design: [RandomizedControlledTrial, PilotStudy]",
        ),
        (
            "lee-2019.yaml",
            "type: [CellBasedIntervention, StemCellBasedIntervention]",
            "type: [CellBasedIntervention, ConditionedMediumApplication]",
        ),
    ],
)
def test_same_inconsistencies_as_owlrl(project_copy: ProjectPaths, record: str, old: str, new: str) -> None:
    path = project_copy.data / "studies" / record
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    loaded = pipeline.load(project_copy)
    with pytest.raises(InconsistencyError) as reference:
        reason(loaded.asserted)
    with pytest.raises(InconsistencyError) as fast:
        reason_fast(schema_graph(loaded.ontology, loaded.mappings), loaded.data, loaded.asserted)
    assert str(fast.value) == str(reference.value)


def by_records(loaded: pipeline.Loaded, cache: BuildCache | None = None) -> set[object]:
    schema = schema_graph(loaded.ontology, loaded.mappings)
    return set(reason_parts(schema, loaded.parts, loaded.part_keys, cache=cache))


def whole_graph(loaded: pipeline.Loaded) -> set[object]:
    """The whole-graph engine (equal to owlrl: the tests above)."""
    return set(reason_fast(schema_graph(loaded.ontology, loaded.mappings), loaded.data, loaded.asserted).inferred)


def test_record_by_record_equals_the_whole_graph_on_the_real_data(paths: ProjectPaths) -> None:
    loaded = pipeline.load(paths)
    assert len(loaded.parts) == len(paths.record_files())
    assert by_records(loaded) == whole_graph(loaded)


def test_record_by_record_equals_the_whole_graph_on_a_generated_corpus(tmp_path: Path) -> None:
    corpus = generate(30, seed=5, out=tmp_path / "corpus")
    loaded = pipeline.load(corpus.paths)
    assert by_records(loaded) == whole_graph(loaded)


def test_premises_split_across_records_still_join(paths: ProjectPaths) -> None:
    """Split every record in two halves, then in one part per triple: chains, intersections and
    hasValue classes whose premises now sit in different parts must still be inferred."""
    loaded = pipeline.load(paths)
    schema = schema_graph(loaded.ontology, loaded.mappings)
    whole = set(reason_fast(schema, loaded.data, loaded.asserted).inferred)
    halves = [half for part in loaded.parts for half in (part[::2], part[1::2])]
    assert set(reason_parts(schema, halves)) == whole
    singletons = [[triple] for part in loaded.parts for triple in part]
    assert set(reason_parts(schema, singletons)) == whole
    # the splits do separate premises of a property chain (studiesIntervention: hasArm, receivesIntervention)
    chain = URIRef("https://w3id.org/regen-kg/ontology/studiesIntervention")
    assert any(p == chain for _s, p, _o in whole)


def test_record_by_record_reports_cross_record_inconsistency(project_copy: ProjectPaths) -> None:
    """A disjointness clash whose two types come from two different records is still found."""
    loaded = pipeline.load(project_copy)
    schema = schema_graph(loaded.ontology, loaded.mappings)
    study = URIRef("https://w3id.org/regen-kg/id/study/lee-2014")
    regen = "https://w3id.org/regen-kg/ontology/"
    clash = [(study, RDF.type, URIRef(regen + "PilotStudy"))]
    assert (study, RDF.type, URIRef(regen + "RandomizedControlledTrial")) in loaded.data
    extended = loaded.data + Graph()
    extended.add(clash[0])
    with pytest.raises(InconsistencyError) as whole:
        reason_fast(schema, extended)
    with pytest.raises(InconsistencyError) as split:
        reason_parts(schema, [*loaded.parts, clash])
    assert str(split.value) == str(whole.value)


def test_a_rebuild_reuses_the_unchanged_records(project_copy: ProjectPaths) -> None:
    cache = project_cache(project_copy.root)
    first = pipeline.load(project_copy, cache)
    assert first.part_keys is not None
    assert by_records(first, cache) == by_records(first)
    assert cache.misses["inferred"] == len(first.parts)
    path = project_copy.data / "studies" / "lee-2014.yaml"
    path.write_text(
        path.read_text().replace(
            "design: [RandomizedControlledTrial, SplitFaceStudy]", "design: [RandomizedControlledTrial]"
        )
    )
    again = project_cache(project_copy.root)
    second = pipeline.load(project_copy, again)
    result = by_records(second, again)
    assert (again.hits["inferred"], again.misses["inferred"]) == (len(second.parts) - 1, 1)
    assert result == set(reason_fast(schema_graph(second.ontology, second.mappings), second.data).inferred)


def test_an_ill_typed_literal_is_reported_as_owlrl_does(paths: ProjectPaths, tmp_path: Path) -> None:
    """A literal outside its datatype's lexical space (owlrl's dt-not-type) makes the graph
    inconsistent on the whole graph and record by record, and again when the record's closure
    comes from the cache (the record's own errors are kept with it)."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    loaded = pipeline.load(paths)
    schema = schema_graph(loaded.ontology, loaded.mappings)
    study = URIRef("https://w3id.org/regen-kg/id/study/lee-2014")
    bad = (study, URIRef("https://w3id.org/regen-kg/ontology/sampleSize"), Literal("twenty", datatype=XSD.integer))
    asserted = loaded.asserted + Graph()
    asserted.add(bad)
    data = loaded.data + Graph()
    data.add(bad)
    with pytest.raises(InconsistencyError) as reference:
        reason(asserted)
    assert "'twenty' does not match its datatype" in str(reference.value)
    with pytest.raises(InconsistencyError) as fast:
        reason_fast(schema, data, asserted)
    assert str(fast.value) == str(reference.value)
    parts = [*loaded.parts[1:], [*loaded.parts[0], bad]]
    keys = [f"key-{i}" for i in range(len(parts))]
    cache = BuildCache(tmp_path / "cache")
    for _run in ("computed", "from the cache"):
        with pytest.raises(InconsistencyError) as split:
            reason_parts(schema, parts, keys, cache=cache)
        assert str(split.value) == str(reference.value)
    assert cache.misses["inferred"] == len(parts)  # the second run read every closure from the cache
