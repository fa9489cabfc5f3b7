"""Every fact of the source review and of the verified primary studies is in the graph.

Expectations are written by hand from the review's text (as summarised in the project brief) and
from the primary studies' abstracts, not from the program's output.
"""

from __future__ import annotations

import pytest

from regen_kg.prefixes import sparql_prologue
from regen_kg.store import GraphStore


def ask(store: GraphStore, body: str) -> bool:
    result = store.query(sparql_prologue() + "ASK { " + body + " }")
    return bool(result.askAnswer)


def claim_of_review(study: str, outcome: str, direction: str, extra: str = "") -> str:
    return f"""
        ?c a regen:Claim ; regen:aboutStudy study:{study} ; regen:statedIn publication:source-review ;
           regen:outcome regen:{outcome} ; regen:direction regen:{direction} ;
           prov:wasDerivedFrom publication:source-review , study:{study} . {extra}"""


REVIEW_CLAIMS = [
    # Gentile 2017: ADSC-enriched fat grafts; dermal thickness, elasticity, collagen at 3 and 6 months
    ("gentile-2017", "DermalThickness", "Improved", "?c regen:atTimepoint timepoint:3-month , timepoint:6-month ."),
    ("gentile-2017", "SkinElasticity", "Improved", "?c regen:atTimepoint timepoint:3-month , timepoint:6-month ."),
    ("gentile-2017", "CollagenSynthesisHistology", "Improved", "?c regen:atTimepoint timepoint:6-month ."),
    ("gentile-2017", "Wrinkles", "Improved", "?c regen:magnitude regen:Visible ."),
    ("gentile-2017", "PatientSatisfaction", "Improved", "?c regen:magnitude regen:Excellent ."),
    # Kim 2016: MSC-CM + microneedling vs microneedling alone
    ("kim-2016", "TypeICollagenContent", "InterventionSuperior", "?c regen:magnitude regen:Significant ."),
    ("kim-2016", "SkinElasticity", "InterventionSuperior", "?c regen:comparator ?mn . ?mn a regen:Microneedling ."),
    ("kim-2016", "SkinTexture", "InterventionSuperior", "?c regen:assessmentMethod regen:PatientReport ."),
    ("kim-2016", "FineLines", "InterventionSuperior", ""),
    # Shin 2018: intradermal bone-marrow MSCs
    ("shin-2018", "SkinElasticity", "Improved", ""),
    ("shin-2018", "SkinHydration", "Improved", ""),
    ("shin-2018", "CollagenSynthesisHistology", "Improved", "?c regen:assessmentMethod regen:SkinBiopsy ."),
    (
        "shin-2018",
        "DurabilityOfEffect",
        "InterventionSuperior",
        "?c regen:comparator ?k . ?k a regen:ConventionalTreatment .",
    ),
    # Cervelli 2014: PRP + microneedling tone and texture; PRP alone modest vs stem cells
    ("cervelli-2014", "SkinTone", "Improved", ""),
    ("cervelli-2014", "SkinTexture", "Improved", ""),
    (
        "cervelli-2014",
        "SkinRejuvenation",
        "InterventionInferior",
        "?c regen:magnitude regen:Modest ; regen:comparison regen:PRPVersusStemCellTherapy .",
    ),
    # Lee 2019: PRP + ADSCs + microneedling beyond the individual treatments
    (
        "lee-2019",
        "WrinkleDepth",
        "InterventionSuperior",
        "?c a regen:SynergyResult ; regen:magnitude regen:BeyondIndividualTreatments .",
    ),
    ("lee-2019", "SkinHydration", "InterventionSuperior", "?c a regen:SynergyResult ."),
    ("lee-2019", "SkinElasticity", "InterventionSuperior", "?c a regen:SynergyResult ."),
]


@pytest.mark.parametrize(("study", "outcome", "direction", "extra"), REVIEW_CLAIMS)
def test_review_claim_is_in_graph(store: GraphStore, study: str, outcome: str, direction: str, extra: str) -> None:
    assert ask(store, claim_of_review(study, outcome, direction, extra))


@pytest.mark.parametrize(
    ("study", "design"),
    [
        ("gentile-2017", "ControlledClinicalTrial"),
        ("kim-2016", "RandomizedControlledTrial"),
        ("shin-2018", "PilotStudy"),
        ("lee-2019", "PilotStudy"),
    ],
)
def test_review_study_design_as_reported(store: GraphStore, study: str, design: str) -> None:
    assert ask(store, f"study:{study} a regen:{design} .")


@pytest.mark.parametrize("study", ["gentile-2017", "kim-2016", "shin-2018", "cervelli-2014", "lee-2019"])
def test_review_citations_are_unverified_and_have_no_identifiers(store: GraphStore, study: str) -> None:
    assert ask(
        store,
        f"""study:{study} regen:reportedIn ?doc .
        ?doc a regen:UnlocatedCitation ; regen:citationStatus regen:NotFoundInLiterature ;
             regen:citedBy publication:source-review ; regen:notReported regen:pmid , regen:doi .""",
    )
    assert not ask(store, f"study:{study} regen:reportedIn ?doc . ?doc regen:pmid|regen:doi ?id .")
    # an unverified study is never ranked above 'unverified secondary report'
    assert ask(store, f"study:{study} regen:evidenceLevel regen:UnverifiedSecondaryReport .")
    assert not ask(store, f"study:{study} regen:evidenceLevel ?l . FILTER (?l != regen:UnverifiedSecondaryReport)")


def test_interventions_of_review_studies(store: GraphStore) -> None:
    assert ask(
        store,
        """study:gentile-2017 regen:studiesIntervention ?i . ?i a regen:StemCellEnrichedFatGrafting ;
        regen:usesMaterial ?m . ?m a regen:StemCellEnrichedFatGraft ; regen:origin regen:Autologous .""",
    )
    assert ask(
        store,
        """study:shin-2018 regen:studiesIntervention ?i . ?i a regen:IntradermalMSCInjection ;
        regen:route regen:IntradermalInjection ; regen:usesMaterial ?m .
        ?m a regen:BoneMarrowMesenchymalStemCell ; regen:origin regen:Autologous .""",
    )
    assert ask(
        store,
        """study:kim-2016 regen:studiesIntervention ?i . ?i a regen:CombinationTherapy ;
        regen:hasComponent ?cm , ?mn . ?cm a regen:ConditionedMediumApplication . ?mn a regen:Microneedling .""",
    )
    assert ask(
        store,
        """study:lee-2019 regen:studiesIntervention ?i . ?i a regen:CombinationTherapy .
        ?i regen:usesMaterial ?prp , ?adsc . ?prp a regen:PlateletRichPlasma . ?adsc a regen:AdiposeDerivedStemCell .""",
    )


def test_safety_claims(store: GraphStore) -> None:
    assert ask(
        store,
        "?c a regen:SafetyResult ; regen:aboutStudy study:shin-2018 ; regen:safetyProfile regen:NoAdverseEvents .",
    )
    assert ask(
        store, "?c a regen:SafetyResult ; regen:aboutStudy study:gentile-2017 ; regen:magnitude regen:Excellent ."
    )


@pytest.mark.parametrize(
    "mechanism",
    ["ParacrineSignalling", "CellRecruitment", "DermalMatrixRemodelling", "Immunomodulation", "Vascularization"],
)
def test_review_mechanism_claims(store: GraphStore, mechanism: str) -> None:
    assert ask(
        store,
        f"""?c a regen:MechanismClaim ; regen:statedIn publication:source-review ;
        regen:claimedMechanism regen:{mechanism} ; regen:intervention ?i . ?i a regen:StemCellBasedIntervention .""",
    )


def test_review_general_claims(store: GraphStore) -> None:
    # PRP enhances stem-cell survival and activity
    assert ask(
        store,
        """?c regen:claimedMechanism regen:EnhancedStemCellSurvival ; regen:intervention ?i .
        ?i regen:usesMaterial ?m . ?m a regen:PlateletRichPlasma .""",
    )
    # longer-lasting and more natural than fillers
    for outcome in ("DurabilityOfEffect", "NaturalnessOfResult"):
        assert ask(
            store,
            f"""?c regen:statedIn publication:source-review ; regen:outcome regen:{outcome} ;
            regen:direction regen:InterventionSuperior ; regen:comparator ?f . ?f a regen:DermalFillerTreatment .""",
        )
    # PRP growth-factor release (Cervelli) and PRP as booster
    assert ask(store, "?c regen:aboutStudy study:cervelli-2014 ; regen:claimedMechanism regen:GrowthFactorRelease .")
    assert ask(
        store,
        """?c regen:statedIn publication:source-review ; regen:comparison regen:PRPAddedToCellOrFatTherapy ;
        regen:direction regen:InterventionSuperior .""",
    )


def test_limitations_and_call_for_rcts(store: GraphStore) -> None:
    for cls in ("SmallSampleSize", "HeterogeneousProtocols", "ShortFollowUp"):
        assert ask(
            store,
            f"?l a regen:{cls} ; regen:limitationOf publication:source-review ; regen:statedBy publication:source-review .",
        )
    assert ask(
        store,
        """?r a regen:ResearchRecommendation ; regen:statedBy publication:source-review ;
        regen:addresses ?l1 , ?l2 , ?l3 . ?l1 a regen:SmallSampleSize . ?l2 a regen:HeterogeneousProtocols .
        ?l3 a regen:ShortFollowUp . ?r regen:sourceText ?t . FILTER (CONTAINS(LCASE(?t), "randomized"))""",
    )


# --- verified primary studies (facts from their abstracts) ------------------------------

PRIMARY = [
    ("charles-de-sa-2015", None, "10.1097/PRS.0000000000001123", "NonRandomizedControlledTrial", 6),
    ("rigotti-2016", "26879294", "10.1093/asj/sjv231", "NonRandomizedControlledTrial", 13),
    ("amirkhani-2016", None, "10.15171/bi.2016.21", "SingleArmStudy", 16),
    ("menkes-2020", "32095390", "10.1097/GOX.0000000000002550", "SingleArmStudy", 50),
    ("charles-de-sa-2020", "32724312", "10.1155/2020/2032359", "RandomizedControlledTrial", 20),
    ("lee-2014", "25324650", "10.5021/ad.2014.26.5.584", "RandomizedControlledTrial", 25),
    ("liang-2022", "35685406", "10.3389/fmed.2022.837332", "RandomizedControlledTrial", 30),
    ("willemsen-2018", None, "10.1097/prs.0000000000004081", "RandomizedControlledTrial", 32),
    # read on its DOAJ abstract page; the PMID was not seen there
    ("pincelli-2024", None, "10.1097/GOX.0000000000005829", "RandomizedControlledTrial", 18),
]


def test_study_of_unstated_size_and_allocation(store: GraphStore) -> None:
    # Estupinan 2025, read on an abstract page: DOI seen; randomization, size and PMID not stated
    assert ask(
        store,
        """study:estupinan-2025 a regen:NonRandomizedControlledTrial , regen:SplitFaceStudy ;
        regen:notReported regen:sampleSize ; regen:reportedIn ?doc .
        ?doc regen:citationStatus regen:Verified ; regen:doi "10.1111/jocd.70208" ; regen:notReported regen:pmid .""",
    )
    assert not ask(store, "study:estupinan-2025 a regen:RandomizedControlledTrial .")
    assert not ask(store, "study:estupinan-2025 regen:sampleSize ?n .")


@pytest.mark.parametrize(("study", "pmid", "doi", "design", "n"), PRIMARY)
def test_primary_study_identifiers_design_and_size(
    store: GraphStore, study: str, pmid: str | None, doi: str, design: str, n: int
) -> None:
    assert ask(
        store,
        f"""study:{study} a regen:{design} ; regen:sampleSize ?n ; regen:reportedIn ?doc . FILTER (?n = {n})
        ?doc a regen:PrimaryPublication ; regen:citationStatus regen:Verified ; regen:doi "{doi}" .""",
    )
    if pmid:
        assert ask(store, f'study:{study} regen:reportedIn/regen:pmid "{pmid}" .')
    else:
        assert ask(store, f"study:{study} regen:reportedIn ?doc . ?doc regen:notReported regen:pmid .")
        assert not ask(store, f"study:{study} regen:reportedIn/regen:pmid ?p .")


def test_split_face_designs(store: GraphStore) -> None:
    for study in ("lee-2014", "liang-2022", "pincelli-2024"):
        assert ask(store, f"study:{study} a regen:SplitFaceStudy , regen:RandomizedControlledTrial .")


def test_null_and_unwanted_primary_results(store: GraphStore) -> None:
    # Willemsen 2018: PRP added to lipofilling did not improve elasticity or satisfaction, shortened recovery
    for outcome, direction in (
        ("SkinElasticity", "NoDifference"),
        ("PatientSatisfaction", "NoDifference"),
        ("RecoveryTime", "InterventionSuperior"),
    ):
        assert ask(
            store,
            f"""?f a regen:Finding ; regen:aboutStudy study:willemsen-2018 ;
            regen:outcome regen:{outcome} ; regen:direction regen:{direction} ;
            regen:comparison regen:PRPAddedToCellOrFatTherapy .""",
        )
    # Charles-de-Sa 2020: PRP gave fibrosis-like deposition; worse than ADSCs
    assert ask(
        store,
        """?f a regen:Finding ; regen:aboutStudy study:charles-de-sa-2020 ;
        regen:outcome regen:Fibrosis ; regen:direction regen:InterventionInferior ;
        regen:comparison regen:PRPVersusStemCellTherapy .""",
    )
    # Rigotti 2016: PRP did not improve the regenerative effect
    assert ask(
        store,
        """?f a regen:Finding ; regen:aboutStudy study:rigotti-2016 ;
        regen:direction regen:NoDifference ; regen:comparison regen:PRPAddedToCellOrFatTherapy .""",
    )
    # Pincelli 2024: PRP + microneedling no better than saline + microneedling on laxity, rhytides
    # and roughness; from baseline, laxity and rhytides worse, roughness unchanged
    for outcome in ("SkinLaxity", "Wrinkles", "SkinTexture"):
        assert ask(
            store,
            f"""?f a regen:Finding ; regen:aboutStudy study:pincelli-2024 ;
            regen:outcome regen:{outcome} ; regen:direction regen:NoDifference ;
            regen:comparison regen:PRPPlusMicroneedlingVersusMicroneedling ;
            regen:comparator/regen:hasComponent ?saline . ?saline a regen:SalinePlacebo .""",
        )
    for outcome, direction in (("SkinLaxity", "Worsened"), ("Wrinkles", "Worsened"), ("SkinTexture", "NoChange")):
        assert ask(
            store,
            f"""?f a regen:Finding ; regen:aboutStudy study:pincelli-2024 ;
            regen:outcome regen:{outcome} ; regen:direction regen:{direction} .
            FILTER NOT EXISTS {{ ?f regen:comparator ?any }}""",
        )
    assert not ask(
        store,
        """?f regen:aboutStudy study:pincelli-2024 ; regen:direction ?d .
        FILTER (?d IN (regen:Improved, regen:InterventionSuperior))""",
    )
    # Estupinan 2025: the PRP and exosome halves did not differ; each improved from baseline
    for outcome in ("Wrinkles", "SkinPigmentation", "SkinTexture", "SkinQuality", "TypeICollagenContent"):
        assert ask(
            store,
            f"""?f a regen:Finding ; regen:aboutStudy study:estupinan-2025 ; regen:outcome regen:{outcome} ;
            regen:direction regen:NoDifference ; regen:comparison regen:PRPVersusStemCellTherapy ;
            regen:comparator/regen:hasComponent/regen:usesMaterial ?m . ?m a regen:AdiposeStemCellExosomes .""",
        )
        for half in ("prp", "exosomes"):
            assert ask(
                store,
                f"""?f a regen:Finding ; regen:aboutStudy study:estupinan-2025 ; regen:outcome regen:{outcome} ;
                regen:direction regen:Improved ; regen:intervention intervention:estupinan-2025-{half}-rfmn .""",
            )
    # Amirkhani 2016: no change in epidermal density
    assert ask(
        store,
        """?f a regen:Finding ; regen:aboutStudy study:amirkhani-2016 ;
        regen:outcome regen:EpidermalDensity ; regen:direction regen:NoChange .""",
    )


def test_primary_adverse_events_as_stated(store: GraphStore) -> None:
    assert ask(
        store,
        """?f a regen:SafetyResult , regen:Finding ; regen:aboutStudy study:lee-2014 ;
        regen:safetyProfile regen:MildAdverseEventsOnly .""",
    )
    assert ask(
        store,
        """?f a regen:SafetyResult ; regen:aboutStudy study:liang-2022 ;
        regen:safetyProfile regen:NoSevereAdverseEvents .""",
    )
    # Pincelli 2024: pain or discomfort and burning or stinging in every patient; no grade given
    assert ask(
        store,
        """?f a regen:SafetyResult , regen:Finding ; regen:aboutStudy study:pincelli-2024 ;
        regen:safetyProfile regen:AdverseEventsSeverityNotStated ; regen:adverseEvents ?e .
        FILTER (CONTAINS(?e, "burning") && CONTAINS(?e, "every patient"))""",
    )
    for study in (
        "charles-de-sa-2015",
        "rigotti-2016",
        "menkes-2020",
        "charles-de-sa-2020",
        "willemsen-2018",
        "estupinan-2025",
    ):
        assert ask(store, f"study:{study} regen:notReported regen:safetyProfile .")


def test_non_msc_conditioned_medium_is_not_msc(store: GraphStore) -> None:
    assert ask(
        store,
        "study:lee-2014 regen:studiesIntervention/regen:usesMaterial ?m . ?m a regen:EndothelialPrecursorCellConditionedMedium .",
    )
    assert not ask(
        store, "study:lee-2014 regen:studiesIntervention/regen:usesMaterial ?m . ?m a regen:MSCConditionedMedium ."
    )
    assert ask(
        store,
        "study:liang-2022 regen:studiesIntervention/regen:usesMaterial ?m . ?m a regen:UmbilicalCordMSCConditionedMedium .",
    )


def test_every_statement_is_traceable(store: GraphStore) -> None:
    assert not ask(store, "?s a regen:EvidenceStatement . FILTER NOT EXISTS { ?s regen:statedIn ?doc }")
    assert not ask(
        store, "?s a regen:Finding . FILTER NOT EXISTS { ?s prov:wasDerivedFrom ?study . ?study a regen:Study }"
    )
    assert not ask(store, "?s a regen:Finding ; regen:statedIn ?d . ?d a regen:Review .")
    assert not ask(store, "?s a regen:Claim ; regen:statedIn ?d . ?d a regen:PrimaryPublication .")
