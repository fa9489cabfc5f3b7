"""Quality checks: SPARQL files in qc/checks with severities in qc/profile.txt.

The shipped graph has no ERROR; a private copy of the project with seeded defects (a class with
no label, two classes with one label, a property nothing uses, a deprecated class still in use)
gets one row for each, even though that copy would fail SHACL validation.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from regen_kg import build as pipeline
from regen_kg.catalogue import catalogue_graph
from regen_kg.errors import InputError
from regen_kg.paths import ProjectPaths, project_paths
from regen_kg.qc import QCReport, format_report, load_checks, qc_graphs, report_tsv, run_checks, run_qc
from regen_kg.queries import load_catalogue
from regen_kg.store import QUERIES_GRAPH

from .conftest import ROOT
from .helpers import edit

UNVERIFIED = {"study:gentile-2017", "study:kim-2016", "study:shin-2018", "study:cervelli-2014", "study:lee-2019"}
UNUSED_PROPERTY = """
regen:unusedTestProperty a owl:ObjectProperty ;
    rdfs:label "unused test property"@en ;
    skos:definition "A property declared for a test and used by nothing."@en .
"""


@pytest.fixture(scope="module")
def shipped(paths: ProjectPaths, built: pipeline.Built) -> QCReport:
    return run_qc(paths, loaded=built.loaded, queries=built.queries)


@pytest.fixture(scope="module")
def seeded_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("seeded")
    for name in ("ontology", "shapes", "data", "queries", "qc"):
        shutil.copytree(ROOT / name, root / name)
    ttl = root / "ontology" / "regen.ttl"
    edit(ttl, '    rdfs:label "dermal thickness"@en ;\n', "")  # missing label
    edit(ttl, 'rdfs:label "dermal density"@en', 'rdfs:label "epidermal density"@en')  # duplicate label
    edit(
        ttl,
        "regen:Fibrosis a owl:Class ;\n",
        "regen:Fibrosis a owl:Class ;\n    owl:deprecated true ;\n",  # deprecated, still used by findings
    )
    with ttl.open("a", encoding="utf-8") as handle:
        handle.write(UNUSED_PROPERTY)
    return root


@pytest.fixture(scope="module")
def seeded(seeded_root: Path) -> QCReport:
    paths = project_paths(seeded_root)
    return run_qc(paths, loaded=pipeline.load(paths))  # loads without validating


def subjects(report: QCReport, check: str) -> set[str]:
    return {row.subject for row in report.of(check)}


def test_shipped_graph_has_no_errors(shipped: QCReport) -> None:
    assert shipped.passed, format_report(shipped, "ERROR")
    assert not shipped.errors


def test_every_check_file_ran_with_its_profile_severity(shipped: QCReport) -> None:
    names = {p.stem for p in (ROOT / "qc" / "checks").glob("*.rq")}
    assert {c.name for c in shipped.checks} == names
    assert len(names) >= 12
    for check in shipped.checks:
        assert check.title and check.checks and check.fix, f"{check.name}: header lines missing"
        for row in shipped.of(check.name):
            assert row.severity == check.severity


def test_shipped_warnings_and_information(shipped: QCReport) -> None:
    assert subjects(shipped, "unverified-citation") == UNVERIFIED
    assert all(r.severity == "WARN" for r in shipped.of("unverified-citation"))
    timepoints = subjects(shipped, "finding-without-timepoint")
    assert timepoints and all(s.startswith("finding:") for s in timepoints)
    # the review's claims are not findings: they are never reported here
    assert not any(s.startswith("claim:") for s in timepoints)
    coverage = {r.subject: r.message for r in shipped.of("mapping-coverage")}
    assert {"CL", "UBERON", "GO", "MESH", "(no mapping)"} <= set(coverage)
    assert all(r.severity == "INFO" for r in shipped.of("mapping-coverage"))
    assert "regen:Cell" in subjects(shipped, "missing-definition-source")
    assert "regen:MesenchymalStemCell" not in subjects(shipped, "missing-definition-source")  # has dcterms:source
    # the deliberate top-level classes are not reported; defined classes count as used
    assert not shipped.of("no-parent")
    assert "regen:UnverifiedStudy" not in subjects(shipped, "unused-term")
    assert "regen:Outcome" not in subjects(shipped, "unused-term")


def test_seeded_missing_label(seeded: QCReport) -> None:
    assert subjects(seeded, "missing-label") == {"regen:DermalThickness"}
    assert all(r.severity == "ERROR" for r in seeded.of("missing-label"))


def test_seeded_duplicate_label(seeded: QCReport) -> None:
    assert subjects(seeded, "duplicate-label") == {"regen:DermalDensity", "regen:EpidermalDensity"}
    row = next(r for r in seeded.of("duplicate-label") if r.subject == "regen:DermalDensity")
    assert "epidermal density" in row.message and "regen:EpidermalDensity" in row.message
    assert row.severity == "ERROR"


def test_seeded_unused_property(seeded: QCReport) -> None:
    rows = [r for r in seeded.of("unused-term") if r.subject == "regen:unusedTestProperty"]
    assert len(rows) == 1 and rows[0].severity == "WARN" and "property" in rows[0].message


def test_seeded_deprecated_term_in_use(seeded: QCReport) -> None:
    messages = {r.message for r in seeded.of("deprecated-in-use")}
    assert subjects(seeded, "deprecated-in-use") == {"regen:Fibrosis"}
    assert messages == {"deprecated, but still used by the records"}
    assert not seeded.passed and len(seeded.errors) >= 4


def test_cli_qc_prints_severities_and_exits_1_on_errors(seeded_root: Path) -> None:
    def qc(*options: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "regen_kg.cli", "--root", str(seeded_root), "qc", "--level", "WARN"]
        return subprocess.run([*command, *options], capture_output=True, text=True, timeout=300)

    out = qc()
    assert out.returncode == 1, out.stdout + out.stderr
    assert "ERROR missing-label" in out.stdout and "regen:DermalThickness" in out.stdout
    assert "WARN unused-term" in out.stdout and "regen:unusedTestProperty" in out.stdout
    assert "QC FAILED" in out.stdout.splitlines()[-1]
    # Oxigraph by default; the reference store prints the same report
    reference = qc("--store", "rdflib")
    assert (reference.returncode, reference.stdout) == (out.returncode, out.stdout)


def test_profile_controls_checks_without_python(tmp_path: Path, built: pipeline.Built) -> None:
    """A curator adds a check by writing a .rq file and a profile line; IGNORE silences one."""
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "studies-without-sample-size.rq").write_text(
        "# title: Study without a sample size\n"
        "# checks: every study says how many took part.\n"
        "# fix: add sample_size to the record.\n"
        "PREFIX regen: <https://w3id.org/regen-kg/ontology/>\n"
        "SELECT ?subject WHERE { ?subject a regen:Study . FILTER NOT EXISTS { ?subject regen:sampleSize ?n } }\n",
        encoding="utf-8",
    )
    shutil.copy(ROOT / "qc" / "checks" / "missing-label.rq", tmp_path / "checks")
    (tmp_path / "profile.txt").write_text(
        "# test profile\nINFO\tstudies-without-sample-size\nIGNORE\tmissing-label\n", encoding="utf-8"
    )
    report = run_checks(qc_graphs(built.loaded, built.queries), load_checks(tmp_path))
    assert report.rows and {r.check for r in report.rows} == {"studies-without-sample-size"}
    assert all(r.severity == "INFO" and r.message == "Study without a sample size" for r in report.rows)
    assert report_tsv(report).splitlines()[0] == "check\tseverity\tsubject\tmessage"

    (tmp_path / "profile.txt").write_text("INFO\tstudies-without-sample-size\n", encoding="utf-8")
    with pytest.raises(InputError, match="has no severity"):
        load_checks(tmp_path)
    (tmp_path / "profile.txt").write_text("INFO\tstudies-without-sample-size\nERROR\tmissing-label\nWARN\tgone\n")
    with pytest.raises(InputError, match=r"no checks/gone\.rq"):
        load_checks(tmp_path)
    (tmp_path / "profile.txt").write_text("FATAL\tmissing-label\n")
    with pytest.raises(InputError, match="SEVERITY"):
        load_checks(tmp_path)


def test_both_stores_give_the_same_rows(
    seeded: QCReport, seeded_root: Path, shipped: QCReport, paths: ProjectPaths, built: pipeline.Built
) -> None:
    """QC runs on rdflib or Oxigraph (``build --store``): the same rows, seeded defects included."""
    seeded_paths = project_paths(seeded_root)
    on_oxigraph = run_qc(seeded_paths, loaded=pipeline.load(seeded_paths), store="oxigraph")
    assert on_oxigraph.rows == seeded.rows
    assert len(seeded.rows) > len(shipped.rows)  # the seeded defects are among the rows compared
    assert run_qc(paths, loaded=built.loaded, queries=built.queries, store="oxigraph").rows == shipped.rows


def test_the_build_s_shared_store_gives_the_same_rows(seeded: QCReport, seeded_root: Path) -> None:
    """A build validates and then runs the checks on one store: the validation leaves it as loaded."""
    seeded_paths = project_paths(seeded_root)
    loaded = pipeline.load(seeded_paths)
    queries = catalogue_graph(load_catalogue(seeded_paths).values())
    shared = pipeline.asserted_store(loaded, "oxigraph")
    pipeline.validate(seeded_paths, loaded, store=shared)
    shared.load({QUERIES_GRAPH: queries})
    assert run_qc(seeded_paths, loaded=loaded, queries=queries, opened=shared).rows == seeded.rows
