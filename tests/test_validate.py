"""SHACL validation: each kind of bad record is reported as a violation a curator can act on."""

from __future__ import annotations

import pytest

from regen_kg import build as pipeline
from regen_kg.paths import ProjectPaths
from regen_kg.validate import Problem

from .helpers import edit, line_of


def violations(paths: ProjectPaths) -> list[Problem]:
    return pipeline.validate(paths).violations


def test_shipped_graph_conforms_with_only_missing_pmid_warnings(built: pipeline.Built) -> None:
    assert built.report.conforms
    assert built.report.violations == []
    # five verified publications have no PMID in the sources consulted: warned, never guessed
    assert sorted(p.focus for p in built.report.warnings) == [
        "publication:amirkhani-2016",
        "publication:charles-de-sa-2015",
        "publication:estupinan-2025",
        "publication:pincelli-2024",
        "publication:willemsen-2018",
    ]
    assert all(p.path == "regen:pmid" for p in built.report.warnings)


def test_finding_without_outcome_is_a_violation(project_copy: ProjectPaths) -> None:
    path = project_copy.data / "studies" / "liang-2022.yaml"
    text = path.read_text()
    first = text.index("    outcome: ", text.index("statements:"))
    end = text.index("\n", first)
    path.write_text(text[:first] + text[end + 1 :])
    problems = violations(project_copy)
    assert any("finding without an outcome" in p.message.lower() for p in problems)
    hit = next(p for p in problems if "without an outcome" in p.message)
    assert hit.focus.startswith("finding:liang-2022-")
    assert hit.file.startswith(str(path))


def test_comparator_equal_to_intervention(project_copy: ProjectPaths) -> None:
    path = project_copy.data / "studies" / "kim-2016.yaml"
    edit(
        path,
        "    comparator: [microneedling]\n    comparison: ConditionedMediumPlusMicroneedlingVersusMicroneedling\n    outcome: SkinElasticity",
        "    comparator: [cm-microneedling]\n    comparison: ConditionedMediumPlusMicroneedlingVersusMicroneedling\n    outcome: SkinElasticity",
    )
    problems = violations(project_copy)
    hits = [p for p in problems if "comparator must differ" in p.message]
    assert [h.focus for h in hits] == ["claim:kim-2016-elasticity"]
    assert hits[0].file == f"{path}:{line_of(path, 'id: elasticity')}"


def test_combination_needs_two_components(project_copy: ProjectPaths) -> None:
    edit(project_copy.data / "studies" / "kim-2016.yaml", "components: [cm, microneedling]", "components: [cm]")
    hits = [p for p in violations(project_copy) if "at least two component" in p.message]
    assert [h.focus for h in hits] == ["intervention:kim-2016-cm-microneedling"]


def test_timepoints_must_be_positive(project_copy: ProjectPaths) -> None:
    edit(
        project_copy.data / "studies" / "gentile-2017.yaml",
        "    outcome: DermalThickness\n    direction: improved\n    timepoints: [{value: 3, unit: month}",
        "    outcome: DermalThickness\n    direction: improved\n    timepoints: [{value: -3, unit: month}",
    )
    hits = [p for p in violations(project_copy) if "positive" in p.message]
    assert [h.focus for h in hits] == ["timepoint:-3-month"]


def test_wrong_datatype_negative_sample_size(project_copy: ProjectPaths) -> None:
    edit(project_copy.data / "studies" / "lee-2014.yaml", "sample_size: 25", "sample_size: -25")
    hits = [p for p in violations(project_copy) if p.path == "regen:sampleSize"]
    assert hits and hits[0].focus == "study:lee-2014"
    assert "whole number" in hits[0].message


def test_finding_intervention_must_be_in_an_arm(project_copy: ProjectPaths) -> None:
    path = project_copy.data / "studies" / "lee-2014.yaml"
    text = path.read_text()
    arms = text[text.index("arms:") : text.index("statements:")]
    experimental = [line for line in arms.splitlines() if "role: experimental" in line]
    assert experimental, "lee-2014 has an experimental arm"
    # drop every experimental arm: the findings' intervention is then given in no arm
    path.write_text(text.replace("\n".join(experimental) + "\n", ""))
    hits = [p for p in violations(project_copy) if "not given in any arm" in p.message]
    assert hits and all(h.focus.startswith("finding:lee-2014-") for h in hits)


def test_finding_from_unlocated_citation_is_rejected(project_copy: ProjectPaths) -> None:
    path = project_copy.data / "studies" / "shin-2018.yaml"
    text = path.read_text()
    path.write_text(
        text.replace(
            "kind: claim\n    stated_in: source-review\n    intervention: bm-msc-injection\n    outcome: SkinHydration",
            "kind: finding\n    intervention: bm-msc-injection\n    outcome: SkinHydration",
            1,
        )
    )
    hits = [p for p in violations(project_copy) if "primary publication" in p.message]
    assert [h.focus for h in hits] == ["finding:shin-2018-hydration"]


def test_identifier_on_unlocated_citation_is_rejected(project_copy: ProjectPaths) -> None:
    edit(project_copy.data / "studies" / "lee-2019.yaml", "  year: 2019\n", '  year: 2019\n  pmid: "12345678"\n')
    hits = [p for p in violations(project_copy) if "carries identifier" in p.message]
    assert [h.focus for h in hits] == ["publication:lee-2019"]


def test_malformed_doi_is_rejected(project_copy: ProjectPaths) -> None:
    edit(
        project_copy.data / "studies" / "liang-2022.yaml",
        "doi: 10.3389/fmed.2022.837332",
        "doi: https://doi.org/10.3389/fmed.2022.837332",
    )
    assert any(p.path == "regen:doi" for p in violations(project_copy))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('rdfs:label "dermal thickness"@en ;', "", "exactly one English rdfs:label"),
        (
            'rdfs:label "dermal thickness"@en ;',
            'rdfs:label "dermal thickness"@en , "thickness"@en ;',
            "exactly one English rdfs:label",
        ),
        (
            'rdfs:label "dermal thickness"@en ;\n    skos:definition "Thickness of the dermis, by ultrasound or histology."@en .',
            'rdfs:label "dermal thickness"@en .',
            "definition",
        ),
        ('rdfs:label "dermal thickness"@en ;', 'rdfs:label "dermal density"@en ;', "share the label"),
    ],
)
def test_ontology_quality(project_copy: ProjectPaths, old: str, new: str, message: str) -> None:
    edit(project_copy.ontology / "regen.ttl", old, new)
    hits = [p for p in violations(project_copy) if message in p.message]
    assert any(h.focus == "regen:DermalThickness" for h in hits)
    assert any(h.file.startswith("ontology/regen.ttl:") for h in hits)


def test_build_refuses_to_write_on_violations(project_copy: ProjectPaths, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "dist"
    pipeline.build(project_copy, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    edit(project_copy.data / "studies" / "kim-2016.yaml", "components: [cm, microneedling]", "components: [cm]")
    with pytest.raises(pipeline.ValidationFailed, match="at least two component"):
        pipeline.build(project_copy, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_missing_sample_size_is_only_a_warning(project_copy: ProjectPaths) -> None:
    edit(project_copy.data / "studies" / "lee-2014.yaml", "sample_size: 25\n", "")
    report = pipeline.validate(project_copy)
    assert report.conforms
    hits = [p for p in report.warnings if "sample size is missing" in p.message]
    assert [h.focus for h in hits] == ["study:lee-2014"]
    reference = pipeline.validate(project_copy, engine="reference")
    assert [p for p in reference.problems if "sample size" in p.message] == hits
