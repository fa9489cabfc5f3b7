"""A build in two processes writes the same files, and fails with the same error, as one in order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from regen_kg import build as pipeline
from regen_kg.errors import InconsistencyError
from regen_kg.fileio import Staging
from regen_kg.forked import ChildFailed, Forked
from regen_kg.paths import ProjectPaths

from .helpers import edit

# lee-2014 declared both a randomized trial and a pilot study: disjoint designs (tests/test_fastreason.py)
INCONSISTENT = (
    "lee-2014.yaml",
    "design: [RandomizedControlledTrial, SplitFaceStudy]",
    "design: [RandomizedControlledTrial, PilotStudy]",
)
# a negative sample size: a SHACL violation (tests/test_validate.py)
INVALID = ("lee-2014.yaml", "sample_size: 25", "sample_size: -25")


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def failure(paths: ProjectPaths, out: Path, jobs: int) -> BaseException:
    with pytest.raises(Exception) as caught:
        pipeline.build(paths, out, jobs=jobs)
    assert not out.exists(), "a failed build must leave no output folder behind"
    return caught.value


def test_two_processes_write_the_same_files_as_one(paths: ProjectPaths, tmp_path: Path) -> None:
    _, one = pipeline.build(paths, tmp_path / "one", jobs=1)
    _, two = pipeline.build(paths, tmp_path / "two", jobs=2)
    assert [p.name for p in one] == [p.name for p in two]
    assert files(tmp_path / "one") == files(tmp_path / "two")
    assert not [p for p in (tmp_path / "two").iterdir() if p.name.startswith(".")], "staging folder left behind"


@pytest.mark.parametrize(
    ("edits", "error"),
    [
        ([INVALID], pipeline.ValidationFailed),
        ([INCONSISTENT], InconsistencyError),
        ([INVALID, INCONSISTENT], pipeline.ValidationFailed),  # in order, validation fails first
    ],
)
def test_errors_are_the_same_in_both_modes(
    project_copy: ProjectPaths, tmp_path: Path, edits: list[tuple[str, str, str]], error: type[Exception]
) -> None:
    for record, old, new in edits:
        edit(project_copy.data / "studies" / record, old, new)
    one = failure(project_copy, tmp_path / "one", 1)
    two = failure(project_copy, tmp_path / "two", 2)
    assert type(one) is type(two) is error
    assert str(one) == str(two)


def test_a_stored_query_that_does_not_parse_fails_first_in_both_modes(
    project_copy: ProjectPaths, tmp_path: Path
) -> None:
    """The build checks the queries' syntax beside the reasoning; the error is still the first one."""
    from regen_kg.errors import InputError

    edit(project_copy.queries / "06-safety.rq", "SELECT", "SELEKT")
    for record, old, new in (INVALID, INCONSISTENT):
        edit(project_copy.data / "studies" / record, old, new)
    one = failure(project_copy, tmp_path / "one", 1)
    two = failure(project_copy, tmp_path / "two", 2)
    assert type(one) is type(two) is InputError
    assert str(one) == str(two)
    assert "06-safety.rq" in str(one) and "SPARQL syntax error" in str(one)


def test_a_failed_rebuild_keeps_the_previous_outputs(project_copy: ProjectPaths, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    pipeline.build(project_copy, out)
    before = files(out)
    edit(project_copy.data / "studies" / INVALID[0], INVALID[1], INVALID[2])
    with pytest.raises(pipeline.ValidationFailed):
        pipeline.build(project_copy, out)
    assert files(out) == before


def test_a_crashed_child_is_redone_in_the_parent(
    paths: ProjectPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline.build(paths, tmp_path / "one", jobs=1)

    class Dying(Forked[object]):
        def __init__(self, fn: object) -> None:
            super().__init__(lambda: os._exit(3))

    monkeypatch.setattr(pipeline, "Forked", Dying)
    pipeline.build(paths, tmp_path / "two", jobs=2)
    assert files(tmp_path / "one") == files(tmp_path / "two")


def test_run_in_two_processes_gives_the_same_graph_and_report(paths: ProjectPaths) -> None:
    """``run(jobs=2)`` (query, serve) validates in a child beside the reasoning: same result."""
    from regen_kg.export import to_ntriples

    one = pipeline.run(paths, jobs=1)
    two = pipeline.run(paths, jobs=2)
    assert to_ntriples(two.inferred) == to_ntriples(one.inferred) and len(one.inferred) > 1000
    assert two.report.problems == one.report.problems and two.report.conforms


@pytest.mark.parametrize(
    ("edits", "error"),
    [
        ([INVALID], pipeline.ValidationFailed),
        ([INCONSISTENT], InconsistencyError),
        ([INVALID, INCONSISTENT], pipeline.ValidationFailed),  # in order, validation fails first
    ],
)
def test_run_errors_are_the_same_in_both_modes(
    project_copy: ProjectPaths, edits: list[tuple[str, str, str]], error: type[Exception]
) -> None:
    for record, old, new in edits:
        edit(project_copy.data / "studies" / record, old, new)
    caught = []
    for jobs in (1, 2):
        with pytest.raises(error) as exc:
            pipeline.run(project_copy, jobs=jobs)
        caught.append(str(exc.value))
    assert caught[0] == caught[1]


def test_run_redoes_a_crashed_child_in_the_parent(paths: ProjectPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    class Dying(Forked[object]):
        def __init__(self, fn: object) -> None:
            super().__init__(lambda: os._exit(3))

    monkeypatch.setattr(pipeline, "Forked", Dying)
    built = pipeline.run(paths, jobs=2)
    assert built.report.conforms and len(built.inferred) > 1000


def test_forked_returns_the_value_or_the_childs_traceback() -> None:
    assert Forked(lambda: {"n": 3}).result() == {"n": 3}
    with pytest.raises(ChildFailed, match="ZeroDivisionError"):
        Forked(lambda: 1 / 0).result()
    with pytest.raises(ChildFailed, match="without an answer"):
        Forked(lambda: os._exit(1)).result()
    with pytest.raises(ChildFailed, match="pickle"):
        Forked(lambda: lambda: None).result()  # a value that cannot travel back


def test_staging_moves_everything_or_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    staged = Staging(out)
    digest = staged.put("a.txt", b"new")
    assert digest == "11507a0e2f5e69d5dfa40a62a1bd7b6ee57e6bcd85c67c9b8431b36fff21c437"  # sha256 of b"new"
    assert not (out / "a.txt").exists()
    assert [p.name for p in staged.commit()] == ["a.txt"]
    assert (out / "a.txt").read_bytes() == b"new" and [p.name for p in out.iterdir()] == ["a.txt"]
    again = Staging(out)
    again.put("a.txt", b"newer")
    again.abort()
    assert (out / "a.txt").read_bytes() == b"new" and [p.name for p in out.iterdir()] == ["a.txt"]
    fresh = tmp_path / "fresh"
    Staging(fresh).abort()
    assert not fresh.exists()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    """Enough generated records for the records to be converted in two processes."""
    from regen_kg.bench import generate
    from regen_kg.records import PARALLEL_MIN_RECORDS

    return generate(PARALLEL_MIN_RECORDS + 20, seed=4, out=tmp_path_factory.mktemp("corpus") / "c").paths


def test_records_converted_in_two_processes_are_the_same(corpus: ProjectPaths) -> None:
    from regen_kg.export import to_ntriples
    from regen_kg.records import PARALLEL_MIN_RECORDS

    one, two = pipeline.load(corpus, jobs=1), pipeline.load(corpus, jobs=2)
    assert to_ntriples(two.data) == to_ntriples(one.data)
    assert two.origins == one.origins
    assert two.record_ids == one.record_ids and len(one.record_ids) > PARALLEL_MIN_RECORDS
    assert two.parts == one.parts


@pytest.mark.parametrize("breakage", ["unknown class", "id is not the file name"])
def test_record_errors_are_the_same_in_two_processes(corpus: ProjectPaths, tmp_path: Path, breakage: str) -> None:
    import shutil

    from regen_kg.errors import InputErrors

    broken = tmp_path / "broken"
    shutil.copytree(corpus.root, broken)
    paths = ProjectPaths(broken)
    studies = sorted((paths.data / "studies").glob("*.yaml"))
    last = studies[-1]  # in the half the child converts
    if breakage == "unknown class":
        edit(last, "design:\n- ", "design:\n- NoSuchDesign\n- ")
    else:
        shutil.copy(last, paths.data / "studies" / "zz-copy.yaml")  # sorts last: the child's half
    with pytest.raises(InputErrors) as one:
        pipeline.load(paths, jobs=1)
    with pytest.raises(InputErrors) as two:
        pipeline.load(paths, jobs=2)
    assert str(two.value) == str(one.value)
    assert ("NoSuchDesign" if breakage == "unknown class" else "must equal the file name") in str(one.value)
