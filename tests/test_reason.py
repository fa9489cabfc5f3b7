"""OWL 2 RL reasoning: the axioms of the ontology produce the inferences queries rely on."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from regen_kg import build as pipeline
from regen_kg.errors import InconsistencyError
from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import ID, REGEN
from regen_kg.reason import reason

from .helpers import edit

STUDY = ID["study/"]


def inferred(built: pipeline.Built, s: URIRef, p: URIRef, o: URIRef) -> bool:
    return (s, p, o) in built.inferred and (s, p, o) not in built.loaded.asserted


def test_inferences_are_kept_apart_from_asserted(built: pipeline.Built) -> None:
    assert len(built.inferred) > 0
    assert not any(t in built.loaded.asserted for t in built.inferred)


def test_subclass_hierarchy_reaches_mesenchymal_stem_cell(built: pipeline.Built) -> None:
    g = built.inferred
    assert (REGEN.AdiposeDerivedStemCell, RDFS.subClassOf, REGEN.StemCell) in g
    assert (REGEN.CultureExpandedAdiposeDerivedStemCell, RDFS.subClassOf, REGEN.MesenchymalStemCell) in g
    # the bone-marrow cells of Shin 2018 are mesenchymal stem cells by inference only
    material = URIRef(f"{ID}material/shin-2018-bm-msc-injection-1")
    assert inferred(built, material, RDF.type, REGEN.MesenchymalStemCell)


def test_property_chain_study_interventions(built: pipeline.Built) -> None:
    assert inferred(
        built, URIRef(f"{STUDY}kim-2016"), REGEN.studiesIntervention, URIRef(f"{ID}intervention/kim-2016-microneedling")
    )


def test_property_chain_mechanism_from_cell_type(built: pipeline.Built) -> None:
    # intervention uses bone-marrow MSCs; MSCs are capable of paracrine signalling (hasValue axiom)
    shin = URIRef(f"{ID}intervention/shin-2018-bm-msc-injection")
    assert inferred(built, shin, REGEN.putativeMechanism, REGEN.ParacrineSignalling)
    # a combination inherits its components' materials and mechanisms (recursive chains)
    lee = URIRef(f"{ID}intervention/lee-2019-prp-adsc-microneedling")
    assert inferred(built, lee, REGEN.putativeMechanism, REGEN.GrowthFactorRelease)
    assert inferred(built, lee, REGEN.putativeMechanism, REGEN.CollagenRemodelling)
    # PRP alone is not a stem-cell product and gets no paracrine-signalling-by-cells link
    prp = URIRef(f"{ID}intervention/cervelli-2014-prp-alone")
    assert (prp, REGEN.putativeMechanism, REGEN.GrowthFactorRelease) in built.inferred
    assert (prp, REGEN.putativeMechanism, REGEN.ParacrineSignalling) not in built.inferred


def test_mechanism_to_outcome_chain(built: pipeline.Built) -> None:
    # microneedling -> collagen remodelling -> dermal thickness and elasticity
    kim = URIRef(f"{ID}intervention/kim-2016-microneedling")
    assert inferred(built, kim, REGEN.plausiblyAffects, REGEN.DermalThickness)
    assert inferred(built, kim, REGEN.plausiblyAffects, REGEN.SkinElasticity)


def test_inverse_properties(built: pipeline.Built) -> None:
    arm = URIRef(f"{ID}arm/lee-2014-cm-side")
    assert inferred(built, arm, REGEN.armOf, URIRef(f"{STUDY}lee-2014"))
    assert inferred(built, URIRef(f"{ID}publication/lee-2014"), REGEN.reports, URIRef(f"{STUDY}lee-2014"))


@pytest.mark.parametrize(
    ("study", "level"),
    [
        ("lee-2014", REGEN.RandomizedEvidence),
        ("willemsen-2018", REGEN.RandomizedEvidence),
        ("rigotti-2016", REGEN.NonRandomizedControlledEvidence),
        ("menkes-2020", REGEN.UncontrolledEvidence),
        ("kim-2016", REGEN.UnverifiedSecondaryReport),  # the review calls it an RCT; unverified
        ("lee-2019", REGEN.UnverifiedSecondaryReport),
    ],
)
def test_evidence_level_derived_from_design_and_verification(built: pipeline.Built, study: str, level: URIRef) -> None:
    levels = set(built.inferred.objects(URIRef(f"{STUDY}{study}"), REGEN.evidenceLevel))
    assert levels == {level}


def test_provenance_via_subproperties(built: pipeline.Built) -> None:
    from rdflib.namespace import PROV

    claim = URIRef(f"{ID}claim/gentile-2017-dermal-thickness")
    assert inferred(built, claim, PROV.wasDerivedFrom, URIRef(f"{ID}publication/source-review"))
    assert inferred(built, claim, PROV.wasDerivedFrom, URIRef(f"{STUDY}gentile-2017"))


def test_disjoint_designs_make_the_build_fail(project_copy: ProjectPaths) -> None:
    edit(
        project_copy.data / "studies" / "liang-2022.yaml",
        "design: [RandomizedControlledTrial, SplitFaceStudy]",
        "design: [RandomizedControlledTrial, SplitFaceStudy, PilotStudy]",
    )
    with pytest.raises(InconsistencyError, match="liang-2022"):
        pipeline.run(project_copy)


def test_owl_nothing_is_inconsistent() -> None:
    g = Graph()
    g.add((URIRef("urn:x"), RDF.type, URIRef("http://www.w3.org/2002/07/owl#Nothing")))
    with pytest.raises(InconsistencyError, match=r"owl:Nothing|urn:x"):
        reason(g)


def test_cell_based_and_cell_free_are_disjoint(project_copy: ProjectPaths) -> None:
    edit(
        project_copy.data / "studies" / "liang-2022.yaml",
        "type: ConditionedMediumApplication",
        "type: [ConditionedMediumApplication, SVFInjection]",
    )
    with pytest.raises(InconsistencyError, match="liang-2022"):
        pipeline.run(project_copy)
