"""The stored queries give the answers the curated records imply.

Every expected answer below was written by hand from the study records in ``data/`` and from
``shared/evidence/primary-studies.md`` (designs, follow-up, identifiers, what each source says),
not copied from a run of the queries. Record IRIs follow the way the build mints them from ids
(``study:<id>``, ``intervention:<study>-<id>``, ``finding:<study>-<id>``, ``claim:<study>-<id>``,
``publication:<study>``). Rows are compared as sets of tuples of the columns that matter.

Each answer is checked on both embedded stores, rdflib (the reference) and Oxigraph (the default of
``regen-kg query``): the same hand-written answers hold on each.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import expand_curie
from regen_kg.queries import StoredQuery, load_catalogue, run_query
from regen_kg.store import DATA_GRAPH, ONTOLOGY_GRAPH, GraphStore, MemoryStore

Row = dict[str, str | None]

REVIEW = "publication:source-review"
UNVERIFIED_STUDIES = {"gentile-2017", "kim-2016", "shin-2018", "cervelli-2014", "lee-2019"}
#: the outcomes of estupinan-2025.yaml, by statement id: each half against baseline and the halves
#: against each other
ESTUPINAN_OUTCOMES = ("wrinkles", "pigmentation", "erythema", "texture", "appearance", "collagen-i")


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def store(request: pytest.FixtureRequest, built: Any) -> GraphStore:
    """The graph in each embedded store: every test of this module runs on both."""
    return built.store(request.param)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def catalogue(paths: ProjectPaths) -> dict[str, StoredQuery]:
    return load_catalogue(paths)


@pytest.fixture(scope="module")
def ask(catalogue: dict[str, StoredQuery], store: GraphStore) -> Any:
    """``ask(name, **params)`` runs a stored query and returns its rows."""

    def run(name: str, **params: str) -> list[Row]:
        return run_query(store, catalogue[name], params).rows

    return run


def cols(rows: Iterable[Row], *names: str) -> set[tuple[str | None, ...]]:
    return {tuple(row[name] for name in names) for row in rows}


def col(rows: Iterable[Row], name: str) -> set[str | None]:
    return {row[name] for row in rows}


def parts(value: str | None, sep: str = "; ") -> set[str]:
    """A GROUP_CONCAT cell as a set (its order is not defined by SPARQL)."""
    return set(value.split(sep)) if value else set()


def studies(*ids: str) -> set[str]:
    return {f"study:{i}" for i in ids}


# --------------------------------------------------------------------------------------------
# 1 improved-outcome


def test_improved_elasticity_lists_findings_and_claims_apart(ask: Any) -> None:
    rows = ask("improved-outcome")  # default: regen:SkinElasticity
    # Amirkhani 2016 (SVF, single-arm) found a rise; the review claims rises for Gentile 2017,
    # Shin 2018, Kim 2016 (vs microneedling) and Lee 2019 (synergy). Willemsen 2018 found no
    # difference, so it is not an improvement.
    assert cols(rows, "statement", "kind", "study") == {
        ("finding:amirkhani-2016-elasticity", "finding", "study:amirkhani-2016"),
        ("claim:gentile-2017-elasticity", "claim", "study:gentile-2017"),
        ("claim:shin-2018-elasticity", "claim", "study:shin-2018"),
        ("claim:kim-2016-elasticity", "claim", "study:kim-2016"),
        ("claim:lee-2019-elasticity-synergy", "claim", "study:lee-2019"),
    }
    by_statement = {row["statement"]: row for row in rows}
    amirkhani = by_statement["finding:amirkhani-2016-elasticity"]
    assert amirkhani["source"] == "publication:amirkhani-2016"
    assert amirkhani["sourceKind"] == "regen:PrimaryPublication"
    assert amirkhani["sourceStatus"] == amirkhani["studyStatus"] == "regen:Verified"
    assert amirkhani["design"] == "single-arm study"
    assert amirkhani["evidenceLevel"] == "uncontrolled evidence"
    assert amirkhani["intervention"] == "intervention:amirkhani-2016-svf"
    for statement, row in by_statement.items():
        if row["kind"] == "claim":  # never shown as if verified
            assert row["source"] == REVIEW and row["sourceStatus"] == "regen:NotYetChecked", statement
            assert row["studyStatus"] == "regen:NotFoundInLiterature", statement
            assert row["evidenceLevel"] == "unverified secondary report", statement
    assert parts(by_statement["claim:gentile-2017-elasticity"]["timepoints"]) == {
        "3 months",
        "6 months",
    }
    assert by_statement["claim:lee-2019-elasticity-synergy"]["design"] == "pilot study"
    assert by_statement["claim:kim-2016-elasticity"]["direction"] == "regen:InterventionSuperior"


def test_improved_texture(ask: Any) -> None:
    rows = ask("improved-outcome", outcome="regen:SkinTexture")
    # Cervelli 2014 (claim, vs baseline), Kim 2016 (claim, vs microneedling), Liang 2022 (finding,
    # investigator assessment vs saline side, p<0.001), Estupinan 2025 (findings, each half vs
    # baseline; its halves did not differ). Pincelli 2024's roughness did not change.
    assert cols(rows, "statement", "kind") == {
        ("claim:cervelli-2014-texture", "claim"),
        ("claim:kim-2016-texture", "claim"),
        ("finding:liang-2022-texture-pga", "finding"),
        ("finding:estupinan-2025-prp-texture", "finding"),
        ("finding:estupinan-2025-exosomes-texture", "finding"),
    }
    liang = next(r for r in rows if r["statement"] == "finding:liang-2022-texture-pga")
    assert liang["timepoints"] == "2 weeks" and liang["followUp"] == "2 weeks"
    assert parts(liang["design"], " + ") == {"randomized controlled trial", "split-face study"}


def test_improved_wrinkles_includes_subclasses_and_skips_no_change(ask: Any) -> None:
    rows = ask("improved-outcome", outcome="regen:Wrinkles")
    # WrinkleDepth (Lee 2019) and FineLines (Kim 2016) are kinds of Wrinkles; Amirkhani's
    # "no obvious change in the nasolabial grooves" is no change and stays out.
    assert cols(rows, "statement", "statementOutcome") == {
        ("finding:amirkhani-2016-wrinkles", "regen:Wrinkles"),
        ("claim:gentile-2017-wrinkles", "regen:Wrinkles"),
        ("claim:kim-2016-fine-lines", "regen:FineLines"),
        ("finding:lee-2014-wrinkles-pga", "regen:Wrinkles"),
        ("finding:lee-2014-wrinkles-visiometer", "regen:Wrinkles"),
        ("claim:lee-2019-wrinkle-depth-synergy", "regen:WrinkleDepth"),
        # Estupinan 2025: wrinkling improved on both halves; Pincelli 2024's rhytides did not
        ("finding:estupinan-2025-prp-wrinkles", "regen:Wrinkles"),
        ("finding:estupinan-2025-exosomes-wrinkles", "regen:Wrinkles"),
    }


# --------------------------------------------------------------------------------------------
# 2 studies-by-cell-type


def test_msc_studies_include_mixed_materials_and_conditioned_media(ask: Any) -> None:
    rows = ask("studies-by-cell-type")  # default: regen:MesenchymalStemCell
    assert col(rows, "study") == studies(
        "gentile-2017",
        "kim-2016",
        "shin-2018",
        "lee-2019",
        "charles-de-sa-2015",
        "rigotti-2016",
        "amirkhani-2016",
        "menkes-2020",
        "charles-de-sa-2020",
        "liang-2022",
        "estupinan-2025",
    )
    # hESC-EPC medium (Lee 2014), fat + PRP (Willemsen 2018), PRP (Cervelli 2014): not MSC
    assert not col(rows, "study") & studies("lee-2014", "willemsen-2018", "cervelli-2014")
    assert cols(rows, "study", "how") == {
        ("study:gentile-2017", "contains"),  # ADSC-enriched fat graft
        ("study:kim-2016", "derived product"),  # MSC-conditioned medium
        ("study:shin-2018", "cells"),  # bone-marrow MSCs
        ("study:lee-2019", "cells"),  # ADSCs, a component of the combination
        ("study:charles-de-sa-2015", "contains"),  # fat + SVF
        ("study:charles-de-sa-2015", "cells"),  # culture-expanded ADSCs
        ("study:rigotti-2016", "contains"),
        ("study:rigotti-2016", "cells"),
        ("study:amirkhani-2016", "contains"),  # SVF
        ("study:menkes-2020", "contains"),  # nanofat
        ("study:charles-de-sa-2020", "cells"),  # ADSCs
        ("study:liang-2022", "derived product"),  # umbilical-cord MSC conditioned medium
        ("study:estupinan-2025", "derived product"),  # exosomes of adipose-derived stem cells
    }
    # the intervention shown is the one that delivers the material, not the combination
    assert ("study:lee-2019", "intervention:lee-2019-adsc") in cols(rows, "study", "intervention")
    assert (
        "study:liang-2022",
        "intervention:liang-2022-cm",
        "regen:UmbilicalCordMSCConditionedMedium",
    ) in cols(rows, "study", "intervention", "materialType")
    unverified = {r["study"] for r in rows if r["studyStatus"] == "regen:NotFoundInLiterature"}
    assert unverified == studies("gentile-2017", "kim-2016", "shin-2018", "lee-2019")


def test_bone_marrow_msc_only_shin(ask: Any) -> None:
    rows = ask("studies-by-cell-type", cellType="regen:BoneMarrowMesenchymalStemCell")
    assert cols(rows, "study", "intervention", "how") == {
        ("study:shin-2018", "intervention:shin-2018-bm-msc-injection", "cells"),
    }


def test_adipose_derived_stem_cells(ask: Any) -> None:
    rows = ask("studies-by-cell-type", cellType="regen:AdiposeDerivedStemCell")
    assert col(rows, "study") == studies(
        "gentile-2017",
        "lee-2019",
        "charles-de-sa-2015",
        "rigotti-2016",
        "amirkhani-2016",
        "menkes-2020",
        "charles-de-sa-2020",
        "estupinan-2025",
    )


def test_umbilical_cord_msc_only_through_conditioned_medium(ask: Any) -> None:
    rows = ask("studies-by-cell-type", cellType="regen:UmbilicalCordMesenchymalStemCell")
    assert cols(rows, "study", "how") == {("study:liang-2022", "derived product")}


# --------------------------------------------------------------------------------------------
# 3 mechanism-chains


def test_mechanism_claims_of_the_sources(ask: Any) -> None:
    rows = [r for r in ask("mechanism-chains") if r["basis"] == "claimed"]
    # The review: MSCs act by paracrine factors, recruit native cells, remodel the matrix, modulate
    # inflammation, promote vascularization; PRP enhances grafted stem cells; Cervelli 2014's
    # improvement attributed to PRP growth factors.
    assert cols(rows, "claim", "intervention", "mechanism", "source") == {
        (
            "claim:source-review-msc-paracrine",
            "intervention:source-review-msc-therapy",
            "regen:ParacrineSignalling",
            REVIEW,
        ),
        (
            "claim:source-review-msc-cell-recruitment",
            "intervention:source-review-msc-therapy",
            "regen:CellRecruitment",
            REVIEW,
        ),
        (
            "claim:source-review-msc-matrix-remodelling",
            "intervention:source-review-msc-therapy",
            "regen:DermalMatrixRemodelling",
            REVIEW,
        ),
        (
            "claim:source-review-msc-immunomodulation",
            "intervention:source-review-msc-therapy",
            "regen:Immunomodulation",
            REVIEW,
        ),
        (
            "claim:source-review-msc-vascularization",
            "intervention:source-review-msc-therapy",
            "regen:Vascularization",
            REVIEW,
        ),
        (
            "claim:source-review-prp-enhances-stem-cells",
            "intervention:source-review-prp",
            "regen:EnhancedStemCellSurvival",
            REVIEW,
        ),
        (
            "claim:cervelli-2014-growth-factor-release",
            "intervention:cervelli-2014-prp-microneedling",
            "regen:GrowthFactorRelease",
            REVIEW,
        ),
    }
    assert col(rows, "sourceStatus") == {"regen:NotYetChecked"}


def test_inferred_chains_follow_the_model(ask: Any) -> None:
    rows = [r for r in ask("mechanism-chains") if r["basis"] == "inferred"]
    chains = cols(rows, "intervention", "materialType", "mechanism", "outcome")
    # bone-marrow MSCs -> paracrine signalling -> dermal architecture
    assert (
        "intervention:shin-2018-bm-msc-injection",
        "regen:BoneMarrowMesenchymalStemCell",
        "regen:ParacrineSignalling",
        "regen:DermalArchitecture",
    ) in chains
    # PRP -> growth-factor release -> skin texture and skin tone
    for outcome in ("regen:SkinTexture", "regen:SkinTone"):
        assert (
            "intervention:willemsen-2018-prp",
            "regen:PlateletRichPlasma",
            "regen:GrowthFactorRelease",
            outcome,
        ) in chains
    # microneedling has no material; it is defined to act by collagen remodelling
    assert {
        (o,)
        for (i, m, mech, o) in chains
        if i == "intervention:kim-2016-microneedling" and mech == "regen:CollagenRemodelling" and m is None
    } == {
        ("regen:DermalThickness",),
        ("regen:SkinElasticity",),
        ("regen:Wrinkles",),
        ("regen:TypeICollagenContent",),
        ("regen:CollagenSynthesisHistology",),
    }
    # a combination acts through what its components do
    combo = {mech for (i, _m, mech, _o) in chains if i == "intervention:lee-2019-prp-adsc-microneedling"}
    assert combo == {
        "regen:ParacrineSignalling",
        "regen:GrowthFactorRelease",
        "regen:CollagenRemodelling",
    }


# --------------------------------------------------------------------------------------------
# 4 prp-vs-stem-cells


def test_prp_alone_against_stem_cells(ask: Any) -> None:
    rows = ask("prp-vs-stem-cells")
    # The review's Cervelli 2014 claim (PRP alone only modest vs stem-cell approaches), the
    # Charles-de-Sa 2020 randomized finding (PRP fibrosis-like, unwanted, vs ADSCs), and the six
    # Estupinan 2025 findings (PRP and ADSC exosomes, each with radiofrequency microneedling, did
    # not differ; randomization not stated).
    assert cols(rows, "statement", "kind", "direction", "source", "sourceStatus", "studyStatus") == {
        *{
            (
                f"finding:estupinan-2025-{o}-vs-exosomes",
                "finding",
                "regen:NoDifference",
                "publication:estupinan-2025",
                "regen:Verified",
                "regen:Verified",
            )
            for o in ESTUPINAN_OUTCOMES
        },
        (
            "claim:cervelli-2014-prp-vs-stem-cells",
            "claim",
            "regen:InterventionInferior",
            REVIEW,
            "regen:NotYetChecked",
            "regen:NotFoundInLiterature",
        ),
        (
            "finding:charles-de-sa-2020-prp-fibrosis",
            "finding",
            "regen:InterventionInferior",
            "publication:charles-de-sa-2020",
            "regen:Verified",
            "regen:Verified",
        ),
    }
    fibrosis = next(r for r in rows if r["statement"] == "finding:charles-de-sa-2020-prp-fibrosis")
    assert fibrosis["comparator"] == "intervention:charles-de-sa-2020-adsc"
    assert fibrosis["outcome"] == "regen:Fibrosis"
    assert fibrosis["evidenceLevel"] == "randomized controlled evidence"
    for row in rows:
        if row["study"] == "study:estupinan-2025":
            assert row["comparator"] == "intervention:estupinan-2025-exosomes-rfmn"
            assert row["evidenceLevel"] == "non-randomized controlled evidence"
    assert col(rows, "prpSide") == {"intervention"}
    cervelli = next(r for r in rows if r["kind"] == "claim")
    assert cervelli["magnitude"] == "modest"


# --------------------------------------------------------------------------------------------
# 5 synergy


def test_synergy_and_add_on_results(ask: Any) -> None:
    rows = ask("synergy")
    assert cols(rows, "statement", "resultType") == {
        # Lee 2019 as cited by the review: PRP + ADSCs + microneedling beyond each alone
        ("claim:lee-2019-wrinkle-depth-synergy", "synergy"),
        ("claim:lee-2019-hydration-synergy", "synergy"),
        ("claim:lee-2019-elasticity-synergy", "synergy"),
        # Kim 2016 as cited: conditioned medium + microneedling vs microneedling alone
        ("claim:kim-2016-type-i-collagen", "versus own component"),
        ("claim:kim-2016-elasticity", "versus own component"),
        ("claim:kim-2016-texture", "versus own component"),
        ("claim:kim-2016-fine-lines", "versus own component"),
        # the review: PRP as a booster of stem-cell therapy
        ("claim:source-review-prp-booster", "versus own component"),
        # verified add-on trials against the same base with saline
        ("finding:willemsen-2018-recovery", "versus shared base"),
        ("finding:willemsen-2018-elasticity", "versus shared base"),
        ("finding:willemsen-2018-volume", "versus shared base"),
        ("finding:willemsen-2018-satisfaction", "versus shared base"),
        ("finding:lee-2014-pigmentation-pga", "versus shared base"),
        ("finding:lee-2014-wrinkles-pga", "versus shared base"),
        ("finding:lee-2014-pigmentation-mexameter", "versus shared base"),
        ("finding:lee-2014-wrinkles-visiometer", "versus shared base"),
        ("finding:liang-2022-brightness-pga", "versus shared base"),
        ("finding:liang-2022-texture-pga", "versus shared base"),
        ("finding:liang-2022-satisfaction", "versus shared base"),
        ("finding:liang-2022-brightness-objective", "versus shared base"),
        # Pincelli 2024: PRP + microneedling against saline + microneedling, split-face
        ("finding:pincelli-2024-laxity-vs-saline", "versus shared base"),
        ("finding:pincelli-2024-wrinkles-vs-saline", "versus shared base"),
        ("finding:pincelli-2024-texture-vs-saline", "versus shared base"),
        # Estupinan 2025: PRP against exosomes, both halves with radiofrequency microneedling
        *{(f"finding:estupinan-2025-{o}-vs-exosomes", "versus shared base") for o in ESTUPINAN_OUTCOMES},
    }
    synergy = [r for r in rows if r["resultType"] == "synergy"]
    for row in synergy:
        assert row["kind"] == "claim" and row["studyStatus"] == "regen:NotFoundInLiterature"
        assert row["combination"] == "intervention:lee-2019-prp-adsc-microneedling"
        assert parts(row["components"]) == {
            "PRP (delivery not stated)",
            "adipose-derived stem cells (delivery not stated)",
            "microneedling",
        }
        assert row["magnitude"] == "beyond individual treatments"
    willemsen = {r["statement"]: r["direction"] for r in rows if r["study"] == "study:willemsen-2018"}
    assert willemsen == {
        "finding:willemsen-2018-recovery": "regen:InterventionSuperior",
        "finding:willemsen-2018-elasticity": "regen:NoDifference",
        "finding:willemsen-2018-volume": "regen:NoDifference",
        "finding:willemsen-2018-satisfaction": "regen:NoDifference",
    }


# --------------------------------------------------------------------------------------------
# 6 safety


def test_safety_per_study_and_silence_on_adverse_events(ask: Any) -> None:
    rows = ask("safety")
    assert cols(rows, "study", "adverseEventsNotReported", "statement", "kind", "safetyProfile") == {
        ("study:amirkhani-2016", "true", None, None, None),
        ("study:cervelli-2014", "true", None, None, None),
        ("study:charles-de-sa-2015", "true", None, None, None),
        ("study:estupinan-2025", "true", None, None, None),
        ("study:charles-de-sa-2020", "true", None, None, None),
        (
            "study:gentile-2017",
            "false",
            "claim:gentile-2017-safety",
            "claim",
            "regen:FavourableSafetyUnspecified",
        ),
        ("study:kim-2016", "true", None, None, None),
        (
            "study:lee-2014",
            "false",
            "finding:lee-2014-safety",
            "finding",
            "regen:MildAdverseEventsOnly",
        ),
        ("study:lee-2019", "true", None, None, None),
        (
            "study:liang-2022",
            "false",
            "finding:liang-2022-safety",
            "finding",
            "regen:NoSevereAdverseEvents",
        ),
        ("study:menkes-2020", "true", None, None, None),
        # pain or discomfort and burning or stinging in every patient, severity not graded
        (
            "study:pincelli-2024",
            "false",
            "finding:pincelli-2024-safety",
            "finding",
            "regen:AdverseEventsSeverityNotStated",
        ),
        ("study:rigotti-2016", "true", None, None, None),
        ("study:shin-2018", "false", "claim:shin-2018-safety", "claim", "regen:NoAdverseEvents"),
        ("study:willemsen-2018", "true", None, None, None),
    }
    lee = next(r for r in rows if r["study"] == "study:lee-2014")
    assert lee["adverseEvents"] == "mild desquamation in one participant"
    shin = next(r for r in rows if r["study"] == "study:shin-2018")
    assert shin["source"] == REVIEW and shin["studyStatus"] == "regen:NotFoundInLiterature"


# --------------------------------------------------------------------------------------------
# 7 evidence-map and 8 evidence-gaps


def test_evidence_map_counts_and_strongest_design(ask: Any) -> None:
    rows = {(r["interventionClass"], r["outcome"]): r for r in ask("evidence-map")}
    keys = (
        "statements",
        "studies",
        "verifiedFindings",
        "claims",
        "strongestRank",
        "strongestLevel",
        "strongestVerifiedRank",
        "strongestVerifiedLevel",
    )

    def summary(cls: str, outcome: str) -> tuple[Any, ...]:
        row = rows[(f"regen:{cls}", f"regen:{outcome}")]
        return tuple(row[k] for k in keys)

    # Amirkhani 2016 (single-arm, verified): two wrinkle findings
    assert summary("SVFInjection", "Wrinkles") == (
        "2",
        "1",
        "2",
        "0",
        "3",
        "uncontrolled evidence",
        "3",
        "uncontrolled evidence",
    )
    # combinations on elasticity: Kim 2016 and Lee 2019 claims, Willemsen 2018 RCT finding
    assert summary("CombinationTherapy", "SkinElasticity") == (
        "3",
        "3",
        "1",
        "2",
        "1",
        "randomized controlled evidence",
        "1",
        "randomized controlled evidence",
    )
    # Shin 2018 as cited: a claim only
    assert summary("IntradermalMSCInjection", "SkinElasticity") == (
        "1",
        "1",
        "0",
        "1",
        "4",
        "unverified secondary report",
        None,
        None,
    )
    # the review's general claim (no study) on durability against fillers
    assert summary("StemCellBasedIntervention", "DurabilityOfEffect") == (
        "1",
        "0",
        "0",
        "1",
        "4",
        "unverified secondary report",
        None,
        None,
    )
    # Charles-de-Sa 2020 (verified RCT): PRP fibrosis-like deposition
    assert summary("PlateletBasedIntervention", "Fibrosis") == (
        "1",
        "1",
        "1",
        "0",
        "1",
        "randomized controlled evidence",
        "1",
        "randomized controlled evidence",
    )
    # Charles-de-Sa 2015 (non-randomized): dermal architecture, before/after and vs expanded ADSCs
    assert summary("StemCellEnrichedFatGrafting", "DermalArchitecture") == (
        "2",
        "1",
        "2",
        "0",
        "2",
        "non-randomized controlled evidence",
        "2",
        "non-randomized controlled evidence",
    )
    # Gentile 2017 claim and Charles-de-Sa 2015 finding share a class but not an outcome
    assert summary("StemCellEnrichedFatGrafting", "SkinElasticity")[:4] == ("1", "1", "0", "1")
    for row in rows.values():
        assert int(row["statements"]) >= int(row["verifiedFindings"]) + int(row["claims"])


def test_evidence_gaps(ask: Any) -> None:
    rows = {(r["interventionClass"], r["outcome"]): r for r in ask("evidence-gaps")}
    # claims only
    for cls, outcome in [
        ("IntradermalMSCInjection", "SkinElasticity"),
        ("StemCellEnrichedFatGrafting", "DermalThickness"),
        ("CombinationTherapy", "WrinkleDepth"),
        ("PlateletBasedIntervention", "SkinRejuvenation"),
    ]:
        assert rows[(f"regen:{cls}", f"regen:{outcome}")]["gap"] == "unverified claims only"
    # verified but weaker designs: single-arm SVF and nanofat, non-randomized SVF-enriched fat
    for cls, outcome, rank in [
        ("SVFInjection", "SkinElasticity", "3"),
        ("NanofatGrafting", "ElasticFibres", "3"),
        ("StemCellEnrichedFatGrafting", "DermalArchitecture", "2"),
    ]:
        row = rows[(f"regen:{cls}", f"regen:{outcome}")]
        assert row["strongestRank"] == rank and int(row["verifiedFindings"]) > 0
    # pairs with a verified RCT behind them are not gaps
    for cls, outcome in [
        ("CombinationTherapy", "SkinElasticity"),  # Willemsen 2018
        ("CombinationTherapy", "Wrinkles"),  # Lee 2014
        ("PlateletBasedIntervention", "Fibrosis"),  # Charles-de-Sa 2020
        ("StemCellBasedIntervention", "ElasticFibres"),
    ]:  # Charles-de-Sa 2020
        assert (f"regen:{cls}", f"regen:{outcome}") not in rows
    assert all(row["strongestRank"] != "1" for row in rows.values())


# --------------------------------------------------------------------------------------------
# 9 follow-up


def test_follow_up_per_study(ask: Any) -> None:
    rows = ask("follow-up")
    per_study = {(r["study"], r["followUp"], r["followUpNotReported"]) for r in rows}
    assert per_study == {
        ("study:amirkhani-2016", None, "true"),
        ("study:cervelli-2014", None, "true"),
        ("study:charles-de-sa-2015", "3 months", "false"),
        ("study:charles-de-sa-2020", "4 months", "false"),
        ("study:estupinan-2025", None, "true"),
        ("study:gentile-2017", None, "true"),
        ("study:kim-2016", None, "true"),
        ("study:lee-2014", None, "true"),
        ("study:lee-2019", None, "true"),
        ("study:liang-2022", "2 weeks", "false"),
        ("study:menkes-2020", "9 months", "false"),
        ("study:pincelli-2024", "24 weeks", "false"),
        ("study:rigotti-2016", "3 months", "false"),
        ("study:shin-2018", None, "true"),
        ("study:willemsen-2018", "1 year", "false"),
    }
    months = {r["study"]: float(r["followUpMonths"]) for r in rows if r["followUpMonths"]}
    assert months["study:willemsen-2018"] == 12
    assert abs(months["study:liang-2022"] - 14 / 30.4375) < 0.01


def test_statements_on_six_months_or_more(ask: Any) -> None:
    rows = [r for r in ask("follow-up") if r["statement"]]  # default: 6 months
    assert cols(rows, "statement", "restsOn") == {
        # Willemsen 2018: one-year follow-up, statements name no timepoint
        ("finding:willemsen-2018-recovery", "study follow-up"),
        ("finding:willemsen-2018-elasticity", "study follow-up"),
        ("finding:willemsen-2018-volume", "study follow-up"),
        ("finding:willemsen-2018-satisfaction", "study follow-up"),
        # Menkes 2020: mean follow-up 9 months
        ("finding:menkes-2020-skin-quality", "study follow-up"),
        ("finding:menkes-2020-lifting", "study follow-up"),
        ("finding:menkes-2020-dermal-cellularity", "study follow-up"),
        ("finding:menkes-2020-vascular-density", "study follow-up"),
        ("finding:menkes-2020-elastic-fibres", "study follow-up"),
        ("finding:menkes-2020-collagen", "study follow-up"),
        # Gentile 2017 as cited: results at 3 and 6 months
        ("claim:gentile-2017-dermal-thickness", "statement timepoint"),
        ("claim:gentile-2017-elasticity", "statement timepoint"),
        ("claim:gentile-2017-collagen-remodelling", "statement timepoint"),
    }
    gentile = {r["timepoint"] for r in rows if r["study"] == "study:gentile-2017"}
    assert gentile == {"6 months"}


def test_statements_on_a_year_or_more(ask: Any) -> None:
    rows = [r for r in ask("follow-up", months="12") if r["statement"]]
    assert col(rows, "statement") == {
        "finding:willemsen-2018-recovery",
        "finding:willemsen-2018-elasticity",
        "finding:willemsen-2018-volume",
        "finding:willemsen-2018-satisfaction",
    }


def test_statements_on_four_months_or_more(ask: Any) -> None:
    rows = [r for r in ask("follow-up", months="4") if r["statement"]]
    cds2020 = {r["statement"] for r in rows if r["study"] == "study:charles-de-sa-2020"}
    assert cds2020 == {
        f"finding:charles-de-sa-2020-{i}"
        for i in (
            "prp-fibrosis",
            "prp-inflammation",
            "adsc-elastic-fibres",
            "adsc-elastosis",
            "adsc-matrix",
        )
    }
    # three-month biopsies (Charles-de-Sa 2015, Rigotti 2016) stay out
    assert not col(rows, "study") & studies("charles-de-sa-2015", "rigotti-2016")
    # Pincelli 2024: efficacy assessed at 4, 16 and 24 weeks (16 weeks is over 3.6 months, 24 under
    # 6); the adverse events were noted at treatment weeks 4, 8 and 12 only, so safety stays out
    pincelli = {r["statement"] for r in rows if r["study"] == "study:pincelli-2024"}
    assert pincelli == {
        f"finding:pincelli-2024-{i}"
        for i in ("laxity-vs-saline", "wrinkles-vs-saline", "texture-vs-saline", "laxity", "wrinkles", "texture")
    }


# --------------------------------------------------------------------------------------------
# 10 limitations


def test_limitations_and_research_called_for(ask: Any) -> None:
    rows = ask("limitations")
    assert cols(rows, "limitationOf", "limitationType") == {
        ("study:amirkhani-2016", "regen:SmallSampleSize"),
        ("study:amirkhani-2016", "regen:NoControlGroup"),
        ("study:charles-de-sa-2015", "regen:SmallSampleSize"),
        ("study:charles-de-sa-2015", "regen:SurrogateEndpointsOnly"),
        ("study:charles-de-sa-2020", "regen:SmallSampleSize"),
        ("study:charles-de-sa-2020", "regen:SurrogateEndpointsOnly"),
        ("study:lee-2014", "regen:SmallSampleSize"),
        ("study:liang-2022", "regen:SmallSampleSize"),
        ("study:liang-2022", "regen:ShortFollowUp"),
        ("study:menkes-2020", "regen:NoControlGroup"),
        ("study:pincelli-2024", "regen:SmallSampleSize"),
        ("study:rigotti-2016", "regen:SmallSampleSize"),
        ("study:rigotti-2016", "regen:SurrogateEndpointsOnly"),
        ("study:willemsen-2018", "regen:SmallSampleSize"),
        (REVIEW, "regen:SmallSampleSize"),
        (REVIEW, "regen:HeterogeneousProtocols"),
        (REVIEW, "regen:ShortFollowUp"),
        (REVIEW, "regen:UnverifiableCitations"),
    }
    assert len(rows) == 18
    # who states each limitation: the review states its own; the curators note the rest
    stated = {(r["limitationType"], r["limitationOf"], r["statedBy"]) for r in rows}
    assert (("regen:UnverifiableCitations", REVIEW, "agent:curators")) in stated
    assert (("regen:SmallSampleSize", REVIEW, REVIEW)) in stated
    assert (("regen:SmallSampleSize", "study:lee-2014", "agent:curators")) in stated
    addressed = {r["limitationType"] for r in rows if r["recommendation"] == "recommendation:source-review-larger-rcts"}
    assert addressed == {
        "regen:SmallSampleSize",
        "regen:HeterogeneousProtocols",
        "regen:ShortFollowUp",
    }
    assert col([r for r in rows if r["recommendation"]], "recommendationText") == {
        "Larger, standardised randomized controlled trials with longer follow-up are needed."
    }
    assert col([r for r in rows if r["recommendation"]], "limitationOf") == {REVIEW}


# --------------------------------------------------------------------------------------------
# 11 mappings


def test_mappings_query_runs_and_keeps_to_our_terms(ask: Any, catalogue: dict[str, StoredQuery]) -> None:
    rows = ask("mappings")
    assert catalogue["mappings"].form == "SELECT"
    skos = {f"skos:{p}" for p in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")}
    for row in rows:
        assert row["term"] and row["term"].startswith("regen:")
        assert row["predicate"] in skos


def test_mappings_query_finds_a_mapping_once_one_is_recorded(
    catalogue: dict[str, StoredQuery],
) -> None:
    regen = "https://w3id.org/regen-kg/ontology/"
    cl = URIRef("http://purl.obolibrary.org/obo/CL_0000134")
    msc = URIRef(regen + "MesenchymalStemCell")
    ontology = MemoryStore()
    terms = Graph()
    terms.add((msc, RDFS.label, Literal("mesenchymal stem cell", lang="en")))
    terms.add((cl, RDFS.label, Literal("mesenchymal stem cell")))
    mappings = Graph()
    mappings.add((msc, SKOS.exactMatch, cl))
    mappings.add((cl, SKOS.exactMatch, msc))  # the other direction is not a term of ours
    mappings.add((msc, SKOS.definition, Literal("not a mapping")))
    ontology.load({ONTOLOGY_GRAPH: terms, DATA_GRAPH: mappings})
    rows = run_query(ontology, catalogue["mappings"]).rows
    assert [(r["term"], r["label"], r["predicate"], r["external"], r["externalLabel"]) for r in rows] == [
        (
            "regen:MesenchymalStemCell",
            "mesenchymal stem cell",
            "skos:exactMatch",
            "CL:0000134",
            "mesenchymal stem cell",
        )
    ]


# --------------------------------------------------------------------------------------------
# 12 finding-provenance


def test_provenance_of_a_verified_finding(ask: Any) -> None:
    (row,) = ask("finding-provenance")  # default: finding:lee-2014-wrinkles-pga
    assert row["finding"] == "finding:lee-2014-wrinkles-pga" and row["kind"] == "finding"
    assert row["source"] == row["studyReportedIn"] == "publication:lee-2014"
    assert row["sourceKind"] == "regen:PrimaryPublication"
    assert row["sourceStatus"] == "regen:Verified"
    assert (row["pmid"], row["pmcid"], row["doi"]) == (
        "25324650",
        "PMC4198585",
        "10.5021/ad.2014.26.5.584",
    )
    assert row["firstAuthor"] == "Lee" and row["year"] == "2014"
    assert row["study"] == "study:lee-2014"
    assert "split-face" in (row["title"] or "")
    assert row["sourceText"] == (
        "Physician global assessment rated wrinkles better on the conditioned-medium side (p<0.05)."
    )


def test_provenance_of_a_claim_shows_both_documents(ask: Any) -> None:
    (row,) = ask("finding-provenance", finding="claim:lee-2019-elasticity-synergy")
    assert row["kind"] == "claim"
    assert (row["source"], row["sourceKind"], row["sourceStatus"]) == (
        REVIEW,
        "regen:Review",
        "regen:NotYetChecked",
    )
    assert row["pmid"] is None and row["doi"] is None
    assert row["study"] == "study:lee-2019"
    assert (row["studyReportedIn"], row["studyReportedInStatus"], row["citedBy"]) == (
        "publication:lee-2019",
        "regen:NotFoundInLiterature",
        REVIEW,
    )


def test_provenance_of_a_finding_without_pmid(ask: Any) -> None:
    (row,) = ask("finding-provenance", finding="finding:willemsen-2018-elasticity")
    assert row["doi"] == "10.1097/prs.0000000000004081" and row["pmid"] is None
    assert row["sourceStatus"] == "regen:Verified" and row["study"] == "study:willemsen-2018"


# --------------------------------------------------------------------------------------------
# 13 unverified-identifiers


def test_documents_without_verified_identifiers(ask: Any) -> None:
    rows = ask("unverified-identifiers")
    assert cols(rows, "document", "documentKind", "status", "study", "missing") == {
        # the five citations of the review that were not found
        *{
            (
                f"publication:{s}",
                "regen:UnlocatedCitation",
                "regen:NotFoundInLiterature",
                f"study:{s}",
                "PMID and DOI",
            )
            for s in UNVERIFIED_STUDIES
        },
        # the review itself: identifiers unknown, not checked
        (REVIEW, "regen:Review", "regen:NotYetChecked", None, "PMID and DOI"),
        # verified, with a DOI, PMID not seen
        (
            "publication:amirkhani-2016",
            "regen:PrimaryPublication",
            "regen:Verified",
            "study:amirkhani-2016",
            "PMID",
        ),
        (
            "publication:charles-de-sa-2015",
            "regen:PrimaryPublication",
            "regen:Verified",
            "study:charles-de-sa-2015",
            "PMID",
        ),
        (
            "publication:willemsen-2018",
            "regen:PrimaryPublication",
            "regen:Verified",
            "study:willemsen-2018",
            "PMID",
        ),
        (
            "publication:pincelli-2024",
            "regen:PrimaryPublication",
            "regen:Verified",
            "study:pincelli-2024",
            "PMID",
        ),
        (
            "publication:estupinan-2025",
            "regen:PrimaryPublication",
            "regen:Verified",
            "study:estupinan-2025",
            "PMID",
        ),
    }
    # fully identified: Charles-de-Sa 2020, Lee 2014, Liang 2022, Menkes 2020, Rigotti 2016
    assert not col(rows, "study") & studies(
        "charles-de-sa-2020", "lee-2014", "liang-2022", "menkes-2020", "rigotti-2016"
    )
    # the records say the PMID (and for the review the DOI too) was not seen
    marked = {r["document"] for r in rows if r["markedNotReported"] == "true"}
    assert marked >= {
        REVIEW,
        "publication:amirkhani-2016",
        "publication:charles-de-sa-2015",
        "publication:estupinan-2025",
        "publication:pincelli-2024",
        "publication:willemsen-2018",
    }


# --------------------------------------------------------------------------------------------
# 14 study-subgraph


def _iri(curie: str) -> URIRef:
    return expand_curie(curie)


def test_study_subgraph_of_liang(catalogue: dict[str, StoredQuery], store: GraphStore) -> None:
    g = run_query(store, catalogue["study-subgraph"]).graph  # default: study:liang-2022
    assert g is not None
    study = _iri("study:liang-2022")
    assert (study, RDF.type, _iri("regen:RandomizedControlledTrial")) in g
    assert (study, RDF.type, _iri("regen:SplitFaceStudy")) in g
    assert str(g.value(study, RDFS.label)).startswith("Liang 2022")
    arms = set(g.objects(study, _iri("regen:hasArm")))
    assert arms == {_iri("arm:liang-2022-cm-side"), _iri("arm:liang-2022-saline-side")}
    assert (
        _iri("arm:liang-2022-saline-side"),
        _iri("regen:receivesIntervention"),
        _iri("intervention:liang-2022-saline-microneedling"),
    ) in g
    combo = _iri("intervention:liang-2022-cm-microneedling")
    assert set(g.objects(combo, _iri("regen:hasComponent"))) == {
        _iri("intervention:liang-2022-cm"),
        _iri("intervention:liang-2022-mn"),
    }
    for component in ("cm", "mn", "saline"):
        assert g.value(_iri(f"intervention:liang-2022-{component}"), RDFS.label) is not None
    (medium,) = set(g.objects(_iri("intervention:liang-2022-cm"), _iri("regen:usesMaterial")))
    assert (medium, RDF.type, _iri("regen:UmbilicalCordMSCConditionedMedium")) in g
    findings = set(g.subjects(_iri("regen:aboutStudy"), study))
    assert findings == {
        _iri(f"finding:liang-2022-{i}")
        for i in ("brightness-pga", "texture-pga", "satisfaction", "brightness-objective", "safety")
    }
    for finding in findings:
        assert (finding, RDF.type, _iri("regen:Finding")) in g
        assert g.value(finding, RDFS.label) is not None
    publication = _iri("publication:liang-2022")
    assert (study, _iri("regen:reportedIn"), publication) in g
    assert str(g.value(publication, _iri("regen:pmid"))) == "35685406"
    assert (publication, _iri("regen:citationStatus"), _iri("regen:Verified")) in g
    follow_up = g.value(study, _iri("regen:followUp"))
    assert follow_up is not None
    assert float(g.value(follow_up, _iri("regen:timeValue"))) == 2
    assert g.value(follow_up, _iri("regen:timeUnit")) == URIRef("http://purl.obolibrary.org/obo/UO_0000034")
    # labels of the values the subgraph points to come along
    assert g.value(_iri("regen:SkinBrightness"), RDFS.label) is not None
    # nothing of another study
    others = {"lee-2014", "kim-2016", "willemsen-2018", "source-review"}
    assert not [s for s in set(g.subjects()) if any(o in str(s) for o in others)]


def test_study_subgraph_of_an_unverified_study(catalogue: dict[str, StoredQuery], store: GraphStore) -> None:
    g = run_query(store, catalogue["study-subgraph"], {"study": "study:shin-2018"}).graph
    assert g is not None
    claims = set(g.subjects(_iri("regen:aboutStudy"), _iri("study:shin-2018")))
    assert claims == {
        _iri(f"claim:shin-2018-{i}") for i in ("elasticity", "hydration", "collagen-biopsy", "safety", "durability")
    }
    assert (
        _iri("publication:shin-2018"),
        _iri("regen:citationStatus"),
        _iri("regen:NotFoundInLiterature"),
    ) in g
    # the review that states the claims, and the comparator named only by a claim
    assert (_iri(REVIEW), RDF.type, _iri("regen:Review")) in g
    assert g.value(_iri("intervention:shin-2018-conventional"), RDFS.label) is not None
    assert not [s for s in set(g.subjects()) if "liang-2022" in str(s)]


# --------------------------------------------------------------------------------------------
# 15 disagreements


def test_where_sources_disagree(ask: Any) -> None:
    rows = ask("disagreements")
    pairs = cols(rows, "a", "b")
    assert pairs == {
        # the review's booster claim and Lee 2019 synergy (as cited) against the randomized
        # Willemsen 2018 trial (no difference on elasticity or volume) and Rigotti 2016 (no
        # regenerative advantage, more inflammation), all filed under "PRP added to cell or fat
        # therapy"
        ("claim:lee-2019-elasticity-synergy", "finding:willemsen-2018-elasticity"),
        ("claim:source-review-prp-booster", "finding:willemsen-2018-elasticity"),
        ("claim:source-review-prp-booster", "finding:willemsen-2018-volume"),
        ("claim:source-review-prp-booster", "finding:rigotti-2016-regeneration-vs-svf"),
        ("claim:source-review-prp-booster", "finding:rigotti-2016-regeneration-vs-adsc"),
        ("claim:source-review-prp-booster", "finding:rigotti-2016-inflammation"),
        # PRP against stem-cell-based therapy: the review says PRP did worse (as "Cervelli 2014");
        # in Estupinan 2025 the PRP and the exosome halves did not differ on any outcome
        *{
            ("claim:cervelli-2014-prp-vs-stem-cells", f"finding:estupinan-2025-{o}-vs-exosomes")
            for o in ESTUPINAN_OUTCOMES
        },
        # combinations against baseline: the review's Cervelli 2014 texture claim against Pincelli
        # 2024 (roughness unchanged); and two primary studies against each other, Estupinan 2025
        # (both halves improved wrinkling and texture) and Pincelli 2024 (rhytides worse,
        # roughness unchanged)
        ("claim:cervelli-2014-texture", "finding:pincelli-2024-texture"),
        ("finding:estupinan-2025-prp-texture", "finding:pincelli-2024-texture"),
        ("finding:estupinan-2025-exosomes-texture", "finding:pincelli-2024-texture"),
        ("finding:estupinan-2025-prp-wrinkles", "finding:pincelli-2024-wrinkles"),
        ("finding:estupinan-2025-exosomes-wrinkles", "finding:pincelli-2024-wrinkles"),
    }
    # the pairs against baseline are filed under no comparison
    assert cols(rows, "comparison", "sharedQuestion") == {
        ("regen:PRPAddedToCellOrFatTherapy", "platelet-rich plasma added to stem-cell or fat-graft therapy"),
        ("regen:PRPVersusStemCellTherapy", "platelet-rich plasma versus stem-cell-based therapy"),
        (None, "combination therapy versus baseline"),
    }
    cervelli = next(r for r in rows if r["a"] == "claim:cervelli-2014-texture")
    assert (cervelli["aDirection"], cervelli["bDirection"]) == ("regen:Improved", "regen:NoChange")
    assert cervelli["aOutcome"] == cervelli["bOutcome"] == "regen:SkinTexture"
    wrinkles = next(r for r in rows if r["a"] == "finding:estupinan-2025-prp-wrinkles")
    assert (wrinkles["aDirection"], wrinkles["bDirection"]) == ("regen:Improved", "regen:Worsened")
    for row in rows:
        # every b side is a verified primary finding
        assert (row["bKind"], row["bSourceKind"], row["bSourceStatus"], row["bStudyStatus"]) == (
            "finding",
            "regen:PrimaryPublication",
            "regen:Verified",
            "regen:Verified",
        )
        if row["aKind"] == "claim":  # a claim is always the review's, never shown as verified
            assert (row["aSource"], row["aSourceKind"], row["aSourceStatus"]) == (
                REVIEW,
                "regen:Review",
                "regen:NotYetChecked",
            )
        else:  # the only finding on side a is Estupinan 2025's, verified without a PMID
            assert (row["aKind"], row["aSource"], row["aSourceStatus"]) == (
                "finding",
                "publication:estupinan-2025",
                "regen:Verified",
            )
    lee = next(r for r in rows if r["a"] == "claim:lee-2019-elasticity-synergy")
    assert lee["aStudyStatus"] == "regen:NotFoundInLiterature"
    assert (lee["aDirection"], lee["bDirection"]) == (
        "regen:InterventionSuperior",
        "regen:NoDifference",
    )
    # each unordered pair once
    assert not {(b, a) for (a, b) in pairs} & pairs
    # PRP alone vs stem cells: the Cervelli claim and the Charles-de-Sa 2020 finding agree
    assert not {p for p in pairs if "finding:charles-de-sa-2020-prp-fibrosis" in p}


# --------------------------------------------------------------------------------------------
# 16 claim-support


def test_claim_support(ask: Any) -> None:
    rows = {(r["groupedBy"], r["subject"], r["outcome"]): r for r in ask("claim-support")}

    def support(grouped: str, subject: str, outcome: str) -> tuple[str | None, ...]:
        row = rows[(grouped, subject, f"regen:{outcome}")]
        return row["support"], row["statements"], row["verifiedFindings"], row["claims"]

    verified = "at least one verified primary finding"
    claims_only = "only unverified secondary claims"
    booster = "regen:PRPAddedToCellOrFatTherapy"
    # Lee 2019 synergy claim and Willemsen 2018 finding on elasticity
    assert support("comparison", booster, "SkinElasticity") == (verified, "2", "1", "1")
    # the review's booster claim on overall rejuvenation stands alone
    assert support("comparison", booster, "SkinRejuvenation") == (claims_only, "1", "0", "1")
    assert support("comparison", booster, "WrinkleDepth") == (claims_only, "1", "0", "1")
    # stem cells vs conventional treatment: the review and Shin 2018 as cited, both claims
    assert support("comparison", "regen:StemCellTherapyVersusConventionalTreatment", "DurabilityOfEffect") == (
        claims_only,
        "2",
        "0",
        "2",
    )
    # conditioned medium + microneedling on texture: Kim 2016 claim and Liang 2022 finding
    assert support("comparison", "regen:ConditionedMediumPlusMicroneedlingVersusMicroneedling", "SkinTexture") == (
        verified,
        "2",
        "1",
        "1",
    )
    assert support("comparison", "regen:PRPVersusStemCellTherapy", "SkinRejuvenation")[0] == claims_only
    assert support("comparison", "regen:PRPVersusStemCellTherapy", "Fibrosis")[0] == verified
    assert support("intervention class", "regen:IntradermalMSCInjection", "SkinElasticity") == (
        claims_only,
        "1",
        "0",
        "1",
    )
    assert support("intervention class", "regen:NanofatGrafting", "SkinQuality") == (
        verified,
        "1",
        "1",
        "0",
    )
    for row in rows.values():
        if row["support"] == claims_only:
            assert row["verifiedFindings"] == "0" and row["claims"] == row["statements"]


# --------------------------------------------------------------------------------------------
# 17 contested-questions


def test_contested_questions_summarise_the_booster_disagreement(ask: Any) -> None:
    """Statements filed under "PRP added to cell or fat therapy" (records rigotti-2016,
    willemsen-2018, lee-2019 and source-review):

    - Rigotti 2016 findings: Inflammation worse; DermalArchitecture no different (twice);
    - Willemsen 2018 findings: RecoveryTime better; SkinElasticity, VolumeRetention and
      PatientSatisfaction no different;
    - claims stated in the review: Lee 2019 WrinkleDepth, SkinHydration and SkinElasticity
      better; the review's own booster claim, SkinRejuvenation better.

    Inflammation and DermalArchitecture sit below HistologicalOutcome, the other skin outcomes
    below ClinicalSkinOutcome, both below SkinRejuvenation; RecoveryTime and PatientSatisfaction
    are not skin-rejuvenation outcomes.

    Statements on a combination therapy against baseline (records cervelli-2014,
    pincelli-2024 and estupinan-2025): the review's claims, SkinTone and SkinTexture better;
    Pincelli 2024's findings, SkinLaxity and Wrinkles worse, SkinTexture no change; Estupinan
    2025's findings, on each of its two halves, Wrinkles, SkinPigmentation, SkinTone, SkinTexture,
    SkinQuality and TypeICollagenContent better. SkinPigmentation sits below SkinTone.

    Statements filed under "PRP versus stem-cell-based therapy" (records cervelli-2014,
    charles-de-sa-2020 and estupinan-2025): the review's claim, SkinRejuvenation worse; Charles-de-Sa
    2020's finding, Fibrosis worse; Estupinan 2025's findings, the six outcomes above no different.
    """
    rows = ask("contested-questions")
    counts = (
        "statements",
        "betterStatements",
        "noDifferenceStatements",
        "worseStatements",
        "findings",
        "claims",
        "sources",
    )
    got = {(r["comparison"], r["outcome"]): tuple(r[c] for c in counts) for r in rows}
    booster = "regen:PRPAddedToCellOrFatTherapy"
    prp_vs_cells = "regen:PRPVersusStemCellTherapy"
    assert got == {
        # the 4 claims (review) and 5 findings below skin rejuvenation, from 3 documents
        (booster, "regen:SkinRejuvenation"): ("9", "4", "4", "1", "5", "4", "3"),
        # Lee's elasticity claim and the booster claim against Willemsen's finding
        (booster, "regen:SkinElasticity"): ("3", "2", "1", "0", "1", "2", "2"),
        # the booster claim against Willemsen's volume finding
        (booster, "regen:VolumeRetention"): ("2", "1", "1", "0", "1", "1", "2"),
        # the booster claim against Rigotti's inflammation finding
        (booster, "regen:Inflammation"): ("2", "1", "0", "1", "1", "1", "2"),
        # the booster claim against Rigotti's two regeneration findings
        (booster, "regen:DermalArchitecture"): ("3", "1", "2", "0", "2", "1", "2"),
        # not listed: WrinkleDepth and SkinHydration (every statement better), RecoveryTime and
        # PatientSatisfaction (one statement each)
        # combination therapy against baseline (no comparison): the review's Cervelli 2014 texture
        # claim (better) and Pincelli 2024's texture finding (no change); Cervelli's tone claim and
        # Pincelli's laxity and wrinkle findings have no statement of the other polarity there
        # Cervelli's texture claim and Estupinan's two texture findings better, Pincelli's unchanged
        (None, "regen:SkinTexture"): ("4", "3", "1", "0", "3", "1", "3"),
        # Estupinan's two wrinkle findings better, Pincelli's worse
        (None, "regen:Wrinkles"): ("3", "2", "0", "1", "3", "0", "2"),
        # not listed against baseline: SkinTone, SkinPigmentation, SkinQuality and
        # TypeICollagenContent (every statement better), SkinLaxity (Pincelli alone)
        # PRP versus stem cells: the review's claim (SkinRejuvenation, so above every outcome) and
        # Charles-de-Sa's fibrosis (worse) against Estupinan's six findings (no difference)
        (prp_vs_cells, "regen:SkinRejuvenation"): ("8", "0", "6", "2", "7", "1", "3"),
        (prp_vs_cells, "regen:Wrinkles"): ("2", "0", "1", "1", "1", "1", "2"),
        (prp_vs_cells, "regen:SkinTexture"): ("2", "0", "1", "1", "1", "1", "2"),
        (prp_vs_cells, "regen:SkinQuality"): ("2", "0", "1", "1", "1", "1", "2"),
        (prp_vs_cells, "regen:TypeICollagenContent"): ("2", "0", "1", "1", "1", "1", "2"),
        # erythema (SkinTone) and dyschromia (SkinPigmentation, below SkinTone) count under each other
        (prp_vs_cells, "regen:SkinTone"): ("3", "0", "2", "1", "2", "1", "2"),
        (prp_vs_cells, "regen:SkinPigmentation"): ("3", "0", "2", "1", "2", "1", "2"),
        # not listed: Fibrosis (the claim and the finding both worse)
    }
    assert col(rows, "sharedQuestion") == {
        "platelet-rich plasma added to stem-cell or fat-graft therapy",
        "platelet-rich plasma versus stem-cell-based therapy",
        "combination therapy versus baseline",
    }


def test_contested_questions_cover_every_disagreeing_pair(ask: Any) -> None:
    """Each side of each pair of the disagreements query has its question and outcome listed."""
    listed = cols(ask("contested-questions"), "sharedQuestion", "outcome")
    for pair in ask("disagreements"):
        assert (pair["sharedQuestion"], pair["aOutcome"]) in listed
        assert (pair["sharedQuestion"], pair["bOutcome"]) in listed


def test_contested_questions_on_a_generated_corpus(tmp_path: Path, catalogue: dict[str, StoredQuery]) -> None:
    """On a generated corpus (many questions, claims and findings mixed): every disagreeing pair
    is covered, each listed row's counts add up, and it has two polarities in two documents."""
    from regen_kg import build as pipeline
    from regen_kg.bench import generate

    corpus = generate(24, seed=11, out=tmp_path / "corpus")
    store = pipeline.run(corpus.paths).store("oxigraph")
    pairs = run_query(store, catalogue["disagreements"]).rows
    rows = run_query(store, catalogue["contested-questions"]).rows
    assert pairs and rows
    listed = cols(rows, "sharedQuestion", "outcome")
    assert {(p["sharedQuestion"], p["aOutcome"]) for p in pairs} <= listed
    assert {(p["sharedQuestion"], p["bOutcome"]) for p in pairs} <= listed
    for row in rows:
        n = {
            k: int(row[k] or 0)
            for k in row
            if k.endswith("Statements") or k in ("statements", "findings", "claims", "sources")
        }
        assert n["betterStatements"] + n["noDifferenceStatements"] + n["worseStatements"] == n["statements"]
        assert n["findings"] + n["claims"] == n["statements"]
        assert n["sources"] >= 2
        assert sum(1 for k in ("betterStatements", "noDifferenceStatements", "worseStatements") if n[k]) >= 2


# --------------------------------------------------------------------------------------------
# the catalogue as a whole


def test_every_parameterised_query_declares_a_default(catalogue: dict[str, StoredQuery]) -> None:
    declared = {name: {p.name for p in q.params} for name, q in catalogue.items() if q.params}
    assert declared == {
        "improved-outcome": {"outcome"},
        "studies-by-cell-type": {"cellType"},
        "follow-up": {"months"},
        "finding-provenance": {"finding"},
        "study-subgraph": {"study"},
    }
    for query in catalogue.values():
        assert query.description and query.keywords, query.name
        for param in query.params:
            assert param.default and param.description, (query.name, param.name)


def test_mappings_of_the_shipped_table(ask: Any) -> None:
    rows = ask("mappings")
    got = {(r["term"], r["predicate"], r["external"], r["externalLabel"]) for r in rows}
    # written from data/mappings/regen.sssom.tsv and the verified term table
    for expected in [
        ("regen:MesenchymalStemCell", "skos:exactMatch", "CL:0000134", "mesenchymal stem cell"),
        ("regen:MesenchymalStemCell", "skos:exactMatch", "MESH:D059630", "Mesenchymal Stem Cells"),
        ("regen:AdiposeDerivedStemCell", "skos:exactMatch", "CL:0002570", "mesenchymal stem cell of adipose tissue"),
        ("regen:PlateletRichPlasma", "skos:exactMatch", "MESH:D053657", "Platelet-Rich Plasma"),
        ("regen:FacialSkinAging", "skos:broadMatch", "MESH:D015595", "Skin Aging"),
        ("regen:ParacrineSignalling", "skos:exactMatch", "GO:0038001", "paracrine signaling"),
        ("regen:RandomizedControlledTrial", "skos:exactMatch", "MESH:D016449", "Randomized Controlled Trial"),
        ("regen:StemCellExosomes", "skos:broadMatch", "MESH:D055354", "Exosomes"),
    ]:
        assert expected in got
    assert len(rows) == 92
