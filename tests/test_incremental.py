"""``regen-kg check``: after every edit, an incremental check reports what a full validation and a
full reasoning report on the edited project, while re-validating only the nodes near the edit."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from regen_kg import build as pipeline
from regen_kg.bench import generate
from regen_kg.cache import project_cache
from regen_kg.errors import InconsistencyError, InputErrors
from regen_kg.incremental import STATE_FOLDER, Checked, check
from regen_kg.paths import ProjectPaths, project_paths

from .helpers import edit


def full_results(paths: ProjectPaths) -> tuple[list[object], str]:
    """The problem rows of a full validation and the message of a full reasoning (no cache)."""
    loaded = pipeline.load(paths)
    report = pipeline.validate(paths, loaded)
    try:
        pipeline.infer(loaded)
        inconsistency = ""
    except InconsistencyError as exc:
        inconsistency = str(exc)
    return list(report.problems), inconsistency


def check_matches_full(paths: ProjectPaths, *, incremental: bool = True) -> Checked:
    checked = check(paths, project_cache(paths.root))
    assert checked.incremental is incremental, checked.why_full
    problems, inconsistency = full_results(paths)
    assert checked.report.problems == problems
    assert checked.inconsistency == inconsistency
    assert checked.report.conforms == (not any(p.severity == "Violation" for p in problems))
    return checked


def test_the_first_check_is_full_and_the_next_reuses_everything(project_copy: ProjectPaths) -> None:
    first = check_matches_full(project_copy, incremental=False)
    assert first.passed and first.why_full == "no earlier check of these inputs"
    assert len(first.changed) == len(project_copy.record_files())
    again = check_matches_full(project_copy)
    assert (again.changed, again.removed, again.refocused) == ([], [], 0)


def test_edits_report_what_a_full_validation_reports(project_copy: ProjectPaths) -> None:
    check(project_copy, project_cache(project_copy.root))
    study = project_copy.data / "studies" / "liang-2022.yaml"
    original = study.read_text(encoding="utf-8")

    # more participants completed than enrolled: a SPARQL constraint's violation
    edit(study, "sample_size: 30", "sample_size: 20")
    broken = check_matches_full(project_copy)
    assert broken.changed == ["data/studies/liang-2022.yaml"]
    assert not broken.passed
    assert any(p.focus == "study:liang-2022" and "liang-2022.yaml" in p.file for p in broken.report.violations)
    # only the nodes of the edited record (and those with a path to them) were validated again
    assert 0 < broken.refocused < 200

    # a dangling reference: the finding's intervention is no longer one of the study's arms
    study.write_text(original, encoding="utf-8")
    edit(study, "  - id: cm-microneedling", "  - id: cm-microneedling-renamed")
    with pytest.raises(InputErrors) as checked:  # a record-level error: reported as a build reports it
        check(project_copy, project_cache(project_copy.root))
    with pytest.raises(InputErrors) as loaded:
        pipeline.load(project_copy)
    assert str(checked.value) == str(loaded.value) and "liang-2022.yaml" in str(checked.value)

    # fixed again: every problem of the edit is gone
    study.write_text(original, encoding="utf-8")
    fixed = check_matches_full(project_copy)
    assert fixed.passed and not fixed.report.violations


def test_a_new_record_and_a_removed_one(project_copy: ProjectPaths) -> None:
    check(project_copy, project_cache(project_copy.root))
    source = project_copy.data / "studies" / "liang-2022.yaml"
    copy = project_copy.data / "studies" / "liang-2022-copy.yaml"
    copy.write_text(source.read_text(encoding="utf-8").replace("id: liang-2022", "id: liang-2022-copy", 1))
    # a second record with the same content mints no node twice: its nodes carry its own id
    added = check_matches_full(project_copy)
    assert added.changed == ["data/studies/liang-2022-copy.yaml"]
    copy.unlink()
    removed = check_matches_full(project_copy)
    assert removed.removed == ["data/studies/liang-2022-copy.yaml"] and removed.changed == []


def test_a_disjointness_clash_is_found_as_a_full_reasoning_finds_it(project_copy: ProjectPaths) -> None:
    check(project_copy, project_cache(project_copy.root))
    study = project_copy.data / "studies" / "lee-2014.yaml"
    edit(
        study,
        "design: [RandomizedControlledTrial, SplitFaceStudy]",
        "design: [RandomizedControlledTrial, SplitFaceStudy, SingleArmStudy]",
    )
    clash = check_matches_full(project_copy)
    assert "id/study/lee-2014" in clash.inconsistency and not clash.passed
    edit(
        study,
        "design: [RandomizedControlledTrial, SplitFaceStudy, SingleArmStudy]",
        "design: [RandomizedControlledTrial, SplitFaceStudy]",
    )
    # the earlier check was inconsistent, so this one reasons over every record again
    assert check_matches_full(project_copy).inconsistency == ""


def test_changes_outside_the_records_make_a_full_check(project_copy: ProjectPaths) -> None:
    check(project_copy, project_cache(project_copy.root))
    shapes = project_copy.shapes / "regen-shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    after_shapes = check_matches_full(project_copy, incremental=False)
    assert after_shapes.why_full == "no earlier check of these inputs"
    # a check stopped half-way leaves its marker: the next one does not trust the store
    (project_copy.root / STATE_FOLDER / "dirty").touch()
    check_matches_full(project_copy, incremental=False)
    assert check(project_copy, project_cache(project_copy.root), full=True).why_full == "asked for"


def test_seeded_defects_of_every_kind_one_record_at_a_time(tmp_path: Path) -> None:
    """Records of a clean corpus replaced, one by one, by the same records with a seeded defect
    (every kind), then put back: each check equals a full validation of the corpus as it stands."""
    # the same seed and a non-zero rate in both: the same records, defective or not
    clean = generate(30, seed=5, defects_rate=1e-9, out=tmp_path / "clean")
    assert not clean.defects
    defective = generate(30, seed=5, defects_rate=1.0, out=tmp_path / "defective")
    paths = project_paths(clean.root)
    assert check(paths, project_cache(paths.root)).passed
    studies = sorted(defective.defects)
    originals = {r: (paths.data / "studies" / f"{r}.yaml").read_text(encoding="utf-8") for r in studies}
    kinds_seen: set[str] = set()
    for record_id in studies[:24]:
        target = paths.data / "studies" / f"{record_id}.yaml"
        shutil.copyfile(defective.root / "data" / "studies" / f"{record_id}.yaml", target)
        checked = check_matches_full(paths)
        assert checked.changed == [f"data/studies/{record_id}.yaml"]
        kinds_seen.add(defective.defects[record_id])
    assert len(kinds_seen) == 23  # every defect kind was checked incrementally
    # some fixed again, among them the record whose timepoint no other record has
    own_timepoint = [r for r in studies[:24] if defective.defects[r] == "non-positive-timepoint"]
    restored = sorted(set(random.Random(1).sample(studies[:24], 8)) | set(own_timepoint))
    assert own_timepoint
    for record_id in restored:
        (paths.data / "studies" / f"{record_id}.yaml").write_text(originals[record_id], encoding="utf-8")
        check_matches_full(paths)
    # the store after all these swaps holds what a store made from scratch holds: nothing stale
    # (a seeded timepoint of its own left with its record), nothing missing
    after_edits = store_contents(paths)
    check(paths, project_cache(paths.root), full=True)
    assert after_edits == store_contents(paths)


def store_contents(paths: ProjectPaths) -> set[str]:
    import pyoxigraph as ox

    store = ox.Store(str(paths.root / STATE_FOLDER / "store"))
    # the ontology's blank nodes are labelled anew at each parse; records have none
    blank = ox.BlankNode
    return {str(q) for q in store if not isinstance(q.subject, blank) and not isinstance(q.object, blank)}


def test_the_nodes_re_validated_are_those_with_a_path_to_a_changed_node() -> None:
    """Records reach each other's nodes only through source documents today, whose type cannot
    change without an input error; the reach is still followed, for any path length."""
    import pyoxigraph as ox
    from rdflib import URIRef

    from regen_kg.incremental import _reaching

    store = ox.Store()
    edges = [("finding", "study"), ("study", "arm"), ("arm", "intervention"), ("other", "unrelated")]
    store.extend(ox.Quad(ox.NamedNode(f"urn:{s}"), ox.NamedNode("urn:p"), ox.NamedNode(f"urn:{o}")) for s, o in edges)
    store.add(ox.Quad(ox.NamedNode("urn:study"), ox.NamedNode("urn:label"), ox.Literal("a study")))
    reached = _reaching(store, {URIRef("urn:intervention")})
    assert reached == {URIRef(f"urn:{n}") for n in ("intervention", "arm", "study", "finding")}
    assert _reaching(store, {URIRef("urn:unrelated")}) == {URIRef("urn:unrelated"), URIRef("urn:other")}


def test_a_second_check_at_the_same_time_is_told_so(project_copy: ProjectPaths) -> None:
    import pyoxigraph as ox

    from regen_kg.incremental import CheckBusy

    check(project_copy, project_cache(project_copy.root))
    edit(project_copy.data / "studies" / "liang-2022.yaml", "sample_size: 30", "sample_size: 31")
    held = ox.Store(str(project_copy.root / STATE_FOLDER / "store"))  # as a running check holds it
    with pytest.raises(CheckBusy, match="another 'regen-kg check' is running"):
        check(project_copy, project_cache(project_copy.root))
    del held
    assert check_matches_full(project_copy).changed == ["data/studies/liang-2022.yaml"]


def test_validated_reports_from_an_incremental_check_or_not_at_all(
    project_copy: ProjectPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``validated`` (what ``query`` and ``serve`` use before building after an edit) gives the
    report of a full validation from an incremental check, and None where only a full check could."""
    import regen_kg.incremental as incremental
    from regen_kg.incremental import validated

    cache = project_cache(project_copy.root)
    assert validated(project_copy, cache) is None  # never checked
    check(project_copy, cache)
    edit(project_copy.data / "studies" / "liang-2022.yaml", "sample_size: 30", "sample_size: 20")
    with monkeypatch.context() as patched:
        patched.setattr(incremental, "_full", lambda *_a, **_k: pytest.fail("a full check"))
        report = validated(project_copy, cache)
    problems, _ = full_results(project_copy)
    assert report is not None and not report.conforms and report.problems == problems
    assert check(project_copy, cache).changed == []  # the check's state moved on to these inputs

    shapes = sorted(project_copy.root.glob("shapes/*.ttl"))[0]
    shapes.write_text(shapes.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert validated(project_copy, cache) is None  # other schema inputs: only a full check


def test_run_with_a_report_does_not_validate_again(project_copy: ProjectPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    from regen_kg.errors import ValidationFailed

    cache = project_cache(project_copy.root)
    expected = pipeline.run(project_copy, cache=cache)
    monkeypatch.setattr(pipeline, "validate", lambda *_a, **_k: pytest.fail("validated again"))
    built = pipeline.run(project_copy, cache=cache, jobs=2, report=expected.report)
    assert set(built.inferred) == set(expected.inferred) and len(built.loaded.data) == len(expected.loaded.data)
    failing = type(expected.report)(conforms=False, problems=expected.report.problems, graph=expected.report.graph)
    with pytest.raises(ValidationFailed):
        pipeline.run(project_copy, cache=cache, report=failing)
