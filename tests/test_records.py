"""Curation records: clear errors for malformed files, unknown terms and broken references."""

from __future__ import annotations

import pytest

from regen_kg import build as pipeline
from regen_kg.errors import InputError, InputErrors
from regen_kg.paths import ProjectPaths
from regen_kg.records import timepoint_iri
from regen_kg.schema import Timepoint

from .helpers import edit, line_of


def errors_of(paths: ProjectPaths) -> list[InputError]:
    with pytest.raises((InputErrors, InputError)) as info:
        pipeline.load(paths)
    exc = info.value
    return exc.errors if isinstance(exc, InputErrors) else [exc]


def test_yaml_syntax_error_names_file_and_line(project_copy: ProjectPaths) -> None:
    path = project_copy.data / "studies" / "kim-2016.yaml"
    edit(path, "label: Kim 2016", "label: [Kim 2016")
    (err,) = errors_of(project_copy)
    assert str(err.location).startswith(f"{path}:")
    assert "YAML syntax error" in err.message


def test_missing_required_field(project_copy: ProjectPaths) -> None:
    path = project_copy.data / "studies" / "shin-2018.yaml"
    edit(path, "  - id: hydration\n    kind: claim", "  - id: hydration\n    kand: claim")
    (err,) = errors_of(project_copy)
    assert err.location.line == line_of(path, "- id: hydration")
    assert "statements.1.kind" in err.message and "required" in err.message
    assert "kand" in err.message and "unknown field" in err.message


def test_wrong_datatype_names_field_and_accepted_values(project_copy: ProjectPaths) -> None:
    path = project_copy.data / "studies" / "lee-2014.yaml"
    edit(path, "sample_size: 25", "sample_size: twenty-five")
    (err,) = errors_of(project_copy)
    assert err.location.line == line_of(path, "sample_size:")
    assert "sample_size" in err.message and "integer" in err.message


def test_bad_direction_lists_accepted_values(project_copy: ProjectPaths) -> None:
    path = project_copy.data / "studies" / "gentile-2017.yaml"
    edit(
        path,
        "    outcome: SkinElasticity\n    direction: improved",
        "    outcome: SkinElasticity\n    direction: better",
    )
    (err,) = errors_of(project_copy)
    assert "'improved'" in err.message and "'superior'" in err.message


def test_unknown_outcome_suggests_the_closest_term(project_copy: ProjectPaths) -> None:
    path = project_copy.data / "studies" / "gentile-2017.yaml"
    edit(path, "outcome: SkinElasticity", "outcome: SkinElastcity")
    (err,) = errors_of(project_copy)
    assert err.location.line == line_of(path, "outcome: SkinElastcity")
    assert "did you mean regen:SkinElasticity" in err.message


def test_unknown_intervention_reference(project_copy: ProjectPaths) -> None:
    path = project_copy.data / "studies" / "kim-2016.yaml"
    edit(path, "components: [cm, microneedling]", "components: [cm, micro-needling]")
    (err,) = errors_of(project_copy)
    assert "micro-needling" in err.message and "known: cm, cm-microneedling, microneedling" in err.message


def test_unknown_source_document(project_copy: ProjectPaths) -> None:
    path = project_copy.data / "studies" / "lee-2019.yaml"
    text = path.read_text().replace("stated_in: source-review", "stated_in: some-review", 1)
    path.write_text(text)
    errs = errors_of(project_copy)
    assert any("no source record with id 'some-review'" in e.message for e in errs)


def test_record_id_must_match_file_name(project_copy: ProjectPaths) -> None:
    edit(project_copy.data / "studies" / "lee-2019.yaml", "id: lee-2019", "id: lee-2020")
    (err,) = errors_of(project_copy)
    assert "must equal the file name" in err.message


def test_all_bad_files_reported_together(project_copy: ProjectPaths) -> None:
    edit(project_copy.data / "studies" / "lee-2019.yaml", "id: lee-2019", "id: lee-2020")
    edit(project_copy.data / "studies" / "gentile-2017.yaml", "outcome: SkinElasticity", "outcome: Nope")
    files = {str(e.location).split(":")[0].rsplit("/", 1)[-1] for e in errors_of(project_copy)}
    assert files == {"lee-2019.yaml", "gentile-2017.yaml"}


def test_turtle_syntax_error_names_file_line_and_column(project_copy: ProjectPaths) -> None:
    path = project_copy.ontology / "regen.ttl"
    edit(path, 'rdfs:label "dermal thickness"@en ;', 'rdfs:label "dermal thickness ;')
    (err,) = errors_of(project_copy)
    assert err.location.path == path
    assert err.location.line == line_of(path, 'rdfs:label "dermal thickness ;')
    assert err.location.column is not None
    assert "Turtle syntax error" in err.message


def test_unknown_prefix_in_turtle_is_named(project_copy: ProjectPaths) -> None:
    path = project_copy.ontology / "regen.ttl"
    edit(
        path,
        'rdfs:subClassOf regen:ClinicalSkinOutcome ;\n    rdfs:label "dermal thickness"@en ;',
        'rdfs:subClassOf regenx:ClinicalSkinOutcome ;\n    rdfs:label "dermal thickness"@en ;',
    )
    (err,) = errors_of(project_copy)
    assert 'Prefix "regenx:" not bound' in err.message


def test_timepoint_iris_are_shared_and_readable() -> None:
    from decimal import Decimal

    assert str(timepoint_iri(Timepoint(value=Decimal("3"), unit="month"))).endswith("/timepoint/3-month")
    assert str(timepoint_iri(Timepoint(value=Decimal("0.5"), unit="year"))).endswith("/timepoint/0.5-year")
