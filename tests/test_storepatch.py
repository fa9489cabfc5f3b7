"""The saved graph after an edit, made by patching the previous one: the same quads as a store
written afresh from the same build, after edits, new records and removed records."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from regen_kg import build as pipeline
from regen_kg import querystore
from regen_kg.bench import generate
from regen_kg.oxstore import OxigraphStore
from regen_kg.paths import ProjectPaths, project_paths
from regen_kg.querystore import STORE_FOLDER, inputs_key, saved_store
from regen_kg.storepatch import CONTENTS_FILE, Contents, changed_keys, read_contents


class Made:
    """``saved_store``'s ``make``, keeping the last build, and a record of the patches made."""

    def __init__(self, paths: ProjectPaths, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths = paths
        self.built: pipeline.Built | None = None
        self.patches = 0
        real = querystore.patch

        def counted(*args: Any, **kwargs: Any) -> int:
            self.patches += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(querystore, "patch", counted)

    def __call__(self) -> pipeline.Built:
        self.built = pipeline.run_project(self.paths)
        return self.built


def quads(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, None))


def saved_equals_fresh(paths: ProjectPaths, made: Made) -> Contents:
    """The saved store of ``paths`` holds the quads of a store loaded afresh from the same build;
    returns its contents (kept beside it)."""
    store = saved_store(paths, made)
    assert made.built is not None
    fresh = OxigraphStore()
    fresh.load(made.built.graphs(queries=True))
    assert quads(store.raw) == quads(fresh.raw)
    folder = paths.root / STORE_FOLDER / inputs_key(paths)
    contents = read_contents(folder)
    assert contents is not None
    del store
    gc.collect()  # the reader's lock goes, so that the next store may remove this one
    return contents


@pytest.fixture()
def corpus(tmp_path: Path) -> ProjectPaths:
    generate(12, seed=5, out=tmp_path / "corpus")
    return project_paths(tmp_path / "corpus")


def study(paths: ProjectPaths, index: int) -> Path:
    return paths.data / "studies" / f"synth-{index:05d}.yaml"


def relabel(paths: ProjectPaths, index: int) -> None:
    """Edit the label of study ``index``: its record's content key changes."""
    path = study(paths, index)
    path.write_text(path.read_text(encoding="utf-8").replace("label: ", "label: edited ", 1), encoding="utf-8")


def test_patched_stores_equal_fresh_ones(corpus: ProjectPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = Made(corpus, monkeypatch)
    first = saved_equals_fresh(corpus, made)
    assert made.patches == 0  # nothing to patch: written afresh

    # a record replaced by another of the same id (other interventions, outcomes, findings)
    other = generate(12, seed=6, out=tmp_path / "other")
    shutil.copyfile(study(project_paths(other.root), 3), study(corpus, 3))
    replaced = saved_equals_fresh(corpus, made)
    assert made.patches == 1
    assert replaced.inferred != first.inferred  # the inferences changed too, not only the data
    assert len(replaced.subjects.keys() ^ first.subjects.keys()) == 2  # one version gone, one new

    # two new records, then one removed
    more = generate(14, seed=5, out=tmp_path / "more")
    for index in (12, 13):
        shutil.copyfile(study(project_paths(more.root), index), study(corpus, index))
    grown = saved_equals_fresh(corpus, made)
    assert made.patches == 2 and len(grown.subjects) == len(replaced.subjects) + 2
    study(corpus, 5).unlink()
    shrunk = saved_equals_fresh(corpus, made)
    assert made.patches == 3 and len(shrunk.subjects) == len(grown.subjects) - 1
    # only the newest store is kept
    assert [p.name for p in (corpus.root / STORE_FOLDER).iterdir()] == [inputs_key(corpus)]


def test_every_nth_patch_in_a_row_compacts_the_store(corpus: ProjectPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    """The count of patches since the last compaction is kept beside the store; the patch that
    reaches ``COMPACT_AFTER`` compacts, and the count starts again."""
    from regen_kg import storepatch

    made = Made(corpus, monkeypatch)
    compacted: list[ox.Store] = []
    real = storepatch.compact

    def counted(store: ox.Store) -> None:
        compacted.append(store)
        real(store)

    monkeypatch.setattr(storepatch, "COMPACT_AFTER", 3)
    monkeypatch.setattr(storepatch, "compact", counted)
    assert saved_equals_fresh(corpus, made).patches == 0  # written afresh (and compacted)
    counts = []
    for index in range(1, 6):
        relabel(corpus, index)
        counts.append(saved_equals_fresh(corpus, made).patches)
    assert made.patches == 5
    assert counts == [1, 2, 0, 1, 2]
    assert len(compacted) == 1


def test_an_edit_to_the_ontology_is_patched_too(corpus: ProjectPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every record's key changes with the ontology: every subject is rewritten, and the small
    graphs (the ontology itself) are written anew."""
    made = Made(corpus, monkeypatch)
    saved_equals_fresh(corpus, made)
    ontology = corpus.root / "ontology" / "regen.ttl"
    text = ontology.read_text(encoding="utf-8")
    marker = 'rdfs:label "skin elasticity"@en'
    assert text.count(marker) == 1
    ontology.write_text(text.replace(marker, 'rdfs:label "skin elasticity (patched)"@en'), encoding="utf-8")
    saved_equals_fresh(corpus, made)
    assert made.patches == 1


def test_too_many_changes_are_written_afresh(corpus: ProjectPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    made = Made(corpus, monkeypatch)
    saved_equals_fresh(corpus, made)
    monkeypatch.setattr("regen_kg.storepatch.MAX_CHANGED", 3)
    for index in (1, 2):  # two records: four versions, one over the limit
        relabel(corpus, index)
    saved_equals_fresh(corpus, made)
    assert made.patches == 0


def test_unreadable_contents_mean_a_fresh_store(corpus: ProjectPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    made = Made(corpus, monkeypatch)
    saved_equals_fresh(corpus, made)
    (corpus.root / STORE_FOLDER / inputs_key(corpus) / CONTENTS_FILE).write_bytes(b"not a pickle")
    relabel(corpus, 1)
    saved_equals_fresh(corpus, made)
    assert made.patches == 0


def test_a_failed_patch_leaves_the_old_store(corpus: ProjectPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    """The patch writes into a copy: a failure half-way leaves the earlier store whole and in place."""
    made = Made(corpus, monkeypatch)
    saved_equals_fresh(corpus, made)
    old_key = inputs_key(corpus)
    old_quads = quads(ox.Store.read_only(str(corpus.root / STORE_FOLDER / old_key / "store")))
    relabel(corpus, 1)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("regen_kg.storepatch._add", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        saved_store(corpus, made)
    assert [p.name for p in (corpus.root / STORE_FOLDER).iterdir()] == [old_key]
    assert quads(ox.Store.read_only(str(corpus.root / STORE_FOLDER / old_key / "store"))) == old_quads


def test_changed_keys() -> None:
    old = Contents("program", {"a": frozenset(), "b": frozenset()}, frozenset())
    assert changed_keys(old, Contents("program", {"a": frozenset(), "c": frozenset()}, frozenset())) == {"b", "c"}
    assert changed_keys(old, Contents("other program", dict(old.subjects), frozenset())) is None
