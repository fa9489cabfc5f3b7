"""Curation: the new-study template, the import stamp, link candidates, block edits, the JSON Schema."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from regen_kg import build as pipeline
from regen_kg.cli import cli
from regen_kg.curation import (
    is_edited,
    link_candidates,
    read_stamp,
    record_files,
    record_json_schema,
    stamped,
    study_template,
)
from regen_kg.errors import InputErrors, RegenError
from regen_kg.importers import Identifiers, SourceKey
from regen_kg.importers.yamltext import append_items, check_edit, replace_block
from regen_kg.ontology import TermIndex, load_ontology
from regen_kg.paths import ProjectPaths
from regen_kg.schema import (
    Arm,
    Citation,
    Intervention,
    Limitation,
    Material,
    Record,
    Statement,
    Timepoint,
)
from regen_kg.validate import format_problems

from .helpers import edit, line_of

#: (old, new) edits that fill in the template; each old text occurs exactly once
FILL = [
    ("\nlabel:\n", "\nlabel: Smith 2021 PRP single-arm test study\n"),
    ("\ndesign:\n", "\ndesign: [SingleArmStudy]\n"),
    ("\npopulation:\n", "\npopulation: 20 adults (a test record)\n"),
    ("\nsample_size:\n", "\nsample_size: 20\n"),
    ("  status:\n", "  status: not-checked\n"),
    ("  first_author:\n", "  first_author: Smith\n"),
    ("  authors:\n", "  authors: Smith A\n"),
    ("  year:\n", "  year: 2021\n"),
    ("  title:\n", "  title: A test record\n"),
    ("  journal:\n", "  journal: none (a test record)\n"),
    ("  pmid:\n", ""),
    ("  doi:\n", ""),
    ("  verified_at:\n", ""),
    ("\ninterventions:\n  - id:\n", "\ninterventions:\n  - id: prp\n"),
    ("    type:\n", "    type: PRPInjection\n"),
    ('3 mL intradermal".\n    label:\n', '3 mL intradermal".\n    label: autologous PRP\n'),
    ("\narms:\n  - id:\n", "\narms:\n  - id: treated\n"),
    ("    # The id of an intervention above.\n    intervention:\n", "    intervention: prp\n"),
    ("    intervention: prp\n    label:\n", "    intervention: prp\n    label: PRP arm\n"),
    ("\nstatements:\n  - id:\n", "\nstatements:\n  - id: elasticity\n"),
    ("of one).\n    intervention:\n", "of one).\n    intervention: prp\n"),
    ("    outcome:\n", "    outcome: SkinElasticity\n"),
    ("    direction:\n", "    direction: improved\n"),
    ("    method:\n", "    method: ClinicalAssessment\n"),
    ("    text:\n", "    text: Elasticity improved (a test record).\n"),
]


@pytest.fixture(scope="module")
def terms(paths: ProjectPaths) -> TermIndex:
    return TermIndex(load_ontology(paths))


def new_study(paths: ProjectPaths, *args: str) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(cli, ["--root", str(paths.root), "new-study", *args])
    return result.exit_code, result.output, result.exception


def test_template_explains_every_field(terms: TermIndex) -> None:
    text = study_template("smith-2021", terms)
    for model in (Record, Citation, Intervention, Material, Arm, Statement, Timepoint, Limitation):
        for name in model.model_fields:
            assert f"{name}:" in text or f"{name}," in text or f"{{{name}" in text, (model.__name__, name)
    for term in ("RandomizedControlledTrial", "PRPInjection", "SkinElasticity", "ClinicalAssessment", "FaceSkin"):
        assert term in text  # the accepted terms are listed beside their fields
    assert all(len(line) <= 120 for line in text.splitlines())


def test_unfilled_template_fails_with_file_line_and_field(project_copy: ProjectPaths) -> None:
    code, output, _ = new_study(project_copy, "--id", "smith-2021")
    path = project_copy.data / "studies" / "smith-2021.yaml"
    assert code == 0 and "wrote data/studies/smith-2021.yaml" in output
    with pytest.raises(InputErrors) as info:
        pipeline.load(project_copy)
    (err,) = [e for e in info.value.errors if Path(e.location.path) == path]
    assert err.location.line == line_of(path, "label:")
    assert "field 'label': is empty; fill it in" in err.message
    assert "field 'design': is empty; fill it in" in err.message
    assert (
        "field 'citation.status': is empty; fill it in (Input should be 'verified', 'not-found' or 'not-checked')"
        in (err.message)
    )


def test_filled_template_validates(project_copy: ProjectPaths) -> None:
    assert new_study(project_copy, "--id", "smith-2021")[0] == 0
    path = project_copy.data / "studies" / "smith-2021.yaml"
    for old, new in FILL:
        edit(path, old, new)
    loaded = pipeline.load(project_copy)
    report = pipeline.validate(project_copy, loaded)
    assert report.conforms, format_problems(report)
    ours = sorted(p.message for p in report.problems if "smith-2021" in str(p.focus))
    assert ours == [  # warnings only: the identifiers were left out because they were not seen
        "The DOI is missing; look it up and add it (never guess one).",
        "The PMID is missing; look it up and add it (never guess one).",
    ]
    assert "smith-2021" in loaded.record_ids


def test_new_study_refuses_an_existing_or_malformed_id(tmp_path: Path, project_copy: ProjectPaths) -> None:
    code, _, exc = new_study(project_copy, "--id", "lee-2014")
    assert code == 1 and "already exists" in str(exc)
    code, _, exc = new_study(project_copy, "--id", "Smith 2021")
    assert code == 1 and "lower-case letters, digits and hyphens" in str(exc)
    code, _output, _ = new_study(project_copy, "--id", "smith-2021", "--out", str(tmp_path / "drafts"))
    assert code == 0 and (tmp_path / "drafts" / "smith-2021.yaml").exists()
    assert not (project_copy.data / "studies" / "smith-2021.yaml").exists()


def test_import_commands_have_help(project_copy: ProjectPaths) -> None:
    for args in (["new-study"], ["import"], ["import", "pubmed"], ["import", "ctgov"], ["import", "table"]):
        result = CliRunner().invoke(cli, [*args, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, args


# --- the import stamp -----------------------------------------------------------------------------


def test_stamp_detects_an_edit() -> None:
    key = SourceKey("pubmed", "29768149")
    text = stamped(key, "PubMed efetch XML (x.xml), PMID 29768149", "id: obyrne-2018\nlabel: x\n")
    found = read_stamp(text)
    assert found is not None and found[0].key == key and found[1] == "id: obyrne-2018\nlabel: x\n"
    assert not is_edited(text)
    assert is_edited(text.replace("label: x", "label: y"))
    assert is_edited("id: lee-2014\n")  # a curated file (no stamp) is never overwritten
    assert read_stamp("id: lee-2014\n# regen-kg-import: pubmed:1 sha256:" + "0" * 64 + "\n") is None


def test_link_candidates_match_pmid_doi_case_insensitively_and_nct(project_copy: ProjectPaths) -> None:
    files = record_files(project_copy)
    key = SourceKey("pubmed", "25324650")
    (found,) = link_candidates(files, Identifiers(pmid="25324650", doi="10.5021/AD.2014.26.5.584"), key)
    assert found.file.id == "lee-2014" and found.matches == ["PMID 25324650", "DOI 10.5021/AD.2014.26.5.584"]
    assert not link_candidates(files, Identifiers(nct_ids=("NCT02210780",)), SourceKey("ctgov", "NCT02210780"))


# --- editing one block of a curated file -----------------------------------------------------------


CURATED = """\
# a curated record
id: x
label: X  # keep me
citation: {kind: primary, status: not-checked, first_author: X, year: 2020}
# about the statements
statements: []
limitations:
  # a comment inside a block
  - {type: SmallSampleSize, text: small}
"""


def test_block_edits_keep_the_rest_of_the_file() -> None:
    text = replace_block(CURATED, "citation", {"kind": "primary", "status": "verified", "pmid": "1"})
    assert text.startswith("# a curated record\nid: x\nlabel: X  # keep me\ncitation:\n  kind: primary\n")
    assert "# about the statements\nstatements: []\nlimitations:\n  # a comment inside a block\n" in text
    assert check_edit(CURATED, text, {"citation"}, "x.yaml")["citation"]["pmid"] == "1"
    appended = append_items(text, "statements", [{"id": "a", "kind": "finding", "intervention": "i"}])
    assert yaml.safe_load(appended)["statements"] == [{"id": "a", "kind": "finding", "intervention": "i"}]
    again = append_items(appended, "limitations", [{"type": "ShortFollowUp", "text": "short"}])
    assert again.endswith("  - {type: SmallSampleSize, text: small}\n  - {type: ShortFollowUp, text: short}\n")
    with pytest.raises(RegenError, match="would also change label"):
        check_edit(CURATED, CURATED.replace("label: X", "label: Y"), {"citation"}, "x.yaml")


# --- the machine-readable schema ------------------------------------------------------------------------


def test_json_schema_accepts_every_record(paths: ProjectPaths) -> None:
    import jsonschema

    schema = record_json_schema()
    assert schema["$schema"].endswith("2020-12/schema") and "citation" in schema["required"]
    validator = jsonschema.Draft202012Validator(schema)
    for path in paths.record_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert not list(validator.iter_errors(data)), path
    bad = yaml.safe_load((paths.data / "studies" / "lee-2014.yaml").read_text(encoding="utf-8"))
    bad["citation"]["status"] = "maybe"
    assert list(validator.iter_errors(bad))
