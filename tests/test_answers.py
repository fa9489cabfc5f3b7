"""Saved answers: asking the same question again reads the answer saved for the same inputs, in
any output format; an edit to any input makes the next answer fresh."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from regen_kg.answers import ANSWER_FOLDER, Answer, SavedAnswers
from regen_kg.paths import ProjectPaths
from regen_kg.queries import QueryResult, load_catalogue
from regen_kg.querystore import STORE_FOLDER

from .helpers import edit
from .test_cli import run

AMIRKHANI = "data/studies/amirkhani-2016.yaml"


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_same_question_again_reads_the_saved_answer(project_copy: ProjectPaths) -> None:
    root = project_copy.root
    ask = ("query", "limitations", "--store", "oxigraph")
    first = run(*ask, "--format", "csv", root=root)
    assert first.returncode == 0, first.stderr
    assert "16 patients" in {row["limitationText"] for row in csv_rows(first.stdout)}
    assert len(list((root / ANSWER_FOLDER).glob("*/*.pickle"))) == 1
    # Without the saved graph, an answer that was not saved would have to build it again.
    shutil.rmtree(root / STORE_FOLDER)
    again = run(*ask, "--format", "csv", root=root)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    as_json = run(*ask, "--format", "json", root=root)  # another format, the same saved answer
    assert as_json.returncode == 0, as_json.stderr
    bindings = json.loads(as_json.stdout)["results"]["bindings"]
    assert len(bindings) == len(csv_rows(first.stdout))
    assert not (root / STORE_FOLDER).exists()

    edit(root / AMIRKHANI, "text: 16 patients", "text: sixteen patients")
    edited = run(*ask, "--format", "csv", root=root)
    assert edited.returncode == 0, edited.stderr
    texts = {row["limitationText"] for row in csv_rows(edited.stdout)}
    assert "sixteen patients" in texts and "16 patients" not in texts
    assert len(list((root / ANSWER_FOLDER).iterdir())) == 1  # the answers of the old inputs are gone


def test_saved_answer_repeats_its_notes(project_copy: ProjectPaths) -> None:
    """An external id resolved to our term is reported on every ask, saved or not."""
    ask = ("query", "studies-by-cell-type", "-p", "cellType=CL:0000134", "--format", "csv")
    first = run(*ask, root=project_copy.root)
    again = run(*ask, root=project_copy.root)
    for done in (first, again):
        assert done.returncode == 0, done.stderr
        assert "CL:0000134 is an exact match of regen:MesenchymalStemCell" in done.stderr
    assert again.stdout == first.stdout
    assert "study:amirkhani-2016" in first.stdout  # SVF contains mesenchymal stem cells


def test_keys_tell_stores_and_parameters_apart(paths: ProjectPaths) -> None:
    query = load_catalogue(paths)["studies-by-cell-type"]
    keys = {
        SavedAnswers.key("rdflib", query, {}),
        SavedAnswers.key("oxigraph", query, {}),
        SavedAnswers.key("rdflib", query, {"cellType": "CL:0000134"}),
        SavedAnswers.key("rdflib", query, {"cellType": "regen:MesenchymalStemCell"}),
    }
    assert len(keys) == 4


def test_broken_or_graph_answers_are_not_read(tmp_path: Path) -> None:
    answers = SavedAnswers(ProjectPaths(tmp_path), "inputs")
    answers.put("k", Answer(QueryResult(form="SELECT", vars=["x"], rows=[{"x": "1"}], terms=[{"x": None}])))
    saved = answers.get("k")
    assert saved is not None and saved.result.rows == [{"x": "1"}]
    (answers.folder / "k.pickle").write_bytes(b"not a pickle")
    assert answers.get("k") is None
    from rdflib import Graph

    answers.put("g", Answer(QueryResult(form="CONSTRUCT", graph=Graph())))
    assert answers.get("g") is None


def test_ask_saves_and_reads_back(project_copy: ProjectPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    """The library call behind ``query``: the second ask neither builds nor evaluates."""
    from regen_kg import build as pipeline
    from regen_kg.answers import ask

    query = load_catalogue(project_copy)["studies-by-cell-type"]
    heard: list[str] = []
    first = ask(project_copy, query, {"cellType": "CL:0000134"}, store="rdflib", say=heard.append)
    monkeypatch.setattr(pipeline, "run", lambda *_a, **_k: pytest.fail("asked again: nothing to build"))
    again = ask(project_copy, query, {"cellType": "CL:0000134"}, store="rdflib", say=heard.append)
    assert again.rows == first.rows and "study:amirkhani-2016" in {r["study"] for r in first.rows}
    assert len(heard) == 2 and heard[0] == heard[1] and "regen:MesenchymalStemCell" in heard[0]


@pytest.mark.parametrize("store", ["rdflib", "oxigraph"])
def test_ask_checks_the_query_before_building(
    project_copy: ProjectPaths, monkeypatch: pytest.MonkeyPatch, store: str
) -> None:
    """A syntax error is reported (file, line) before the graph is built, not a minute after."""
    from dataclasses import replace

    from regen_kg import build as pipeline
    from regen_kg.answers import ask
    from regen_kg.errors import InputError

    query = load_catalogue(project_copy)["limitations"]
    broken = replace(query, text=query.text.replace("WHERE {", "WHERE {{", 1))
    monkeypatch.setattr(pipeline, "run", lambda *_a, **_k: pytest.fail("built before the syntax check"))
    for use_cache in (True, False):
        with pytest.raises(InputError) as caught:
            ask(project_copy, broken, {}, store=store, use_cache=use_cache)
        assert caught.value.location.path == query.path and caught.value.location.line is not None


def test_after_a_check_an_edit_is_validated_incrementally(
    project_copy: ProjectPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the state of an earlier ``check``, the first ask after an edit takes the SHACL report
    from an incremental check instead of validating every record; a violation stops it with the
    message a full validation gives."""
    from regen_kg import build as pipeline
    from regen_kg.answers import ask
    from regen_kg.cache import project_cache
    from regen_kg.errors import ValidationFailed
    from regen_kg.incremental import check

    check(project_copy, project_cache(project_copy.root))
    study = project_copy.data / "studies" / "liang-2022.yaml"
    edit(study, "sample_size: 30", "sample_size: 20")  # more completed than enrolled: a violation
    with pytest.raises(ValidationFailed) as full:
        pipeline.run(project_copy)
    monkeypatch.setattr(pipeline, "validate", lambda *_a, **_k: pytest.fail("validated every record"))
    query = load_catalogue(project_copy)["limitations"]
    for store in ("oxigraph", "rdflib"):
        with pytest.raises(ValidationFailed) as incremental:
            ask(project_copy, query, {}, store=store)
        assert str(incremental.value) == str(full.value) and "liang-2022.yaml" in str(full.value)
    edit(study, "sample_size: 20", "sample_size: 30")
    edit(project_copy.root / AMIRKHANI, "text: 16 patients", "text: sixteen patients")
    rows = ask(project_copy, query, {}, store="oxigraph").rows
    assert "sixteen patients" in {str(row["limitationText"]) for row in rows}
