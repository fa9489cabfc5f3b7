"""Importers of real formats: PubMed efetch XML, ClinicalTrials.gov API v2 JSON and CSV finding tables.

Expected values were written by hand from the fixture files in tests/fixtures/ (see its README).
Cases the real files do not cover are tested on variants derived from them in a temporary
folder; each edit is named where it is made.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from regen_kg import build as pipeline
from regen_kg.cli import cli
from regen_kg.curation import is_edited, read_stamp
from regen_kg.errors import InputError, InputErrors, RegenError
from regen_kg.importers import SourceKey, ctgov, pubmed, table, writer
from regen_kg.ontology import TermIndex, load_ontology
from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import REGEN
from regen_kg.queries import load_catalogue, run_query
from regen_kg.schema import Record

from .helpers import edit

FIXTURES = Path(__file__).parent / "fixtures"
PUBMED = FIXTURES / "pubmed"
CTGOV = FIXTURES / "ctgov"
MESH = "http://id.nlm.nih.gov/mesh/"


def variant(tmp_path: Path, source: Path, name: str, *edits: tuple[str, str]) -> Path:
    """A copy of a fixture with each (old, new) edit made exactly once."""
    text = source.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) >= 1, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(paths: ProjectPaths) -> dict[str, bytes]:
    return {str(p.relative_to(paths.root)): p.read_bytes() for p in sorted(paths.data.rglob("*")) if p.is_file()}


def invoke(paths: ProjectPaths, *args: str) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(cli, ["--root", str(paths.root), *args])
    return result.exit_code, result.output, result.exception


# --- PubMed: every real fixture ---------------------------------------------------------------


def test_pubmed_29768149_structured_abstract_rct_and_mesh() -> None:
    (rec,) = pubmed.read(PUBMED / "pubmed-29768149.xml")
    c = rec.body["citation"]
    assert rec.key == SourceKey("pubmed", "29768149") and rec.folder == "inbox"
    assert rec.body["id"] == "obyrne-2018" and rec.body["findings_pending"] is True
    assert rec.body["design"] == ["RandomizedControlledTrial"]
    assert (c["kind"], c["status"], c["pmid"], c["doi"]) == ("primary", "verified", "29768149", "10.1056/NEJMoa1715274")
    assert c["title"] == "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma"
    assert c["first_author"] == "O'Byrne" and c["year"] == 2018
    assert c["authors"] == (
        "O'Byrne PM, FitzGerald JM, Bateman ED, Barnes PJ, Zhong N, Keen C, Jorup C, Lamarca R, Ivanov S, Reddel HK"
    )
    assert c["journal"] == "N Engl J Med. 2018 May 17;378(20):1865-1876"  # numeric month 05 shown as May
    assert c["nct_ids"] == ["NCT02149199"]
    assert c["publication_types"] == [
        "Clinical Trial, Phase III",
        "Comparative Study",
        "Journal Article",
        "Multicenter Study",
        "Randomized Controlled Trial",
        "Research Support, Non-U.S. Gov't",
    ]
    sections = c["abstract"].split("\n")
    assert [s.split(":")[0] for s in sections] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert sections[0] == (
        "BACKGROUND: In patients with mild asthma, as-needed use of an inhaled glucocorticoid plus a "
        "fast-acting β 2-agonist may be an alternative to conventional treatment strategies."
    )
    assert "(200 μg of budesonide and 6 μg of formoterol)" in sections[1]
    mesh = c["mesh_headings"]
    assert len(mesh) == 23
    assert mesh[0] == {"iri": MESH + "D000280", "label": "Administration, Inhalation", "major": False}
    assert {"iri": MESH + "D001249", "label": "Asthma", "major": True, "qualifiers": ["drug therapy"]} in mesh
    assert {
        "iri": MESH + "D000068759",
        "label": "Formoterol Fumarate",
        "major": True,
        "qualifiers": ["administration & dosage", "adverse effects"],
    } in mesh
    assert mesh[-1] == {"iri": MESH + "D055815", "label": "Young Adult", "major": False}


def test_pubmed_22663011_collective_author_and_text_month() -> None:
    (rec,) = pubmed.read(PUBMED / "efetch_citation_22663011.xml")
    c = rec.body["citation"]
    assert rec.body["id"] == "flaherty-2012" and rec.body["design"] == ["RandomizedControlledTrial"]
    assert (c["pmid"], c["doi"], c["year"]) == ("22663011", "10.1056/NEJMoa1203421", 2012)
    assert c["title"] == "Improved survival with MEK inhibition in BRAF-mutated melanoma"
    assert c["journal"] == "N Engl J Med. 2012 Jul 12;367(2):107-14"
    authors = c["authors"].split(", ")
    assert len(authors) == 26 and authors[0] == "Flaherty KT" and authors[17] == "Becker JC"
    assert authors[-1] == "METRIC Study Group"  # the collective author, in its place
    assert "Gonzalez R" not in authors  # investigators are not authors
    assert c["first_author"] == "Flaherty"
    assert c["abstract"].startswith("BACKGROUND: Activating mutations in serine-threonine protein kinase B-RAF (BRAF)")
    assert "(hazard ratio for disease progression or death in the trametinib group, 0.45;" in c["abstract"]
    assert "P<0.001" in c["abstract"]  # &lt; decoded
    assert c["nct_ids"] == ["NCT01245062"]
    assert len(c["mesh_headings"]) == 20
    assert {
        "iri": MESH + "D008545",
        "label": "Melanoma",
        "major": True,
        "qualifiers": ["drug therapy", "genetics", "mortality"],
    } in c["mesh_headings"]


def test_pubmed1_review_without_doi_and_article_with_doi_only_in_article_ids() -> None:
    review, article = pubmed.read(PUBMED / "pubmed1.xml")
    c = review.body["citation"]
    assert review.body["id"] == "olivero-1990" and review.kind == "source" and "design" not in review.body
    assert (c["kind"], c["status"], c["pmid"]) == ("review", "verified", "12091962")
    assert "doi" not in c and "abstract" not in c
    assert any("no DOI" in n for n in review.notes)
    assert c["journal"] == "Soc Justice. 1990 Spring;17(1):113-25"  # Season instead of a month
    assert c["title"] == "The treatment of AIDS behind the walls of correctional facilities"
    assert (c["first_author"], c["authors"], c["year"]) == ("Olivero", "Olivero JM", 1990)
    assert c["publication_types"] == ["Journal Article", "Review"]
    assert len(c["mesh_headings"]) == 19
    assert {"iri": MESH + "D014481", "label": "United States", "major": False} in c["mesh_headings"]
    assert {"iri": MESH + "D000163", "label": "Acquired Immunodeficiency Syndrome", "major": True} in c["mesh_headings"]

    c = article.body["citation"]
    assert article.body["id"] == "strekas-1976" and article.body["design"] == []
    assert any("name no study design" in n for n in article.notes)
    assert c["doi"] == "10.1016/0005-2795(76)90109-4"  # only in PubmedData/ArticleIdList
    assert c["title"] == "Magnetic studies of Chromatium flavocytochrome C552. A mechanism for heme-flavin interaction"
    assert c["journal"] == "Biochim Biophys Acta. 1976 Sep 28;446(1):179-91"
    assert c["abstract"].startswith("Electron paramagnetic resonance and magnetic susceptibility studies")
    assert "\n" not in c["abstract"]  # unstructured: one paragraph
    assert len(c["mesh_headings"]) == 13


def test_pubmed2_no_day_affiliation_entity_and_no_mesh() -> None:
    first, second = pubmed.read(PUBMED / "pubmed2.xml")
    c = first.body["citation"]
    assert first.body["id"] == "taddei-2001"
    assert c["authors"] == "Taddei AR, Barbato F, Abelli L, Canese S, Moretti F, Rana KJ, Fausto AM, Mazzini M"
    assert c["journal"] == "Cryobiology. 2001 Jun;42(4):244-55"
    assert c["doi"] == "10.1006/cryo.2001.2328"
    assert "Copyright 2001" not in c["abstract"]
    assert {
        "iri": MESH + "D021541",
        "label": "Sea Bream",
        "major": True,
        "qualifiers": ["anatomy & histology", "physiology"],
    } in c["mesh_headings"]
    c = second.body["citation"]
    assert second.body["id"] == "casieri-2001" and "mesh_headings" not in c  # PubMed-not-MEDLINE
    assert (c["pmid"], c["doi"]) == ("11700088", "10.1006/jmre.2001.2429")
    assert c["journal"] == "J Magn Reson. 2001 Nov;153(1):117-23"
    assert c["title"] == "Proton MRI of (13)C distribution by J and chemical shift editing"
    assert c["authors"].endswith("Podo F, De Luca F")


def test_pubmed_medline_date_and_literal_non_ascii_name(tmp_path: Path, project_copy: ProjectPaths) -> None:
    # variant of pubmed2.xml: a MedlineDate instead of Year/Month, and the first author's name
    # rewritten with literal UTF-8 letters (the real files use only character references)
    path = variant(
        tmp_path,
        PUBMED / "pubmed2.xml",
        "medline-date.xml",
        (
            "<PubDate><Year>2001</Year><Month>Jun</Month></PubDate>",
            "<PubDate><MedlineDate>2001 May-Jun</MedlineDate></PubDate>",
        ),
        ("<LastName>Taddei</LastName>", "<LastName>Tåddëi</LastName>"),
    )
    first, _ = pubmed.read(path)
    c = first.body["citation"]
    assert c["year"] == 2001 and c["journal"] == "Cryobiology. 2001 May-Jun;42(4):244-55"
    assert c["first_author"] == "Tåddëi" and c["authors"].startswith("Tåddëi AR, ")
    assert first.body["id"] == "taddei-2001"
    (outcome, _) = writer.apply(project_copy, [first, _])
    written = outcome.path
    assert written is not None and "first_author: Tåddëi" in written.read_text(encoding="utf-8")
    assert Record.model_validate(yaml.safe_load(written.read_text(encoding="utf-8"))).citation.first_author == "Tåddëi"


def test_pubmed_article_with_only_a_collective_author(tmp_path: Path) -> None:
    # variant of efetch_citation_22663011.xml keeping only its collective author
    text = (PUBMED / "efetch_citation_22663011.xml").read_text(encoding="utf-8")
    text, removed = re.subn(r"<Author ValidYN=\"Y\"><LastName>.*?</Author>", "", text)
    assert removed == 25
    path = tmp_path / "collective.xml"
    path.write_text(text, encoding="utf-8")
    (rec,) = pubmed.read(path)
    c = rec.body["citation"]
    assert c["first_author"] == "METRIC Study Group" and c["authors"] == "METRIC Study Group"
    assert rec.body["id"] == "metric-study-group-2012"


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        ((('<PMID Version="1">29768149</PMID>', ""),), "article 1: missing required element MedlineCitation/<PMID>"),
        (
            (("<ArticleTitle>Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma.</ArticleTitle>", ""),),
            "article 1 (PMID 29768149): missing required element Article/<ArticleTitle>",
        ),
        (
            (("<PubmedArticleSet>", "<eSearchResult>"), ("</PubmedArticleSet>", "</eSearchResult>")),
            "found <eSearchResult>",
        ),
    ],
)
def test_pubmed_bad_files_name_the_file_and_the_problem(
    tmp_path: Path, edits: tuple[tuple[str, str], ...], message: str
) -> None:
    path = variant(tmp_path, PUBMED / "pubmed-29768149.xml", "bad.xml", *edits)
    with pytest.raises(InputError) as info:
        pubmed.read(path)
    assert str(info.value.location.path) == str(path) and message in info.value.message


def test_pubmed_truncated_or_empty_file(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.xml"
    truncated.write_bytes((PUBMED / "pubmed-29768149.xml").read_bytes()[:6000])
    with pytest.raises(InputError) as info:
        pubmed.read(truncated)
    assert info.value.location.path == truncated and info.value.location.line is not None
    assert "malformed XML" in info.value.message
    empty = tmp_path / "empty.xml"
    empty.write_text("<?xml version='1.0'?><PubmedArticleSet></PubmedArticleSet>", encoding="utf-8")
    with pytest.raises(InputError, match="no <PubmedArticle>"):
        pubmed.read(empty)


def test_cli_malformed_xml_exits_1_and_writes_nothing(tmp_path: Path, project_copy: ProjectPaths) -> None:
    bad = tmp_path / "truncated.xml"
    bad.write_bytes((PUBMED / "pubmed1.xml").read_bytes()[:5000])
    before = snapshot(project_copy)
    out = subprocess.run(
        [sys.executable, "-m", "regen_kg.cli", "--root", str(project_copy.root), "import", "pubmed", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1
    assert str(bad) in out.stderr and "malformed XML" in out.stderr
    assert snapshot(project_copy) == before


# --- ClinicalTrials.gov: every real fixture -----------------------------------------------------


def test_ctgov_nct02210780_randomized_phase2_trial() -> None:
    (rec,) = ctgov.read(CTGOV / "NCT02210780.json")
    b, reg = rec.body, rec.body["registration"]
    assert rec.key == SourceKey("ctgov", "NCT02210780") and rec.folder == "studies"
    assert b["id"] == "nct02210780" and b["design"] == ["RandomizedControlledTrial"] and b["sample_size"] == 194
    assert b["label"] == "Study of Dupilumab and Immune Responses in Adults With Atopic Dermatitis (AD) (NCT02210780)"
    assert (b["citation"]["kind"], b["citation"]["status"]) == ("primary", "not-checked")
    assert (b["citation"]["first_author"], b["citation"]["year"]) == ("Regeneron Pharmaceuticals", 2014)
    assert "pmid" not in b["citation"] and "doi" not in b["citation"]
    assert reg["nct_id"] == "NCT02210780" and reg["overall_status"] == "COMPLETED"
    assert (reg["study_type"], reg["phases"], reg["allocation"]) == ("INTERVENTIONAL", ["PHASE2"], "RANDOMIZED")
    assert (reg["intervention_model"], reg["masking"]) == ("PARALLEL", "TRIPLE")
    assert reg["who_masked"] == ["PARTICIPANT", "INVESTIGATOR", "OUTCOMES_ASSESSOR"]
    assert (reg["enrollment"], reg["enrollment_type"]) == (194, "ACTUAL")
    assert (reg["start_date"], reg["primary_completion_date"], reg["completion_date"]) == (
        "2014-08-05",
        "2015-09-15",
        "2015-09-15",
    )
    assert (reg["first_posted"], reg["last_updated"], reg["version_date"]) == ("2014-08-07", "2020-05-07", "2023-11-15")
    assert (reg["lead_sponsor"], reg["collaborators"]) == ("Regeneron Pharmaceuticals", ["Sanofi"])
    assert reg["conditions"] == ["Atopic Dermatitis"]
    assert reg["condition_meshes"] == [
        {"id": "D000003876", "term": "Dermatitis, Atopic"},  # the registry's 10-character form, as given
        {"id": "D000003872", "term": "Dermatitis"},
        {"id": "D000004485", "term": "Eczema"},
    ]
    assert len(reg["primary_outcomes"]) == 1 and len(reg["secondary_outcomes"]) == 10
    assert reg["primary_outcomes"][0]["measure"].startswith(
        "Percentage of Participants With a Positive Response (≥4-Fold"
    )
    assert reg["primary_outcomes"][0]["time_frame"] == "Week 16"
    assert reg["secondary_outcomes"][5]["time_frame"] == "Baseline to Week 16"
    assert reg["has_results"] is True
    assert b["arms"] == [
        {"id": "placebo-qw", "role": "experimental", "intervention": "placebo", "label": "Placebo qw"},
        {
            "id": "dupilumab-300-mg-qw",
            "role": "experimental",
            "intervention": "dupilumab",
            "label": "Dupilumab 300 mg qw",
        },
    ]
    dupilumab = b["interventions"][0]
    assert (dupilumab["id"], dupilumab["type"], dupilumab["label"]) == ("dupilumab", "Intervention", "Dupilumab")
    assert "type DRUG; other names: REGN668, SAR231893, Dupixent." in dupilumab["note"]
    assert [a["type"] for a in reg["arms"]] == ["EXPERIMENTAL", "EXPERIMENTAL"]


def test_ctgov_nct00763412_month_precision_dates_and_placebo_arm() -> None:
    (rec,) = ctgov.read(CTGOV / "NCT00763412.json")
    b, reg = rec.body, rec.body["registration"]
    assert reg["start_date"] == "2006-11" and reg["completion_date"] == "2013-01"
    assert reg["phases"] == ["NA"] and reg["masking"] == "QUADRUPLE" and b["sample_size"] == 31
    assert reg["lead_sponsor"] == "Arbelaez, Ana Maria" and len(reg["collaborators"]) == 4
    assert [o["measure"] for o in reg["primary_outcomes"]] == ["BMI", "Body Composition", "CRP"]
    assert reg["primary_outcomes"][1]["description"] == "Reporting % of Fat and Lean body mass"
    assert len(reg["secondary_outcomes"]) == 6 and reg["secondary_outcomes"][-1] == {
        "measure": "C-Peptide",
        "time_frame": "2 year",
    }
    assert {"id": "D000003550", "term": "Cystic Fibrosis"} in reg["condition_meshes"]
    assert b["arms"] == [
        {"id": "1-placebo", "role": "comparator", "intervention": "placebo", "label": "1 Placebo"},
        {"id": "2-repaglinide", "role": "experimental", "intervention": "repaglinide", "label": "2. repaglinide"},
    ]
    assert "other names: Prandin" in b["interventions"][1]["note"]


def test_ctgov_nct03630471_behavioral_trial_without_results() -> None:
    (rec,) = ctgov.read(CTGOV / "NCT03630471.json")
    b, reg = rec.body, rec.body["registration"]
    assert reg["acronym"] == "PRIDE" and reg["has_results"] is False
    assert reg["who_masked"] == ["INVESTIGATOR", "OUTCOMES_ASSESSOR"]
    assert [o["time_frame"] for o in reg["primary_outcomes"]] == ["6 weeks", "6 weeks"]
    assert len(reg["secondary_outcomes"]) == 9
    assert reg["secondary_outcomes"][0]["time_frame"] == "12 weeks post-randomization"
    assert len(reg["references"]) == 12 and sum(1 for r in reg["references"] if "pmid" not in r) == 2
    assert reg["references"][0]["pmid"] == "11102329" and reg["references"][-1]["type"] == "DERIVED"
    assert [(a["id"], a["role"]) for a in b["arms"]] == [("control", "comparator"), ("intervention", "experimental")]
    assert b["arms"][0]["intervention"] == "enhanced-usual-care"
    assert b["citation"]["first_author"] == "Sangath" and b["citation"]["year"] == 2018


def test_ctgov_nct05594173_observational_study_goes_to_the_inbox() -> None:
    (rec,) = ctgov.read(CTGOV / "NCT05594173.json")
    b, reg = rec.body, rec.body["registration"]
    assert rec.folder == "inbox" and b["design"] == [] and "arms" not in b
    assert reg["study_type"] == "OBSERVATIONAL" and "phases" not in reg and "secondary_outcomes" not in reg
    assert [i["label"] for i in b["interventions"]] == ["Food texture modification"]
    assert [o["measure"] for o in reg["primary_outcomes"]] == [
        "Number of Chewing Cycles Per Bolus",
        "Total Chewing Duration Per Bolus",
    ]
    assert reg["condition_meshes"] == [{"id": "D000003680", "term": "Deglutition Disorders"}]
    assert any("OBSERVATIONAL" in n for n in rec.notes) and any("no arm" in n for n in rec.notes)


def test_ctgov_bad_files(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.json"
    truncated.write_text((CTGOV / "NCT02210780.json").read_text(encoding="utf-8")[:3000], encoding="utf-8")
    with pytest.raises(InputError) as info:
        ctgov.read(truncated)
    assert info.value.location.path == truncated and info.value.location.line is not None
    assert "malformed JSON" in info.value.message
    wrong = tmp_path / "list.json"
    wrong.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputError, match=r"expected a ClinicalTrials\.gov API v2 study object"):
        ctgov.read(wrong)
    search = tmp_path / "search.json"
    search.write_text(json.dumps({"studies": [json.loads((CTGOV / "NCT02210780.json").read_text())]}))
    with pytest.raises(InputError, match="search response"):
        ctgov.read(search)
    missing = variant(tmp_path, CTGOV / "NCT02210780.json", "missing.json", ('"nctId": "NCT02210780",', ""))
    with pytest.raises(InputError, match=r"protocolSection\.identificationModule\.nctId: missing required field"):
        ctgov.read(missing)
    typed = variant(tmp_path, CTGOV / "NCT02210780.json", "typed.json", ('"count": 194', '"count": "194"'))
    with pytest.raises(InputError, match=r"enrollmentInfo\.count: expected a whole number, found str"):
        ctgov.read(typed)


# --- writing: idempotent, edits protected, links proposed -------------------------------------------


def test_importing_twice_updates_instead_of_duplicating(tmp_path: Path, project_copy: ProjectPaths) -> None:
    records = pubmed.read(PUBMED / "pubmed1.xml")
    first = writer.apply(project_copy, records)
    assert [o.action for o in first] == ["created", "created"]
    assert [o.path.name for o in first if o.path] == ["olivero-1990.yaml", "strekas-1976.yaml"]
    assert all(o.path and o.path.parent == project_copy.data / "inbox" for o in first)
    before = snapshot(project_copy)
    assert [o.action for o in writer.apply(project_copy, pubmed.read(PUBMED / "pubmed1.xml"))] == ["unchanged"] * 2
    assert snapshot(project_copy) == before
    # the source changed (a variant with another title): the unedited record is updated in place
    changed = variant(tmp_path, PUBMED / "pubmed1.xml", "pubmed1.xml", ("Magnetic studies of", "Magnetic study of"))
    second = writer.apply(project_copy, pubmed.read(changed))
    assert [o.action for o in second] == ["unchanged", "updated"]
    text = (project_copy.data / "inbox" / "strekas-1976.yaml").read_text(encoding="utf-8")
    assert "title: Magnetic study of Chromatium" in text and not is_edited(text)
    assert len(list((project_copy.data / "inbox").glob("*.yaml"))) == 2


def test_an_edited_record_is_not_overwritten_without_force(project_copy: ProjectPaths) -> None:
    code, output, _ = invoke(project_copy, "import", "ctgov", str(CTGOV / "NCT00763412.json"))
    assert code == 0 and "created: created data/studies/nct00763412.yaml" in output
    path = project_copy.data / "studies" / "nct00763412.yaml"
    stamp = read_stamp(path.read_text(encoding="utf-8"))
    assert stamp is not None and str(stamp[0].key) == "ctgov:NCT00763412"
    edit(path, "findings_pending: true\n", "findings_pending: true\ncondition: FacialSkinAging\n")
    edited = path.read_bytes()
    code, output, exc = invoke(project_copy, "import", "ctgov", str(CTGOV / "NCT00763412.json"))
    assert code == 1 and isinstance(exc, RegenError)
    assert "refused: data/studies/nct00763412.yaml was edited after it was imported" in output
    assert "--force" in output and path.read_bytes() == edited
    code, output, _ = invoke(project_copy, "import", "ctgov", str(CTGOV / "NCT00763412.json"), "--force")
    assert code == 0 and "replaced data/studies/nct00763412.yaml" in output
    assert "condition:" not in path.read_text(encoding="utf-8")


def test_a_moved_record_is_updated_where_it_is(project_copy: ProjectPaths) -> None:
    (created,) = writer.apply(project_copy, pubmed.read(PUBMED / "pubmed-29768149.xml"))
    assert created.path is not None
    moved = project_copy.data / "studies" / created.path.name
    created.path.rename(moved)
    (again,) = writer.apply(project_copy, pubmed.read(PUBMED / "pubmed-29768149.xml"))
    assert again.action == "unchanged" and again.path == moved
    assert not list((project_copy.data / "inbox").glob("*.yaml"))


def test_matching_pmid_proposes_a_link_and_link_merges_the_citation(project_copy: ProjectPaths) -> None:
    # a curated record that cites the same publication (its identifiers are edited in this copy only)
    path = project_copy.data / "studies" / "lee-2014.yaml"
    edit(path, 'pmid: "25324650"', 'pmid: "22663011"')
    edit(path, "  doi: 10.5021/ad.2014.26.5.584\n", "")
    edit(path, "not_reported: [follow_up]", "# curated by hand\nnot_reported: [follow_up, doi]")
    before = snapshot(project_copy)
    code, output, _ = invoke(project_copy, "import", "pubmed", str(PUBMED / "efetch_citation_22663011.xml"))
    assert code == 0 and "proposed:" in output
    assert "lee-2014 (studies/lee-2014.yaml: same PMID 22663011)" in output and "--link lee-2014" in output
    assert snapshot(project_copy) == before  # nothing written
    old_text = path.read_text(encoding="utf-8")
    code, output, _ = invoke(
        project_copy, "import", "pubmed", str(PUBMED / "efetch_citation_22663011.xml"), "--link", "lee-2014"
    )
    assert code == 0 and "linked:" in output
    new_text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(new_text)
    c = data["citation"]
    assert c["doi"] == "10.1056/NEJMoa1203421" and c["title"].startswith("Improved survival with MEK")
    assert c["pmcid"] == "PMC4198585"  # kept: the import has none
    assert c["verified_at"].endswith("PubMed efetch XML (efetch_citation_22663011.xml), PMID 22663011")
    assert len(c["mesh_headings"]) == 20 and c["nct_ids"] == ["NCT01245062"]
    assert data["not_reported"] == ["follow_up"]  # the DOI is known now
    # everything outside the citation and not_reported blocks is unchanged, comments included
    assert "# curated by hand\n" in new_text
    assert old_text.split("interventions:")[1] == new_text.split("interventions:")[1]
    assert not list((project_copy.data / "inbox").glob("*.yaml"))
    pipeline.load(project_copy)  # the linked record still converts
    code, output, _ = invoke(
        project_copy, "import", "pubmed", str(PUBMED / "efetch_citation_22663011.xml"), "--link", "lee-2014"
    )
    assert code == 0 and "unchanged:" in output


def test_link_needs_a_shared_identifier_or_force(project_copy: ProjectPaths) -> None:
    before = snapshot(project_copy)
    code, _output, exc = invoke(project_copy, "import", "ctgov", str(CTGOV / "NCT02210780.json"), "--link", "lee-2014")
    assert code == 1 and "shares no identifier" in str(exc) and "--force" in str(exc)
    code, _output, exc = invoke(project_copy, "import", "ctgov", str(CTGOV / "NCT02210780.json"), "--link", "lee-2104")
    assert code == 1 and "did you mean lee-2014" in str(exc)
    code, _output, exc = invoke(project_copy, "import", "pubmed", str(PUBMED / "pubmed1.xml"), "--link", "lee-2014")
    assert code == 1 and "holds 2" in str(exc)
    assert snapshot(project_copy) == before


def test_registration_link_by_nct_id(project_copy: ProjectPaths) -> None:
    path = project_copy.data / "studies" / "lee-2014.yaml"
    edit(path, "  pmcid: PMC4198585\n", "  pmcid: PMC4198585\n  nct_ids: [NCT02210780]\n")
    (proposed,) = writer.apply(project_copy, ctgov.read(CTGOV / "NCT02210780.json"))
    assert proposed.action == "proposed" and [c.file.id for c in proposed.candidates] == ["lee-2014"]
    (linked,) = writer.apply(project_copy, ctgov.read(CTGOV / "NCT02210780.json"), link="lee-2014")
    assert linked.action == "linked"
    record = Record.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert record.registration is not None and record.registration.nct_id == "NCT02210780"
    assert record.registration.start_date == "2014-08-05" and len(record.arms) == 2  # the curated arms stay


def test_registration_then_its_publication_linked_by_nct_id(tmp_path: Path, project_copy: ProjectPaths) -> None:
    # the usual order: the registration first, then the results paper, which names the trial. The paper
    # here is a variant of efetch_citation_22663011.xml whose DataBankList names NCT02210780 instead of
    # NCT01245062 (only to exercise the matching; the real article reports another trial)
    (created,) = writer.apply(project_copy, ctgov.read(CTGOV / "NCT02210780.json"))
    assert created.action == "created" and created.path is not None
    paper = variant(
        tmp_path,
        PUBMED / "efetch_citation_22663011.xml",
        "paper.xml",
        ("<AccessionNumber>NCT01245062</", "<AccessionNumber>NCT02210780</"),
    )
    (proposed,) = writer.apply(project_copy, pubmed.read(paper))
    assert proposed.action == "proposed" and [str(c) for c in proposed.candidates] == [
        "nct02210780 (studies/nct02210780.yaml: same NCT02210780)"
    ]
    (linked,) = writer.apply(project_copy, pubmed.read(paper), link="nct02210780")
    assert linked.action == "linked" and "-note" in linked.message and "counts as edited" in linked.message
    data = yaml.safe_load(created.path.read_text(encoding="utf-8"))
    c = data["citation"]
    assert (c["status"], c["pmid"], c["first_author"], c["year"]) == ("verified", "22663011", "Flaherty", 2012)
    assert "note" not in c and c["verified_at"].startswith("ClinicalTrials.gov API v2 record NCT02210780")
    assert data["registration"]["nct_id"] == "NCT02210780" and len(data["arms"]) == 2
    assert is_edited(created.path.read_text(encoding="utf-8"))
    (again,) = writer.apply(project_copy, ctgov.read(CTGOV / "NCT02210780.json"))
    assert again.action == "refused"  # the linked record is protected from a re-import of the registration
    pipeline.load(project_copy)


# --- CSV tables of findings ------------------------------------------------------------------------

HEADER = "study,intervention,comparator,outcome,direction,timepoint,method,source text\n"
GOOD = (
    'lee-2014,cm-microneedling,saline-microneedling,SkinElasticity,superior,3 months,InstrumentMeasurement,"Elasticity, better"\n'
    "lee-2014,cm-microneedling,,SkinHydration,improved,3 months; 6 months,,Hydration improved\n"
)


@pytest.fixture(scope="module")
def terms(paths: ProjectPaths) -> TermIndex:
    return TermIndex(load_ontology(paths))


def test_table_rows_become_statements_and_reimport_adds_nothing(
    tmp_path: Path, project_copy: ProjectPaths, terms: TermIndex
) -> None:
    csv_path = tmp_path / "findings.csv"
    csv_path.write_text(HEADER + GOOD, encoding="utf-8")
    path = project_copy.data / "studies" / "lee-2014.yaml"
    old_text = path.read_text(encoding="utf-8")
    plan = table.plan(project_copy, csv_path, terms)
    assert not plan.errors and plan.count == 2
    assert table.write(plan) == [path]
    new_text = path.read_text(encoding="utf-8")
    head, tail = old_text.split("\nlimitations:\n")  # appended to statements; the curated text is untouched
    assert new_text.startswith(head) and new_text.endswith("\nlimitations:\n" + tail)
    assert new_text[len(head) : -len(tail)] == (
        "\n  - id: skin-elasticity-3-month\n    kind: finding\n    intervention: cm-microneedling\n"
        "    comparator: saline-microneedling\n    outcome: SkinElasticity\n    direction: superior\n"
        "    timepoints:\n    - {value: 3, unit: month}\n    method: InstrumentMeasurement\n"
        "    text: Elasticity, better\n"
        "  - id: skin-hydration-3-month\n    kind: finding\n    intervention: cm-microneedling\n"
        "    outcome: SkinHydration\n    direction: improved\n"
        "    timepoints:\n    - {value: 3, unit: month}\n    - {value: 6, unit: month}\n"
        "    text: Hydration improved\nlimitations:\n"
    )
    record = Record.model_validate(yaml.safe_load(new_text))
    elasticity, hydration = record.statements[-2:]
    assert (elasticity.id, elasticity.comparator, elasticity.direction) == (
        "skin-elasticity-3-month",
        "saline-microneedling",
        "superior",
    )
    assert elasticity.method == "InstrumentMeasurement" and elasticity.text == "Elasticity, better"
    assert hydration.id == "skin-hydration-3-month" and [str(t.value) + t.unit for t in hydration.timepoints] == [
        "3month",
        "6month",
    ]
    again = table.plan(project_copy, csv_path, terms)
    assert not again.errors and again.count == 0 and again.unchanged == [2, 3]
    pipeline.load(project_copy)  # the record with its new statements converts


def test_table_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(
    tmp_path: Path, project_copy: ProjectPaths, terms: TermIndex
) -> None:
    csv_path = tmp_path / "findings.csv"
    bad = (
        "lee-2014,cm-microneedling,,SkinElastcity,improved,,,typo in the outcome\n"
        "lee-2014,cm-microneedling,,Wrinkles,better,,,bad direction\n"
        "lee-2014,cm-microneedling,,Wrinkles,superior,soon,,no comparator and a bad timepoint\n"
        "nobody-2020,x,,Wrinkles,improved,,,unknown study\n"
        "lee-2014,cm-microneedlin,,Wrinkles,improved,,,unknown intervention\n"
    )
    csv_path.write_text(HEADER + GOOD + bad, encoding="utf-8")
    before = snapshot(project_copy)
    code, output, exc = invoke(project_copy, "import", "table", str(csv_path))
    assert code == 1 and isinstance(exc, InputErrors) and snapshot(project_copy) == before
    messages = [str(e) for e in exc.errors]
    assert messages[0].startswith(
        f"{csv_path}:4: row 4, column 'outcome': unknown outcome 'SkinElastcity'; did you mean regen:SkinElasticity"
    )
    assert messages[1].startswith(f"{csv_path}:5: row 5, column 'direction': 'better' is not one of improved, ")
    assert any("row 6, column 'direction': 'superior' compares with a comparator" in m for m in messages)
    assert any("row 6, column 'timepoint': 'soon' is not a time" in m for m in messages)
    assert any("row 7, column 'study': no study record 'nobody-2020'" in m for m in messages)
    assert any("row 8, column 'intervention': no intervention 'cm-microneedlin' in lee-2014" in m for m in messages)
    # --keep-going: the good rows are written, the bad ones still reported
    code, output, exc = invoke(project_copy, "import", "table", str(csv_path), "--keep-going")
    assert code == 1 and "added 2 statement(s) to data/studies/lee-2014.yaml" in output
    assert isinstance(exc, InputErrors) and len(exc.errors) == len(messages)


def test_table_safety_rows_and_statements_already_curated(
    tmp_path: Path, project_copy: ProjectPaths, terms: TermIndex
) -> None:
    csv_path = tmp_path / "safety.csv"
    csv_path.write_text(
        "study,intervention,outcome,direction,safety,adverse events,text,id\n"
        # the very statement lee-2014.yaml already holds (id 'safety' derived from the outcome)
        "lee-2014,cm-microneedling,Safety,,mild-adverse-events-only,mild desquamation in one participant,"
        "The only adverse event reported was mild desquamation in one participant.,\n"
        "lee-2014,cm-microneedling,Safety,,,,no safety profile,safety-2\n"
        "lee-2014,cm-microneedling,Safety,,no-adverse-events,,a different statement under a taken id,wrinkles-pga\n",
        encoding="utf-8",
    )
    plan = table.plan(project_copy, csv_path, terms)
    assert plan.unchanged == [2] and plan.count == 0
    assert [str(e).split(": ", 1)[1] for e in plan.errors] == [
        "row 3, column 'safety': a Safety outcome needs a safety profile: one of no-adverse-events, "
        "no-severe-adverse-events, mild-adverse-events-only, favourable-safety-unspecified, "
        "adverse-events-severity-not-stated",
        "row 3, column 'direction': required (unless a safety profile is given); one of improved, no-change, "
        "worsened, superior, no-difference, inferior",
        "row 4, column 'id': statement 'wrinkles-pga' already exists in lee-2014.yaml with different content; "
        "give this row another id, or edit the record by hand",
    ]


def test_table_file_level_errors(tmp_path: Path, project_copy: ProjectPaths, terms: TermIndex) -> None:
    csv_path = tmp_path / "findings.csv"
    csv_path.write_text("study,intervention,outcome\nlee-2014,cm,Wrinkles\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing required column\\(s\\): direction"):
        table.plan(project_copy, csv_path, terms)
    csv_path.write_text("study,intervention,outcome,direction,colour\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown column\\(s\\) 'colour'"):
        table.plan(project_copy, csv_path, terms)


# --- the round trip ---------------------------------------------------------------------------------


def test_round_trip_import_validate_build_query(project_copy: ProjectPaths) -> None:
    for name in ("NCT02210780.json", "NCT00763412.json", "NCT05594173.json"):
        code, output, _ = invoke(project_copy, "import", "ctgov", str(CTGOV / name))
        assert code == 0, output
    code, output, _ = invoke(project_copy, "import", "pubmed", str(PUBMED / "pubmed2.xml"))
    assert code == 0 and output.count("created:") == 2
    built = pipeline.run(project_copy)  # validates (SHACL) and reasons; raises on any violation
    assert built.report.conforms
    store = built.store()
    rows = run_query(store, load_catalogue(project_copy)["follow-up"]).rows
    studies = {r["study"] for r in rows}
    assert {"study:nct02210780", "study:nct00763412"} <= studies
    assert "study:nct05594173" not in studies and "study:taddei-2001" not in studies  # inbox: not built
    label = next(r["studyLabel"] for r in rows if r["study"] == "study:nct02210780")
    assert label == "Study of Dupilumab and Immune Responses in Adults With Atopic Dermatitis (AD) (NCT02210780)"
    ask = f"""ASK {{ <https://w3id.org/regen-kg/id/study/nct02210780> a <{REGEN}RandomizedControlledTrial> ;
        <{REGEN}hasArm>/<{REGEN}receivesIntervention>/<http://www.w3.org/2000/01/rdf-schema#label> "Dupilumab"@en ;
        <http://www.w3.org/2000/01/rdf-schema#seeAlso> <https://clinicaltrials.gov/study/NCT02210780> }}"""
    assert store.query(ask).askAnswer
