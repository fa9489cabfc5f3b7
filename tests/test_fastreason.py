"""The compiled OWL 2 RL engine gives exactly owlrl's filtered inferences and inconsistencies."""

from __future__ import annotations

from pathlib import Path

import pytest

from regen_kg import build as pipeline
from regen_kg.bench import generate
from regen_kg.errors import InconsistencyError
from regen_kg.fastreason import reason_fast, schema_graph
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
