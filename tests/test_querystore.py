"""The saved query store: built once per set of inputs, reused while they stay the same, made
again (and the old one removed) after an edit, never seen half-written."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from regen_kg import build as pipeline
from regen_kg.errors import ValidationFailed
from regen_kg.paths import ProjectPaths
from regen_kg.queries import load_catalogue, run_query
from regen_kg.querystore import STORE_FOLDER, inputs_key, saved_store

from .helpers import edit

AMIRKHANI = "data/studies/amirkhani-2016.yaml"


def limitation_texts(paths: ProjectPaths, store: object) -> set[str | None]:
    rows = run_query(store, load_catalogue(paths)["limitations"]).rows
    return {row["limitationText"] for row in rows}


def test_inputs_key_follows_every_input(project_copy: ProjectPaths) -> None:
    before = inputs_key(project_copy)
    assert inputs_key(project_copy) == before  # stable while nothing changes
    seen = {before}
    for path, old, new in [
        (AMIRKHANI, "text: 16 patients", "text: sixteen patients"),
        ("queries/10-limitations.rq", "# title: Limitations", "# title: The limitations"),
    ]:
        edit(project_copy.root / path, old, new)
        key = inputs_key(project_copy)
        assert key not in seen, path
        seen.add(key)
    for path in ("ontology/regen.ttl", "shapes/regen-shapes.ttl", "data/vocab/external-terms.tsv"):
        with (project_copy.root / path).open("a", encoding="utf-8") as out:
            out.write("\n")
        key = inputs_key(project_copy)
        assert key not in seen, path
        seen.add(key)


def test_store_is_reused_until_an_input_changes(project_copy: ProjectPaths) -> None:
    made: list[int] = []

    def make() -> pipeline.Built:
        made.append(1)
        return pipeline.run(project_copy)

    store = saved_store(project_copy, make)
    assert "16 patients" in limitation_texts(project_copy, store)
    # the same rows as the in-memory store of a fresh build
    fresh = pipeline.run(project_copy).store("oxigraph")
    query = load_catalogue(project_copy)["limitations"]
    assert run_query(store, query).rows == run_query(fresh, query).rows
    del store

    again = saved_store(project_copy, make)
    assert made == [1]  # opened, not built again
    assert "16 patients" in limitation_texts(project_copy, again)
    del again  # no one reads the old store any more
    gc.collect()

    edit(project_copy.root / AMIRKHANI, "text: 16 patients", "text: sixteen patients")
    edited = saved_store(project_copy, make)
    assert made == [1, 1]
    texts = limitation_texts(project_copy, edited)
    assert "sixteen patients" in texts and "16 patients" not in texts
    kept = sorted(p.name for p in (project_copy.root / STORE_FOLDER).iterdir())
    assert kept == [inputs_key(project_copy)]  # the store of the old inputs is gone


def test_two_readers_at_once(project_copy: ProjectPaths) -> None:
    first = saved_store(project_copy, lambda: pipeline.run(project_copy))
    second = saved_store(project_copy, lambda: pytest.fail("the store exists: nothing to build"))
    query = load_catalogue(project_copy)["limitations"]
    assert run_query(first, query).rows == run_query(second, query).rows


def test_a_failing_build_leaves_no_store(project_copy: ProjectPaths) -> None:
    """A violation stops the query as it stops a build, and nothing half-made is kept."""
    edit(project_copy.root / AMIRKHANI, "type: SmallSampleSize", "type: NoSuchLimitationKind")
    with pytest.raises(Exception) as caught:
        saved_store(project_copy, lambda: pipeline.run(project_copy))
    assert isinstance(caught.value, ValidationFailed) or "NoSuchLimitationKind" in str(caught.value)
    folder = project_copy.root / STORE_FOLDER
    assert not folder.exists() or list(folder.iterdir()) == []


def test_interrupted_write_leaves_the_old_store(project_copy: ProjectPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    """A load that fails half-way removes its temporary folder and leaves the old store as it was."""
    saved_store(project_copy, lambda: pipeline.run(project_copy))
    old = inputs_key(project_copy)
    edit(project_copy.root / AMIRKHANI, "text: 16 patients", "text: sixteen patients")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("regen_kg.querystore.load_triples", broken)
    with pytest.raises(OSError, match="disk full"):
        saved_store(project_copy, lambda: pipeline.run(project_copy))
    assert sorted(p.name for p in (project_copy.root / STORE_FOLDER).iterdir()) == [old]


def test_folder_is_ignored_by_git() -> None:
    root = Path(__file__).resolve().parents[1]
    ignored = (root / ".gitignore").read_text(encoding="utf-8").split()
    assert any(STORE_FOLDER.as_posix().startswith(entry.strip("/")) for entry in ignored)


def test_a_store_in_use_is_not_removed(project_copy: ProjectPaths) -> None:
    """A query still reading the store of earlier inputs keeps it; the next cleaning removes it."""
    reading = saved_store(project_copy, lambda: pipeline.run(project_copy))
    old = inputs_key(project_copy)
    edit(project_copy.root / AMIRKHANI, "text: 16 patients", "text: sixteen patients")
    fresh = saved_store(project_copy, lambda: pipeline.run(project_copy))
    folders = sorted(p.name for p in (project_copy.root / STORE_FOLDER).iterdir())
    assert folders == sorted([old, inputs_key(project_copy)])
    assert "16 patients" in limitation_texts(project_copy, reading)  # still readable
    assert "sixteen patients" in limitation_texts(project_copy, fresh)
    del reading  # the reader is done: its lock goes with it
    gc.collect()
    saved_store(project_copy, lambda: pytest.fail("the store of these inputs exists"))
    assert [p.name for p in (project_copy.root / STORE_FOLDER).iterdir()] == [inputs_key(project_copy)]


def test_a_store_without_its_lock_file_is_made_again(project_copy: ProjectPaths) -> None:
    """A folder of the current key left incomplete (no lock file) is not trusted."""
    saved_store(project_copy, lambda: pipeline.run(project_copy))
    target = project_copy.root / STORE_FOLDER / inputs_key(project_copy)
    (target / "lock").unlink()
    made: list[int] = []

    def make() -> pipeline.Built:
        made.append(1)
        return pipeline.run(project_copy)

    store = saved_store(project_copy, make)
    assert made == [1] and (target / "lock").is_file()
    assert "16 patients" in limitation_texts(project_copy, store)
