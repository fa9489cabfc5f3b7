"""The command line: help everywhere, exit codes 0 / 1 / 2, readable errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from regen_kg import build as pipeline
from regen_kg.context import build_context
from regen_kg.export import serialize
from regen_kg.paths import ProjectPaths

from .conftest import ROOT
from .helpers import edit

COMMANDS = [
    "build",
    "validate",
    "check",
    "export",
    "queries",
    "query",
    "links",
    "serve",
    "publish",
    "new-study",
    "import",
    "qc",
    "docs",
    "evidence-map",
    "release",
    "diagram",
    "bench",
]


def run(*args: str, root: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regen_kg.cli", "--root", str(root), *args], capture_output=True, text=True, timeout=300
    )


def test_top_level_help_lists_commands() -> None:
    out = run("--help")
    assert out.returncode == 0
    for command in COMMANDS:
        assert command in out.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    out = run(command, "--help")
    assert out.returncode == 0 and "Usage:" in out.stdout


def test_usage_error_exits_2() -> None:
    assert run("export", "--format", "xml").returncode == 2
    assert run("no-such-command").returncode == 2


def test_validate_ok_exits_0_and_lists_warnings() -> None:
    out = run("validate")
    assert out.returncode == 0
    assert "0 violation(s), 5 warning(s)" in out.stdout
    assert "PMID is missing" in out.stdout


def test_validation_error_exits_1_with_file_and_node(project_copy: ProjectPaths, tmp_path: Path) -> None:
    edit(project_copy.data / "studies" / "kim-2016.yaml", "components: [cm, microneedling]", "components: [cm]")
    out = run("validate", root=project_copy.root)
    assert out.returncode == 1
    assert "kim-2016.yaml" in out.stdout and "intervention:kim-2016-cm-microneedling" in out.stdout
    build = run("build", "--out", str(tmp_path / "dist"), root=project_copy.root)
    assert build.returncode == 1 and not (tmp_path / "dist").exists()


def test_data_error_exits_1_with_location(project_copy: ProjectPaths) -> None:
    edit(project_copy.data / "studies" / "gentile-2017.yaml", "outcome: SkinElasticity", "outcome: SkinElastcity")
    out = run("validate", root=project_copy.root)
    assert out.returncode == 1
    assert "gentile-2017.yaml:" in out.stderr and "did you mean regen:SkinElasticity" in out.stderr


def test_build_prints_summary_and_writes(tmp_path: Path) -> None:
    out = run("build", "--out", str(tmp_path / "dist"))
    assert out.returncode == 0, out.stderr
    for words in ("triples asserted", "triples inferred", "studies", "findings", "claims", "SHACL", "files written"):
        assert words in out.stdout
    assert (tmp_path / "dist" / "regen-kg.ttl").exists()


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [
        ("ttl", "PREFIX regen:"),
        ("nt", "<https://w3id.org/regen-kg/"),
        ("jsonld", '"@context"'),
        ("trig", "<https://w3id.org/regen-kg/graph/data> {"),
        ("nq", "<https://w3id.org/regen-kg/graph/inferred> ."),
    ],
)
def test_export_one_format(fmt: str, marker: str, tmp_path: Path, built: pipeline.Built) -> None:
    target = tmp_path / f"out.{fmt}"
    out = run("export", "--format", fmt, "--out", str(target))
    assert out.returncode == 0, out.stderr
    assert marker in target.read_text()
    # written a piece at a time: the text of the whole graph serialized at once
    graphs = built.graphs(inferred=fmt in ("trig", "nq"))
    assert target.read_text() == serialize(fmt, graphs, build_context(built.loaded.ontology))


def test_export_inferred_adds_triples(tmp_path: Path) -> None:
    run("export", "--format", "nt", "--out", str(tmp_path / "a.nt"))
    run("export", "--format", "nt", "--inferred", "--out", str(tmp_path / "b.nt"))
    asserted = (tmp_path / "a.nt").read_text().splitlines()
    full = (tmp_path / "b.nt").read_text().splitlines()
    assert set(asserted) < set(full)
    inferred = "<https://w3id.org/regen-kg/id/study/kim-2016> <https://w3id.org/regen-kg/ontology/studiesIntervention>"
    assert any(line.startswith(inferred) for line in full)
    assert not any(line.startswith(inferred) for line in asserted)


def test_build_on_oxigraph_writes_the_same_files(tmp_path: Path) -> None:
    """``build --store oxigraph`` (quality checks on Oxigraph) gives byte-identical outputs."""
    for store in ("rdflib", "oxigraph"):
        done = run("build", "--store", store, "--no-cache", "--out", str(tmp_path / store))
        assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "rdflib").iterdir())
    assert "qc-report.tsv" in names and "regen-kg.ttl" in names
    for name in names:
        assert (tmp_path / "oxigraph" / name).read_bytes() == (tmp_path / "rdflib" / name).read_bytes(), name


def test_query_on_either_store(tmp_path: Path) -> None:
    """``query --store``: the same rows from rdflib and Oxigraph for a stored query."""
    answers = {}
    for store in ("rdflib", "oxigraph"):
        done = run("query", "limitations", "--store", store, "--format", "csv")
        assert done.returncode == 0, done.stderr
        answers[store] = done.stdout
    assert answers["rdflib"] == answers["oxigraph"]
    lines = answers["rdflib"].splitlines()
    assert lines[0].startswith("limitation,limitationType,") and len(lines) > 10


def test_query_defaults_to_oxigraph_and_saves_its_graph(project_copy: ProjectPaths) -> None:
    """Without ``--store``, ``query`` runs on Oxigraph (the graph saved for the next query) and
    answers as the reference does."""
    from regen_kg.querystore import STORE_FOLDER

    saved = project_copy.root / STORE_FOLDER
    default = run("query", "limitations", "--format", "csv", root=project_copy.root)
    assert default.returncode == 0, default.stderr
    assert saved.is_dir() and any(saved.iterdir())
    reference = run("query", "limitations", "--store", "rdflib", "--format", "csv", root=project_copy.root)
    assert reference.returncode == 0, reference.stderr
    assert default.stdout == reference.stdout


def test_query_draws_a_table_of_max_rows_and_says_where_the_rest_is(project_copy: ProjectPaths) -> None:
    """The table format draws ``--max-rows`` rows (200 by default) and says how many there are;
    the other formats write every row."""
    tsv = run("query", "mechanism-chains", "--format", "tsv", root=project_copy.root)
    assert tsv.returncode == 0, tsv.stderr
    total = len(tsv.stdout.splitlines()) - 1  # the header
    assert 3 < total <= 200
    cut = run("query", "mechanism-chains", "--max-rows", "3", root=project_copy.root)
    assert cut.returncode == 0, cut.stderr
    assert cut.stdout.rstrip().endswith(f"{total} rows, the first 3 shown")
    assert f"the table shows 3 of {total} rows" in cut.stderr and "--format tsv" in cut.stderr
    whole = run("query", "mechanism-chains", root=project_copy.root)
    assert whole.returncode == 0, whole.stderr
    assert whole.stdout.rstrip().endswith(f"{total} row(s)") and "the table shows" not in whole.stderr
    assert run("query", "mechanism-chains", "--max-rows", "-1", root=project_copy.root).returncode == 2


def test_check_redoes_only_what_changed_and_exits_1_on_a_violation(project_copy: ProjectPaths) -> None:
    first = run("check", root=project_copy.root)
    assert first.returncode == 0, first.stderr
    assert "full check of 16 record file(s) (no earlier check of these inputs)" in first.stderr
    assert first.stdout.startswith("SHACL: 0 violation(s), 5 warning(s)") and "OWL 2 RL: consistent." in first.stdout
    edit(project_copy.data / "studies" / "liang-2022.yaml", "sample_size: 30", "sample_size: 20")
    second = run("check", root=project_copy.root)
    assert second.returncode == 1
    assert "1 record file(s) changed since the last check" in second.stderr
    assert "data/studies/liang-2022.yaml" in second.stderr
    assert "VIOLATION" in second.stdout and "liang-2022.yaml" in second.stdout


def test_start_up_imports_only_what_a_command_needs() -> None:
    """``regen-kg check`` and a saved answer run in about a second at 10,000 studies; importing
    the build, the exporters, pyshacl and curies for every command would add 0.4 s to each."""
    probe = (
        "import sys, regen_kg.cli, regen_kg.incremental, regen_kg.answers, regen_kg.querystore; "
        "print(' '.join(m for m in ('regen_kg.build', 'regen_kg.export', 'regen_kg.serve', "
        "'regen_kg.bench', 'pyshacl', 'owlrl', 'curies', 'pyld', 'fastapi') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == []


def test_commands_reading_the_whole_graph_use_the_project_cache(project_copy: ProjectPaths) -> None:
    """``export`` (like ``publish``, ``links check`` and ``evidence-map``) builds through the
    project's cache: a second run reads the records from it and writes the same bytes."""
    from regen_kg.cache import CACHE_FOLDER

    root = project_copy.root
    first = run("export", "--format", "nt", "--inferred", root=root)
    assert first.returncode == 0, first.stderr
    assert list((root / CACHE_FOLDER / "record").glob("*.bucket"))
    again = run("export", "--format", "nt", "--inferred", root=root)
    assert again.returncode == 0 and again.stdout == first.stdout
    assert "<https://w3id.org/regen-kg/id/study/lee-2014>" in first.stdout
