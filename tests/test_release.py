"""Releases: every artifact in dist/VERSION/, version stamped, byte-reproducible, with a changelog."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL

from regen_kg import build as pipeline
from regen_kg.dataset import DATASET
from regen_kg.paths import ProjectPaths, project_paths
from regen_kg.prefixes import ONTOLOGY_IRI, PAV
from regen_kg.release import (
    Release,
    ReleaseError,
    check_version,
    previous_release,
    release,
    release_date,
    updated_changelog,
    version_key,
)

from .conftest import ROOT
from .helpers import edit

DATE = "2026-12-01"
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
EXPECTED_FILES = {
    "CHANGES.md",
    "SHA256SUMS",
    "context.jsonld",
    "data.ttl",
    "docs/index.html",
    "docs/model.svg",
    "evidence-map.png",
    "evidence-map.svg",
    "inferred.ttl",
    "mappings.sssom.tsv",
    "ontology.ttl",
    "qc-report.tsv",
    "qc-report.txt",
    "queries.ttl",
    "regen-kg-full.nt",
    "regen-kg.jsonld",
    "regen-kg.nq",
    "regen-kg.trig",
    "regen-kg.ttl",
    "shacl-report.ttl",
    "shacl-report.txt",
    "void.ttl",
}


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def first(paths: ProjectPaths, built: pipeline.Built, tmp_path_factory: pytest.TempPathFactory) -> Release:
    """A release of the session's build (the build itself is not repeated)."""
    return release(paths, "0.2.0", tmp_path_factory.mktemp("dist-a"), DATE, built=built)


@pytest.fixture(scope="module")
def second(paths: ProjectPaths, tmp_path_factory: pytest.TempPathFactory) -> Release:
    """A second release of the same commit, built from scratch."""
    return release(paths, "0.2.0", tmp_path_factory.mktemp("dist-b"), DATE)


def test_release_holds_every_artifact(first: Release) -> None:
    assert set(tree(first.directory)) == EXPECTED_FILES
    assert first.files == sorted(EXPECTED_FILES)
    assert first.directory.name == "0.2.0" and first.previous is None
    assert not [p for p in first.directory.parent.iterdir() if p.name.startswith(".")]  # no staging left


def test_the_release_command_writes_the_library_s_release(first: Release, paths: ProjectPaths, tmp_path: Path) -> None:
    """``regen-kg release`` builds through the project's cache, in two processes: the same bytes."""
    command = [sys.executable, "-m", "regen_kg.cli", "--root", str(paths.root), "release", "0.2.0"]
    out = subprocess.run(
        [*command, "--date", DATE, "--out", str(tmp_path)], capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"release 0.2.0 ({DATE})" in out.stdout
    assert tree(tmp_path / "0.2.0") == tree(first.directory)


def test_a_release_failing_half_way_leaves_the_earlier_files(
    first: Release, paths: ProjectPaths, built: pipeline.Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are written one by one into a hidden folder, moved into place only when all are."""
    out = tmp_path / "dist"
    shutil.copytree(first.directory.parent, out)
    before = tree(out)

    def broken(*_args: object) -> dict[str, bytes]:
        raise RuntimeError("the documentation could not be drawn")

    monkeypatch.setattr("regen_kg.release.render_docs", broken)  # after the graph files are written
    with pytest.raises(RuntimeError, match="could not be drawn"):
        release(paths, "0.2.0", out, DATE, built=built)
    assert tree(out) == before  # the same release, the same changelog, no partial folder


def test_two_release_builds_are_byte_identical(first: Release, second: Release) -> None:
    a, b = tree(first.directory.parent), tree(second.directory.parent)
    assert set(a) == set(b)
    different = sorted(name for name in a if a[name] != b[name])
    assert not different


def test_checksums_cover_every_file(first: Release) -> None:
    files = tree(first.directory)
    listed = {}
    for line in files["SHA256SUMS"].decode().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert set(listed) == EXPECTED_FILES - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name


def test_version_and_date_are_stamped_in_the_outputs_only(first: Release, paths: ProjectPaths) -> None:
    ontology = Graph().parse(first.directory / "ontology.ttl")
    assert (ONTOLOGY_IRI, OWL.versionIRI, URIRef("https://w3id.org/regen-kg/ontology/0.2.0")) in ontology
    assert (ONTOLOGY_IRI, OWL.versionInfo, Literal("0.2.0")) in ontology
    assert (ONTOLOGY_IRI, DCTERMS.issued, Literal(DATE, datatype=XSD_DATE)) in ontology
    assert len(set(ontology.objects(ONTOLOGY_IRI, OWL.versionIRI))) == 1
    full = Graph().parse(first.directory / "regen-kg.ttl")
    assert (ONTOLOGY_IRI, OWL.versionInfo, Literal("0.2.0")) in full
    void = Graph().parse(first.directory / "void.ttl")
    assert (DATASET, PAV.version, Literal("0.2.0")) in void
    assert (DATASET, DCTERMS.issued, Literal(DATE, datatype=XSD_DATE)) in void
    downloads = {str(o) for o in void.objects(None, URIRef("http://www.w3.org/ns/dcat#downloadURL"))}
    assert "https://w3id.org/regen-kg/dist/0.2.0/ontology.ttl" in downloads
    # the source ontology keeps its own version
    assert 'owl:versionInfo "0.1.0"' in (paths.ontology / "regen.ttl").read_text(encoding="utf-8")
    docs = (first.directory / "docs" / "index.html").read_text(encoding="utf-8")
    assert "https://w3id.org/regen-kg/ontology/0.2.0" in docs and DATE in docs


def test_qc_report_and_first_changelog(first: Release) -> None:
    qc = (first.directory / "qc-report.tsv").read_text(encoding="utf-8")
    assert qc.startswith("check\tseverity\tsubject\tmessage\n") and "\tERROR\t" not in qc
    assert "unverified-citation\tWARN\tstudy:gentile-2017" in qc
    changes = (first.directory / "CHANGES.md").read_text(encoding="utf-8")
    assert changes.startswith(f"## 0.2.0 ({DATE})") and "First release: 15 studies" in changes
    changelog = (first.directory.parent / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog") and changes.strip() in changelog


def test_changelog_lists_added_and_changed_studies_and_terms(
    first: Release, tmp_path: Path, project_copy: ProjectPaths
) -> None:
    out_root = tmp_path / "dist"
    shutil.copytree(first.directory.parent, out_root)
    shutil.copytree(ROOT / "qc", project_copy.root / "qc")
    studies = project_copy.data / "studies"
    text = (studies / "liang-2022.yaml").read_text(encoding="utf-8")
    (studies / "liang-2022b.yaml").write_text(
        text.replace("id: liang-2022\n", "id: liang-2022b\n").replace("label: Liang 2022 ", "label: Liang 2022b "),
        encoding="utf-8",
    )
    edit(studies / "lee-2014.yaml", "label: Lee 2014 ", "label: Lee 2014 (relabelled) ")
    ttl = project_copy.ontology / "regen.ttl"
    edit(ttl, '"Depth of wrinkles measured on the skin surface."@en', '"Depth of wrinkles, measured on the skin."@en')
    with ttl.open("a", encoding="utf-8") as handle:
        handle.write(
            "\nregen:SkinFirmness a owl:Class ;\n    rdfs:subClassOf regen:ClinicalSkinOutcome ;\n"
            '    rdfs:label "skin firmness"@en ;\n    skos:definition "Resistance of the skin to pressure."@en .\n'
        )
    made = release(project_copy, "0.3.0", out_root, "2026-12-15")
    assert made.previous == "0.2.0"
    entry = (made.directory / "CHANGES.md").read_text(encoding="utf-8")
    assert entry.startswith("## 0.3.0 (2026-12-15)") and "Compared with 0.2.0" in entry
    assert "- added: `study:liang-2022b` Liang 2022b" in entry
    assert "- changed: `study:lee-2014` Lee 2014 (relabelled)" in entry
    assert "- added: `regen:SkinFirmness` skin firmness" in entry
    assert "- changed: `regen:WrinkleDepth` wrinkle depth (skos:definition)" in entry
    assert "liang-2022`" not in entry.replace("liang-2022b", "")  # the unchanged study is not listed
    changelog = (out_root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.index("## 0.3.0") < changelog.index("## 0.2.0")
    ontology = Graph().parse(made.directory / "ontology.ttl")
    assert (ONTOLOGY_IRI, OWL.priorVersion, URIRef("https://w3id.org/regen-kg/ontology/0.2.0")) in ontology


def test_versions_dates_and_changelog_order(tmp_path: Path) -> None:
    check_version("1.0.0-rc.1")
    for bad in ("1.0", "v1.0.0", "latest", "../x"):
        with pytest.raises(ReleaseError):
            check_version(bad)
    assert release_date("2026-01-31") == "2026-01-31"
    assert release_date(None, {"SOURCE_DATE_EPOCH": "86400"}) == "1970-01-02"
    with pytest.raises(ReleaseError):
        release_date("31/01/2026")
    assert version_key("0.10.0") > version_key("0.9.1") > version_key("0.9.1-rc.1")
    for version in ("0.1.0", "0.9.0", "1.0.0"):
        (tmp_path / version).mkdir()
        (tmp_path / version / "regen-kg.ttl").write_text("", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    assert previous_release(tmp_path, "0.10.0") == "0.9.0"
    assert previous_release(tmp_path, "0.1.0") is None
    log = updated_changelog("", "0.1.0", "## 0.1.0 (2026-01-01)\n\nfirst\n")
    log = updated_changelog(log, "0.2.0", "## 0.2.0 (2026-02-01)\n\nsecond\n")
    log = updated_changelog(log, "0.1.0", "## 0.1.0 (2026-01-01)\n\nfirst, again\n")
    assert log.index("## 0.2.0") < log.index("## 0.1.0") and "first, again" in log and "first\n" not in log
    assert project_paths(ROOT).root == ROOT


def test_nodes_are_filed_under_the_longest_record_id_they_start_with() -> None:
    """``finding/<record>-<rest>`` belongs to ``<record>``; where two ids fit, the longer one."""
    from regen_kg.release import _record_of

    ids = {"lee-2014", "lee-2014-b", "kim-2020", "a"}
    base = "https://w3id.org/regen-kg/id/"
    expected = {
        "study/kim-2020": "kim-2020",
        "finding/kim-2020-s1": "kim-2020",
        "finding/lee-2014-b-s2": "lee-2014-b",
        "finding/lee-2014-bx": "lee-2014",
        "finding/lee-2014": "lee-2014",
        "finding/a-b-c": "a",
        "finding/park-2019-s1": None,
        "finding/kim-20201": None,
        "finding/lee": None,
    }
    assert {node: _record_of(URIRef(base + node), ids) for node in expected} == expected
